-- Signposts: each server's directory of welfare contacts, and scheduled posts of it.
-- Nothing here holds a member id or anything a student typed: the directory is organisers'
-- public information, and nobody's looking at it is ever recorded.

-- One welfare contact in one server's directory.
CREATE TABLE signposts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,            -- casefolded name, unique per server
    categories   TEXT    NOT NULL,            -- JSON list of category keys (urgent, wellbeing, ...)
    description  TEXT    NOT NULL DEFAULT '',
    phone        TEXT,
    sms          TEXT,                        -- how to text it, e.g. "SHOUT to 85258"
    email        TEXT,
    web          TEXT,
    in_person    TEXT,
    hours        TEXT    NOT NULL,
    confidential INTEGER NOT NULL DEFAULT 1,
    independent  INTEGER NOT NULL DEFAULT 1,  -- independent of the medical school
    position     INTEGER NOT NULL,            -- order in the directory
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (guild_id, name_key)
);

CREATE INDEX signposts_by_guild ON signposts (guild_id, position);

-- Which configured seed contacts have already been given to a server, so a seed is added once
-- and an organiser's edit or removal of it is never undone.
CREATE TABLE signpost_seeds_applied (
    guild_id   INTEGER NOT NULL,
    seed_key   TEXT    NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, seed_key)
);

-- Scheduled posts of the directory (or one category) to a channel.
CREATE TABLE signpost_schedules (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    category        TEXT,                     -- NULL: the whole directory
    rule            TEXT,                     -- RFC 5545 RRULE for a repeating schedule
    dates           TEXT,                     -- JSON list of local YYYY-MM-DD for a dated one
    time_of_day     TEXT    NOT NULL,         -- local HH:MM
    timezone        TEXT    NOT NULL,
    anchor          TEXT    NOT NULL,         -- local date the rule counts from
    next_run_at     INTEGER,                  -- NULL once finished or cancelled
    last_run_at     INTEGER,
    last_message_id INTEGER,                  -- the pinned post, unpinned when the next one lands
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    cancelled_at    INTEGER
);

CREATE INDEX signpost_schedules_due ON signpost_schedules (next_run_at);
CREATE INDEX signpost_schedules_by_guild ON signpost_schedules (guild_id);
