-- The directory sorted by leave year (latest first, then 五十音順) walks an
-- index in that order. The indexes of 0004 held the year ascending, which
-- neither engine walks as "year descending, reading ascending": a page
-- read and sorted every member of the network (SQLite, 300k profiles:
-- 320 ms a page; PostgreSQL sorted each year's group). With the year held
-- descending a page reads its rows and stops (SQLite: 6 ms a page).
DROP INDEX profiles_left_pub;
DROP INDEX profiles_left_adm;
CREATE INDEX profiles_left_pub ON profiles (network_id, left_pub DESC, sort_key, id);
CREATE INDEX profiles_left_adm ON profiles (network_id, left_adm DESC, sort_key, id);
-- The planner's numbers for the new indexes (dropping the old ones took
-- theirs): without them SQLite may take one for another order's walk.
ANALYZE profiles;
