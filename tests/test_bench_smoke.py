"""The benchmark harness keeps working (it measures nothing here: numbers live in bench/)."""

from __future__ import annotations

from bench._harness import about_baseline


async def test_the_interaction_overhead_benchmark_runs() -> None:
    bare, ours = await about_baseline(3)
    assert (bare.count, ours.count) == (3, 3)
    assert bare.median_ms > 0 and ours.median_ms > 0
