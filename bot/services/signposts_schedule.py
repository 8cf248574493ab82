"""Signpost schedules: when the directory is posted to a channel, in the server's local time.

Organisers say when in plain English ("first Monday of each month", "every 2 weeks on Wednesday")
or give dates; both become occurrences at a local wall-clock time, placed in the server's
timezone by :mod:`bot.services.recurrence`, so a 09:00 post stays at 09:00 when the clocks change.
Posts come at most once a week, so they stay worth reading.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import DAILY, HOURLY, MINUTELY, SECONDLY, rrule, rruleset, rrulestr

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.recurrence import Rule, describe_rule, next_occurrence, parse_local
from bot.services.signposts_contacts import CATEGORIES
from bot.text import clean_text

MAX_SCHEDULES = 10
MAX_DATES = 20

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_WEEKDAYS = {
    "monday": "MO", "mon": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU", "wednesday": "WE", "wed": "WE",
    "thursday": "TH", "thu": "TH", "thurs": "TH", "friday": "FR", "fri": "FR", "saturday": "SA", "sat": "SA",
    "sunday": "SU", "sun": "SU",
}  # fmt: skip
_WEEKDAY = (
    r"(monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thu|friday|fri|saturday|sat|sunday|sun)s?"
)
REPEAT_EXAMPLES = (
    "`first Monday of each month`, `last Friday of each month`, `every Monday`, "
    "`every 2 weeks on Wednesday`, `monthly on the 1st`, or an RRULE such as `FREQ=MONTHLY;BYDAY=1MO`"
)


def parse_repeat(text: str) -> str:
    """An RRULE (without DTSTART) for plain-English repeats; raises UserError otherwise."""
    raw = " ".join(text.strip().lower().split())
    if m := re.fullmatch(
        rf"(?:on )?(?:the )?(first|1st|second|2nd|third|3rd|fourth|4th|last) {_WEEKDAY}"
        r" (?:of )?(?:each|every|the) month",
        raw,
    ):
        return f"FREQ=MONTHLY;BYDAY={_ORDINALS[m.group(1)]:+d}{_WEEKDAYS[m.group(2)]}"
    if m := re.fullmatch(rf"(?:every|each) {_WEEKDAY}|weekly on {_WEEKDAY}", raw):
        day = m.group(1) or m.group(2)
        return f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[day]}"
    if m := re.fullmatch(
        rf"every (other|2|two|3|three|4|four) weeks? on {_WEEKDAY}|every other {_WEEKDAY}", raw
    ):
        words = {"other": 2, "2": 2, "two": 2, "3": 3, "three": 3, "4": 4, "four": 4}
        interval = words[m.group(1)] if m.group(1) else 2
        day = m.group(2) or m.group(3)
        return f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={_WEEKDAYS[day]}"
    if m := re.fullmatch(
        r"(?:monthly|every month|each month) on (?:the )?(\d{1,2})(?:st|nd|rd|th)?"
        r"|on (?:the )?(\d{1,2})(?:st|nd|rd|th)? of (?:each|every) month",
        raw,
    ):
        day_of_month = int(m.group(1) or m.group(2))
        if not 1 <= day_of_month <= 28:
            raise UserError("Choose a day of the month from 1 to 28, so every month has it.")
        return f"FREQ=MONTHLY;BYMONTHDAY={day_of_month}"
    rule = text.strip().removeprefix("RRULE:").removeprefix("rrule:")
    if "FREQ=" in rule.upper():
        upper = rule.upper()
        if "DTSTART" in upper or any(part in upper for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
            raise UserError("Leave DTSTART and times out of the rule; set the time with the `time` option.")
        try:
            rrulestr(upper, dtstart=datetime(2026, 1, 1, 9, 0))
        except (ValueError, TypeError):
            raise UserError(
                "I couldn't read that rule. Try one of: {examples}.", examples=REPEAT_EXAMPLES
            ) from None
        return upper
    raise UserError(
        "I couldn't read `{text}` as a repeat. Try one of: {examples}.",
        text=text.strip()[:60],
        examples=REPEAT_EXAMPLES,
    )


def parse_time_of_day(text: str) -> str:
    raw = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm)?", raw)
    if match:
        hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if meridiem:
            hour = hour % 12 + (12 if meridiem == "pm" else 0) if 1 <= hour <= 12 else 99
        if hour <= 23 and minute <= 59:
            return f"{hour:02d}:{minute:02d}"
    raise UserError(
        "I couldn't read `{text}` as a time. Write it like `09:00` or `6pm`.", text=text.strip()[:20]
    )


def check_rule_spacing(rule: str, time_of_day: str, anchor: str) -> None:
    """Refuse a rule that never happens, or that would post more often than once a week."""
    try:
        parsed = _local_rule(rule, time_of_day, anchor)
    except (ValueError, TypeError):
        raise UserError(
            "I couldn't read that rule. Try one of: {examples}.", examples=REPEAT_EXAMPLES
        ) from None
    if isinstance(parsed, rrule) and parsed._freq in (DAILY, HOURLY, MINUTELY, SECONDLY):
        interval = parsed._interval
        if parsed._freq != DAILY or interval < 7:
            raise UserError("Signposts can be posted at most once a week, so they stay worth reading.")
    upcoming = list(itertools.islice(parsed, 6))
    if not upcoming:
        raise UserError("That rule never happens after today. Check it and try again.")
    for earlier, later in itertools.pairwise(upcoming):
        if later - earlier < timedelta(days=7):
            raise UserError("Signposts can be posted at most once a week, so they stay worth reading.")


def parse_dates(text: str, timezone: str, now: datetime) -> list[str]:
    """Dates typed as ``6 Jan 2027, 2027-04-28`` (read in the server's timezone), as ISO dates."""
    parts = [p.strip() for p in re.split(r"[;,\n]", clean_text(text, field=N_("The dates"))) if p.strip()]
    if len(parts) > MAX_DATES:
        raise UserError("Give at most {limit} dates at a time.", limit=MAX_DATES)
    found: list[str] = []
    for part in parts:
        parsed = parse_local(part[:100], timezone, now)
        if parsed is None:
            raise UserError(
                "I couldn't read `{text}` as a date. Write dates like `6 Jan 2027` or "
                "`2027-01-06`, separated by commas.",
                text=part[:40],
            )
        day = parsed.date().isoformat()
        if day not in found:
            found.append(day)
    return sorted(found)


def _local_rule(rule: str, time_of_day: str, anchor: str) -> rrule | rruleset:
    """The stored rule from its anchor day at the local wall-clock time (naive local times)."""
    return rrulestr(
        rule, dtstart=datetime.combine(date.fromisoformat(anchor), time.fromisoformat(time_of_day))
    )


def occurrences(
    rule: str | None, dates: Sequence[str], time_of_day: str, anchor: str
) -> Rule | list[datetime]:
    """Every post as a naive local wall-clock time: the rule from its anchor day, or the dates."""
    if rule:
        local: Rule = _local_rule(rule, time_of_day, anchor)
        return local
    clock = time.fromisoformat(time_of_day)
    return [datetime.combine(date.fromisoformat(day), clock) for day in dates]


def next_post(
    *,
    rule: str | None,
    dates: Sequence[str],
    time_of_day: str,
    timezone: str,
    anchor: str,
    after: datetime,
) -> datetime | None:
    """The first post strictly after ``after`` (aware), as aware UTC; None when none is left."""
    return next_occurrence(occurrences(rule, dates, time_of_day, anchor), timezone, after)


def _bounds(rule: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """How many times or until when (``describe_rule`` leaves these to the caller)."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if "COUNT" in parts:
        # Translators: after how often a post repeats ("every Monday, 3 times"); {count} is a number.
        return t(", {count} times", count=parts["COUNT"])
    until = parts.get("UNTIL", "")
    if len(until) < 8:
        return ""
    day = f"{until[:4]}-{until[4:6]}-{until[6:8]}"
    # Translators: after how often a post repeats ("every Monday, until 2027-06-30").
    return t(", until {day}", day=day)


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    guild_id: int
    channel_id: int
    category: str | None
    rule: str | None
    dates: tuple[str, ...]
    time_of_day: str
    timezone: str
    anchor: str
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_message_id: int | None
    last_error: str | None
    cancelled: bool = False

    def describe(self, t: Translator = SOURCE_TRANSLATOR) -> str:
        """What is posted and when, in ``t``'s language."""
        what = t(CATEGORIES[self.category].label) if self.category in CATEGORIES else t("the whole directory")
        values = {"what": what, "time": self.time_of_day, "timezone": self.timezone}
        if self.rule:
            return t(
                "{what}, {when} at {time} ({timezone})",
                when=describe_rule(self.rule, t) + _bounds(self.rule, t),
                **values,
            )
        return t("{what}, on {dates} at {time} ({timezone})", dates=", ".join(self.dates), **values)

    def following(self, after: datetime) -> datetime | None:
        """The post after ``after``, or None when the schedule is finished."""
        return next_post(
            rule=self.rule,
            dates=self.dates,
            time_of_day=self.time_of_day,
            timezone=self.timezone,
            anchor=self.anchor,
            after=after,
        )
