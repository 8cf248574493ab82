"""The process dying mid-send, for every feature's outbox tests under SimCord.

A crash is a :class:`Crash` raised from inside the bot (nothing in the bot catches it); then a
fresh bot on the same database, as after the process was killed.
"""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
import simcord

from bot.core import CommonRoomBot
from bot.services.outbox import OutboxService
from tests.conftest import BotFactory


class Crash(BaseException):
    """The process dying: not an Exception, so nothing in the bot catches it."""


def crashed(env: simcord.Env) -> bool:
    return any(isinstance(e, Crash) for e in env.errors)


def crash_on(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> None:
    """The process dies the moment ``target.name`` is called (sync or async: the call raises)."""

    def dying(*args: Any, **kwargs: Any) -> NoReturn:
        raise Crash

    monkeypatch.setattr(target, name, dying)


def crash_after_delivering(monkeypatch: pytest.MonkeyPatch, service: OutboxService, n: int) -> None:
    """The process dies right after Discord accepted the (n+1)th message, before it was marked."""
    real = service.delivered
    confirmed = 0

    async def dying(item_id: int, message_id: int | None = None) -> None:
        nonlocal confirmed
        if confirmed == n:
            raise Crash
        confirmed += 1
        await real(item_id, message_id)

    monkeypatch.setattr(service, "delivered", dying)


def crash_before_recording_posts(monkeypatch: pytest.MonkeyPatch, posts: Any) -> None:
    """The process dies right after a feature's post went out, before the feature recorded it
    (``posts`` is the feature's poster: its ``posted`` hook, registered with the outbox)."""
    crash_on(monkeypatch, posts, "posted")
    posts.register_topics()


async def restart_after_crash(env: simcord.Env, make_bot: BotFactory) -> CommonRoomBot:
    """The process crashed; a fresh bot starts on the same database and has a minute to catch up."""
    assert crashed(env)
    fresh = make_bot()
    await env.restart_bot(fresh)
    await env.advance_time(60)
    return fresh
