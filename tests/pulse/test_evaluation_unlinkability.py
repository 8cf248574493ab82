"""Event evaluation answers (issue #19) against the attacker of ``test_unlinkability.py``: they hold
the database, a copy of it and its write-ahead log taken after every single answer (replayed
commit by commit), the bot's log, and the key file. An evaluation also stores who was asked (the
cohort, by member id), so the attacker knows who could have answered; they must still not learn
who answered what, comments included.
"""

from __future__ import annotations

import itertools
import logging
import random
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.event_evaluations import EvaluationService
from bot.services.events import EventService
from bot.services.pulse_pool import BATCH
from tests.events.conftest import GUILD, ORGANISER, TZ, draft
from tests.pulse.test_unlinkability import copy_states

MEMBERS = [880_000_000_000_000_000 + i for i in range(40)]
Answer = tuple[int, list[int], str | None]
# What one state of the files says: markers, counters, answers counted, comments (as a multiset:
# their random keys differ between worlds by design), and every evaluation table, member ids included.
View = tuple[
    frozenset[bytes], tuple[tuple[int, ...], ...], int, tuple[str, ...], tuple[tuple[object, ...], ...]
]


def view(image: bytes, directory: Path) -> View | None:
    path = directory / "state.sqlite3"
    path.write_bytes(image)
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        if (
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_evaluation_runs'").fetchone()
            is None
        ):
            return None
        tokens = frozenset(bytes(r[0]) for r in conn.execute("SELECT token FROM pulse_answered"))
        counts = tuple(
            tuple(r)
            for r in conn.execute("SELECT run_id, question, option, count FROM pulse_counts ORDER BY 1, 2, 3")
        )
        answers = conn.execute("SELECT COALESCE(SUM(answers), 0) FROM pulse_runs").fetchone()[0]
        texts = tuple(sorted(str(r[0]) for r in conn.execute("SELECT text FROM pulse_texts")))
        tables = tuple(
            ("cohort", *r)
            for r in conn.execute("SELECT run_id, member_id FROM event_evaluation_cohort ORDER BY 1, 2")
        ) + tuple(
            (name, r[0], bytes(r[1]))
            for name in ("event_evaluation_invited", "event_evaluation_asked")
            for r in conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2")
        )
    finally:
        conn.close()
    return tokens, counts, int(answers), texts, tables


@dataclass
class World:
    copies: list[list[View]]
    log: list[str]
    truth: Counter[tuple[int, int]]
    comments: list[str]

    @property
    def views(self) -> list[View]:
        return [state for states in self.copies for state in states]

    @property
    def final(self) -> View:
        return self.copies[-1][-1]


async def run_world(
    tmp: Path, key: bytes, answers: Sequence[Answer], seed: int, caplog: pytest.LogCaptureFixture
) -> World:
    """A workshop whose attendees answer as ``answers`` says; the files copied after each answer."""
    copies = tmp / "copies"
    copies.mkdir(parents=True)
    clock = ManualClock()
    db = Database(tmp / "evaluation.sqlite3")
    await db.open()
    await db.migrate()
    events = EventService(db, clock)
    evaluations = EvaluationService(db, clock, lambda: key, rng=random.Random(seed))
    # 1 October 2026, 09:00 UTC on the clock: the workshop is the next evening.
    [event] = await events.create(GUILD, ORGANISER, draft(kind="workshop", start="2026-10-02 18:00"), TZ)
    for member, _, _ in answers:
        await events.rsvp(event.event_id, member, "going")
    await evaluations.turn_on(GUILD, event.event_id, free_text=True)
    clock.set(event.end)
    caplog.clear()
    opened = await evaluations.ask_after(event.event_id)
    assert opened is not None
    taken: list[list[View]] = []
    truth: Counter[tuple[int, int]] = Counter()

    def steal() -> None:
        taken.append(copy_states(db.path, copies, lambda image: view(image, tmp)))

    steal()
    for member, choices, comment in answers:
        await evaluations.answer(opened.run_id, member, choices, comment)
        truth.update(enumerate(choices))
        steal()
    clock.set(opened.closes_at)
    assert await evaluations.close(opened.run_id)
    steal()
    await db.close()
    log = [record.getMessage() for record in caplog.records]
    return World(taken, log, truth, [c for _, _, c in answers if c])


def answers_for(members: Sequence[int], rng: random.Random) -> list[Answer]:
    return [(m, [rng.randrange(6) for _ in range(4)], None) for m in members]


async def test_no_state_and_no_log_line_tells_which_of_two_attendees_answered_what(
    tmp_path: Path, key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Two worlds, identical but for two attendees who swap answers and comments."""
    caplog.set_level(logging.WARNING, logger="aiosqlite")  # as bot.logs sets it: it logs parameters
    caplog.set_level(logging.DEBUG)  # (second: the capture itself keeps the last level set)
    members = MEMBERS[:17]
    base = answers_for(members, random.Random(1))
    first, second = 4, 7
    base[first] = (members[first], [0, 0, 0, 0], "I felt alone before this; now I know people")
    base[second] = (members[second], [4, 4, 4, 4], None)
    swapped = list(base)
    swapped[first] = (members[first], [4, 4, 4, 4], None)
    swapped[second] = (members[second], [0, 0, 0, 0], "I felt alone before this; now I know people")

    a = await run_world(tmp_path / "a", key, base, seed=11, caplog=caplog)
    b = await run_world(tmp_path / "b", key, swapped, seed=11, caplog=caplog)
    assert len(a.views) == len(b.views) > len(members)
    assert a.views == b.views
    assert a.log == b.log and a.log  # the log says runs opened and closed, nothing more
    assert not [line for line in a.log for m in members if str(m) in line]
    assert a.final[2] == len(members) and a.final[0] == frozenset()  # no marker left after close


async def test_every_commit_adds_answers_only_as_a_batch_with_their_comments(
    tmp_path: Path, key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    members = MEMBERS[:23]
    answers = [
        (m, c, f"comment {i}" if i % 3 == 0 else None)
        for i, (m, c, _) in enumerate(answers_for(members, random.Random(2)))
    ]
    world = await run_world(tmp_path / "w", key, answers, seed=3, caplog=caplog)
    steps = [pair for states in world.copies[:-1] for pair in itertools.pairwise(states)]
    assert len(steps) > len(members)
    for before, after in steps:
        added = after[0] - before[0]
        raised = sum(r[3] for r in after[1]) - sum(r[3] for r in before[1])
        new_texts = len(after[3]) - len(before[3])
        if added or raised or new_texts:
            assert len(added) >= BATCH, len(added)
            assert raised == 4 * len(added) and after[2] - before[2] == len(added)
            assert new_texts <= len(added)
    # After close: exactly the true counts and every comment, and nothing says who answered.
    tokens, counts, answered, texts, tables = world.final
    assert answered == len(members) and tokens == frozenset()
    assert Counter({(q, o): c for _, q, o, c in counts if c}) == world.truth
    assert sorted(texts) == sorted(world.comments)
    assert not [row for row in tables if row[0] == "event_evaluation_invited"]
