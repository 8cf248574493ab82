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

if TYPE_CHECKING:
    from bot.core import CommonRoomBot

#: How long a display name is reused before it is fetched again.
NAME_TTL = timedelta(minutes=5)
FORMER_MEMBER = "a former member"
#: Shown when Discord could not be asked (not cached, so the next view asks again).
UNKNOWN = "someone"
#: At most this many name look-ups in flight at once (a register of 200 is 20 rounds of 10).
CONCURRENT_FETCHES = 10


def plain_name(member: discord.abc.User) -> str:
    """A member's display name as inert text (no mention, no Markdown)."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(member.display_name))


class MemberNames:
    """Display names by (server, member), cached briefly in memory; ``bot.names``."""

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self._names: dict[tuple[int, int], tuple[datetime, str]] = {}
        self._fetching = asyncio.Semaphore(CONCURRENT_FETCHES)

    async def name(self, guild_id: int, member_id: int, *, unknown: str = UNKNOWN) -> str:
        now = self.bot.clock.now()
        cached = self._names.get((guild_id, member_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return unknown
        member = guild.get_member(member_id)
        if member is not None:
            name = plain_name(member)
        else:
            try:
                async with self._fetching:
                    member = await guild.fetch_member(member_id)
            except discord.NotFound:
                name = FORMER_MEMBER
            except discord.HTTPException:
                return unknown  # not cached: the next view asks again
            else:
                name = plain_name(member)
        if len(self._names) > 10_000:
            self._names = {key: hit for key, hit in self._names.items() if hit[0] > now}
        self._names[(guild_id, member_id)] = (now + NAME_TTL, name)
        return name

    async def names(
        self, guild_id: int, member_ids: Iterable[int], *, unknown: str = UNKNOWN
    ) -> dict[int, str]:
        """Several names at once (fetched concurrently, a few at a time)."""
        ids = list(dict.fromkeys(member_ids))
        found = await asyncio.gather(*(self.name(guild_id, i, unknown=unknown) for i in ids))
        return dict(zip(ids, found, strict=True))
