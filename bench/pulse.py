"""What does anonymity cost when 2,000 members answer one pulse run in a burst?

    python -m bench.pulse [--members 2000]

Both scenarios run in the same process, on fresh SQLite files with the bot's settings (WAL,
synchronous=FULL, secure_delete):

* **pulse**: ``PulseService.answer`` for every member at once (``asyncio.gather``): the keyed
  "already answered" token, the one-answer check (pool and table), and the pool, which writes
  answers in batches of five or more, each batch one transaction with its markers and counters
  (``bot/services/pulse_pool.py``), while later answers keep joining the pool; the burst ends
  when every batch the pool allows is written; the run is then closed, writing what is still
  pooled;
* **plain**: a plain aiosqlite loop committing one counter update per answer (no token, no
  check): the least any durable counter could cost.

Prints answers per second in the burst (up to the last write) and the ratio of the two
throughputs, the median and p99 time per answer in the burst (from the start of the burst to
that answer being accepted: committed for plain, pooled or committed for pulse; it includes
waiting for the answers ahead of it), and the handling time of each answer on its own (the same
answers made one at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

from bench._harness import Row, print_table
from bot.clock import ManualClock
from bot.db import Database
from bot.services.pulse import PulseService, RunOpened
from bot.services.pulse_model import belonging_template

MEMBER_BASE = 900_000_000_000_000_000
PULSE = "pulse: token + check + pool (5+/commit)"
TARGET = 1.5  # pooled answers should be at least this much faster than one commit per answer


async def timed(
    answer: Callable[[int], Awaitable[object]], members: int, *, burst: bool
) -> tuple[list[float], float]:
    """Run ``answer`` for every member, all at once (``burst``) or one at a time.

    Each sample is measured from the start of the burst (so it includes queueing), or from the
    start of that answer alone. Returns the samples and the total elapsed time.
    """
    samples: list[float] = []
    start = time.perf_counter()

    async def one(index: int) -> None:
        began = start if burst else time.perf_counter()
        await answer(index)
        samples.append(time.perf_counter() - began)

    if burst:
        await asyncio.gather(*(one(i) for i in range(members)))
    else:
        for i in range(members):
            await one(i)
    return samples, time.perf_counter() - start


async def pulse_burst(directory: Path, members: int, *, burst: bool = True) -> tuple[list[float], float]:
    db = Database(directory / f"pulse-{burst}.sqlite3")
    await db.open()
    await db.migrate()
    clock = ManualClock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    key = secrets.token_bytes(32)
    service = PulseService(db, clock, lambda: key)
    title, questions = belonging_template()
    pulse = await service.create(
        1, title=title, questions=questions, channel_id=2, first_run_local=datetime(2026, 10, 1, 11, 0)
    )
    assert pulse.next_run_at is not None
    clock.set(pulse.next_run_at)
    opened = await service.open_run(pulse.pulse_id, audience_size=members)
    assert isinstance(opened, RunOpened)
    run_id = opened.run.run_id
    clock.advance(timedelta(minutes=1))

    async def one(index: int) -> None:
        await service.answer(run_id, MEMBER_BASE + index, [index % 6, index % 3, (index * 7) % 6])

    start = time.perf_counter()
    samples, _ = await timed(one, members, burst=burst)
    await service.writes_done()
    elapsed = time.perf_counter() - start
    stored = await db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (run_id,))
    assert stored + service.pool.size(run_id) == members, f"counted {stored} of {members}"
    clock.set(opened.run.closes_at)
    await service.close_run(run_id)
    counted = await db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (run_id,))
    assert counted == members, f"counted {counted} of {members}"
    await db.close()
    return samples, elapsed


async def plain_burst(directory: Path, members: int, *, burst: bool = True) -> tuple[list[float], float]:
    conn = await aiosqlite.connect(directory / f"plain-{burst}.sqlite3", isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "secure_delete = ON"):
        await conn.execute_fetchall(f"PRAGMA {pragma}")
    await conn.execute(
        "CREATE TABLE counts (run_id INTEGER, question INTEGER, option INTEGER, count INTEGER,"
        " PRIMARY KEY (run_id, question, option)) WITHOUT ROWID"
    )
    await conn.executemany(
        "INSERT INTO counts VALUES (1, ?, ?, 0)", [(q, o) for q in range(3) for o in range(6)]
    )
    lock = asyncio.Lock()

    async def one(index: int) -> None:
        async with lock:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute(
                "UPDATE counts SET count = count + 1 WHERE run_id = 1 AND question = 0 AND option = ?",
                (index % 6,),
            )
            await conn.execute("COMMIT")

    samples, elapsed = await timed(one, members, burst=burst)
    await conn.close()
    return samples, elapsed


async def main(members: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        plain_samples, plain_elapsed = await plain_burst(directory, members)
        pulse_samples, pulse_elapsed = await pulse_burst(directory, members)
        plain_alone, _ = await plain_burst(directory, members, burst=False)
        pulse_alone, _ = await pulse_burst(directory, members, burst=False)
    print("Burst: time from the start of the burst to each answer accepted (includes queueing)")
    plain = Row.of("plain aiosqlite: one counter update/commit", plain_samples)
    print_table([plain, Row.of(PULSE, pulse_samples)], baseline=plain)
    print("\nOne at a time: handling time of each answer alone")
    alone = Row.of("plain aiosqlite: one counter update/commit", plain_alone)
    print_table([alone, Row.of(PULSE, pulse_alone)], baseline=alone)
    plain_rate = members / plain_elapsed
    pulse_rate = members / pulse_elapsed
    ratio = pulse_rate / plain_rate
    print(
        f"\nanswers per second: plain {plain_rate:,.0f}, pulse {pulse_rate:,.0f} "
        f"(pulse / plain throughput: {ratio:.2f}x; target at least {TARGET:.1f}x: "
        f"{'met' if ratio >= TARGET else 'MISSED'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000, help="members answering in the burst")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.members))
