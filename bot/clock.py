"""Time, injected.

Every service and the scheduler ask a :class:`Clock` for the time instead of calling
``datetime.now()``. Times are aware UTC datetimes; they are stored as UTC and shown to people
with Discord timestamps, so each person sees their own local time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

import discord.utils


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, as an aware UTC datetime."""
        ...


class SystemClock:
    """Discord's idea of now: real UTC in production.

    It reads :func:`discord.utils.utcnow`, which SimCord points at its virtual clock while the
    bot runs under it. So ``env.advance_time`` moves this clock, the event loop's timers and the
    scheduler together, with no extra wiring in any test suite.
    """

    def now(self) -> datetime:
        return discord.utils.utcnow().astimezone(UTC)


class ManualClock:
    """A clock that only moves when told to: for service tests against real SQLite."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 10, 1, 9, 0, tzinfo=UTC)).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        self._now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


def to_timestamp(when: datetime) -> int:
    """Seconds since the epoch, for storage and for Discord's ``<t:…>`` markup."""
    return int(when.astimezone(UTC).timestamp())


def from_timestamp(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def discord_time(when: datetime, style: str = "F") -> str:
    """Discord timestamp markup: everyone sees it in their own timezone."""
    return f"<t:{to_timestamp(when)}:{style}>"
