-- Warnings: a notification may carry a note (a moderator's words to the
-- author). Reports may now be about a profile (`target` 'profile', the
-- profile's id in `target_id` and `post_id`) and close as 'warned' or
-- 'suspended' as well.

ALTER TABLE notifications ADD COLUMN note TEXT;
