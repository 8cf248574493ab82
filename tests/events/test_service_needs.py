"""Needs in the events service against real SQLite (issue 17): stored cleaned and bounded, only
for someone who replied to an event that asks, gone with Can't go, forget-me and retention, and
no extra statement on the Going path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.services.events import NEED_LIMIT, EventChanges, EventService
from bot.services.retention import RetentionService

from .conftest import GUILD, ORGANISER, TZ, draft

STUDENT, OTHER = 3001, 3002


async def asking(service: EventService, **overrides: object) -> int:
    [event] = await service.create(GUILD, ORGANISER, draft(ask_needs=True, **overrides), TZ)
    assert event.ask_needs
    return event.event_id


async def need_of(db: Database, event_id: int, member_id: int) -> str | None:
    value = await db.fetchval(
        "SELECT need FROM event_rsvps WHERE event_id = ? AND member_id = ?", (event_id, member_id)
    )
    return None if value is None else str(value)


async def test_a_need_is_cleaned_bounded_and_can_be_changed_or_removed(
    service: EventService, db: Database
) -> None:
    event_id = await asking(service)
    going = await service.rsvp(event_id, STUDENT, "going", GUILD)
    assert going.offer_need_form and not going.has_need
    saved = await service.set_need(event_id, GUILD, STUDENT, "  Step-free\u200b access\u202e\r\nHalal food ")
    assert saved == "Step-free access\nHalal food"
    form = await service.need_form(event_id, GUILD, STUDENT)
    assert form.need == saved and form.event.event_id == event_id
    assert (await service.rsvp(event_id, STUDENT, "going", GUILD)).has_need
    with pytest.raises(UserError, match="the limit is 500"):
        await service.set_need(event_id, GUILD, STUDENT, "x" * (NEED_LIMIT + 1))
    with pytest.raises(UserError, match="broken character"):
        await service.set_need(event_id, GUILD, STUDENT, "Quiet \ud800 room")
    assert await need_of(db, event_id, STUDENT) == saved  # refused input changes nothing
    assert await service.set_need(event_id, GUILD, STUDENT, "x" * NEED_LIMIT) == "x" * NEED_LIMIT
    assert await service.set_need(event_id, GUILD, STUDENT, " \u200b ") is None
    assert await need_of(db, event_id, STUDENT) is None


async def test_only_someone_who_replied_to_an_event_that_asks_can_share(
    service: EventService, clock: ManualClock
) -> None:
    event_id = await asking(service)
    [quiet] = await service.create(GUILD, ORGANISER, draft(), TZ)
    with pytest.raises(UserError, match="Press \\*\\*Going\\*\\*"):
        await service.set_need(event_id, GUILD, STUDENT, "Step-free")
    with pytest.raises(NotFound):
        await service.set_need(event_id, GUILD + 1, STUDENT, "Step-free")  # another server's
    for forged in (0, -1, 2**63, 2**64):
        with pytest.raises(NotFound):
            await service.need_form(forged, GUILD, STUDENT)
    await service.rsvp(quiet.event_id, STUDENT, "going", GUILD)
    outcome = await service.rsvp(quiet.event_id, OTHER, "going", GUILD)
    assert not outcome.offer_need_form
    with pytest.raises(UserError, match="aren't asking"):
        await service.need_form(quiet.event_id, GUILD, STUDENT)
    await service.rsvp(event_id, STUDENT, "going", GUILD)
    await service.cancel(event_id, GUILD)
    with pytest.raises(UserError, match="cancelled"):
        await service.set_need(event_id, GUILD, STUDENT, "Step-free")
    later = await asking(service)
    await service.rsvp(later, STUDENT, "going", GUILD)
    clock.advance(timedelta(days=4))
    with pytest.raises(UserError, match="finished"):
        await service.set_need(later, GUILD, STUDENT, "Step-free")


async def test_cant_go_deletes_it_maybe_keeps_it_and_the_waiting_list_is_asked(
    service: EventService, db: Database
) -> None:
    event_id = await asking(service, capacity=1)
    await service.rsvp(event_id, OTHER, "going", GUILD)
    waiting = await service.rsvp(event_id, STUDENT, "going", GUILD)
    assert waiting.status == "waiting" and waiting.offer_need_form
    await service.set_need(event_id, GUILD, STUDENT, "Vegetarian")
    maybe = await service.rsvp(event_id, STUDENT, "maybe", GUILD)
    assert maybe.has_need and not maybe.need_deleted and not maybe.offer_need_form
    assert await need_of(db, event_id, STUDENT) == "Vegetarian"
    cant = await service.rsvp(event_id, STUDENT, "not_going", GUILD)
    assert cant.need_deleted and not cant.has_need
    assert await need_of(db, event_id, STUDENT) is None
    again = await service.rsvp(event_id, STUDENT, "going", GUILD)
    assert not again.has_need and again.offer_need_form


async def test_attendees_carry_places_and_needs_for_organisers(service: EventService) -> None:
    event_id = await asking(service, capacity=1)
    for member in (STUDENT, OTHER, 3003):
        await service.rsvp(event_id, member, "going", GUILD)
    await service.rsvp(event_id, 3004, "maybe", GUILD)
    await service.rsvp(event_id, 3005, "not_going", GUILD)
    await service.set_need(event_id, GUILD, 3003, "A quiet space")
    _, people = await service.attendees(event_id, GUILD)
    assert [(p.member_id, p.status, p.waiting_position, p.need) for p in people.people] == [
        (STUDENT, "going", None, None),
        (OTHER, "waiting", 1, None),
        (3003, "waiting", 2, "A quiet space"),
        (3004, "maybe", None, None),
    ]
    assert (people.going, people.waiting, people.maybe, people.needs) == ([STUDENT], [OTHER, 3003], [3004], 1)


async def test_my_data_shows_it_and_forget_me_erases_it(service: EventService, db: Database) -> None:
    event_id = await asking(service)
    await service.rsvp(event_id, STUDENT, "going", GUILD)
    await service.set_need(event_id, GUILD, STUDENT, "Halal food")
    exported = await service.export_member(STUDENT)
    assert exported["event_rsvps"][0]["need_shared_with_organisers"] == "Halal food"
    counts = await service.forget_member(STUDENT)
    assert counts["needs shared with organisers"] == 1 and counts["event_rsvps"] == 1
    assert await db.fetchval("SELECT COUNT(*) FROM event_rsvps WHERE need IS NOT NULL") == 0


async def test_retention_clears_needs_7_days_after_the_event_ends_and_not_before(
    service: EventService, db: Database, clock: ManualClock
) -> None:
    event_id = await asking(service)
    await service.rsvp(event_id, STUDENT, "going", GUILD)
    await service.set_need(event_id, GUILD, STUDENT, "Step-free access")
    event = await service.get(event_id)
    retention = RetentionService(db, clock)
    clock.set(event.end + timedelta(days=7) - timedelta(minutes=1))
    assert (await retention.purge())["event_rsvps.need"] == 0
    assert await need_of(db, event_id, STUDENT) == "Step-free access"
    clock.set(event.end + timedelta(days=7, minutes=1))
    assert (await retention.purge())["event_rsvps.need"] == 1
    assert await need_of(db, event_id, STUDENT) is None
    # The RSVP itself is kept to its own period (30 days).
    assert await db.fetchval("SELECT status FROM event_rsvps WHERE event_id = ?", (event_id,)) == "going"


async def test_asking_is_set_by_edit_and_turning_it_off_keeps_what_was_shared(
    service: EventService, db: Database
) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(), TZ)
    await service.rsvp(event.event_id, STUDENT, "going", GUILD)
    on = await service.edit(event.event_id, GUILD, EventChanges(ask_needs=True), TZ)
    assert on.event.ask_needs and not on.visible and on.notify == [] and on.notices == []
    await service.set_need(event.event_id, GUILD, STUDENT, "Quiet room")
    off = await service.edit(event.event_id, GUILD, EventChanges(ask_needs=False), TZ)
    assert not off.event.ask_needs and off.notify == []
    assert await need_of(db, event.event_id, STUDENT) == "Quiet room"
    # They may still change or remove it; someone new isn't offered the form.
    assert (await service.rsvp(event.event_id, STUDENT, "going", GUILD)).offer_need_form
    assert not (await service.rsvp(event.event_id, OTHER, "going", GUILD)).offer_need_form
    assert await service.set_need(event.event_id, GUILD, STUDENT, "") is None
    with pytest.raises(UserError, match="aren't asking"):
        await service.set_need(event.event_id, GUILD, STUDENT, "Quiet room")


async def _statements(db: Database, action: object) -> int:
    seen: list[str] = []
    for conn in db.connections():
        await conn.set_trace_callback(seen.append)
    try:
        await action  # type: ignore[misc]
    finally:
        for conn in db.connections():
            await conn.set_trace_callback(None)
    return len(seen)


@pytest.mark.parametrize("ask", [False, True])
async def test_a_going_press_costs_the_same_statements_whether_or_not_needs_are_asked(
    service: EventService, db: Database, ask: bool
) -> None:
    """BEGIN, the one read (the event, its counts, my reply and need), the write, COMMIT (the
    counts follow the write, no re-read); pressing again reads only; Can't go frees the place,
    moves the next one up and re-reads (the need goes in the same write)."""
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=1, ask_needs=ask), TZ)
    assert await _statements(db, service.rsvp(event.event_id, STUDENT, "going", GUILD)) == 4
    assert await _statements(db, service.rsvp(event.event_id, OTHER, "going", GUILD)) == 4
    assert await _statements(db, service.rsvp(event.event_id, STUDENT, "going", GUILD)) == 3
    if ask:
        await service.set_need(event.event_id, GUILD, STUDENT, "Step-free")
    assert await _statements(db, service.rsvp(event.event_id, STUDENT, "not_going", GUILD)) == 10
