-- Events: alcohol-free socials and workshop series, RSVPs with a waiting list, reminders.
-- Times are INTEGER seconds since the epoch (UTC); Discord ids are INTEGER.
-- Member data here (see the docstring of bot/services/events.py for purpose and retention):
--   events.created_by, event_series.created_by (the organiser who created it),
--   event_rsvps.member_id (a student's RSVP), event_reminder_optouts.member_id (a preference).

-- Per-server event settings (a row appears when an organiser changes something).
CREATE TABLE event_settings (
    guild_id        INTEGER PRIMARY KEY,
    lead_times      TEXT    NOT NULL DEFAULT '86400,3600',  -- reminder lead times, seconds, comma separated
    remind_maybe    INTEGER NOT NULL DEFAULT 0,             -- also remind people who said Maybe
    mirror          INTEGER NOT NULL DEFAULT 1,             -- mirror events in Discord's Events tab
    updated_at      INTEGER NOT NULL
);

-- A repeating series: the rule (RFC 5545 RRULE) in the server's local time; occurrences are rows in events.
CREATE TABLE event_series (
    series_id   INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    rule        TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    created_by  INTEGER,
    created_at  INTEGER NOT NULL
);

CREATE TABLE events (
    event_id             INTEGER PRIMARY KEY,
    guild_id             INTEGER NOT NULL,
    series_id            INTEGER REFERENCES event_series (series_id) ON DELETE SET NULL,
    kind                 TEXT    NOT NULL CHECK (kind IN ('social', 'workshop')),
    title                TEXT    NOT NULL,
    description          TEXT    NOT NULL DEFAULT '',
    starts_at            INTEGER NOT NULL,
    ends_at              INTEGER NOT NULL,
    place                TEXT,
    online_link          TEXT,
    cost                 TEXT,
    food                 TEXT,
    accessibility        TEXT,
    facilitators         TEXT,
    theme                TEXT,
    capacity             INTEGER CHECK (capacity IS NULL OR capacity >= 1),
    community_channel_id INTEGER,
    channel_id           INTEGER,
    message_id           INTEGER,
    scheduled_event_id   INTEGER,
    status               TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_by           INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_guild_start ON events (guild_id, status, starts_at);
CREATE INDEX events_series ON events (series_id, starts_at);

-- One row per member per event. seq orders the waiting list (click order).
CREATE TABLE event_rsvps (
    event_id     INTEGER NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('going', 'waiting', 'maybe', 'not_going')),
    seq          INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    promoted_at  INTEGER,                -- moved from the waiting list to going
    promotion_dm TEXT CHECK (promotion_dm IS NULL OR promotion_dm IN ('sent', 'failed')),
    PRIMARY KEY (event_id, member_id)
);
CREATE INDEX event_rsvps_member ON event_rsvps (member_id);
CREATE INDEX event_rsvps_status ON event_rsvps (event_id, status, seq);

-- Reminders to send, one row per event and lead time; the job marks its row in the same
-- transaction that decides the recipients, so a reminder is never sent twice.
CREATE TABLE event_reminders (
    event_id     INTEGER NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    lead_seconds INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sent', 'late', 'skipped', 'cancelled')),
    done_at      INTEGER,
    PRIMARY KEY (event_id, lead_seconds)
);
CREATE INDEX event_reminders_due ON event_reminders (status, due_at);

-- Members who turned reminders off on a server (/event reminders off).
CREATE TABLE event_reminder_optouts (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
