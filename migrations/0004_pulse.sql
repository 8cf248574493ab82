-- Anonymous pulse checks (issue 5).
--
-- Anonymity by design: no table here holds a member id, a Discord user name or free text from
-- a student. Answers exist only as counters per run, question and option (pulse_counts),
-- created at zero when a run opens so that not even row order records
-- which option was chosen first. "Has this member already answered this run" is an HMAC of
-- (run, member) keyed with the bot's secret, which lives in a key file outside this database;
-- those rows are deleted, with secure_delete, when the run closes.

-- Per-server settings for pulse checks.
CREATE TABLE pulse_settings (
    guild_id    INTEGER PRIMARY KEY,
    min_answers INTEGER NOT NULL DEFAULT 10 CHECK (min_answers >= 5)
);

-- A pulse check as an organiser set it up: its questions and its schedule.
CREATE TABLE pulses (
    pulse_id            INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    title               TEXT    NOT NULL,
    questions           TEXT    NOT NULL,            -- JSON list of questions (organiser text)
    channel_id          INTEGER NOT NULL,            -- where each run's card is posted
    audience_channel_id INTEGER,                     -- a community's channel; NULL = whole server
    breakdown_channel_id INTEGER,                    -- optional community to break results down by
    repeat              TEXT    NOT NULL CHECK (repeat IN ('once', 'daily', 'weekly', 'fortnightly', 'monthly')),
    first_run_local     TEXT    NOT NULL,            -- ISO local date-time of the first run (server time)
    open_seconds        INTEGER NOT NULL CHECK (open_seconds > 0),
    offer_support       INTEGER NOT NULL DEFAULT 1,
    status              TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'finished')),
    next_run_at         INTEGER,                     -- UTC seconds of the next run; NULL when none
    runs_made           INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE INDEX pulses_guild ON pulses (guild_id);

-- One run of a pulse: posted, open for answers, then closed.
CREATE TABLE pulse_runs (
    run_id        INTEGER PRIMARY KEY,
    pulse_id      INTEGER NOT NULL REFERENCES pulses (pulse_id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    number        INTEGER NOT NULL,                  -- 1 for the pulse's first run, 2, ...
    opens_at      INTEGER NOT NULL,
    closes_at     INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,                           -- the card; NULL until posted
    audience_size INTEGER,                           -- members able to answer when it opened
    answers       INTEGER NOT NULL DEFAULT 0,        -- how many answered (a counter)
    group_answers INTEGER NOT NULL DEFAULT 0         -- how many of them were in the breakdown group
);
CREATE INDEX pulse_runs_pulse ON pulse_runs (pulse_id, number);
CREATE INDEX pulse_runs_open ON pulse_runs (status, closes_at);

-- The answers: one counter per run, question and option. Nothing else.
CREATE TABLE pulse_counts (
    run_id   INTEGER NOT NULL REFERENCES pulse_runs (run_id) ON DELETE CASCADE,
    question INTEGER NOT NULL,
    option   INTEGER NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    in_group INTEGER NOT NULL DEFAULT 0 CHECK (in_group IN (0, 1)),  -- 1: answers from the breakdown group
    PRIMARY KEY (run_id, in_group, question, option)
) WITHOUT ROWID;

-- "Already answered": HMAC-SHA256(secret key, run, member). Deleted when the run closes.
CREATE TABLE pulse_answered (
    run_id INTEGER NOT NULL REFERENCES pulse_runs (run_id) ON DELETE CASCADE,
    token  BLOB    NOT NULL,
    PRIMARY KEY (run_id, token)
) WITHOUT ROWID;
