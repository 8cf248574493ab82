"""Find a time (issue #19), at the service level against real SQLite: the rules and bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.services.event_polls import COMMITTED_SHOWN, DECIDED_TOPIC, TOGGLE, EventPollService, MyChoice, Poll
from bot.services.retention import RetentionService
from tests.conftest import count_trips

GUILD = 1
ORGANISER = 5
TZ = "Europe/London"
SLOTS = "5 Jan 2026 18:00; 6 Jan 2026 12:30; 8 Jan 2026 17:00"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def service(db: Database, clock: ManualClock) -> EventPollService:
    return EventPollService(db, clock)


async def new_poll(service: EventPollService, **overrides: str) -> int:
    options = {
        "title": "Study skills workshop",
        "slots": SLOTS,
        "closes": "4 Jan 2026 18:00",
        "tz": TZ,
        "place": "Library room 4",
    }
    options.update(overrides)
    poll = await service.create(GUILD, ORGANISER, **options)  # type: ignore[arg-type]
    return poll.poll_id


async def test_students_choices_are_shown_as_counts_and_can_change_until_it_closes(
    service: EventPollService, clock: ManualClock, db: Database
) -> None:
    poll_id = await new_poll(service)
    await service.choose(poll_id, GUILD, 101, [0, 2])
    await service.choose(poll_id, GUILD, 102, [2], committed=True)
    saved = await service.choose(poll_id, GUILD, 103, [2, 1, 2], committed=True)
    assert saved.mine == MyChoice(frozenset({1, 2}), True)
    poll = await service.get(poll_id, GUILD)
    assert [(s.can, s.committed) for s in poll.slots] == [(1, 0), (1, 1), (3, 2)]
    assert poll.answered == 3 and poll.committed == 2 and not poll.commitments_shown
    assert list(saved.starts) == [s.starts_at for s in poll.slots] and saved.closes_at == poll.closes_at
    # Changed their mind: the counts follow, nothing else stored.
    saved = await service.choose(poll_id, GUILD, 101, [1])
    assert saved.mine == MyChoice(frozenset({1}), False)
    poll = await service.get(poll_id, GUILD)
    assert [(s.can, s.committed) for s in poll.slots] == [(0, 0), (2, 1), (2, 2)]
    assert [s.slot for s in poll.ranking()] == [2, 1, 0]  # a tie: more of them with commitments first
    assert (await service.my_choice(poll_id, 102)).committed
    # The commitments tick toggles in the write itself (no read of the answer first) and leaves
    # the times alone; a first answer may be the tick alone.
    assert (await service.choose(poll_id, GUILD, 102, committed=TOGGLE)).mine == MyChoice(
        frozenset({2}), False
    )
    assert (await service.choose(poll_id, GUILD, 102, committed=TOGGLE)).mine == MyChoice(
        frozenset({2}), True
    )
    assert (await service.choose(poll_id, GUILD, 105, committed=TOGGLE)).mine == MyChoice(frozenset(), True)
    assert (await service.get(poll_id, GUILD)).answered == 4
    clock.advance(timedelta(days=4))
    with pytest.raises(UserError, match="closed"):
        await service.choose(poll_id, GUILD, 104, [0])
    closed = await service.close(poll_id, None)
    assert closed is not None and closed.status == "closed"
    assert await service.close(poll_id, None) is None  # once


async def test_creating_the_event_tells_only_those_who_could_make_that_slot_once(
    service: EventPollService, clock: ManualClock, db: Database
) -> None:
    poll_id = await new_poll(service)
    await service.choose(poll_id, GUILD, 101, [0, 2])
    await service.choose(poll_id, GUILD, 102, [1])
    await service.choose(poll_id, GUILD, 103, [2])
    with pytest.raises(UserError, match="still open"):
        await service.claim(poll_id, GUILD, 2)
    clock.advance(timedelta(days=4))
    await service.close(poll_id, None)
    with pytest.raises(UserError, match="already"):  # only a claimed poll is decided
        await service.decide(poll_id, GUILD, 2, event_id=9)
    await service.claim(poll_id, GUILD, 2)
    assert await service.decide(poll_id, GUILD, 2, event_id=9) == [101, 103]
    owed = await db.fetchall("SELECT recipient_id, topic FROM outbox ORDER BY recipient_id")
    assert [(r[0], r[1]) for r in owed] == [(101, DECIDED_TOPIC), (103, DECIDED_TOPIC)]
    with pytest.raises(UserError, match="already"):
        await service.decide(poll_id, GUILD, 1, event_id=10)


@pytest.mark.parametrize(
    ("slots", "closes", "message"),
    [
        ("5 Jan 2026 18:00", "4 Jan 2026 18:00", "at least 2"),
        (";".join(f"{d} Jan 2026 18:00" for d in range(5, 16)), "4 Jan 2026 18:00", "at most 10"),
        ("31 Dec 2025 18:00; 6 Jan 2026 12:30", "30 Dec 2025 18:00", "in the past"),
        ("5 Jan 2026 18:00; 5 Jan 2026 18:00", "4 Jan 2026 18:00", "same as an earlier"),
        (SLOTS, "7 Jan 2026 18:00", "close after the first"),
        (SLOTS, "31 Dec 2025 18:00", "closing time is in the past"),
        ("soon; later", "4 Jan 2026 18:00", "couldn't read"),
    ],
)
async def test_bad_slots_and_closing_times_get_a_kind_message_and_store_nothing(
    service: EventPollService, db: Database, slots: str, closes: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        await new_poll(service, slots=slots, closes=closes)
    assert await db.fetchval("SELECT COUNT(*) FROM event_polls") == 0


async def test_forged_ids_and_slots_are_refused_kindly(service: EventPollService) -> None:
    poll_id = await new_poll(service)
    for forged in (0, -1, 2**63, poll_id + 1):
        with pytest.raises(NotFound):
            await service.choose(forged, GUILD, 101, [0])
    with pytest.raises(NotFound):
        await service.choose(poll_id, GUILD + 1, 101, [0])  # another server's poll
    for slots in ([3], [-1], [10**20]):
        with pytest.raises(UserError, match="isn't one of the times"):
            await service.choose(poll_id, GUILD, 101, slots)


async def test_choices_are_deleted_seven_days_after_closing_and_on_forget_me(
    service: EventPollService, clock: ManualClock, db: Database
) -> None:
    poll_id = await new_poll(service)
    await service.choose(poll_id, GUILD, 101, [0], committed=True)
    await service.choose(poll_id, GUILD, 102, [1])
    assert [e["caring or work commitments"] for e in await service.export_member(101)] == [True]
    assert await service.forget_member(102) == 1
    assert await service.export_member(102) == []
    retention = RetentionService(db, clock)
    clock.advance(timedelta(days=3, hours=9 + 6 * 24))  # six days after it closed
    await retention.purge()
    assert await db.fetchval("SELECT COUNT(*) FROM event_poll_choices") == 1  # 6 days after: kept
    clock.advance(timedelta(days=1, minutes=1))
    await retention.purge()
    assert await db.fetchval("SELECT COUNT(*) FROM event_poll_choices") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM event_polls") == 1  # the poll itself stays longer


async def test_a_press_is_one_read_and_one_write_and_a_refusal_stores_nothing(
    service: EventPollService, db: Database
) -> None:
    poll_id = await new_poll(service)
    # BEGIN with the poll's read, the upsert, COMMIT: three trips to the database, whatever the poll.
    assert await count_trips(service.choose(poll_id, GUILD, 101, [0])) == 3

    def members_only(poll: Poll) -> None:
        raise UserError("This poll is for members of a community.")

    with pytest.raises(UserError, match="members of a community"):
        await service.choose(poll_id, GUILD, 102, [1], check=members_only)
    assert (await service.get(poll_id, GUILD)).answered == 1


async def test_counts_of_people_with_commitments_are_shown_only_from_five(service: EventPollService) -> None:
    poll_id = await new_poll(service)
    for member in range(COMMITTED_SHOWN - 1):
        await service.choose(poll_id, GUILD, 200 + member, [0], committed=True)
    await service.choose(poll_id, GUILD, 300, [1])
    poll = await service.get(poll_id, GUILD)
    assert poll.committed == COMMITTED_SHOWN - 1 and not poll.commitments_shown
    await service.choose(poll_id, GUILD, 300, committed=TOGGLE)
    poll = await service.get(poll_id, GUILD)
    assert poll.committed == COMMITTED_SHOWN and poll.commitments_shown


async def test_two_organisers_creating_from_one_poll_at_once_make_one_event(
    service: EventPollService, clock: ManualClock
) -> None:
    poll_id = await new_poll(service)
    await service.choose(poll_id, GUILD, 101, [0])
    with pytest.raises(UserError, match="still open"):
        await service.claim(poll_id, GUILD, 0)
    clock.advance(timedelta(days=4))
    await service.close(poll_id, None)
    # Both press at the same moment: one claims the poll, the other is refused before anything is made.
    outcomes = await asyncio.gather(
        service.claim(poll_id, GUILD, 0), service.claim(poll_id, GUILD, 1), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, UserError)]
    assert len(refused) == 1 and "Another organiser" in refused[0].message
    # Creating failed (say the card couldn't be posted): the poll can be chosen from again.
    await service.release(poll_id)
    await service.claim(poll_id, GUILD, 1)
    # A restart cut a creation short: start-up gives the claim back; nothing was decided.
    assert await service.release_interrupted() == 1
    await service.claim(poll_id, GUILD, 0)
    assert await service.decide(poll_id, GUILD, 0, event_id=7) == [101]
    with pytest.raises(UserError, match="already"):
        await service.claim(poll_id, GUILD, 0)
    await service.release(poll_id)  # a decided poll stays decided
    assert (await service.get(poll_id, GUILD)).status == "decided"
    assert await service.release_interrupted() == 0
