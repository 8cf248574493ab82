"""The one recurrence module: local wall-clock schedules stay put across both clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from bot.i18n import Catalogues
from bot.services.recurrence import describe_rule, localise, next_occurrence, parse_local, to_local

LONDON = "Europe/London"


def walk(rule: rrule, after: datetime, count: int) -> list[datetime]:
    found = []
    for _ in range(count):
        nxt = next_occurrence(rule, LONDON, after)
        assert nxt is not None
        found.append(nxt)
        after = nxt
    return found


@pytest.mark.parametrize(
    ("start", "change"),
    [
        (datetime(2026, 10, 12, 18, 0), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),  # BST -> GMT
        (datetime(2027, 3, 15, 18, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # GMT -> BST
    ],
)
def test_a_weekly_schedule_keeps_its_local_time_across_the_clock_change(
    start: datetime, change: datetime
) -> None:
    rule = rrule(WEEKLY, dtstart=start)
    runs = walk(rule, localise(start, LONDON), 4)
    assert all(r < change for r in runs[:1]) and all(r > change for r in runs[2:])
    assert [to_local(r, LONDON).time().isoformat() for r in runs] == ["18:00:00"] * 4
    # The instants differ by 7 days +- the hour the clocks moved, never a skipped or doubled week.
    gaps = {(b - a).total_seconds() / 3600 for a, b in itertools.pairwise(runs)}
    assert gaps <= {167.0, 168.0, 169.0}


def test_a_daily_time_inside_the_missing_hour_is_not_skipped() -> None:
    # 01:30 does not exist in London on 28 March 2027; the run still happens that night.
    rule = rrule(DAILY, dtstart=datetime(2027, 3, 26, 1, 30))
    runs = walk(rule, datetime(2027, 3, 26, 12, 0, tzinfo=UTC), 3)
    assert [to_local(r, LONDON).date().day for r in runs] == [27, 28, 29]
    assert to_local(runs[0], LONDON).hour == 1 and to_local(runs[2], LONDON).hour == 1


def test_a_time_that_happens_twice_runs_once() -> None:
    # 01:30 happens twice in London on 25 October 2026: one run that night, not two.
    rule = rrule(DAILY, dtstart=datetime(2026, 10, 24, 1, 30))
    runs = walk(rule, datetime(2026, 10, 24, 0, 0, tzinfo=UTC), 3)
    assert [to_local(r, LONDON).day for r in runs] == [24, 25, 26]


def test_inclusive_finds_an_occurrence_exactly_at_the_instant() -> None:
    rule = rrule(MONTHLY, dtstart=datetime(2026, 11, 2, 10, 0))
    at = localise(datetime(2026, 11, 2, 10, 0), LONDON)
    assert next_occurrence(rule, LONDON, at, inclusive=True) == at
    assert next_occurrence(rule, LONDON, at) == localise(datetime(2026, 12, 2, 10, 0), LONDON)


def test_explicit_dates_and_nothing_left() -> None:
    dates = [datetime(2026, 11, 9, 9, 0), datetime(2026, 11, 2, 9, 0)]
    after = datetime(2026, 11, 3, tzinfo=UTC)
    assert next_occurrence(dates, LONDON, after) == localise(dates[0], LONDON)
    assert next_occurrence(dates, LONDON, datetime(2026, 12, 1, tzinfo=UTC)) is None
    assert next_occurrence(None, LONDON, after) is None


def test_typed_dates_are_read_in_the_servers_timezone() -> None:
    now = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    assert parse_local("3/12/2026 18:30", LONDON, now) == datetime(2026, 12, 3, 18, 30)  # day first
    assert parse_local("not a date at all", LONDON, now) is None


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("RRULE:FREQ=WEEKLY;COUNT=6", "weekly"),
        ("FREQ=WEEKLY;INTERVAL=2;UNTIL=20261217T235959", "fortnightly"),
        ("FREQ=MONTHLY;COUNT=3", "monthly"),
        ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "every 2 weeks on Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "the last Friday of each month"),
        ("FREQ=MONTHLY;BYMONTHDAY=3", "on day 3 of each month"),
        ("FREQ=YEARLY;BYMONTH=1", "`FREQ=YEARLY;BYMONTH=1`"),
        ("FREQ=WEEKLY;INTERVAL=x", "`FREQ=WEEKLY;INTERVAL=x`"),
    ],
)
def test_rules_in_words(rule: str, words: str) -> None:
    assert describe_rule(rule) == words


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;COUNT=6", "bob wythnos"),
        ("FREQ=WEEKLY;BYDAY=MO", "bob dydd Llun"),
        # After "ar" the day's name mutates; a slotted-in English pattern could not say it.
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", "bob 3 wythnos ar ddydd Mawrth"),
        # "ail" comes before the day and mutates it; "olaf" comes after.
        ("FREQ=MONTHLY;BYDAY=2WE", "yr ail ddydd Mercher o bob mis"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "y dydd Gwener olaf o bob mis"),
        ("FREQ=MONTHLY;BYMONTHDAY=3", "ar ddiwrnod 3 o bob mis"),
        # Two mutates the noun after it ("dau ddiwrnod"): the plural form for two says so.
        ("FREQ=DAILY;INTERVAL=2", "bob 2 ddiwrnod"),
        ("FREQ=DAILY;INTERVAL=3", "bob 3 diwrnod"),
        ("FREQ=YEARLY;BYMONTH=1", "`FREQ=YEARLY;BYMONTH=1`"),
    ],
)
def test_rules_in_welsh_words(rule: str, words: str) -> None:
    assert describe_rule(rule, Catalogues().translator("cy")) == words


def test_an_interval_below_one_is_shown_as_written() -> None:
    assert describe_rule("FREQ=WEEKLY;INTERVAL=0") == "`FREQ=WEEKLY;INTERVAL=0`"
