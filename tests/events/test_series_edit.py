"""/event edit on an occurrence of a series (issue 17): the organiser is asked, privately, whether
to change only this one or this and every later one; each changed occurrence's attendees are told
once, its card and Events tab entry follow, and its reminders move with it (DST-correct)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, to_timestamp
from bot.errors import UserError
from bot.services.events import EventChanges, EventService
from cogs.events import Events
from tests.conftest import World

from .conftest import GUILD, ORGANISER, TZ, draft
from .helpers import cards, create, dms, fields, local, prepare, replies, said

LONDON = ZoneInfo(TZ)


def service_of(world: World) -> EventService:
    cog = world.bot.get_cog("Events")
    assert isinstance(cog, Events)
    return cog.service


async def weekly_walks(world: World) -> None:
    """Four weekly walks from day 3; the student is going to the first two (whose cards are up)."""
    await prepare(world)
    await create(world, title="Weekly walk", start=local(world, 3, 18), repeat="weekly", times=4)
    first, second = cards(world.general, world.student)
    await world.student.click(first, label="Going")
    await world.student.click(second, label="Going")


def changed(world: World) -> list[str]:
    return [text for text in dms(world.student) if "has changed" in text]


async def test_an_occurrence_asks_and_only_this_one_changes_only_it(world: World) -> None:
    await weekly_walks(world)
    asked = await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    assert asked.ephemeral and "part of a series, with 3 more after it" in asked.response.content
    assert [c["label"] for row in asked.response.components for c in row["components"]] == [
        "Only this one",
        "This and every later one",
    ]
    # Nothing changes until the organiser chooses.
    assert (await service_of(world).get(1)).place == "SU room 2"
    done = await world.organiser.click(asked.response.message, label="Only this one")
    assert "told 1 of 1" in said(done) and all(m.ephemeral for m in replies(done))
    await world.env.settle()
    assert len(changed(world)) == 1 and "Library" in changed(world)[0]
    places = [(await service_of(world).get(i)).place for i in (1, 2, 3, 4)]
    assert places == ["Library", "SU room 2", "SU room 2", "SU room 2"]
    first, second = cards(world.general, world.student)
    assert fields(first)["Where"] == "Library" and fields(second)["Where"] == "SU room 2"
    assert world.env.errors == []


async def test_this_and_later_changes_each_and_tells_each_attendee_once_per_occurrence(
    world: World,
) -> None:
    await weekly_walks(world)
    other = world.guild.add_member(world.env.create_user("oli_other"))
    await other.click(cards(world.general, other)[1], label="Going")  # the second walk only
    asked = await world.organiser.slash(
        world.general, "event edit", event=1, place="Library", **{"ask-needs": True}
    )
    done = await world.organiser.click(asked.response.message, label="This and every later one")
    text = said(done)
    assert "Saved for 4 events" in text and "told 3 of 3" in text, text
    await world.env.settle()
    # The student replied to two walks: one notice for each, never two for the same change.
    assert len(changed(world)) == 2
    assert len([t for t in dms(other) if "has changed" in t]) == 1
    service = service_of(world)
    for event_id in (1, 2, 3, 4):
        event = await service.get(event_id)
        assert (event.place, event.ask_needs) == ("Library", True)
    assert all(fields(card)["Where"] == "Library" for card in cards(world.general, world.student))
    mirrors = world.env.backend.get_guild(world.guild.id).scheduled_events.values()
    assert sorted(m.entity_metadata["location"] for m in mirrors) == ["Library"] * 4
    # One notice owed per person per occurrence changed, no more.
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE topic = 'events.changed'") == 3
    assert world.env.errors == []


async def test_a_new_time_moves_every_later_walk_by_the_same_local_time_across_the_clock_change(
    world: World,
) -> None:
    await prepare(world)
    today = world.env.now().astimezone(LONDON)
    year = today.year if today.month < 10 else today.year + 1
    await create(world, title="Weekly walk", start=f"{year}-10-13 18:00", repeat="weekly", times=4)
    # 18:00 to 19:30 on the first walk, and every later one: 19:30 local each week, though the
    # clocks go back on the last Sunday of October.
    result = await world.organiser.slash(
        world.general, "event edit", event=1, start=f"{year}-10-13 19:30", scope="rest"
    )
    assert "Saved for 4 events" in said(result)
    service = service_of(world)
    events = [await service.get(i) for i in (1, 2, 3, 4)]
    assert [e.start.astimezone(LONDON).strftime("%d %H:%M") for e in events] == [
        "13 19:30",
        "20 19:30",
        "27 19:30",
        "03 19:30",
    ]
    assert events[0].start.hour != events[3].start.hour  # UTC moves, local time does not
    assert all(e.end - e.start == timedelta(hours=2) for e in events)
    # Reminders moved with each walk.
    for event in events:
        dues = sorted(r.due_at for r in await service.pending_reminders(event.event_id))
        assert dues == [event.starts_at - 24 * 3600, event.starts_at - 3600]
    # The Events tab follows.
    mirrors = sorted(
        world.env.backend.get_guild(world.guild.id).scheduled_events.values(),
        key=lambda m: m.scheduled_start_time,
    )
    assert [m.scheduled_start_time[:16] for m in mirrors] == [
        e.start.strftime("%Y-%m-%dT%H:%M") for e in events
    ]
    assert world.env.errors == []


async def test_a_single_event_is_not_asked_and_rest_is_refused_kindly(world: World) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    direct = await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    assert "Saved. The card is updated" in said(direct)
    refused = await world.organiser.slash(world.general, "event edit", event=1, place="Hall", scope="rest")
    assert refused.ephemeral and "not part of a series" in refused.response.content
    assert (await service_of(world).get(1)).place == "Library"


async def test_bad_input_is_refused_before_asking(world: World) -> None:
    await weekly_walks(world)
    bad = await world.organiser.slash(world.general, "event edit", event=2, duration="13h")
    assert bad.ephemeral and "up to 12 hours" in bad.response.content
    assert bad.response.components == []
    last = await world.organiser.slash(world.general, "event edit", event=4, place="Library")
    assert "Saved. The card is updated" in said(last)  # nothing after the last one: no question


# -- the service ---------------------------------------------------------------------------


async def test_edit_occurrences_shifts_later_ones_in_local_time(service: EventService) -> None:
    events = await service.create(
        GUILD, ORGANISER, draft(start="2026-10-13 18:00"), TZ, repeat="weekly", count=3
    )
    outcomes = await service.edit_occurrences(
        events[1].event_id, GUILD, EventChanges(start="2026-10-21 09:00", duration="1h"), TZ, "rest"
    )
    assert [o.event.event_id for o in outcomes] == [events[1].event_id, events[2].event_id]
    starts = [o.event.start.astimezone(LONDON).replace(tzinfo=None) for o in outcomes]
    # 18:00 becomes 09:00 the next morning (15 hours later, local time) every week, though the
    # clocks go back between the two.
    assert starts == [datetime(2026, 10, 21, 9, 0), datetime(2026, 10, 28, 9, 0)]
    assert all(o.event.end - o.event.start == timedelta(hours=1) and o.time_changed for o in outcomes)
    assert (await service.get(events[0].event_id)).start == events[0].start


async def test_edit_occurrences_checks_every_one_before_saving_any(
    service: EventService, clock: ManualClock
) -> None:
    events = await service.create(GUILD, ORGANISER, draft(), TZ, repeat="weekly", count=3)
    await service.edit(events[2].event_id, GUILD, EventChanges(online_link="https://meet.example/x"), TZ)
    with pytest.raises(UserError, match="place, an online link"):
        await service.edit_occurrences(events[0].event_id, GUILD, EventChanges(place="-"), TZ, "rest")
    assert [(await service.get(e.event_id)).place for e in events] == ["Student Union, room 2"] * 3
    with pytest.raises(UserError, match="not part of a series"):
        [single] = await service.create(GUILD, ORGANISER, draft(), TZ)
        await service.edit_occurrences(single.event_id, GUILD, EventChanges(place="Hall"), TZ, "rest")
    assert await service.later_in_series(events[0]) == 2
    assert await service.check_edit(events[0].event_id, GUILD, EventChanges(place="Hall"), TZ) == 2
    assert (await service.get(events[0].event_id)).place == "Student Union, room 2"  # only checked
    # Occurrences already over are not changed.
    clock.advance(timedelta(days=3, hours=12))
    assert to_timestamp(clock.now()) > events[0].ends_at
    outcomes = await service.edit_occurrences(events[1].event_id, GUILD, EventChanges(cost="£1"), TZ, "rest")
    assert [o.event.cost for o in outcomes] == ["£1", "£1"]
    assert (await service.get(events[0].event_id)).cost is None


async def test_the_choice_is_checked_again_for_an_organiser(world: World) -> None:
    await weekly_walks(world)
    asked = await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    world.env.backend.remove_member_role(world.guild.id, world.organiser.id, world.organiser_role.id)
    refused = await world.organiser.click(asked.response.message, label="This and every later one")
    assert refused.ephemeral and "for organisers" in refused.response.content
    assert [(await service_of(world).get(i)).place for i in (1, 2, 3, 4)] == ["SU room 2"] * 4
    assert changed(world) == [] and world.env.errors == []
