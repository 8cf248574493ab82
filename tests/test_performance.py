"""Guards against slow queries coming back (issue 15).

* Every hot query, run through EXPLAIN QUERY PLAN on a seeded database, must not scan a whole
  ``events``, ``event_rsvps``, ``pulse_*`` or ``signposts`` table.
* The number of SQL statements a student's read costs is bounded, whatever the data (counted
  through the connection's trace hook), so an N+1 cannot return.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest

from bench.term import Size, seed_large_server
from bot.clock import ManualClock, to_timestamp
from bot.db import Database, Tx
from bot.errors import UserError
from bot.services.events import EventService
from tests.conftest import count_trips

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
    """Statements ``action`` runs on any of the database's connections (writer, reader, loop reader)."""
    statements: list[str] = []
    connections = db.connections()
    assert len(connections) == 3
    for conn in connections:
        await conn.set_trace_callback(statements.append)
    try:
        await action  # type: ignore[misc]
    finally:
        for conn in connections:
            await conn.set_trace_callback(None)
    assert statements, "nothing was traced"
    return len(statements)


async def test_a_student_read_costs_a_bounded_number_of_statements(
    seeded: Database, clock: ManualClock
) -> None:
    service = EventService(seeded, clock)
    upcoming = await service.upcoming(1)
    mine = await service.mine(1, MEMBER)
    assert len(upcoming) == 60 and len(mine) == 10
    assert any(item.waiting_position for item in mine)
    # Asked for, each event's counts are read with it, and they are the counts /event list shows.
    listed = {e.event_id: (e.going, e.waiting, e.maybe) for e in upcoming}
    counted = await service.mine(1, MEMBER, counts=True)
    assert [listed[m.event.event_id] for m in counted] == [
        (m.event.going, m.event.waiting, m.event.maybe) for m in counted
    ]
    assert any(m.event.going for m in counted)
    # One statement each (the counts and waiting places are subqueries): never one per event.
    assert await _count_statements(seeded, service.upcoming(1)) == 1
    assert await _count_statements(seeded, service.mine(1, MEMBER)) == 1
    assert await _count_statements(seeded, service.my_events(1, MEMBER)) == 1
    # /event list: who may see what, then one page read whole.
    scopes = await service.upcoming_scopes(1)
    assert [event_id for event_id, _ in scopes] == [e.event_id for e in upcoming]
    page = [event_id for event_id, _ in scopes[5:10]]
    assert [e.event_id for e in await service.events(1, page)] == page
    assert await _count_statements(seeded, service.upcoming_scopes(1)) == 1
    assert await _count_statements(seeded, service.events(1, page)) == 1
    assert await service.events(2, page) == []  # another server's ids show nothing


# -- the read-only connection (bot/db.py) -------------------------------------------------------


async def test_reads_use_a_read_only_connection(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetchall("INSERT INTO bot_meta (key, value) VALUES ('x', 'y')")
    assert await db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key = 'x'") == 0


async def test_a_read_sees_every_write_committed_before_it(db: Database) -> None:
    for i in range(20):
        await db.execute(
            "INSERT INTO bot_meta (key, value) VALUES ('n', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(i),),
        )
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'n'") == str(i)
        async with db.read() as tx:
            assert await tx.fetchval("SELECT value FROM bot_meta WHERE key = 'n'") == str(i)


async def test_a_read_runs_while_a_write_is_open_and_sees_the_committed_state(db: Database) -> None:
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('k', 'old')")
    async with db.transaction() as tx:
        await tx.execute("UPDATE bot_meta SET value = 'new' WHERE key = 'k'")
        # The writer's lock is held: a read still answers at once, from the last commit.
        seen = await asyncio.wait_for(db.fetchval("SELECT value FROM bot_meta WHERE key = 'k'"), 5)
        assert seen == "old"
    assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'k'") == "new"


async def test_mentor_status_is_one_trip_to_the_database(seeded: Database, clock: ManualClock) -> None:
    from bot.services.mentoring import MentoringService

    service = MentoringService(seeded, clock, b"k" * 32)  # the seed pairs MEMBER with a mentor
    first = await service.status(1, MEMBER)  # stores the server's default experiences once
    assert [m.mentee_id for m in first.matches] == [MEMBER] and "mentee" in first.profiles
    assert await count_trips(service.status(1, MEMBER)) == 1
    again = await service.status(1, MEMBER)
    assert again.labels == first.labels and again.labels


async def test_several_reads_in_one_trip_see_one_committed_state(db: Database) -> None:
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('a', '1'), ('b', '2')")
    seen: list[list[sqlite3.Row]] = []

    async def read() -> None:
        seen.extend(
            await db.read_many(
                ("SELECT value FROM bot_meta WHERE key = ?", ("a",)),
                ("SELECT key, value FROM bot_meta WHERE key IN ('a', 'b') ORDER BY key", ()),
                ("SELECT value FROM bot_meta WHERE key = 'missing'", ()),
            )
        )

    async with db.transaction() as tx:
        await tx.execute("UPDATE bot_meta SET value = '9' WHERE key = 'a'")
        # The writer holds its lock with a change not committed: the reads answer at once, from
        # the last commit, all of them in one trip to the reader's thread.
        assert await asyncio.wait_for(count_trips(read()), 5) == 1
    a, both, none = seen
    assert [r[0] for r in a] == ["1"] and [tuple(r) for r in both] == [("a", "1"), ("b", "2")] and none == []
    # A statement that fails ends the snapshot it opened: the next read sees the new commit.
    with pytest.raises(sqlite3.OperationalError):
        await db.read_many(("SELECT 1", ()), ("SELECT nope FROM bot_meta", ()))
    [[row]] = await db.read_many(("SELECT value FROM bot_meta WHERE key = 'a'", ()))
    assert row[0] == "9"
    assert await count_trips(db.read_many()) == 0  # nothing to read: no trip, no snapshot


async def test_reads_issued_together_share_one_trip_and_keep_their_own_answers(threaded: Database) -> None:
    db = threaded  # every read goes to the reader's thread, as slow ones do
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('a', '1'), ('b', '2')")

    async def together() -> list[object]:
        return await asyncio.gather(
            db.fetchval("SELECT value FROM bot_meta WHERE key = ?", ("a",)),
            db.fetchall("SELECT key FROM bot_meta ORDER BY key"),
            db.fetchone("SELECT value FROM bot_meta WHERE key = 'missing'"),
            db.fetchall("SELECT nope FROM bot_meta"),  # a mistake is its own, not the others'
            db.fetchval("SELECT value FROM bot_meta WHERE key = ?", ("b",)),
            return_exceptions=True,
        )

    answers: list[object] = []
    trips = await count_trips(asyncio.wait_for(_into(answers, together()), 5))
    a, keys, missing, mistake, b = answers
    assert (a, [r[0] for r in keys], missing, b) == ("1", ["a", "b"], None, "2")  # type: ignore[union-attr]
    assert isinstance(mistake, sqlite3.OperationalError)
    # The first read finds the reader idle and goes at once; the four asked meanwhile share the
    # next trip: two wake-ups of the loop, not five.
    assert trips == 2
    assert await count_trips(db.fetchall("SELECT 1")) == 1  # a lone read: one trip, as before


async def test_a_reader_that_gives_up_does_not_strand_the_others(threaded: Database) -> None:
    db = threaded
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('a', '1')")
    impatient = asyncio.ensure_future(db.fetchval("SELECT value FROM bot_meta WHERE key = 'a'"))
    patient = asyncio.ensure_future(db.fetchval("SELECT value FROM bot_meta WHERE key = 'a'"))
    await asyncio.sleep(0)
    impatient.cancel()
    assert await asyncio.wait_for(patient, 5) == "1"
    assert impatient.cancelled()
    # A read already waiting for its trip when the database closes is answered first; one asked
    # for after is refused at once. None waits forever.
    going = asyncio.ensure_future(db.fetchval("SELECT 6"))
    queued = asyncio.ensure_future(db.fetchval("SELECT 7"))
    await asyncio.sleep(0)
    await asyncio.wait_for(db.close(), 5)
    assert (going.result(), queued.result()) == (6, 7)
    with pytest.raises(RuntimeError, match="not open"):
        await asyncio.wait_for(db.fetchval("SELECT 1"), 5)


#: A read that takes as long as it is asked to: SQLite counts up to a number.
COUNT_TO = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {}) SELECT MAX(x) FROM n"


async def test_a_quick_read_takes_no_trip_to_a_thread_and_sees_every_commit(db: Database) -> None:
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('a', '1')")

    async def reads() -> None:
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'a'") == "1"
        [[row]] = await db.read_many(("SELECT value FROM bot_meta WHERE key = ?", ("a",)))
        assert row[0] == "1"

    assert await count_trips(reads(), where="thread") == 0  # both read on the loop's own thread
    assert await count_trips(reads(), where="loop") == 2
    async with db.transaction() as tx:
        await tx.execute("UPDATE bot_meta SET value = '2' WHERE key = 'a'")
        # Not committed yet: a read sees the last commit, as on the reader.
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'a'") == "1"
    assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'a'") == "2"
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        await db.fetchall("SELECT nope FROM bot_meta")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetchall("DELETE FROM bot_meta")  # a read connection never writes
    assert await db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key = 'a'") == 1


async def test_a_slow_read_is_interrupted_and_finishes_on_the_thread_without_holding_up_the_loop(
    db: Database,
) -> None:
    slow = COUNT_TO.format("?").replace("MAX(x)", "COUNT(*)")
    ticks = 0
    reading = True

    async def ticker() -> None:
        nonlocal ticks
        while reading:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    started = ticks
    loop_reader = db.connections()[2]
    try:
        # Far more than the loop's budget: interrupted there, then read whole on the thread.
        assert await count_trips(db.fetchval(slow, (3_000_000,))) == 1
    finally:
        reading = False
        await task
    assert ticks > started + 1  # the loop went on turning while SQLite counted
    # Once could be a collection of Python's garbage inside the read; three times running is slow,
    # and that statement goes straight to the thread from then on, even when it would be quick.
    assert slow not in loop_reader.slow  # type: ignore[union-attr]
    for _ in range(2):
        assert await db.fetchval(slow, (3_000_000,)) == 3_000_000
    assert slow in loop_reader.slow  # type: ignore[union-attr]
    assert await db.fetchval(slow, (3,)) == 3
    # So does a slow statement among several read in one snapshot.
    both = (("SELECT 1", ()), (slow.replace("COUNT(*)", "MAX(x)"), (3_000_000,)))
    for _ in range(3):
        rows = await db.read_many(*both)
        assert [[tuple(r) for r in part] for part in rows] == [[(1,)], [(3_000_000,)]]
    assert both[1][0] in loop_reader.slow  # type: ignore[union-attr]


async def test_a_statement_slow_once_between_quick_runs_stays_on_the_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.db

    counting = COUNT_TO.format(2000)
    loop_reader = db.connections()[2]
    for _ in range(3):  # interrupted twice for CPU (as a collection inside the read would), then quick
        monkeypatch.setattr(bot.db, "LOOP_READ_BUDGET_S", -1.0)
        assert await db.fetchval(counting) == 2000
        assert await db.fetchval(counting) == 2000
        monkeypatch.setattr(bot.db, "LOOP_READ_BUDGET_S", 10.0)
        assert await count_trips(db.fetchval(counting), where="loop") == 1
    assert counting not in loop_reader.slow  # type: ignore[union-attr]


async def test_a_read_held_up_by_a_busy_machine_is_not_taken_for_a_slow_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.db

    counting = COUNT_TO.format(2000)
    monkeypatch.setattr(bot.db, "LOOP_READ_WALL_S", 0.0)  # as if the process had been descheduled
    assert await count_trips(db.fetchval(counting)) == 1  # interrupted, then read on the thread
    assert counting not in db.connections()[2].slow  # type: ignore[union-attr]
    monkeypatch.setattr(bot.db, "LOOP_READ_WALL_S", 10.0)
    assert await count_trips(db.fetchval(counting), where="loop") == 1  # next time, on the loop
    assert await db.fetchval(counting) == 2000


@pytest.fixture
async def threaded(tmp_path: Path) -> AsyncIterator[Database]:
    """A database whose every read goes to the reader's thread (``loop_reads=False``)."""
    database = Database(tmp_path / "threaded.sqlite3", loop_reads=False)
    await database.open()
    await database.migrate()
    yield database
    await database.close()


async def _into(out: list[object], action: Awaitable[list[object]]) -> None:
    out.extend(await action)


async def test_a_transaction_begins_with_its_first_statement(db: Database) -> None:
    async def write(*values: str) -> None:
        async with db.transaction() as tx:
            for value in values:
                await tx.execute("INSERT INTO bot_meta (key, value) VALUES (?, 'x')", (value,))

    # BEGIN goes with the first statement: one statement and COMMIT are two trips, not three.
    assert await count_trips(write("one")) == 2
    assert await count_trips(write()) == 0  # nothing to do: nothing begins, nothing to end
    # A first statement that fails: nothing is kept and the next write is served.
    with pytest.raises(sqlite3.IntegrityError):
        await write("one")
    # A later one that fails: the earlier statement is rolled back with it.
    with pytest.raises(sqlite3.IntegrityError):
        await write("two", "one")
    await write("three")
    rows = await db.fetchall("SELECT key FROM bot_meta WHERE value = 'x' ORDER BY key")
    assert [r[0] for r in rows] == ["one", "three"]

    async def snapshot() -> None:
        async with db.read() as tx:
            await tx.fetchall("SELECT 1")
            await tx.fetchall("SELECT 2")

    assert await count_trips(snapshot()) == 3  # BEGIN with the first read, the second, COMMIT


async def test_our_idle_reader_does_not_block_truncating_the_log(db: Database) -> None:
    wal = db.path.with_name(db.path.name + "-wal")
    for i in range(5):
        await db.execute("INSERT INTO bot_meta (key, value) VALUES (?, 'v')", (f"k{i}",))
        async with db.read() as tx:
            await tx.fetchall("SELECT * FROM bot_meta")
    assert wal.stat().st_size > 0
    assert await db.truncate_wal() is True
    assert wal.stat().st_size == 0
    # A read of ours in flight is waited for, not a reason to give up.
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('later', 'v')")
    async with db.read() as tx:
        checkpoint = asyncio.ensure_future(db.truncate_wal())
        await tx.fetchall("SELECT * FROM bot_meta")
        assert not checkpoint.done()
    assert await checkpoint is True
    # Another process's open snapshot still makes it give up without waiting (and retry later).
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        await db.execute("INSERT INTO bot_meta (key, value) VALUES ('again', 'v')")
        other.execute("BEGIN")
        other.execute("SELECT COUNT(*) FROM bot_meta").fetchall()
        await db.execute("INSERT INTO bot_meta (key, value) VALUES ('more', 'v')")
        assert await db.truncate_wal() is False
        other.execute("COMMIT")
    finally:
        other.close()
    assert await db.truncate_wal() is True


async def test_closing_leaves_one_self_contained_file(db: Database) -> None:
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('k', 'v')")
    await db.fetchall("SELECT * FROM bot_meta")
    await db.close()
    assert not db.path.with_name(db.path.name + "-wal").exists()
    assert not db.path.with_name(db.path.name + "-shm").exists()


# -- group commit (Database.grouped) -------------------------------------------------------------


async def _insert(tx: Tx, key: str, order: list[str]) -> str:
    order.append(key)
    await tx.execute("INSERT INTO bot_meta (key, value) VALUES (?, 'v')", (key,))
    return key


async def test_a_burst_of_grouped_writes_commits_in_call_order_with_few_commits(db: Database) -> None:
    order: list[str] = []
    statements: list[str] = []
    [writer, *_] = db.connections()
    await writer.set_trace_callback(statements.append)
    keys = [f"k{i}" for i in range(300)]
    results = await asyncio.gather(*(db.grouped(lambda tx, k=k: _insert(tx, k, order)) for k in keys))
    await writer.set_trace_callback(None)
    assert results == keys and order == keys
    assert await db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key LIKE 'k%'") == 300
    commits = sum(s == "COMMIT" for s in statements)
    assert 2 <= commits <= 4  # the first alone, then the rest in groups of at most 200: not 300


async def test_a_refused_grouped_write_is_undone_alone(db: Database) -> None:
    order: list[str] = []

    async def refused(tx: Tx) -> None:
        await tx.execute("INSERT INTO bot_meta (key, value) VALUES ('half', 'written')")
        raise UserError("No.")

    outcomes = await asyncio.gather(
        db.grouped(lambda tx: _insert(tx, "before", order)),
        db.grouped(refused),
        db.grouped(lambda tx: _insert(tx, "after", order)),
        return_exceptions=True,
    )
    assert outcomes[0] == "before" and outcomes[2] == "after"
    assert isinstance(outcomes[1], UserError)
    stored = {row[0] for row in await db.fetchall("SELECT key FROM bot_meta")}
    assert {"before", "after"} <= stored and "half" not in stored


class _Crash(BaseException):
    """The process dying mid-transaction."""


async def test_a_crash_in_a_group_commits_nothing_and_answers_everyone(db: Database) -> None:
    order: list[str] = []

    async def crash(tx: Tx) -> None:
        raise _Crash

    await db.grouped(lambda tx: _insert(tx, "earlier", order))
    first, *grouped = await asyncio.gather(
        db.grouped(lambda tx: _insert(tx, "alone", order)),  # nothing in flight: commits at once
        db.grouped(lambda tx: _insert(tx, "a", order)),  # these three queue meanwhile: one group
        db.grouped(crash),
        db.grouped(lambda tx: _insert(tx, "b", order)),
        return_exceptions=True,
    )
    assert first == "alone"
    assert all(isinstance(outcome, _Crash) for outcome in grouped)  # no one told "saved"
    stored = {row[0] for row in await db.fetchall("SELECT key FROM bot_meta")}
    assert {"earlier", "alone"} <= stored and not {"a", "b"} & stored
    assert await db.grouped(lambda tx: _insert(tx, "later", order)) == "later"  # still serving


async def test_a_refused_write_alone_in_its_group_is_undone_and_the_next_one_is_served(db: Database) -> None:
    async def refused(tx: Tx) -> None:
        await tx.execute("INSERT INTO bot_meta (key, value) VALUES ('alone', 'written')")
        raise UserError("No.")

    with pytest.raises(UserError):
        await db.grouped(refused)
    assert await db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key = 'alone'") == 0
    assert await db.grouped(lambda tx: _insert(tx, "next", [])) == "next"
