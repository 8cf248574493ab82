"""The outbox's sender: delivers what the bot owes, resumes after a crash, retries what can be.

Features record promises with :func:`bot.services.outbox.enqueue` in the same transaction as the
state change that creates them, register a :class:`Topic` (how to render an item, what to do
once a post exists or a send failed for good), then :meth:`Outbox.kick` the sender.

The sender runs in the background, one item at a time, and never holds the database while it
waits for Discord, so a reminder to 500 students does not delay anyone's command. For each
item:

1. too late (``not_after`` passed) -> dropped with a reason, not sent;
2. a post found ``sending`` (a crash between posting and confirming) -> looked for in the
   channel by its marker; if there, adopted, never posted twice;
3. rendered by its topic (None -> dropped: no longer needed), marked ``sending`` (committed),
   sent, then marked ``delivered``;
4. a transient failure (429, 5xx, a timeout, a dropped connection) -> retried with exponential
   back-off and jitter, honouring Discord's retry-after; a permanent one (403: DMs closed or no
   access; 404: the channel or member is gone) -> failed, recorded, and the topic's
   ``on_failed`` is told (for example so ``/event mine`` says "we couldn't DM you").

At start-up the sender runs once, so everything owed before a restart is resumed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.services.outbox import MAX_ATTEMPTS, OutboxItem, OutboxService, backoff

if TYPE_CHECKING:
    from bot.core import CommonRoomBot

log = logging.getLogger(__name__)

Render = Callable[[OutboxItem], Awaitable[dict[str, Any] | None]]
AfterPost = Callable[[OutboxItem, int], Awaitable[None]]
OnFailed = Callable[[OutboxItem, str], Awaitable[None]]

JOB_ID = "outbox:wake"
BATCH = 20
#: How far back in a channel a post interrupted by a crash is looked for.
RECONCILE_HISTORY = 50

ALERT_TOPIC = "core.alert"
DMS_CLOSED = "dms-closed"
NO_ACCESS = "no-access"
GONE = "gone"


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    render: Render
    after_post: AfterPost | None = None
    on_failed: OnFailed | None = None


class Outbox:
    def __init__(self, bot: CommonRoomBot, service: OutboxService) -> None:
        self.bot = bot
        self.service = service
        self.topics: dict[str, Topic] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self.sent = 0  # deliveries since start, for metrics and tests

    def topic(
        self,
        name: str,
        render: Render,
        *,
        after_post: AfterPost | None = None,
        on_failed: OnFailed | None = None,
    ) -> None:
        """Register (or replace, on a cog reload) how items of ``name`` are delivered."""
        self.topics[name] = Topic(name, render, after_post, on_failed)

    def forget_topics(self, prefix: str) -> None:
        for name in [n for n in self.topics if n.startswith(prefix)]:
            del self.topics[name]

    def register_core_topics(self) -> None:
        self.topic(ALERT_TOPIC, _render_alert)

    async def alert(self, guild_id: int, problem: str, text: str) -> bool:
        """Tell the organisers' channel about a problem, once per ``problem`` key (not once per
        student it affects). False if there is no organisers' channel or it was already said.

        ``text`` must hold counts and channel names only, never a member's id or words.
        """
        config = await self.bot.guild_settings.get(guild_id)
        channel_id = config.channel("organisers")
        if channel_id is None:
            log.warning("No organisers' channel to tell about %s (guild %s)", problem, guild_id)
            return False
        added = await self.service.enqueue(
            guild_id=guild_id,
            key=f"{ALERT_TOPIC}:{guild_id}:{problem}",
            topic=ALERT_TOPIC,
            channel_id=channel_id,
            payload={"text": text[:1900]},
        )
        if added:
            self.kick()
        return added

    # -- running -----------------------------------------------------------------------------

    def kick(self) -> None:
        """Deliver what is due now, in the background (a no-op if a run is already going)."""
        self._start()

    def _start(self) -> asyncio.Task[None]:
        """The running delivery task, started if none is (a running one goes round once more)."""
        if self._task is not None and not self._task.done():
            self._again = True
        else:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox")
        return self._task

    async def drain(self) -> int:
        """Deliver everything due now, and wait for it (for start-up, jobs and tests)."""
        await asyncio.shield(self._start())
        return self.sent

    async def _run(self) -> None:
        try:
            while self.bot.db.is_open:  # not while shutting down
                self._again = False
                items = await self.service.due(BATCH, topics=frozenset(self.topics))
                for item in items:
                    if not self.bot.db.is_open:
                        return
                    await self._deliver_safely(item)
                if len(items) < BATCH and not self._again:
                    break
        except Exception:
            log.exception("The outbox sender stopped; it starts again at the next wake-up")
        # Not in a finally: a cancelled sender (shutting down) arms nothing.
        await self._arm_next()

    async def _arm_next(self) -> None:
        if not self.bot.scheduler.running or not self.bot.db.is_open:
            return
        try:
            when = await self.service.next_due_at(topics=frozenset(self.topics))
        except Exception:
            log.exception("Could not find when the outbox is next due")
            return
        if when is None:
            self.bot.scheduler.cancel(JOB_ID)
        else:
            self.bot.scheduler.at(JOB_ID, max(when, self.bot.clock.now()), self._wake)

    async def _wake(self) -> None:
        # Kick, not drain: the job ends at once, so the sender can arm the next wake-up itself.
        self.kick()

    # -- one item ------------------------------------------------------------------------------

    async def _deliver_safely(self, item: OutboxItem) -> None:
        try:
            await self._deliver(item)
        except Exception as error:  # a renderer's bug must not stop everyone else's messages
            log.exception("Outbox item %s (%s) failed unexpectedly", item.item_id, item.topic)
            await self._transient(item, f"error: {type(error).__name__}", None)

    async def _deliver(self, item: OutboxItem) -> None:
        topic = self.topics.get(item.topic)
        if topic is None:
            return
        now = self.bot.clock.now()
        if item.not_after is not None and now > item.not_after:
            await self.service.dropped(item.item_id, "too late to matter")
            log.info("Outbox item %s (%s) dropped: too late", item.item_id, item.topic)
            return
        if item.status == "sending" and item.is_post and item.marker:
            found = await self._find_posted(item)
            if found is not None:
                if topic.after_post is not None:
                    await topic.after_post(item, found)
                await self.service.delivered(item.item_id, found)
                log.info("Outbox item %s (%s) was already posted; adopted it", item.item_id, item.topic)
                return
        message = await topic.render(item)
        if message is None:
            await self.service.dropped(item.item_id, "no longer needed")
            return
        message.setdefault("allowed_mentions", discord.AllowedMentions.none())
        await self.service.begin(item.item_id)
        try:
            sent = await self._send(item, message)
        except discord.RateLimited as error:
            await self._transient(item, "rate limited", error.retry_after)
            return
        except discord.Forbidden as error:
            reason = DMS_CLOSED if item.recipient_id is not None else NO_ACCESS
            await self._permanent(item, topic, reason, error)
            return
        except discord.NotFound as error:
            await self._permanent(item, topic, GONE, error)
            return
        except discord.HTTPException as error:
            if error.status == 429 or error.status >= 500:
                retry_after = getattr(error, "retry_after", None)
                await self._transient(item, f"discord {error.status}", retry_after)
                return
            await self._permanent(item, topic, f"refused ({error.status})", error)
            return
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            await self._transient(item, f"network: {type(error).__name__}", None)
            return
        if item.is_post and topic.after_post is not None:
            await topic.after_post(item, sent.id)
        await self.service.delivered(item.item_id, sent.id)
        self.sent += 1

    async def _send(self, item: OutboxItem, message: dict[str, Any]) -> discord.Message:
        if item.recipient_id is not None:
            channel: Any = await self.bot.create_dm(discord.Object(id=item.recipient_id))
        else:
            assert item.channel_id is not None
            channel = self.bot.get_channel(item.channel_id) or await self.bot.fetch_channel(item.channel_id)
        sent: discord.Message = await channel.send(**message)
        return sent

    async def _find_posted(self, item: OutboxItem) -> int | None:
        """The message an interrupted post already made, found by the marker in its components."""
        assert item.channel_id is not None and item.marker is not None
        try:
            channel: Any = self.bot.get_channel(item.channel_id) or await self.bot.fetch_channel(
                item.channel_id
            )
            me = self.bot.user
            async for message in channel.history(limit=RECONCILE_HISTORY):
                if me is not None and message.author.id != me.id:
                    continue
                if _carries(message, item.marker):
                    found: int = message.id
                    return found
        except discord.HTTPException:
            log.warning("Could not look for an interrupted post of outbox item %s", item.item_id)
        return None

    async def _transient(self, item: OutboxItem, reason: str, retry_after: float | None) -> None:
        attempts = item.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self.service.failed(item.item_id, f"gave up after {attempts} tries ({reason})")
            topic = self.topics.get(item.topic)
            if topic is not None and topic.on_failed is not None:
                await topic.on_failed(item, reason)
            return
        delay = max(retry_after or 0.0, backoff(attempts))
        when: datetime = await self.service.retry(item.item_id, after=delay, reason=reason)
        log.info("Outbox item %s (%s): %s; retrying at %s", item.item_id, item.topic, reason, when)

    async def _permanent(self, item: OutboxItem, topic: Topic, reason: str, error: Exception) -> None:
        await self.service.failed(item.item_id, reason)
        log.info("Outbox item %s (%s) failed for good: %s (%s)", item.item_id, item.topic, reason, error)
        if topic.on_failed is not None:
            await topic.on_failed(item, reason)


async def _render_alert(item: OutboxItem) -> dict[str, Any] | None:
    text = item.payload.get("text")
    return {"content": str(text)} if text else None


def _carries(message: discord.Message, marker: str) -> bool:
    """Whether ``message`` is the post with ``marker``: a component's custom id equal to it, or
    the marker standing alone (not as part of a longer id) in the content or an embed footer."""
    for row in message.components:
        for child in getattr(row, "children", [row]):
            if getattr(child, "custom_id", None) == marker:
                return True
    alone = re.compile(rf"(?<![0-9A-Za-z]){re.escape(marker)}(?![0-9A-Za-z])")
    texts = [message.content or "", *(embed.footer.text or "" for embed in message.embeds)]
    return any(alone.search(text) for text in texts)
