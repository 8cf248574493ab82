"""Workshop evaluation (issue #19): asking attendees when an event ends and months later, closing
each run, and the DMs that ask.

* One scheduler job (``event-eval``) is armed at the next moment the database says something
  falls due: an evaluated event ends, a run closes, a follow-up is owed. It does all that is due,
  each step one transaction that re-reads its rows (so a repeat or a restart neither loses nor
  repeats anything), then arms itself again. At start-up the cog arms it from the database.
* Each DM is a promise in the outbox (``events.evaluation``), written with the run that owes it;
  a member who has left the server, or whose DMs are closed, is counted on the run as not
  reached and not tried again.
* After a run closes, the write-ahead log is emptied (retried if a reader blocks it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import discord

from bot.core import CommonRoomBot
from bot.feature import truncate_wal_until_done
from bot.services.event_evaluations import ASK_TOPIC, EvaluationService
from bot.services.outbox import OutboxItem
from cogs.events.evaluation_render import ask_dm
from cogs.events.evaluation_views import ask_view

log = logging.getLogger("cogs.events")

T = TypeVar("T")

JOB = "event-eval"
#: After a step failed unexpectedly, the job runs again no sooner than this.
RETRY = timedelta(minutes=5)


class EvaluationJobs:
    def __init__(self, bot: CommonRoomBot, service: EvaluationService) -> None:
        self.bot = bot
        self.service = service
        self._failed = False

    def register(self) -> None:
        self.bot.outbox.topic(ASK_TOPIC, self.render_ask, on_failed=self.ask_failed)

    def unregister(self) -> None:
        self.bot.scheduler.cancel(JOB)

    # -- the job ---------------------------------------------------------------------------

    async def arm(self, *, not_before: timedelta | None = None) -> None:
        """Arm the job at the next thing due (at once if it is overdue), or not at all."""
        when = await self.service.next_due()
        if when is None:
            self.bot.scheduler.cancel(JOB)
            return
        now = self.bot.clock.now()
        self.bot.scheduler.at(JOB, max(when, now + (not_before or timedelta())), self.run_due)

    async def run_due(self) -> None:
        due = await self.service.due()
        self._failed = False
        for event_id in due.ended:
            await self._step(self.service.ask_after, event_id)
        closed_in = set()
        for run_id in due.closing:
            guild_id = await self._step(self._close, run_id)
            if guild_id is not None:
                closed_in.add(guild_id)
        for run_id in due.follow_ups:
            await self._step(self.service.ask_follow_up, run_id)
        if due:
            self.bot.outbox.kick()
        for guild_id in closed_in:
            await truncate_wal_until_done(
                self.bot, guild_id, f"event-eval:truncate:{guild_id}", self.service.truncate_wal
            )
        await self.arm(not_before=RETRY if self._failed else None)

    async def _step(self, step: Callable[[int], Awaitable[T]], item_id: int) -> T | None:
        """One step, on its own: a failure is logged and tried again later, never stops the rest."""
        try:
            return await step(item_id)
        except Exception:
            log.exception("An evaluation step failed (%s %s)", step.__name__, item_id)
            self._failed = True
            return None

    async def _close(self, run_id: int) -> int | None:
        """Close a due run; the server's id if it closed now (its log is then emptied)."""
        context = await self.service.context(run_id)
        return context.guild_id if await self.service.close(run_id) else None

    # -- the DM ----------------------------------------------------------------------------

    async def render_ask(self, item: OutboxItem) -> dict[str, Any] | None:
        assert item.recipient_id is not None
        run_id = int(item.payload["run_id"])
        context = await self.service.ask_due(run_id, item.recipient_id)
        if context is None:
            return None  # closed meanwhile, or they were forgotten
        if not await self._still_member(context.guild_id, item.recipient_id):
            await self.service.unreachable(run_id)
            return None
        t = await self.bot.i18n.for_member(context.guild_id, item.recipient_id)  # the recipient's language
        return {"content": ask_dm(context, t), "view": ask_view(run_id, t)}

    async def ask_failed(self, item: OutboxItem, reason: str) -> None:
        """DMs closed (or Discord never took it): counted for the organisers, not tried again."""
        await self.service.unreachable(int(item.payload["run_id"]))

    async def _still_member(self, guild_id: int, member_id: int) -> bool:
        """False only when Discord says they are no longer on the server."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or guild.get_member(member_id) is not None:
            return True
        try:
            await guild.fetch_member(member_id)
        except discord.NotFound:
            return False
        except discord.HTTPException:
            return True  # can't tell: try the DM
        return True
