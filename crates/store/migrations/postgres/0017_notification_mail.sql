-- E-mail about notifications: each account's choices (`notify_prefs`,
-- JSON of core::notifications::EmailPrefs; '{}' is the defaults), when its
-- next digest is due (0: at the next sweep; the sweep claims an account by
-- moving this forward, so two nodes never send the same digest), and the
-- random key that signs its one-click unsubscribe links (RFC 8058). An
-- outbox message may carry the link for its `List-Unsubscribe` header.

ALTER TABLE accounts ADD COLUMN notify_prefs TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN digest_due_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN digest_sent_at BIGINT;
ALTER TABLE accounts ADD COLUMN unsubscribe_key TEXT;
CREATE INDEX accounts_digest_due ON accounts (digest_due_at);
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
