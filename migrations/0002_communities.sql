-- Opt-in communities (issue 3).
--
-- Privacy by design: these tables hold community DEFINITIONS only. Who is in a community is
-- never stored here: interest membership is a Discord role, identity membership is a
-- per-member permission overwrite on the community's private channel, and the bot reads
-- Discord's state when it needs to know. No column below holds a member id.

CREATE TABLE communities (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    -- The channel-name form of the name (lower case, dashes). Unique per server, so two
    -- communities never differ only by case, spacing or punctuation.
    slug         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('identity', 'interest')),
    description  TEXT    NOT NULL,
    emoji        TEXT,
    welcome_note TEXT,
    -- NULL while the community is being created (its Discord channel does not exist yet).
    channel_id   INTEGER,
    -- Interest communities only: the role that opens the channel.
    role_id      INTEGER,
    archived_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (guild_id, slug),
    CHECK (kind = 'interest' OR role_id IS NULL)
);

CREATE INDEX communities_by_channel ON communities (channel_id);

-- Persistent panels (a select menu of communities) posted with /community panel.
CREATE TABLE community_panels (
    message_id INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX community_panels_by_guild ON community_panels (guild_id);

-- Health problems already reported to the organisers' channel, so each one is reported once
-- (not on every start). A row is removed when the problem is gone, so a recurrence is reported.
CREATE TABLE community_health_reports (
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    problem      TEXT    NOT NULL,
    reported_at  INTEGER NOT NULL,
    PRIMARY KEY (community_id, problem)
);
