"""Signposts: each server's directory of welfare contacts, and scheduled posts of it.

Students reach the directory with one command and no gate; organisers keep it. The directory
is seeded from the ``[[signposts]]`` contacts in the config file (UK national services) the first
time a server's directory is used; each seed is given to a server once, so an organiser's edit
or removal of a seeded contact is never undone, and a seed added to the config later still
reaches existing servers.

Every contact is validated here, whoever supplies it (config, modal, TOML import): phone numbers
with ``phonenumbers`` for the UK (short numbers such as 116 123 included), text lines such as
``SHOUT to 85258``, email addresses, web links, opening hours, and lengths that keep each card
within Discord's limits.

Member data (privacy inventory)
-------------------------------
None. The tables below hold no member id and no text a student typed:

* ``signposts``: contacts organisers publish (names, numbers, links, hours). Public information
  about services, kept until an organiser removes it.
* ``signpost_seeds_applied``: which configured seeds a server has received (server id, seed name).
* ``signpost_schedules``: scheduled posts (server, channel, rule, the last pinned message id).

Who opened ``/support`` or pressed "Need support?" is never stored or logged, so
:meth:`SignpostService.export_member` returns nothing and :meth:`SignpostService.forget_member`
removes nothing.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import dateparser
import phonenumbers
import tomli_w
from dateutil.rrule import DAILY, HOURLY, MINUTELY, SECONDLY, rrule, rrulestr
from phonenumbers import shortnumberinfo

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError

log = logging.getLogger(__name__)

# -- categories ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    emoji: str
    hint: str


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("urgent", "Urgent help", "🆘", "If you are in danger or can't keep yourself safe"),
        Category("wellbeing", "Wellbeing and mental health", "💚", "Low, anxious, stressed, not coping"),
        Category(
            "discrimination",
            "Discrimination and harassment",
            "📣",
            "Something happened to you; how to report it, with or without your name",
        ),
        Category("money", "Money", "💷", "Hardship funds, bursaries, debt and benefits advice"),
        Category("disability", "Disability and access", "♿", "Adjustments, access, neurodivergence"),
        Category("faith", "Faith and chaplaincy", "🕊️", "Chaplaincy, prayer spaces, faith advisers"),
        Category("lgbtq", "LGBTQ+", "🏳️‍🌈", "Support from and for LGBTQ+ people"),
        Category(
            "academic", "Academic and placement worries", "📚", "Exams, placements, fitness to practise"
        ),
    )
}

_CATEGORY_ALIASES: dict[str, str] = {
    "crisis": "urgent",
    "emergency": "urgent",
    "mental health": "wellbeing",
    "wellbeing": "wellbeing",
    "reporting": "discrimination",
    "report": "discrimination",
    "harassment": "discrimination",
    "racism": "discrimination",
    "finance": "money",
    "hardship": "money",
    "access": "disability",
    "chaplaincy": "faith",
    "lgbt": "lgbtq",
    "lgbtq+": "lgbtq",
    "lgbtqia+": "lgbtq",
    "academic": "academic",
    "placement": "academic",
    "placements": "academic",
}

# The national lines shown when a directory has no urgent contact (never show nothing).
CRISIS_FALLBACK = (
    "**In an emergency, or if you can't keep yourself safe: call 999** (or go to A&E).\n"
    "**Samaritans**: call 116 123, any time, free.\n"
    "**Shout**: text SHOUT to 85258, any time.\n"
    "**NHS 111**: call 111 or visit 111.nhs.uk for urgent medical help."
)


def category_key(value: str) -> str:
    """The category key for a key, label or common alias; raises UserError otherwise."""
    cleaned = " ".join(value.strip().lower().split())
    if cleaned in CATEGORIES:
        return cleaned
    for category in CATEGORIES.values():
        if cleaned == category.label.lower():
            return category.key
    if cleaned in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[cleaned]
    raise UserError(f"`{value.strip()[:40]}` is not one of the needs I know. Use: {', '.join(CATEGORIES)}.")


# -- limits (each card must fit in one Discord embed field of 1024 characters) ---------------

MAX_NAME = 80
MAX_DESCRIPTION = 250
MAX_HOURS = 100
MAX_EMAIL = 120
MAX_WEB = 200
MAX_IN_PERSON = 150
MAX_TEXT = 40
MAX_PHONE = 30
MAX_CONTACTS = 100
MAX_IMPORT_BYTES = 256 * 1024
MAX_SCHEDULES = 10
MAX_DATES = 20

CONTACT_KEYS = (
    "name",
    "categories",
    "description",
    "phone",
    "text",
    "email",
    "web",
    "in_person",
    "hours",
    "confidential",
    "independent",
)


# -- contacts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A validated contact, not yet stored."""

    name: str
    categories: tuple[str, ...]
    hours: str
    description: str = ""
    phone: str | None = None
    text: str | None = None
    email: str | None = None
    web: str | None = None
    in_person: str | None = None
    confidential: bool = True
    independent: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The contact as written in the config file or an export (empty fields left out)."""
        data: dict[str, Any] = {"name": self.name, "categories": list(self.categories)}
        if self.description:
            data["description"] = self.description
        for key in ("phone", "text", "email", "web", "in_person"):
            value = getattr(self, key)
            if value:
                data[key] = value
        data["hours"] = self.hours
        data["confidential"] = self.confidential
        data["independent"] = self.independent
        return data

    def reach(self) -> list[tuple[str, str]]:
        """How to reach it, as (kind, value) pairs in a fixed order."""
        return [
            (kind, value)
            for kind, value in (
                ("phone", self.phone),
                ("text", self.text),
                ("email", self.email),
                ("web", self.web),
                ("in_person", self.in_person),
            )
            if value
        ]


@dataclass(frozen=True, slots=True)
class Contact(ContactDraft):
    id: int = 0
    guild_id: int = 0
    position: int = 0

    def draft(self) -> ContactDraft:
        return ContactDraft(**{f.name: getattr(self, f.name) for f in fields(ContactDraft)})


def _phone(value: str) -> str:
    raw = value.strip()
    if len(raw) > MAX_PHONE or not re.fullmatch(r"\+?[\d\s().-]{3,}", raw):
        raise ValueError(f"`{raw[:40]}` is not a phone number. Write it like `0300 123 3393` or `116 123`.")
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError(f"`{raw[:40]}` is not a phone number. Write it like `0300 123 3393`.") from None
    if phonenumbers.is_valid_number(number):
        if " " in raw and re.fullmatch(r"0\d[\d ]*", raw):
            return " ".join(raw.split())  # as the service writes it (0800 0119 100)
        if phonenumbers.region_code_for_number(number) == "GB":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(number, "GB"):
        return f"{digits[:3]} {digits[3:]}" if len(digits) == 6 else digits
    raise ValueError(
        f"`{raw[:40]}` is not a valid UK phone number. Check the digits (for example `0300 123 3393`, "
        "`116 123`, or `+353 1 234 5678` for a number abroad)."
    )


def _text(value: str) -> str:
    raw = " ".join(value.strip().split())
    match = (
        re.fullmatch(
            r"(?:text\s+)?(?:(?P<keyword>[A-Za-z0-9]{1,20})\s+to\s+)?(?P<number>\+?[\d ]{3,20})", raw, re.I
        )
        if len(raw) <= MAX_TEXT
        else None
    )
    if match is None:
        raise ValueError(
            f"`{raw[:40]}` is not a way to text a service. Write the number, or the word to send and the "
            "number, like `SHOUT to 85258`."
        )
    number = _phone(match.group("number"))
    keyword = match.group("keyword")
    return f"{keyword.upper()} to {number}" if keyword else number


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _email(value: str) -> str:
    raw = value.strip().removeprefix("mailto:")
    if len(raw) > MAX_EMAIL or not _EMAIL.fullmatch(raw) or ".." in raw:
        raise ValueError(f"`{raw[:60]}` is not an email address. Write it like `wellbeing@uni.ac.uk`.")
    return raw


def _web(value: str) -> str:
    raw = value.strip()
    if raw and "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if (
        len(raw) > MAX_WEB
        or parts.scheme not in ("http", "https")
        or "." not in host
        or any(ch.isspace() for ch in raw)
        or not re.fullmatch(r"[a-z0-9.-]+", host)
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise ValueError(
            f"`{value.strip()[:60]}` is not a web link I can use. Write it like `https://www.samaritans.org` "
            f"(at most {MAX_WEB} characters)."
        )
    return raw


# Opening hours: "24/7", or segments like "Mon–Fri 9am–5pm; Sat 10:00–14:00", each optionally
# "closed", with an optional note in brackets at the end: "Daily 20:00–08:00 (term time)".
_DAY = (
    r"(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)s?"
)
_DASH = r"\s*(?:-|–|—|to)\s*"
_DAYS_ONE = rf"(?:{_DAY}(?:{_DASH}{_DAY})?|daily|every\s+day|weekdays|weekends|bank\s+holidays)"
_DAYS = rf"{_DAYS_ONE}(?:\s*(?:,|&|and)\s*{_DAYS_ONE})*"
# No two neighbouring parts may both take the same spaces (that backtracks exponentially).
_TIME = r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm))?|noon|midday|midnight)"
_SPAN = rf"{_TIME}{_DASH}{_TIME}"
_SEGMENT = rf"{_DAYS}(?:\s*:\s*|\s*)(?:{_SPAN}(?:\s*(?:,|&|and)\s*{_SPAN})*|closed|24\s*hours)"
_ANYTIME = (
    r"(?:24/7|24\s*hours(?:\s+a\s+day)?(?:,?\s*7\s+days\s+a\s+week)?"
    r"|any\s*time|always\s+open|every\s+day,?\s+24\s+hours)"
)
_HOURS = re.compile(rf"(?:{_ANYTIME}|{_SEGMENT}(?:\s*[;,]\s*{_SEGMENT})*)(?:\s*\([^()]{{1,80}}\))?", re.I)
_TIME_TOKEN = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", re.I)
HOURS_EXAMPLES = "`24/7`, `Mon–Fri 9am–5pm` or `Mon–Fri 09:00–17:00; Sat 10:00–14:00 (term time)`"


def _hours(value: str) -> str:
    raw = " ".join(value.strip().split())
    if not raw:
        raise ValueError(f"Opening hours are missing. Write them like {HOURS_EXAMPLES}.")
    if len(raw) > MAX_HOURS or not _HOURS.fullmatch(raw):
        raise ValueError(f"I couldn't read the opening hours `{raw[:60]}`. Write them like {HOURS_EXAMPLES}.")
    body = raw.split("(", 1)[0]
    for hour_text, minute_text, meridiem in _TIME_TOKEN.findall(body):
        hour, minute = int(hour_text), int(minute_text or 0)
        if minute > 59 or (meridiem and not 1 <= hour <= 12) or hour > 24:
            raise ValueError(
                f"`{raw[:60]}` has a time that doesn't exist. Write times like `9am` or `17:30`."
            )
    return raw


def _bounded(value: Any, label: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label} should be text.")
    cleaned = value.strip()
    if required and not cleaned:
        raise ValueError(f"{label} is missing.")
    if len(cleaned) > limit:
        raise ValueError(f"{label} is {len(cleaned)} characters; please shorten it to {limit} or fewer.")
    return cleaned


def validate_contact(data: Mapping[str, Any]) -> ContactDraft:
    """Check every field of a contact; raises UserError listing every problem and the fix."""
    problems: list[str] = []
    unknown = sorted(set(data) - set(CONTACT_KEYS))
    if unknown:
        problems.append(f"Unknown field(s) {', '.join(unknown)}; the fields are: {', '.join(CONTACT_KEYS)}.")

    def check(func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, UserError) as error:
            problems.append(error.message if isinstance(error, UserError) else str(error))
            return None

    name = check(_bounded, data.get("name"), "The name", MAX_NAME, required=True) or ""
    raw_categories = data.get("categories") or []
    if isinstance(raw_categories, str):
        raw_categories = [part for part in re.split(r"[,;\n]", raw_categories) if part.strip()]
    categories: list[str] = []
    if not isinstance(raw_categories, list) or not all(isinstance(c, str) for c in raw_categories):
        problems.append("Needs should be a list of words, like `wellbeing, money`.")
    else:
        for raw in raw_categories:
            key = check(category_key, raw)
            if key and key not in categories:
                categories.append(key)
        if not raw_categories:
            problems.append(f"Say what it helps with: at least one of {', '.join(CATEGORIES)}.")
    ordered = tuple(k for k in CATEGORIES if k in categories)
    description = check(_bounded, data.get("description"), "The description", MAX_DESCRIPTION) or ""
    in_person = check(_bounded, data.get("in_person"), "Where to find it in person", MAX_IN_PERSON) or None
    values: dict[str, str | None] = {}
    for key, validator in (("phone", _phone), ("text", _text), ("email", _email), ("web", _web)):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
        elif not isinstance(raw, str):
            problems.append(f"The {key} should be text.")
        else:
            values[key] = check(validator, raw)
    hours = data.get("hours")
    hours_ok = check(_hours, hours) if isinstance(hours, str) else None
    if not isinstance(hours, str):
        problems.append(f"Opening hours are missing. Write them like {HOURS_EXAMPLES}.")
    flags: dict[str, bool] = {}
    for key in ("confidential", "independent"):
        raw_flag = data.get(key, True)
        if not isinstance(raw_flag, bool):
            problems.append(f"`{key}` should be true or false.")
        flags[key] = bool(raw_flag)
    if not problems and not any(values.values()) and not in_person:
        problems.append("Add at least one way to reach it: phone, text, email, web or in person.")
    if problems:
        label = f"**{name}**: " if name else ""
        raise UserError(label + " ".join(problems))
    return ContactDraft(
        name=name,
        categories=ordered,
        hours=hours_ok or "",
        description=description,
        phone=values["phone"],
        text=values["text"],
        email=values["email"],
        web=values["web"],
        in_person=in_person,
        confidential=flags["confidential"],
        independent=flags["independent"],
    )


REACH_KEYS = {
    "phone": "phone",
    "call": "phone",
    "tel": "phone",
    "telephone": "phone",
    "text": "text",
    "sms": "text",
    "email": "email",
    "e-mail": "email",
    "web": "web",
    "website": "web",
    "link": "web",
    "url": "web",
    "in person": "in_person",
    "in_person": "in_person",
    "visit": "in_person",
    "where": "in_person",
}


def parse_reach(text: str) -> dict[str, str]:
    """Read the "How to reach it" box: one way per line, like ``phone: 0300 123 3393``.

    A line without a label is recognised when it is clearly a link, an email or a number.
    """
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key: str | None = None
        value = line
        label, sep, rest = line.partition(":")
        if sep and label.strip().lower() in REACH_KEYS:
            key, value = REACH_KEYS[label.strip().lower()], rest.strip()
        elif line.lower().startswith(("http://", "https://", "www.")):
            key = "web"
        elif "@" in line and " " not in line:
            key = "email"
        elif re.fullmatch(r"\+?[\d\s()-]{3,}", line):
            key = "phone"
        elif re.fullmatch(r"(?:text\s+)?[A-Za-z0-9]{1,20}\s+to\s+\+?[\d ]{3,20}", line, re.I):
            key = "text"
        if key is None:
            raise UserError(
                f"I couldn't tell what `{line[:60]}` is. Start each line with phone:, text:, email:, web: "
                "or in person:, for example `in person: Student Hub, ground floor`."
            )
        if key in found:
            raise UserError(f"There are two {key.replace('_', ' ')} lines; keep one per contact.")
        found[key] = value
    return found


def format_reach(draft: ContactDraft) -> str:
    """The "How to reach it" box, prefilled for editing."""
    labels = {"phone": "phone", "text": "text", "email": "email", "web": "web", "in_person": "in person"}
    return "\n".join(f"{labels[kind]}: {value}" for kind, value in draft.reach())


# -- seeds, export and import ---------------------------------------------------------------


def validate_seeds(seeds: Iterable[Mapping[str, Any]]) -> tuple[list[ContactDraft], list[str]]:
    """Validated seed contacts, and one readable problem per seed that could not be used."""
    good: list[ContactDraft] = []
    problems: list[str] = []
    names: set[str] = set()
    for index, seed in enumerate(seeds):
        data = {k: v for k, v in seed.items() if not (v is None or (k == "hours" and v == ""))}
        try:
            draft = validate_contact(data)
        except UserError as error:
            problems.append(f"signposts[{index}] ({seed.get('name') or 'no name'}): {error.message}")
            continue
        if draft.name.casefold() in names:
            problems.append(f"signposts[{index}] ({draft.name}): the same name appears twice; keep one.")
            continue
        names.add(draft.name.casefold())
        good.append(draft)
    return good, problems


def dump_toml(drafts: Sequence[ContactDraft]) -> str:
    header = (
        "# Common Room signpost directory. Edit and import with /signposts import,\n"
        "# or paste into config.toml to seed new servers.\n"
        f"# Needs: {', '.join(CATEGORIES)}\n\n"
    )
    return header + tomli_w.dumps({"signposts": [d.as_dict() for d in drafts]})


def parse_toml(text: str) -> list[ContactDraft]:
    """Contacts from an export (or a config file's [[signposts]]); raises UserError on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"That file is not valid TOML ({error}). Fix it and try again; nothing was changed."
        ) from None
    entries = data.get("signposts")
    extra = sorted(set(data) - {"signposts"})
    if extra or not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UserError(
            "I expected a file like the one `/signposts export` gives: a list of `[[signposts]]` tables. "
            "Nothing was changed."
        )
    if len(entries) > MAX_CONTACTS:
        raise UserError(f"That file has {len(entries)} contacts; a directory holds at most {MAX_CONTACTS}.")
    drafts, problems = validate_seeds(entries)
    if problems:
        shown = "\n".join(f"• {p}" for p in problems[:8])
        more = f"\n…and {len(problems) - 8} more." if len(problems) > 8 else ""
        raise UserError(f"Nothing was imported; please fix these and try again:\n{shown}{more}")
    return drafts


# -- schedules -------------------------------------------------------------------------------

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
            raise UserError(f"I couldn't read that rule. Try one of: {REPEAT_EXAMPLES}.") from None
        return upper
    raise UserError(f"I couldn't read `{text.strip()[:60]}` as a repeat. Try one of: {REPEAT_EXAMPLES}.")


def parse_time_of_day(text: str) -> str:
    raw = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm)?", raw)
    if match:
        hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if meridiem:
            hour = hour % 12 + (12 if meridiem == "pm" else 0) if 1 <= hour <= 12 else 99
        if hour <= 23 and minute <= 59:
            return f"{hour:02d}:{minute:02d}"
    raise UserError(f"I couldn't read `{text.strip()[:20]}` as a time. Write it like `09:00` or `6pm`.")


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

    def describe(self) -> str:
        what = CATEGORIES[self.category].label if self.category in CATEGORIES else "the whole directory"
        when = describe_rule(self.rule) if self.rule else "on " + ", ".join(self.dates)
        return f"{what}, {when} at {self.time_of_day} ({self.timezone})"


def describe_rule(rule: str) -> str:
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    names = {v: k.capitalize() for k, v in _WEEKDAYS.items() if len(k) > 3}
    ordinal_names = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
    freq, byday = parts.get("FREQ"), parts.get("BYDAY", "")
    interval = int(parts.get("INTERVAL", "1"))
    if freq == "MONTHLY" and (m := re.fullmatch(r"([+-]?\d)([A-Z]{2})", byday)) and len(parts) == 2:
        return f"the {ordinal_names.get(int(m.group(1)), m.group(1))} {names[m.group(2)]} of each month"
    if freq == "WEEKLY" and byday in names and set(parts) <= {"FREQ", "BYDAY", "INTERVAL"}:
        return f"every {names[byday]}" if interval == 1 else f"every {interval} weeks on {names[byday]}"
    if freq == "MONTHLY" and set(parts) == {"FREQ", "BYMONTHDAY"}:
        return f"on day {parts['BYMONTHDAY']} of each month"
    return f"`{rule}`"


def next_occurrence(
    *,
    rule: str | None,
    dates: Sequence[str],
    time_of_day: str,
    timezone: str,
    anchor: str,
    after: datetime,
) -> datetime | None:
    """The first local occurrence strictly after ``after`` (aware), as aware UTC; None if none left."""
    zone = ZoneInfo(timezone)
    hour, minute = (int(p) for p in time_of_day.split(":"))
    local_after = after.astimezone(zone).replace(tzinfo=None)
    if rule:
        start = datetime.combine(date.fromisoformat(anchor), time(hour, minute))
        found: datetime | None = rrulestr(rule, dtstart=start).after(local_after, inc=False)
        candidates = [found] if found is not None else []
    else:
        candidates = sorted(datetime.combine(date.fromisoformat(d), time(hour, minute)) for d in dates)
    for local in candidates:
        if local is None:
            continue
        aware = local.replace(tzinfo=zone)
        if aware > after:
            return aware.astimezone(ZoneInfo("UTC"))
    return None


# -- the service ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """A scheduled post this caller now owns (nobody else will make it)."""

    schedule: Schedule
    due: datetime
    previous_message_id: int | None


@dataclass
class _SeedState:
    drafts: list[ContactDraft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SignpostService:
    # A post that could not happen on time (the bot was off) is still made if at most this late;
    # older ones are skipped, so a restart never floods a channel with stale posts.
    LATE_GRACE = timedelta(hours=6)

    def __init__(self, db: Database, clock: Clock, seeds: Iterable[Mapping[str, Any]] = ()) -> None:
        self.db = db
        self.clock = clock
        drafts, problems = validate_seeds(seeds)
        self._seeds = _SeedState(drafts, problems)
        for problem in problems:
            log.error("Config: a seeded signpost was skipped: %s", problem)

    @property
    def seed_problems(self) -> list[str]:
        return list(self._seeds.problems)

    @property
    def seeds(self) -> list[ContactDraft]:
        return list(self._seeds.drafts)

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    # -- directory ---------------------------------------------------------------------

    async def ensure_seeded(self, guild_id: int) -> int:
        """Give the server any configured seed it has never had; returns how many were added."""
        if not self._seeds.drafts:
            return 0
        applied_rows = await self.db.fetchall(
            "SELECT seed_key FROM signpost_seeds_applied WHERE guild_id = ?", (guild_id,)
        )
        applied = {row["seed_key"] for row in applied_rows}
        pending = [d for d in self._seeds.drafts if d.name.casefold() not in applied]
        if not pending:
            return 0
        added = 0
        now = self._now()
        async with self.db.transaction() as tx:
            for draft in pending:
                key = draft.name.casefold()
                claimed = await tx.execute(
                    "INSERT INTO signpost_seeds_applied (guild_id, seed_key, applied_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (guild_id, key, now),
                )
                if claimed.rowcount == 0:
                    continue
                exists = await tx.fetchval(
                    "SELECT 1 FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, key)
                )
                count = await tx.fetchval("SELECT COUNT(*) FROM signposts WHERE guild_id = ?", (guild_id,))
                if exists or int(count) >= MAX_CONTACTS:
                    continue
                await self._insert(tx, guild_id, draft, now)
                added += 1
        return added

    async def _insert(
        self, tx: Tx, guild_id: int, draft: ContactDraft, now: int, position: int | None = None
    ) -> int:
        if position is None:
            position = int(
                await tx.fetchval(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM signposts WHERE guild_id = ?", (guild_id,)
                )
            )
        result = await tx.execute(
            "INSERT INTO signposts (guild_id, name, name_key, categories, description, phone, sms, email,"
            " web, in_person, hours, confidential, independent, position, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, *_row_values(draft), position, now, now),
        )
        assert result.lastrowid is not None
        return result.lastrowid

    async def contacts(self, guild_id: int, need: str | None = None) -> list[Contact]:
        """The server's directory in order (seeded first if new), optionally one need only."""
        await self.ensure_seeded(guild_id)
        rows = await self.db.fetchall(
            "SELECT * FROM signposts WHERE guild_id = ? ORDER BY position, id", (guild_id,)
        )
        found = [_contact(row) for row in rows]
        if need is not None:
            found = [c for c in found if need in c.categories]
        return found

    async def get(self, guild_id: int, contact_id: int) -> Contact:
        row = await self.db.fetchone(
            "SELECT * FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id)
        )
        if row is None:
            raise NotFound(
                "I can't find that contact any more; someone may have removed it. Check `/support`."
            )
        return _contact(row)

    async def find(self, guild_id: int, query: str) -> Contact:
        """A contact by id (from autocomplete) or by exact name."""
        cleaned = query.strip()
        if cleaned.isdigit():
            row = await self.db.fetchone(
                "SELECT * FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, int(cleaned))
            )
            if row is not None:
                return _contact(row)
        row = await self.db.fetchone(
            "SELECT * FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, cleaned.casefold())
        )
        if row is None:
            raise NotFound(
                f"There is no contact called `{cleaned[:60]}` here. Pick one from the list as you type."
            )
        return _contact(row)

    async def add(self, guild_id: int, draft: ContactDraft) -> Contact:
        await self.ensure_seeded(guild_id)
        now = self._now()
        async with self.db.transaction() as tx:
            count = int(await tx.fetchval("SELECT COUNT(*) FROM signposts WHERE guild_id = ?", (guild_id,)))
            if count >= MAX_CONTACTS:
                raise UserError(
                    f"The directory already has {MAX_CONTACTS} contacts; remove one before adding another."
                )
            await self._check_name_free(tx, guild_id, draft.name)
            contact_id = await self._insert(tx, guild_id, draft, now)
        return await self.get(guild_id, contact_id)

    async def _check_name_free(self, tx: Tx, guild_id: int, name: str, except_id: int | None = None) -> None:
        other = await tx.fetchval(
            "SELECT id FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, name.casefold())
        )
        if other is not None and other != except_id:
            raise UserError(
                f"There is already a contact called **{name}**. Choose another name, or edit that one."
            )

    async def update(self, guild_id: int, contact_id: int, draft: ContactDraft) -> Contact:
        now = self._now()
        async with self.db.transaction() as tx:
            exists = await tx.fetchval(
                "SELECT 1 FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id)
            )
            if not exists:
                raise NotFound("That contact was removed while you were editing it; nothing was saved.")
            await self._check_name_free(tx, guild_id, draft.name, except_id=contact_id)
            await tx.execute(
                "UPDATE signposts SET name = ?, name_key = ?, categories = ?, description = ?, phone = ?,"
                " sms = ?, email = ?, web = ?, in_person = ?, hours = ?, confidential = ?, independent = ?,"
                " updated_at = ?"
                " WHERE guild_id = ? AND id = ?",
                (*_row_values(draft), now, guild_id, contact_id),
            )
        return await self.get(guild_id, contact_id)

    async def remove(self, guild_id: int, contact_id: int) -> Contact:
        contact = await self.get(guild_id, contact_id)
        await self.db.execute("DELETE FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id))
        return contact

    async def export_toml(self, guild_id: int) -> str:
        return dump_toml([c.draft() for c in await self.contacts(guild_id)])

    async def import_toml(self, guild_id: int, text: str, *, replace: bool) -> ImportResult:
        """Merge (same name: updated; new: added) or replace the directory; all or nothing."""
        drafts = parse_toml(text)
        await self.ensure_seeded(guild_id)
        now = self._now()
        added = updated = removed = unchanged = 0
        async with self.db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM signposts WHERE guild_id = ?", (guild_id,))
            existing = {row["name_key"]: _contact(row) for row in rows}
            incoming = {d.name.casefold() for d in drafts}
            if replace:
                for key, contact in existing.items():
                    if key not in incoming:
                        await tx.execute("DELETE FROM signposts WHERE id = ?", (contact.id,))
                        removed += 1
                total = len(drafts)
            else:
                total = len(existing) + len(incoming - set(existing))
            if total > MAX_CONTACTS:
                raise UserError(
                    f"That would make {total} contacts; a directory holds at most {MAX_CONTACTS}. "
                    "Nothing was changed."
                )
            for index, draft in enumerate(drafts, start=1):
                key = draft.name.casefold()
                current = existing.get(key)
                if current is None:
                    await self._insert(tx, guild_id, draft, now, position=index if replace else None)
                    added += 1
                    continue
                same = current.draft() == draft and (not replace or current.position == index)
                if same:
                    unchanged += 1
                    continue
                await tx.execute(
                    "UPDATE signposts SET name = ?, name_key = ?, categories = ?, description = ?, phone = ?,"
                    " sms = ?, email = ?, web = ?, in_person = ?, hours = ?, confidential = ?,"
                    " independent = ?, updated_at = ?, position = ? WHERE id = ?",
                    (*_row_values(draft), now, index if replace else current.position, current.id),
                )
                if current.draft() == draft:
                    unchanged += 1
                else:
                    updated += 1
        return ImportResult(added=added, updated=updated, removed=removed, unchanged=unchanged)

    # -- schedules ----------------------------------------------------------------------

    async def create_schedule(
        self,
        guild_id: int,
        channel_id: int,
        *,
        category: str | None,
        repeat: str | None,
        dates: str | None,
        time_of_day: str,
        timezone: str,
    ) -> Schedule:
        if category is not None:
            category = category_key(category)
        if bool(repeat and repeat.strip()) == bool(dates and dates.strip()):
            raise UserError(
                "Give either `repeat` (for example `first Monday of each month`) or `dates` (for example "
                "`6 Jan 2027, 28 Apr 2027`), not both and not neither."
            )
        clock_time = parse_time_of_day(time_of_day)
        now = self.clock.now()
        local_now = now.astimezone(ZoneInfo(timezone))
        anchor = local_now.date().isoformat()
        rule: str | None = None
        date_list: list[str] = []
        if repeat and repeat.strip():
            rule = parse_repeat(repeat)
            self._check_rule_spacing(rule, clock_time, anchor)
        else:
            assert dates is not None
            date_list = self._parse_dates(dates, local_now)
        first = next_occurrence(
            rule=rule, dates=date_list, time_of_day=clock_time, timezone=timezone, anchor=anchor, after=now
        )
        if first is None:
            raise UserError("Those dates and time are all in the past. Choose a time after now.")
        async with self.db.transaction() as tx:
            active = int(
                await tx.fetchval(
                    "SELECT COUNT(*) FROM signpost_schedules WHERE guild_id = ? AND next_run_at IS NOT NULL",
                    (guild_id,),
                )
            )
            if active >= MAX_SCHEDULES:
                raise UserError(
                    f"This server already has {MAX_SCHEDULES} scheduled posts. Cancel one with "
                    "`/signposts unschedule` first."
                )
            result = await tx.execute(
                "INSERT INTO signpost_schedules (guild_id, channel_id, category, rule, dates, time_of_day,"
                " timezone, anchor, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    category,
                    rule,
                    json.dumps(date_list) if not rule else None,
                    clock_time,
                    timezone,
                    anchor,
                    to_timestamp(first),
                    to_timestamp(now),
                ),
            )
        assert result.lastrowid is not None
        return await self.schedule(guild_id, result.lastrowid)

    def _check_rule_spacing(self, rule: str, clock_time: str, anchor: str) -> None:
        start = datetime.combine(date.fromisoformat(anchor), time.fromisoformat(clock_time))
        try:
            parsed = rrulestr(rule, dtstart=start)
        except (ValueError, TypeError):
            raise UserError(f"I couldn't read that rule. Try one of: {REPEAT_EXAMPLES}.") from None
        if isinstance(parsed, rrule) and parsed._freq in (DAILY, HOURLY, MINUTELY, SECONDLY):
            interval = parsed._interval
            if parsed._freq != DAILY or interval < 7:
                raise UserError("Signposts can be posted at most once a week, so they stay worth reading.")
        upcoming = []
        for occurrence in parsed:
            upcoming.append(occurrence)
            if len(upcoming) >= 6:
                break
        if not upcoming:
            raise UserError("That rule never happens after today. Check it and try again.")
        for earlier, later in itertools.pairwise(upcoming):
            if later - earlier < timedelta(days=7):
                raise UserError("Signposts can be posted at most once a week, so they stay worth reading.")

    def _parse_dates(self, text: str, local_now: datetime) -> list[str]:
        parts = [p.strip() for p in re.split(r"[;,\n]", text) if p.strip()]
        if len(parts) > MAX_DATES:
            raise UserError(f"Give at most {MAX_DATES} dates at a time.")
        found: list[str] = []
        for part in parts:
            parsed = dateparser.parse(
                part,
                languages=["en"],
                settings={
                    "PREFER_DATES_FROM": "future",
                    "DATE_ORDER": "DMY",
                    "RELATIVE_BASE": local_now.replace(tzinfo=None),
                    "RETURN_AS_TIMEZONE_AWARE": False,
                },
            )
            if parsed is None:
                raise UserError(
                    f"I couldn't read `{part[:40]}` as a date. Write dates like `6 Jan 2027` or "
                    "`2027-01-06`, separated by commas."
                )
            day = parsed.date().isoformat()
            if day not in found:
                found.append(day)
        return sorted(found)

    async def schedule(self, guild_id: int, schedule_id: int) -> Schedule:
        row = await self.db.fetchone(
            "SELECT * FROM signpost_schedules WHERE guild_id = ? AND id = ?", (guild_id, schedule_id)
        )
        if row is None:
            raise NotFound("I can't find that scheduled post. `/signposts schedules` lists them.")
        return _schedule(row)

    async def schedules(self, guild_id: int) -> list[Schedule]:
        rows = await self.db.fetchall(
            "SELECT * FROM signpost_schedules WHERE guild_id = ? AND cancelled_at IS NULL"
            " ORDER BY next_run_at IS NULL, next_run_at, id",
            (guild_id,),
        )
        return [_schedule(row) for row in rows]

    async def cancel_schedule(self, guild_id: int, schedule_id: int) -> Schedule:
        now = self._now()
        changed = await self.db.execute(
            "UPDATE signpost_schedules SET next_run_at = NULL, cancelled_at = ?"
            " WHERE guild_id = ? AND id = ? AND cancelled_at IS NULL",
            (now, guild_id, schedule_id),
        )
        if not changed:
            raise NotFound("That scheduled post doesn't exist or was already cancelled.")
        return await self.schedule(guild_id, schedule_id)

    async def pending_schedules(self) -> list[Schedule]:
        """Every schedule with a post still to make (for re-arming at start)."""
        rows = await self.db.fetchall(
            "SELECT * FROM signpost_schedules WHERE next_run_at IS NOT NULL ORDER BY next_run_at"
        )
        return [_schedule(row) for row in rows]

    async def skip_stale(self, schedule: Schedule) -> Schedule:
        """If a post is overdue beyond the grace period, move it to the next occurrence after now."""
        now = self.clock.now()
        if schedule.next_run_at is None or now - schedule.next_run_at <= self.LATE_GRACE:
            return schedule
        following = self._following(schedule, now)
        await self.db.execute(
            "UPDATE signpost_schedules SET next_run_at = ?, last_error = ? WHERE id = ? AND next_run_at = ?",
            (
                to_timestamp(following) if following else None,
                "A post was skipped because the bot was offline when it was due.",
                schedule.id,
                to_timestamp(schedule.next_run_at),
            ),
        )
        return replace(schedule, next_run_at=following)

    def _following(self, schedule: Schedule, after: datetime) -> datetime | None:
        return next_occurrence(
            rule=schedule.rule,
            dates=schedule.dates,
            time_of_day=schedule.time_of_day,
            timezone=schedule.timezone,
            anchor=schedule.anchor,
            after=after,
        )

    async def claim_run(self, schedule_id: int, due: datetime) -> Claim | None:
        """Take the post due at ``due``: moves the schedule on in the same transaction, so the
        post is made at most once however many times the job is armed or the bot restarts."""
        now = self.clock.now()
        due_ts = to_timestamp(due)
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM signpost_schedules WHERE id = ? AND next_run_at = ? AND cancelled_at IS NULL",
                (schedule_id, due_ts),
            )
            if row is None or due_ts > to_timestamp(now):
                return None
            schedule = _schedule(row)
            following = self._following(schedule, max(now, due))
            result = await tx.execute(
                "UPDATE signpost_schedules SET next_run_at = ?, last_run_at = ?, last_error = NULL"
                " WHERE id = ? AND next_run_at = ?",
                (to_timestamp(following) if following else None, due_ts, schedule_id, due_ts),
            )
            if result.rowcount != 1:
                return None
        updated = replace(schedule, next_run_at=following, last_run_at=due)
        return Claim(updated, due, schedule.last_message_id)

    async def record_post(self, schedule_id: int, message_id: int, problem: str | None = None) -> None:
        await self.db.execute(
            "UPDATE signpost_schedules SET last_message_id = ?, last_error = ? WHERE id = ?",
            (message_id, problem, schedule_id),
        )

    async def record_failure(self, schedule_id: int, problem: str) -> None:
        await self.db.execute(
            "UPDATE signpost_schedules SET last_error = ? WHERE id = ?", (problem, schedule_id)
        )

    # -- privacy (issue #9) ---------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Signposts store nothing about members: who looked at support is never recorded."""
        return {}

    async def forget_member(self, member_id: int) -> dict[str, int]:
        return {}


def _row_values(draft: ContactDraft) -> tuple[Any, ...]:
    return (
        draft.name,
        draft.name.casefold(),
        json.dumps(list(draft.categories)),
        draft.description,
        draft.phone,
        draft.text,
        draft.email,
        draft.web,
        draft.in_person,
        draft.hours,
        int(draft.confidential),
        int(draft.independent),
    )


def _contact(row: Any) -> Contact:
    return Contact(
        id=row["id"],
        guild_id=row["guild_id"],
        position=row["position"],
        name=row["name"],
        categories=tuple(json.loads(row["categories"])),
        description=row["description"],
        phone=row["phone"],
        text=row["sms"],
        email=row["email"],
        web=row["web"],
        in_person=row["in_person"],
        hours=row["hours"],
        confidential=bool(row["confidential"]),
        independent=bool(row["independent"]),
    )


def _schedule(row: Any) -> Schedule:
    return Schedule(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        category=row["category"],
        rule=row["rule"],
        dates=tuple(json.loads(row["dates"])) if row["dates"] else (),
        time_of_day=row["time_of_day"],
        timezone=row["timezone"],
        anchor=row["anchor"],
        next_run_at=from_timestamp(row["next_run_at"]) if row["next_run_at"] is not None else None,
        last_run_at=from_timestamp(row["last_run_at"]) if row["last_run_at"] is not None else None,
        last_message_id=row["last_message_id"],
        last_error=row["last_error"],
        cancelled=row["cancelled_at"] is not None,
    )
