"""Dates for events: what people type, in the server's timezone, and repeating series.

Reading dates and placing wall-clock times in the server's timezone is
:mod:`bot.services.recurrence` (the one home for both). Series use ``dateutil.rrule`` on *local
wall-clock* times, each occurrence then placed in the server's timezone, so a series at 18:00
stays at 18:00 when the clocks change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from bot.errors import UserError
from bot.i18n import N_
from bot.services.recurrence import localise, parse_local, to_local
from bot.text import clean_text

DATE_EXAMPLES = "`2026-12-03 18:30`, `3 Dec 18:30` or `tomorrow 6pm`"
MAX_DURATION = timedelta(hours=12)
MAX_SERIES_SPAN = timedelta(days=366)
MAX_OCCURRENCES = 60

REPEATS: tuple[str, ...] = ("weekly", "fortnightly", "monthly")

_TIME_HINT = re.compile(r"\d{1,2}[:.h]\d{2}|\d\s*(am|pm)\b|\b(noon|midday|midnight)\b", re.IGNORECASE)
# ASCII digits only, and few of them: "٣h" is not read as 3 hours, and no typed number can overflow.
_DURATION = re.compile(
    r"\s*(?:(?P<h>[0-9]{1,4}(?:[.,][0-9]{1,4})?)\s*(?:h|hr|hrs|hour|hours))?\s*"
    r"(?:(?P<m>[0-9]{1,6})\s*(?:m|min|mins|minute|minutes)?)?\s*",
    re.IGNORECASE | re.ASCII,
)


#: "Please give the start as a date and time", one whole sentence for each thing asked for.
_GIVE: dict[str, str] = {
    "start": N_("Please give the start as a date and time, for example {examples}."),
    "end": N_("Please give the end as a date and time, for example {examples}."),
    "closing time": N_("Please give the closing time as a date and time, for example {examples}."),
    "time": N_("Please give time number {number} as a date and time, for example {examples}."),
}


def parse_when(
    text: str, tz: str, now: datetime, *, what: str = "start", number: int | None = None
) -> datetime:
    """A date and time typed by a person, understood in the server's timezone (aware UTC).
    ``what`` is "start", "end", "closing time" or "time" (time ``number`` of a poll)."""
    field = f"The time number {number}" if what == "time" else f"The {what}"
    cleaned = clean_text(text or "", field=field, multiline=False)
    if not cleaned or len(cleaned) > 100:
        raise UserError(_GIVE.get(what, _GIVE["start"]), examples=DATE_EXAMPLES, number=number)
    parsed = parse_local(cleaned, tz, now)
    if parsed is None:
        raise UserError(
            "I couldn't read `{text}` as a date and time. Try {examples} (times are in the server's"
            " timezone, {tz}).",
            text=cleaned[:60],
            examples=DATE_EXAMPLES,
            tz=tz,
        )
    if parsed.hour == 0 and parsed.minute == 0 and not _TIME_HINT.search(cleaned):
        raise UserError(
            "`{text}` has a date but no time. Add the time, for example `3 Dec 18:30` or `tomorrow 6pm`.",
            text=cleaned[:60],
        )
    return localise(parsed.replace(second=0, microsecond=0), tz)


def parse_date(text: str, tz: str, now: datetime) -> datetime:
    """A date (for 'repeat until'): the end of that day in the server's timezone."""
    cleaned = clean_text(text or "", field=N_("The date"), multiline=False)[:100]
    parsed = parse_local(cleaned, tz, now) if cleaned else None
    if parsed is None:
        raise UserError(
            "I couldn't read `{text}` as a date. Try `2026-12-17` or `17 Dec`.", text=cleaned[:60]
        )
    return localise(parsed.replace(hour=23, minute=59, second=59, microsecond=0), tz)


def parse_duration(text: str) -> timedelta:
    """'2h', '90 min', '1h30', '1.5 hours' (a bare number is minutes), rounded to the minute.

    Raises :class:`UserError` for anything else, for no time at all, and for more than
    :data:`MAX_DURATION` (the longest an event may last), saying what to write instead.
    """
    cleaned = " ".join((text or "").split())[:60]
    match = _DURATION.fullmatch(cleaned) if cleaned else None
    if match is None or not (match.group("h") or match.group("m")):
        shown = cleaned.encode("utf-8", "replace").decode("utf-8")[:40]
        raise UserError(
            "I couldn't read `{text}` as a length of time. Try `2h`, `90 min` or `1h30`.", text=shown
        )
    hours = Decimal((match.group("h") or "0").replace(",", "."))
    minutes = int(hours * 60 + int(match.group("m") or 0) + Decimal("0.5"))  # to the nearest minute
    if minutes < 1:
        raise UserError("A length of time needs at least a minute. Try `2h`, `90 min` or `1h30`.")
    if minutes > MAX_DURATION.total_seconds() // 60:
        raise UserError("Events can last up to 12 hours. Make it shorter, or split it into several events.")
    return timedelta(minutes=minutes)


def check_times(start: datetime, end: datetime, now: datetime) -> None:
    if start <= now:
        raise UserError(
            "That start time has already passed. Choose a time after now, for example `tomorrow 6pm`."
        )
    if end <= start:
        raise UserError(
            "The end is before the start. Give an end after the start, or a duration such as `2h`."
        )
    if end - start > MAX_DURATION:
        raise UserError("Events can last up to 12 hours. Make it shorter, or split it into several events.")


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    rule: str
    starts: list[datetime]  # aware UTC, one per occurrence


def plan_series(
    first_start: datetime, tz: str, repeat: str, *, until: datetime | None = None, count: int | None = None
) -> SeriesPlan:
    """Occurrence start times (aware UTC) for a series, keeping the local wall-clock time."""
    if repeat not in REPEATS:
        raise UserError("Repeat can be weekly, fortnightly or monthly.")
    if (until is None) == (count is None):
        raise UserError(
            "For a series, give either how many times (`times`) or an end date (`until`), not both."
        )
    if count is not None and count < 2:
        raise UserError("A series needs at least 2 occurrences. For a single event, leave `repeat` empty.")
    if count is not None and count > MAX_OCCURRENCES:
        raise UserError("A series can have up to {n} occurrences.", n=MAX_OCCURRENCES)
    local_start = to_local(first_start, tz)
    freq, interval = {"weekly": (WEEKLY, 1), "fortnightly": (WEEKLY, 2), "monthly": (MONTHLY, 1)}[repeat]
    local_until = to_local(until, tz) if until is not None else None
    if local_until is not None and local_until < local_start:
        raise UserError("The series ends before it starts. Give an `until` date after the first event.")
    if local_until is not None and local_until - local_start > MAX_SERIES_SPAN:
        raise UserError("A series can run for up to a year. Choose an earlier `until` date.")
    rule = rrule(freq, interval=interval, dtstart=local_start, until=local_until, count=count)
    local_starts = list(rule[: MAX_OCCURRENCES + 1]) if until is not None else list(rule)
    if len(local_starts) > MAX_OCCURRENCES:
        raise UserError(
            f"That makes more than {MAX_OCCURRENCES} occurrences. Choose an earlier `until` date."
        )
    if len(local_starts) < 2:
        raise UserError("That series has only one occurrence. Choose a later `until` date, or no repeat.")
    if local_starts[-1] - local_starts[0] > MAX_SERIES_SPAN:
        raise UserError("A series can run for up to a year. Use fewer occurrences.")
    text = str(rule).split("\n")[-1]  # the RRULE line (DTSTART is stored with the events)
    return SeriesPlan(rule=text, starts=[localise(s, tz) for s in local_starts])


def shift_local(when: datetime, old_anchor: datetime, new_anchor: datetime, tz: str) -> datetime:
    """``when`` moved by as much *local wall-clock* time as ``old_anchor`` moved to ``new_anchor``
    (aware UTC in and out): a series edited from 18:00 to 19:00 is at 19:00 on every later date,
    on either side of a clock change."""
    moved = to_local(new_anchor, tz) - to_local(old_anchor, tz)
    return localise(to_local(when, tz) + moved, tz)
