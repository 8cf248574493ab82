"""The events benchmark keeps working (small numbers; the real ones live in bench/events.py)."""

from __future__ import annotations

from bench.events import burst, rearm


async def test_the_events_benchmark_runs() -> None:
    elapsed, jobs = await rearm(20, 200)
    # Armed: the four reminders due within the hour (the rest wait for the window job), and it.
    assert jobs == 5 and elapsed > 0
    assert await burst(20, 5) > 0
