"""A weekly series keeps its local wall-clock time across both London clock changes
(BST ends Sunday 25 October 2026, begins again Sunday 28 March 2027)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.events import EventService
from tests.conftest import World

from .conftest import GUILD, ORGANISER, TZ, draft
from .helpers import cards, create, fields, prepare, said

LONDON = ZoneInfo(TZ)


async def test_a_weekly_series_stays_at_18_00_london_across_october_and_march(service: EventService) -> None:
    # Created on Monday 5 October 2026 (the shared clock); first on Tuesday 20 October.
    events = await service.create(
        GUILD, ORGANISER, draft(start="2026-10-20 18:00"), TZ, repeat="weekly", until="2027-04-13"
    )
    local = [e.start.astimezone(LONDON) for e in events]
    assert local[0].date() == date(2026, 10, 20) and local[-1].date() == date(2027, 4, 13)
    assert [t.date() - local[0].date() for t in local] == [timedelta(weeks=i) for i in range(len(local))]
    assert {t.strftime("%H:%M") for t in local} == {"18:00"}
    assert all(e.end - e.start == timedelta(hours=2) for e in events)
    # In UTC the start moves by an hour at each change: 17:00 in summer time, 18:00 in winter.
    utc_hours = {e.start.astimezone(UTC).date(): e.start.astimezone(UTC).hour for e in events}
    assert utc_hours[date(2026, 10, 20)] == 17  # before the October change
    assert utc_hours[date(2026, 10, 27)] == 18  # after it
    assert utc_hours[date(2027, 3, 23)] == 18  # before the March change
    assert utc_hours[date(2027, 3, 30)] == 17  # after it
    # Reminders are a fixed time before each start, so they follow the local time too.
    due = {r.event_id: r.due_at for r in await service.pending_reminders() if r.lead_seconds == 3600}
    assert all(datetime.fromtimestamp(due[e.event_id], LONDON).strftime("%H:%M") == "17:00" for e in events)


async def test_series_cards_posted_over_the_winter_show_18_00_london(world: World) -> None:
    """Under SimCord, with the scheduler posting each card two weeks ahead as time passes."""
    await prepare(world)
    now = world.env.now().astimezone(LONDON)
    year = now.year if (now.month, now.day) < (10, 6) else now.year + 1
    done = await create(
        world, title="Winter walk", start=f"{year}-10-20 18:00", repeat="weekly", until=f"{year + 1}-04-13"
    )
    assert "series of 26" in said(done)
    stop = datetime(year + 1, 4, 14, tzinfo=LONDON)
    while world.env.now() < stop:
        await world.env.advance_time(7 * 24 * 3600)
    posted = cards(world.general, world.student)
    assert len(posted) == 26
    starts = []
    for card in posted:
        ts = int(fields(card)["When"].split(":")[1])
        starts.append(datetime.fromtimestamp(ts, LONDON))
    assert {s.strftime("%a %H:%M") for s in starts} == {"Tue 18:00"}
    assert {s.utcoffset() for s in starts} == {timedelta(0), timedelta(hours=1)}
    assert all("part of a weekly series" in (c.embeds[0].footer.text or "") for c in posted)
    assert world.env.errors == []
