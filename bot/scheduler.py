"""The scheduler: an in-memory index of what is due, rebuilt from the database at start.

APScheduler 3's AsyncIOScheduler does the waiting. The database stays the source of truth:
features store what must happen (a reminder, a pulse run, a scheduled post) with its due time,
and re-arm their jobs from it when the bot starts. A job therefore only ever *reads* its row
and marks it done in the same transaction as its effect, so a restart can neither lose nor
repeat it.

APScheduler reads ``datetime.now()`` to decide what is due. We route those reads through the
:class:`~bot.clock.Clock` given to the scheduler, per event loop, so the scheduler, the services
and (under SimCord) the simulated Discord all agree on the time.
"""

from __future__ import annotations

import asyncio
import datetime as _datetime
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

import apscheduler.executors.base as _aps_executors
import apscheduler.schedulers.base as _aps_base
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock

log = logging.getLogger(__name__)

# A job that could not run on time (the bot was busy or asleep) still runs if it is at most
# this late; features that care about lateness (reminders) check it themselves against the DB.
MISFIRE_GRACE_SECONDS = 6 * 60 * 60

_clocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Clock] = weakref.WeakKeyDictionary()
_install_lock = threading.Lock()
_installed = False


class _ClockAwareDatetime(_datetime.datetime):
    """``datetime`` as APScheduler sees it: ``now()`` asks the clock of the running loop."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Any:
        try:
            clock = _clocks.get(asyncio.get_running_loop())
        except RuntimeError:
            clock = None
        if clock is None:
            return _datetime.datetime.now(tz)
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        _aps_base.datetime = _ClockAwareDatetime
        _aps_executors.datetime = _ClockAwareDatetime
        _installed = True


class Scheduler:
    """A thin wrapper: one-shot jobs by id, at instants given by the clock."""

    def __init__(self, clock: Clock) -> None:
        _install()
        self.clock = clock
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
                "coalesce": True,
                "max_instances": 1,
            },
        )

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def start(self) -> None:
        _clocks[asyncio.get_running_loop()] = self.clock
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, func: Callable[..., Awaitable[Any]], *args: Any) -> Job:
        """Run ``func(*args)`` at ``when`` (replacing any job with the same id)."""
        return self._aps.add_job(
            func,
            trigger=DateTrigger(run_date=when.astimezone(UTC), timezone=UTC),
            args=args,
            id=job_id,
            name=job_id,
            replace_existing=True,
        )

    def cancel(self, job_id: str) -> bool:
        try:
            self._aps.remove_job(job_id)
        except JobLookupError:
            return False
        return True

    def get(self, job_id: str) -> Job | None:
        job: Job | None = self._aps.get_job(job_id)
        return job

    def jobs(self) -> list[Job]:
        return list(self._aps.get_jobs())
