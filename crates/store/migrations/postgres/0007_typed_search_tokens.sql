-- The directory's index holds typed tokens (core::search: `n:鈴木` a gram of
-- a name, `n=suzuki` a whole word, `d=…` a department, `y=2005` a leave
-- year…), so the engine ranks, filters and counts by itself. Nothing
-- changes in the table (tokens go in whole through array_to_tsvector);
-- `store::migrate::run` rebuilds every entry right after the migrations
-- (profiles::reindex).

-- The directory reads, for every row of a search's set, only these: the
-- engine ranks and counts from the indexes (index-only scans) without
-- touching the wide rows.
CREATE INDEX profiles_dir ON profiles (network_id, id, account_id, sort_key, created_at, left_pub, left_adm);
CREATE INDEX memberships_dir ON memberships (network_id, account_id, status, kind);
