-- The directory's index holds typed tokens (core::search: `n:鈴木` a gram of
-- a name, `n=suzuki` a whole word, `d=…` a department, `y=2005` a leave
-- year…), so the engine ranks, filters and counts by itself. `=` and `:`
-- become word characters for the tokenizer. The table starts empty: the
-- tokens are made in Rust, and `store::migrate::run` rebuilds every entry
-- right after the migrations (profiles::reindex).
DROP TABLE profile_search;
CREATE VIRTUAL TABLE profile_search USING fts5(
    pub, adm, content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '=:'"
);

-- The directory reads, for every row of a search's set, only these: the
-- engine ranks and counts from the indexes without touching the wide rows.
CREATE INDEX profiles_dir ON profiles (id, network_id, account_id, sort_key, created_at, left_pub, left_adm);
CREATE INDEX memberships_dir ON memberships (network_id, account_id, status, kind);
