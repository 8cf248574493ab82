"""The events service and the outbox: every promise is written in the same transaction as the
change that creates it (both or neither), with a stable key, and is re-checked before sending."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import bot.services.events as events_module
from bot.clock import ManualClock
from bot.db import Database
from bot.services.events import EventInfo, EventService
from bot.services.outbox import OutboxService, stored_key

from .conftest import GUILD, ORGANISER, TZ, draft

CHANNEL = 555


class Boom(Exception):
    pass


@pytest.fixture
def outbox(db: Database, clock: ManualClock) -> OutboxService:
    return OutboxService(db, clock)


async def keys(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT item_key FROM outbox ORDER BY item_id")
    return [r["item_key"] for r in rows]


def fail_on_call(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """The ``n``-th promise written (1-based) fails, as a crash mid-transaction would."""
    real = events_module.enqueue
    calls = 0

    async def failing(*args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == n:
            raise Boom
        return await real(*args, **kwargs)

    monkeypatch.setattr(events_module, "enqueue", failing)


async def event_with_replies(
    service: EventService, going: tuple[int, ...], maybe: tuple[int, ...] = (), **fields: object
) -> EventInfo:
    """One event of this server, with these members going and maybe, in that order."""
    [event] = await service.create(GUILD, ORGANISER, draft(**fields), TZ)
    for member in going:
        await service.rsvp(event.event_id, member, "going")
    for member in maybe:
        await service.rsvp(event.event_id, member, "maybe")
    return event


async def test_a_due_reminder_is_queued_with_one_promise_per_recipient_or_not_at_all(
    service: EventService,
    db: Database,
    clock: ManualClock,
    outbox: OutboxService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await event_with_replies(service, going=(1, 2, 3))
    clock.set(event.start - timedelta(hours=24))

    fail_on_call(monkeypatch, 2)
    with pytest.raises(Boom):
        await service.queue_reminder(event.event_id, 86400)
    assert await keys(db) == []
    assert [r.lead_seconds for r in await service.pending_reminders(event.event_id)] == [86400, 3600]

    monkeypatch.undo()
    claim = await service.queue_reminder(event.event_id, 86400)
    assert claim is not None and claim.outcome == "queued" and claim.recipients == [1, 2, 3]
    assert await keys(db) == [stored_key(f"events.reminder:{event.event_id}:86400", m) for m in (1, 2, 3)]
    item = await outbox.by_key(f"events.reminder:{event.event_id}:86400", 2)
    assert item is not None and item.not_after == event.start
    assert item.payload == {
        "event_id": event.event_id,
        "lead": 86400,
        "starts_at": event.starts_at,
        "late": False,
    }
    status = await db.fetchval(
        "SELECT status FROM event_reminders WHERE event_id = ? AND lead_seconds = 86400", (event.event_id,)
    )
    assert status == "queued"
    # The job running again (after a restart) owes nothing twice.
    assert await service.queue_reminder(event.event_id, 86400) is None
    assert len(await keys(db)) == 3


async def test_a_reminder_is_still_owed_only_to_those_who_still_want_it(
    service: EventService, clock: ManualClock
) -> None:
    event = await event_with_replies(service, going=(1, 2, 3))
    clock.set(event.start - timedelta(hours=24))
    await service.queue_reminder(event.event_id, 86400)
    await service.rsvp(event.event_id, 2, "not_going")
    await service.set_reminders(GUILD, 3, on=False)
    assert await service.reminder_due(event.event_id, 1, event.starts_at) == await service.get(event.event_id)
    assert await service.reminder_due(event.event_id, 2, event.starts_at) is None
    assert await service.reminder_due(event.event_id, 3, event.starts_at) is None
    # Moved to another time: this reminder is for the old time (new ones are armed).
    await service.edit(event.event_id, GUILD, events_module.EventChanges(start="2026-10-09 18:30"), TZ)
    assert await service.reminder_due(event.event_id, 1, event.starts_at) is None
    clock.set(event.start)
    assert await service.reminder_due(event.event_id, 1, event.starts_at) is None


async def test_a_place_and_its_dm_are_one_change(
    service: EventService, db: Database, outbox: OutboxService, monkeypatch: pytest.MonkeyPatch
) -> None:
    [event] = await service.create(GUILD, ORGANISER, draft(capacity=1), TZ)
    await service.rsvp(event.event_id, 1, "going")
    waiting = await service.rsvp(event.event_id, 2, "going")
    assert waiting.status == "waiting"

    fail_on_call(monkeypatch, 1)
    with pytest.raises(Boom):
        await service.rsvp(event.event_id, 1, "not_going")
    _, people = await service.attendees(event.event_id)
    assert (people.going, people.waiting) == ([1], [2])
    assert await keys(db) == []

    monkeypatch.undo()
    dropped = await service.rsvp(event.event_id, 1, "not_going")
    assert dropped.promoted == [2]
    seq = await db.fetchval(
        "SELECT seq FROM event_rsvps WHERE event_id = ? AND member_id = 2", (event.event_id,)
    )
    item = await outbox.by_key(f"events.promoted:{event.event_id}:{seq}", 2)
    assert item is not None and item.recipient_id == 2 and item.not_after == event.start
    assert await service.promotion_due(event.event_id, 2, seq) is not None
    # A failed DM is shown in /event mine, for that RSVP only.
    await service.record_promotion_dm(event.event_id, 2, False, seq + 1)
    assert (await service.mine(GUILD, 2))[0].promotion_dm is None
    await service.record_promotion_dm(event.event_id, 2, False, seq)
    assert (await service.mine(GUILD, 2))[0].promotion_dm == "failed"
    # Answered again since: the old promise is no longer worth keeping.
    await service.rsvp(event.event_id, 2, "maybe")
    assert await service.promotion_due(event.event_id, 2, seq) is None


async def test_forgetting_someone_with_a_place_owes_the_next_one_a_dm(
    service: EventService, db: Database
) -> None:
    event = await event_with_replies(service, going=(1, 2), capacity=1)
    await service.forget_member(1)
    [key] = await keys(db)
    assert key.startswith(f"events.promoted:{event.event_id}:") and key.endswith("@2")


async def test_each_edit_owes_its_own_notice_and_a_failed_edit_owes_nothing(
    service: EventService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await event_with_replies(service, going=(1, 2), maybe=(3,))
    changes = events_module.EventChanges(place="Library")

    fail_on_call(monkeypatch, 2)
    with pytest.raises(Boom):
        await service.edit(event.event_id, GUILD, changes, TZ)
    assert (await service.get(event.event_id)).place == event.place
    assert await keys(db) == []

    monkeypatch.undo()
    first = await service.edit(event.event_id, GUILD, changes, TZ)
    second = await service.edit(event.event_id, GUILD, events_module.EventChanges(cost="£2"), TZ)
    assert first.notices == [stored_key(f"events.changed:{event.event_id}:1", m) for m in (1, 2)]
    assert second.notices == [stored_key(f"events.changed:{event.event_id}:2", m) for m in (1, 2)]
    assert await keys(db) == first.notices + second.notices
    assert await service.notice_due(event.event_id, 1) is not None
    assert await service.notice_due(event.event_id, 3) is None


async def test_a_cancellation_and_its_notices_are_one_change(
    service: EventService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await event_with_replies(service, going=(1, 2))
    await service.edit(event.event_id, GUILD, events_module.EventChanges(place="Library"), TZ)
    before = await keys(db)

    fail_on_call(monkeypatch, 2)
    with pytest.raises(Boom):
        await service.cancel(event.event_id, GUILD)
    assert not (await service.get(event.event_id)).cancelled
    assert await keys(db) == before

    monkeypatch.undo()
    [outcome] = await service.cancel(event.event_id, GUILD)
    assert outcome.notices == [stored_key(f"events.cancelled:{event.event_id}", m) for m in (1, 2)]
    assert await keys(db) == before + outcome.notices
    assert await service.cancellation_due(event.event_id) is not None
    # The change notice still owed is no longer worth sending: the cancellation says it all.
    assert await service.notice_due(event.event_id, 1) is None


async def test_cards_due_now_are_owed_with_the_events_and_later_ones_when_their_time_comes(
    service: EventService, db: Database, clock: ManualClock, outbox: OutboxService
) -> None:
    events = await service.create(
        GUILD,
        ORGANISER,
        draft(start="2026-10-08 18:30"),
        TZ,
        repeat="weekly",
        count=4,
        card_channel_id=CHANNEL,
    )
    ids = [e.event_id for e in events]
    # The first, and the second (within two weeks); the third and fourth later.
    assert await keys(db) == [f"events.card:{ids[0]}:0", f"events.card:{ids[1]}:0"]
    first = await outbox.by_key(f"events.card:{ids[0]}:0")
    assert first is not None and first.channel_id == CHANNEL and first.marker == f"event:going:{ids[0]}"
    assert first.payload == {"event_id": ids[0], "first": True}

    assert await service.queue_card(ids[2], CHANNEL)
    assert await service.queue_card(ids[2], CHANNEL)  # again (a restart): the same promise
    assert (await keys(db))[2:] == [f"events.card:{ids[2]}:0"]
    # Refused for good (no access): the next try is a new promise.
    await service.card_failed(ids[2])
    assert await service.queue_card(ids[2], CHANNEL)
    assert (await keys(db))[2:] == [f"events.card:{ids[2]}:0", f"events.card:{ids[2]}:1"]

    await service.set_card(ids[2], CHANNEL, 99)
    assert await service.card_due(ids[2]) is None
    assert not await service.queue_card(ids[2], CHANNEL)
    await service.cancel(ids[3], GUILD)
    assert await service.card_due(ids[3]) is None
    assert not await service.queue_card(ids[3], CHANNEL)


async def test_a_failed_creation_owes_no_card(
    service: EventService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on_call(monkeypatch, 2)
    with pytest.raises(Boom):
        await service.create(GUILD, ORGANISER, draft(), TZ, repeat="weekly", count=3, card_channel_id=CHANNEL)
    assert await service.upcoming(GUILD) == []
    assert await keys(db) == []
