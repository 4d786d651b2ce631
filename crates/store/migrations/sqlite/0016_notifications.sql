-- In-app notifications: what someone (`actor_id`) did that concerns an
-- account in a network — a comment on their post, a reply to their
-- comment, a reaction, a decision about a group they proposed or asked to
-- join. `read_at` is set when they saw it. A notification about a post
-- goes when the post goes.

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    actor_id   BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    post_id    BIGINT  REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT,
    group_id   BIGINT,
    created_at BIGINT  NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_account ON notifications (account_id, read_at, id);
