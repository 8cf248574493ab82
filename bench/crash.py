"""Crash test: kill the bot's services with SIGKILL, again and again, and count what was lost.

    python -m bench.crash [--kills 30] [--events 60] [--attendees 40] [--seed 1]

A child process runs the bot's real services on one SQLite file, all at once:

* **reminders**: each event's reminder falls due (``EventService.queue_reminder`` owes one DM per
  attendee in the outbox, in one transaction) and the real sender (``bot.outbox.Outbox``)
  delivers them one at a time to a stand-in for Discord, which appends each accepted DM to a log
  and fsyncs it (what Discord would have shown the student);
* **an RSVP burst**: students press Going on a 30-place event; each reply the service returns is
  an acknowledged write, logged (and fsynced) as it is acknowledged;
* **pulse answers**: students answer an open pulse run; each accepted answer is logged.

The parent kills the child with SIGKILL at a random moment, at least ``--kills`` times, checks
the file with ``PRAGMA integrity_check`` after every kill, then lets a last child finish. It
prints: acknowledged RSVPs lost (must be 0), reminders lost (must be 0), duplicate reminders per
kill (at most 1), integrity results, and pulse answers lost with the pool (by design, at most
those still pooled at each kill) and counted twice (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.clock import ManualClock
from bot.db import Database, integrity_check
from bot.errors import UserError
from bot.outbox import Outbox
from bot.services.events import REMINDER_TOPIC, EventDraft, EventService
from bot.services.outbox import OutboxItem, OutboxService
from bot.services.pulse import PulseService, RunOpened
from bot.services.pulse_model import belonging_template

GUILD = 1
ORGANISER = 2
MEMBER_BASE = 700_000_000_000_000_000
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # seeding time
RUN_AT = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)  # the child's clock: each 24 h reminder is due
BURST_CAPACITY = 30
BURST_STUDENTS = 80
PULSE_STUDENTS = 60


def member(i: int) -> int:
    return MEMBER_BASE + i


def append(path: Path, line: str) -> None:
    """One fsynced line: what is in the file survived any kill after this returns."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


# -- the child: the bot's services, and a stand-in for Discord ---------------------------------------


class FakeDiscord:
    """Accepts DMs like Discord: each accepted message is on record before ``send`` returns."""

    def __init__(self, log: Path, run: int) -> None:
        self.log = log
        self.run = run
        self.ids = count(1)

    async def create_dm(self, user: Any) -> Any:
        async def send(**message: Any) -> Any:
            await asyncio.sleep(0.002)  # Discord's latency
            append(self.log, f"{self.run} {user.id} {message['content']}")
            return SimpleNamespace(id=next(self.ids))

        return SimpleNamespace(send=send)


async def child(directory: Path, run: int) -> None:
    db = Database(directory / "crash.sqlite3")
    await db.open()
    await db.migrate()
    clock = ManualClock(RUN_AT)
    key = (directory / "key").read_bytes()
    events = EventService(db, clock)
    pulse = PulseService(db, clock, lambda: key)
    fake = FakeDiscord(directory / "discord.log", run)
    bot: Any = SimpleNamespace(
        db=db,
        clock=clock,
        scheduler=SimpleNamespace(running=False),
        create_dm=fake.create_dm,
        user=None,
    )
    outbox = Outbox(bot, OutboxService(db, clock))

    async def render(item: OutboxItem) -> dict[str, Any]:
        return {"content": f"{item.key.split('@')[0]}"}

    outbox.topic(REMINDER_TOPIC, render)
    acks = directory / "acks.log"
    print("ready", flush=True)  # the parent times its kill from here
    event_ids = [int(line) for line in (directory / "events.txt").read_text().split()]
    burst_event, run_id = event_ids.pop(), int((directory / "run.txt").read_text())
    rng = random.Random(run)

    async def reminders() -> None:
        for event_id in event_ids:
            await events.queue_reminder(event_id, 24 * 3600)
        await outbox.drain()

    async def rsvps() -> None:
        students = list(range(BURST_STUDENTS))
        rng.shuffle(students)

        async def press(i: int) -> None:
            outcome = await events.rsvp(burst_event, member(100_000 + i), "going")
            append(acks, f"rsvp {member(100_000 + i)} {outcome.status}")

        await asyncio.gather(*(press(i) for i in students))

    async def answers() -> None:
        for i in range(PULSE_STUDENTS):
            try:
                await pulse.answer(run_id, member(200_000 + i), [i % 5, i % 3, i % 5])
            except UserError:
                continue  # answered in an earlier life and stored: the one-answer rule holds
            append(acks, f"pulse {member(200_000 + i)}")

    await asyncio.gather(reminders(), rsvps(), answers())
    print("done", flush=True)
    await db.close()


# -- the parent: seed, kill, check ----------------------------------------------------------------------


async def seed(directory: Path, events: int, attendees: int) -> None:
    db = Database(directory / "crash.sqlite3")
    await db.open()
    await db.migrate()
    clock = ManualClock(T0)
    service = EventService(db, clock)
    ids = []
    for e in range(events):
        draft = EventDraft("social", f"Social {e}", "4 Nov 2026 18:00", place="SU", alcohol_free=True)
        [event] = await service.create(GUILD, ORGANISER, draft, "Europe/London")
        for a in range(attendees):
            await service.rsvp(event.event_id, member(e * 1000 + a), "going")
        ids.append(event.event_id)
    burst = EventDraft(
        "social", "Burst", "4 Nov 2026 19:00", place="Hall", capacity=BURST_CAPACITY, alcohol_free=True
    )
    [event] = await service.create(GUILD, ORGANISER, burst, "Europe/London")
    ids.append(event.event_id)
    (directory / "events.txt").write_text("\n".join(map(str, ids)))
    key = os.urandom(32)
    (directory / "key").write_bytes(key)
    pulse = PulseService(db, clock, lambda: key)
    title, questions = belonging_template()
    made = await pulse.create(
        GUILD, title=title, questions=questions, channel_id=5, first_run_local=datetime(2026, 11, 3, 9, 0)
    )
    assert made.next_run_at is not None
    clock.set(made.next_run_at)
    opened = await pulse.open_run(made.pulse_id)
    assert isinstance(opened, RunOpened)
    (directory / "run.txt").write_text(str(opened.run.run_id))
    await db.close()


def spawn(directory: Path, run: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.crash", "--child", str(directory), "--run", str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


async def report(directory: Path, kills: int, integrity: list[str], events: int, attendees: int) -> bool:
    db = Database(directory / "crash.sqlite3")
    await db.open()
    delivered = lines(directory / "discord.log")
    # Reminders: every attendee of every event, exactly once (at most one more per kill).
    expected = {(member(e * 1000 + a), e) for e in range(events) for a in range(attendees)}
    keys = {int(x): i for i, x in enumerate((directory / "events.txt").read_text().split())}
    got = Counter((int(m), keys[int(text.split(":")[1])]) for _, m, text in delivered)
    lost = expected - set(got)
    per_run = Counter(run for run, m, text in delivered)
    duplicates_by_run: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for run, m, text in delivered:
        if (m, text) in seen:
            duplicates_by_run[run] += 1
        seen.add((m, text))
    # Acknowledged RSVPs: what each student was last told is what the database holds.
    told = {int(m): status for kind, m, status in (x for x in lines(directory / "acks.log") if len(x) == 3)}
    burst_event = int((directory / "events.txt").read_text().split()[-1])
    rows = await db.fetchall("SELECT member_id, status FROM event_rsvps WHERE event_id = ?", (burst_event,))
    stored = {r["member_id"]: r["status"] for r in rows}
    rsvp_lost = {m for m, status in told.items() if stored.get(m) != status}
    going = sum(1 for status in stored.values() if status == "going")
    # Pulse: close the run; count what was kept.
    clock = ManualClock(RUN_AT + timedelta(days=30))
    pulse = PulseService(db, clock, lambda: (directory / "key").read_bytes())
    run_id = int((directory / "run.txt").read_text())
    await pulse.close_run(run_id)
    answered = await db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (run_id,))
    accepted = {m for kind, m in (x for x in lines(directory / "acks.log") if len(x) == 2)}
    await db.close()

    print(
        f"kills: {kills} (a life killed before it sent anything was killed while it queued "
        f"reminders, RSVPed or answered); lives that sent reminders: {len(per_run)}; "
        f"reminders owed: {len(expected)}"
    )
    print(f"integrity_check after each kill: {Counter(integrity)}")
    print(f"acknowledged RSVPs lost: {len(rsvp_lost)} (must be 0); going: {going} of {BURST_CAPACITY} places")
    print(f"reminders delivered: {len(got)}; lost: {len(lost)} (must be 0)")
    worst = max(duplicates_by_run.values(), default=0)
    print(
        f"duplicate reminders: {sum(duplicates_by_run.values())} over {kills} kills; "
        f"most after one kill: {worst} (must be at most 1)"
    )
    print(
        f"pulse answers: {len(accepted)} students' answers accepted, {answered} stored for "
        f"{PULSE_STUDENTS} students; counted twice: {max(0, answered - PULSE_STUDENTS)} (must be 0); "
        f"lost with the pool (by design, they could answer again): {PULSE_STUDENTS - answered}"
    )
    ok = (
        not lost
        and not rsvp_lost
        and worst <= 1
        and all(result == "ok" for result in integrity)
        and going <= BURST_CAPACITY
        and answered <= PULSE_STUDENTS
    )
    print("RESULT:", "every guarantee held" if ok else "A GUARANTEE WAS BROKEN")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--attendees", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        asyncio.run(child(args.child, args.run))
        return 0
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        asyncio.run(seed(directory, args.events, args.attendees))
        integrity: list[str] = []
        run = 0
        kills = 0
        while kills < args.kills:
            run += 1
            process = spawn(directory, run)
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                break  # it could not start: the report below says what is left
            time.sleep(rng.uniform(0.1, 1.0))
            if process.poll() is not None:
                break  # it finished everything before this kill
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            integrity.append(integrity_check(directory / "crash.sqlite3"))
        for _ in range(5):  # let the last lives finish what is owed
            run += 1
            process = spawn(directory, run)
            out, err = process.communicate(timeout=600)
            if "done" in out:
                break
            print(err, file=sys.stderr)
        return 0 if asyncio.run(report(directory, kills, integrity, args.events, args.attendees)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
