"""Scheduled posts of the directory: armed at start, each post made once, pinned, the last unpinned.

Each post is claimed in the database before it is made (:meth:`SignpostService.claim_run`), so a
restart or a second arming never doubles it; whatever goes wrong is recorded for organisers to
see in ``/signposts schedules``, and the next post still comes.
"""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot.clock import from_timestamp, to_timestamp
from bot.core import CommonRoomBot
from bot.services.signposts import Claim, SignpostService
from bot.services.signposts_schedule import Schedule
from cogs.signposts.render import directory_embeds
from cogs.signposts.views import button_view

log = logging.getLogger(__name__)

JOB_PREFIX = "signposts:"


def job_id(schedule_id: int) -> str:
    return f"{JOB_PREFIX}schedule:{schedule_id}"


class ScheduledPosts:
    """Arms, runs and cancels the scheduler jobs of every signpost schedule."""

    def __init__(self, bot: CommonRoomBot, service: SignpostService) -> None:
        self.bot = bot
        self.service = service

    async def rearm(self) -> None:
        """Arm every schedule with a post still to make (one missed while offline is skipped)."""
        for schedule in await self.service.pending_schedules():
            self.arm(await self.service.skip_stale(schedule))

    def cancel_all(self) -> None:
        for job in self.bot.scheduler.jobs():
            if job.id.startswith(JOB_PREFIX):
                self.bot.scheduler.cancel(job.id)

    def cancel(self, schedule_id: int) -> None:
        self.bot.scheduler.cancel(job_id(schedule_id))

    def arm(self, schedule: Schedule) -> None:
        if schedule.next_run_at is None or schedule.cancelled:
            return
        when: datetime = max(schedule.next_run_at, self.bot.clock.now())
        self.bot.scheduler.at(
            job_id(schedule.id), when, self.run, schedule.id, to_timestamp(schedule.next_run_at)
        )

    async def run(self, schedule_id: int, due_ts: int) -> None:
        try:
            claim = await self.service.claim_run(schedule_id, from_timestamp(due_ts))
        except Exception:
            log.exception("Could not claim scheduled signpost %s", schedule_id)
            return
        if claim is None:
            return
        try:
            await self.post(claim)
        except Exception:
            log.exception("Scheduled signpost %s failed", schedule_id)
            await self.service.record_failure(
                schedule_id, "Something went wrong posting; it will try next time."
            )
        finally:
            self.arm(claim.schedule)

    async def post(self, claim: Claim) -> None:
        schedule = claim.schedule
        channel = self.bot.get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            await self.service.record_failure(
                schedule.id, "The channel is gone or I can't see it. Cancel this and schedule it again."
            )
            return
        contacts = await self.service.contacts(schedule.guild_id)
        try:
            message = await channel.send(
                embeds=directory_embeds(contacts, schedule.category), view=button_view()
            )
        except discord.HTTPException as error:
            log.warning("Scheduled signpost %s could not post (HTTP %s)", schedule.id, error.status)
            await self.service.record_failure(
                schedule.id,
                f"I couldn't post in #{channel.name}: check I can send messages and embed links there.",
            )
            return
        problem = await self._pin(channel, message, claim.previous_message_id)
        await self.service.record_post(schedule.id, message.id, problem)

    async def _pin(
        self, channel: discord.TextChannel, message: discord.Message, previous_id: int | None
    ) -> str | None:
        """Pin the new post and unpin the previous one; what went wrong, for organisers."""
        problem: str | None = None
        try:
            await message.pin(reason="Newest scheduled signpost")
        except discord.HTTPException:
            problem = f"Posted, but couldn't pin it: I need Pin Messages in #{channel.name}."
        if previous_id and previous_id != message.id:
            try:
                await channel.get_partial_message(previous_id).unpin(reason="A newer signpost is pinned")
            except discord.NotFound:
                pass  # the previous post was deleted or already unpinned
            except discord.HTTPException:
                problem = (
                    problem or f"Couldn't unpin the previous post: I need Pin Messages in #{channel.name}."
                )
        return problem
