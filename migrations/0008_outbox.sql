-- The outbox: everything the bot owes someone (a DM, a post in a channel), written in the same
-- transaction as the change that creates it, delivered by bot/outbox.py, resumed after a crash.
--
-- status: pending (not yet tried, or to retry at next_attempt_at), sending (a send began and
-- was not confirmed: resumed after a crash, reconciled for posts), delivered, failed
-- (permanent: DMs closed, no access), dropped (too late to matter, or no longer needed).
-- recipient_id is a member id only while the item is owed; it is cleared once the item ends,
-- and ended items are deleted after 7 days (bot/privacy.py).

CREATE TABLE outbox (
    item_id         INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    item_key        TEXT    NOT NULL UNIQUE,
    topic           TEXT    NOT NULL,
    recipient_id    INTEGER,
    channel_id      INTEGER,
    payload         TEXT    NOT NULL DEFAULT '{}',
    marker          TEXT,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      INTEGER NOT NULL,
    not_after       INTEGER,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    outcome         TEXT,
    message_id      INTEGER,
    CHECK ((recipient_id IS NULL) <> (channel_id IS NULL) OR status NOT IN ('pending', 'sending'))
);

-- The sender's question: what is owed now, oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_recipient ON outbox (recipient_id) WHERE recipient_id IS NOT NULL;
CREATE INDEX outbox_ended ON outbox (ended_at) WHERE ended_at IS NOT NULL;
