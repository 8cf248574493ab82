"""The follow-up after a mentee's "not yet", and the organisers' count of stalled pairings.

When a mentee answers "not yet" to the two-week check-in, a gentle nudge is owed to them a week
later (an outbox item, ``mentoring.nudge``, promised in the transaction that records the answer,
so a crash loses nothing and its unique key means it is sent at most once per pairing). Whether
it is still worth sending is decided when it falls due (:func:`nudge_due`): not if the mentee has
said "we've met" (or anything else) since, if the pairing ended, or if they paused mentoring.

"A week later" is the same local wall-clock time a week on, in the server's timezone (so a clock
change in between does not move it an hour), and never at night: a time between 21:00 and 09:00
moves to 10:00.

A pairing is *stalled* when its check-in went out, nobody has said "we've met", and either
someone answered "not yet" or neither answered within :data:`SILENCE` of the check-in.
Organisers see the counts only, never who.

No Discord here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.db import Tx
from bot.services.mentoring_model import Match, match_from_row
from bot.services.outbox import enqueue
from bot.services.recurrence import localise, to_local

NUDGE_TOPIC = "mentoring.nudge"  # the follow-up DM to a mentee a week after "not yet"
NUDGE_AFTER = timedelta(days=7)
NUDGE_CHOICES = ("message", "different", "pause")
#: Local hours in which a nudge may arrive; one falling outside them moves to MORNING.
DAY_STARTS, DAY_ENDS, MORNING = 9, 21, 10
#: A check-in nobody answered for this long counts as stalled.
SILENCE = timedelta(days=7)


def nudge_at(answered: datetime, timezone: str) -> datetime:
    """When the nudge after a "not yet" given at ``answered`` (aware) is due, as aware UTC."""
    local = to_local(answered, timezone) + NUDGE_AFTER
    if local.hour >= DAY_ENDS:
        local += timedelta(days=1)
    if not DAY_STARTS <= local.hour < DAY_ENDS:
        local = local.replace(hour=MORNING, minute=0, second=0, microsecond=0)
    return localise(local, timezone)


async def promise_nudge(tx: Tx, now: datetime, m: Match, timezone: str) -> bool:
    """Owe the mentee of ``m`` the nudge, in the caller's transaction (once per pairing)."""
    return await enqueue(
        tx,
        now,
        guild_id=m.guild_id,
        key=f"{NUDGE_TOPIC}:{m.id}",
        topic=NUDGE_TOPIC,
        recipient_id=m.mentee_id,
        payload={"match_id": m.id},
        not_before=nudge_at(now, timezone),
    )


async def nudge_due(tx: Tx, match_id: int, member_id: int) -> Match | None:
    """The pairing if its nudge is still worth sending to ``member_id``, decided now: the
    pairing is active, they are its mentee, their latest answer is still "not yet", and they
    have not paused mentoring."""
    row = await tx.fetchone(
        "SELECT m.*, p.paused AS mentee_paused FROM mentoring_matches m"
        " LEFT JOIN mentoring_profiles p"
        " ON p.guild_id = m.guild_id AND p.member_id = m.mentee_id AND p.role = 'mentee'"
        " WHERE m.id = ? AND m.ended_at IS NULL",
        (match_id,),
    )
    if row is None or row["mentee_id"] != member_id or row["mentee_checkin"] != "not_yet":
        return None
    if row["mentee_paused"]:
        return None
    return match_from_row(row)


@dataclass(frozen=True, slots=True)
class Stalled:
    """Active pairings past their check-in with no "we've met", as counts."""

    not_yet: int = 0  # someone answered "not yet"
    no_answer: int = 0  # neither answered within SILENCE of the check-in
    resting: int = 0  # either of the above, but the mentee paused mentoring

    @property
    def total(self) -> int:
        return self.not_yet + self.no_answer


def classify(rows: Iterable[Any], silent_before: int) -> Stalled:
    """Count stalled pairings among active pairings' rows (check-in answers, when it was sent,
    and ``mentee_paused``). ``silent_before``: a check-in sent before this (UTC seconds) and
    answered by no one counts."""
    not_yet = no_answer = resting = 0
    for row in rows:
        answers = (row["mentor_checkin"], row["mentee_checkin"])
        if row["checkin_sent_at"] is None or "met" in answers:
            continue
        if "not_yet" in answers:
            kind = "not_yet"
        elif answers == (None, None) and row["checkin_sent_at"] <= silent_before:
            kind = "no_answer"
        else:
            continue
        if row["mentee_paused"]:
            resting += 1
        elif kind == "not_yet":
            not_yet += 1
        else:
            no_answer += 1
    return Stalled(not_yet, no_answer, resting)


async def stalled(tx: Tx, guild_id: int, now: int) -> Stalled:
    rows = await tx.fetchall(
        "SELECT m.mentor_checkin, m.mentee_checkin, m.checkin_sent_at,"
        " COALESCE(p.paused, 0) AS mentee_paused FROM mentoring_matches m"
        " LEFT JOIN mentoring_profiles p"
        " ON p.guild_id = m.guild_id AND p.member_id = m.mentee_id AND p.role = 'mentee'"
        " WHERE m.guild_id = ? AND m.ended_at IS NULL AND m.checkin_sent_at IS NOT NULL",
        (guild_id,),
    )
    return classify(rows, now - int(SILENCE.total_seconds()))
