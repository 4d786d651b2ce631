-- PostgreSQL's 0029 puts each index row's listing on the row itself. The
-- SQLite search index is an FTS5 table without such a column: a count
-- reads each match's listing from `profiles_dir`, a covering index
-- (0026). Nothing to do here; the migration keeps both folders alike.
SELECT 1;
