-- Anonymous reports (issue 7).
--
-- No table here holds a reporter's Discord id, name or any link to them, and no time finer
-- than the day is kept for anything the reporter did (a report, an answer). The only secret
-- that lets someone come back to a case is a random code the reporter holds; the database
-- keeps a keyed hash of it (HMAC-SHA256 with the bot's key file, which lives outside the DB).

-- Per-server settings for reports.
CREATE TABLE report_settings (
    guild_id         INTEGER PRIMARY KEY,
    -- The university's official reporting page, shown before a student reports (optional).
    reporting_url    TEXT,
    -- Cases are deleted this many months after they are closed (told to the student).
    retention_months INTEGER NOT NULL DEFAULT 12 CHECK (retention_months BETWEEN 1 AND 120),
    -- Case numbers are never reused, even after old cases are deleted.
    next_case_number INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE report_cases (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    -- The day it was reported (YYYY-MM-DD in the server's timezone): never a timestamp.
    reported_on      TEXT    NOT NULL,
    setting          TEXT    NOT NULL,
    happened_when    TEXT,
    characteristic   TEXT,
    wants_reply      INTEGER NOT NULL CHECK (wants_reply IN (0, 1)),
    body             TEXT    NOT NULL,
    -- Keyed hash of the reply code (NULL when the reporter asked for no reply).
    code_hash        TEXT UNIQUE,
    -- The retention the reporter was told when reporting; later changes don't shorten or
    -- lengthen what they were promised.
    retention_months INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    outcome          TEXT,
    -- Staff actions (not the reporter's): when the case was closed and when it will be deleted.
    closed_at        INTEGER,
    delete_at        INTEGER,
    UNIQUE (guild_id, number)
);

CREATE INDEX report_cases_due ON report_cases (delete_at) WHERE delete_at IS NOT NULL;

-- The conversation on a case: replies from staff and answers from the reporter, in order.
CREATE TABLE report_messages (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES report_cases (id) ON DELETE CASCADE,
    author     TEXT    NOT NULL CHECK (author IN ('reporter', 'staff')),
    body       TEXT    NOT NULL,
    written_on TEXT    NOT NULL
);

CREATE INDEX report_messages_case ON report_messages (case_id, id);

-- The bot's own messages in the staff channel about a case, deleted with the case.
CREATE TABLE report_posts (
    case_id    INTEGER NOT NULL REFERENCES report_cases (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id)
);

CREATE INDEX report_posts_case ON report_posts (case_id);
