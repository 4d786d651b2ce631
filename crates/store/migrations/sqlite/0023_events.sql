-- Events: reunions, meetups and business-matching evenings. Times are
-- Unix ms (UTC) with the IANA zone they were planned in (`tz`).
-- `capacity` NULL: no limit; `taken`: seats held by going registrations
-- (each is 1 + its guests) — raised only by one conditional write
-- (`… SET taken = taken + n WHERE capacity IS NULL OR taken + n <=
-- capacity`), so two hundred people racing for a hundred seats get
-- exactly a hundred. `questions`: JSON of core::events::Question.
-- `sequence`: the iCalendar SEQUENCE, raised by each change people should
-- see. `ticket_key`: random, hex; signs check-in tickets
-- (core::tickets). Registrations: one per person and event (`status`
-- going / waitlisted / not_going, `seats` held, `waitlisted_at` their
-- place in line, `answers` JSON list, `unlisted`: not on the attendee
-- list others see, `checked_in_at`, reminders sent). Calendar feeds: one
-- secret per account (stored as its SHA-256). `notifications.event_id`:
-- the event a notification is about.

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    tz TEXT NOT NULL,
    format TEXT NOT NULL,
    venue TEXT NOT NULL,
    address TEXT NOT NULL,
    map_url TEXT NOT NULL,
    online_url TEXT NOT NULL,
    capacity BIGINT,
    taken BIGINT NOT NULL DEFAULT 0,
    waitlist BIGINT NOT NULL DEFAULT 0,
    guests BIGINT NOT NULL DEFAULT 0,
    deadline BIGINT,
    audience TEXT NOT NULL,
    group_id BIGINT,
    questions TEXT NOT NULL,
    business_matching BIGINT NOT NULL DEFAULT 0,
    meeting_minutes BIGINT NOT NULL DEFAULT 20,
    status TEXT NOT NULL,
    sequence BIGINT NOT NULL DEFAULT 0,
    ticket_key TEXT NOT NULL,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX events_network ON events (network_id, starts_at);
CREATE INDEX events_starting ON events (status, starts_at);

CREATE TABLE event_organisers (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (network_id, event_id, account_id)
);

CREATE TABLE event_invites (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    invited_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, event_id, account_id)
);
CREATE INDEX event_invites_account ON event_invites (network_id, account_id);

CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    guests BIGINT NOT NULL DEFAULT 0,
    seats BIGINT NOT NULL DEFAULT 0,
    answers TEXT NOT NULL,
    unlisted BIGINT NOT NULL DEFAULT 0,
    waitlisted_at BIGINT,
    checked_in_at BIGINT,
    checked_in_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    reminded_day BIGINT,
    reminded_hour BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX event_registrations_once ON event_registrations (network_id, event_id, account_id);
CREATE INDEX event_registrations_account ON event_registrations (account_id, status);

CREATE TABLE calendar_feeds (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

ALTER TABLE notifications ADD COLUMN event_id BIGINT;

-- An e-mail may carry an event's calendar file (text/calendar, attached as
-- invite.ics).
ALTER TABLE outbox ADD COLUMN calendar TEXT;
