-- Accounts, sign-in, API tokens, the job queue, the mail outbox, the audit
-- log and throttling counters. Instants are Unix milliseconds (UTC).

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    lang          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    password_hash TEXT,
    is_operator   BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE account_emails (
    id          INTEGER PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    verified_at BIGINT,
    is_primary  BOOLEAN NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX account_emails_verified ON account_emails (email) WHERE verified_at IS NOT NULL;
CREATE UNIQUE INDEX account_emails_per_account ON account_emails (account_id, email);
CREATE INDEX account_emails_email ON account_emails (email);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT   NOT NULL UNIQUE,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT   NOT NULL UNIQUE,
    purpose    TEXT   NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX login_tokens_account ON login_tokens (account_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    prefix       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT   NOT NULL,
    payload      TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    attempts     BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_at    BIGINT,
    locked_by    TEXT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    to_addr    TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    text_body  TEXT   NOT NULL,
    html_body  TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    error      TEXT,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    network_id BIGINT,
    actor_id   BIGINT,
    action     TEXT   NOT NULL,
    target     TEXT,
    ip         TEXT,
    detail     TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);

CREATE TABLE throttle (
    key          TEXT   NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
