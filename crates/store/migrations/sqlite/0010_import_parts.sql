-- An uploaded file is kept in parts of about a megabyte, cut at record
-- boundaries, instead of one text in `imports.body`: a million-row file
-- (~140 MB decoded) was held whole three or four times while it was
-- stored and read back (the import's peak memory), and every view of an
-- import or of the imports list read it. Now pages read the first part
-- (header and preview rows) and the job reads one part at a time.
CREATE TABLE import_parts (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    import_id  BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    -- the physical line the part's first record starts on
    first_line BIGINT NOT NULL,
    body       TEXT   NOT NULL,
    PRIMARY KEY (import_id, seq)
);

INSERT INTO import_parts (network_id, import_id, seq, first_line, body)
SELECT network_id, id, 0, 1, body FROM imports;

ALTER TABLE imports DROP COLUMN body;
