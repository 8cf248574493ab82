"""The events service against real SQLite: validation, RSVPs, the waiting list, a burst of presses."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.errors import UserError
from bot.services.events import EventChanges, EventService

from .conftest import GUILD, ORGANISER, TZ, draft


async def test_create_stores_the_inclusive_details_in_local_time(service: EventService) -> None:
    [event] = await service.create(
        GUILD,
        ORGANISER,
        draft(
            kind="workshop",
            cost="£3",
            food="halal, vegetarian",
            accessibility="step-free, quiet room",
            online_link="https://meet.example/abc",
            facilitators="Dr A (FY2)",
            theme="Managing stress",
            capacity=12,
            description="Small groups.",
        ),
        TZ,
    )
    # 18:30 London time in October (BST) is 17:30 UTC.
    assert event.start == datetime(2026, 10, 8, 17, 30, tzinfo=UTC)
    assert event.end - event.start == timedelta(hours=2)
    details = dict(event.details())
    assert details["Alcohol-free"] == "Yes, always"
    assert details["Cost"] == "£3"
    assert details["Food"] == "halal, vegetarian"
    assert details["Online option"] == "Yes, you can join online"
    assert details["Facilitators"] == "Dr A (FY2)"
    assert details["Theme"] == "Managing stress"
    assert event.spaces_left == 12


@pytest.mark.parametrize("text", ["2026-10-08 18:30", "8 Oct 18:30", "Thursday 6.30pm", "08/10/2026 18:30"])
async def test_dates_typed_the_way_people_type_them(service: EventService, text: str) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(start=text), TZ)
    assert event.start.astimezone(ZoneInfo(TZ)).replace(tzinfo=None) == datetime(2026, 10, 8, 18, 30)


async def test_tomorrow_6pm_is_tomorrow_at_six_local(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(start="tomorrow 6pm"), TZ)
    assert event.start.astimezone(ZoneInfo(TZ)).replace(tzinfo=None) == datetime(2026, 10, 6, 18, 0)


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"start": "next blurnsday"}, "3 Dec 18:30"),
        ({"start": "8 Oct"}, "no time"),
        ({"start": "2026-10-01 18:00"}, "already passed"),
        ({"end": "2026-10-08 17:00", "duration": None}, "end is before the start"),
        ({"duration": "13h"}, "up to 12 hours"),
        ({"capacity": 0}, "at least 1"),
        ({"title": "x" * 101}, "the limit is 100"),
        ({"description": "x" * 1001}, "the limit is 1,000"),
        ({"alcohol_free": False}, "alcohol-free"),
        ({"place": None}, "Where is it"),
        ({"online_link": "meet dot com"}, "https://"),
    ],
)
async def test_bad_input_is_refused_kindly_and_nothing_is_saved(
    service: EventService, overrides: dict[str, object], says: str
) -> None:
    with pytest.raises(UserError) as refused:
        await service.create(GUILD, ORGANISER, draft(**overrides), TZ)
    assert says in refused.value.message
    assert await service.upcoming(GUILD) == []


async def test_a_series_longer_than_a_year_is_refused(service: EventService) -> None:
    with pytest.raises(UserError, match="up to a year"):
        await service.create(GUILD, ORGANISER, draft(), TZ, repeat="monthly", until="2027-12-01")
    with pytest.raises(UserError, match="up to a year"):
        await service.create(GUILD, ORGANISER, draft(), TZ, repeat="monthly", count=14)
    assert await service.upcoming(GUILD) == []


async def test_capacity_waiting_list_and_promotion_in_click_order(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=2), TZ)
    a = await service.rsvp(event.event_id, 1, "going")
    b = await service.rsvp(event.event_id, 2, "going")
    c = await service.rsvp(event.event_id, 3, "going")
    d = await service.rsvp(event.event_id, 4, "going")
    assert (a.status, b.status, c.status, d.status) == ("going", "going", "waiting", "waiting")
    assert (c.waiting_position, d.waiting_position) == (1, 2)
    assert d.event.spaces_left == 0 and d.event.waiting == 2

    # Pressing Going again keeps your place in the queue.
    again = await service.rsvp(event.event_id, 3, "going")
    assert again.status == "waiting" and again.waiting_position == 1

    dropped = await service.rsvp(event.event_id, 1, "not_going")
    assert dropped.promoted == [3]
    _, people = await service.attendees(event.event_id)
    assert people.going == [2, 3]
    assert people.waiting == [4]
    mine = await service.mine(GUILD, 3)
    assert mine[0].status == "going" and mine[0].promoted


async def test_maybe_does_not_take_a_place(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=1), TZ)
    await service.rsvp(event.event_id, 1, "maybe")
    going = await service.rsvp(event.event_id, 2, "going")
    assert going.status == "going"
    assert going.event.maybe == 1 and going.event.going == 1


async def test_500_concurrent_going_presses_on_30_places(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=30), TZ)
    members = list(range(10_000, 10_500))
    outcomes = await asyncio.gather(*(service.rsvp(event.event_id, m, "going") for m in members))
    assert [o.status for o in outcomes] == ["going"] * 30 + ["waiting"] * 470
    _, people = await service.attendees(event.event_id)
    assert people.going == members[:30]
    assert people.waiting == members[30:]
    assert [o.waiting_position for o in outcomes[30:]] == list(range(1, 471))


async def test_replies_are_refused_after_start_or_cancellation(
    service: EventService, clock: ManualClock
) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    await service.cancel(event.event_id, GUILD)
    with pytest.raises(UserError, match="cancelled"):
        await service.rsvp(event.event_id, 1, "going")
    [other] = await service.create(GUILD, ORGANISER, draft(), TZ)
    clock.set(other.start + timedelta(minutes=1))
    with pytest.raises(UserError, match="already started"):
        await service.rsvp(other.event_id, 1, "going")


async def test_edit_raising_capacity_promotes_and_notifies_the_rest(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=1), TZ)
    for member in (1, 2, 3):
        await service.rsvp(event.event_id, member, "going")
    outcome = await service.edit(event.event_id, GUILD, EventChanges(capacity=2, place="Library"), TZ)
    assert outcome.promoted == [2]
    assert outcome.notify == [1, 3]
    assert outcome.event.place == "Library"
    assert not outcome.time_changed


async def test_edit_with_bad_input_saves_nothing(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    with pytest.raises(UserError):
        await service.edit(event.event_id, GUILD, EventChanges(place="Library", duration="14h"), TZ)
    assert (await service.get(event.event_id)).place == "Student Union, room 2"


async def test_edit_time_rebuilds_reminders(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    outcome = await service.edit(event.event_id, GUILD, EventChanges(start="2026-10-09 19:00"), TZ)
    assert outcome.time_changed
    due = sorted(r.due_at for r in await service.pending_reminders())
    start = outcome.event.starts_at
    assert due == [start - 86400, start - 3600]


async def test_forget_member_erases_rsvps_and_moves_the_queue(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=1), TZ)
    await service.rsvp(event.event_id, 1, "going")
    await service.rsvp(event.event_id, 2, "going")
    await service.set_reminders(GUILD, 1, on=False)
    exported = await service.export_member(1)
    assert exported["event_rsvps"][0]["status"] == "going"
    assert exported["event_reminder_optouts"][0]["guild_id"] == GUILD
    counts = await service.forget_member(1)
    assert counts["event_rsvps"] == 1 and counts["event_reminder_optouts"] == 1
    assert await service.export_member(1) == {
        "event_rsvps": [],
        "event_reminder_optouts": [],
        "events_created": [],
        "event_series_created": [],
    }
    _, people = await service.attendees(event.event_id)
    assert people.going == [2]
    forgotten = await service.forget_member(ORGANISER)
    assert forgotten["events_created_by"] == 1


async def test_reminder_is_claimed_once_late_or_skipped(service: EventService, clock: ManualClock) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    await service.rsvp(event.event_id, 1, "going")
    await service.rsvp(event.event_id, 2, "maybe")
    await service.rsvp(event.event_id, 3, "going")
    await service.set_reminders(GUILD, 3, on=False)
    assert await service.queue_reminder(event.event_id, 86400) is None  # not due yet
    clock.set(event.start - timedelta(hours=24))
    claim = await service.queue_reminder(event.event_id, 86400)
    assert claim is not None and claim.outcome == "queued" and claim.recipients == [1]
    assert await service.queue_reminder(event.event_id, 86400) is None  # never twice
    await service.update_settings(GUILD, remind_maybe=True)
    clock.set(event.start - timedelta(minutes=30))  # the 1 h reminder is half an hour late
    late = await service.queue_reminder(event.event_id, 3600)
    assert late is not None and late.outcome == "late" and late.recipients == [1, 2]

    [other] = await service.create(GUILD, ORGANISER, draft(start="2026-10-20 18:00"), TZ)
    clock.set(other.start + timedelta(minutes=5))
    skipped = await service.queue_reminder(other.event_id, 3600)
    assert skipped is not None and skipped.outcome == "skipped" and skipped.recipients == []


async def test_fortnightly_series_keeps_18_00_across_the_october_clock_change(service: EventService) -> None:
    events = await service.create(
        GUILD, ORGANISER, draft(kind="workshop", start="2026-10-13 18:00"), TZ, repeat="fortnightly", count=6
    )
    local = [e.start.astimezone(ZoneInfo(TZ)) for e in events]
    assert [t.strftime("%H:%M") for t in local] == ["18:00"] * 6
    assert [t.date().isoformat() for t in local] == [
        "2026-10-13",
        "2026-10-27",
        "2026-11-10",
        "2026-11-24",
        "2026-12-08",
        "2026-12-22",
    ]
    # In UTC, the hour moves when British Summer Time ends (25 October 2026).
    assert [e.start.hour for e in events[:2]] == [17, 18]
    assert len({e.series_id for e in events}) == 1


async def test_series_until_a_date_and_cancel_the_rest(service: EventService) -> None:
    events = await service.create(
        GUILD, ORGANISER, draft(start="2026-10-07 18:00"), TZ, repeat="weekly", until="2026-11-04"
    )
    assert len(events) == 5
    await service.rsvp(events[3].event_id, 7, "going")
    outcomes = await service.cancel(events[2].event_id, GUILD, scope="rest")
    assert [o.event.event_id for o in outcomes] == [e.event_id for e in events[2:]]
    assert outcomes[1].notify == [7]
    remaining = await service.upcoming(GUILD)
    assert [e.event_id for e in remaining] == [e.event_id for e in events[:2]]


async def test_cancel_one_occurrence_leaves_the_others(service: EventService) -> None:
    events = await service.create(GUILD, ORGANISER, draft(), TZ, repeat="weekly", count=3)
    await service.cancel(events[1].event_id, GUILD)
    assert [e.event_id for e in await service.upcoming(GUILD)] == [events[0].event_id, events[2].event_id]
    assert all(r.event_id != events[1].event_id for r in await service.pending_reminders())


async def test_an_event_from_another_server_is_not_found(service: EventService) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    with pytest.raises(UserError, match="can't find"):
        await service.attendees(event.event_id, guild_id=GUILD + 1)


async def test_after_long_downtime_only_the_latest_missed_reminder_is_sent(
    service: EventService, clock: ManualClock
) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    await service.rsvp(event.event_id, 1, "going")
    clock.set(event.start - timedelta(minutes=30))  # both the 24 h and the 1 h reminders were missed
    early = await service.queue_reminder(event.event_id, 86400)
    assert early is not None and early.outcome == "skipped" and early.recipients == []
    late = await service.queue_reminder(event.event_id, 3600)
    assert late is not None and late.outcome == "late" and late.recipients == [1]


async def test_missed_reminders_collapse_whatever_order_the_jobs_run_in(
    service: EventService, clock: ManualClock
) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    await service.rsvp(event.event_id, 1, "going")
    clock.set(event.start - timedelta(minutes=30))
    late = await service.queue_reminder(event.event_id, 3600)
    early = await service.queue_reminder(event.event_id, 86400)
    assert late is not None and late.outcome == "late"
    assert early is not None and early.outcome == "skipped"


async def test_the_counts_a_press_answers_with_are_the_counts_stored(service: EventService) -> None:
    """A press works its counts out from the one read and its own change (no re-read): after
    every kind of move, they equal what a fresh read of the event says."""
    import random

    [event] = await service.create(GUILD, ORGANISER, draft(capacity=2), TZ)
    rng = random.Random(17)
    for _ in range(80):
        member = rng.randint(100, 105)
        choice = rng.choice(["going", "going", "maybe", "not_going"])
        outcome = await service.rsvp(event.event_id, member, choice, GUILD)
        stored = await service.get(event.event_id)
        assert (outcome.event.going, outcome.event.waiting, outcome.event.maybe) == (
            stored.going,
            stored.waiting,
            stored.maybe,
        )
