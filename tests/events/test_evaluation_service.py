"""Workshop evaluation (issue #19) at the service level, against a real SQLite file: who is asked,
once-only answers, the batch rule for small groups, results withheld below the threshold, series
sums, the follow-up cohort, forget-me and retention."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

from bot.clock import ManualClock, from_timestamp
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.services.event_evaluations import ASK_TOPIC, EvaluationService
from bot.services.events import EventInfo, EventService
from bot.services.pulse import PulseService
from bot.services.retention import RetentionService

from .conftest import GUILD, ORGANISER, TZ, draft

MEMBERS = [700_000_000_000_000_000 + i for i in range(40)]


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def evaluations(db: Database, clock: ManualClock, key: bytes) -> EvaluationService:
    return EvaluationService(db, clock, lambda: key)


async def workshop(events: EventService, **overrides: object) -> list[EventInfo]:
    values: dict[str, object] = {"kind": "workshop", "title": "Managing stress"}
    values.update(overrides)
    repeat = values.pop("repeat", None)
    count = values.pop("count", None)
    return await events.create(GUILD, ORGANISER, draft(**values), TZ, repeat=repeat, count=count)  # type: ignore[arg-type]


async def going(events: EventService, event: EventInfo, members: list[int]) -> None:
    for member in members:
        await events.rsvp(event.event_id, member, "going")


async def asked_after(evaluations: EvaluationService, clock: ManualClock, event: EventInfo) -> int:
    """The event ends; its attendees are asked. The run's id."""
    clock.set(event.end)
    assert event.event_id in (await evaluations.due()).ended
    opened = await evaluations.ask_after(event.event_id)
    assert opened is not None
    return opened.run_id


async def answer_all(
    evaluations: EvaluationService, run_id: int, members: list[int], choice: int = 3
) -> None:
    for member in members:
        await evaluations.answer(run_id, member, [choice, choice, choice, choice])


async def close(evaluations: EvaluationService, clock: ManualClock, run_id: int) -> None:
    context = await evaluations.context(run_id)
    clock.set(context.closes_at)
    assert await evaluations.close(run_id)


async def stored(db: Database, run_id: int) -> tuple[int, int]:
    """(answers counted on the run, answers whose choices reached the counters)."""
    answers = await db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (run_id,))
    written = await db.fetchval(
        "SELECT COALESCE(SUM(count), 0) FROM pulse_counts WHERE run_id = ? AND question = 0", (run_id,)
    )
    return int(answers), int(written)


async def test_the_cohort_is_who_is_going_when_it_ends_each_owed_one_dm(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    [event] = await workshop(service, capacity=3)
    await going(service, event, MEMBERS[:5])  # three places, two on the waiting list
    await service.rsvp(event.event_id, MEMBERS[5], "maybe")
    configured = await evaluations.turn_on(GUILD, event.event_id)
    assert configured.started and configured.events == 1
    assert (await evaluations.due()).ended == []  # not before it ends

    run_id = await asked_after(evaluations, clock, event)
    assert await evaluations.ask_after(event.event_id) is None  # a repeat owes nothing twice
    dms = await db.fetchall("SELECT recipient_id, item_key FROM outbox WHERE topic = ?", (ASK_TOPIC,))
    assert sorted(r["recipient_id"] for r in dms) == MEMBERS[:3]
    assert {r["item_key"] for r in dms} == {f"{ASK_TOPIC}:{run_id}@{m}" for m in MEMBERS[:3]}
    cohort = await db.fetchall("SELECT member_id FROM event_evaluation_cohort WHERE run_id = ?", (run_id,))
    assert sorted(r[0] for r in cohort) == MEMBERS[:3]
    for outsider in (*MEMBERS[3:6], 42):  # waiting list, maybe, someone else
        with pytest.raises(UserError, match="for the people who went"):
            await evaluations.check_can_answer(run_id, outsider)
    context = await evaluations.check_can_answer(run_id, MEMBERS[0])
    assert context.event_title == "Managing stress" and len(context.questions) == 4


async def test_each_attendee_answers_once_and_not_after_it_closes(
    service: EventService, evaluations: EvaluationService, clock: ManualClock
) -> None:
    [event] = await workshop(service)
    await going(service, event, MEMBERS[:3])
    await evaluations.turn_on(GUILD, event.event_id)
    run_id = await asked_after(evaluations, clock, event)
    await evaluations.answer(run_id, MEMBERS[0], [4, 4, 4, 4])
    with pytest.raises(UserError, match="already answered"):
        await evaluations.answer(run_id, MEMBERS[0], [0, 0, 0, 0])
    with pytest.raises(UserError, match="already answered"):
        await evaluations.check_can_answer(run_id, MEMBERS[0])
    with pytest.raises(UserError):
        await evaluations.answer(run_id, MEMBERS[1], [9, 0, 0, 0])  # not an option
    with pytest.raises(NotFound):
        await evaluations.answer(run_id + 1000, MEMBERS[1], [0, 0, 0, 0])  # a forged run
    await close(evaluations, clock, run_id)
    with pytest.raises(UserError, match="closed"):
        await evaluations.answer(run_id, MEMBERS[1], [0, 0, 0, 0])


async def test_answers_reach_the_file_only_in_batches_and_a_small_group_keeps_only_its_count(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    first, second = await workshop(service, repeat="weekly", count=2)
    await going(service, first, MEMBERS[:12])
    await going(service, second, MEMBERS[12:15])
    await evaluations.turn_on(GUILD, first.event_id, scope="rest")
    run_id = await asked_after(evaluations, clock, first)
    for n, member in enumerate(MEMBERS[:12], start=1):
        await answer_all(evaluations, run_id, [member])
        # Nothing until the pool holds 2k; then k at a time, always k left behind.
        assert await stored(db, run_id) == ((0, 0) if n < 10 else (5, 5)), n
    await close(evaluations, clock, run_id)
    assert await stored(db, run_id) == (12, 12)  # the last seven in the closing commit

    later = await asked_after(evaluations, clock, second)
    await answer_all(evaluations, later, MEMBERS[12:15])
    await close(evaluations, clock, later)
    assert await stored(db, later) == (3, 0)  # three could be told apart: only how many answered


async def test_eight_attendees_are_withheld_at_ten_and_a_series_is_summed_exactly(
    service: EventService, evaluations: EvaluationService, clock: ManualClock
) -> None:
    first, second = await workshop(service, repeat="weekly", count=2)
    await going(service, first, MEMBERS[:8])
    await going(service, second, MEMBERS[8:14])
    await evaluations.turn_on(GUILD, first.event_id, scope="rest", free_text=True)
    one = await asked_after(evaluations, clock, first)
    for n, member in enumerate(MEMBERS[:8]):
        await evaluations.answer(one, member, [n % 5, 4, 3, 2], "Loved the small groups" if n == 0 else None)
    await close(evaluations, clock, one)

    results = await evaluations.results(GUILD, first.event_id)
    assert results.threshold == 10
    assert not results.after.shown and results.after.answered == 8 and results.after.counted == 8
    assert results.after.questions == [] and results.after.comments == []

    two = await asked_after(evaluations, clock, second)
    for member in MEMBERS[8:14]:
        await evaluations.answer(two, member, [4, 4, 4, 4])
    await close(evaluations, clock, two)
    assert not (await evaluations.results(GUILD, second.event_id)).after.shown  # six alone: withheld
    summed = await evaluations.results(GUILD, second.event_id, series=True)
    assert summed.after.shown and summed.occurrences == 2
    assert (summed.after.answered, summed.after.counted, summed.after.invited) == (14, 14, 14)
    confidence = summed.after.questions[0]
    assert [o.count for o in confidence.options] == [2, 2, 2, 1, 7, 0]  # exact, both sessions summed
    assert summed.after.questions[1].options[4].count == 14
    assert summed.after.comments == ["Loved the small groups"]
    assert not summed.follow_up.shown and summed.follow_up.next_due is not None


async def test_a_series_asks_each_student_after_the_first_session_they_attend(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    sessions = await workshop(service, repeat="weekly", count=3)
    await going(service, sessions[0], MEMBERS[:2])
    await going(service, sessions[1], MEMBERS[:4])
    await going(service, sessions[2], MEMBERS[:4])
    configured = await evaluations.turn_on(GUILD, sessions[0].event_id, scope="rest")
    assert configured.events == 3
    first = await asked_after(evaluations, clock, sessions[0])
    second = await asked_after(evaluations, clock, sessions[1])
    assert await evaluations.is_invited(first, MEMBERS[0]) and not await evaluations.is_invited(
        second, MEMBERS[0]
    )
    assert await evaluations.is_invited(second, MEMBERS[2])
    clock.set(sessions[2].end)
    assert await evaluations.ask_after(sessions[2].event_id) is None  # no one new
    # No session is left to ask about: "asked before" is no longer kept.
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_asked") == 0


async def test_the_follow_up_asks_the_same_people_months_later_and_then_forgets_them(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    [event] = await workshop(service)
    await going(service, event, MEMBERS[:10])
    await evaluations.turn_on(GUILD, event.event_id)
    after = await asked_after(evaluations, clock, event)
    await answer_all(evaluations, after, MEMBERS[:10], choice=1)
    await close(evaluations, clock, after)
    due = from_timestamp(event.ends_at) + relativedelta(months=6)
    clock.set(due - timedelta(seconds=1))
    assert (await evaluations.due()).follow_ups == []
    clock.set(due)
    assert (await evaluations.due()).follow_ups == [after]
    later = await evaluations.ask_follow_up(after)
    assert later is not None and later.stage == "follow_up" and later.invited == 10
    assert await evaluations.ask_follow_up(after) is None
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 0  # ids gone with the promise
    recipients = await db.fetchall(
        "SELECT recipient_id FROM outbox WHERE item_key LIKE ?", (f"{ASK_TOPIC}:{later.run_id}@%",)
    )
    assert sorted(r[0] for r in recipients) == MEMBERS[:10]
    with pytest.raises(UserError, match="for the people who went"):
        await evaluations.check_can_answer(later.run_id, MEMBERS[20])
    await answer_all(evaluations, later.run_id, MEMBERS[:10], choice=3)
    await close(evaluations, clock, later.run_id)
    results = await evaluations.results(GUILD, event.event_id)
    assert results.after.shown and results.follow_up.shown
    assert [(c.after, c.follow_up) for c in results.changes] == [(2.0, 4.0)] * 4


async def test_forget_me_removes_the_follow_up_due_and_my_data_shows_it(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    sessions = await workshop(service, repeat="weekly", count=2)
    await going(service, sessions[0], MEMBERS[:2])
    await evaluations.turn_on(GUILD, sessions[0].event_id, scope="rest")
    run_id = await asked_after(evaluations, clock, sessions[0])
    [mine] = await evaluations.export_member(MEMBERS[0])
    assert mine["event"] == "Managing stress"
    due = from_timestamp(sessions[0].ends_at) + relativedelta(months=6)
    assert mine["follow_up_questions_due"] == due.date().isoformat() and "due a follow-up" in mine["note"]
    removed = await evaluations.forget_member(MEMBERS[0])
    assert removed == 3  # the follow-up due, the right to answer, "asked before" in the series
    assert await evaluations.export_member(MEMBERS[0]) == []
    assert not await evaluations.is_invited(run_id, MEMBERS[0])
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 1  # the other's


async def test_retention_and_turning_off_leave_no_member_behind(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    first, _ = await workshop(service, repeat="weekly", count=2)
    await going(service, first, MEMBERS[:3])
    await evaluations.turn_on(GUILD, first.event_id, scope="rest")
    run_id = await asked_after(evaluations, clock, first)
    retention = RetentionService(db, clock)
    await retention.purge()
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 3  # still due
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_asked") == 3  # a session to come
    await close(evaluations, clock, run_id)
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_invited") == 0
    # The bot was off when the follow-up fell due, and long after: retention forgets them anyway.
    clock.set(from_timestamp(first.ends_at) + relativedelta(months=6) + timedelta(days=31))
    await retention.purge()
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 0

    # "Asked before" goes 30 days after the last session to ask about has ended.
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_asked") == 0


async def test_turning_off_forgets_who_was_due_a_follow_up(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    first, second = await workshop(service, repeat="weekly", count=2)
    await going(service, first, MEMBERS[:3])
    await going(service, second, MEMBERS[:5])
    await evaluations.turn_on(GUILD, first.event_id, scope="rest")
    await asked_after(evaluations, clock, first)
    off = await evaluations.turn_off(GUILD, second.event_id)
    assert (off.events, off.follow_ups) == (1, 1)
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 0
    clock.set(second.end)
    assert await evaluations.ask_after(second.event_id) is None
    assert await evaluations.next_due() is not None  # the open run still closes
    with pytest.raises(UserError, match="already ended"):
        await evaluations.turn_on(GUILD, second.event_id)
    [third] = await workshop(service, start="2026-10-29 18:30")
    again = await evaluations.turn_on(GUILD, third.event_id)  # another event: another evaluation
    assert again.started and again.evaluation.on


async def test_comments_only_when_asked_for_and_only_with_their_batch(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    [event] = await workshop(service)
    await going(service, event, MEMBERS[:12])
    await evaluations.turn_on(GUILD, event.event_id)  # no comment box
    run_id = await asked_after(evaluations, clock, event)
    await evaluations.answer(run_id, MEMBERS[0], [1, 1, 1, 1], "ignored: no box was offered")
    await evaluations.turn_on(GUILD, event.event_id, free_text=True)
    with pytest.raises(UserError, match="limit is 500"):
        await evaluations.answer(run_id, MEMBERS[1], [1, 1, 1, 1], "x" * 501)
    for n, member in enumerate(MEMBERS[1:12]):
        await evaluations.answer(run_id, member, [1, 1, 1, 1], f"comment {n} <@{member}> **bold**")
        written = await db.fetchval("SELECT COUNT(*) FROM pulse_texts")
        answers, _ = await stored(db, run_id)
        assert written <= answers and (written == 0) == (answers == 0), (written, answers)  # with a batch
    await close(evaluations, clock, run_id)
    results = await evaluations.results(GUILD, event.event_id)
    assert len(results.after.comments) == 11 and "ignored: no box was offered" not in results.after.comments


async def test_rewording_is_possible_until_someone_is_asked(
    service: EventService, evaluations: EvaluationService, clock: ManualClock
) -> None:
    [event] = await workshop(service)
    await going(service, event, MEMBERS[:2])
    configured = await evaluations.turn_on(GUILD, event.event_id)
    evaluation_id = configured.evaluation.evaluation_id
    texts = [q.text for q in configured.evaluation.questions]
    with pytest.raises(UserError, match="Question 2 is empty"):
        await evaluations.set_questions(GUILD, evaluation_id, [texts[0], " ", texts[2], texts[3]])
    with pytest.raises(UserError, match="keep it to 100"):
        await evaluations.set_questions(GUILD, evaluation_id, [texts[0], "y" * 101, texts[2], texts[3]])
    with pytest.raises(NotFound):
        await evaluations.set_questions(GUILD + 1, evaluation_id, texts)
    changed = await evaluations.set_questions(
        GUILD, evaluation_id, ["How sure of yourself are you?", *texts[1:]]
    )
    assert changed.questions[0].text == "How sure of yourself are you?"
    assert changed.questions[0].low_label == "Not at all confident"
    await asked_after(evaluations, clock, event)
    with pytest.raises(UserError, match="wording is fixed"):
        await evaluations.set_questions(GUILD, evaluation_id, texts)


async def test_bad_input_saves_nothing(
    service: EventService, evaluations: EvaluationService, db: Database
) -> None:
    [event] = await workshop(service)
    with pytest.raises(UserError, match="1 to 24 months"):
        await evaluations.turn_on(GUILD, event.event_id, follow_up_months=25)
    with pytest.raises(UserError, match="not part of a series"):
        await evaluations.turn_on(GUILD, event.event_id, scope="rest")
    with pytest.raises(NotFound):
        await evaluations.turn_on(GUILD + 1, event.event_id)
    with pytest.raises(NotFound):
        await evaluations.results(GUILD, event.event_id)
    assert await db.fetchval("SELECT COUNT(*) FROM event_evaluations") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM pulses") == 0


async def test_unreachable_members_are_counted_and_pulse_checks_never_see_an_evaluation(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database, key: bytes
) -> None:
    [event] = await workshop(service)
    await going(service, event, MEMBERS[:3])
    await evaluations.turn_on(GUILD, event.event_id)
    run_id = await asked_after(evaluations, clock, event)
    await evaluations.unreachable(run_id)
    results = await evaluations.results(GUILD, event.event_id)
    assert results.after.unreachable == 1 and results.after.invited == 3

    pulses = PulseService(db, clock, lambda: key)
    assert await pulses.all(GUILD) == [] and await pulses.open_runs() == []
    assert await pulses.find_run(run_id) is None
    with pytest.raises(NotFound):
        await pulses.answer(run_id, MEMBERS[0], [0, 0, 0, 0])


async def test_no_one_is_kept_for_a_follow_up_after_an_identity_communitys_event(
    service: EventService, evaluations: EvaluationService, clock: ManualClock, db: Database
) -> None:
    # Only members of an identity community can reply to an event in its channel: months of
    # "who went" would be months of who is in it. They are asked straight after, and that's all.
    await db.execute(
        "INSERT INTO communities (guild_id, name, slug, kind, description, channel_id, created_at,"
        " updated_at) VALUES (?, 'Black Medics', 'black-medics', 'identity', 'For us.', 500, 0, 0)",
        (GUILD,),
    )
    [event] = await workshop(service, community_channel_id=500)
    [other] = await workshop(service, title="Running club social")  # the whole server's
    await going(service, event, MEMBERS[:10])
    await going(service, other, MEMBERS[:3])
    configured = await evaluations.turn_on(GUILD, event.event_id, follow_up_months=6)
    assert configured.identity
    assert not (await evaluations.turn_on(GUILD, other.event_id)).identity
    after = await asked_after(evaluations, clock, event)
    other_after = await asked_after(evaluations, clock, other)
    assert (
        await db.fetchval("SELECT follow_up_at FROM event_evaluation_runs WHERE run_id = ?", (after,)) is None
    )
    cohort = await db.fetchall("SELECT run_id, member_id FROM event_evaluation_cohort")
    assert {r[0] for r in cohort} == {other_after} and len(cohort) == 3  # only the other event's
    clock.set(from_timestamp(event.ends_at) + relativedelta(months=7))
    assert (await evaluations.due()).follow_ups == [other_after]
