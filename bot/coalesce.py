"""Redraw something posted (a card) off the caller's path, coalescing bursts: one home for it.

After a press, the presser is answered at once and the card is redrawn in the background. One
redraw per key runs at a time; a press while it is in flight only marks the key stale, and one
more redraw follows from the state then. So every press is on the card within two redraws, and
500 presses in a second make a handful of message edits, not 500 (Discord allows about five
edits per five seconds on a channel; one per press would queue for minutes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, what: str) -> None:
        self.what = what
        self._running: set[Hashable] = set()
        self._stale: set[Hashable] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def soon(self, key: Hashable, redraw: Callable[[], Awaitable[None]]) -> None:
        """Run ``redraw()`` for ``key`` soon, once more if asked again while it runs."""
        if key in self._running:
            self._stale.add(key)
            return
        self._running.add(key)
        task = asyncio.create_task(self._run(key, redraw), name=f"redraw {self.what} {key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: Hashable, redraw: Callable[[], Awaitable[None]]) -> None:
        try:
            while True:
                self._stale.discard(key)
                await redraw()
                if key not in self._stale:
                    return
        except Exception:  # a background task: log it; the next press redraws again
            log.exception("Could not redraw the %s %s", self.what, key)
        finally:
            self._running.discard(key)
            self._stale.discard(key)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
