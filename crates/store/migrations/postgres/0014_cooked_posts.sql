-- Posts and comments keep their sanitised HTML ("cooked" when written or
-- edited), so reading the feed renders no markdown. Rows from before this
-- have '' and are rendered when read.

ALTER TABLE posts ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE post_comments ADD COLUMN html TEXT NOT NULL DEFAULT '';
