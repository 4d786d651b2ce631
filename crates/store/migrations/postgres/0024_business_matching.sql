-- Business matching at an event: pitches (an alumni business, a line,
-- slides; organisers approve), the company's projects attached to the
-- event (opportunities), 1:1 meetings (商談) asked for in a slot and
-- accepted or declined — `event_meeting_seats` holds one row per person
-- and slot of an accepted meeting, so nobody is booked twice —, and
-- business cards (名刺) with their exchanges: a card is shared only once
-- its owner confirms. `business_cards.code`: the short code a person
-- shows (as a QR code) to be asked for an exchange.

CREATE TABLE event_pitches (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    business_id BIGINT NOT NULL,
    pitch TEXT NOT NULL,
    slides_url TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id),
    FOREIGN KEY (network_id, event_id) REFERENCES events (network_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX event_pitches_once ON event_pitches (network_id, event_id, business_id);

CREATE TABLE event_projects (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    opportunity_id BIGINT NOT NULL,
    PRIMARY KEY (network_id, event_id, opportunity_id),
    FOREIGN KEY (network_id, event_id) REFERENCES events (network_id, id) ON DELETE CASCADE,
    FOREIGN KEY (network_id, opportunity_id) REFERENCES opportunities (network_id, id) ON DELETE CASCADE
);

CREATE TABLE event_meetings (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    host_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    slot_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id),
    FOREIGN KEY (network_id, event_id) REFERENCES events (network_id, id) ON DELETE CASCADE
);
CREATE INDEX event_meetings_people ON event_meetings (network_id, event_id, host_id, requester_id);

CREATE TABLE event_meeting_seats (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    slot_at BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    PRIMARY KEY (network_id, event_id, account_id, slot_at),
    FOREIGN KEY (network_id, event_id) REFERENCES events (network_id, id) ON DELETE CASCADE
);

CREATE TABLE business_cards (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    card TEXT NOT NULL,
    code TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, account_id)
);
CREATE UNIQUE INDEX business_cards_code ON business_cards (network_id, code);

CREATE TABLE card_exchanges (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    from_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    to_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id BIGINT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    PRIMARY KEY (network_id, id)
);
CREATE UNIQUE INDEX card_exchanges_pair ON card_exchanges (network_id, from_id, to_id);
CREATE INDEX card_exchanges_to ON card_exchanges (network_id, to_id, status);
