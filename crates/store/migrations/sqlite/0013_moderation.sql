-- Reports of posts and comments, and what moderators did about them.
-- `space` is where the content lives (the network's feed: shared; a
-- group's: its space), so a report reaches only the moderators that space
-- admits. One report per person per target; a decision closes every open
-- report on its target. Hidden content keeps its text (a moderator may
-- restore it) and the reason its author is shown.

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    network_id    BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    target        TEXT    NOT NULL,
    target_id     BIGINT  NOT NULL,
    post_id       BIGINT  NOT NULL,
    space         TEXT    NOT NULL,
    reporter_id   BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    reason        TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    decided_by    BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    decided_at    BIGINT,
    decision_note TEXT
);
CREATE UNIQUE INDEX reports_once ON reports (network_id, target, target_id, reporter_id);
CREATE INDEX reports_queue ON reports (network_id, status, space, created_at);

ALTER TABLE posts ADD COLUMN hidden_at BIGINT;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT;
ALTER TABLE post_comments ADD COLUMN hidden_at BIGINT;
ALTER TABLE post_comments ADD COLUMN hidden_reason TEXT;
