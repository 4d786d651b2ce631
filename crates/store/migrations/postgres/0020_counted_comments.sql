-- A post's comment_count counts the comments people can read: `counted`
-- says whether a comment is in it (a hidden comment is not), so hiding and
-- restoring change the count once each. Comments hidden before this
-- migration are taken out of their post's count here.

ALTER TABLE post_comments ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE posts SET comment_count = comment_count - (
    SELECT COUNT(*) FROM post_comments c
    WHERE c.network_id = posts.network_id AND c.post_id = posts.id AND c.hidden_at IS NOT NULL
) WHERE EXISTS (
    SELECT 1 FROM post_comments c
    WHERE c.network_id = posts.network_id AND c.post_id = posts.id AND c.hidden_at IS NOT NULL
);
UPDATE post_comments SET counted = FALSE WHERE hidden_at IS NOT NULL;
