-- Whether a profile is listed in its network's directory: its account is an
-- active member there. Member searches read it from the profile's own index
-- entry instead of looking up each match's membership (half of a search's
-- cost per match, bench at 100k), and skip HR's records nobody has joined
-- from yet without a lookup. Triggers keep it, so every write path (join,
-- leave, suspension, admin changes, claiming a record, bulk statements,
-- cascades) keeps it exact.
ALTER TABLE profiles ADD COLUMN listed BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE profiles SET listed = TRUE
WHERE account_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM memberships m
    WHERE m.network_id = profiles.network_id AND m.account_id = profiles.account_id
      AND m.status = 'active');

CREATE TRIGGER memberships_listed_insert AFTER INSERT ON memberships
BEGIN
    UPDATE profiles SET listed = (NEW.status = 'active')
    WHERE network_id = NEW.network_id AND account_id = NEW.account_id;
END;

CREATE TRIGGER memberships_listed_update AFTER UPDATE OF network_id, account_id, status ON memberships
BEGIN
    UPDATE profiles SET listed = FALSE
    WHERE network_id = OLD.network_id AND account_id = OLD.account_id;
    UPDATE profiles SET listed = (NEW.status = 'active')
    WHERE network_id = NEW.network_id AND account_id = NEW.account_id;
END;

CREATE TRIGGER memberships_listed_delete AFTER DELETE ON memberships
BEGIN
    UPDATE profiles SET listed = FALSE
    WHERE network_id = OLD.network_id AND account_id = OLD.account_id;
END;

CREATE TRIGGER profiles_listed_insert AFTER INSERT ON profiles WHEN NEW.account_id IS NOT NULL
BEGIN
    UPDATE profiles SET listed = EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.network_id = NEW.network_id AND m.account_id = NEW.account_id
          AND m.status = 'active')
    WHERE id = NEW.id;
END;

CREATE TRIGGER profiles_listed_account AFTER UPDATE OF network_id, account_id ON profiles
BEGIN
    UPDATE profiles SET listed = EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.network_id = NEW.network_id AND m.account_id = NEW.account_id
          AND m.status = 'active')
    WHERE id = NEW.id;
END;

-- The directory's per-match reads and its walks in a stored order find the
-- flag in the index they already read.
DROP INDEX profiles_dir;
CREATE INDEX profiles_dir ON profiles (id, network_id, listed, account_id, sort_key, created_at, left_pub, left_adm);
DROP INDEX profiles_kana;
CREATE INDEX profiles_kana ON profiles (network_id, sort_key, id, listed);
DROP INDEX profiles_recent;
CREATE INDEX profiles_recent ON profiles (network_id, created_at, id, listed);
