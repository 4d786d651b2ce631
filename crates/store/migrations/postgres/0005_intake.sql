-- Leaver intake: HR's CSV imports, the roster of alumni records they
-- create (pending until the person accepts an invitation), the
-- do-not-contact list, and each network's intake settings.
--
-- An alumni record points at a profile with no account (HR's record, found
-- by admins in the directory) until the person joins; then the profile is
-- theirs. Declining erases the record's personal data and leaves only
-- hashes in `do_not_contact`.

CREATE TABLE intake_settings (
    network_id     BIGINT PRIMARY KEY REFERENCES networks (id) ON DELETE CASCADE,
    mapping        TEXT   NOT NULL,
    retention_days BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE imports (
    id             BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id     BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    created_by     BIGINT,
    file_name      TEXT   NOT NULL,
    encoding       TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    mapping        TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    total_rows     BIGINT NOT NULL,
    done_rows      BIGINT NOT NULL,
    new_rows       BIGINT NOT NULL,
    linked_rows    BIGINT NOT NULL,
    updated_rows   BIGINT NOT NULL,
    unchanged_rows BIGINT NOT NULL,
    invalid_rows   BIGINT NOT NULL,
    skipped_rows   BIGINT NOT NULL,
    error          TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    finished_at    BIGINT,
    PRIMARY KEY (network_id, id)
);
CREATE INDEX imports_network ON imports (network_id, id);

CREATE TABLE alumni_records (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id           BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    profile_id           BIGINT,
    account_id           BIGINT,
    employee_number      TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    email_key            TEXT    NOT NULL,
    company_address_only BOOLEAN NOT NULL,
    lang                 TEXT    NOT NULL,
    fingerprint          TEXT    NOT NULL,
    state                TEXT    NOT NULL,
    left_ym              BIGINT,
    department           TEXT    NOT NULL,
    invitation_id        BIGINT,
    message_id           BIGINT,
    send_at              BIGINT,
    sent_at              BIGINT,
    reminders            BIGINT  NOT NULL,
    opened_at            BIGINT,
    joined_at            BIGINT,
    declined_at          BIGINT,
    import_id            BIGINT,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    PRIMARY KEY (network_id, id)
);
CREATE UNIQUE INDEX alumni_records_number ON alumni_records (network_id, employee_number)
    WHERE employee_number <> '';
CREATE INDEX alumni_records_email ON alumni_records (network_id, email);
CREATE INDEX alumni_records_state ON alumni_records (network_id, state, id);
CREATE INDEX alumni_records_profile ON alumni_records (network_id, profile_id);

CREATE TABLE do_not_contact (
    id         BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    key_hash   TEXT   NOT NULL,
    hint       TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id)
);
CREATE UNIQUE INDEX do_not_contact_key ON do_not_contact (network_id, key_hash);

ALTER TABLE invitations ADD COLUMN record_id BIGINT;
