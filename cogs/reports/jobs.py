"""The bot's posts about cases in the staff channel, and their deletion at the end of retention.

* A case is never posted in a channel @everyone can read (it stays in ``/cases`` instead).
* Every post is remembered with its case, so both go together when the case's retention ends;
  the deletion jobs are re-armed from the database when the cog loads.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import discord

from bot.core import CommonRoomBot
from bot.services.reports import ReportService

log = logging.getLogger(__name__)


class CaseJobs:
    def __init__(self, bot: CommonRoomBot, service: ReportService) -> None:
        self.bot = bot
        self.service = service

    # -- retention ----------------------------------------------------------------------

    async def rearm(self) -> None:
        for case_id, when in await self.service.due_deletions():
            self.arm(case_id, when)

    def arm(self, case_id: int, when: datetime) -> None:
        # A deletion already overdue (the bot was off) runs now rather than being skipped.
        self.bot.scheduler.at(
            f"reports:purge:{case_id}", max(when, self.bot.clock.now()), self.purge, case_id
        )

    async def purge(self, case_id: int) -> None:
        """Retention: delete the bot's staff-channel posts about a case, then the case itself."""
        if not await self.service.is_due(case_id):
            return
        for channel_id, message_id in await self.service.posts_for(case_id):
            await self.delete_post(channel_id, message_id)
        purged = await self.service.purge(case_id)
        if purged is not None:
            log.info(
                "Deleted case %s of guild %s at the end of its retention", purged.number, purged.guild_id
            )

    # -- the staff channel --------------------------------------------------------------

    def staff_channel(self, guild: discord.Guild, channels: dict[str, int]) -> discord.TextChannel | None:
        """The reports channel (or the organisers' one), only if @everyone can't read it."""
        for purpose in ("reports", "organisers"):
            channel_id = channels.get(purpose)
            channel = guild.get_channel(channel_id) if channel_id else None
            if not isinstance(channel, discord.TextChannel):
                continue
            if channel.permissions_for(guild.default_role).view_channel:
                log.warning(
                    "Not posting a report in channel %s: everyone on the server can read it", channel.id
                )
                return None
            return channel
        return None

    async def post_to_staff(self, guild: discord.Guild, case_id: int, **kwargs: Any) -> bool:
        """Post about a case in the staff channel; False if there is none (or it failed)."""
        config = await self.bot.guild_settings.get(guild.id)
        channel = self.staff_channel(guild, config.channels)
        if channel is None:
            return False
        try:
            message = await channel.send(allowed_mentions=discord.AllowedMentions.none(), **kwargs)
        except discord.HTTPException as error:
            log.warning("Could not post a report update in channel %s (HTTP %s)", channel.id, error.status)
            return False
        if not await self.service.add_post(case_id, channel.id, message.id):
            await self.delete_post(channel.id, message.id)  # the case was deleted meanwhile
            return False
        return True

    async def delete_post(self, channel_id: int, message_id: int) -> None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        try:
            await channel.get_partial_message(message_id).delete()
        except discord.NotFound:
            pass
        except discord.HTTPException as error:
            log.warning("Could not delete a report post in channel %s (HTTP %s)", channel_id, error.status)
