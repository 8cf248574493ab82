"""Signpost contacts: what a welfare contact is, and the checks every one passes.

Every contact is validated here, whoever supplies it (config, form, TOML import): phone numbers
with ``phonenumbers`` for the UK (short numbers such as 116 123 included), text lines such as
``SHOUT to 85258``, email addresses, web links, opening hours, the needs it helps with, and
lengths that keep each card within one Discord embed field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from bot.errors import UserError
from bot.i18n import N_, Message
from bot.text import clean_text

# -- categories ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    """A need. ``label`` and ``hint`` are English catalogue strings, translated where shown."""

    key: str
    label: Message
    emoji: str
    hint: Message


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("urgent", N_("Urgent help"), "🆘", N_("If you are in danger or can't keep yourself safe")),
        Category(
            "wellbeing", N_("Wellbeing and mental health"), "💚", N_("Low, anxious, stressed, not coping")
        ),
        Category(
            "discrimination",
            N_("Discrimination and harassment"),
            "📣",
            N_("Something happened to you; how to report it, with or without your name"),
        ),
        Category("money", N_("Money"), "💷", N_("Hardship funds, bursaries, debt and benefits advice")),
        Category("disability", N_("Disability and access"), "♿", N_("Adjustments, access, neurodivergence")),
        Category("faith", N_("Faith and chaplaincy"), "🕊️", N_("Chaplaincy, prayer spaces, faith advisers")),
        Category("lgbtq", N_("LGBTQ+"), "🏳️‍🌈", N_("Support from and for LGBTQ+ people")),
        Category(
            "academic",
            N_("Academic and placement worries"),
            "📚",
            N_("Exams, placements, fitness to practise"),
        ),
    )
}


class ContactProblems(UserError):
    """Every problem with one contact in one message; each problem is translated on its own."""

    def __init__(self, name: str, problems: list[UserError]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(self._label() + " ".join(problem.message for problem in problems))

    def _label(self) -> str:
        return f"**{self.name}**: " if self.name else ""

    def translated(self, t: Callable[..., str]) -> str:
        return self._label() + " ".join(problem.translated(t) for problem in self.problems)


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
    raise UserError(
        "`{value}` is not one of the needs I know. Use: {needs}.",
        value=value.strip()[:40],
        needs=", ".join(CATEGORIES),
    )


# -- limits (each card must fit in one Discord embed field of 1024 characters) ---------------

MAX_NAME = 80
MAX_DESCRIPTION = 250
MAX_HOURS = 100
MAX_EMAIL = 120
MAX_WEB = 200
MAX_IN_PERSON = 150
MAX_TEXT = 40
MAX_PHONE = 30


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


# Every field a contact may have, as written in the config file or an export.
CONTACT_KEYS = tuple(f.name for f in fields(ContactDraft))


def _phone(value: str) -> str:
    raw = value.strip()
    if len(raw) > MAX_PHONE or not re.fullmatch(r"\+?[\d\s().-]{3,}", raw):
        raise UserError(
            "`{value}` is not a phone number. Write it like `{example}` or `{short}`.",
            value=raw[:40],
            example="0300 123 3393",
            short="116 123",
        )
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise UserError(
            "`{value}` is not a phone number. Write it like `{example}`.",
            value=raw[:40],
            example="0300 123 3393",
        ) from None
    if phonenumbers.is_valid_number(number):
        if " " in raw and re.fullmatch(r"0\d[\d ]*", raw):
            return " ".join(raw.split())  # as the service writes it (0800 0119 100)
        if phonenumbers.region_code_for_number(number) == "GB":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(number, "GB"):
        return f"{digits[:3]} {digits[3:]}" if len(digits) == 6 else digits
    raise UserError(
        "`{value}` is not a valid UK phone number. Check the digits (for example `{example}`, "
        "`{short}`, or `{abroad}` for a number abroad).",
        value=raw[:40],
        example="0300 123 3393",
        short="116 123",
        abroad="+353 1 234 5678",
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
        raise UserError(
            "`{value}` is not a way to text a service. Write the number, or the word to send and the "
            "number, like `{example}`.",
            value=raw[:40],
            example="SHOUT to 85258",
        )
    number = _phone(match.group("number"))
    keyword = match.group("keyword")
    return f"{keyword.upper()} to {number}" if keyword else number


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _email(value: str) -> str:
    raw = value.strip().removeprefix("mailto:")
    if len(raw) > MAX_EMAIL or not _EMAIL.fullmatch(raw) or ".." in raw:
        raise UserError(
            "`{value}` is not an email address. Write it like `wellbeing@uni.ac.uk`.", value=raw[:60]
        )
    return raw


def _web(value: str) -> str:
    raw = value.strip()
    if raw and "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        port_ok = parts.port != 0  # reading it raises for a port out of range
    except ValueError:  # "https://[x", "https://a:b", a port out of range
        parts, host, port_ok = urlsplit(""), "", False
    if (
        not port_ok
        or len(raw) > MAX_WEB
        or parts.scheme not in ("http", "https")
        or "." not in host
        or any(ch.isspace() for ch in raw)
        or not re.fullmatch(r"[a-z0-9.-]+", host)
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise UserError(
            "`{value}` is not a web link I can use. Write it like `https://www.samaritans.org` "
            "(at most {limit} characters).",
            value=value.strip()[:60],
            limit=MAX_WEB,
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
        raise _hours_missing()
    if len(raw) > MAX_HOURS or not _HOURS.fullmatch(raw):
        raise UserError(
            "I couldn't read the opening hours `{value}`. Write them like {examples}.",
            value=raw[:60],
            examples=HOURS_EXAMPLES,
        )
    body = raw.split("(", 1)[0]
    for hour_text, minute_text, meridiem in _TIME_TOKEN.findall(body):
        hour, minute = int(hour_text), int(minute_text or 0)
        if minute > 59 or (meridiem and not 1 <= hour <= 12) or hour > 24:
            raise UserError(
                "`{value}` has a time that doesn't exist. Write times like `9am` or `17:30`.", value=raw[:60]
            )
    return raw


def _hours_missing() -> UserError:
    return UserError("Opening hours are missing. Write them like {examples}.", examples=HOURS_EXAMPLES)


#: What each bounded field's problems say: (not text, missing, too long). A sentence per field,
#: so a translation never has to fit a field's name into someone else's sentence.
_BOUNDED: dict[str, tuple[Message, Message, Message]] = {
    "name": (
        N_("The name should be text."),
        N_("The name is missing."),
        N_("The name is {n} characters; please shorten it to {limit} or fewer."),
    ),
    "description": (
        N_("The description should be text."),
        N_("The description is missing."),
        N_("The description is {n} characters; please shorten it to {limit} or fewer."),
    ),
    "in_person": (
        N_("Where to find it in person should be text."),
        N_("Where to find it in person is missing."),
        N_("Where to find it in person is {n} characters; please shorten it to {limit} or fewer."),
    ),
}


def _bounded(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    not_text, missing, too_long = _BOUNDED[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise UserError(not_text)
    cleaned = value.strip()
    if required and not cleaned:
        raise UserError(missing)
    if len(cleaned) > limit:
        raise UserError(too_long, n=len(cleaned), limit=limit)
    return cleaned


def validate_contact(data: Mapping[str, Any]) -> ContactDraft:
    """Check every field of a contact; raises UserError listing every problem and the fix."""
    problems: list[UserError] = []

    def typed(key: str, value: Any) -> Any:
        """Typed text cleaned (bot.text.clean_text); a broken character becomes a problem."""
        if isinstance(value, list):
            return [typed(key, item) for item in value]
        if not isinstance(value, str):
            return value
        try:
            return clean_text(value, field=f"The {key.replace('_', ' ')}", multiline=key == "description")
        except UserError as error:
            problems.append(error)
            return ""

    data = {str(key): typed(str(key), value) for key, value in data.items()}
    unknown = sorted(set(data) - set(CONTACT_KEYS))
    if unknown:
        problems.append(
            UserError(
                "Unknown field(s) {unknown}; the fields are: {fields}.",
                unknown=", ".join(unknown),
                fields=", ".join(CONTACT_KEYS),
            )
        )

    def check(func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as error:
            problems.append(error)
            return None

    name = check(_bounded, data.get("name"), "name", MAX_NAME, required=True) or ""
    raw_categories = data.get("categories") or []
    if isinstance(raw_categories, str):
        raw_categories = [part for part in re.split(r"[,;\n]", raw_categories) if part.strip()]
    categories: list[str] = []
    if not isinstance(raw_categories, list) or not all(isinstance(c, str) for c in raw_categories):
        problems.append(UserError("Needs should be a list of words, like `wellbeing, money`."))
    else:
        for raw in raw_categories:
            key = check(category_key, raw)
            if key and key not in categories:
                categories.append(key)
        if not raw_categories:
            problems.append(
                UserError("Say what it helps with: at least one of {needs}.", needs=", ".join(CATEGORIES))
            )
    ordered = tuple(k for k in CATEGORIES if k in categories)
    description = check(_bounded, data.get("description"), "description", MAX_DESCRIPTION) or ""
    in_person = check(_bounded, data.get("in_person"), "in_person", MAX_IN_PERSON) or None
    values: dict[str, str | None] = {}
    for key, validator in (("phone", _phone), ("text", _text), ("email", _email), ("web", _web)):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
        elif not isinstance(raw, str):
            problems.append(UserError("The {key} should be text.", key=key))
        else:
            values[key] = check(validator, raw)
    hours = data.get("hours")
    hours_ok = check(_hours, hours) if isinstance(hours, str) else None
    if not isinstance(hours, str):
        problems.append(_hours_missing())
    flags: dict[str, bool] = {}
    for key in ("confidential", "independent"):
        raw_flag = data.get(key, True)
        if not isinstance(raw_flag, bool):
            problems.append(UserError("`{key}` should be true or false.", key=key))
        flags[key] = bool(raw_flag)
    if not problems and not any(values.values()) and not in_person:
        problems.append(UserError("Add at least one way to reach it: phone, text, email, web or in person."))
    if problems:
        raise ContactProblems(name, problems)
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
    for line in clean_text(text, field=N_("How to reach it")).splitlines():
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
                "I couldn't tell what `{line}` is. Start each line with phone:, text:, email:, web: "
                "or in person:, for example `in person: Student Hub, ground floor`.",
                line=line[:60],
            )
        if key in found:
            raise UserError("There are two {key} lines; keep one per contact.", key=key.replace("_", " "))
        found[key] = value
    return found


def format_reach(draft: ContactDraft) -> str:
    """The "How to reach it" box, prefilled for editing."""
    labels = {"phone": "phone", "text": "text", "email": "email", "web": "web", "in_person": "in person"}
    return "\n".join(f"{labels[kind]}: {value}" for kind, value in draft.reach())
