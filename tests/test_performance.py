"""Guards against slow queries coming back (issue 15).

* Every hot query, run through EXPLAIN QUERY PLAN on a seeded database, must not scan a whole
  ``events``, ``event_rsvps``, ``pulse_*`` or ``signposts`` table.
* The number of SQL statements a student's read costs is bounded, whatever the data (counted
  through the connection's trace hook), so an N+1 cannot return.
"""

from __future__ import annotations

import re

import pytest

from bench.term import Size, seed_large_server
from bot.clock import ManualClock, to_timestamp
from bot.db import Database
from bot.services.events import EventService

GUARDED = re.compile(r"^SCAN (events|event_rsvps|pulse_\w+|signposts)\b")
MEMBER = 4242

# (label, SQL, parameters): the hot reads of student interactions and start-up.
HOT_QUERIES: list[tuple[str, str, tuple[object, ...]]] = [
    (
        "/event list",
        "SELECT event_id FROM events WHERE guild_id = ? AND status = 'scheduled' AND ends_at > ?"
        " AND starts_at > ? ORDER BY starts_at, event_id LIMIT ?",
        (1, 0, 0, 200),
    ),
    (
        "event counts",
        "SELECT event_id, status, COUNT(*) AS n FROM event_rsvps WHERE event_id IN (?, ?)"
        " GROUP BY event_id, status",
        (1, 2),
    ),
    (
        "/event mine",
        "SELECT e.event_id, r.status FROM event_rsvps r JOIN events e ON e.event_id = r.event_id"
        " WHERE e.guild_id = ? AND r.member_id = ? AND r.status != 'not_going' AND e.ends_at > ?"
        " ORDER BY e.starts_at",
        (1, MEMBER, 0),
    ),
    (
        "waiting places",
        "SELECT w.event_id, COUNT(*) AS n FROM event_rsvps w JOIN event_rsvps me ON"
        " me.event_id = w.event_id AND me.member_id = ? WHERE w.event_id IN (?) AND w.status = 'waiting'"
        " AND w.seq < me.seq GROUP BY w.event_id",
        (MEMBER, 1),
    ),
    (
        "Going press",
        "SELECT COUNT(*) FROM event_rsvps WHERE event_id = ? AND status = 'going'",
        (1,),
    ),
    (
        "start-up: unposted cards",
        "SELECT event_id, starts_at FROM events WHERE status = 'scheduled' AND message_id IS NULL AND"
        " starts_at > ?",
        (0,),
    ),
    (
        "/support",
        "SELECT id FROM signposts WHERE guild_id = ? ORDER BY position",
        (1,),
    ),
]


@pytest.fixture
async def seeded(db: Database, clock: ManualClock) -> Database:
    size = Size(upcoming=60, past=300, rsvps=3000, communities=5, signposts=20, reminders=40)
    seed_large_server(db.path, 1, [MEMBER], to_timestamp(clock.now()), size)
    await db.execute("ANALYZE")
    return db


@pytest.mark.parametrize(("label", "sql", "params"), HOT_QUERIES, ids=[q[0] for q in HOT_QUERIES])
async def test_no_hot_query_scans_a_guarded_table(
    seeded: Database, label: str, sql: str, params: tuple[object, ...]
) -> None:
    plan = [row["detail"] for row in await seeded.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)]
    scans = [step for step in plan if GUARDED.match(step)]
    assert not scans, f"{label} scans a whole table: {plan}"


async def _count_statements(db: Database, action: object) -> int:
    statements: list[str] = []
    conn = db._require()
    await conn.set_trace_callback(statements.append)
    try:
        await action  # type: ignore[misc]
    finally:
        await conn.set_trace_callback(None)
    return len(statements)


async def test_a_student_read_costs_a_bounded_number_of_statements(
    seeded: Database, clock: ManualClock
) -> None:
    service = EventService(seeded, clock)
    upcoming = await service.upcoming(1)
    mine = await service.mine(1, MEMBER)
    assert len(upcoming) == 60 and len(mine) == 10
    assert any(item.waiting_position for item in mine)
    # BEGIN, the rows, the counts (one query per 500 events), COMMIT: never one per event.
    assert await _count_statements(seeded, service.upcoming(1)) <= 4
    assert await _count_statements(seeded, service.mine(1, MEMBER)) <= 5
