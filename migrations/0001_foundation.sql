-- Foundation: per-server settings and the bot's own bookkeeping.
-- Conventions for every migration: times are INTEGER seconds since the epoch (UTC);
-- Discord ids are INTEGER; every table that holds a member id is declared in the privacy
-- inventory (bot/privacy.py).

CREATE TABLE guild_settings (
    guild_id          INTEGER PRIMARY KEY,
    organiser_role_id INTEGER,
    timezone          TEXT    NOT NULL DEFAULT 'Europe/London',
    joined_at         INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- Channels a server has chosen for a purpose (announcements, organisers, welcome, ...).
-- A table rather than columns so features can add purposes without a migration.
CREATE TABLE guild_channels (
    guild_id   INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, purpose)
);

-- Small facts the bot keeps about itself (for example the hash of the last synced command tree).
CREATE TABLE bot_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
