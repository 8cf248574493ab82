"""Pooled answers are written behind the answers: a burst never queues behind a write, no one is
counted twice while a batch is on its way to the file, and a failed write loses nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

import bot.services.pulse as pulse_module
from bot.clock import ManualClock
from bot.db import Database
from bot.errors import UserError
from bot.services.pulse import PulseService, RunOpened
from bot.services.pulse_pool import BATCH
from tests.pulse.test_service import MEMBERS, close, open_template_run


async def stored_markers(db: Database, run_id: int) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM pulse_answered WHERE run_id = ?", (run_id,)))


async def one_short_of_a_batch(service: PulseService, clock: ManualClock) -> tuple[RunOpened, int]:
    """An open run whose pool is one answer short of its first write."""
    opened = await open_template_run(service, clock)
    for member in MEMBERS[: 2 * BATCH - 1]:
        await service.answer(opened.run.run_id, member, [1, 1, 1])
    return opened, opened.run.run_id


@asynccontextmanager
async def write_held_up(service: PulseService, db: Database, run_id: int) -> AsyncIterator[asyncio.Task[Any]]:
    """Something else is writing (a long commit) while the next answer starts the pool's first
    write, so that batch can't reach the file until the block ends. Yields that answer's task."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_writer() -> None:
        async with db.transaction():
            holding.set()
            await release.wait()

    blocker = asyncio.create_task(hold_the_writer())
    await holding.wait()
    starter = asyncio.create_task(service.answer(run_id, MEMBERS[2 * BATCH - 1], [1, 1, 1]))
    await asyncio.sleep(0)
    try:
        yield starter
    finally:
        release.set()
        await blocker


async def test_answers_arriving_during_a_write_join_the_pool_without_waiting_and_are_written_next(
    service: PulseService, clock: ManualClock, db: Database
) -> None:
    opened, run_id = await one_short_of_a_batch(service, clock)
    async with write_held_up(service, db, run_id) as starter:
        # Thirty more students answer while that batch waits: none of them waits for it.
        burst = MEMBERS[2 * BATCH : 2 * BATCH + 30]
        await asyncio.wait_for(asyncio.gather(*(service.answer(run_id, m, [2, 0, 2]) for m in burst)), 10)
        assert not starter.done()  # the answer that started the write waits for its batch
        # Nobody is counted twice meanwhile: not the pooled, not those in the batch being written.
        for member in MEMBERS[: 2 * BATCH + 30]:
            with pytest.raises(UserError, match="already answered"):
                await service.answer(run_id, member, [3, 1, 3])
        assert await stored_markers(db, run_id) == 0
    await starter
    # The writer went on to the answers that came meanwhile: all but k are stored.
    await service.writes_done()
    assert await stored_markers(db, run_id) == 2 * BATCH + 30 - BATCH
    assert service.pool.size(run_id) == BATCH
    await close(service, clock, opened)
    results = await service.results(opened.pulse.guild_id, opened.pulse.pulse_id)
    assert results.run.answers == 2 * BATCH + 30
    counts = [[o.count for o in q.options] for q in results.questions]
    assert [c[1] for c in counts] == [2 * BATCH] * 3
    assert [counts[0][2], counts[1][0], counts[2][2]] == [30, 30, 30]
    assert sum(map(sum, counts)) == 3 * results.run.answers


async def test_a_failed_write_is_told_to_the_answer_that_started_it_and_loses_nothing(
    service: PulseService, clock: ManualClock, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened, run_id = await one_short_of_a_batch(service, clock)
    write = pulse_module._write_batch
    failures = [sqlite3.OperationalError("disk I/O error")]

    async def failing(*args: Any, **kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        await write(*args, **kwargs)

    monkeypatch.setattr(pulse_module, "_write_batch", failing)
    with pytest.raises(sqlite3.OperationalError):
        await service.answer(run_id, MEMBERS[2 * BATCH - 1], [1, 1, 1])
    assert await stored_markers(db, run_id) == 0
    # The batch went back to the pool: its members still can't answer twice...
    for member in MEMBERS[: 2 * BATCH]:
        with pytest.raises(UserError, match="already answered"):
            await service.answer(run_id, member, [3, 1, 3])
    # ...and the next answer writes it.
    await service.answer(run_id, MEMBERS[2 * BATCH], [1, 1, 1])
    assert await stored_markers(db, run_id) == 2 * BATCH + 1 - BATCH
    await close(service, clock, opened)
    results = await service.results(opened.pulse.guild_id, opened.pulse.pulse_id)
    assert results.run.answers == 2 * BATCH + 1
    assert [q.options[1].count for q in results.questions] == [2 * BATCH + 1] * 3


async def test_shutting_down_waits_for_the_batch_being_written(
    service: PulseService, clock: ManualClock, db: Database
) -> None:
    # The pulse and events cogs' unload awaits writes_done() before the database closes.
    _opened, run_id = await one_short_of_a_batch(service, clock)
    async with write_held_up(service, db, run_id) as starter:
        starter.cancel()  # the student's interaction went away: the write goes on regardless
        shutting = asyncio.create_task(service.writes_done())
        await asyncio.sleep(0)
        assert not shutting.done()
    await shutting
    assert await stored_markers(db, run_id) == BATCH


@pytest.mark.parametrize("begun", [False, True], ids=["before-it-began", "while-it-waited"])
async def test_a_write_cancelled_at_shutdown_leaves_its_batch_pooled_and_counted_once(
    service: PulseService, clock: ManualClock, db: Database, begun: bool
) -> None:
    opened, run_id = await one_short_of_a_batch(service, clock)
    async with write_held_up(service, db, run_id) as starter:
        if begun:
            await asyncio.sleep(0)  # the writer took its batch and waits for the file
            assert service.pool.size(run_id) == BATCH
        service._writers[run_id].cancel()  # the loop's tasks are cancelled as the process stops
        with pytest.raises(asyncio.CancelledError):  # not left waiting (TimeoutError)
            await asyncio.wait_for(starter, 10)
    assert await stored_markers(db, run_id) == 0
    assert service.pool.size(run_id) == 2 * BATCH and not service._writers
    for member in MEMBERS[: 2 * BATCH]:
        with pytest.raises(UserError, match="already answered"):
            await service.answer(run_id, member, [3, 1, 3])
    await close(service, clock, opened)
    results = await service.results(opened.pulse.guild_id, opened.pulse.pulse_id)
    assert results.run.answers == 2 * BATCH
