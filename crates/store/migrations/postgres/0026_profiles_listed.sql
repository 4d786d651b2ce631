-- Whether a profile is listed in its network's directory: its account is an
-- active member there. Member searches read it from the profile's own row
-- instead of joining each match's membership, and skip HR's records nobody
-- has joined from yet. Triggers keep it, so every write path (join, leave,
-- suspension, admin changes, claiming a record, bulk statements, cascades)
-- keeps it exact: a profile works it out when written, a membership's
-- change writes it to its profile.
ALTER TABLE profiles ADD COLUMN listed BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE profiles SET listed = TRUE
WHERE account_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM memberships m
    WHERE m.network_id = profiles.network_id AND m.account_id = profiles.account_id
      AND m.status = 'active');

CREATE FUNCTION profiles_listed_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.listed := NEW.account_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.network_id = NEW.network_id AND m.account_id = NEW.account_id
          AND m.status = 'active');
    RETURN NEW;
END;
$$;

CREATE TRIGGER profiles_listed_insert BEFORE INSERT ON profiles
    FOR EACH ROW EXECUTE FUNCTION profiles_listed_own();
CREATE TRIGGER profiles_listed_account BEFORE UPDATE OF network_id, account_id ON profiles
    FOR EACH ROW EXECUTE FUNCTION profiles_listed_own();

CREATE FUNCTION memberships_listed_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE profiles SET listed = FALSE
        WHERE network_id = OLD.network_id AND account_id = OLD.account_id AND listed;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE profiles SET listed = (NEW.status = 'active')
        WHERE network_id = NEW.network_id AND account_id = NEW.account_id
          AND listed IS DISTINCT FROM (NEW.status = 'active');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_listed_insert AFTER INSERT ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_listed_apply();
CREATE TRIGGER memberships_listed_update AFTER UPDATE OF network_id, account_id, status ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_listed_apply();
CREATE TRIGGER memberships_listed_delete AFTER DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_listed_apply();

DROP INDEX profiles_dir;
CREATE INDEX profiles_dir ON profiles (network_id, id, listed, account_id, sort_key, created_at, left_pub, left_adm);
