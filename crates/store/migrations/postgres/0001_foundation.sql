-- Installation-wide facts (not tenant-owned). Instants are Unix milliseconds.
CREATE TABLE meta (
    key        TEXT   NOT NULL PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
