"""Events under load: start-up re-arm, a burst of Going presses, per-press handling time.

    python -m bench.events [--events 1000] [--rsvps 20000] [--presses 500] [--capacity 30]

1. Start-up re-arm: with ``--events`` future events (each with its 24 h and 1 h reminders) and
   ``--rsvps`` RSVPs stored, how long the events cog's
   ``cog_load`` takes to re-arm every job from the database.
2. Burst at the service level: ``--presses`` concurrent Going calls on a ``--capacity``-place
   event. Checks exactly ``capacity`` are going and the rest wait in call order; prints the time.
3. Per-press handling under SimCord: ``--presses`` students press Going on one card (SimCord
   runs one actor at a time), timed inside the bot from receipt to first response, beside the
   /about baseline of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import discord

from bench._harness import Row, Stage, about_baseline, make_settings, print_table, run_common_room
from bot import create_bot
from bot.clock import SystemClock, to_timestamp
from bot.db import Database
from bot.services.events import EventDraft, EventService
from cogs.events import Events


async def seed(db: Database, events: int, rsvps: int) -> None:
    now = to_timestamp(SystemClock().now())
    rng = random.Random(4)
    async with db.transaction() as tx:
        for i in range(events):
            start = now + 3600 * 3 + i * 3600 * 6
            result = await tx.execute(
                "INSERT INTO events (guild_id, kind, title, starts_at, ends_at, place, capacity, created_at,"
                " updated_at, channel_id, message_id)"
                " VALUES (1, 'social', ?, ?, ?, 'Room 1', 40, ?, ?, 10, ?)",
                (f"Event {i}", start, start + 7200, now, now, 1000 + i),
            )
            for lead in (86400, 3600):
                await tx.execute(
                    "INSERT INTO event_reminders (event_id, lead_seconds, due_at) VALUES (?, ?, ?)",
                    (result.lastrowid, lead, max(now + 60, start - lead)),
                )
        seen: set[tuple[int, int]] = set()
        while len(seen) < rsvps:
            key = (rng.randint(1, events), rng.randint(1, 5000))
            if key in seen:
                continue
            seen.add(key)
            await tx.execute(
                "INSERT INTO event_rsvps (event_id, member_id, status, seq, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (*key, rng.choice(["going", "maybe", "not_going"]), len(seen), now),
            )


async def rearm(events: int, rsvps: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        bot = create_bot(make_settings(Path(tmp)))
        await bot.db.open()
        await bot.db.migrate()
        await seed(bot.db, events, rsvps)
        bot.scheduler.start()
        cog = Events(bot)
        started = time.perf_counter()
        await cog.cog_load()
        elapsed = time.perf_counter() - started
        jobs = len(bot.scheduler.jobs())
        await bot.release()
    return elapsed, jobs


async def burst(presses: int, capacity: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "burst.sqlite3")
        await db.open()
        await db.migrate()
        clock = SystemClock()
        service = EventService(db, clock)
        start = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%d 18:00")
        [event] = await service.create(
            1,
            2,
            EventDraft("social", "Burst", start, place="Hall", capacity=capacity, alcohol_free=True),
            "UTC",
        )
        members = list(range(10_000, 10_000 + presses))
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(service.rsvp(event.event_id, m, "going") for m in members))
        elapsed = time.perf_counter() - started
        _, people = await service.attendees(event.event_id)
        await db.close()
    assert [o.status for o in outcomes] == ["going"] * capacity + ["waiting"] * (presses - capacity)
    assert people.going == members[:capacity] and people.waiting == members[capacity:]
    return elapsed


async def presses_under_simcord(presses: int, capacity: int) -> Row:
    async def scenario(stage: Stage) -> None:
        organisers = stage.admin
        await organisers.slash(stage.channel, "setup channel", purpose="announcements", channel=stage.channel)
        start = (stage.env.now() + timedelta(days=3)).strftime("%Y-%m-%d 18:00")
        shown = await organisers.slash(
            stage.channel,
            "event create",
            kind="social",
            title="Bench social",
            start=start,
            place="Hall",
            capacity=capacity,
        )
        await organisers.submit_modal(shown, {"alcohol_free": True})
        card = next(
            m
            for m in stage.channel.history()
            if m.embeds and (m.embeds[0].footer.text or "").startswith("Event ")
        )
        for student in stage.students:
            await student.click(card, label="Going")

    bot = await run_common_room(scenario, students=presses)
    return Row.of(f"Going press on a card ({capacity} places)", bot.timings.samples("component:event:going"))


async def main(events: int, rsvps: int, presses: int, capacity: int) -> None:
    elapsed, jobs = await rearm(events, rsvps)
    print(f"Start-up re-arm: {events} future events, {rsvps} RSVPs -> {jobs} jobs in {elapsed * 1000:.1f} ms")
    burst_s = await burst(presses, capacity)
    print(
        f"Service burst: {presses} concurrent Going calls on {capacity} places -> exactly {capacity} going, "
        f"{presses - capacity} waiting in call order, in {burst_s * 1000:.1f} ms "
        f"({burst_s / presses * 1000:.2f} ms per call)"
    )
    bare, ours = await about_baseline(min(presses, 300))
    press = await presses_under_simcord(presses, capacity)
    print()
    print_table([bare, ours, press], baseline=bare)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rsvps", type=int, default=20000)
    parser.add_argument("--presses", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=30)
    logging.basicConfig(level=logging.WARNING)
    discord.utils.setup_logging(level=logging.WARNING)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rsvps, args.presses, args.capacity))
