-- Direct messages: conversations (one direct conversation per pair of
-- people: `pair_key` "lo:hi"; group conversations have none), who is in
-- each and up to which message they have read, the messages, blocks, and
-- each member's choice of who may write to them (`memberships.dm_from`:
-- anyone / shared / nobody).
--
-- A message's `kind` is `text` or `contact` (a contact card the author
-- chose to share: its fields as JSON in `body`). `once_key` makes a double
-- click send once. Reports of messages go in `reports` with `target`
-- 'message' and the conversation's id in `post_id` (the thread the
-- reported words are in).

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    network_id      BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    pair_key        TEXT,
    created_by      BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    last_message_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX conversations_pair ON conversations (network_id, pair_key);

CREATE TABLE conversation_members (
    network_id      BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    joined_at       BIGINT  NOT NULL,
    last_read_id    BIGINT  NOT NULL,
    left_at         BIGINT,
    PRIMARY KEY (network_id, conversation_id, account_id)
);
CREATE INDEX conversation_members_account ON conversation_members (account_id, network_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    network_id      BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id       BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    kind            TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    once_key        TEXT,
    created_at      BIGINT  NOT NULL,
    hidden_at       BIGINT,
    hidden_reason   TEXT
);
CREATE INDEX messages_conversation ON messages (network_id, conversation_id, id);
CREATE UNIQUE INDEX messages_once ON messages (network_id, author_id, once_key);

CREATE TABLE blocks (
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    blocker_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    blocked_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (network_id, blocker_id, blocked_id)
);

ALTER TABLE memberships ADD COLUMN dm_from TEXT NOT NULL DEFAULT 'anyone';
