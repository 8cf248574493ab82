"""The bot's posts about cases in the staff channel, and their deletion at the end of retention.

* A case is never posted in a channel @everyone can read (it stays in ``/cases`` instead).
* Every post (a new report, the reporter's answer, a staff reply, a closing) is promised in the
  outbox (topic ``reports.staff``, key ``reports.staff:{case_id}:{kind}:{message_id}``) in the
  transaction that records it, and carries a marker in its footer so a post interrupted by a
  crash is adopted, never made twice. It carries the case, never the reporter.
* Every post is remembered with its case, so both go together when the case's retention ends;
  the deletion jobs are re-armed from the database when the cog loads.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import discord

from bot.core import CommonRoomBot
from bot.feature import FeatureJobs
from bot.i18n import N_
from bot.services.outbox import OutboxItem
from bot.services.reports import STAFF_TOPIC, ReportService, StaffPost, staff_marker
from cogs.reports.render import (
    answer_embed,
    closed_embed,
    new_case_embed,
    reopened_embed,
    reply_embed,
    voice_translator,
)

log = logging.getLogger(__name__)

#: Staff are named for accountability; reporters never are (the bot doesn't know them).
SOMEONE = N_("an organiser")
#: The outbox keeps an alert's text to this many characters.
ALERT_LIMIT = 1900


class CaseJobs(FeatureJobs[ReportService]):
    topic_prefix = "reports."

    def __init__(self, bot: CommonRoomBot, service: ReportService) -> None:
        super().__init__(bot, service)

    # -- retention ----------------------------------------------------------------------

    async def rearm(self) -> None:
        for case_id, when in await self.service.due_deletions():
            self.arm(case_id, when)

    def arm(self, case_id: int, when: datetime) -> None:
        # A deletion already overdue (the bot was off) runs now rather than being skipped.
        self.bot.scheduler.at(
            f"reports:purge:{case_id}", max(when, self.bot.clock.now()), self.purge, case_id
        )

    def disarm(self, case_id: int) -> None:
        """A reopened case is kept until it is closed again (the purge would find it not due anyway)."""
        self.bot.scheduler.cancel(f"reports:purge:{case_id}")

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

    async def staff_post(self, guild: discord.Guild, by: int | None = None) -> StaffPost | None:
        """The post about a change to one of this server's cases, naming ``by`` (the organiser who
        made it); None when there is no channel to post in (cases then stay in /cases only)."""
        config = await self.bot.guild_settings.get(guild.id)
        channel = self.staff_channel(guild, config.channels)
        return None if channel is None else StaffPost(channel.id, by)

    # -- the outbox topic -----------------------------------------------------------------

    def register_topics(self) -> None:
        self.bot.outbox.topic(STAFF_TOPIC, self.render, after_post=self.posted, on_failed=self.failed)

    async def render(self, item: OutboxItem) -> dict[str, Any] | None:
        case_id, kind = int(item.payload["case_id"]), str(item.payload["kind"])
        message_id = int(item.payload.get("message_id") or 0)
        case = await self.service.case_by_id(case_id)
        if case is None:
            return None  # deleted at the end of its retention meanwhile
        assert item.channel_id is not None
        channel = self.bot.get_channel(item.channel_id)
        if (
            isinstance(channel, discord.TextChannel)
            and channel.permissions_for(channel.guild.default_role).view_channel
        ):
            log.warning("Not posting a report in channel %s: everyone on the server can read it", channel.id)
            return None
        t = voice_translator(await self.bot.i18n.for_guild(item.guild_id))  # the server's language(s)
        by_id = int(item.payload.get("by") or 0)
        someone = t(SOMEONE)
        by = await self.bot.names.name(item.guild_id, by_id, unknown=someone) if by_id else someone
        if kind == "new":
            embed = new_case_embed(case, t)
        elif kind == "closed":
            if case.delete_at is None:
                return None  # reopened meanwhile
            embed = closed_embed(case, by=by, t=t)
        elif kind == "reopened":
            if not case.is_open:
                return None  # closed again meanwhile
            embed = reopened_embed(case, by=by, t=t)
        else:
            body = await self.service.message_body(case_id, message_id)
            if body is None:
                return None
            embed = answer_embed(case, body, t) if kind == "answer" else reply_embed(case, body, by=by, t=t)
        # Translators: "Ref." is short for "reference" (a code that tells posts apart).
        marker = t("Ref. {marker}", marker=staff_marker(case_id, kind, message_id))
        footer = embed.footer.text
        embed.set_footer(text=f"{footer} · {marker}" if footer else marker)
        return {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}

    async def posted(self, item: OutboxItem, message_id: int) -> None:
        assert item.channel_id is not None
        if not await self.service.add_post(int(item.payload["case_id"]), item.channel_id, message_id):
            await self.delete_post(item.channel_id, message_id)  # the case was deleted meanwhile

    async def failed(self, item: OutboxItem, reason: str) -> None:
        """A post refused for good: the case is still in /cases; organisers are told once."""
        log.warning("Could not post a report update in channel %s (%s)", item.channel_id, reason)
        channel = self.bot.get_channel(item.channel_id or 0)
        voice = await self.bot.i18n.for_guild(item.guild_id)
        if isinstance(channel, discord.TextChannel):
            text = voice.text(
                lambda t: t(
                    "I couldn't post report updates in {channel} ({reason}). Cases are all in "
                    "`/cases list`; check I can view the channel, send messages and embed links there.",
                    channel=f"#{channel.name}",
                    reason=reason,
                ),
                ALERT_LIMIT,
            )
        else:
            text = voice.text(
                lambda t: t(
                    "I couldn't post report updates in the reports channel ({reason}). Cases are all in "
                    "`/cases list`; check I can view the channel, send messages and embed links there.",
                    reason=reason,
                ),
                ALERT_LIMIT,
            )
        await self.bot.outbox.alert(item.guild_id, f"reports.staff:{reason}:{item.channel_id}", text)

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
