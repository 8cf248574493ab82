"""How long the bot takes to answer an interaction: to its first response, and to completion.

Two clocks start when an interaction is received (``InteractionTimings.attach``, called from the
bot's ``dispatch`` before any handler runs):

* **first response** (``samples``): the first ``defer``/``send_message``/``send_modal``/... -- what
  Discord's 3-second deadline is about;
* **completion** (``completed``): when every handler discord.py started for the interaction (the
  command tree's invoker, a view's or modal's item callback, a dynamic item, the
  ``on_interaction`` listeners that route stateless forms) has returned. A command that defers
  and then works hides its work from the first clock, not from this one.

Handler tasks are recognised by a task factory installed on the running loop (chaining any
factory already there): it looks at the coroutine a task is created for and, when it is one of
discord.py's interaction handlers, adds the task to that interaction's receipt.

Timings are kept in memory per command (``/about``, ``/community join``, ``button:event-rsvp``,
...) in bounded windows, and optionally exported for Prometheus when
``[metrics] prometheus_port`` is set.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

import discord

log = logging.getLogger(__name__)

WINDOW = 10_000


@dataclass(frozen=True, slots=True)
class TimingSummary:
    key: str
    count: int
    median_ms: float
    p99_ms: float
    #: Receipt to the handler's completion (0 when no completion was timed for this key).
    completed_median_ms: float = 0.0
    completed_p99_ms: float = 0.0


def percentile(samples: Iterable[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def interaction_key(interaction: discord.Interaction[Any]) -> str:
    """A stable label for what was used, with no user data in it."""
    data: Any = interaction.data or {}
    if interaction.type in (
        discord.InteractionType.application_command,
        discord.InteractionType.autocomplete,
    ):
        parts = [str(data.get("name", "?"))]
        options = data.get("options") or []
        while options and options[0].get("type") in (1, 2):  # subcommand (group)
            parts.append(str(options[0].get("name")))
            options = options[0].get("options") or []
        prefix = "autocomplete:" if interaction.type is discord.InteractionType.autocomplete else "/"
        return prefix + " ".join(parts)
    custom_id = str(data.get("custom_id", "?"))
    # Persistent components carry ids after a colon (``event:rsvp:42``); keep only the kind.
    kind = ":".join(part for part in custom_id.split(":") if not part.isdigit())[:60]
    if interaction.type is discord.InteractionType.modal_submit:
        return f"modal:{kind}"
    return f"component:{kind}"


class InteractionTimings:
    def __init__(self, window: int = WINDOW) -> None:
        self.window = window
        self._samples: dict[str, deque[float]] = {}
        self._completed: dict[str, deque[float]] = {}
        self._observer: Any = None
        self._completed_observer: Any = None

    def observe(self, key: str, seconds: float) -> None:
        self._keep(self._samples, key, seconds)
        if self._observer is not None:
            self._observer.labels(key).observe(seconds)

    def observe_completed(self, key: str, seconds: float) -> None:
        self._keep(self._completed, key, seconds)
        if self._completed_observer is not None:
            self._completed_observer.labels(key).observe(seconds)

    def _keep(self, buckets: dict[str, deque[float]], key: str, seconds: float) -> None:
        """Add ``seconds`` to ``key``'s window of recent samples, dropping the oldest when full."""
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = deque(maxlen=self.window)
        bucket.append(seconds)

    def samples(self, key: str) -> list[float]:
        """Receipt to first response, in seconds."""
        return list(self._samples.get(key, ()))

    def completed(self, key: str) -> list[float]:
        """Receipt to the handler's completion, in seconds."""
        return list(self._completed.get(key, ()))

    def summary(self) -> list[TimingSummary]:
        result = []
        for key, bucket in sorted(self._samples.items()):
            values = list(bucket)
            done = list(self._completed.get(key, ()))
            result.append(
                TimingSummary(
                    key=key,
                    count=len(values),
                    median_ms=statistics.median(values) * 1000,
                    p99_ms=percentile(values, 0.99) * 1000,
                    completed_median_ms=statistics.median(done) * 1000 if done else 0.0,
                    completed_p99_ms=percentile(done, 0.99) * 1000,
                )
            )
        return result

    def attach(self, interaction: discord.Interaction[Any]) -> None:
        """Start timing ``interaction``: its first response stops one clock, its handlers' end the other."""
        started = time.perf_counter()
        key = interaction_key(interaction)
        interaction._cs_response = _TimedResponse(interaction, self, key, started)  # type: ignore[attr-defined]
        _Receipt(interaction, self, key, started, complete=_install_factory())

    def serve_prometheus(self, host: str, port: int) -> Any:
        """Serve ``/metrics`` on ``host:port``; returns the HTTP server (None if unavailable)."""
        try:
            from prometheus_client import CollectorRegistry, Histogram, start_http_server
        except ImportError:
            log.warning(
                "metrics.prometheus_port is set but prometheus-client is not installed; "
                'install it with: pip install -e ".[metrics]"'
            )
            return None
        registry = CollectorRegistry()

        def histogram(name: str, documentation: str, kept: dict[str, deque[float]]) -> Any:
            """A histogram per command, holding what was already observed before it existed."""
            made = Histogram(
                name,
                documentation,
                ["command"],
                buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
                registry=registry,
            )
            for key, bucket in kept.items():
                for seconds in bucket:
                    made.labels(key).observe(seconds)
            return made

        self._observer = histogram(
            "commonroom_interaction_seconds",
            "Time from receiving an interaction to the bot's first response",
            self._samples,
        )
        self._completed_observer = histogram(
            "commonroom_interaction_completed_seconds",
            "Time from receiving an interaction to its handler's completion",
            self._completed,
        )
        server, _thread = start_http_server(port, addr=host, registry=registry)
        log.info("Serving Prometheus metrics on http://%s:%d/metrics", host, port)
        return server


def _stops_clock(respond: Callable[..., Awaitable[Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """One of discord.py's response methods, then :meth:`_TimedResponse._stop` (even if it failed)."""

    @functools.wraps(respond)
    async def timed(self: _TimedResponse, *args: Any, **kwargs: Any) -> Any:
        try:
            return await respond(self, *args, **kwargs)
        finally:
            self._stop()

    return timed


class _TimedResponse(discord.InteractionResponse[Any]):
    """discord.py's response object, noting when the first response went out."""

    __slots__ = ("_key", "_started", "_timings")

    def __init__(
        self, parent: discord.Interaction[Any], timings: InteractionTimings, key: str, started: float
    ) -> None:
        super().__init__(parent)
        self._timings: InteractionTimings | None = timings
        self._key = key
        self._started = started

    def _stop(self) -> None:
        if self._timings is not None:
            self._timings.observe(self._key, time.perf_counter() - self._started)
            self._timings = None

    # Each way of responding: the first of them to return stops the clock.
    defer = _stops_clock(discord.InteractionResponse.defer)
    send_message = _stops_clock(discord.InteractionResponse.send_message)
    edit_message = _stops_clock(discord.InteractionResponse.edit_message)
    send_modal = _stops_clock(discord.InteractionResponse.send_modal)
    autocomplete = _stops_clock(discord.InteractionResponse.autocomplete)


# -- completion: the handler tasks discord.py starts for an interaction -------------------------

# The coroutines discord.py runs an interaction's handlers in (discord.py 2.x).
_HANDLER_CODES = frozenset(
    {
        "CommandTree._from_interaction.<locals>.wrapper",
        "View._scheduled_task",
        "Modal._scheduled_task",
        "ViewStore.schedule_dynamic_item_call",
        "Client._run_event",
    }
)
# Handler tasks created before the interaction's receipt (the tree's and the views' tasks are
# created just before ``dispatch("interaction")``), by ``id(interaction)``.
_early: dict[int, list[tuple[Any, asyncio.Task[Any]]]] = {}
# Receipts still waiting for their handlers, by ``id(interaction)``.
_live: dict[int, _Receipt] = {}


def _interaction_of(coro: Any) -> Any:
    code = getattr(coro, "cr_code", None)
    if code is None or code.co_qualname not in _HANDLER_CODES:
        return None
    frame = getattr(coro, "cr_frame", None)
    if frame is None:
        return None
    local = frame.f_locals
    if code.co_name == "_run_event":
        args = local.get("args") or ()
        if local.get("event_name") != "on_interaction" or not args:
            return None
        return args[0]
    return local.get("interaction")


def _factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
    previous = getattr(loop, "_commonroom_previous_factory", None)
    if previous is not None:
        task: asyncio.Task[Any] = previous(loop, coro, **kwargs)
    else:
        task = asyncio.Task(coro, loop=loop, **kwargs)
    interaction = _interaction_of(coro)
    if interaction is not None:
        receipt = _live.get(id(interaction))
        if receipt is not None and receipt.interaction is interaction:
            receipt.track(task)
        else:
            _early.setdefault(id(interaction), []).append((interaction, task))
    return task


def _install_factory() -> bool:
    """Install the task factory on the running loop; False if it was not there already."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    if loop.get_task_factory() is _factory:
        return True
    loop._commonroom_previous_factory = loop.get_task_factory()  # type: ignore[attr-defined]
    loop.set_task_factory(_factory)
    return False


class _Receipt:
    """One interaction's completion clock: stops when its last handler task is done."""

    __slots__ = ("complete", "interaction", "key", "pending", "started", "timings")

    def __init__(
        self,
        interaction: Any,
        timings: InteractionTimings,
        key: str,
        started: float,
        *,
        complete: bool,
    ) -> None:
        self.interaction = interaction
        self.timings = timings
        self.key = key
        self.started = started
        self.pending = 0
        # False when the factory was installed only now, so this interaction's first tasks were missed.
        self.complete = complete
        early = _early.pop(id(interaction), [])
        _early.clear()  # anything left belongs to an interaction nobody timed
        if not complete:
            return
        _live[id(interaction)] = self
        for owner, task in early:
            if owner is interaction:
                self.track(task)
        # Listener tasks are created right after this, in the same step; if none came, let go.
        asyncio.get_running_loop().call_soon(self._check_empty)

    def track(self, task: asyncio.Task[Any]) -> None:
        self.pending += 1
        task.add_done_callback(self._done)

    def _check_empty(self) -> None:
        if self.pending == 0 and _live.get(id(self.interaction)) is self:
            del _live[id(self.interaction)]

    def _done(self, _task: asyncio.Task[Any]) -> None:
        self.pending -= 1
        if self.pending == 0:
            if _live.get(id(self.interaction)) is self:
                del _live[id(self.interaction)]
            self.timings.observe_completed(self.key, time.perf_counter() - self.started)
