"""What mentoring stores and returns: the limits, the server's default experiences, and the
records the service hands to the cog. No Discord, no SQL."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.errors import NotFound, UserError
from bot.i18n import N_, Message
from bot.services.rows import from_row
from bot.text import clean_text

DEFAULT_EXPERIENCES: tuple[str, ...] = (
    "First in family at university",
    "Care-experienced",
    "Estranged from family",
    "Young carer or carer",
    "Mature student",
    "Disabled or neurodivergent",
    "LGBTQ+",
    "Faith",
    "Ethnic minority",
    "International",
    "Commuter",
    "Working alongside study",
    "Widening participation route",
)
MAX_EXPERIENCES = 25  # one select menu
EXPERIENCE_LABEL_LIMIT = 80
MIN_YEAR, MAX_YEAR = 1, 7
MIN_CAPACITY, MAX_CAPACITY = 1, 3
HELLO_LIMIT = 300
HELP_LIMIT = 500
CHECKIN_AFTER = timedelta(days=14)
CHECKIN_ANSWERS = ("met", "not_yet", "different", "wrong")
WAIT_BANDS: tuple[tuple[Message, int | None], ...] = (
    (N_("under 1 week"), 7),
    (N_("1 to 4 weeks"), 28),
    (N_("over 4 weeks"), None),
)
#: What a member writes about themselves, as the messages name it, and what they say when it is
#: too long (``{n}`` characters, ``{limit}`` allowed).
FREE_TEXT: dict[str, tuple[str, Message]] = {
    "hello": (
        "Your hello",
        N_(
            "Your hello is {n} characters; please keep it to {limit}. Nothing was saved yet, so "
            "shorten it and send it again."
        ),
    ),
    "help": (
        "Your note about what you'd like help with",
        N_(
            "Your note about what you'd like help with is {n} characters; please keep it to {limit}. "
            "Nothing was saved yet, so shorten it and send it again."
        ),
    ),
}


def slug(label: str) -> str:
    """A stable key for an experience label; labels with no ASCII letters get one from a hash.

    (Two labels in another script, such as ``عربي`` and ``中文``, must not share a key.)
    """
    key = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60]
    if key:
        return key
    digest = hashlib.sha256(unicodedata.normalize("NFC", label).casefold().encode("utf-8", "replace"))
    return "experience-" + digest.hexdigest()[:12]


def clean_free_text(text: str, limit: int, what: str) -> str:
    """What a member wrote about themselves (``what``: a key of :data:`FREE_TEXT`), cleaned
    (:func:`bot.text.clean_text`) and bounded."""
    field_name, too_long = FREE_TEXT[what]
    cleaned = clean_text(text, field=field_name)
    if len(cleaned) > limit:
        raise UserError(too_long, n=len(cleaned), limit=limit)
    return cleaned


def experience_lines(text_or_labels: str | list[str]) -> list[str]:
    """An organiser's experience list (one per line), each line cleaned for a menu label."""
    lines = text_or_labels.splitlines() if isinstance(text_or_labels, str) else text_or_labels
    return [
        " ".join(clean_text(line, field=N_("An experience"), multiline=False).lstrip("-•*").split())
        for line in lines
    ]


@dataclass(frozen=True, slots=True)
class Experience:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Profile:
    guild_id: int
    member_id: int
    role: str
    year: int
    capacity: int | None
    require_shared: bool
    note: str
    paused: bool
    created_at: int
    waiting_since: int | None
    experiences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    guild_id: int
    mentor_id: int
    mentee_id: int
    shared: tuple[str, ...]
    created_at: int
    intro_sent_at: int | None
    thread_id: int | None
    checkin_due_at: int
    checkin_sent_at: int | None
    mentor_checkin: str | None
    mentee_checkin: str | None
    ended_at: int | None
    end_reason: str | None

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def role_of(self, member_id: int) -> str:
        if member_id == self.mentor_id:
            return "mentor"
        if member_id == self.mentee_id:
            return "mentee"
        raise NotFound("That pairing isn't yours.")

    def partner_of(self, member_id: int) -> int:
        return self.mentee_id if self.role_of(member_id) == "mentor" else self.mentor_id


def match_from_row(row: Any) -> Match:
    """A ``mentoring_matches`` row as a :class:`Match` (``shared`` is stored comma-separated)."""
    return from_row(Match, row, shared=tuple(k for k in row["shared"].split(",") if k))


@dataclass(frozen=True, slots=True)
class RunResult:
    new_matches: list[Match]
    waiting: dict[int, str]  # member id -> no_older / full / no_shared / paused


@dataclass(frozen=True, slots=True)
class MemberStatus:
    profiles: dict[str, Profile]
    matches: list[Match]  # active ones
    waiting_reason: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # the server's experiences, key -> label


@dataclass(frozen=True, slots=True)
class Ended:
    match: Match
    requeued_mentee: bool


@dataclass(frozen=True, slots=True)
class LeaveResult:
    removed: dict[str, int]
    ended: list[Match]
    thread_ids: list[int] = field(default_factory=list)  # introduction threads to clear


@dataclass(frozen=True, slots=True)
class Forgotten:
    """A member erased everywhere: what was removed, and what Discord still shows or must be told."""

    counts: dict[str, int]
    ended: list[Match]  # their pairings that were active: each partner is told it ended
    thread_ids: list[int]  # introduction threads to clear
    new_matches: list[Match]  # mentees who lost their mentor, matched again


@dataclass(frozen=True, slots=True)
class CheckinResult:
    match: Match
    answer: str
    ended: bool
    nudged: bool = False  # a follow-up a week on was promised with this answer


@dataclass(frozen=True, slots=True)
class Schedule:
    guild_id: int
    frequency: str
    weekday: int | None
    minute: int | None
    next_run_at: int | None
    intro_channel_id: int | None


@dataclass(frozen=True, slots=True)
class ExperienceChange:
    added: list[str]
    removed: list[str]
    experiences: list[Experience]


@dataclass(frozen=True, slots=True)
class Overview:
    mentors_active: int
    mentors_paused: int
    capacity_total: int
    capacity_used: int
    mentees_waiting: int
    mentees_paused: int
    waiting_bands: dict[str, int]
    longest_wait_days: int | None
    waiting_without_older_mentor: int
    pairings_active: int
    pairings_ended: int
    checkins: dict[str, int] = field(default_factory=dict)
    # Stalled pairings (bot/services/mentoring_followup.py): past the check-in, no "we've met".
    stalled_not_yet: int = 0  # someone answered "not yet"
    stalled_no_answer: int = 0  # nobody answered within a week of the check-in
    stalled_resting: int = 0  # stalled, but the mentee paused mentoring

    @property
    def capacity_free(self) -> int:
        return max(0, self.capacity_total - self.capacity_used)

    @property
    def stalled(self) -> int:
        return self.stalled_not_yet + self.stalled_no_answer
