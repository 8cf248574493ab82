"""Scheduled matching rounds keep their local wall-clock time across the UK clock changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, from_timestamp
from bot.services.mentoring import MentoringService, next_run

from .conftest import GUILD

LONDON = "Europe/London"


async def rounds(
    service: MentoringService, clock: ManualClock, start: datetime, count: int
) -> list[datetime]:
    """Set weekly matching on Mondays at 09:00 from ``start``, then let ``count`` rounds run."""
    clock.set(start)
    schedule = await service.set_schedule(GUILD, "weekly", time_text="09:00", weekday=0, timezone=LONDON)
    seen = []
    for _ in range(count):
        assert schedule.next_run_at is not None
        due = from_timestamp(schedule.next_run_at)
        seen.append(due)
        clock.set(due)
        assert await service.scheduled_run_due(GUILD)
        await service.run_matching(GUILD, scheduled_timezone=LONDON)  # moves the schedule on
        schedule = await service.schedule(GUILD)
    return seen


def local(when: datetime) -> tuple[str, str]:
    shown = when.astimezone(ZoneInfo(LONDON))
    return shown.strftime("%A"), shown.strftime("%H:%M")


@pytest.mark.parametrize(
    ("start", "dates", "utc_hours"),
    [
        # Before the change (25 Oct) 09:00 BST is 08:00 UTC; after it, 09:00 GMT is 09:00 UTC.
        pytest.param(
            datetime(2026, 10, 13, 12, tzinfo=UTC),
            ["2026-10-19", "2026-10-26", "2026-11-02"],
            [8, 9, 9],
            id="october",
        ),
        # Before the change (28 Mar) 09:00 GMT is 09:00 UTC; after it, 09:00 BST is 08:00 UTC.
        pytest.param(
            datetime(2027, 3, 16, 12, tzinfo=UTC),
            ["2027-03-22", "2027-03-29", "2027-04-05"],
            [9, 8, 8],
            id="march",
        ),
    ],
)
async def test_weekly_rounds_stay_at_nine_local_across_the_clock_changes(
    service: MentoringService, clock: ManualClock, start: datetime, dates: list[str], utc_hours: list[int]
) -> None:
    seen = await rounds(service, clock, start, 3)

    assert [w.date().isoformat() for w in seen] == dates
    assert {local(w) for w in seen} == {("Monday", "09:00")}
    assert [w.hour for w in seen] == utc_hours


def test_a_daily_round_on_the_change_days_themselves_is_at_nine_local() -> None:
    for day_before, change_day, after_hour in (
        (datetime(2026, 10, 24, 12, tzinfo=UTC), 25, 9),
        (datetime(2027, 3, 27, 12, tzinfo=UTC), 28, 8),
    ):
        on_the_day = next_run("daily", None, 9 * 60, LONDON, day_before)
        assert on_the_day.day == change_day and local(on_the_day)[1] == "09:00"
        assert on_the_day.hour == after_hour
        following = next_run("daily", None, 9 * 60, LONDON, on_the_day)
        assert following.day == change_day + 1 and local(following)[1] == "09:00"
