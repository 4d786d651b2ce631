-- How many members a network has by status, role and kind: the members
-- list shows these counts on every page, and counting 1M memberships per
-- request made the page time out (bench at 1M). Triggers keep the tally,
-- so every write path (join, admin changes, imports' bulk statements,
-- deleting an account or a network by cascade) keeps it exact.
--
-- One statement-level trigger per operation sums the statement's changed
-- rows (transition tables), so a 2,000-row bulk insert is one upsert of a
-- few tally rows, not 2,000. The upsert visits keys in order, so two
-- transactions changing the same tally rows lock them in the same order
-- (no deadlock). Rows of a network deleted in the same statement (the
-- cascade) are skipped: their tally went with the network.
CREATE TABLE member_tally (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    status     TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (network_id, status, role, kind)
);

INSERT INTO member_tally (network_id, status, role, kind, n)
SELECT network_id, status, role, kind, COUNT(*) FROM memberships
GROUP BY network_id, status, role, kind;

CREATE FUNCTION member_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO member_tally (network_id, status, role, kind, n)
        SELECT network_id, status, role, kind, COUNT(*) FROM new_rows
        GROUP BY network_id, status, role, kind
        ORDER BY network_id, status, role, kind
        ON CONFLICT (network_id, status, role, kind) DO UPDATE SET n = member_tally.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO member_tally (network_id, status, role, kind, n)
        SELECT o.network_id, o.status, o.role, o.kind, -COUNT(*) FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM networks w WHERE w.id = o.network_id)
        GROUP BY o.network_id, o.status, o.role, o.kind
        ORDER BY o.network_id, o.status, o.role, o.kind
        ON CONFLICT (network_id, status, role, kind) DO UPDATE SET n = member_tally.n + EXCLUDED.n;
    ELSE
        INSERT INTO member_tally (network_id, status, role, kind, n)
        SELECT c.network_id, c.status, c.role, c.kind, SUM(c.d) FROM (
            SELECT network_id, status, role, kind, 1 AS d FROM new_rows
            UNION ALL
            SELECT network_id, status, role, kind, -1 AS d FROM old_rows
        ) c
        WHERE EXISTS (SELECT 1 FROM networks w WHERE w.id = c.network_id)
        GROUP BY c.network_id, c.status, c.role, c.kind
        HAVING SUM(c.d) <> 0
        ORDER BY c.network_id, c.status, c.role, c.kind
        ON CONFLICT (network_id, status, role, kind) DO UPDATE SET n = member_tally.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_tally_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_tally_apply();
CREATE TRIGGER memberships_tally_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_tally_apply();
CREATE TRIGGER memberships_tally_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_tally_apply();
