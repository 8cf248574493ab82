"""Workshop evaluation (issue #19): anonymous questions for attendees when an event ends, and
again some months later, counted the way pulse checks count answers.

An organiser turns evaluation on for an event, or for it and the rest of its series. When an
evaluated event ends, the members going at that moment (not the waiting list) who have not been
asked about an earlier occurrence of the same evaluation are its cohort: each is owed one DM
(outbox topic ``events.evaluation``, key ``events.evaluation:{run}@{member}``) with a button that
opens the anonymous form, and may answer once while the run is open (:data:`OPEN_DAYS`). After
``follow_up_months`` the same cohort is asked the same questions again, once.

Storage: each time attendees are asked is a pulse run of the evaluation kind
(:mod:`bot.services.pulse`), so answers are anonymous counters written only in batches of at
least k (:mod:`bot.services.pulse_pool`), with the keyed one-answer marker, and a run that closes
with fewer than k unwritten answers keeps only how many answered. Results are shown only when
the answers summed over what is shown reach the server's pulse threshold.

Member data held here (privacy inventory, :mod:`bot.privacy`; ``export_member`` and
``forget_member``):

* ``event_evaluation_cohort.member_id``: who was asked after an occurrence, kept only to ask them
  again; deleted in the transaction that owes the follow-up DMs, when the evaluation is turned
  off or its follow-up dropped, or by forget-me. It never records who answered.
* ``event_evaluation_invited.token``: HMAC(key, run, member), who may answer a run; deleted when
  the run closes.
* ``event_evaluation_asked.token``: HMAC(key, evaluation, member), so a series asks each student
  after the first occurrence they attend only; deleted when no occurrence is left to ask about.
* ``pulse_texts.text``: an optional comment, linked to no one (see :mod:`bot.services.pulse`).

Nothing here is logged with a member id, an answer or a comment.
"""

from __future__ import annotations

import logging
import random
import secrets
import sqlite3
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_
from bot.secrets import keyed_hash
from bot.services.event_evaluation_model import (
    DEFAULT_FOLLOW_UP_MONTHS,
    OPEN_DAYS,
    TITLE_MAX,
    AnswerContext,
    Asked,
    Configured,
    Evaluation,
    EvaluationResults,
    StageResult,
    changes_between,
    clean_comment,
    default_questions,
    reworded,
    validate_months,
)
from bot.services.outbox import enqueue
from bot.services.pulse import (
    EVALUATION,
    AnswerOutcome,
    KeySource,
    PulseService,
    insert_question_set,
    insert_run,
    next_run_number,
    pulse_in,
    run_counts,
    run_texts,
    set_questions,
)
from bot.services.pulse_model import load_questions
from bot.services.pulse_results import question_results

log = logging.getLogger(__name__)

#: The outbox topic of the DM asking an attendee (key :func:`dm_key`, one per member).
ASK_TOPIC = "events.evaluation"

ALREADY_ANSWERED = N_(
    "You've already answered, thank you. Answers can't be changed: to allow that, the bot would have "
    "to remember what you said, and it deliberately doesn't."
)
CLOSED = N_("These questions have closed, so they no longer take answers. Thank you for looking.")
NOT_FOUND = N_("I can't find those questions. They may have been removed.")
NOT_INVITED = N_(
    "These questions are for the people who went to the event, so they aren't open to you. "
    "Thank you for wanting to help."
)
NO_EVALUATION = N_("That event isn't evaluated. `/event evaluate` turns it on (before the event ends).")


def dm_key(run_id: int) -> str:
    return f"{ASK_TOPIC}:{run_id}"


@dataclass(frozen=True, slots=True)
class Due:
    """What is due now: events that ended, runs to close, follow-ups to send."""

    ended: list[int]
    closing: list[int]
    follow_ups: list[int]

    def __bool__(self) -> bool:
        return bool(self.ended or self.closing or self.follow_ups)


@dataclass(frozen=True, slots=True)
class TurnedOff:
    evaluation: Evaluation
    events: int  # events no longer asked about
    follow_ups: int  # cohorts no longer asked again


def _months_after(when: int, months: int) -> int:
    return to_timestamp(from_timestamp(when) + relativedelta(months=months))


_EVALUATION = (
    "SELECT v.evaluation_id, v.guild_id, v.pulse_id, v.free_text, v.follow_up_months, v.status,"
    " p.title, p.questions, p.runs_made FROM event_evaluations v JOIN pulses p ON p.pulse_id = v.pulse_id"
)


def _evaluation(row: sqlite3.Row) -> Evaluation:
    return Evaluation(
        evaluation_id=row["evaluation_id"],
        guild_id=row["guild_id"],
        pulse_id=row["pulse_id"],
        title=row["title"],
        questions=load_questions(row["questions"]),
        free_text=bool(row["free_text"]),
        follow_up_months=row["follow_up_months"],
        status=row["status"],
        asked=row["runs_made"] > 0,
    )


#: Whether event ``e`` is posted in an identity community's channel (only its members can reply).
_IN_IDENTITY = (
    "COALESCE(e.community_channel_id IN (SELECT channel_id FROM communities WHERE kind = 'identity'), 0)"
)


class EvaluationService:
    """Event evaluations for every server. ``key`` returns the bot's secret key (outside the DB)."""

    def __init__(self, db: Database, clock: Clock, key: KeySource, rng: random.Random | None = None) -> None:
        self.db = db
        self.clock = clock
        self._key = key
        # The answers: pulse runs of the evaluation kind, pooled and counted there.
        self.pulses = PulseService(
            db, clock, key, rng=rng, kind=EVALUATION, messages=(ALREADY_ANSWERED, CLOSED)
        )

    def _token(self, purpose: str, scope: int, member_id: int) -> bytes:
        return bytes.fromhex(keyed_hash(self._key(), purpose, scope, member_id))

    async def threshold(self, guild_id: int) -> int:
        return await self.pulses.threshold(guild_id)

    async def writes_done(self) -> None:
        """Wait until no batch of answers is being written (before the database closes)."""
        await self.pulses.writes_done()

    # -- reading -------------------------------------------------------------------------

    async def _get(self, tx: Tx, evaluation_id: int) -> Evaluation:
        row = await tx.fetchone(f"{_EVALUATION} WHERE v.evaluation_id = ?", (evaluation_id,))
        if row is None:
            raise NotFound(NO_EVALUATION)
        return _evaluation(row)

    async def get(self, guild_id: int, evaluation_id: int) -> Evaluation:
        async with self.db.read() as tx:
            evaluation = await self._get(tx, evaluation_id)
        if evaluation.guild_id != guild_id:
            raise NotFound(NO_EVALUATION)
        return evaluation

    async def of_event(self, guild_id: int, event_id: int) -> Evaluation | None:
        """The evaluation asking about this event (or that asked about it), if any."""
        async with self.db.read() as tx:
            found = await self._evaluation_of(tx, event_id)
            if found is None:
                return None
            evaluation = await self._get(tx, found)
        return evaluation if evaluation.guild_id == guild_id else None

    @staticmethod
    async def _evaluation_of(tx: Tx, event_id: int) -> int | None:
        value = await tx.fetchval(
            "SELECT evaluation_id FROM event_evaluation_events WHERE event_id = ?"
            " UNION ALL SELECT evaluation_id FROM event_evaluation_runs WHERE event_id = ? LIMIT 1",
            (event_id, event_id),
        )
        return None if value is None else int(value)

    async def _event(self, tx: Tx, guild_id: int, event_id: int) -> sqlite3.Row:
        valid = isinstance(event_id, int) and 0 < event_id < 2**63
        row = (
            await tx.fetchone(
                "SELECT event_id, guild_id, series_id, title, starts_at, ends_at, status,"
                f" {_IN_IDENTITY} AS identity FROM events e WHERE event_id = ?",
                (event_id,),
            )
            if valid
            else None
        )
        if row is None or row["guild_id"] != guild_id:
            raise NotFound("I can't find that event. `/event list` shows what's coming up.")
        return row

    async def evaluated_events(self, guild_id: int, limit: int = 100) -> list[tuple[int, str, int]]:
        """(event id, title, start) of the server's evaluated events, latest first."""
        rows = await self.db.fetchall(
            "SELECT e.event_id, e.title, e.starts_at FROM events e WHERE e.guild_id = ? AND e.event_id IN"
            " (SELECT event_id FROM event_evaluation_events UNION SELECT event_id FROM event_evaluation_runs)"
            " ORDER BY e.starts_at DESC LIMIT ?",
            (guild_id, limit),
        )
        return [(r["event_id"], r["title"], r["starts_at"]) for r in rows]

    # -- organisers ----------------------------------------------------------------------

    async def turn_on(
        self,
        guild_id: int,
        event_id: int,
        *,
        scope: str = "this",
        follow_up_months: int = DEFAULT_FOLLOW_UP_MONTHS,
        free_text: bool = False,
    ) -> Configured:
        """Ask this event's attendees (or those of it and every later occurrence of its series)
        when it ends, and again ``follow_up_months`` later. An evaluation already on the event
        (or, for the rest of a series, on the series) is reused, so its occurrences are summed
        and each student is asked once. Nothing is saved on bad input."""
        months = validate_months(follow_up_months)
        now = to_timestamp(self.clock.now())
        async with self.db.transaction() as tx:
            event = await self._event(tx, guild_id, event_id)
            if event["status"] != "scheduled":
                raise UserError("That event was cancelled, so there is no one to ask.")
            if scope == "rest" and event["series_id"] is None:
                raise UserError("That event is not part of a series. Use `scope: Just this event`.")
            existing = await self._evaluation_of(tx, event_id)
            ended = event["ends_at"] <= now
            if ended and (existing is None or (await self._get(tx, existing)).status != "on"):
                raise UserError(
                    "That event has already ended. Turn evaluation on before an event ends: its attendees "
                    "are asked the moment it does."
                )
            # An evaluation already under way may still change its settings after this event.
            targets = [] if ended else [event_id]
            if scope == "rest":
                rows = await tx.fetchall(
                    "SELECT event_id FROM events WHERE series_id = ? AND starts_at >= ?"
                    " AND status = 'scheduled' AND ends_at > ? ORDER BY starts_at",
                    (event["series_id"], event["starts_at"], now),
                )
                targets = [r["event_id"] for r in rows]
            if existing is None and scope == "rest":
                value = await tx.fetchval(
                    "SELECT t.evaluation_id FROM event_evaluation_events t"
                    " JOIN events e ON e.event_id = t.event_id"
                    " WHERE e.series_id = ? ORDER BY e.starts_at DESC LIMIT 1",
                    (event["series_id"],),
                )
                existing = None if value is None else int(value)
            if existing is None:
                title = f"Evaluation: {event['title']}"
                title = title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"
                pulse = await insert_question_set(
                    tx,
                    guild_id,
                    title,
                    default_questions(),
                    self.clock.now(),
                    open_seconds=OPEN_DAYS * 86400,
                )
                result = await tx.execute(
                    "INSERT INTO event_evaluations"
                    " (guild_id, pulse_id, free_text, follow_up_months, created_at) VALUES (?, ?, ?, ?, ?)",
                    (guild_id, pulse.pulse_id, int(free_text), months, now),
                )
                evaluation_id = int(result.lastrowid or 0)
            else:
                evaluation_id = existing
                await tx.execute(
                    "UPDATE event_evaluations SET free_text = ?, follow_up_months = ?, status = 'on'"
                    " WHERE evaluation_id = ?",
                    (int(free_text), months, evaluation_id),
                )
                await self._reschedule_follow_ups(tx, evaluation_id, months)
            for target in targets:
                await tx.execute(
                    "INSERT INTO event_evaluation_events (event_id, evaluation_id) VALUES (?, ?)"
                    " ON CONFLICT (event_id) DO UPDATE SET evaluation_id = excluded.evaluation_id"
                    " WHERE state = 'pending'",
                    (target, evaluation_id),
                )
            evaluation = await self._get(tx, evaluation_id)
        log.info("Evaluation %s on for %d event(s) (guild %s)", evaluation_id, len(targets), guild_id)
        return Configured(evaluation, len(targets), existing is None, identity=bool(event["identity"]))

    async def _reschedule_follow_ups(self, tx: Tx, evaluation_id: int, months: int) -> None:
        """Follow-ups not yet sent move to ``months`` after their event ended (0: dropped)."""
        rows = await tx.fetchall(
            "SELECT r.run_id, e.ends_at FROM event_evaluation_runs r JOIN events e ON e.event_id = r.event_id"
            " WHERE r.evaluation_id = ? AND r.stage = 'after' AND r.follow_up_at IS NOT NULL",
            (evaluation_id,),
        )
        for row in rows:
            if months == 0:
                await self._drop_cohort(tx, row["run_id"])
            else:
                await tx.execute(
                    "UPDATE event_evaluation_runs SET follow_up_at = ? WHERE run_id = ?",
                    (_months_after(row["ends_at"], months), row["run_id"]),
                )

    @staticmethod
    async def _drop_cohort(tx: Tx, run_id: int) -> None:
        await tx.execute("DELETE FROM event_evaluation_cohort WHERE run_id = ?", (run_id,))
        await tx.execute("UPDATE event_evaluation_runs SET follow_up_at = NULL WHERE run_id = ?", (run_id,))

    async def turn_off(self, guild_id: int, event_id: int) -> TurnedOff:
        """Stop the event's evaluation: no more events asked about, no follow-ups; who was due one
        is forgotten. Questions open now stay open until they close; results stay."""
        async with self.db.transaction() as tx:
            await self._event(tx, guild_id, event_id)
            found = await self._evaluation_of(tx, event_id)
            if found is None:
                raise NotFound(NO_EVALUATION)
            result = await tx.execute(
                "DELETE FROM event_evaluation_events WHERE evaluation_id = ? AND state = 'pending'", (found,)
            )
            events = max(result.rowcount, 0)
            runs = await tx.fetchall(
                "SELECT run_id FROM event_evaluation_runs"
                " WHERE evaluation_id = ? AND follow_up_at IS NOT NULL",
                (found,),
            )
            for row in runs:
                await self._drop_cohort(tx, row["run_id"])
            await tx.execute("DELETE FROM event_evaluation_asked WHERE evaluation_id = ?", (found,))
            await tx.execute("UPDATE event_evaluations SET status = 'off' WHERE evaluation_id = ?", (found,))
            evaluation = await self._get(tx, found)
        await self.db.truncate_wal()  # the deleted member ids leave the log too
        log.info("Evaluation %s turned off", found)
        return TurnedOff(evaluation, events, len(runs))

    async def set_questions(self, guild_id: int, evaluation_id: int, texts: list[str]) -> Evaluation:
        """Reword the questions, before anyone has been asked them (then they are fixed)."""
        async with self.db.transaction() as tx:
            evaluation = await self._get(tx, evaluation_id)
            if evaluation.guild_id != guild_id:
                raise NotFound(NO_EVALUATION)
            if evaluation.asked:
                raise UserError(
                    "Attendees have already been asked these questions, so their wording is fixed: the "
                    "answers straight after and months later must be to the same questions."
                )
            await set_questions(
                tx, evaluation.pulse_id, evaluation.title, reworded(evaluation.questions, texts)
            )
            return await self._get(tx, evaluation_id)

    # -- scheduling ----------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        """When something next falls due: an evaluated event ends, a run closes, a follow-up."""
        value = await self.db.fetchval(
            "SELECT MIN(t) FROM ("
            " SELECT MIN(e.ends_at) AS t FROM event_evaluation_events x"
            " JOIN events e ON e.event_id = x.event_id"
            " JOIN event_evaluations v ON v.evaluation_id = x.evaluation_id"
            " WHERE x.state = 'pending' AND v.status = 'on'"
            " UNION ALL SELECT MIN(r.closes_at) FROM event_evaluation_runs er"
            " JOIN pulse_runs r ON r.run_id = er.run_id WHERE r.status = 'open'"
            " UNION ALL SELECT MIN(er.follow_up_at) FROM event_evaluation_runs er"
            " JOIN event_evaluations v ON v.evaluation_id = er.evaluation_id"
            " WHERE er.follow_up_at IS NOT NULL AND v.status = 'on')"
        )
        return None if value is None else from_timestamp(int(value))

    async def due(self) -> Due:
        now = to_timestamp(self.clock.now())
        ended, closing, follow_ups = await self.db.read_many(
            (
                "SELECT x.event_id FROM event_evaluation_events x JOIN events e ON e.event_id = x.event_id"
                " JOIN event_evaluations v ON v.evaluation_id = x.evaluation_id"
                " WHERE x.state = 'pending' AND v.status = 'on' AND e.ends_at <= ? ORDER BY e.ends_at",
                (now,),
            ),
            (
                "SELECT er.run_id FROM event_evaluation_runs er JOIN pulse_runs r ON r.run_id = er.run_id"
                " WHERE r.status = 'open' AND r.closes_at <= ? ORDER BY r.closes_at",
                (now,),
            ),
            (
                "SELECT er.run_id FROM event_evaluation_runs er"
                " JOIN event_evaluations v ON v.evaluation_id = er.evaluation_id"
                " WHERE er.follow_up_at IS NOT NULL AND er.follow_up_at <= ? AND v.status = 'on'"
                " ORDER BY er.follow_up_at",
                (now,),
            ),
        )
        return Due([r[0] for r in ended], [r[0] for r in closing], [r[0] for r in follow_ups])

    async def _open(
        self,
        tx: Tx,
        evaluation_id: int,
        event_id: int,
        stage: str,
        members: list[int],
        *,
        after_run: int | None,
    ) -> Asked:
        """A run asking ``members``, with who may answer it and a DM owed to each (in ``tx``)."""
        now = self.clock.now()
        closes = now + timedelta(days=OPEN_DAYS)
        evaluation = await self._get(tx, evaluation_id)
        pulse = await pulse_in(tx, evaluation.pulse_id)
        number = await next_run_number(tx, pulse.pulse_id)
        run_id = await insert_run(tx, pulse, number, now, closes, channel_id=0, audience_size=len(members))
        await tx.execute(
            "INSERT INTO event_evaluation_runs (run_id, evaluation_id, event_id, stage, after_run_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (run_id, evaluation_id, event_id, stage, after_run),
        )
        await tx.executemany(
            "INSERT INTO event_evaluation_invited (run_id, token) VALUES (?, ?)",
            sorted((run_id, self._token("evaluation-invited", run_id, m)) for m in members),
        )
        for member in members:
            await enqueue(
                tx,
                now,
                guild_id=evaluation.guild_id,
                key=dm_key(run_id),
                topic=ASK_TOPIC,
                recipient_id=member,
                payload={"run_id": run_id},
                not_after=closes,
            )
        return Asked(run_id, evaluation_id, event_id, stage, len(members), closes)

    async def ask_after(self, event_id: int) -> Asked | None:
        """The event ended: ask its cohort (going now, not asked about this evaluation before).
        None when there is nothing to do (not due, cancelled, no one new, done already)."""
        now = to_timestamp(self.clock.now())
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT x.evaluation_id, e.ends_at, e.status, v.follow_up_months, {_IN_IDENTITY} AS identity"
                " FROM event_evaluation_events x JOIN events e ON e.event_id = x.event_id"
                " JOIN event_evaluations v ON v.evaluation_id = x.evaluation_id"
                " WHERE x.event_id = ? AND x.state = 'pending' AND v.status = 'on'",
                (event_id,),
            )
            if row is None or row["ends_at"] > now:
                return None
            evaluation_id = row["evaluation_id"]
            going = [
                r[0]
                for r in await tx.fetchall(
                    "SELECT member_id FROM event_rsvps WHERE event_id = ? AND status = 'going'"
                    " ORDER BY member_id",
                    (event_id,),
                )
            ]
            asked = {
                bytes(r[0])
                for r in await tx.fetchall(
                    "SELECT token FROM event_evaluation_asked WHERE evaluation_id = ?", (evaluation_id,)
                )
            }
            tokens = {m: self._token("evaluation-asked", evaluation_id, m) for m in going}
            cohort = [m for m in going if tokens[m] not in asked]
            # Skipped: cancelled, no one new to ask, or the whole answering window already passed
            # while the bot was off (it is not asked late as if it were "straight after").
            late = now >= row["ends_at"] + OPEN_DAYS * 86400
            state = "skipped" if row["status"] != "scheduled" or not cohort or late else "asked"
            await tx.execute(
                "UPDATE event_evaluation_events SET state = ? WHERE event_id = ?", (state, event_id)
            )
            opened = None
            if state == "asked":
                opened = await self._open(tx, evaluation_id, event_id, "after", cohort, after_run=None)
                await tx.executemany(
                    "INSERT INTO event_evaluation_asked (evaluation_id, token) VALUES (?, ?)",
                    sorted((evaluation_id, tokens[m]) for m in cohort),
                )
                # No one is kept for a follow-up after an identity community's event: months of
                # "who went" would be months of who is in that community (docs/privacy.md).
                months = 0 if row["identity"] else row["follow_up_months"]
                if months:
                    await tx.execute(
                        "UPDATE event_evaluation_runs SET follow_up_at = ? WHERE run_id = ?",
                        (_months_after(row["ends_at"], months), opened.run_id),
                    )
                    await tx.executemany(
                        "INSERT INTO event_evaluation_cohort (run_id, member_id) VALUES (?, ?)",
                        [(opened.run_id, m) for m in cohort],
                    )
            pending = await tx.fetchval(
                "SELECT COUNT(*) FROM event_evaluation_events WHERE evaluation_id = ? AND state = 'pending'",
                (evaluation_id,),
            )
            if not pending:  # no occurrence left to ask about: "asked before" is no longer needed
                await tx.execute(
                    "DELETE FROM event_evaluation_asked WHERE evaluation_id = ?", (evaluation_id,)
                )
        if opened is not None:
            log.info(
                "Evaluation run %s opened after event %s: %d asked", opened.run_id, event_id, opened.invited
            )
        return opened

    async def ask_follow_up(self, after_run_id: int) -> Asked | None:
        """Months on: ask the same cohort again. Their ids are deleted in the same commit that
        owes them the DMs (from then on, only keyed hashes say who may answer)."""
        now = to_timestamp(self.clock.now())
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT er.evaluation_id, er.event_id FROM event_evaluation_runs er"
                " JOIN event_evaluations v ON v.evaluation_id = er.evaluation_id"
                " WHERE er.run_id = ? AND er.stage = 'after' AND er.follow_up_at <= ? AND v.status = 'on'",
                (after_run_id, now),
            )
            if row is None:
                return None
            cohort = [
                r[0]
                for r in await tx.fetchall(
                    "SELECT member_id FROM event_evaluation_cohort WHERE run_id = ? ORDER BY member_id",
                    (after_run_id,),
                )
            ]
            await self._drop_cohort(tx, after_run_id)
            if not cohort:
                return None
            opened = await self._open(
                tx, row["evaluation_id"], row["event_id"], "follow_up", cohort, after_run=after_run_id
            )
        log.info(
            "Evaluation run %s opened (follow-up of run %s): %d asked",
            opened.run_id,
            after_run_id,
            len(cohort),
        )
        return opened

    async def close(self, run_id: int) -> bool:
        """Close a run that is due: its pooled answers written (or only counted, under k), its
        one-answer markers and who-may-answer tokens deleted. False if not due or closed already."""
        closed = await self.pulses.close_run(run_id)
        status = await self.db.fetchval("SELECT status FROM pulse_runs WHERE run_id = ?", (run_id,))
        if status == "closed":
            await self.db.execute("DELETE FROM event_evaluation_invited WHERE run_id = ?", (run_id,))
        return closed is not None

    async def truncate_wal(self) -> bool:
        return await self.pulses.truncate_wal()

    async def unreachable(self, run_id: int) -> None:
        """A DM that could not be delivered (closed DMs, or the member left): counted, not retried."""
        await self.db.execute(
            "UPDATE event_evaluation_runs SET unreachable = unreachable + 1 WHERE run_id = ?", (run_id,)
        )

    # -- answering -----------------------------------------------------------------------

    async def context(self, run_id: int) -> AnswerContext:
        """What answering a run needs (NotFound for an id that is not an evaluation's run)."""
        valid = isinstance(run_id, int) and 0 < run_id < 2**63
        row = (
            await self.db.fetchone(
                "SELECT er.run_id, er.stage, r.guild_id, r.closes_at, v.free_text, p.questions,"
                " COALESCE(e.title, p.title) AS title, e.starts_at FROM event_evaluation_runs er"
                " JOIN pulse_runs r ON r.run_id = er.run_id"
                " JOIN event_evaluations v ON v.evaluation_id = er.evaluation_id"
                " JOIN pulses p ON p.pulse_id = v.pulse_id LEFT JOIN events e ON e.event_id = er.event_id"
                " WHERE er.run_id = ?",
                (run_id,),
            )
            if valid
            else None
        )
        if row is None:
            raise NotFound(NOT_FOUND)
        return AnswerContext(
            run_id=run_id,
            guild_id=row["guild_id"],
            stage=row["stage"],
            event_title=row["title"],
            event_start=None if row["starts_at"] is None else from_timestamp(row["starts_at"]),
            questions=load_questions(row["questions"]),
            free_text=bool(row["free_text"]),
            closes_at=from_timestamp(row["closes_at"]),
            threshold=await self.threshold(row["guild_id"]),
        )

    async def is_invited(self, run_id: int, member_id: int) -> bool:
        token = self._token("evaluation-invited", run_id, member_id)
        found = await self.db.fetchval(
            "SELECT 1 FROM event_evaluation_invited WHERE run_id = ? AND token = ?", (run_id, token)
        )
        return found is not None

    async def check_can_answer(self, run_id: int, member_id: int) -> AnswerContext:
        """The run, if this member was asked it and may still answer; a kind UserError otherwise."""
        context = await self.context(run_id)
        if context.closes_at <= self.clock.now():
            raise UserError(CLOSED)
        if not await self.is_invited(run_id, member_id):
            raise UserError(NOT_INVITED)
        await self.pulses.check_can_answer(run_id, member_id)
        return context

    async def answer(
        self, run_id: int, member_id: int, choices: list[int], comment: str | None = None
    ) -> AnswerOutcome:
        """One attendee's answers, once; pooled and counted as pulse answers are. A comment is
        kept only when the organisers asked for one."""
        context = await self.check_can_answer(run_id, member_id)
        text = clean_comment(comment) if context.free_text else None
        return await self.pulses.answer(run_id, member_id, choices, text=text)

    async def ask_due(self, run_id: int, member_id: int) -> AnswerContext | None:
        """For the DM asking a member: the run, if it is still open and they may answer it."""
        try:
            context = await self.context(run_id)
        except NotFound:
            return None
        if context.closes_at <= self.clock.now() or not await self.is_invited(run_id, member_id):
            return None
        return context

    # -- results -------------------------------------------------------------------------

    async def results(self, guild_id: int, event_id: int, *, series: bool = False) -> EvaluationResults:
        """Per question and stage, the distribution of answers, summed over this event's runs (or,
        with ``series``, over every occurrence the evaluation asked about). A stage is shown only
        when its counted answers reach the server's threshold; open runs are never counted."""
        threshold = await self.threshold(guild_id)
        async with self.db.read() as tx:
            event = await self._event(tx, guild_id, event_id)
            found = await self._evaluation_of(tx, event_id)
            if found is None:
                raise NotFound(NO_EVALUATION)
            evaluation = await self._get(tx, found)
            where, args = ("er.evaluation_id = ?", (found,)) if series else ("er.event_id = ?", (event_id,))
            rows = await tx.fetchall(
                "SELECT er.run_id, er.event_id, er.stage, er.unreachable, er.follow_up_at, r.status,"
                " r.answers, r.audience_size, r.closes_at FROM event_evaluation_runs er"
                f" JOIN pulse_runs r ON r.run_id = er.run_id WHERE {where} ORDER BY er.run_id",
                args,
            )
            stages = {}
            for stage in ("after", "follow_up"):
                stages[stage] = await self._stage(
                    tx, evaluation, stage, [r for r in rows if r["stage"] == stage], threshold
                )
            due = [r["follow_up_at"] for r in rows if r["follow_up_at"] is not None]
            if due and evaluation.on:
                stages["follow_up"] = replace(stages["follow_up"], next_due=from_timestamp(min(due)))
        return EvaluationResults(
            evaluation,
            event["title"],
            series,
            len({r["event_id"] for r in rows}),
            threshold,
            stages["after"],
            stages["follow_up"],
            changes_between(stages["after"], stages["follow_up"]),
        )

    async def _stage(
        self, tx: Tx, evaluation: Evaluation, stage: str, rows: list[sqlite3.Row], threshold: int
    ) -> StageResult:
        closed = [r for r in rows if r["status"] == "closed"]
        cells: Counter[tuple[int, int]] = Counter()
        for row in closed:
            cells.update((await run_counts(tx, row["run_id"])).get(0, {}))
        counted = sum(n for (q, _), n in cells.items() if q == 0)
        shown = counted >= threshold and counted > 0
        comments: list[str] = []
        if shown:
            comments = await run_texts(tx, [r["run_id"] for r in closed])
            secrets.SystemRandom().shuffle(comments)
        return StageResult(
            stage=stage,
            runs=len(closed),
            open_runs=len(rows) - len(closed),
            invited=sum(r["audience_size"] or 0 for r in rows),
            answered=sum(r["answers"] for r in closed),
            counted=counted,
            unreachable=sum(r["unreachable"] for r in rows),
            shown=shown,
            questions=question_results(evaluation.questions, dict(cells), counted) if shown else [],
            comments=comments,
        )

    # -- privacy ---------------------------------------------------------------------------

    async def export_member(self, member_id: int) -> list[dict[str, str]]:
        """The follow-ups this member is due (never anything about their answers)."""
        rows = await self.db.fetchall(
            "SELECT e.title, r.follow_up_at FROM event_evaluation_cohort c"
            " JOIN event_evaluation_runs r ON r.run_id = c.run_id"
            " LEFT JOIN events e ON e.event_id = r.event_id WHERE c.member_id = ? ORDER BY r.follow_up_at",
            (member_id,),
        )
        found = []
        for row in rows:
            title = str(row["title"] or "an event")
            due = (
                "" if row["follow_up_at"] is None else from_timestamp(row["follow_up_at"]).date().isoformat()
            )
            found.append(
                {
                    "event": title,
                    "follow_up_questions_due": due,
                    "note": f"You went to {title}, so you are due a follow-up question about it on {due}. "
                    "Nothing records whether or what you answered.",
                }
            )
        return found

    async def forget_member(self, member_id: int) -> int:
        """Forget that this member is due follow-ups, may answer open runs, or was asked about a
        series (their answers themselves are counts no one can find). Returns the rows removed."""
        async with self.db.transaction() as tx:
            removed = (
                await tx.execute("DELETE FROM event_evaluation_cohort WHERE member_id = ?", (member_id,))
            ).rowcount
            runs = await tx.fetchall(
                "SELECT er.run_id FROM event_evaluation_runs er JOIN pulse_runs r ON r.run_id = er.run_id"
                " WHERE r.status = 'open'"
            )
            for row in runs:
                token = self._token("evaluation-invited", row[0], member_id)
                removed += (
                    await tx.execute(
                        "DELETE FROM event_evaluation_invited WHERE run_id = ? AND token = ?", (row[0], token)
                    )
                ).rowcount
            evaluations = await tx.fetchall("SELECT DISTINCT evaluation_id FROM event_evaluation_asked")
            for row in evaluations:
                token = self._token("evaluation-asked", row[0], member_id)
                removed += (
                    await tx.execute(
                        "DELETE FROM event_evaluation_asked WHERE evaluation_id = ? AND token = ?",
                        (row[0], token),
                    )
                ).rowcount
        return max(removed, 0)
