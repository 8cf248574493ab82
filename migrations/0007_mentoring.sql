-- Peer mentoring (issue 8): older-year mentors matched with younger-year mentees who share
-- experiences they chose to declare. Declared experiences are sensitive: only what matching
-- needs is stored, everything about a member goes when they leave, and the pair history is
-- kept as keyed hashes (see bot/services/mentoring.py for the privacy inventory).

-- Per-server mentoring settings: where introductions happen and when matching runs.
CREATE TABLE mentoring_settings (
    guild_id          INTEGER PRIMARY KEY,
    intro_channel_id  INTEGER,                 -- NULL: introductions by DM
    schedule_freq     TEXT,                    -- NULL (off), 'daily' or 'weekly'
    schedule_weekday  INTEGER,                 -- 0 = Monday, for weekly runs
    schedule_minute   INTEGER,                 -- minutes after local midnight
    next_run_at       INTEGER,                 -- UTC seconds of the next scheduled run
    updated_at        INTEGER NOT NULL
);

-- The list of experiences a server offers (defaults are inserted by the service on first use).
CREATE TABLE mentoring_experiences (
    guild_id  INTEGER NOT NULL,
    key       TEXT    NOT NULL,                -- stable slug of the label
    label     TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
);

-- A member's offer to mentor, or request for a mentor. A member may have both (a Year 3
-- student can mentor a Year 1 and be mentored by a Year 5).
CREATE TABLE mentoring_profiles (
    guild_id       INTEGER NOT NULL,
    member_id      INTEGER NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('mentor', 'mentee')),
    year           INTEGER NOT NULL,
    capacity       INTEGER,                    -- mentors only, 1 to 3
    require_shared INTEGER NOT NULL DEFAULT 0, -- mentees only: match only on a shared experience
    note           TEXT    NOT NULL DEFAULT '',-- mentor's hello / mentee's "help with"
    paused         INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    waiting_since  INTEGER,                    -- mentees: when they started waiting
    PRIMARY KEY (guild_id, member_id, role)
);

-- Experiences a member declared for one profile (keys of mentoring_experiences).
CREATE TABLE mentoring_declarations (
    guild_id       INTEGER NOT NULL,
    member_id      INTEGER NOT NULL,
    role           TEXT    NOT NULL,
    experience_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, member_id, role, experience_key),
    FOREIGN KEY (guild_id, member_id, role)
        REFERENCES mentoring_profiles (guild_id, member_id, role) ON DELETE CASCADE
);

-- Pairings, current and ended. Ended rows are kept (for the member's own /mentor status and
-- the organisers' counts) until either person leaves mentoring.
CREATE TABLE mentoring_matches (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    mentor_id        INTEGER NOT NULL,
    mentee_id        INTEGER NOT NULL,
    shared           TEXT    NOT NULL DEFAULT '',  -- comma-separated experience keys they share
    created_at       INTEGER NOT NULL,
    intro_sent_at    INTEGER,
    thread_id        INTEGER,
    checkin_due_at   INTEGER NOT NULL,
    checkin_sent_at  INTEGER,
    mentor_checkin   TEXT,                         -- met / not_yet / different / wrong
    mentee_checkin   TEXT,
    ended_at         INTEGER,
    end_reason       TEXT
);
CREATE INDEX mentoring_matches_active ON mentoring_matches (guild_id, ended_at);
CREATE INDEX mentoring_matches_checkin ON mentoring_matches (checkin_sent_at, checkin_due_at);

-- Every pair ever made, as keyed hashes of each member (HMAC with the bot's key, kept outside
-- the database), so the same two people are never paired twice, even after one leaves and
-- comes back. Erased by forget_member.
CREATE TABLE mentoring_pair_history (
    guild_id     INTEGER NOT NULL,
    mentor_hash  TEXT    NOT NULL,
    mentee_hash  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, mentor_hash, mentee_hash)
);

-- Anonymous counters of check-in answers (no member id), for the organisers' overview.
CREATE TABLE mentoring_checkin_counts (
    guild_id  INTEGER NOT NULL,
    answer    TEXT    NOT NULL,
    count     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, answer)
);
