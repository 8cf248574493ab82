"""The follow-up after a mentee's "not yet" and the stalled count, against real SQLite (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, to_timestamp
from bot.db import Database
from bot.errors import NotFound
from bot.services.mentoring import MentoringService
from bot.services.mentoring_followup import classify, nudge_at
from bot.services.mentoring_model import Match

from .conftest import GUILD

LONDON = "Europe/London"
MENTOR, MENTEE = 1, 9


def local(when: datetime) -> str:
    return when.astimezone(ZoneInfo(LONDON)).strftime("%a %d %b %H:%M")


@pytest.mark.parametrize(
    ("answered", "expected"),
    [
        # Across the October change: 10:00 BST a week later is 10:00 GMT (7 days and an hour).
        (datetime(2026, 10, 19, 9, 0, tzinfo=UTC), "Mon 26 Oct 10:00"),
        # Across the March change: 18:30 GMT a week later is 18:30 BST.
        (datetime(2027, 3, 24, 18, 30, tzinfo=UTC), "Wed 31 Mar 18:30"),
        # Never at night: late evening moves to the next morning, small hours to that morning.
        (datetime(2026, 11, 2, 23, 30, tzinfo=UTC), "Tue 10 Nov 10:00"),
        (datetime(2026, 11, 3, 2, 15, tzinfo=UTC), "Tue 10 Nov 10:00"),
        (datetime(2026, 11, 3, 20, 59, tzinfo=UTC), "Tue 10 Nov 20:59"),
    ],
)
def test_a_week_later_is_the_same_local_time_and_never_at_night(answered: datetime, expected: str) -> None:
    assert local(nudge_at(answered, LONDON)) == expected


async def paired(service: MentoringService, mentee: int = MENTEE, mentor: int = MENTOR) -> Match:
    await service.offer(GUILD, mentor, year=4, experiences=[], capacity=3, hello="")
    await service.request(GUILD, mentee, year=1, experiences=[], require_shared=False, help_with="")
    made = [m for m in (await service.run_matching(GUILD)).new_matches if m.mentee_id == mentee]
    return made[0]


async def nudges(db: Database) -> list[tuple[str, int]]:
    rows = await db.fetchall(
        "SELECT item_key, not_before FROM outbox WHERE topic = 'mentoring.nudge' ORDER BY item_id"
    )
    return [(r["item_key"], r["not_before"]) for r in rows]


async def test_a_mentees_not_yet_promises_one_nudge_a_week_later_in_the_same_commit(
    service: MentoringService, db: Database, clock: ManualClock
) -> None:
    m = await paired(service)
    clock.advance(timedelta(days=14))
    await service.record_checkin(m.id, MENTOR, "not_yet", timezone=LONDON)
    assert await nudges(db) == []  # mentors are not nudged

    await service.record_checkin(m.id, MENTEE, "not_yet", timezone=LONDON)
    due = to_timestamp(nudge_at(clock.now(), LONDON))
    assert await nudges(db) == [(f"mentoring.nudge:{m.id}@{MENTEE}", due)]
    # Answering again (even "not yet" again) never owes a second one.
    clock.advance(timedelta(days=1))
    await service.record_checkin(m.id, MENTEE, "met", timezone=LONDON)
    await service.record_checkin(m.id, MENTEE, "not_yet", timezone=LONDON)
    assert await nudges(db) == [(f"mentoring.nudge:{m.id}@{MENTEE}", due)]


async def test_whether_the_nudge_is_sent_is_decided_when_it_falls_due(
    service: MentoringService, clock: ManualClock
) -> None:
    m = await paired(service)
    await service.record_checkin(m.id, MENTEE, "not_yet", timezone=LONDON)
    assert (await service.nudge_due(m.id, MENTEE)) is not None
    assert await service.nudge_due(m.id, MENTOR) is None  # only ever to the mentee
    assert await service.nudge_due(m.id + 1000, MENTEE) is None  # no such pairing

    await service.record_checkin(m.id, MENTEE, "met")
    assert await service.nudge_due(m.id, MENTEE) is None  # "we've met" in between
    await service.record_checkin(m.id, MENTEE, "not_yet")
    await service.set_paused(GUILD, MENTEE, True)
    assert await service.nudge_due(m.id, MENTEE) is None  # taking a break
    await service.set_paused(GUILD, MENTEE, False)
    assert await service.nudge_due(m.id, MENTEE) is not None
    await service.end_match(m.id, MENTOR, "rematch")
    assert await service.nudge_due(m.id, MENTEE) is None  # the pairing ended


async def test_nudge_buttons_act_only_for_the_pairings_mentee(service: MentoringService) -> None:
    m = await paired(service)
    assert (await service.nudged_pairing(m.id, MENTEE)).id == m.id
    for presser, match_id in ((MENTOR, m.id), (42, m.id), (MENTEE, 0), (MENTEE, m.id + 1000)):
        with pytest.raises(NotFound):
            await service.nudged_pairing(match_id, presser)
        with pytest.raises(NotFound):
            await service.pause_after_nudge(match_id, presser)
    assert not (await service.status(GUILD, MENTEE)).profiles["mentee"].paused

    await service.pause_after_nudge(m.id, MENTEE)
    status = await service.status(GUILD, MENTEE)
    assert status.profiles["mentee"].paused and [x.id for x in status.matches] == [m.id]  # still paired


async def test_the_overview_counts_stalled_pairings_and_nothing_else(
    service: MentoringService, clock: ManualClock
) -> None:
    # Five pairings; every check-in goes out at day 14.
    made = {name: await paired(service, mentee=10 + i, mentor=20 + i) for i, name in enumerate("ABCDE")}
    assert (await service.overview(GUILD)).stalled == 0  # nothing is stalled before its check-in
    clock.advance(timedelta(days=14))
    for m in made.values():
        await service.checkin_going_out(m.id)
    await service.record_checkin(made["A"].id, made["A"].mentee_id, "not_yet")  # stalled
    await service.record_checkin(made["B"].id, made["B"].mentor_id, "not_yet")  # stalled (the mentor said so)
    await service.record_checkin(made["C"].id, made["C"].mentee_id, "not_yet")
    await service.record_checkin(made["C"].id, made["C"].mentor_id, "met")  # someone met: not stalled
    await service.record_checkin(made["D"].id, made["D"].mentee_id, "not_yet")
    await service.set_paused(GUILD, made["D"].mentee_id, True)  # resting, counted apart
    # E: no answer at all; stalled only once a week has passed.
    o = await service.overview(GUILD)
    assert (o.stalled, o.stalled_not_yet, o.stalled_no_answer, o.stalled_resting) == (2, 2, 0, 1)

    clock.advance(timedelta(days=7))
    o = await service.overview(GUILD)
    assert (o.stalled, o.stalled_not_yet, o.stalled_no_answer, o.stalled_resting) == (3, 2, 1, 1)

    await service.record_checkin(made["A"].id, made["A"].mentee_id, "met")
    await service.end_match(made["B"].id, made["B"].mentor_id, "rematch")
    o = await service.overview(GUILD)
    assert (o.stalled, o.stalled_not_yet, o.stalled_no_answer) == (1, 0, 1)


def test_stalled_classification_needs_a_check_in_and_ignores_other_answers() -> None:
    def row(mentor: str | None, mentee: str | None, sent: int | None, paused: int = 0) -> dict[str, object]:
        return {
            "mentor_checkin": mentor,
            "mentee_checkin": mentee,
            "checkin_sent_at": sent,
            "mentee_paused": paused,
        }

    rows = [
        row(None, None, None),  # check-in not out yet
        row(None, "wrong", 0),  # something's wrong: counted in the answers, not as stalled
        row("met", "not_yet", 0),
        row(None, None, 100),  # too recent to call silent
        row(None, None, 50),
        row("not_yet", "not_yet", 0, paused=1),
    ]
    found = classify(rows, silent_before=60)
    assert (found.not_yet, found.no_answer, found.resting, found.total) == (0, 1, 1, 1)
