-- Languages (issue #18): which language Common Room speaks, to a server and to each member.
-- Which languages exist is decided by the catalogues shipped with the code (bot/locales), so
-- the values are checked by bot/services/language.py, not here: a new language needs no migration.

-- The server's language (/setup language): 'en', 'cy' or 'bilingual' (posts in Welsh, then English).
-- No row: not chosen (posts in English; replies follow each member's Discord locale where a
-- catalogue exists for it, otherwise English).
CREATE TABLE guild_languages (
    guild_id   INTEGER PRIMARY KEY,
    language   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A member's own choice (/language), which wins over the server's. Personal data: in the
-- inventory (bot/privacy.py), in /privacy my-data, erased by /privacy forget-me.
CREATE TABLE member_languages (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    locale     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
