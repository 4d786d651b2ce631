-- How many members a network has by status, role and kind: the members
-- list shows these counts on every page, and counting 1M memberships per
-- request made the page time out (bench at 1M). Triggers keep the tally,
-- so every write path (join, admin changes, imports' bulk statements,
-- deleting an account or a network by cascade) keeps it exact. A
-- decrement only ever updates an existing row: a cascade from a deleted
-- network finds its rows gone and does nothing.
CREATE TABLE member_tally (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    status     TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (network_id, status, role, kind)
) WITHOUT ROWID;

INSERT INTO member_tally (network_id, status, role, kind, n)
SELECT network_id, status, role, kind, COUNT(*) FROM memberships
GROUP BY network_id, status, role, kind;

CREATE TRIGGER memberships_tally_insert AFTER INSERT ON memberships
BEGIN
    INSERT INTO member_tally (network_id, status, role, kind, n)
    VALUES (NEW.network_id, NEW.status, NEW.role, NEW.kind, 1)
    ON CONFLICT (network_id, status, role, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER memberships_tally_delete AFTER DELETE ON memberships
BEGIN
    UPDATE member_tally SET n = n - 1
    WHERE network_id = OLD.network_id AND status = OLD.status AND role = OLD.role AND kind = OLD.kind;
END;

CREATE TRIGGER memberships_tally_update AFTER UPDATE OF network_id, status, role, kind ON memberships
WHEN OLD.network_id IS NOT NEW.network_id OR OLD.status IS NOT NEW.status
  OR OLD.role IS NOT NEW.role OR OLD.kind IS NOT NEW.kind
BEGIN
    UPDATE member_tally SET n = n - 1
    WHERE network_id = OLD.network_id AND status = OLD.status AND role = OLD.role AND kind = OLD.kind;
    INSERT INTO member_tally (network_id, status, role, kind, n)
    VALUES (NEW.network_id, NEW.status, NEW.role, NEW.kind, 1)
    ON CONFLICT (network_id, status, role, kind) DO UPDATE SET n = n + 1;
END;
