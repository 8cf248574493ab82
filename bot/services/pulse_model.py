"""Pulse checks: questions, schedules and the rules that keep small groups safe.

Plain values with no database and no Discord: validated here, stored by
:mod:`bot.services.pulse`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from bot.errors import UserError
from bot.i18n import N_, Message
from bot.services.recurrence import parse_local
from bot.text import clean_text

# Limits (a modal shows each question as a select's description: at most 100 characters).
MAX_QUESTIONS = 3
QUESTION_MAX = 100
TITLE_MAX = 80
OPTION_MAX = 80
SCALE_LABEL_MAX = 40
MAX_CHOICE_OPTIONS = 5
SCALE_POINTS = 5
MIN_OPEN_HOURS = 1
MAX_OPEN_HOURS = 24 * 14
DEFAULT_OPEN_HOURS = 48
DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 5
MAX_THRESHOLD = 100
# Stored with a question in English, and translated where shown (a reader's form, a card):
# ``t`` leaves an organiser's own words as they are and translates these.
PREFER_NOT = N_("Prefer not to say")
NOT_AT_ALL = N_("Not at all")
VERY_MUCH = N_("Very much")
#: A repeating pulse open as long as its period, one sentence per schedule.
REPEAT_TOO_LONG: dict[str, Message] = {
    "daily": N_(
        "A daily pulse must close before the next run opens: keep it open for less than {hours} hours."
    ),
    "weekly": N_(
        "A weekly pulse must close before the next run opens: keep it open for less than {hours} hours."
    ),
    "fortnightly": N_(
        "A fortnightly pulse must close before the next run opens: keep it open for less than {hours} hours."
    ),
    "monthly": N_(
        "A monthly pulse must close before the next run opens: keep it open for less than {hours} hours."
    ),
}
#: Why a group of a breakdown is not shown (see :func:`safe_partition`); translated where shown.
NOT_ENOUGH_OVERALL = N_("not enough answers overall")
NO_ANSWERS = N_("no answers")
FEWER_THAN = N_("fewer than {threshold} answers")
BY_SUBTRACTION = N_("could be worked out by subtracting from the total")

Kind = Literal["scale", "choice"]
Repeat = Literal["once", "daily", "weekly", "fortnightly", "monthly"]
REPEATS: tuple[str, ...] = get_args(Repeat)
REPEAT_PERIOD = {
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
    "fortnightly": timedelta(days=14),
    "monthly": timedelta(days=28),
}
START_EXAMPLES = "`Monday 10:00`, `12 Oct 10:00` or `2026-10-12 10:00`"
_TIME_HINT = re.compile(r"\d{1,2}[:.h]\d{2}|\d\s*(am|pm)\b|\b(noon|midday|midnight)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Question:
    """One question. ``options`` are what a member chooses from, in order (scale points first).

    ``concern`` lists the options that suggest someone is struggling (support is shown at once).
    """

    text: str
    kind: Kind
    options: tuple[str, ...]
    low_label: str = ""
    high_label: str = ""
    concern: tuple[int, ...] = ()

    def option_label(self, index: int) -> str:
        """What a member sees for an option (scale ends carry their labels)."""
        label = self.options[index]
        if self.kind == "scale" and index < SCALE_POINTS:
            if index == 0 and self.low_label:
                return f"{label} · {self.low_label}"
            if index == SCALE_POINTS - 1 and self.high_label:
                return f"{label} · {self.high_label}"
        return label

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "options": list(self.options),
            "low": self.low_label,
            "high": self.high_label,
            "concern": list(self.concern),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(
            text=str(data["text"]),
            kind="scale" if data["kind"] == "scale" else "choice",
            options=tuple(str(o) for o in data["options"]),
            low_label=str(data.get("low", "")),
            high_label=str(data.get("high", "")),
            concern=tuple(int(i) for i in data.get("concern", ())),
        )


def dump_questions(questions: list[Question]) -> str:
    return json.dumps([q.to_json() for q in questions], ensure_ascii=False)


def load_questions(text: str) -> list[Question]:
    return [Question.from_json(item) for item in json.loads(text)]


def _split(text: str) -> list[str]:
    separator = ";" if ";" in text else ("|" if "|" in text else ",")
    return [part.strip() for part in text.split(separator) if part.strip()]


def make_question(
    number: int,
    text: str | None,
    kind: str,
    options: str | None = None,
    *,
    prefer_not: bool = True,
    offer_support: bool = True,
) -> Question:
    """Validate one question as an organiser typed it.

    ``options``: for a choice, the options separated by ``;`` (or ``,``); for a scale, the two
    end labels separated by ``;`` (optional). Raises :class:`UserError` saying what to change.
    """
    where = f"Question {number}"
    cleaned = " ".join(clean_text(text or "", field=where, multiline=False).split())
    if not cleaned:
        raise UserError(
            "Question {number} is empty. Write the question, for example "
            "`How connected do you feel this week?`.",
            number=number,
        )
    if len(cleaned) > QUESTION_MAX:
        raise UserError(
            "Question {number} is {length} characters long; please keep it to {limit} so it fits in "
            "Discord's answer form.",
            number=number,
            length=len(cleaned),
            limit=QUESTION_MAX,
        )
    options = clean_text(options or "", field=f"{where}'s options", multiline=False)
    if kind == "scale":
        labels = _split(options)
        if len(labels) not in (0, 2):
            raise UserError(
                "Question {number} is a 1 to 5 scale: give its two end labels separated by `;`, for "
                "example `Not at all; Very much`, or leave the options empty.",
                number=number,
            )
        low, high = (labels[0], labels[1]) if labels else (NOT_AT_ALL, VERY_MUCH)
        for label in (low, high):
            if len(label) > SCALE_LABEL_MAX:
                raise UserError(
                    "Question {number}: the end label `{label}…` is too long; keep each to {limit}.",
                    number=number,
                    label=label[:40],
                    limit=SCALE_LABEL_MAX,
                )
        points = tuple(str(i) for i in range(1, SCALE_POINTS + 1))
        points += (PREFER_NOT,) if prefer_not else ()
        # On a wellbeing scale the lowest two points suggest someone is struggling.
        return Question(cleaned, "scale", points, low, high, (0, 1) if offer_support else ())
    if kind != "choice":
        raise UserError("Question {number}: the type must be `scale` or `choice`.", number=number)
    chosen = _split(options)
    if len(chosen) < 2:
        raise UserError(
            "Question {number} is a choice: give at least two options separated by `;`, for example "
            "`Yes; No`.",
            number=number,
        )
    if len(chosen) > MAX_CHOICE_OPTIONS:
        raise UserError(
            'Question {number} has {count} options; the most is {limit} (plus "Prefer not to say", '
            "added for you). Combine or drop some.",
            number=number,
            count=len(chosen),
            limit=MAX_CHOICE_OPTIONS,
        )
    lowered = [c.lower() for c in chosen]
    if len(set(lowered)) != len(lowered):
        raise UserError(
            "Question {number} has the same option twice. Make each option different.", number=number
        )
    for option in chosen:
        if len(option) > OPTION_MAX:
            raise UserError(
                "Question {number}: the option `{option}…` is too long; keep each to {limit}.",
                number=number,
                option=option[:40],
                limit=OPTION_MAX,
            )
    if prefer_not and PREFER_NOT.lower() not in lowered:
        chosen.append(PREFER_NOT)
    return Question(cleaned, "choice", tuple(chosen))


def belonging_template() -> tuple[str, list[Question]]:
    """The ready-made belonging check-in, drawn from the interview study (see docs/pulse.md).

    Stored in English; its words are in the catalogue, so each reader sees them in their language."""
    return (
        N_("Belonging check-in"),
        [
            Question(
                N_("How connected do you feel to other students this week?"),
                "scale",
                ("1", "2", "3", "4", "5", PREFER_NOT),
                N_("Not at all connected"),
                N_("Very connected"),
                (0, 1),
            ),
            Question(
                N_("Have you experienced or witnessed discrimination this week?"),
                "choice",
                (N_("Yes"), N_("No"), PREFER_NOT),
                concern=(0,),
            ),
            Question(
                N_("How easy would it be to get support if you needed it?"),
                "scale",
                ("1", "2", "3", "4", "5", PREFER_NOT),
                N_("Very hard"),
                N_("Very easy"),
                (0, 1),
            ),
        ],
    )


def validate_title(title: str | None) -> str:
    cleaned = " ".join(clean_text(title or "", field=N_("The title"), multiline=False).split())
    if not cleaned:
        raise UserError("Give the pulse check a short title, for example `Weekly check-in`.")
    if len(cleaned) > TITLE_MAX:
        raise UserError(
            "The title is {length} characters long; please keep it to {limit}.",
            length=len(cleaned),
            limit=TITLE_MAX,
        )
    return cleaned


def validate_open_hours(hours: float, repeat: str) -> int:
    if not MIN_OPEN_HOURS <= hours <= MAX_OPEN_HOURS:
        raise UserError(
            "A run can stay open from {least} hour to {most} days; {hours} hours is outside that. "
            "The usual is {usual}.",
            least=MIN_OPEN_HOURS,
            most=MAX_OPEN_HOURS // 24,
            hours=f"{hours:g}",
            usual=DEFAULT_OPEN_HOURS,
        )
    seconds = round(hours * 3600)
    period = REPEAT_PERIOD.get(repeat)
    if period is not None and seconds >= period.total_seconds():
        raise UserError(
            REPEAT_TOO_LONG.get(repeat, REPEAT_TOO_LONG["weekly"]), hours=int(period.total_seconds() // 3600)
        )
    return seconds


def validate_threshold(value: int) -> int:
    if value < MIN_THRESHOLD:
        raise UserError(
            "Results need at least {least} answers before they are shown: fewer would make it too easy "
            "to guess who said what.",
            least=MIN_THRESHOLD,
        )
    if value > MAX_THRESHOLD:
        raise UserError(
            "Choose a minimum between {least} and {most}.", least=MIN_THRESHOLD, most=MAX_THRESHOLD
        )
    return value


# -- schedules ---------------------------------------------------------------------------


def parse_start(text: str | None, tz: str, now: datetime) -> datetime:
    """When the first run opens, as typed by an organiser; a naive local (server) time."""
    cleaned = clean_text(text or "", field=N_("The start"), multiline=False)
    if not cleaned or len(cleaned) > 100:
        raise UserError("Say when the first run opens, for example {examples}.", examples=START_EXAMPLES)
    parsed = parse_local(cleaned, tz, now)
    if parsed is None:
        raise UserError(
            "I couldn't read `{typed}` as a date and time. Try {examples}.",
            typed=cleaned[:60],
            examples=START_EXAMPLES,
        )
    if not _TIME_HINT.search(cleaned):
        raise UserError("Please include a time of day, for example {examples}.", examples=START_EXAMPLES)
    return parsed.replace(second=0, microsecond=0)


def occurrences_rule(first_local: datetime, repeat: str) -> rrule:
    """Every run's opening as local wall-clock times (a one-off is a rule with one occurrence).

    :func:`bot.services.recurrence.next_occurrence` places them in the server's timezone, so
    "every Monday 10:00" stays at 10:00 when the clocks change in October and March.
    """
    if repeat == "once":
        return rrule(DAILY, dtstart=first_local, count=1)
    if repeat == "daily":
        return rrule(DAILY, dtstart=first_local)
    if repeat == "weekly":
        return rrule(WEEKLY, dtstart=first_local)
    if repeat == "fortnightly":
        return rrule(WEEKLY, interval=2, dtstart=first_local)
    if repeat == "monthly":
        return rrule(MONTHLY, dtstart=first_local)
    raise UserError(
        "`{repeat}` is not a schedule. Choose one of: {repeats}.",
        repeat=repeat[:20],
        repeats=", ".join(REPEATS),
    )


# -- safe results ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disclosure:
    """Which groups of a partition of the answers may be shown."""

    shown: frozenset[str]
    withheld: dict[str, str] = field(default_factory=dict)


def safe_partition(total: int, groups: dict[str, int], threshold: int) -> Disclosure:
    """Decide which groups of a breakdown can be shown next to the total.

    ``groups`` partitions the ``total`` answers (each answer in exactly one group). A group is
    shown only if it has at least ``threshold`` answers AND the withheld groups together are
    either empty or at least ``threshold`` (otherwise total minus the shown groups would reveal
    them): the smallest shown group is withheld as well until that holds.
    """
    if total < threshold:
        return Disclosure(frozenset(), dict.fromkeys(groups, str(NOT_ENOUGH_OVERALL)))
    withheld: dict[str, str] = {}
    shown = {}
    for name, size in groups.items():
        if size == 0:
            withheld[name] = str(NO_ANSWERS)
        elif size < threshold:
            withheld[name] = FEWER_THAN.format(threshold=threshold)
        else:
            shown[name] = size
    while shown:
        hidden = total - sum(shown.values())
        if hidden == 0 or hidden >= threshold:
            break
        smallest = min(shown, key=lambda n: (shown[n], n))
        del shown[smallest]
        withheld[smallest] = str(BY_SUBTRACTION)
    return Disclosure(frozenset(shown), withheld)
