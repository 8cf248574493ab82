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
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Np_, Translator

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


_EVERY_WEEKDAY: dict[str, Message] = {
    "MO": N_("every Monday"),
    "TU": N_("every Tuesday"),
    "WE": N_("every Wednesday"),
    "TH": N_("every Thursday"),
    "FR": N_("every Friday"),
    "SA": N_("every Saturday"),
    "SU": N_("every Sunday"),
}
_EVERY_N_WEEKS_ON: dict[str, tuple[Message, Message]] = {
    "MO": Np_("every {n} week on Monday", "every {n} weeks on Monday"),
    "TU": Np_("every {n} week on Tuesday", "every {n} weeks on Tuesday"),
    "WE": Np_("every {n} week on Wednesday", "every {n} weeks on Wednesday"),
    "TH": Np_("every {n} week on Thursday", "every {n} weeks on Thursday"),
    "FR": Np_("every {n} week on Friday", "every {n} weeks on Friday"),
    "SA": Np_("every {n} week on Saturday", "every {n} weeks on Saturday"),
    "SU": Np_("every {n} week on Sunday", "every {n} weeks on Sunday"),
}
#: (which, weekday) of a monthly rule by weekday (1 the first, ..., -1 the last), as whole phrases:
#: an ordinal's place and the mutation it causes differ by language.
_NTH_WEEKDAY: dict[tuple[int, str], Message] = {
    (1, "MO"): N_("the first Monday of each month"),
    (1, "TU"): N_("the first Tuesday of each month"),
    (1, "WE"): N_("the first Wednesday of each month"),
    (1, "TH"): N_("the first Thursday of each month"),
    (1, "FR"): N_("the first Friday of each month"),
    (1, "SA"): N_("the first Saturday of each month"),
    (1, "SU"): N_("the first Sunday of each month"),
    (2, "MO"): N_("the second Monday of each month"),
    (2, "TU"): N_("the second Tuesday of each month"),
    (2, "WE"): N_("the second Wednesday of each month"),
    (2, "TH"): N_("the second Thursday of each month"),
    (2, "FR"): N_("the second Friday of each month"),
    (2, "SA"): N_("the second Saturday of each month"),
    (2, "SU"): N_("the second Sunday of each month"),
    (3, "MO"): N_("the third Monday of each month"),
    (3, "TU"): N_("the third Tuesday of each month"),
    (3, "WE"): N_("the third Wednesday of each month"),
    (3, "TH"): N_("the third Thursday of each month"),
    (3, "FR"): N_("the third Friday of each month"),
    (3, "SA"): N_("the third Saturday of each month"),
    (3, "SU"): N_("the third Sunday of each month"),
    (4, "MO"): N_("the fourth Monday of each month"),
    (4, "TU"): N_("the fourth Tuesday of each month"),
    (4, "WE"): N_("the fourth Wednesday of each month"),
    (4, "TH"): N_("the fourth Thursday of each month"),
    (4, "FR"): N_("the fourth Friday of each month"),
    (4, "SA"): N_("the fourth Saturday of each month"),
    (4, "SU"): N_("the fourth Sunday of each month"),
    (-1, "MO"): N_("the last Monday of each month"),
    (-1, "TU"): N_("the last Tuesday of each month"),
    (-1, "WE"): N_("the last Wednesday of each month"),
    (-1, "TH"): N_("the last Thursday of each month"),
    (-1, "FR"): N_("the last Friday of each month"),
    (-1, "SA"): N_("the last Saturday of each month"),
    (-1, "SU"): N_("the last Sunday of each month"),
}
_BOUNDS = {"COUNT", "UNTIL", "WKST", "DTSTART"}


def describe_rule(rule: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """An RRULE line in words, in ``t``'s language: 'weekly', 'fortnightly', 'every Monday', 'on
    day 3 of each month'. Each shape is one whole phrase in the catalogue (no weekday or ordinal
    slotted into another language's word order: Welsh mutates a day's name after "on").

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
    if interval < 1:
        return f"`{text}`"
    if freq == "DAILY" and not keys:
        return t("daily") if interval == 1 else t.ngettext("every {n} day", "every {n} days", interval)
    if freq == "WEEKLY" and not keys:
        if interval <= 2:
            return t("weekly") if interval == 1 else t("fortnightly")
        return t.ngettext("every {n} week", "every {n} weeks", interval)
    if freq == "MONTHLY" and not keys and interval == 1:
        return t("monthly")
    if freq == "WEEKLY" and keys == {"BYDAY"} and byday in _EVERY_WEEKDAY:
        if interval == 1:
            return t(_EVERY_WEEKDAY[byday])
        return t.ngettext(*_EVERY_N_WEEKS_ON[byday], interval)
    if freq == "MONTHLY" and interval == 1 and keys == {"BYDAY"}:
        m = re.fullmatch(r"([+-]?\d)([A-Z]{2})", byday)
        if m and (int(m.group(1)), m.group(2)) in _NTH_WEEKDAY:
            return t(_NTH_WEEKDAY[int(m.group(1)), m.group(2)])
    if freq == "MONTHLY" and interval == 1 and keys == {"BYMONTHDAY"} and shape["BYMONTHDAY"].isdigit():
        return t("on day {day} of each month", day=int(shape["BYMONTHDAY"]))
    return f"`{text}`"
