-- The feed: company news and members' posts, comments (one level of
-- replies: `parent_id` names a top-level comment) and reactions.
--
-- `author_id` is kept NULL when the author's account is deleted, so news an
-- HR admin wrote outlives their account. `once_key` is the one-time key a
-- form carries: a double click posts once (unique per author; NULLs, from
-- API calls without a key, never collide). `pinned_at` is set on news kept
-- on top of the feed; the feed's own stream reads the unpinned rest.

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    network_id    BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    author_id     BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    audience      TEXT    NOT NULL,
    pinned_at     BIGINT,
    once_key      TEXT,
    comment_count BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    edited_at     BIGINT
);
CREATE INDEX posts_feed ON posts (network_id, created_at, id);
CREATE INDEX posts_pinned ON posts (network_id, pinned_at);
CREATE INDEX posts_author ON posts (network_id, author_id);
CREATE UNIQUE INDEX posts_once ON posts (network_id, author_id, once_key);

CREATE TABLE post_comments (
    id         INTEGER PRIMARY KEY,
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    post_id    BIGINT  NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id  BIGINT,
    author_id  BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    body       TEXT    NOT NULL,
    once_key   TEXT,
    created_at BIGINT  NOT NULL,
    edited_at  BIGINT
);
CREATE INDEX post_comments_post ON post_comments (network_id, post_id, created_at, id);
CREATE UNIQUE INDEX post_comments_once ON post_comments (network_id, author_id, once_key);

CREATE TABLE post_reactions (
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    post_id    BIGINT  NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reaction   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (network_id, post_id, account_id, reaction)
);
