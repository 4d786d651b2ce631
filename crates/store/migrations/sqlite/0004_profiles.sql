-- Profiles (one per person per network), their stints at the company as
-- HR recorded them and as the person wrote them, uploaded images, and the
-- directory's search index.
--
-- `profiles.stints` caches the stints others see (the person's own once
-- they edited them, else HR's: `stints_source`); `tenures` keeps both.
-- `sort_key` is the normalised reading (五十音順); `left_pub`/`left_adm`
-- are the leave month as members/admins may see it (-1 hidden, 0 still
-- there), so sorting by leave year reveals nothing hidden.

CREATE TABLE profiles (
    id            INTEGER PRIMARY KEY,
    network_id    BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id    BIGINT  REFERENCES accounts (id) ON DELETE CASCADE,
    family        TEXT    NOT NULL,
    given         TEXT    NOT NULL,
    family_kana   TEXT    NOT NULL,
    given_kana    TEXT    NOT NULL,
    family_romaji TEXT    NOT NULL,
    given_romaji  TEXT    NOT NULL,
    nickname      TEXT    NOT NULL,
    company       TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    industry      TEXT    NOT NULL,
    location      TEXT    NOT NULL,
    work_style    TEXT,
    skills        TEXT    NOT NULL,
    languages     TEXT    NOT NULL,
    links         TEXT    NOT NULL,
    bio           TEXT    NOT NULL,
    photo_key     TEXT,
    open_to       TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    visibility    TEXT    NOT NULL,
    stints        TEXT    NOT NULL,
    stints_source TEXT    NOT NULL,
    sort_key      TEXT    NOT NULL,
    first_joined  BIGINT,
    last_left     BIGINT,
    left_pub      BIGINT  NOT NULL,
    left_adm      BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX profiles_account ON profiles (network_id, account_id);
CREATE INDEX profiles_kana ON profiles (network_id, sort_key, id);
CREATE INDEX profiles_recent ON profiles (network_id, created_at, id);
CREATE INDEX profiles_left_pub ON profiles (network_id, left_pub, sort_key, id);
CREATE INDEX profiles_left_adm ON profiles (network_id, left_adm, sort_key, id);

CREATE TABLE tenures (
    id              INTEGER PRIMARY KEY,
    network_id      BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    profile_id      BIGINT  NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    source          TEXT    NOT NULL,
    position        BIGINT  NOT NULL,
    joined_ym       BIGINT,
    left_ym         BIGINT,
    departments     TEXT    NOT NULL,
    titles          TEXT    NOT NULL,
    office          TEXT    NOT NULL,
    employee_number TEXT    NOT NULL
);
CREATE INDEX tenures_profile ON tenures (network_id, profile_id, source, position);

CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL UNIQUE,
    account_id BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    purpose    TEXT    NOT NULL,
    width      BIGINT  NOT NULL,
    height     BIGINT  NOT NULL,
    large      BLOB    NOT NULL,
    small      BLOB    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX images_network ON images (network_id, account_id);

-- rowid = profiles.id. Tokens are made in Rust (core::search); `pub` holds
-- what every member may see, `adm` what admins may see.
CREATE VIRTUAL TABLE profile_search USING fts5(
    pub, adm, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
