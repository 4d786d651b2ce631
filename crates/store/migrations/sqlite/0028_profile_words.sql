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
-- 0027's index by profile goes: as big as the table itself (a WITHOUT
-- ROWID table's index holds its key too: 1.2 GB at 1M profiles) and one
-- more B-tree to write for every word. A profile's rows are found by the
-- key from the words it carries — the triggers delete OLD.words' rows, as
-- they inserted them — and the directory looks a profile's words up by
-- the key too. Only a listed profile has rows. Existing databases get
-- the new words at start-up (profiles::reindex: a new meta key).
DROP TRIGGER profiles_name_words_insert;
DROP TRIGGER profiles_name_words_update;
DROP TRIGGER profiles_name_words_delete;
DROP INDEX name_words_profile;
ALTER TABLE name_words RENAME TO profile_words;
ALTER TABLE profiles RENAME COLUMN name_words TO words;

CREATE TRIGGER profiles_words_insert AFTER INSERT ON profiles WHEN NEW.listed
BEGIN
    INSERT INTO profile_words (network_id, word, sort_key, profile_id, pub, adm)
    SELECT NEW.network_id, json_extract(w.value, '$[0]'), NEW.sort_key, NEW.id,
           json_extract(w.value, '$[1]'), json_extract(w.value, '$[2]')
    FROM json_each(NEW.words) w;
END;

CREATE TRIGGER profiles_words_update AFTER UPDATE ON profiles
WHEN OLD.listed IS NOT NEW.listed OR OLD.words IS NOT NEW.words
  OR OLD.sort_key IS NOT NEW.sort_key OR OLD.network_id IS NOT NEW.network_id
BEGIN
    DELETE FROM profile_words
    WHERE OLD.listed AND network_id = OLD.network_id
      AND word IN (SELECT json_extract(w.value, '$[0]') FROM json_each(OLD.words) w)
      AND sort_key = OLD.sort_key AND profile_id = OLD.id;
    INSERT INTO profile_words (network_id, word, sort_key, profile_id, pub, adm)
    SELECT NEW.network_id, json_extract(w.value, '$[0]'), NEW.sort_key, NEW.id,
           json_extract(w.value, '$[1]'), json_extract(w.value, '$[2]')
    FROM json_each(NEW.words) w
    WHERE NEW.listed;
END;

CREATE TRIGGER profiles_words_delete AFTER DELETE ON profiles WHEN OLD.listed
BEGIN
    DELETE FROM profile_words
    WHERE network_id = OLD.network_id
      AND word IN (SELECT json_extract(w.value, '$[0]') FROM json_each(OLD.words) w)
      AND sort_key = OLD.sort_key AND profile_id = OLD.id;
END;
