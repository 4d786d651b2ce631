-- Whether an index row's profile is listed (`profiles.listed`, 0026), on
-- the index row itself. Counting a search's matches reads the index's
-- rows anyway (the recheck of the tsvector) and then needed a look-up of
-- each match's profile for its listing: 1,001 matches of a surname with a
-- department at 1M profiles, 5 of the count's 8.6 ms. Triggers keep it:
-- an index row takes its profile's listing when written, and every change
-- of a profile's listing (the membership triggers of 0026, a claimed
-- record, …) is copied to its index row. SQLite's search index (FTS5)
-- has no such column; it reads the listing from `profiles_dir`, a
-- covering index (0029 there is empty).
ALTER TABLE profile_search ADD COLUMN listed BOOLEAN NOT NULL DEFAULT TRUE;

UPDATE profile_search s SET listed = FALSE
FROM profiles p
WHERE p.network_id = s.network_id AND p.id = s.profile_id AND NOT p.listed;

CREATE FUNCTION profile_search_listed_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.listed := COALESCE((
        SELECT p.listed FROM profiles p
        WHERE p.network_id = NEW.network_id AND p.id = NEW.profile_id), FALSE);
    RETURN NEW;
END;
$$;

CREATE TRIGGER profile_search_listed_insert BEFORE INSERT ON profile_search
    FOR EACH ROW EXECUTE FUNCTION profile_search_listed_own();

CREATE FUNCTION profiles_search_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE profile_search SET listed = NEW.listed
    WHERE network_id = NEW.network_id AND profile_id = NEW.id;
    RETURN NULL;
END;
$$;

-- any update (not `UPDATE OF listed`: a BEFORE trigger of 0026 works the
-- listing out when a profile's account is set, as a claim does)
CREATE TRIGGER profiles_search_listed AFTER UPDATE ON profiles
    FOR EACH ROW WHEN (OLD.listed IS DISTINCT FROM NEW.listed)
    EXECUTE FUNCTION profiles_search_listed();
