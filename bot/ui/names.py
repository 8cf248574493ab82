"""Members' display names for organisers: plain text, never a raw id or a mention.

Organisers read lists of people (attendees, a register, cases, mentoring pairs). A mention such
as ``<@1456…>`` renders as a name in Discord only if the reader's app already has that member
cached, so these views show display names instead, fetched through the REST API
(``guild.fetch_member``: no privileged intent needed), kept in memory for :data:`NAME_TTL`, and
"a former member" once someone has left the server. Names are escaped, so a display name can
neither ping anyone nor break the formatting it is shown in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.i18n import N_, Translator

if TYPE_CHECKING:
    from bot.core import CommonRoomBot

#: How long a display name is reused before it is fetched again.
NAME_TTL = timedelta(minutes=5)
FORMER_MEMBER = N_("a former member")
#: Shown when Discord could not be asked (not cached, so the next view asks again).
UNKNOWN = N_("someone")
#: At most this many name look-ups in flight at once (a register of 200 is 20 rounds of 10).
CONCURRENT_FETCHES = 10


def plain(text: str) -> str:
    """Text typed by someone (a display name) made inert: no mention, no Markdown."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


class MemberNames:
    """Display names by (server, member), cached briefly in memory; ``bot.names``."""

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self._names: dict[tuple[int, int], tuple[datetime, tuple[str, bool]]] = {}
        self._fetching = asyncio.Semaphore(CONCURRENT_FETCHES)

    async def name(
        self,
        guild_id: int,
        member_id: int,
        *,
        unknown: str | None = None,
        raw: bool = False,
        t: Translator | None = None,
    ) -> str:
        """A member's display name, escaped for Markdown (``raw``: as typed, for where Markdown
        isn't rendered: a button or menu label, a CSV cell); :data:`FORMER_MEMBER` once they left,
        ``unknown`` (default :data:`UNKNOWN`) when Discord could not be asked. Those two are in
        ``t``'s language when given (English otherwise)."""
        found = await self._display_name(guild_id, member_id)
        if found is None:
            if unknown is not None:
                return unknown
            return t(UNKNOWN) if t is not None else UNKNOWN
        name, left = found
        if left:
            return t(FORMER_MEMBER) if t is not None else FORMER_MEMBER
        return name if raw else plain(name)

    async def _display_name(self, guild_id: int, member_id: int) -> tuple[str, bool] | None:
        """(display name as typed, whether they left), or None if Discord couldn't be asked."""
        now = self.bot.clock.now()
        cached = self._names.get((guild_id, member_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None
        member = guild.get_member(member_id)
        if member is None:
            try:
                async with self._fetching:
                    member = await guild.fetch_member(member_id)
            except discord.NotFound:
                member = None
            except discord.HTTPException:
                return None  # not cached: the next view asks again
        found = ("", True) if member is None else (member.display_name, False)
        if len(self._names) > 10_000:
            self._names = {key: hit for key, hit in self._names.items() if hit[0] > now}
        self._names[(guild_id, member_id)] = (now + NAME_TTL, found)
        return found

    async def names(
        self,
        guild_id: int,
        member_ids: Iterable[int],
        *,
        unknown: str | None = None,
        raw: bool = False,
        t: Translator | None = None,
    ) -> dict[int, str]:
        """Several names at once (fetched concurrently, a few at a time)."""
        ids = list(dict.fromkeys(member_ids))
        found = await asyncio.gather(*(self.name(guild_id, i, unknown=unknown, raw=raw, t=t) for i in ids))
        return dict(zip(ids, found, strict=True))
