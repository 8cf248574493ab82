"""What the events feature works with: drafts, changes, events as people see them, outcomes.

Plain dataclasses and the text limits (no Discord, no SQL); :mod:`bot.services.events` fills
them from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.clock import from_timestamp
from bot.i18n import N_, Message

Status = Literal["going", "waiting", "maybe", "not_going"]

DEFAULT_LEAD_TIMES: tuple[int, ...] = (24 * 3600, 3600)

# Text limits, in code points after cleaning (bot.text.clean_text), chosen to fit Discord's
# (scheduled event name 100, location 100, description 1000; embed title 256, description 4096,
# field values 1024, total 6000) with room for the card's own words, so nothing an organiser
# types can make a card, list or DM that Discord refuses (tests/events/test_hostile_text.py).
LIMITS: dict[str, int] = {
    "title": 100,
    "description": 1000,
    "place": 100,
    "online_link": 300,
    "cost": 100,
    "food": 200,
    "accessibility": 300,
    "facilitators": 500,
    "theme": 100,
}
LABELS: dict[str, str] = {
    "title": "title",
    "description": "description",
    "place": "place",
    "online_link": "online link",
    "cost": "cost",
    "food": "food",
    "accessibility": "accessibility",
    "facilitators": "facilitators",
    "theme": "theme",
}
TEXT_FIELDS = tuple(LIMITS)
#: The texts that may have line breaks; the others are one line (line breaks become spaces).
MULTILINE_FIELDS = frozenset({"description", "facilitators"})
#: The most places an event may have (more is a typo; no limit is "leave it empty").
MAX_CAPACITY = 100_000
CLEAR = "-"
#: The longest need a student may share with an event's organisers (code points, once cleaned).
NEED_LIMIT = 500


@dataclass(frozen=True, slots=True)
class EventSettings:
    guild_id: int
    lead_times: tuple[int, ...] = DEFAULT_LEAD_TIMES
    remind_maybe: bool = False
    mirror: bool = True


@dataclass(slots=True)
class EventDraft:
    """What an organiser typed to create an event (validated by :meth:`EventService.create`)."""

    kind: str
    title: str
    start: str
    duration: str | None = None
    end: str | None = None
    place: str | None = None
    online_link: str | None = None
    description: str = ""
    cost: str | None = None
    food: str | None = None
    accessibility: str | None = None
    facilitators: str | None = None
    theme: str | None = None
    capacity: int | None = None
    community_channel_id: int | None = None
    alcohol_free: bool = False
    ask_needs: bool = False  # ask people going about access and dietary needs


@dataclass(slots=True)
class EventChanges:
    """What an organiser wants to change (None: unchanged; ``"-"`` clears an optional text)."""

    title: str | None = None
    start: str | None = None
    duration: str | None = None
    place: str | None = None
    online_link: str | None = None
    description: str | None = None
    cost: str | None = None
    food: str | None = None
    accessibility: str | None = None
    facilitators: str | None = None
    theme: str | None = None
    capacity: int | None = None
    remove_capacity: bool = False
    ask_needs: bool | None = None

    def is_empty(self) -> bool:
        names = ("start", "duration", "capacity", "ask_needs", *TEXT_FIELDS)
        return all(getattr(self, name) is None for name in names) and not self.remove_capacity


@dataclass(frozen=True, slots=True)
class EventInfo:
    event_id: int
    guild_id: int
    series_id: int | None
    kind: str
    title: str
    description: str
    starts_at: int
    ends_at: int
    place: str | None
    online_link: str | None
    cost: str | None
    food: str | None
    accessibility: str | None
    facilitators: str | None
    theme: str | None
    capacity: int | None
    community_channel_id: int | None
    channel_id: int | None
    message_id: int | None
    scheduled_event_id: int | None
    status: str
    revision: int = 0  # how many times it was edited (the key of its change notices)
    ask_needs: bool = False  # people going are asked, privately, about their needs
    going: int = 0
    waiting: int = 0
    maybe: int = 0

    @property
    def start(self) -> datetime:
        return from_timestamp(self.starts_at)

    @property
    def end(self) -> datetime:
        return from_timestamp(self.ends_at)

    @property
    def spaces_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def details(self) -> list[tuple[Message, str]]:
        """The inclusive details, in the order students decide on them. Labels, and values that are
        the bot's own words, are marked (:class:`bot.i18n.Message`), to be translated where shown;
        what the organiser typed is plain text."""
        rows: list[tuple[Message, str]] = [(N_("Alcohol-free"), N_("Yes, always"))]
        rows.append((N_("Cost"), self.cost or N_("Free")))
        if self.food:
            rows.append((N_("Food"), self.food))
        if self.accessibility:
            rows.append((N_("Accessibility"), self.accessibility))
        rows.append(
            (
                N_("Online option"),
                N_("Yes, you can join online") if self.online_link else N_("No, in person only"),
            )
        )
        if self.theme:
            rows.append((N_("Theme"), self.theme))
        if self.facilitators:
            rows.append((N_("Facilitators"), self.facilitators))
        return rows


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    event: EventInfo
    status: Status
    previous: Status | None
    waiting_position: int | None = None
    promoted: list[int] = field(default_factory=list)
    #: The presser has shared a need with the organisers (kept), or it was just deleted
    #: because they can't go any more.
    has_need: bool = False
    need_deleted: bool = False

    @property
    def offer_need_form(self) -> bool:
        """Whether the private reply offers the needs form: going or waiting, and the organisers
        ask (or the presser already told them something, which they may change)."""
        return self.status in ("going", "waiting") and (self.event.ask_needs or self.has_need)


@dataclass(frozen=True, slots=True)
class Attendee:
    """One person on ``/event attendees`` or the register (organisers only)."""

    member_id: int
    status: Status
    waiting_position: int | None = None  # 1 for the first in the queue; None unless waiting
    need: str | None = None  # what they chose to tell the organisers


@dataclass(frozen=True, slots=True)
class Attendees:
    going: list[int]
    waiting: list[int]
    maybe: list[int]
    #: Everyone above, in that order (going, then the waiting list in order, then maybe), with
    #: their place and what they shared.
    people: list[Attendee] = field(default_factory=list)

    @property
    def needs(self) -> int:
        return sum(person.need is not None for person in self.people)


@dataclass(frozen=True, slots=True)
class NeedForm:
    """What the needs form is opened with: the event and what this member shared so far."""

    event: EventInfo
    need: str | None


@dataclass(frozen=True, slots=True)
class MyEvent:
    event: EventInfo
    status: Status
    waiting_position: int | None
    promoted: bool
    promotion_dm: str | None


@dataclass(frozen=True, slots=True)
class MyEvents:
    """``/event mine``: my events, and whether I get reminder DMs."""

    items: list[MyEvent]
    reminders_on: bool


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """An event after an edit or cancellation, and who is owed a DM about it.

    ``notices`` are the outbox keys (as stored, one per recipient) of the notices and
    waiting-list places this change promised, so the organiser can be told how many arrived.
    """

    event: EventInfo
    notify: list[int]
    promoted: list[int] = field(default_factory=list)
    time_changed: bool = False
    reminders: list[tuple[int, int]] = field(default_factory=list)  # (lead_seconds, due_at)
    notices: list[str] = field(default_factory=list)
    #: Whether attendees see a difference (False when only asking about needs changed: then
    #: nobody is sent a notice).
    visible: bool = True


@dataclass(frozen=True, slots=True)
class PendingReminder:
    event_id: int
    lead_seconds: int
    due_at: int


@dataclass(frozen=True, slots=True)
class ReminderClaim:
    """A due reminder, decided once: ``queued`` (or ``late``) with one outbox item per recipient,
    or ``skipped`` / ``cancelled`` with none."""

    event: EventInfo
    lead_seconds: int
    outcome: Literal["queued", "late", "skipped", "cancelled"]
    recipients: list[int]
