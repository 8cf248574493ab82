"""Anonymous pulse checks: short scheduled check-ins that no one can trace back to a student.

Anonymity, by design:

1. Answers are stored only as counters per run, question and option (``pulse_counts``). The
   counters of a run are all created at zero when it opens, so not even row order records the
   order of answers. There is no row pairing a member with an answer, and no per-answer time
   or sequence number.
2. "Has this member already answered this run" is ``pulse_answered.token``, an HMAC-SHA256 of
   (run, member) keyed with the bot's secret key, which is kept in a key file outside the
   database (:mod:`bot.secrets`). A copy of the database alone cannot test member ids against
   it. These rows are deleted (``secure_delete`` zeroes them) when the run closes, and the
   write-ahead log is then truncated, so afterwards nothing records who answered at all.
3. Results are given only for closed runs with at least the server's minimum number of answers
   (default 10, never below 5).
4. A breakdown by community is withheld when a group is under that minimum or could be worked
   out by subtracting the shown groups from the total (:func:`pulse_model.safe_partition`).
5. Nothing about answers is logged: this module logs no answer, option or member.

Kinds: a pulse is an organiser's pulse check (``kind = 'pulse'``) or the question set of an event
evaluation (``kind = 'evaluation'``, :mod:`bot.services.event_evaluations`), which reuses these
runs, counters, markers and batches. A :class:`PulseService` serves one kind only, so ``/pulse``
never lists, schedules or answers an evaluation's runs, and a forged id of one kind finds
nothing in the other. An evaluation's batches are written at k answers (not at the server's
results threshold: a workshop may have eight attendees, and its occurrences are summed), and it
may carry free text (``pulse_texts``), written only in the same batch commit as its answer.

Privacy inventory (for the privacy feature). Tables and columns holding a member id or
personal free text: **none** (``pulse_texts`` holds text no one can link to its writer).
``pulse_answered.token`` is derived from a member id, but cannot be linked to a member without
the secret key (outside the database); its purpose is the one-answer-per-run rule and it is kept
only while the run is open (at most 14 days, usually 48 hours), then deleted. Organiser-written
text (titles, questions, options) is not personal data about students. So
:meth:`PulseService.export_member` returns nothing and :meth:`PulseService.forget_member` removes
nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import secrets
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_, Message
from bot.secrets import keyed_hash
from bot.services.guilds import GuildSettingsService
from bot.services.outbox import enqueue
from bot.services.pulse_model import (
    DEFAULT_THRESHOLD,
    MAX_QUESTIONS,
    Question,
    dump_questions,
    load_questions,
    occurrences_rule,
    safe_partition,
    validate_open_hours,
    validate_threshold,
    validate_title,
)
from bot.services.pulse_pool import BATCH, AnswerPool, Pending
from bot.services.pulse_results import GroupResult, RunResults, Trend, TrendPoint, question_results
from bot.services.recurrence import next_occurrence
from bot.services.rows import from_row, optional_time

log = logging.getLogger(__name__)

#: The kinds of pulse (see the module docstring).
PULSE = "pulse"
EVALUATION = "evaluation"
#: Free text given with an answer is at most this long (an evaluation's optional comment).
TEXT_MAX = 500

#: Outbox topics: a run's card, and the note to organisers when a run closes.
CARD_TOPIC = "pulse.card"
CLOSED_TOPIC = "pulse.closed"


def card_marker(run_id: int) -> str:
    """What a posted card carries (its Answer button's custom id), to find it after a crash."""
    return f"pulse:answer:{run_id}"


KeySource = Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Pulse:
    pulse_id: int
    guild_id: int
    title: str
    questions: list[Question]
    channel_id: int
    audience_channel_id: int | None
    breakdown_channel_id: int | None
    repeat: str
    first_run_local: datetime
    open_seconds: int
    offer_support: bool
    status: str
    next_run_at: datetime | None
    runs_made: int
    kind: str = PULSE


@dataclass(frozen=True, slots=True)
class Run:
    run_id: int
    pulse_id: int
    guild_id: int
    number: int
    opens_at: datetime
    closes_at: datetime
    status: str
    channel_id: int
    message_id: int | None
    audience_size: int | None
    answers: int


@dataclass(frozen=True, slots=True)
class RunOpened:
    pulse: Pulse
    run: Run


@dataclass(frozen=True, slots=True)
class Skipped:
    """An occurrence missed entirely (the bot was off for its whole answering window)."""

    pulse: Pulse


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    concern: bool
    needs: tuple[str, ...] = ()


STRUGGLING_NEEDS = {"scale": "wellbeing", "choice": "discrimination"}


def _pulse(row: sqlite3.Row) -> Pulse:
    return from_row(
        Pulse,
        row,
        questions=load_questions(row["questions"]),
        first_run_local=datetime.fromisoformat(row["first_run_local"]),
        offer_support=bool(row["offer_support"]),
        next_run_at=optional_time(row["next_run_at"]),
    )


def _run(row: sqlite3.Row) -> Run:
    return from_row(
        Run, row, opens_at=from_timestamp(row["opens_at"]), closes_at=from_timestamp(row["closes_at"])
    )


def _next_run(first_local: datetime, repeat: str, tz: str, after: datetime) -> datetime | None:
    """The first run at or after ``after``, as aware UTC (None when none is left)."""
    return next_occurrence(occurrences_rule(first_local, repeat), tz, after, inclusive=True)


@dataclass(slots=True)
class _OpenRun:
    """An open run as last written, kept in memory while it is open (see ``PulseService._open``)."""

    pulse: Pulse
    run: Run
    tokens: set[bytes]
    threshold: int


class PulseService:
    """Pulse checks for every server. ``key`` returns the bot's secret key (outside the DB)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        key: KeySource,
        default_timezone: str = "Europe/London",
        guilds: GuildSettingsService | None = None,
        rng: random.Random | None = None,
        *,
        kind: str = PULSE,
        messages: tuple[str, str] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self._key = key
        # The one kind of pulse this service lists, opens, answers and closes.
        self.kind = kind
        # What a member is told when they already answered, and when the run has closed.
        self.already_answered, self.closed = messages or (ALREADY_ANSWERED, CLOSED)
        # Answers wait here, in memory only, until they can be written in batches (pulse_pool).
        self.pool = AnswerPool(rng)
        self._answering = asyncio.Lock()
        self._loading = asyncio.Lock()
        # Open runs as last written: their pulse, stored markers and threshold, so an answer
        # needs no database read (a burst of a thousand answers must fit in Discord's 3 s).
        self._open: dict[int, _OpenRun] = {}
        # The task writing each run's ready batches, while one is (see ``_flush``).
        self._writers: dict[int, asyncio.Task[None]] = {}
        # Per-server settings (the timezone) belong to the guild settings service.
        self.guilds = guilds or GuildSettingsService(db, clock, default_timezone)

    # -- settings ------------------------------------------------------------------------

    async def threshold(self, guild_id: int) -> int:
        value = await self.db.fetchval(
            "SELECT min_answers FROM pulse_settings WHERE guild_id = ?", (guild_id,)
        )
        return DEFAULT_THRESHOLD if value is None else int(value)

    async def set_threshold(self, guild_id: int, value: int) -> int:
        value = validate_threshold(value)
        await self.db.execute(
            "INSERT INTO pulse_settings (guild_id, min_answers) VALUES (?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET min_answers = excluded.min_answers",
            (guild_id, value),
        )
        for state in self._open.values():
            if state.run.guild_id == guild_id:
                state.threshold = value
        return value

    async def timezone(self, guild_id: int) -> str:
        return (await self.guilds.get(guild_id)).timezone

    async def _write_threshold(self, guild_id: int) -> int:
        """How many answers a run needs before choices are written (see :mod:`pulse_pool`): a
        pulse check's results threshold; k for an evaluation, whose runs are summed for results."""
        return BATCH if self.kind == EVALUATION else await self.threshold(guild_id)

    # -- organisers ----------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        *,
        title: str,
        questions: list[Question],
        channel_id: int,
        first_run_local: datetime,
        repeat: str = "once",
        open_hours: float = 48,
        audience_channel_id: int | None = None,
        breakdown_channel_id: int | None = None,
        offer_support: bool = True,
    ) -> Pulse:
        """Save a pulse check and work out its first run. Nothing is saved on bad input."""
        title = validate_title(title)
        if not questions:
            raise UserError("Add at least one question.")
        if len(questions) > MAX_QUESTIONS:
            raise UserError(
                "A pulse check has at most {limit} questions, so it stays quick to answer.",
                limit=MAX_QUESTIONS,
            )
        open_seconds = validate_open_hours(open_hours, repeat)
        if breakdown_channel_id is not None and breakdown_channel_id == audience_channel_id:
            raise UserError(
                "The breakdown community is the audience itself; choose another community, or none."
            )
        tz = await self.timezone(guild_id)
        now = self.clock.now()
        first = _next_run(first_run_local, repeat, tz, now)
        if first is None:
            raise UserError(
                "That schedule never fires: the first run would be in the past. Choose a start time "
                "after now."
            )
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "INSERT INTO pulses (guild_id, title, questions, channel_id, audience_channel_id,"
                " breakdown_channel_id, repeat, first_run_local, open_seconds, offer_support, status,"
                " next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                (
                    guild_id,
                    title,
                    dump_questions(questions),
                    channel_id,
                    audience_channel_id,
                    breakdown_channel_id,
                    repeat,
                    first_run_local.isoformat(timespec="minutes"),
                    open_seconds,
                    int(offer_support),
                    to_timestamp(first),
                    to_timestamp(now),
                ),
            )
            assert result.lastrowid is not None
            pulse_id = result.lastrowid
        return await self.get(guild_id, pulse_id)

    async def get(self, guild_id: int, pulse_id: int) -> Pulse:
        row = await self.db.fetchone(
            "SELECT * FROM pulses WHERE pulse_id = ? AND guild_id = ? AND kind = ?",
            (pulse_id, guild_id, self.kind),
        )
        if row is None:
            raise NotFound("I can't find that pulse check on this server. `/pulse list` shows them all.")
        return _pulse(row)

    async def find(self, pulse_id: int) -> Pulse | None:
        """A pulse check on any server (for scheduled jobs), or None if it was deleted."""
        row = await self.db.fetchone(
            "SELECT * FROM pulses WHERE pulse_id = ? AND kind = ?", (pulse_id, self.kind)
        )
        return None if row is None else _pulse(row)

    async def all(self, guild_id: int) -> list[Pulse]:
        rows = await self.db.fetchall(
            "SELECT * FROM pulses WHERE guild_id = ? AND kind = ? ORDER BY pulse_id", (guild_id, self.kind)
        )
        return [_pulse(r) for r in rows]

    async def pause(self, guild_id: int, pulse_id: int) -> Pulse:
        pulse = await self.get(guild_id, pulse_id)
        if pulse.status != "active":
            raise UserError(ALREADY_STATUS.get(pulse.status, ALREADY_STATUS["paused"]), title=pulse.title)
        await self.db.execute(
            "UPDATE pulses SET status = 'paused', next_run_at = NULL WHERE pulse_id = ?", (pulse_id,)
        )
        return await self.get(guild_id, pulse_id)

    async def resume(self, guild_id: int, pulse_id: int) -> Pulse:
        pulse = await self.get(guild_id, pulse_id)
        if pulse.status != "paused":
            raise UserError(NOT_PAUSED.get(pulse.status, NOT_PAUSED["active"]), title=pulse.title)
        tz = await self.timezone(guild_id)
        upcoming = _next_run(pulse.first_run_local, pulse.repeat, tz, self.clock.now())
        if upcoming is None:
            raise UserError(
                "**{title}** has no runs left to schedule (it ran once). Create a new pulse check instead.",
                title=pulse.title,
            )
        await self.db.execute(
            "UPDATE pulses SET status = 'active', next_run_at = ? WHERE pulse_id = ?",
            (to_timestamp(upcoming), pulse_id),
        )
        return await self.get(guild_id, pulse_id)

    async def delete(self, guild_id: int, pulse_id: int) -> tuple[Pulse, list[Run]]:
        """Delete a pulse and everything about it (its runs' counters too). Returns its runs."""
        pulse = await self.get(guild_id, pulse_id)
        async with self._answering:  # no batch of its runs is being written meanwhile
            async with self.db.transaction() as tx:
                rows = await tx.fetchall("SELECT * FROM pulse_runs WHERE pulse_id = ?", (pulse_id,))
                runs = [_run(r) for r in rows]
                await tx.execute("DELETE FROM pulses WHERE pulse_id = ?", (pulse_id,))
            for run in runs:
                self.forget_pool(run.run_id)
                self._open.pop(run.run_id, None)
        await self.truncate_wal()
        return pulse, runs

    # -- scheduling ----------------------------------------------------------------------

    async def due_pulses(self) -> list[tuple[int, int, datetime]]:
        """(guild, pulse, next run) for every active pulse: what to arm at start."""
        rows = await self.db.fetchall(
            "SELECT guild_id, pulse_id, next_run_at FROM pulses"
            " WHERE status = 'active' AND next_run_at IS NOT NULL AND kind = ?",
            (self.kind,),
        )
        return [(r["guild_id"], r["pulse_id"], from_timestamp(r["next_run_at"])) for r in rows]

    async def open_runs(self) -> list[Run]:
        rows = await self.db.fetchall(
            f"SELECT r.* FROM pulse_runs r {_OF_KIND} WHERE r.status = 'open' ORDER BY r.closes_at",
            (self.kind,),
        )
        return [_run(r) for r in rows]

    async def open_runs_by_pulse(self, guild_id: int) -> dict[int, Run]:
        """The server's runs open now, by pulse."""
        rows = await self.db.fetchall(
            f"SELECT r.* FROM pulse_runs r {_OF_KIND} WHERE r.guild_id = ? AND r.status = 'open'",
            (self.kind, guild_id),
        )
        return {row["pulse_id"]: _run(row) for row in rows}

    async def open_run(self, pulse_id: int, audience_size: int | None = None) -> RunOpened | Skipped | None:
        """Open the pulse's due run, if it is due; move the pulse on to its next run.

        Re-reads the pulse and does everything in one transaction, so a job that fires twice
        (or after a restart) opens a run once. A run whose whole answering window was missed
        (the bot was off) is skipped rather than opened late.
        """
        found = await self.find(pulse_id)
        if found is None:
            return None
        tz = await self.timezone(found.guild_id)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            prow = await tx.fetchone(
                "SELECT * FROM pulses WHERE pulse_id = ? AND kind = ?", (pulse_id, self.kind)
            )
            if prow is None:
                return None
            pulse = _pulse(prow)
            if pulse.status != "active" or pulse.next_run_at is None or pulse.next_run_at > now:
                return None
            scheduled = pulse.next_run_at
            closes = scheduled + timedelta(seconds=pulse.open_seconds)
            after = max(now, scheduled + timedelta(seconds=1))
            following = _next_run(pulse.first_run_local, pulse.repeat, tz, after)
            status = "active" if following is not None else "finished"
            next_at = None if following is None else to_timestamp(following)
            if closes <= now:
                await tx.execute(
                    "UPDATE pulses SET next_run_at = ?, status = ? WHERE pulse_id = ?",
                    (next_at, status, pulse_id),
                )
                skipped = _pulse(await tx.fetchone("SELECT * FROM pulses WHERE pulse_id = ?", (pulse_id,)))  # type: ignore[arg-type]
                return Skipped(skipped)
            number = pulse.runs_made + 1
            run_id = await insert_run(
                tx, pulse, number, now, closes, channel_id=pulse.channel_id, audience_size=audience_size
            )
            await tx.execute(
                "UPDATE pulses SET runs_made = ?, next_run_at = ?, status = ? WHERE pulse_id = ?",
                (number, next_at, status, pulse_id),
            )
            run = _run(await tx.fetchone("SELECT * FROM pulse_runs WHERE run_id = ?", (run_id,)))  # type: ignore[arg-type]
            updated = _pulse(await tx.fetchone("SELECT * FROM pulses WHERE pulse_id = ?", (pulse_id,)))  # type: ignore[arg-type]
            # The card is owed with the run: posted by the outbox, never twice (its button's id).
            await enqueue(
                tx,
                now,
                guild_id=pulse.guild_id,
                key=f"{CARD_TOPIC}:{run_id}",
                topic=CARD_TOPIC,
                channel_id=pulse.channel_id,
                payload={"run_id": run_id},
                marker=card_marker(run_id),
                not_after=closes,
            )
        log.info("Opened pulse run %s (pulse %s, guild %s)", run_id, pulse_id, pulse.guild_id)
        return RunOpened(updated, run)

    async def set_card(self, run_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE pulse_runs SET message_id = ? WHERE run_id = ?", (message_id, run_id))
        state = self._open.get(run_id)
        if state is not None:  # the cached run must say its card exists, or it could be posted again
            state.run = dataclasses.replace(state.run, message_id=message_id)

    async def find_run(self, run_id: int) -> Run | None:
        row = await self.db.fetchone(
            f"SELECT r.* FROM pulse_runs r {_OF_KIND} WHERE r.run_id = ?", (self.kind, run_id)
        )
        return None if row is None else _run(row)

    async def get_run(self, run_id: int) -> tuple[Pulse, Run]:
        state = self._open.get(run_id)
        if state is not None:
            return state.pulse, state.run
        row = await self.db.fetchone("SELECT * FROM pulse_runs WHERE run_id = ?", (run_id,))
        if row is None:
            raise NotFound("This pulse check no longer exists: it was deleted by an organiser.")
        run = _run(row)
        return await self.get(run.guild_id, run.pulse_id), run

    async def close_run(self, run_id: int, *, notify_channel_id: int | None = None) -> Run | None:
        """Close a run that is due to close: write the pooled answers, forget who answered.

        The pool is written in the closing commit if the run reached its results threshold;
        otherwise only how many answered is stored, never what they chose. Returns the closed
        run, or None when it was not open or not yet due (a repeated job).
        """
        now = to_timestamp(self.clock.now())
        async with self._answering:
            row = await self.db.fetchone(
                f"SELECT r.guild_id FROM pulse_runs r {_OF_KIND} WHERE r.run_id = ?", (self.kind, run_id)
            )
            if row is None:
                return None
            threshold = await self._write_threshold(row["guild_id"])
            async with self.db.transaction() as tx:
                row = await tx.fetchone("SELECT * FROM pulse_runs WHERE run_id = ?", (run_id,))
                if row is None or row["status"] != "open" or row["closes_at"] > now:
                    return None
                pooled = self.pool.drain(run_id)
                self._open.pop(run_id, None)
                # Choices are written only as a batch of at least k (or as every answer of a run
                # that reached its threshold before any batch was written). After a restart lost
                # the pool, fewer may remain: then, as under the threshold, only the count.
                whole = len(pooled) >= BATCH or row["answers"] == 0
                if row["answers"] + len(pooled) >= threshold and whole:
                    # No markers: they would be deleted in this same commit.
                    await _write_batch(tx, run_id, pooled, markers=False)
                elif pooled:
                    # Too few to show, or to hide among: keep how many answered, never what they chose.
                    await tx.execute(
                        "UPDATE pulse_runs SET answers = answers + ? WHERE run_id = ?", (len(pooled), run_id)
                    )
                await tx.execute("UPDATE pulse_runs SET status = 'closed' WHERE run_id = ?", (run_id,))
                await tx.execute("DELETE FROM pulse_answered WHERE run_id = ?", (run_id,))
                if notify_channel_id is not None:
                    await enqueue(
                        tx,
                        self.clock.now(),
                        guild_id=row["guild_id"],
                        key=f"{CLOSED_TOPIC}:{run_id}",
                        topic=CLOSED_TOPIC,
                        channel_id=notify_channel_id,
                        payload={"run_id": run_id},
                    )
                closed = _run(await tx.fetchone("SELECT * FROM pulse_runs WHERE run_id = ?", (run_id,)))  # type: ignore[arg-type]
        log.info("Closed pulse run %s", run_id)
        return closed

    async def truncate_wal(self) -> bool:
        """Empty the write-ahead log, so the page versions of earlier states go (after a close
        or a delete). False when a reader kept it from finishing: the caller retries later and
        tells the organisers if it never succeeds."""
        done = await self.db.truncate_wal()
        if not done:
            log.warning("The write-ahead log was busy; it will be truncated on a later try")
        return done

    # -- answering -----------------------------------------------------------------------

    def _token(self, run_id: int, member_id: int) -> bytes:
        return bytes.fromhex(keyed_hash(self._key(), "pulse-answered", run_id, member_id))

    async def _open_run(self, run_id: int) -> _OpenRun:
        """The open run's state, read from the database once and kept while it is open."""
        state = self._open.get(run_id)
        if state is None:
            async with self._loading:  # one read for a burst, not one per waiting answer
                state = self._open.get(run_id)
                if state is None:
                    pulse, run = await self.get_run(run_id)
                    self._require_open(run)
                    rows = await self.db.fetchall(
                        "SELECT token FROM pulse_answered WHERE run_id = ?", (run_id,)
                    )
                    threshold = await self._write_threshold(run.guild_id)
                    state = _OpenRun(pulse, run, {bytes(row[0]) for row in rows}, threshold)
                    self._open[run_id] = state
        self._require_open(state.run)
        return state

    async def has_answered(self, run_id: int, member_id: int) -> bool:
        token = self._token(run_id, member_id)
        state = await self._open_run(run_id)
        return token in state.tokens or self.pool.holds(run_id, token)

    async def check_can_answer(self, run_id: int, member_id: int) -> tuple[Pulse, Run]:
        """The run, if this member may still answer it; a kind UserError otherwise."""
        state = await self._open_run(run_id)
        if await self.has_answered(run_id, member_id):
            raise UserError(self.already_answered)
        return state.pulse, state.run

    def _require_open(self, run: Run) -> None:
        if run.status != "open" or run.closes_at <= self.clock.now():
            raise UserError(self.closed)

    async def answer(
        self,
        run_id: int,
        member_id: int,
        choices: list[int],
        *,
        in_group: bool = False,
        text: str | None = None,
    ) -> AnswerOutcome:
        """Accept one member's answers to a run, once. ``choices``: an option index per question;
        ``text``: free text given with them (already cleaned, at most :data:`TEXT_MAX`), if any.

        The member id is used only to compute the keyed "already answered" marker. The answer
        waits in the pool with its marker (and text) and is written later with others (see
        :mod:`bot.services.pulse_pool`); the one-answer rule checks the pool and the table.
        """
        if text is not None and (not text or len(text) > TEXT_MAX):
            raise UserError("Please keep your comment to {limit} characters.", limit=TEXT_MAX)
        token = self._token(run_id, member_id)
        state = await self._open_run(run_id)
        pulse = state.pulse
        _validate_choices(pulse.questions, choices)
        # Nothing is awaited from the check to the pool, so two answers of one member can't both
        # pass it. ``state.tokens`` also holds the batch being written.
        if token in state.tokens or self.pool.holds(run_id, token):
            raise UserError(self.already_answered)
        flag = in_group and pulse.breakdown_channel_id is not None
        self.pool.add(run_id, Pending(token, tuple(choices), flag, text))
        await self._flush(state)
        needs = tuple(
            STRUGGLING_NEEDS[q.kind]
            for q, choice in zip(pulse.questions, choices, strict=True)
            if choice in q.concern
        )
        return AnswerOutcome(concern=bool(needs), needs=tuple(dict.fromkeys(needs)))

    async def _flush(self, state: _OpenRun) -> None:
        """Start writing the pool's batches if its rules allow one now and no write of this run
        is under way, and wait for the first (its failure is this caller's error; the batch goes
        back to the pool). An answer that finds a write under way only joins the pool: that
        writer takes the next batch before it stops, so a burst of answers never queues behind
        the writes."""
        run_id = state.run.run_id
        if run_id in self._writers or not self.pool.ready(run_id, state.run.answers, state.threshold):
            return
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        writer = asyncio.create_task(self._write_batches(state, first))
        self._writers[run_id] = writer

        def ended(task: asyncio.Task[None]) -> None:
            # However the writer ended, even cancelled before it began: the run is free to write
            # again, and whoever waits for the first batch hears.
            if self._writers.get(run_id) is task:
                del self._writers[run_id]
            if not first.done():
                if task.cancelled():
                    first.cancel()
                else:
                    first.set_result(None)

        writer.add_done_callback(ended)
        await first

    async def _write_batches(self, state: _OpenRun, first: asyncio.Future[None]) -> None:
        """Write batches while the pool's rules allow (one commit each), under the lock that
        closing and deleting a run take."""
        run_id = state.run.run_id
        try:
            async with self._answering:
                while self._open.get(run_id) is state:  # not closed or deleted meanwhile
                    batch = self.pool.take_batch(run_id, state.run.answers, state.threshold)
                    if not batch:
                        break
                    state.tokens.update(p.token for p in batch)  # stored, or being stored
                    try:
                        async with self.db.transaction() as tx:
                            await _write_batch(tx, run_id, batch)
                    except BaseException as error:
                        state.tokens.difference_update(p.token for p in batch)
                        self.pool.put_back(run_id, batch)
                        self._open.pop(run_id, None)  # read it afresh next time
                        if not isinstance(error, Exception):
                            raise  # cancelled (the process is stopping): the batch stays pooled
                        if first.done():
                            log.exception("A batch of answers to run %s stays pooled: not written", run_id)
                        else:
                            first.set_exception(error)
                        return
                    state.run = dataclasses.replace(state.run, answers=state.run.answers + len(batch))
                    if not first.done():
                        first.set_result(None)
        finally:
            # At once, so the next answer after this one can start a writer (the callback in
            # ``_flush`` runs a turn later; it covers a writer cancelled before it began).
            if self._writers.get(run_id) is asyncio.current_task():
                del self._writers[run_id]

    async def writes_done(self) -> None:
        """Wait until no batch is being written (closing a run waits by itself)."""
        while self._writers:
            await asyncio.gather(*self._writers.values(), return_exceptions=True)

    def forget_pool(self, run_id: int) -> None:
        """A deleted run's pooled answers go with it (they were never stored)."""
        self.pool.drain(run_id)

    # -- results -------------------------------------------------------------------------

    async def results(self, guild_id: int, pulse_id: int, run_number: int | None = None) -> RunResults:
        """Results of a closed run (the latest closed one by default), shown only when safe."""
        pulse = await self.get(guild_id, pulse_id)
        threshold = await self.threshold(guild_id)
        async with self.db.read() as tx:
            if run_number is None:
                row = await tx.fetchone(
                    "SELECT * FROM pulse_runs WHERE pulse_id = ? AND status = 'closed'"
                    " ORDER BY number DESC LIMIT 1",
                    (pulse_id,),
                )
            else:
                row = await tx.fetchone(
                    "SELECT * FROM pulse_runs WHERE pulse_id = ? AND number = ?", (pulse_id, run_number)
                )
            if row is None:
                if run_number is None:
                    raise UserError(
                        "**{title}** has no closed runs yet. Results appear once a run closes.",
                        title=pulse.title,
                    )
                raise UserError(
                    "**{title}** has no run number {number}.", title=pulse.title, number=run_number
                )
            run = _run(row)
            if run.status != "closed":
                raise UserError(
                    "Run {number} of **{title}** is still open (it closes {when}). Results are shown only "
                    "after a run closes, so no one can watch answers come in.",
                    number=run.number,
                    title=pulse.title,
                    when=f"<t:{to_timestamp(run.closes_at)}:R>",
                )
            group_answers = int(row["group_answers"])
            counts = await run_counts(tx, run.run_id)
        if run.answers < threshold:
            return RunResults(
                pulse,
                run,
                threshold,
                False,
                f"not enough answers to show results safely ({run.answers} of the {threshold} needed)",
                [],
                [],
            )
        overall = question_results(pulse.questions, counts.get(0, {}), run.answers)
        groups: list[GroupResult] = []
        if pulse.breakdown_channel_id is not None:
            inside = counts.get(1, {})
            outside = {key: value - inside.get(key, 0) for key, value in counts.get(0, {}).items()}
            sizes = {"in": group_answers, "out": run.answers - group_answers}
            decision = safe_partition(run.answers, sizes, threshold)
            for name, cells in (("in", inside), ("out", outside)):
                if name in decision.shown:
                    groups.append(
                        GroupResult(name, sizes[name], question_results(pulse.questions, cells, sizes[name]))
                    )
                else:
                    groups.append(GroupResult(name, None, [], decision.withheld.get(name, "withheld")))
        return RunResults(pulse, run, threshold, True, None, overall, groups)

    async def trend(self, guild_id: int, pulse_id: int) -> Trend:
        """Each closed run with enough answers: per question, its mean (scales) or shares."""
        pulse = await self.get(guild_id, pulse_id)
        threshold = await self.threshold(guild_id)
        points: list[TrendPoint] = []
        withheld = 0
        async with self.db.read() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM pulse_runs WHERE pulse_id = ? AND status = 'closed' ORDER BY number",
                (pulse_id,),
            )
            for row in rows:
                run = _run(row)
                if run.answers < threshold:
                    withheld += 1
                    continue
                counts = await run_counts(tx, run.run_id)
                points.append(
                    TrendPoint(
                        run.number,
                        run.opens_at,
                        run.answers,
                        run.audience_size,
                        question_results(pulse.questions, counts.get(0, {}), run.answers),
                    )
                )
        return Trend(pulse, threshold, points, withheld)

    # -- privacy (issue 9) ---------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, object]:
        """Nothing: pulse checks store no data about a member (see the module docstring).

        The "already answered" tokens of open runs are keyed hashes that cannot be linked to a
        member without the secret key kept outside the database; they are deleted at close.
        """
        return {}

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Nothing to erase: answers are anonymous counters, and "already answered" tokens
        cannot be linked to a member without the key (they go when the run closes). Removing a
        token early would only let the member's answer be counted twice."""
        return {}


#: A pulse check that can't be paused again, or resumed, by its status.
ALREADY_STATUS: dict[str, Message] = {
    "paused": N_("**{title}** is already paused."),
    "active": N_("**{title}** is already active."),
    "finished": N_("**{title}** is already finished."),
}
NOT_PAUSED: dict[str, Message] = {
    "active": N_("**{title}** isn't paused (it is active)."),
    "finished": N_("**{title}** isn't paused (it is finished)."),
}
ALREADY_ANSWERED = N_(
    "You've already answered this check-in, thank you. Answers can't be changed: to allow that, "
    "the bot would have to remember what you said, and it deliberately doesn't."
)


CLOSED = N_(
    "This check-in has closed, so it no longer takes answers. Thank you for looking; the next "
    "one will be posted in the same channel."
)


def _validate_choices(questions: list[Question], choices: list[int]) -> None:
    if len(choices) != len(questions):
        raise UserError('Please answer every question ("Prefer not to say" is fine where offered).')
    for number, (question, choice) in enumerate(zip(questions, choices, strict=True), start=1):
        if not 0 <= choice < len(question.options):
            raise UserError(
                "I couldn't read your answer to question {number}. Please try again.", number=number
            )


async def _write_batch(tx: Tx, run_id: int, batch: list[Pending], *, markers: bool = True) -> None:
    """Write pooled answers in the caller's commit: markers in token order (unrelated to arrival),
    counters raised by their sums, texts under random keys, so the commit shows only the batch's
    multiset of answers."""
    if not batch:
        return
    if markers:
        await tx.executemany(
            "INSERT INTO pulse_answered (run_id, token) VALUES (?, ?)",
            [(run_id, token) for token in sorted(p.token for p in batch)],
        )
    raised: Counter[tuple[int, int, int]] = Counter()
    for pending in batch:
        for group in (0, 1) if pending.in_group else (0,):
            for question, choice in enumerate(pending.choices):
                raised[(group, question, choice)] += 1
    await tx.executemany(
        "UPDATE pulse_counts SET count = count + ?"
        " WHERE run_id = ? AND in_group = ? AND question = ? AND option = ?",
        [(n, run_id, g, q, o) for (g, q, o), n in sorted(raised.items())],
    )
    # Free texts under random keys, inserted in key order: nothing records which came first.
    texts = sorted((secrets.token_bytes(16), p.text) for p in batch if p.text)
    if texts:
        await tx.executemany(
            "INSERT INTO pulse_texts (run_id, nonce, text) VALUES (?, ?, ?)",
            [(run_id, nonce, text) for nonce, text in texts],
        )
    await tx.execute(
        "UPDATE pulse_runs SET answers = answers + ?, group_answers = group_answers + ? WHERE run_id = ?",
        (len(batch), sum(1 for p in batch if p.in_group), run_id),
    )


async def run_counts(tx: Tx, run_id: int) -> dict[int, dict[tuple[int, int], int]]:
    """A run's counters: group (0: everyone, 1: the breakdown group) -> (question, option) -> count."""
    rows = await tx.fetchall(
        "SELECT in_group, question, option, count FROM pulse_counts WHERE run_id = ?", (run_id,)
    )
    result: dict[int, dict[tuple[int, int], int]] = {}
    for row in rows:
        result.setdefault(row["in_group"], {})[(row["question"], row["option"])] = row["count"]
    return result


# -- runs of any kind ----------------------------------------------------------------------

#: Joins a run (alias ``r``) to its pulse, to keep a service to its kind (the first parameter).
_OF_KIND = "JOIN pulses p ON p.pulse_id = r.pulse_id AND p.kind = ?"


async def insert_run(
    tx: Tx,
    pulse: Pulse,
    number: int,
    opens_at: datetime,
    closes_at: datetime,
    *,
    channel_id: int,
    audience_size: int | None,
) -> int:
    """Open a run in the caller's transaction, with every counter created at zero (their order
    says nothing about answers). Returns its id."""
    result = await tx.execute(
        "INSERT INTO pulse_runs (pulse_id, guild_id, number, opens_at, closes_at, status, channel_id,"
        " audience_size) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
        (
            pulse.pulse_id,
            pulse.guild_id,
            number,
            to_timestamp(opens_at),
            to_timestamp(closes_at),
            channel_id,
            audience_size,
        ),
    )
    assert result.lastrowid is not None
    run_id = result.lastrowid
    cells = [
        (run_id, group, q, o)
        for group in ((0, 1) if pulse.breakdown_channel_id is not None else (0,))
        for q, question in enumerate(pulse.questions)
        for o in range(len(question.options))
    ]
    await tx.executemany(
        "INSERT INTO pulse_counts (run_id, in_group, question, option, count) VALUES (?, ?, ?, ?, 0)", cells
    )
    return run_id


async def insert_question_set(
    tx: Tx, guild_id: int, title: str, questions: list[Question], now: datetime, *, open_seconds: int
) -> Pulse:
    """A pulse of the evaluation kind in the caller's transaction: questions with no schedule of
    their own (``status = 'finished'``: no pulse job ever opens it; its owner opens its runs)."""
    result = await tx.execute(
        "INSERT INTO pulses (guild_id, title, questions, channel_id, repeat, first_run_local, open_seconds,"
        " offer_support, status, next_run_at, runs_made, created_at, kind)"
        " VALUES (?, ?, ?, 0, 'once', ?, ?, 1, 'finished', NULL, 0, ?, ?)",
        (
            guild_id,
            title,
            dump_questions(questions),
            now.replace(tzinfo=None).isoformat(timespec="minutes"),
            open_seconds,
            to_timestamp(now),
            EVALUATION,
        ),
    )
    return await pulse_in(tx, int(result.lastrowid or 0))


async def pulse_in(tx: Tx, pulse_id: int) -> Pulse:
    """A pulse of any kind, read in the caller's transaction (it must exist)."""
    row = await tx.fetchone("SELECT * FROM pulses WHERE pulse_id = ?", (pulse_id,))
    assert row is not None
    return _pulse(row)


async def next_run_number(tx: Tx, pulse_id: int) -> int:
    """Count a new run of this pulse (in the caller's transaction); its number."""
    await tx.execute("UPDATE pulses SET runs_made = runs_made + 1 WHERE pulse_id = ?", (pulse_id,))
    return int(await tx.fetchval("SELECT runs_made FROM pulses WHERE pulse_id = ?", (pulse_id,)))


async def set_questions(tx: Tx, pulse_id: int, title: str, questions: list[Question]) -> None:
    await tx.execute(
        "UPDATE pulses SET title = ?, questions = ? WHERE pulse_id = ?",
        (title, dump_questions(questions), pulse_id),
    )


async def run_texts(tx: Tx, run_ids: list[int]) -> list[str]:
    """The free texts written with these runs' answers (in the order of their random keys)."""
    texts: list[str] = []
    for run_id in run_ids:
        rows = await tx.fetchall("SELECT text FROM pulse_texts WHERE run_id = ? ORDER BY nonce", (run_id,))
        texts += [str(row[0]) for row in rows]
    return texts
