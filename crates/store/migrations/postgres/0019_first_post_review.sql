-- Optional review of new members' first posts: when a network turns it
-- on, a member's post is held (`held_at`) until a moderator approves it,
-- for as long as they have no published post there. A held post is seen
-- by its author and the moderators of its space only.

ALTER TABLE networks ADD COLUMN first_post_review BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE posts ADD COLUMN held_at BIGINT;
