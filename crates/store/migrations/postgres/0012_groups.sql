-- Groups (by era, department, region or interest; open, by request or
-- hidden; in the shared, alumni-only or staff-only space), who is in them,
-- and the posts written in them. `status` is proposed → active (or
-- declined) as a steward decides; `standing` is owner, member, requested
-- or invited. A post with a `group_id` belongs to that group's feed only.

CREATE TABLE community_groups (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY,
    network_id  BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    access      TEXT    NOT NULL,
    space       TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    proposed_by BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    decided_by  BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  BIGINT  NOT NULL,
    decided_at  BIGINT,
    PRIMARY KEY (network_id, id)
);
CREATE INDEX community_groups_network ON community_groups (network_id, status, space);

CREATE TABLE group_members (
    network_id BIGINT  NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    group_id   BIGINT  NOT NULL,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    standing   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (network_id, group_id, account_id),
    FOREIGN KEY (network_id, group_id) REFERENCES community_groups (network_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_account ON group_members (network_id, account_id);

ALTER TABLE posts ADD COLUMN group_id BIGINT;
CREATE INDEX posts_group ON posts (network_id, group_id, created_at, id);
