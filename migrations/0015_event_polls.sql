-- Find a time (issue #19): an organiser proposes 2 to 10 slots; students say privately which
-- they could make. The card and the organiser see counts only.
CREATE TABLE event_polls (
    poll_id              INTEGER PRIMARY KEY,
    guild_id             INTEGER NOT NULL,
    created_by           INTEGER NOT NULL,            -- the organiser (a member id)
    title                TEXT    NOT NULL,
    kind                 TEXT    NOT NULL DEFAULT 'workshop' CHECK (kind IN ('social', 'workshop')),
    place                TEXT,                        -- where the event would be (for its form)
    online_link          TEXT,
    community_channel_id INTEGER,                     -- a community's channel; NULL = whole server
    channel_id           INTEGER,                     -- where the card is posted
    message_id           INTEGER,                     -- the card; NULL until posted
    closes_at            INTEGER NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'decided')),
    chosen               INTEGER,                     -- the slot an event was created at
    created_at           INTEGER NOT NULL
);
CREATE INDEX event_polls_open ON event_polls (status, closes_at);

CREATE TABLE event_poll_slots (
    poll_id   INTEGER NOT NULL REFERENCES event_polls (poll_id) ON DELETE CASCADE,
    slot      INTEGER NOT NULL,                       -- 0-based, in time order
    starts_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, slot)
) WITHOUT ROWID;

-- What a student chose: kept only until the poll closes plus 7 days (the retention job).
CREATE TABLE event_poll_choices (
    poll_id    INTEGER NOT NULL REFERENCES event_polls (poll_id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL,
    slots      TEXT    NOT NULL DEFAULT '',           -- comma-separated slot numbers they could make
    committed  INTEGER NOT NULL DEFAULT 0 CHECK (committed IN (0, 1)),  -- caring or work commitments
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_poll_choices_member ON event_poll_choices (member_id);
