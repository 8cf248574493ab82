-- Support look-ups with no local contact (issue 17): how many times, per server, need and week,
-- a student chose a need in /support for which the server's directory has no contact, so the
-- organisers learn which needs to fill. Counts only: no member id, no channel, no time finer
-- than the week's first day (a Monday, UTC). WITHOUT ROWID, so not even the order in which the
-- rows were first written is kept. Weeks older than 26 weeks are deleted daily (the signposts
-- feature's own job).
CREATE TABLE signpost_unmet_needs (
    guild_id   INTEGER NOT NULL,
    need       TEXT    NOT NULL,              -- a category key (disability, money, ...)
    week_start TEXT    NOT NULL,              -- YYYY-MM-DD, the Monday the ISO week starts on
    count      INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (guild_id, need, week_start)
) WITHOUT ROWID;
