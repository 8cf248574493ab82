"""Mentoring matching at the scale of a large medical school.

    python -m bench.mentoring [--mentors 400] [--mentees 1200]

Times the pure algorithm (``bot.services.mentoring_matching.match``) and a full matching run against
SQLite (read every sign-up and the keyed pair history, match, write the pairings), which is what
a student waits for after ``/mentor request`` and what a scheduled run costs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.db import Database
from bot.services.mentoring import DEFAULT_EXPERIENCES, MentoringService, slug
from bot.services.mentoring_matching import MenteeAsk, MentorSlot, match

GUILD = 1


def pure(mentors: int, mentees: int, rounds: int = 5) -> list[float]:
    rnd = random.Random(8)
    keys = [slug(label) for label in DEFAULT_EXPERIENCES]
    slots = [
        MentorSlot(i, rnd.randint(2, 6), rnd.randint(1, 3), frozenset(rnd.sample(keys, rnd.randint(0, 4))))
        for i in range(mentors)
    ]
    asks = [
        MenteeAsk(10_000 + i, rnd.randint(1, 4), frozenset(rnd.sample(keys, rnd.randint(0, 3))), i)
        for i in range(mentees)
    ]
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        match(slots, asks)
        samples.append(time.perf_counter() - started)
    return samples


async def full_run(mentors: int, mentees: int) -> tuple[float, int, float]:
    rnd = random.Random(8)
    keys = [slug(label) for label in DEFAULT_EXPERIENCES]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        await db.open()
        await db.migrate()
        service = MentoringService(db, ManualClock(), b"b" * 32)
        for i in range(mentors):
            await service.offer(
                GUILD,
                i,
                year=rnd.randint(2, 6),
                experiences=rnd.sample(keys, rnd.randint(0, 4)),
                capacity=rnd.randint(1, 3),
                hello="hello",
            )
        for i in range(mentees):
            await service.request(
                GUILD,
                10_000 + i,
                year=rnd.randint(1, 4),
                experiences=rnd.sample(keys, rnd.randint(0, 3)),
                require_shared=False,
                help_with="",
            )
        started = time.perf_counter()
        result = await service.run_matching(GUILD)
        elapsed = time.perf_counter() - started
        # Then what one more request costs once everyone else is settled.
        await service.request(GUILD, 99_999, year=1, experiences=keys[:2], require_shared=False, help_with="")
        started = time.perf_counter()
        await service.run_matching(GUILD)
        steady = time.perf_counter() - started
        await db.close()
    return elapsed, len(result.new_matches), steady


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentors", type=int, default=400)
    parser.add_argument("--mentees", type=int, default=1200)
    args = parser.parse_args()
    samples = pure(args.mentors, args.mentees)
    print(
        f"pure match, {args.mentors} mentors x {args.mentees} mentees: "
        f"median {statistics.median(samples) * 1000:.1f} ms"
    )
    elapsed, made, steady = asyncio.run(full_run(args.mentors, args.mentees))
    print(f"first run against SQLite: {elapsed * 1000:.1f} ms, {made} pairings written")
    print(f"one more request, everyone else settled: {steady * 1000:.1f} ms")


if __name__ == "__main__":
    main()
