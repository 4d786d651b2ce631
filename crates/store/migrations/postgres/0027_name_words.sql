-- The whole words of listed profiles' names (kanji, kana, romaji,
-- nickname: the `n=` tokens of the search index) with the profile's kana
-- order. A one-word search's best matches — a whole word of a name, as a
-- surname is — are one range of this table's key, already in the order
-- the directory shows them: a page reads its own rows, where the search
-- index gave every match to be sorted (a common surname at 1M profiles:
-- 20,000), and a count of "1,000+" reads 1,001 keys.
--
-- Each profile carries its words (`profiles.name_words`, a JSON array of
-- [token, members may see it, admins may see it], made in Rust with the
-- index's own normalisation); these triggers copy them here while the
-- profile is listed (an active member's, migration 0026), so HR's records
-- nobody has joined from cost an import nothing here, and every way a
-- profile is listed, renamed or goes keeps the table exact. An existing
-- database gets its words at start-up (profiles::reindex). Byte order
-- ("C"), as profiles.sort_key.
ALTER TABLE profiles ADD COLUMN name_words TEXT NOT NULL DEFAULT '[]';

CREATE TABLE name_words (
    network_id BIGINT  NOT NULL,
    word       TEXT    COLLATE "C" NOT NULL,
    sort_key   TEXT    COLLATE "C" NOT NULL,
    profile_id BIGINT  NOT NULL,
    pub        BOOLEAN NOT NULL,
    adm        BOOLEAN NOT NULL,
    PRIMARY KEY (network_id, word, sort_key, profile_id) INCLUDE (pub, adm)
);
-- A profile's own words: always looked up by profile, never by the key's
-- network, which would walk all of its words.
CREATE INDEX name_words_profile ON name_words (profile_id, network_id);

-- (one function for the three: AFTER triggers, so 0026's BEFORE triggers
-- have set `listed` already)
CREATE FUNCTION profiles_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM name_words WHERE profile_id = OLD.id AND network_id = OLD.network_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.listed THEN
        INSERT INTO name_words (network_id, word, sort_key, profile_id, pub, adm)
        SELECT NEW.network_id, w.value ->> 0, NEW.sort_key, NEW.id,
               CAST(w.value ->> 1 AS BOOLEAN), CAST(w.value ->> 2 AS BOOLEAN)
        FROM jsonb_array_elements(CAST(NEW.name_words AS jsonb)) AS w (value);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER profiles_name_words_insert AFTER INSERT ON profiles
    FOR EACH ROW WHEN (NEW.listed)
    EXECUTE FUNCTION profiles_name_words();
-- any update, not `UPDATE OF`: 0026 sets `listed` in BEFORE triggers of
-- updates that name other columns
CREATE TRIGGER profiles_name_words_update AFTER UPDATE ON profiles
    FOR EACH ROW WHEN (OLD.listed IS DISTINCT FROM NEW.listed
        OR OLD.name_words IS DISTINCT FROM NEW.name_words
        OR OLD.sort_key IS DISTINCT FROM NEW.sort_key
        OR OLD.network_id IS DISTINCT FROM NEW.network_id)
    EXECUTE FUNCTION profiles_name_words();
CREATE TRIGGER profiles_name_words_delete AFTER DELETE ON profiles
    FOR EACH ROW EXECUTE FUNCTION profiles_name_words();
