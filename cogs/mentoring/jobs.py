"""Mentoring's scheduled work and what it sends: matching rounds, introductions and the two-week
check-ins, re-armed from the database at start, and the DMs and private threads they use.

Job ids: ``mentoring:run:{guild_id}``, ``mentoring:intro:{match_id}``, ``mentoring:checkin:{match_id}``.
Each job reads its row and claims it in the service, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.clock import from_timestamp
from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.services.mentoring import MentoringService
from bot.services.mentoring_model import Match
from cogs.mentoring import render
from cogs.mentoring.views import checkin_view

log = logging.getLogger(__name__)


class MentoringJobs:
    def __init__(self, bot: CommonRoomBot, service: MentoringService) -> None:
        self.bot = bot
        self.service = service

    # -- arming ---------------------------------------------------------------------------------

    async def rearm(self) -> None:
        for schedule in await self.service.schedules():
            self.arm_run(schedule.guild_id, schedule.next_run_at)
        soon = self.bot.clock.now()
        for pending in await self.service.pending_intros():
            self.bot.scheduler.at(f"mentoring:intro:{pending.id}", soon, self._intro_job, pending.id)
        for pending in await self.service.pending_checkins():
            self.arm_checkin(pending)

    def arm_run(self, guild_id: int, when: int | None) -> None:
        job_id = f"mentoring:run:{guild_id}"
        if when is None:
            self.bot.scheduler.cancel(job_id)
        else:
            self.bot.scheduler.at(job_id, from_timestamp(when), self._scheduled_run, guild_id)

    def arm_checkin(self, m: Match) -> None:
        self.bot.scheduler.at(
            f"mentoring:checkin:{m.id}", from_timestamp(m.checkin_due_at), self._checkin_job, m.id
        )

    # -- the jobs -------------------------------------------------------------------------------

    async def _scheduled_run(self, guild_id: int) -> None:
        if not self.bot.is_ready():
            return  # due while the bot was down: on_ready re-arms it once Discord is connected
        try:
            if not await self.service.scheduled_run_due(guild_id):
                return
            config = await self.bot.guild_settings.get(guild_id)
            result = await self.service.run_matching(guild_id, scheduled_timezone=config.timezone)
            await self.after_run(result.new_matches)
        except Exception:
            log.exception("Scheduled mentoring run failed in guild %s", guild_id)
        finally:
            schedule = await self.service.schedule(guild_id)
            self.arm_run(guild_id, schedule.next_run_at)

    async def _intro_job(self, match_id: int) -> None:
        if not self.bot.is_ready():
            return  # threads need the channel cache: on_ready re-arms it
        try:
            m = await self.service.get_match(match_id)
        except UserError:
            return
        await self.introduce(m)

    async def _checkin_job(self, match_id: int) -> None:
        if not self.bot.is_ready():
            return  # on_ready re-arms it
        claimed = await self.service.claim_checkin(match_id)
        if claimed is None:
            return
        labels = await self.service.labels(claimed.guild_id)
        for member_id, role in ((claimed.mentor_id, "mentor"), (claimed.mentee_id, "mentee")):
            await self.dm(
                member_id,
                embed=render.checkin_embed(claimed, role, labels),
                view=checkin_view(claimed.id, role),
            )

    # -- delivery -------------------------------------------------------------------------------

    async def after_run(self, matches: list[Match]) -> dict[int, str | None]:
        """Arm each new pairing's check-in and introduce it; where each was introduced, by id."""
        places: dict[int, str | None] = {}
        for m in matches:
            self.arm_checkin(m)
            places[m.id] = await self.introduce(m)
        return places

    async def dm(self, member_id: int, **kwargs: Any) -> bool:
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        try:
            user = self.bot.get_user(member_id) or await self.bot.fetch_user(member_id)
            await user.send(**kwargs)
        except discord.HTTPException as error:
            log.info("Could not DM a mentoring message (HTTP %s)", error.status)
            return False
        return True

    async def introduce(self, m: Match) -> str | None:
        """Introduce the pair privately, once. Returns the thread mention, "dm", or None."""
        claimed = await self.service.claim_intro(m.id)
        if claimed is None:
            return None
        labels = await self.service.labels(m.guild_id)
        mentor_profile = (await self.service.status(m.guild_id, m.mentor_id)).profiles.get("mentor")
        mentee_profile = (await self.service.status(m.guild_id, m.mentee_id)).profiles.get("mentee")
        hello = mentor_profile.note if mentor_profile else ""
        help_with = mentee_profile.note if mentee_profile else ""
        icebreaker = render.ICEBREAKERS[m.id % len(render.ICEBREAKERS)]
        schedule = await self.service.schedule(m.guild_id)
        if schedule.intro_channel_id is not None:
            text = render.thread_intro(m, labels, hello, help_with, icebreaker)
            thread = await self._thread_intro(m, schedule.intro_channel_id, text)
            if thread is not None:
                return thread
        guild = self.bot.get_guild(m.guild_id)
        for member_id, role in ((m.mentor_id, "mentor"), (m.mentee_id, "mentee")):
            partner = m.mentee_id if role == "mentor" else m.mentor_id
            name = await self.member_name(guild, partner, "them")
            note = help_with if role == "mentor" else hello
            await self.dm(member_id, embed=render.intro_embed(m, role, name, labels, note, icebreaker))
        return "dm"

    async def _thread_intro(self, m: Match, channel_id: int, text: str) -> str | None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            # A private thread is only usable by people who can see its channel.
            for member_id in (m.mentor_id, m.mentee_id):
                member = channel.guild.get_member(member_id) or await channel.guild.fetch_member(member_id)
                if not channel.permissions_for(member).view_channel:
                    return None
            thread = await channel.create_thread(
                name="Mentoring introduction",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            for member_id in (m.mentor_id, m.mentee_id):
                await thread.add_user(discord.Object(member_id))
            await thread.send(
                text,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(m.mentor_id), discord.Object(m.mentee_id)],
                ),
            )
        except discord.HTTPException as error:
            log.warning(
                "Could not open a private mentoring thread in channel %s (HTTP %s)", channel_id, error.status
            )
            return None
        await self.service.set_thread(m.id, thread.id)
        return thread.mention

    async def member_name(self, guild: discord.Guild | None, member_id: int, fallback: str) -> str:
        if guild is not None:
            member = guild.get_member(member_id)
            if member is None:
                try:
                    member = await guild.fetch_member(member_id)
                except discord.HTTPException:
                    member = None
            if member is not None:
                return member.display_name
        return fallback

    async def tell_partner_ended(self, m: Match, by_member_id: int) -> None:
        await self.dm(m.partner_of(by_member_id), content=render.partner_ended(m, by_member_id))

    async def clear_introduction(self, thread_id: int) -> None:
        """Delete the bot's introduction (shared experiences, notes) from a thread and close it.

        What the two people wrote to each other stays theirs; only what the bot disclosed goes.
        """
        try:
            thread = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            if not isinstance(thread, discord.Thread):
                return
            me = self.bot.user
            async for message in thread.history(limit=20, oldest_first=True):
                if me is not None and message.author.id == me.id:
                    await message.delete()
            await thread.edit(archived=True, locked=True)
        except discord.HTTPException as error:
            log.warning("Could not clear a mentoring introduction thread (HTTP %s)", error.status)
