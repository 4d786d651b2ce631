-- A picture with a post: its key in `images` (purpose 'post', cut to fit
-- by the profile-photo pipeline, served from our own address only) and the
-- text that describes it for people who cannot see it.

ALTER TABLE posts ADD COLUMN image_key TEXT;
ALTER TABLE posts ADD COLUMN image_alt TEXT NOT NULL DEFAULT '';
