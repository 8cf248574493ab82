"""The communities benchmark keeps working (it measures nothing here: numbers live in bench/)."""

from __future__ import annotations

from bench.communities import measure


async def test_the_communities_benchmark_runs() -> None:
    rows = await measure(3)
    assert [r.label for r in rows] == [
        "/community join, identity",
        "/community leave, identity",
        "/community join, interest",
        "/community leave, interest",
    ]
    assert all(r.count == 3 and r.median_ms > 0 for r in rows)
