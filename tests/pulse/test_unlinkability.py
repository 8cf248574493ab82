"""Pulse answers against an attacker who holds the database, its write-ahead log and the key.

The attacker copies the database file and its ``-wal`` after every single answer, and replays the
log commit by commit, so they see every state the files ever held. These tests fail on code that
writes each answer in a commit of its own (the marker and the choices it raised together).
"""

from __future__ import annotations

import itertools
import random
import shutil
import sqlite3
import struct
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import UserError
from bot.services.pulse import PulseService
from bot.services.pulse_pool import BATCH
from tests.pulse.test_service import MEMBERS, open_template_run

View = tuple[frozenset[bytes], tuple[tuple[int, int, int, int], ...], int]


T = TypeVar("T")


def wal_states(db_file: Path, wal_file: Path) -> list[bytes]:
    """Every database image recoverable from a copy: the file, then the file with the log replayed
    up to each commit it holds (frames of the current log generation, as SQLite would read them)."""
    base = db_file.read_bytes()
    states = [base]
    wal = wal_file.read_bytes() if wal_file.exists() else b""
    if len(wal) < 32:
        return states
    _magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack(">8I", wal[:32])
    pages: dict[int, bytes] = {}
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page_number, commit_size, s1, s2, _f1, _f2 = struct.unpack(">6I", wal[offset : offset + 24])
        if (s1, s2) != (salt1, salt2):
            break
        pages[page_number] = wal[offset + 24 : offset + 24 + page_size]
        if commit_size:
            image = bytearray(base[: commit_size * page_size].ljust(commit_size * page_size, b"\0"))
            for number, data in pages.items():
                if number <= commit_size:
                    image[(number - 1) * page_size : number * page_size] = data
            states.append(bytes(image))
        offset += 24 + page_size
    return states


def copy_states(db_path: Path, copies: Path, read: Callable[[bytes], T | None]) -> list[T]:
    """What an operator copying the database file and its log right now could recover: each
    committed state the copy holds, read by ``read`` (None: not readable, skipped)."""
    n = len(list(copies.iterdir()))
    for suffix in ("", "-wal"):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            shutil.copyfile(source, copies / f"{n}{suffix or '.db'}")
    states = [read(image) for image in wal_states(copies / f"{n}.db", copies / f"{n}-wal")]
    return [state for state in states if state is not None]


def view(image: bytes, directory: Path) -> View | None:
    """What a state says about the pulse run: its markers, its counters, its answer count (None
    for a state from before the pulse tables existed)."""
    path = directory / "state.sqlite3"
    path.write_bytes(image)
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'pulse_runs'").fetchone() is None:
            return None
        tokens = frozenset(bytes(r[0]) for r in conn.execute("SELECT token FROM pulse_answered"))
        counts = tuple(
            tuple(r)
            for r in conn.execute(
                "SELECT in_group, question, option, count FROM pulse_counts"
                " ORDER BY in_group, question, option"
            )
        )
        answers = conn.execute("SELECT COALESCE(SUM(answers), 0) FROM pulse_runs").fetchone()[0]
    finally:
        conn.close()
    return tokens, counts, int(answers)  # type: ignore[return-value]


@dataclass
class World:
    copies: list[list[View]]  # per copy the attacker took: the file's state, then each commit replayed
    final: View

    @property
    def views(self) -> list[View]:
        return [state for states in self.copies for state in states]

    true_counts: Counter[tuple[int, int]]


async def run_world(
    tmp: Path, key: bytes, answers: Sequence[tuple[int, list[int]]], seed: int, *, close: bool = True
) -> World:
    """Answer a run as ``answers`` says, copying the files after each answer as an attacker would."""
    copies = tmp / "copies"
    copies.mkdir(parents=True)
    clock = ManualClock()
    db = Database(tmp / "pulse.sqlite3")
    await db.open()
    await db.migrate()
    service = PulseService(db, clock, lambda: key, rng=random.Random(seed))
    opened = await open_template_run(service, clock)
    taken: list[list[View]] = []
    truth: Counter[tuple[int, int]] = Counter()

    def steal() -> None:
        taken.append(copy_states(db.path, copies, lambda image: view(image, tmp)))

    for member, choices in answers:
        await service.answer(opened.run.run_id, member, choices)
        truth.update(enumerate(choices))
        steal()
    if close:
        clock.set(opened.run.closes_at)
        await service.close_run(opened.run.run_id)
        steal()
    final = taken[-1][-1]
    await db.close()
    return World(taken, final, truth)


def answers_for(members: Sequence[int], rng: random.Random) -> list[tuple[int, list[int]]]:
    return [(m, [rng.randrange(6), rng.randrange(3), rng.randrange(6)]) for m in members]


async def test_no_recoverable_state_tells_which_of_two_students_chose_what(
    tmp_path: Path, key: bytes
) -> None:
    """Two worlds, identical but for two students who swap answers: A then B, or B then A. Every
    state the files ever held is the same in both, so none of them pairs a student with a choice."""
    members = MEMBERS[:23]
    base = answers_for(members, random.Random(1))
    first, second = 4, 7  # the 5th and 8th to answer
    base[first] = (base[first][0], [0, 0, 0])
    base[second] = (base[second][0], [5, 2, 5])
    swapped = list(base)
    swapped[first] = (base[first][0], [5, 2, 5])
    swapped[second] = (base[second][0], [0, 0, 0])

    # The batches are drawn at random; with this seed both students are written in the same batch.
    a = await run_world(tmp_path / "a", key, base, seed=11)
    b = await run_world(tmp_path / "b", key, swapped, seed=11)
    assert len(a.views) == len(b.views) > len(members)
    assert a.views == b.views
    assert a.final[2] == len(members)


async def test_every_commit_adds_markers_and_choices_only_in_batches(tmp_path: Path, key: bytes) -> None:
    members = MEMBERS[:37]
    world = await run_world(tmp_path / "w", key, answers_for(members, random.Random(2)), seed=3, close=False)
    steps = [pair for states in world.copies for pair in itertools.pairwise(states)]
    assert len(steps) > len(members)
    for before, after in steps:
        added = after[0] - before[0]
        raised = sum(c for *_, c in after[1]) - sum(c for *_, c in before[1])
        if added or raised:
            # A batch: at least k markers, and exactly their answers (three questions each) counted.
            assert len(added) >= BATCH, len(added)
            assert raised == 3 * len(added)
            assert after[2] - before[2] == len(added)


async def test_results_after_close_are_the_true_counts_exactly(tmp_path: Path, key: bytes) -> None:
    members = MEMBERS[:37]
    world = await run_world(tmp_path / "w", key, answers_for(members, random.Random(5)), seed=8)
    tokens, counts, answers = world.final
    assert answers == len(members) and tokens == frozenset()  # nothing records who answered
    stored = Counter({(q, o): c for g, q, o, c in counts if g == 0 and c})
    assert stored == world.true_counts  # nothing dropped, nothing doubled


async def test_a_reader_holding_the_log_is_retried_not_silently_skipped(
    service: PulseService, clock: ManualClock, db: Database
) -> None:
    opened = await open_template_run(service, clock)
    for member in MEMBERS[:12]:
        await service.answer(opened.run.run_id, member, [1, 1, 1])
    wal = db.path.with_name(db.path.name + "-wal")
    # A backup (or any reader) keeps an old snapshot open while the run closes.
    reader = sqlite3.connect(db.path)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM pulse_counts").fetchall()
    clock.set(opened.run.closes_at)
    assert await service.close_run(opened.run.run_id) is not None
    assert await service.truncate_wal() is False
    assert wal.stat().st_size > 0  # the earlier states are still in the log, so it must be retried
    reader.close()
    assert await service.truncate_wal() is True
    assert wal.stat().st_size == 0


async def test_after_a_restart_fewer_than_five_pooled_answers_are_counted_never_written(
    db: Database, clock: ManualClock, key: bytes
) -> None:
    service = PulseService(db, clock, lambda: key)
    opened = await open_template_run(service, clock)
    run_id = opened.run.run_id
    for member in MEMBERS[:12]:
        await service.answer(run_id, member, [1, 1, 1])  # one batch of five written, seven pooled
    again = PulseService(db, clock, lambda: key)  # the process restarted: the pool is gone
    answered_again = 0
    for member in MEMBERS[:12]:
        if answered_again == 2:
            break
        try:
            await again.answer(run_id, member, [4, 2, 4])
            answered_again += 1
        except UserError:
            continue
    clock.set(opened.run.closes_at)
    closed = await again.close_run(run_id)
    assert closed is not None and closed.answers == 7
    # Only the batch of five ever reached the counters: two answers alone would stand out.
    total = await db.fetchval(
        "SELECT SUM(count) FROM pulse_counts WHERE run_id = ? AND in_group = 0", (run_id,)
    )
    assert total == 5 * 3
