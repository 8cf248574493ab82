-- Workshop evaluation (issue #19): attendees are asked a few anonymous questions when an event
-- ends and again some months later. Answers are pulse runs of a new kind: the same counters,
-- batches and one-answer markers as pulse checks (0004_pulse.sql), so no row pairs a member with
-- an answer. Member data here: event_evaluation_cohort.member_id (who is due a follow-up), and
-- keyed hashes (unlinkable without the key file) in event_evaluation_invited and _asked.

-- A pulse is an organiser's pulse check, or the question set of an event evaluation. /pulse
-- lists, schedules and answers only the first kind.
ALTER TABLE pulses ADD COLUMN kind TEXT NOT NULL DEFAULT 'pulse' CHECK (kind IN ('pulse', 'evaluation'));

-- Optional free text given with an answer: written only in the same batch commit as the answer's
-- counters, keyed by a random nonce (no arrival order, no member).
CREATE TABLE pulse_texts (
    run_id INTEGER NOT NULL REFERENCES pulse_runs (run_id) ON DELETE CASCADE,
    nonce  BLOB    NOT NULL,
    text   TEXT    NOT NULL,
    PRIMARY KEY (run_id, nonce)
) WITHOUT ROWID;

-- An evaluation of one event, or of several occurrences of a series (its questions: pulses).
CREATE TABLE event_evaluations (
    evaluation_id    INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    pulse_id         INTEGER NOT NULL UNIQUE REFERENCES pulses (pulse_id) ON DELETE CASCADE,
    free_text        INTEGER NOT NULL DEFAULT 0,
    follow_up_months INTEGER NOT NULL DEFAULT 6 CHECK (follow_up_months BETWEEN 0 AND 24),  -- 0: none
    status           TEXT    NOT NULL DEFAULT 'on' CHECK (status IN ('on', 'off')),
    created_at       INTEGER NOT NULL
);
CREATE INDEX event_evaluations_guild ON event_evaluations (guild_id);

-- Which events an evaluation asks about; 'pending' until the event ends.
CREATE TABLE event_evaluation_events (
    event_id      INTEGER PRIMARY KEY REFERENCES events (event_id) ON DELETE CASCADE,
    evaluation_id INTEGER NOT NULL REFERENCES event_evaluations (evaluation_id) ON DELETE CASCADE,
    state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'asked', 'skipped'))
);
CREATE INDEX event_evaluation_events_evaluation ON event_evaluation_events (evaluation_id, state);

-- Each time attendees are asked: 'after' an occurrence, or its 'follow_up' months later.
CREATE TABLE event_evaluation_runs (
    run_id        INTEGER PRIMARY KEY REFERENCES pulse_runs (run_id) ON DELETE CASCADE,
    evaluation_id INTEGER NOT NULL REFERENCES event_evaluations (evaluation_id) ON DELETE CASCADE,
    event_id      INTEGER NOT NULL,                 -- the occurrence whose attendees are asked
    stage         TEXT    NOT NULL CHECK (stage IN ('after', 'follow_up')),
    after_run_id  INTEGER,                          -- a follow-up: the 'after' run it follows
    follow_up_at  INTEGER,                          -- an 'after' run: its follow-up is due; NULL once made
    unreachable   INTEGER NOT NULL DEFAULT 0        -- DMs refused (closed) or members who had left
);
CREATE INDEX event_evaluation_runs_evaluation ON event_evaluation_runs (evaluation_id, stage);
CREATE INDEX event_evaluation_runs_follow_up ON event_evaluation_runs (follow_up_at);

-- Who was asked 'after' an occurrence, kept only to ask them again: deleted when the follow-up
-- is sent (or the evaluation is turned off). Never records who answered.
CREATE TABLE event_evaluation_cohort (
    run_id    INTEGER NOT NULL REFERENCES event_evaluation_runs (run_id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_evaluation_cohort_member ON event_evaluation_cohort (member_id);

-- Who may answer a run: HMAC-SHA256(secret key, run, member). Deleted when the run closes.
CREATE TABLE event_evaluation_invited (
    run_id INTEGER NOT NULL REFERENCES pulse_runs (run_id) ON DELETE CASCADE,
    token  BLOB    NOT NULL,
    PRIMARY KEY (run_id, token)
) WITHOUT ROWID;

-- Who was already asked 'after' an occurrence of this evaluation (a series asks once):
-- HMAC-SHA256(secret key, evaluation, member). Deleted when no occurrence is left to ask about.
CREATE TABLE event_evaluation_asked (
    evaluation_id INTEGER NOT NULL REFERENCES event_evaluations (evaluation_id) ON DELETE CASCADE,
    token         BLOB    NOT NULL,
    PRIMARY KEY (evaluation_id, token)
) WITHOUT ROWID;
