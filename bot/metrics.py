"""How long the bot takes to answer: from receiving an interaction to its first response.

Timings are kept in memory per command (``/about``, ``/community join``, ``button:event-rsvp``,
...) in bounded windows, and optionally exported for Prometheus when
``[metrics] prometheus_port`` is set.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import deque
from collections.abc import Iterable
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
        self._observer: Any = None

    def observe(self, key: str, seconds: float) -> None:
        bucket = self._samples.get(key)
        if bucket is None:
            bucket = self._samples[key] = deque(maxlen=self.window)
        bucket.append(seconds)
        if self._observer is not None:
            self._observer.labels(key).observe(seconds)

    def samples(self, key: str) -> list[float]:
        return list(self._samples.get(key, ()))

    def summary(self) -> list[TimingSummary]:
        result = []
        for key, bucket in sorted(self._samples.items()):
            values = list(bucket)
            result.append(
                TimingSummary(
                    key=key,
                    count=len(values),
                    median_ms=statistics.median(values) * 1000,
                    p99_ms=percentile(values, 0.99) * 1000,
                )
            )
        return result

    def attach(self, interaction: discord.Interaction[Any]) -> None:
        """Start timing ``interaction``; its first response stops the clock."""
        started = time.perf_counter()
        key = interaction_key(interaction)
        interaction._cs_response = _TimedResponse(interaction, self, key, started)  # type: ignore[attr-defined]

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
        self._observer = Histogram(
            "commonroom_interaction_seconds",
            "Time from receiving an interaction to the bot's first response",
            ["command"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        for key, bucket in self._samples.items():
            for seconds in bucket:
                self._observer.labels(key).observe(seconds)
        server, _thread = start_http_server(port, addr=host, registry=registry)
        log.info("Serving Prometheus metrics on http://%s:%d/metrics", host, port)
        return server


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

    async def defer(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().defer(*args, **kwargs)
        finally:
            self._stop()

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().send_message(*args, **kwargs)
        finally:
            self._stop()

    async def edit_message(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().edit_message(*args, **kwargs)
        finally:
            self._stop()

    async def send_modal(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().send_modal(*args, **kwargs)
        finally:
            self._stop()

    async def autocomplete(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().autocomplete(*args, **kwargs)
        finally:
            self._stop()
