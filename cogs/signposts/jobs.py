"""Scheduled posts of the directory: armed at start, each post made once, pinned, the last unpinned.

Each post is claimed in the database (:meth:`SignpostService.claim_run`), which moves the
schedule on and, in the same transaction, promises the post in the outbox (topic
``signposts.post``, key ``signposts.post:{schedule_id}:{due}``). The outbox delivers it; the post
carries a marker unique to it in its last embed's footer, so a post interrupted by a crash is
found and adopted rather than made twice. Once it exists, :meth:`ScheduledPosts.posted` pins it,
unpins the previous one and records it; whatever goes wrong is recorded for organisers to see in
``/signposts schedules``, and the next post still comes.

Daily, the counts of needs looked up with no local contact lose the weeks older than they are
kept for (:meth:`bot.services.signposts_gaps.UnmetNeeds.prune`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.clock import from_timestamp, to_timestamp
from bot.feature import FeatureJobs
from bot.outbox import GONE
from bot.services.outbox import OutboxItem
from bot.services.signposts import POST_TOPIC, SignpostService, post_marker
from bot.services.signposts_schedule import Schedule
from cogs.signposts.render import CANT_PIN, CANT_POST, CANT_UNPIN, CHANNEL_GONE, directory_embeds
from cogs.signposts.views import button_view

log = logging.getLogger(__name__)

JOB_PREFIX = "signposts:"
PRUNE_JOB = f"{JOB_PREFIX}unmet-needs-prune"
PRUNE_FIRST_DELAY = timedelta(minutes=10)
PRUNE_INTERVAL = timedelta(days=1)
ALERT_LIMIT = 1900  # what the outbox keeps of an alert


def job_id(schedule_id: int) -> str:
    return f"{JOB_PREFIX}schedule:{schedule_id}"


class ScheduledPosts(FeatureJobs[SignpostService]):
    """Arms, runs and cancels the scheduler jobs of every signpost schedule."""

    topic_prefix = "signposts."

    async def rearm(self) -> None:
        """Arm every schedule with a post still to make (one missed while offline is skipped)."""
        for schedule in await self.service.pending_schedules():
            self.arm(await self.service.skip_stale(schedule))
        self._arm_prune(PRUNE_FIRST_DELAY)

    def _arm_prune(self, delay: timedelta) -> None:
        self.bot.scheduler.at(PRUNE_JOB, self.bot.clock.now() + delay, self.prune)

    async def prune(self) -> int:
        """Delete the counts of needs with no local contact older than they are kept; daily."""
        try:
            removed = await self.service.unmet.prune()
        except Exception:
            log.exception("Could not delete old counts of needs with no local contact")
            return 0
        finally:
            self._arm_prune(PRUNE_INTERVAL)
        if removed:
            log.info("Deleted %d old weekly counts of needs with no local contact", removed)
        return removed

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
        self.bot.outbox.kick()  # the post was promised with the claim
        self.arm(claim.schedule)

    # -- the outbox topic -------------------------------------------------------------------

    def register_topics(self) -> None:
        self.bot.outbox.topic(POST_TOPIC, self.render, after_post=self.posted, on_failed=self.failed)

    def stop(self) -> None:
        """Also cancel every scheduled post's job: they are armed again when the cog loads."""
        self.cancel_all()
        super().stop()

    async def render(self, item: OutboxItem) -> dict[str, Any] | None:
        schedule = await self.service.get_schedule(int(item.payload["schedule_id"]))
        if schedule is None or schedule.cancelled:
            return None  # cancelled after it was claimed: no longer wanted
        contacts = await self.service.contacts(schedule.guild_id)
        voice = await self.bot.i18n.for_guild(schedule.guild_id)  # a post: the server's language
        embeds = directory_embeds(contacts, schedule.category, voice)
        marker = voice.text(
            lambda t: t("Ref. {marker}", marker=post_marker(schedule.id, int(item.payload["due"])))
        )
        footer = embeds[-1].footer.text
        embeds[-1].set_footer(text=f"{footer} · {marker}" if footer else marker)
        return {"embeds": embeds, "view": button_view(voice)}

    async def posted(self, item: OutboxItem, message_id: int) -> None:
        """The post exists (just made, or found after a crash): pin it, unpin the last, record it."""
        schedule = await self.service.get_schedule(int(item.payload["schedule_id"]))
        if schedule is None:
            return
        problem: str | None = None
        channel = await self._channel(schedule.channel_id)
        if channel is not None:
            problem = await self._pin(channel, message_id, schedule.last_message_id)
        await self.service.record_post(schedule.id, message_id, problem)

    async def failed(self, item: OutboxItem, reason: str) -> None:
        """A post refused for good: shown in /signposts schedules, and organisers told once."""
        schedule_id = int(item.payload["schedule_id"])
        assert item.channel_id is not None
        channel = self.bot.get_channel(item.channel_id)
        name = getattr(channel, "name", None)
        voice = await self.bot.i18n.for_guild(item.guild_id)  # the alert is a post
        # The problem is stored in English; /signposts schedules shows it in the reader's language.
        problem: str
        if reason == GONE or name is None:
            problem = CHANNEL_GONE
            alert = voice.text(
                lambda t: t("A scheduled signpost post failed: its channel is gone or I can't see it."),
                ALERT_LIMIT,
            )
        else:
            problem = CANT_POST.format(name=name)
            alert = voice.text(
                lambda t: t("A scheduled signpost post failed: I couldn't post in #{name}.", name=name),
                ALERT_LIMIT,
            )
        log.warning("Scheduled signpost %s could not post (%s)", schedule_id, reason)
        await self.service.record_failure(schedule_id, problem)
        await self.bot.outbox.alert(item.guild_id, f"signposts.post:{reason}:{item.channel_id}", alert)

    async def _channel(self, channel_id: int) -> discord.TextChannel | None:
        channel: Any = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def _pin(
        self, channel: discord.TextChannel, message_id: int, previous_id: int | None
    ) -> str | None:
        """Pin the new post and unpin the previous one; what went wrong, for organisers."""
        problem: str | None = None
        try:
            await channel.get_partial_message(message_id).pin(reason="Newest scheduled signpost")
        except discord.HTTPException:
            problem = CANT_PIN.format(name=channel.name)
        if previous_id and previous_id != message_id:
            try:
                await channel.get_partial_message(previous_id).unpin(reason="A newer signpost is pinned")
            except discord.NotFound:
                pass  # the previous post was deleted or already unpinned
            except discord.HTTPException:
                problem = problem or CANT_UNPIN.format(name=channel.name)
        return problem
