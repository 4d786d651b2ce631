-- Opportunities (projects, rehire openings, referral requests, mentoring
-- asks, talks) with who they are shown to (`audience`: network, alumni,
-- group — `group_id` —, or picked people in `opportunity_picks`), members'
-- saves and answers (interest, referral, mentor offer), HR's pipeline
-- (`stage` of each answer, HR-only notes), outcomes (one per won answer),
-- and alumni businesses. `skills` and `details` are JSON written by
-- core::opportunities; `deadline` and outcome days are ISO dates (Japan).
-- `memberships.opportunity_poster`: current staff an admin authorised to
-- post; `memberships.match_opt_out`: not to be suggested to HR.
-- A referral's `consent_at` records when the referrer confirmed the person
-- agreed to be introduced.

CREATE TABLE opportunities (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    audience TEXT NOT NULL,
    group_id BIGINT,
    status TEXT NOT NULL,
    deadline TEXT,
    skills TEXT NOT NULL,
    details TEXT NOT NULL,
    posted_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id)
);
CREATE INDEX opportunities_network ON opportunities (network_id, status, created_at);

CREATE TABLE opportunity_picks (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    opportunity_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (network_id, opportunity_id, account_id),
    FOREIGN KEY (network_id, opportunity_id) REFERENCES opportunities (network_id, id) ON DELETE CASCADE
);

CREATE TABLE opportunity_saves (
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    opportunity_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, account_id, opportunity_id),
    FOREIGN KEY (network_id, opportunity_id) REFERENCES opportunities (network_id, id) ON DELETE CASCADE
);

CREATE TABLE opportunity_answers (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    opportunity_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    note TEXT NOT NULL,
    cv_url TEXT NOT NULL,
    referred_name TEXT NOT NULL,
    referred_email TEXT NOT NULL,
    relationship TEXT NOT NULL,
    consent_at BIGINT,
    stage TEXT NOT NULL,
    stage_reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id),
    FOREIGN KEY (network_id, opportunity_id) REFERENCES opportunities (network_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX opportunity_answers_once ON opportunity_answers (network_id, opportunity_id, account_id, answer) WHERE answer <> 'referral';
CREATE UNIQUE INDEX opportunity_answers_referred ON opportunity_answers (network_id, opportunity_id, referred_email) WHERE answer = 'referral';
CREATE INDEX opportunity_answers_account ON opportunity_answers (network_id, account_id);

CREATE TABLE opportunity_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    answer_id BIGINT NOT NULL,
    author_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id),
    FOREIGN KEY (network_id, answer_id) REFERENCES opportunity_answers (network_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_notes_answer ON opportunity_notes (network_id, answer_id);

CREATE TABLE opportunity_outcomes (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    opportunity_id BIGINT NOT NULL,
    answer_id BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    on_day TEXT NOT NULL,
    amount_band TEXT,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id),
    FOREIGN KEY (network_id, opportunity_id) REFERENCES opportunities (network_id, id) ON DELETE CASCADE,
    FOREIGN KEY (network_id, answer_id) REFERENCES opportunity_answers (network_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX opportunity_outcomes_answer ON opportunity_outcomes (network_id, answer_id);

CREATE TABLE businesses (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    network_id BIGINT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kana TEXT NOT NULL,
    offer TEXT NOT NULL,
    industry TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, id)
);
CREATE INDEX businesses_account ON businesses (network_id, account_id);

ALTER TABLE memberships ADD COLUMN opportunity_poster BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN match_opt_out BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN opportunity_id BIGINT;
