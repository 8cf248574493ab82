"""When scheduled matching runs: "daily" or "weekly on a day", at a local wall-clock time.

The rule is built on the server's local time and placed by :mod:`bot.services.recurrence`, so a
round at 09:00 stays at 09:00 local when the clocks change in October and March.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil.rrule import DAILY, WEEKLY, rrule

from bot.errors import UserError
from bot.services.recurrence import next_occurrence, to_local

FREQUENCIES = ("off", "daily", "weekly")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_minute(time_text: str) -> int:
    """``09:00``, ``9.30``, ``18h30`` or ``7`` as minutes after midnight; a kind error otherwise."""
    found = re.fullmatch(r"\s*(\d{1,2})(?::|\.|h)?(\d{2})?\s*", time_text or "")
    hour = int(found.group(1)) if found else -1
    mins = int(found.group(2) or 0) if found else -1
    if not found or not (0 <= hour <= 23 and 0 <= mins <= 59):
        raise UserError(
            "I couldn't read `{text}` as a time. Use 24-hour time, for example `09:00` or `18:30`.",
            text=(time_text or "")[:20],
        )
    return hour * 60 + mins


def next_run(frequency: str, weekday: int | None, minute: int, timezone: str, after: datetime) -> datetime:
    """The first scheduled instant strictly after ``after`` (aware UTC), at ``minute`` local time."""
    start = to_local(after, timezone).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    rule = rrule(
        WEEKLY if frequency == "weekly" else DAILY,
        dtstart=start,
        byweekday=(weekday or 0) if frequency == "weekly" else None,
        byhour=minute // 60,
        byminute=minute % 60,
        bysecond=0,
    )
    found = next_occurrence(rule, timezone, after)
    if found is None:  # pragma: no cover - a rule without an end never stops
        raise ValueError("no next run")
    return found
