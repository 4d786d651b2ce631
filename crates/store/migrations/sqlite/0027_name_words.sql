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
-- database gets its words at start-up (profiles::reindex).
ALTER TABLE profiles ADD COLUMN name_words TEXT NOT NULL DEFAULT '[]';

CREATE TABLE name_words (
    network_id BIGINT  NOT NULL,
    word       TEXT    NOT NULL,
    sort_key   TEXT    NOT NULL,
    profile_id BIGINT  NOT NULL,
    pub        BOOLEAN NOT NULL,
    adm        BOOLEAN NOT NULL,
    PRIMARY KEY (network_id, word, sort_key, profile_id)
) WITHOUT ROWID;
-- A profile's own words: always looked up by profile, never by the key's
-- network, which would walk all of its words (without statistics SQLite
-- prefers the key: `+network_id` below keeps it off; generating 20,000
-- people took 20 s instead of 2).
CREATE INDEX name_words_profile ON name_words (profile_id, network_id);

CREATE TRIGGER profiles_name_words_insert AFTER INSERT ON profiles WHEN NEW.listed
BEGIN
    INSERT INTO name_words (network_id, word, sort_key, profile_id, pub, adm)
    SELECT NEW.network_id, json_extract(w.value, '$[0]'), NEW.sort_key, NEW.id,
           json_extract(w.value, '$[1]'), json_extract(w.value, '$[2]')
    FROM json_each(NEW.name_words) w;
END;

CREATE TRIGGER profiles_name_words_update AFTER UPDATE ON profiles
WHEN OLD.listed IS NOT NEW.listed OR OLD.name_words IS NOT NEW.name_words
  OR OLD.sort_key IS NOT NEW.sort_key OR OLD.network_id IS NOT NEW.network_id
BEGIN
    DELETE FROM name_words WHERE profile_id = OLD.id AND +network_id = OLD.network_id;
    INSERT INTO name_words (network_id, word, sort_key, profile_id, pub, adm)
    SELECT NEW.network_id, json_extract(w.value, '$[0]'), NEW.sort_key, NEW.id,
           json_extract(w.value, '$[1]'), json_extract(w.value, '$[2]')
    FROM json_each(NEW.name_words) w
    WHERE NEW.listed;
END;

CREATE TRIGGER profiles_name_words_delete AFTER DELETE ON profiles
BEGIN
    DELETE FROM name_words WHERE profile_id = OLD.id AND +network_id = OLD.network_id;
END;
