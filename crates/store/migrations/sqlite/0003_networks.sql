-- Networks (tenants), their versioned purposes of use and guidelines,
-- memberships with consent, the consent history, and invitations.

CREATE TABLE networks (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT    NOT NULL UNIQUE,
    name_ja            TEXT    NOT NULL,
    name_en            TEXT    NOT NULL,
    description_ja     TEXT    NOT NULL,
    description_en     TEXT    NOT NULL,
    accent_color       TEXT    NOT NULL,
    join_policy        TEXT    NOT NULL,
    staff_domains      TEXT    NOT NULL,
    listed             BOOLEAN NOT NULL,
    purposes_version   BIGINT  NOT NULL,
    guidelines_version BIGINT  NOT NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);

CREATE TABLE network_documents (
    id         INTEGER PRIMARY KEY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    body_ja    TEXT   NOT NULL,
    body_en    TEXT   NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX network_documents_version ON network_documents (network_id, kind, version);

CREATE TABLE memberships (
    id                 INTEGER PRIMARY KEY,
    network_id         BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role               TEXT   NOT NULL,
    kind               TEXT   NOT NULL,
    status             TEXT   NOT NULL,
    request_note       TEXT,
    purposes_version   BIGINT,
    guidelines_version BIGINT,
    consented_at       BIGINT,
    joined_at          BIGINT,
    left_at            BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX memberships_account ON memberships (network_id, account_id);
CREATE INDEX memberships_by_account ON memberships (account_id);

CREATE TABLE consents (
    id                 INTEGER PRIMARY KEY,
    network_id         BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purposes_version   BIGINT NOT NULL,
    guidelines_version BIGINT NOT NULL,
    decision           TEXT   NOT NULL,
    ip                 TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX consents_account ON consents (network_id, account_id);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    network_id  BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    email       TEXT   NOT NULL,
    role        TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    token_hash  TEXT   NOT NULL UNIQUE,
    invited_by  BIGINT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX invitations_network ON invitations (network_id, email);
