"""Which language a server and each of its members chose (issue #18). No Discord here.

Read on every interaction that speaks, so :meth:`LanguageService.get` answers from the shared
per-server cache (:mod:`bot.services.server_cache`): the server's language and every member's
own choice, which are few. Every write through this service replaces the server's entry.
Nothing else writes ``guild_languages`` or ``member_languages``.

Which language the bot then speaks to whom is decided in :mod:`bot.i18n`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database
from bot.services.server_cache import ServerCache

#: English, the source language of every string.
SOURCE: Final = "en"
WELSH: Final = "cy"
#: A server language: posts in Welsh, then English, in one message.
BILINGUAL: Final = "bilingual"
#: What a member can choose with /language (their own, private choice).
MEMBER_LANGUAGES: Final = (WELSH, SOURCE)
#: What a server admin can choose with /setup language.
SERVER_LANGUAGES: Final = (SOURCE, WELSH, BILINGUAL)


@dataclass(frozen=True, slots=True)
class ServerLanguages:
    """A server's language (None: not chosen) and its members' own choices (member id → locale)."""

    server: str | None = None
    members: MappingProxyType[int, str] = field(default_factory=lambda: MappingProxyType({}))


class _LanguageCache(ServerCache[ServerLanguages]):
    """Languages per server (see :mod:`bot.services.server_cache`)."""


class LanguageService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._cache = _LanguageCache.shared(db)

    async def get(self, guild_id: int) -> ServerLanguages:
        cached = self._cache.entries.get(guild_id)
        if cached is not None:
            return cached
        generation = self._cache.generation(guild_id)
        servers, rows = await self.db.read_many(
            ("SELECT language FROM guild_languages WHERE guild_id = ?", (guild_id,)),
            ("SELECT member_id, locale FROM member_languages WHERE guild_id = ?", (guild_id,)),
        )
        found = ServerLanguages(
            server=str(servers[0]["language"]) if servers else None,
            members=MappingProxyType({int(r["member_id"]): str(r["locale"]) for r in rows}),
        )
        self._cache.keep(guild_id, found, generation)
        return found

    async def set_server(self, guild_id: int, language: str) -> ServerLanguages:
        """Set the server's language: one of :data:`SERVER_LANGUAGES`."""
        if language not in SERVER_LANGUAGES:
            raise ValueError(f"not a server language: {language!r}")
        await self.db.execute(
            "INSERT INTO guild_languages (guild_id, language, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (guild_id, language, to_timestamp(self.clock.now())),
        )
        return await self._written(guild_id)

    async def set_member(self, guild_id: int, member_id: int, locale: str | None) -> ServerLanguages:
        """Set a member's own language (one of :data:`MEMBER_LANGUAGES`), or remove it (None):
        then the server's language applies."""
        if locale is None:
            await self.db.execute(
                "DELETE FROM member_languages WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
            return await self._written(guild_id)
        if locale not in MEMBER_LANGUAGES:
            raise ValueError(f"not a member language: {locale!r}")
        await self.db.execute(
            "INSERT INTO member_languages (guild_id, member_id, locale, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, member_id) DO UPDATE SET locale = excluded.locale,"
            " updated_at = excluded.updated_at",
            (guild_id, member_id, locale, to_timestamp(self.clock.now())),
        )
        return await self._written(guild_id)

    async def latest_choice(self, member_id: int) -> str | None:
        """The language a member chose most recently on any server (None if they never chose):
        for a button pressed in a DM, where Discord names no server."""
        row = await self.db.fetchone(
            "SELECT locale FROM member_languages WHERE member_id = ? ORDER BY updated_at DESC LIMIT 1",
            (member_id,),
        )
        return None if row is None else str(row["locale"])

    async def _written(self, guild_id: int) -> ServerLanguages:
        self._cache.invalidate(guild_id)
        return await self.get(guild_id)

    # -- privacy ---------------------------------------------------------------------------

    async def export_member(self, guild_id: int, member_id: int) -> dict[str, Any]:
        row = await self.db.fetchone(
            "SELECT locale, updated_at FROM member_languages WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        if row is None:
            return {"language": None}
        return {
            "language": row["locale"],
            "chosen_at": from_timestamp(row["updated_at"]).isoformat(timespec="seconds"),
        }

    async def forget_member(self, guild_id: int, member_id: int) -> int:
        removed = await self.db.execute(
            "DELETE FROM member_languages WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        self._cache.invalidate(guild_id)
        return removed
