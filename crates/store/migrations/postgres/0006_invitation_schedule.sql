-- Invitations that go out by themselves: an exit invitation waits for the
-- person's leave date (`state = 'scheduled'`, `send_at`); unanswered
-- invitations get at most two reminders. Each network chooses the
-- language of invitations to people whose own is unknown, and whether
-- reminders go out.

ALTER TABLE intake_settings ADD COLUMN invite_lang TEXT NOT NULL DEFAULT 'ja';
ALTER TABLE intake_settings ADD COLUMN reminders BOOLEAN NOT NULL DEFAULT TRUE;

-- `import` (from a CSV) or `exit` (entered by an admin before the leave date).
ALTER TABLE alumni_records ADD COLUMN origin TEXT NOT NULL DEFAULT 'import';
-- The admin whose action sends a scheduled invitation.
ALTER TABLE alumni_records ADD COLUMN scheduled_by BIGINT;

-- The sweeps look across networks for what is due.
CREATE INDEX alumni_records_due ON alumni_records (state, send_at);
CREATE INDEX alumni_records_sent ON alumni_records (state, sent_at);

-- The members list takes pending requests and each status a page at a
-- time, newest first.
CREATE INDEX memberships_status ON memberships (network_id, status, id);
