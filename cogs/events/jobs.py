"""Scheduled and outgoing work for events: cards, reminders, DMs and the Events tab mirror.

* Everything this feature sends on its own goes through the outbox (``docs/outbox.md``): the
  service writes each promise with the change that creates it, and this module registers how
  each topic is delivered: reminders, waiting-list places, edit and cancel notices (DMs), and
  event cards (posts, found again by their Going button's custom id after a crash, their
  message id saved in ``after_post``).
* Reminders and card posts for later occurrences of a series are stored in the database; only
  those due within ``HORIZON`` are armed as scheduler jobs, and one window job, set half a
  horizon before the first thing after it, arms the next window (:meth:`EventJobs.rearm`, also
  at start-up): start-up arms an hour's work, not a term's. When they fall due they only write
  promises.
* Refreshing a card after a reply or an edit is an edit of the message already posted, sent
  directly: it is redrawn from the current state every time, so a lost edit is repaired by the
  next one, and it never makes a new message. After a Going/Maybe/Can't go press the redraw is
  coalesced (:meth:`EventJobs.refresh_soon`): a burst of presses makes a few edits, not one
  each, which Discord's limit of about five edits per five seconds on a channel would queue.
* Each occurrence is mirrored as a Discord scheduled event (unless the server turned it off,
  or the event is restricted to a community: the Events tab is visible to the whole server).
  The mirror is a call to the Events tab, not a message, so it stays direct too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.clock import from_timestamp, to_timestamp
from bot.coalesce import Coalescer
from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.i18n import SOURCE_TRANSLATOR, Translator
from bot.services.events import (
    CANCELLED_TOPIC,
    CARD_TOPIC,
    CARD_WINDOW,
    CHANGED_TOPIC,
    PROMOTED_TOPIC,
    REMINDER_TOPIC,
    ChangeOutcome,
    EventInfo,
    EventService,
)
from bot.services.outbox import OutboxItem, Status
from bot.ui import MESSAGE_LIMIT, clip, edit_post
from cogs.events.render import (
    cancelled_dm,
    changed_dm,
    mirror_fields,
    promoted_dm,
    reminder_dm,
    render_card,
)
from cogs.events.views import card_view

log = logging.getLogger("cogs.events")

__all__ = ["CARD_RETRY", "CARD_WINDOW", "DELIVERY_WAIT", "EventJobs"]

CARD_RETRY = timedelta(minutes=15)
#: Reminders and card posts are armed as jobs only this far ahead (see the module docstring).
HORIZON = timedelta(hours=1)
WINDOW_JOB = "event-window"
#: How long a command waits for its own messages before answering the organiser (the rest go on
#: in the background; the answer says how many have arrived).
DELIVERY_WAIT = 10.0


class EventJobs:
    """What the events feature does on its own: post and refresh cards, remind, mirror, DM."""

    def __init__(self, bot: CommonRoomBot, service: EventService) -> None:
        self.bot = bot
        self.service = service
        # Events whose creation is waiting for its first card (the command reports a failure).
        self.creating: set[int] = set()
        # The scheduler jobs armed for each event (so disarming one never lists every job).
        self._armed: dict[int, set[str]] = {}
        # Cards redrawn after presses, off the presser's path (see refresh_soon).
        self.redraws = Coalescer("event card")

    # -- outbox topics ---------------------------------------------------------------------

    def register(self) -> None:
        outbox = self.bot.outbox
        outbox.topic(REMINDER_TOPIC, self.render_reminder)
        outbox.topic(PROMOTED_TOPIC, self.render_promoted, on_failed=self.promotion_failed)
        outbox.topic(CHANGED_TOPIC, self.render_changed)
        outbox.topic(CANCELLED_TOPIC, self.render_cancelled)
        outbox.topic(CARD_TOPIC, self.render_card, after_post=self.card_posted, on_failed=self.card_failed)

    def unregister(self) -> None:
        self.bot.outbox.forget_topics("events.")
        self.redraws.cancel()
        self.bot.scheduler.cancel(WINDOW_JOB)

    async def render_reminder(self, item: OutboxItem) -> dict[str, Any] | None:
        assert item.recipient_id is not None
        payload = item.payload
        event = await self.service.reminder_due(
            int(payload["event_id"]), item.recipient_id, int(payload["starts_at"])
        )
        if event is None:
            return None
        t = await self._reader(item)
        return {"content": clip(reminder_dm(event, bool(payload.get("late")), t), MESSAGE_LIMIT)}

    async def _reader(self, item: OutboxItem) -> Translator:
        """The language of a DM's recipient (their own choice, else the server's)."""
        assert item.recipient_id is not None
        return await self.bot.i18n.for_member(item.guild_id, item.recipient_id)

    async def render_promoted(self, item: OutboxItem) -> dict[str, Any] | None:
        assert item.recipient_id is not None
        event = await self.service.promotion_due(
            int(item.payload["event_id"]), item.recipient_id, int(item.payload["seq"])
        )
        if event is None:
            return None
        return {"content": clip(promoted_dm(event, await self._reader(item)), MESSAGE_LIMIT)}

    async def promotion_failed(self, item: OutboxItem, reason: str) -> None:
        """Their DMs are closed (or Discord never took it): ``/event mine`` tells them instead."""
        assert item.recipient_id is not None
        await self.service.record_promotion_dm(
            int(item.payload["event_id"]), item.recipient_id, False, int(item.payload["seq"])
        )

    async def render_changed(self, item: OutboxItem) -> dict[str, Any] | None:
        assert item.recipient_id is not None
        event = await self.service.notice_due(int(item.payload["event_id"]), item.recipient_id)
        if event is None:
            return None
        t = await self._reader(item)
        return {"content": clip(changed_dm(event, bool(item.payload.get("time_changed")), t), MESSAGE_LIMIT)}

    async def render_cancelled(self, item: OutboxItem) -> dict[str, Any] | None:
        event = await self.service.cancellation_due(int(item.payload["event_id"]))
        if event is None:
            return None
        return {"content": clip(cancelled_dm(event, await self._reader(item)), MESSAGE_LIMIT)}

    async def render_card(self, item: OutboxItem) -> dict[str, Any] | None:
        event = await self.service.card_due(int(item.payload["event_id"]))
        return None if event is None else await self._card_kwargs(event)

    async def card_posted(self, item: OutboxItem, message_id: int) -> None:
        assert item.channel_id is not None
        event_id = int(item.payload["event_id"])
        await self.service.set_card(event_id, item.channel_id, message_id)
        if item.status == "sending":
            # Adopted after a crash: replies given since it was drawn are not on it yet.
            with contextlib.suppress(UserError):
                await self.refresh_card(await self.service.get(event_id))

    async def card_failed(self, item: OutboxItem, reason: str) -> None:
        """No access to the channel (or it is gone): organisers hear once; tried again later."""
        event_id = int(item.payload["event_id"])
        if event_id in self.creating:
            return  # the organiser creating it is told, and nothing is saved
        await self.service.card_failed(event_id)
        self._retry_card(event_id)
        voice = await self.bot.i18n.for_guild(item.guild_id)
        await self.bot.outbox.alert(
            item.guild_id,
            f"{CARD_TOPIC}:{reason}:{item.channel_id}",
            voice.text(
                lambda t: t(
                    "I couldn't post an event card in {channel} ({reason}). I need View Channel, Send"
                    " Messages and Embed Links there; I'll keep trying every 15 minutes.",
                    channel=f"<#{item.channel_id}>",
                    reason=reason,
                ),
                1900,
            ),
        )

    async def deliver(self, keys: Sequence[str]) -> dict[str, Status]:
        """Start the sender and wait a little for these items (stored keys): their status now.

        Used by commands to tell the organiser what happened; whatever is not delivered yet
        goes on in the background.
        """
        if not keys:
            return {}
        drain = asyncio.ensure_future(self.bot.outbox.drain())
        await asyncio.wait({drain}, timeout=DELIVERY_WAIT)
        outcomes = await self.bot.outbox.service.outcomes(list(keys))
        return {key: status for key, (status, _) in outcomes.items()}

    # -- arming ----------------------------------------------------------------------------

    async def rearm(self) -> None:
        """Arm everything the database says falls due within the horizon, and the window job
        for the first thing after it (at start-up, and whenever that job runs)."""
        now = self.bot.clock.now()
        until = to_timestamp(now + HORIZON)
        for reminder in await self.service.pending_reminders(due_before=until):
            self.arm_reminder(reminder.event_id, reminder.lead_seconds, reminder.due_at)
        for event_id, starts_at in await self.service.awaiting_card(due_before=until):
            self.arm_card(event_id, starts_at)
        self.bot.scheduler.cancel(WINDOW_JOB)
        later = await self.service.next_due(until)
        if later is not None:
            self._wake_by(from_timestamp(later) - HORIZON / 2)

    def _wake_by(self, when: datetime) -> None:
        """Make sure the window job runs by ``when`` (it only runs when there is something to
        arm: an idle server has no job waking every half hour)."""
        job = self.bot.scheduler.get(WINDOW_JOB)
        if job is None or job.next_run_time is None or job.next_run_time > when:
            self.bot.scheduler.at(WINDOW_JOB, max(when, self.bot.clock.now()), self.rearm)

    def _arm(self, event_id: int, job_id: str, when: datetime, func: Any, *args: Any) -> None:
        if when >= self.bot.clock.now() + HORIZON:
            self._wake_by(when - HORIZON / 2)  # the window job arms it when it comes near
            return
        self.bot.scheduler.at(job_id, max(when, self.bot.clock.now()), func, *args)
        self._armed.setdefault(event_id, set()).add(job_id)

    def _fired(self, event_id: int, job_id: str) -> None:
        armed = self._armed.get(event_id)
        if armed is not None:
            armed.discard(job_id)
            if not armed:
                del self._armed[event_id]

    def arm_reminder(self, event_id: int, lead: int, due_at: int) -> None:
        job_id = f"event-reminder:{event_id}:{lead}"
        self._arm(event_id, job_id, from_timestamp(due_at), self._reminder_job, event_id, lead)

    def arm_card(self, event_id: int, starts_at: int) -> None:
        self._arm_card_at(event_id, from_timestamp(starts_at) - CARD_WINDOW)

    def _retry_card(self, event_id: int) -> None:
        """Try again later (a restart also re-arms it from the database)."""
        self._arm_card_at(event_id, self.bot.clock.now() + CARD_RETRY)

    def _arm_card_at(self, event_id: int, when: datetime) -> None:
        self._arm(event_id, f"event-card:{event_id}", when, self._card_job, event_id)

    def disarm(self, event_id: int) -> None:
        for job_id in self._armed.pop(event_id, set()):
            self.bot.scheduler.cancel(job_id)

    async def created(self, events: Sequence[EventInfo], t: Translator = SOURCE_TRANSLATOR) -> set[str]:
        """After creation (the cards due now are owed already): arm reminders and the later
        cards, mirror each occurrence. Returns the problems to report to the organiser (in ``t``'s
        language, the organiser's)."""
        problems = set()
        for event in events:
            for reminder in await self.service.pending_reminders(event.event_id):
                self.arm_reminder(event.event_id, reminder.lead_seconds, reminder.due_at)
            if event.event_id != events[0].event_id:
                # A card already owed is owed once: the job's promise has the same key.
                self.arm_card(event.event_id, event.starts_at)
            problem = await self.mirror(await self.service.get(event.event_id), t)
            if problem:
                problems.add(problem)
        self.bot.outbox.kick()
        return problems

    def rescheduled(self, outcome: ChangeOutcome) -> None:
        """After an edit that moved the event: its reminders (and card, if not posted) follow."""
        event = outcome.event
        self.disarm(event.event_id)
        for lead, due in outcome.reminders:
            self.arm_reminder(event.event_id, lead, due)
        if event.message_id is None:
            self.arm_card(event.event_id, event.starts_at)

    async def cancelled(self, outcome: ChangeOutcome) -> None:
        """After a cancellation (the notices are owed already): nothing more is armed, the card
        and the mirror say so."""
        event = outcome.event
        self.disarm(event.event_id)
        await self.refresh_card(event)
        await self.mirror(event)

    # -- cards -----------------------------------------------------------------------------

    async def _card_kwargs(self, event: EventInfo) -> dict[str, Any]:
        rule = await self.service.series_rule(event.series_id)
        voice = await self.bot.i18n.for_guild(event.guild_id)  # the server's language, or both
        return {"embed": render_card(event, series_rule=rule, voice=voice), "view": card_view(event, voice)}

    async def card_channel(self, event: EventInfo) -> int | None:
        """Where an event's card goes: its community's channel, or the announcements channel."""
        if event.community_channel_id is not None:
            return event.community_channel_id
        return (await self.bot.guild_settings.get(event.guild_id)).channel("announcements")

    def refresh_soon(self, event_id: int) -> None:
        """Redraw a card after a press, without making the presser wait (coalesced: bot/coalesce.py)."""
        self.redraws.soon(event_id, lambda: self._redraw(event_id))

    async def _redraw(self, event_id: int) -> None:
        await self.refresh_card(await self.service.get(event_id))

    async def refresh_card(self, event: EventInfo) -> None:
        """Redraw a posted card from the current state (a direct edit; see the module docstring)."""
        if event.message_id is not None:
            card = await self._card_kwargs(event)
            await edit_post(
                self.bot, event.channel_id, event.message_id, f"the card of event {event.event_id}", **card
            )

    async def _card_job(self, event_id: int) -> None:
        self._fired(event_id, f"event-card:{event_id}")
        event = await self.service.card_due(event_id)
        if event is None:
            return
        channel_id = await self.card_channel(event)
        if channel_id is None:
            self._retry_card(event_id)
            voice = await self.bot.i18n.for_guild(event.guild_id)
            await self.bot.outbox.alert(
                event.guild_id,
                f"{CARD_TOPIC}:no-channel",
                voice.text(
                    lambda t: t(
                        "I have event cards to post but no announcements channel. A server admin can"
                        " choose it with `/setup channel purpose:announcements`."
                    ),
                    1900,
                ),
            )
            return
        if await self.service.queue_card(event_id, channel_id):
            self.bot.outbox.kick()

    # -- reminders -------------------------------------------------------------------------

    async def _reminder_job(self, event_id: int, lead: int) -> None:
        self._fired(event_id, f"event-reminder:{event_id}:{lead}")
        claim = await self.service.queue_reminder(event_id, lead)
        if claim is None or claim.outcome not in ("queued", "late"):
            return
        log.info("Event %s reminder (%s s before): %d DMs owed", event_id, lead, len(claim.recipients))
        self.bot.outbox.kick()

    # -- mirror in Discord's Events tab ----------------------------------------------------

    async def mirror(self, event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str | None:
        """Create, update or cancel the scheduled event in step (in the server's voice). Returns a
        problem to report (in ``t``'s language, the organiser's), or None."""
        settings = await self.service.settings(event.guild_id)
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return None
        voice = await self.bot.i18n.for_guild(event.guild_id)
        try:
            if event.scheduled_event_id is not None:
                existing = await guild.fetch_scheduled_event(event.scheduled_event_id)
                if event.cancelled:
                    await existing.cancel()
                else:
                    await existing.edit(**mirror_fields(event, voice))
                return None
            if not settings.mirror or event.community_channel_id is not None or event.cancelled:
                return None
            created = await guild.create_scheduled_event(
                privacy_level=discord.PrivacyLevel.guild_only, **mirror_fields(event, voice)
            )
        except discord.NotFound:
            await self.service.set_mirror(event.event_id, None)
            return None
        except discord.HTTPException as error:
            log.warning("Could not mirror event %s in the Events tab (HTTP %s)", event.event_id, error.status)
            return t("I couldn't add it to the server's Events tab (I need the Manage Events permission).")
        await self.service.set_mirror(event.event_id, created.id)
        return None
