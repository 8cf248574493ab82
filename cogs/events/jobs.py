"""Scheduled and outgoing work for events: cards, reminders, DMs and the Events tab mirror.

* Reminders, card posts for later occurrences of a series, and everything else that must
  happen later are stored in the database and re-armed at start-up (:meth:`EventJobs.rearm`).
* Each occurrence is mirrored as a Discord scheduled event (unless the server turned it off,
  or the event is restricted to a community: the Events tab is visible to the whole server).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import discord

from bot.clock import from_timestamp
from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.services.events import ChangeOutcome, EventInfo, EventService
from bot.ui import MESSAGE_LIMIT, clip
from cogs.events.render import cancelled_dm, mirror_fields, promoted_dm, reminder_dm, render_card
from cogs.events.views import card_view

log = logging.getLogger("cogs.events")

# Later occurrences of a series get their card this long before they start (RSVPs open then).
CARD_WINDOW = timedelta(days=14)
CARD_RETRY = timedelta(minutes=15)


class EventJobs:
    """What the events feature does on its own: post and refresh cards, remind, mirror, DM."""

    def __init__(self, bot: CommonRoomBot, service: EventService) -> None:
        self.bot = bot
        self.service = service

    # -- arming ----------------------------------------------------------------------------

    async def rearm(self) -> None:
        """Re-arm everything the database says must still happen."""
        for reminder in await self.service.pending_reminders():
            self.arm_reminder(reminder.event_id, reminder.lead_seconds, reminder.due_at)
        for event_id, starts_at in await self.service.awaiting_card():
            self.arm_card(event_id, starts_at)

    def arm_reminder(self, event_id: int, lead: int, due_at: int) -> None:
        when = max(from_timestamp(due_at), self.bot.clock.now())
        self.bot.scheduler.at(f"event-reminder:{event_id}:{lead}", when, self._reminder_job, event_id, lead)

    def arm_card(self, event_id: int, starts_at: int) -> None:
        when = max(from_timestamp(starts_at) - CARD_WINDOW, self.bot.clock.now())
        self.bot.scheduler.at(f"event-card:{event_id}", when, self._card_job, event_id)

    def _retry_card(self, event_id: int) -> None:
        """Try again later (a restart also re-arms it from the database)."""
        when = self.bot.clock.now() + CARD_RETRY
        self.bot.scheduler.at(f"event-card:{event_id}", when, self._card_job, event_id)

    def disarm(self, event_id: int) -> None:
        for job in self.bot.scheduler.jobs():
            if job.id.startswith(f"event-reminder:{event_id}:") or job.id == f"event-card:{event_id}":
                self.bot.scheduler.cancel(job.id)

    async def created(self, events: Sequence[EventInfo]) -> set[str]:
        """After creation (the first card is posted): arm reminders, post or arm the later cards,
        mirror each occurrence. Returns the problems to report to the organiser."""
        first = events[0]
        problems = set()
        now = self.bot.clock.now()
        for event in events:
            for reminder in await self.service.pending_reminders(event.event_id):
                self.arm_reminder(event.event_id, reminder.lead_seconds, reminder.due_at)
            if event.event_id != first.event_id:
                if event.start - CARD_WINDOW <= now:
                    if not await self.post_card(event):
                        self._retry_card(event.event_id)
                else:
                    self.arm_card(event.event_id, event.starts_at)
            problem = await self.mirror(await self.service.get(event.event_id))
            if problem:
                problems.add(problem)
        return problems

    def rescheduled(self, outcome: ChangeOutcome) -> None:
        """After an edit that moved the event: its reminders (and card, if not posted) follow."""
        event = outcome.event
        self.disarm(event.event_id)
        for lead, due in outcome.reminders:
            self.arm_reminder(event.event_id, lead, due)
        if event.message_id is None:
            self.arm_card(event.event_id, event.starts_at)

    async def cancelled(self, outcome: ChangeOutcome) -> int:
        """After a cancellation: nothing more is sent, the card and mirror say so, people are told."""
        event = outcome.event
        self.disarm(event.event_id)
        await self.refresh_card(event)
        await self.mirror(event)
        return await self.tell(outcome.notify, cancelled_dm(event))

    # -- cards -----------------------------------------------------------------------------

    async def _card_kwargs(self, event: EventInfo) -> dict[str, Any]:
        rule = await self.service.series_rule(event.series_id)
        return {"embed": render_card(event, series_rule=rule), "view": card_view(event)}

    async def refresh_card(self, event: EventInfo) -> None:
        if event.channel_id is None or event.message_id is None:
            return
        message = self.bot.get_partial_messageable(event.channel_id).get_partial_message(event.message_id)
        try:
            await message.edit(**await self._card_kwargs(event))
        except discord.HTTPException as error:
            log.warning("Could not update the card of event %s (HTTP %s)", event.event_id, error.status)

    async def post_card(self, event: EventInfo) -> bool:
        if event.channel_id is not None or event.cancelled:
            return True
        config = await self.bot.guild_settings.get(event.guild_id)
        channel_id = event.community_channel_id or config.channel("announcements")
        if channel_id is None:
            return False
        channel = self.bot.get_partial_messageable(channel_id, guild_id=event.guild_id)
        try:
            message = await channel.send(**await self._card_kwargs(event))
        except discord.HTTPException as error:
            log.warning("Could not post the card of event %s (HTTP %s)", event.event_id, error.status)
            return False
        await self.service.set_card(event.event_id, channel_id, message.id)
        return True

    async def _card_job(self, event_id: int) -> None:
        try:
            event = await self.service.get(event_id)
        except UserError:
            return
        if event.status != "scheduled" or event.message_id is not None or event.start <= self.bot.clock.now():
            return
        if not await self.post_card(event):
            self._retry_card(event_id)

    # -- direct messages -------------------------------------------------------------------

    async def dm(self, member_id: int, content: str, **kwargs: Any) -> bool:
        """A private message; False if their DMs are closed (never an error)."""
        try:
            channel = await self.bot.create_dm(discord.Object(id=member_id))
            await channel.send(
                clip(content, MESSAGE_LIMIT), allowed_mentions=discord.AllowedMentions.none(), **kwargs
            )
        except discord.HTTPException:
            return False
        return True

    async def tell(self, member_ids: Sequence[int], content: str) -> int:
        """DM each member; returns how many were delivered."""
        delivered = 0
        for member_id in member_ids:
            delivered += await self.dm(member_id, content)
        return delivered

    async def tell_promoted(self, event: EventInfo, promoted: Sequence[int]) -> None:
        for member_id in promoted:
            delivered = await self.dm(member_id, promoted_dm(event))
            await self.service.record_promotion_dm(event.event_id, member_id, delivered)

    async def _reminder_job(self, event_id: int, lead: int) -> None:
        claim = await self.service.claim_reminder(event_id, lead)
        if claim is None or claim.outcome not in ("sent", "late"):
            return
        sent = await self.tell(claim.recipients, reminder_dm(claim.event, late=claim.outcome == "late"))
        log.info(
            "Event %s reminder (%s s before): %d of %d delivered", event_id, lead, sent, len(claim.recipients)
        )

    # -- mirror in Discord's Events tab ----------------------------------------------------

    async def mirror(self, event: EventInfo) -> str | None:
        """Create, update or cancel the scheduled event in step. Returns a problem to report, or None."""
        settings = await self.service.settings(event.guild_id)
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return None
        try:
            if event.scheduled_event_id is not None:
                existing = await guild.fetch_scheduled_event(event.scheduled_event_id)
                if event.cancelled:
                    await existing.cancel()
                else:
                    await existing.edit(**mirror_fields(event))
                return None
            if not settings.mirror or event.community_channel_id is not None or event.cancelled:
                return None
            created = await guild.create_scheduled_event(
                privacy_level=discord.PrivacyLevel.guild_only, **mirror_fields(event)
            )
        except discord.NotFound:
            await self.service.set_mirror(event.event_id, None)
            return None
        except discord.HTTPException as error:
            log.warning("Could not mirror event %s in the Events tab (HTTP %s)", event.event_id, error.status)
            return "I couldn't add it to the server's Events tab (I need the Manage Events permission)."
        await self.service.set_mirror(event.event_id, created.id)
        return None
