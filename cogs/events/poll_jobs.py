"""Find a time (issue #19): closing polls on time, redrawing cards, and the messages owed.

* Each open poll's closing is a scheduler job, re-armed from the database at start-up. Closing
  writes, in one transaction, the poll's new state and the ranking owed to the organisers'
  channel (an outbox post with a "create it" button per time).
* When the event is created at a time, each student who said they could make it is owed one DM
  (written by the service with the decision; delivered by the outbox, dropped once it starts).
* The card is redrawn off the presser's path, coalesced (bot/coalesce.py).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.clock import discord_time, from_timestamp
from bot.coalesce import Coalescer
from bot.core import CommonRoomBot
from bot.errors import NotFound
from bot.services.event_polls import CLOSED_TOPIC, DECIDED_TOPIC, EventPollService, Poll
from bot.services.events import EventService
from bot.services.outbox import OutboxItem
from bot.ui import MESSAGE_LIMIT, clip, edit_post
from cogs.events.poll_render import card_embed, decided_dm, ranking_embed
from cogs.events.poll_views import poll_card_view, ranking_view

log = logging.getLogger("cogs.events")


class PollJobs:
    def __init__(self, bot: CommonRoomBot, polls: EventPollService, events: EventService) -> None:
        self.bot = bot
        self.polls = polls
        self.events = events
        self.redraws = Coalescer("find-a-time card")

    def register(self) -> None:
        self.bot.outbox.topic(CLOSED_TOPIC, self.render_closed)
        self.bot.outbox.topic(DECIDED_TOPIC, self.render_decided)

    def unregister(self) -> None:
        self.redraws.cancel()

    async def _tz(self, guild_id: int) -> str:
        return (await self.bot.guild_settings.get(guild_id)).timezone

    # -- closing -----------------------------------------------------------------------------

    async def rearm(self) -> None:
        if released := await self.polls.release_interrupted():
            log.warning("%d find-a-time poll(s) had an event creation cut short by a restart", released)
        for poll_id, closes_at in await self.polls.due_to_close():
            self.arm_close(poll_id, closes_at)

    def arm_close(self, poll_id: int, closes_at: int) -> None:
        when = max(from_timestamp(closes_at), self.bot.clock.now())
        self.bot.scheduler.at(f"event-poll:{poll_id}", when, self._close_job, poll_id)

    async def _close_job(self, poll_id: int) -> None:
        try:
            poll = await self.polls.get(poll_id)
        except NotFound:
            return
        config = await self.bot.guild_settings.get(poll.guild_id)
        closed = await self.polls.close(poll_id, config.channel("organisers"))
        if closed is None:
            return
        self.bot.outbox.kick()
        await self.redraw(closed)

    # -- the card ----------------------------------------------------------------------------

    async def card_kwargs(self, poll: Poll) -> dict[str, Any]:
        voice = await self.bot.i18n.for_guild(poll.guild_id)  # a post: the server's language, or both
        return {
            "embed": card_embed(poll, voice),
            "view": poll_card_view(poll, await self._tz(poll.guild_id), voice),
        }

    def redraw_soon(self, poll_id: int) -> None:
        self.redraws.soon(poll_id, lambda: self._redraw(poll_id))

    async def _redraw(self, poll_id: int) -> None:
        await self.redraw(await self.polls.get(poll_id))

    async def redraw(self, poll: Poll) -> None:
        if poll.message_id is not None:
            card = await self.card_kwargs(poll)
            await edit_post(
                self.bot, poll.channel_id, poll.message_id, f"the card of poll {poll.poll_id}", **card
            )

    # -- outbox topics -------------------------------------------------------------------------

    async def render_closed(self, item: OutboxItem) -> dict[str, Any] | None:
        try:
            poll = await self.polls.get(int(item.payload["poll_id"]))
        except NotFound:
            return None
        voice = await self.bot.i18n.for_guild(poll.guild_id)
        return {
            "embed": ranking_embed(poll, voice),
            "view": ranking_view(poll, await self._tz(poll.guild_id), voice),
        }

    async def render_decided(self, item: OutboxItem) -> dict[str, Any] | None:
        try:
            poll = await self.polls.get(int(item.payload["poll_id"]))
            event = await self.events.get(int(item.payload["event_id"]))
        except NotFound:
            return None
        if event.cancelled:
            return None
        url = (
            f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id}"
            if event.message_id
            else None
        )
        assert item.recipient_id is not None
        t = await self.bot.i18n.for_member(item.guild_id, item.recipient_id)  # the recipient's language
        text = decided_dm(poll.title, discord_time(event.start, "F"), url, t)
        return {"content": clip(text, MESSAGE_LIMIT)}
