"""Time in a server's timezone: reading typed dates, and the next occurrence of a schedule.

Every schedule in Common Room (event series, pulse runs, signpost posts, mentoring rounds) is a
rule over *local wall-clock* times, each occurrence then placed in the server's timezone, so
"every Monday 10:00" stays at 10:00 local when the clocks change in October and March. This is
the one module that does it:

* :func:`localise` / :func:`to_local`: wall-clock <-> aware UTC;
* :func:`parse_local`: what a person typed (``dateparser``, day-month order as in the UK,
  relative to now in the server's timezone), as a naive local time;
* :func:`next_occurrence`: the first occurrence of a ``dateutil`` rule (or a list of dates)
  after an instant, correct across both clock changes;
* :func:`describe_rule`: an RRULE line in words.

Stored times are aware UTC; Discord shows them to each person in their own timezone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import dateparser

from bot.errors import UserError

# A clock change moves local time by at most an hour (two on a few islands); a day's margin
# covers every zone, so an occurrence during a change is never skipped.
_CHANGE_MARGIN = timedelta(days=1)


class Rule(Protocol):
    """What ``dateutil.rrule.rrule`` and ``rruleset`` offer and this module needs."""

    def after(self, dt: datetime, inc: bool = ...) -> datetime | None: ...


def to_local(when: datetime, tz: str) -> datetime:
    """An aware instant as naive wall-clock time in ``tz``."""
    return when.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def localise(naive: datetime, tz: str) -> datetime:
    """A wall-clock time in ``tz`` as an aware UTC datetime.

    A time that does not exist locally (01:30 on the March change in London) is read with the
    offset before the change, so it lands an hour later in local terms; one that happens twice
    (01:30 on the October change) is the first of the two.
    """
    return naive.replace(tzinfo=ZoneInfo(tz), fold=0).astimezone(UTC)


def parser_settings(tz: str, now: datetime) -> dict[str, Any]:
    """``dateparser`` settings: the server's timezone, UK day-month order, future dates preferred."""
    return {
        "TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": to_local(now, tz),
        "DATE_ORDER": "DMY",
    }


#: A typed date further than this from now is a mistake in the year, not a plan.
MAX_YEARS_AWAY = 10


def parse_local(text: str, tz: str, now: datetime) -> datetime | None:
    """What a person typed as a naive local time in ``tz``; None if it isn't a date.

    Safe for any text: when the date library itself fails on it (dates near year 1 or 9999 in a
    far timezone overflow), that is "not a date"; a date more than :data:`MAX_YEARS_AWAY` years
    from ``now`` is a kind :class:`UserError` saying to check the year.
    """
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=parser_settings(tz, now))
    except (ValueError, OverflowError, TypeError, IndexError, KeyError, AttributeError, RecursionError):
        return None
    if not isinstance(parsed, datetime):
        return None
    if abs(parsed.year - now.year) > MAX_YEARS_AWAY:
        raise UserError(
            f"`{text[:60]}` is more than {MAX_YEARS_AWAY} years away. Check the year, for example "
            f"`{now.year + 1}-03-12`."
        )
    return parsed


def next_occurrence(
    rule: Rule | Iterable[datetime] | None,
    tz: str,
    after: datetime,
    *,
    inclusive: bool = False,
) -> datetime | None:
    """The first occurrence whose instant is after ``after`` (or at it, if ``inclusive``).

    ``rule`` yields naive local wall-clock times: a ``dateutil`` rule, or any iterable of local
    datetimes (explicit dates). Returns aware UTC, or None when nothing is left.
    """
    if rule is None:
        return None

    def fits(when: datetime) -> bool:
        return when > after or (inclusive and when == after)

    if not hasattr(rule, "after"):
        for local in sorted(rule):
            when = localise(local, tz)
            if fits(when):
                return when
        return None
    candidate = rule.after(to_local(after, tz) - _CHANGE_MARGIN, inc=True)  # type: ignore[union-attr]
    while candidate is not None:
        when = localise(candidate, tz)
        if fits(when):
            return when
        candidate = rule.after(candidate, inc=False)  # type: ignore[union-attr]
    return None


_WEEKDAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_BOUNDS = {"COUNT", "UNTIL", "WKST", "DTSTART"}


def describe_rule(rule: str) -> str:
    """An RRULE line in words: 'weekly', 'fortnightly', 'every Monday', 'on day 3 of each month'.

    How many times or until when (COUNT, UNTIL) is left to the caller; a rule this cannot put in
    words is shown as written.
    """
    text = rule.strip().removeprefix("RRULE:").removeprefix("rrule:")
    parts = dict(p.split("=", 1) for p in text.upper().split(";") if "=" in p)
    shape = {k: v for k, v in parts.items() if k not in _BOUNDS}
    freq, byday = shape.get("FREQ"), shape.get("BYDAY", "")
    try:
        interval = int(shape.get("INTERVAL", "1"))
    except ValueError:
        return f"`{text}`"
    keys = set(shape) - {"FREQ", "INTERVAL"}
    if freq == "DAILY" and not keys:
        return "daily" if interval == 1 else f"every {interval} days"
    if freq == "WEEKLY" and not keys:
        return {1: "weekly", 2: "fortnightly"}.get(interval, f"every {interval} weeks")
    if freq == "MONTHLY" and not keys and interval == 1:
        return "monthly"
    if freq == "WEEKLY" and keys == {"BYDAY"} and byday in _WEEKDAY_NAMES:
        day = _WEEKDAY_NAMES[byday]
        return f"every {day}" if interval == 1 else f"every {interval} weeks on {day}"
    if freq == "MONTHLY" and interval == 1 and keys == {"BYDAY"}:
        m = re.fullmatch(r"([+-]?\d)([A-Z]{2})", byday)
        if m and m.group(2) in _WEEKDAY_NAMES:
            ordinal = _ORDINALS.get(int(m.group(1)), m.group(1))
            return f"the {ordinal} {_WEEKDAY_NAMES[m.group(2)]} of each month"
    if freq == "MONTHLY" and interval == 1 and keys == {"BYMONTHDAY"}:
        return f"on day {shape['BYMONTHDAY']} of each month"
    return f"`{text}`"
