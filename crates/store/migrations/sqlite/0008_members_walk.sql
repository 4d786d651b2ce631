-- The members list shows everyone but pending requests, newest first, a
-- page at a time. With only (network_id, status, id) the engine read every
-- member of the network in two status ranges and sorted them (SQLite, 1M
-- members: the JSON list timed out); this index is walked backwards from
-- the cursor and stops at the page's end.
CREATE INDEX memberships_walk ON memberships (network_id, id);
