-- `name_words` (0027) becomes `profile_words`: what the directory reads
-- in kana order of a listed profile — the whole words of its names (`n=`
-- tokens: kanji, kana, romaji, nickname), now those of its work too (`w=`:
-- company, title, skills, the departments and titles of its stints) and
-- the values the directory filters on (departments, industry, location,
-- skills, open-to, first year joined, last year left: `d=`, `i=`, `l=`,
-- `s=`, `o=`, `j=`, `y=`), each with whether members and admins may see
-- it. A one-word search's best levels — a whole word of a name, a name's
-- beginning, a whole word of someone's work, as a skill or a company is —
-- and a search by one filter alone are ranges of this table's key in the
-- order the directory shows them, so a page reads its own rows however
-- many match (a skill at 1M profiles: 130,000; a year left: 20,000).
--
-- The profile's column is renamed with it (`profiles.words`, the same
-- JSON of [token, members may see it, admins may see it] made in Rust).
-- 0027's index by profile goes: nearly as big as the table (1M profiles:
-- 20M rows) and one more B-tree to write for every word. A profile's rows
-- are found by the key from the words it carries — the triggers delete
-- OLD.words' rows, as they inserted them — and the directory looks a
-- profile's words up by the key too. Only a listed profile has rows.
-- Existing databases get the new words at start-up (profiles::reindex: a
-- new meta key).
DROP TRIGGER profiles_name_words_insert ON profiles;
DROP TRIGGER profiles_name_words_update ON profiles;
DROP TRIGGER profiles_name_words_delete ON profiles;
DROP FUNCTION profiles_name_words();
DROP INDEX name_words_profile;
ALTER TABLE name_words RENAME TO profile_words;
ALTER TABLE profile_words RENAME CONSTRAINT name_words_pkey TO profile_words_pkey;
ALTER TABLE profiles RENAME COLUMN name_words TO words;

-- (one function for the three: AFTER triggers, so 0026's BEFORE triggers
-- have set `listed` already; the words as an array, so the key is read
-- once per word)
CREATE FUNCTION profiles_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.listed THEN
        DELETE FROM profile_words
        WHERE network_id = OLD.network_id
          AND word = ANY (ARRAY(SELECT w.value ->> 0
                                FROM jsonb_array_elements(CAST(OLD.words AS jsonb)) AS w (value)))
          AND sort_key = OLD.sort_key AND profile_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.listed THEN
        INSERT INTO profile_words (network_id, word, sort_key, profile_id, pub, adm)
        SELECT NEW.network_id, w.value ->> 0, NEW.sort_key, NEW.id,
               CAST(w.value ->> 1 AS BOOLEAN), CAST(w.value ->> 2 AS BOOLEAN)
        FROM jsonb_array_elements(CAST(NEW.words AS jsonb)) AS w (value);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER profiles_words_insert AFTER INSERT ON profiles
    FOR EACH ROW WHEN (NEW.listed)
    EXECUTE FUNCTION profiles_words();
-- any update, not `UPDATE OF`: 0026 sets `listed` in BEFORE triggers of
-- updates that name other columns
CREATE TRIGGER profiles_words_update AFTER UPDATE ON profiles
    FOR EACH ROW WHEN (OLD.listed IS DISTINCT FROM NEW.listed
        OR OLD.words IS DISTINCT FROM NEW.words
        OR OLD.sort_key IS DISTINCT FROM NEW.sort_key
        OR OLD.network_id IS DISTINCT FROM NEW.network_id)
    EXECUTE FUNCTION profiles_words();
CREATE TRIGGER profiles_words_delete AFTER DELETE ON profiles
    FOR EACH ROW WHEN (OLD.listed)
    EXECUTE FUNCTION profiles_words();
