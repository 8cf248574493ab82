-- Events adopt the outbox (issue 14): reminders, waiting-list places, edit and cancel notices and
-- event cards are promises in the outbox table, written with the change that creates them.
-- No member data here.

-- An edit's notice is owed once per edit: the key of its outbox items carries the revision.
ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- A card the bot could not post (no access) is tried again later as a new promise: the key of
-- its outbox item carries the attempt.
ALTER TABLE events ADD COLUMN card_attempt INTEGER NOT NULL DEFAULT 0;

-- A due reminder is now 'queued' (or 'late': queued after downtime) in the same transaction
-- that writes one outbox item per recipient; the outbox records each delivery. 'sent' remains
-- for reminders sent before this migration. SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE event_reminders_new (
    event_id     INTEGER NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    lead_seconds INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'queued', 'sent', 'late', 'skipped', 'cancelled')),
    done_at      INTEGER,
    PRIMARY KEY (event_id, lead_seconds)
);
INSERT INTO event_reminders_new (event_id, lead_seconds, due_at, status, done_at)
    SELECT event_id, lead_seconds, due_at, status, done_at FROM event_reminders;
DROP TABLE event_reminders;
ALTER TABLE event_reminders_new RENAME TO event_reminders;
CREATE INDEX event_reminders_due ON event_reminders (status, due_at);
