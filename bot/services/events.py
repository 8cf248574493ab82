"""Events: alcohol-free socials and workshop series, RSVPs, a fair waiting list, reminders.

Plain async Python (no Discord): takes ids and values, owns its SQL, returns the dataclasses of
:mod:`bot.services.events_model` and raises :class:`~bot.errors.UserError` for anything a person
can fix. Every change to RSVPs happens in one ``BEGIN IMMEDIATE`` transaction, and the database
lock is first-come first-served, so a burst of Going presses is served in the order they
arrived: the first ``capacity`` are going, the rest wait in that order.

Member data held here (privacy inventory; used by ``export_member`` / ``forget_member``):

* ``event_rsvps.member_id`` (with ``status``, ``seq``, ``updated_at``, ``promoted_at``,
  ``promotion_dm``): a student's answer to one event, so places, the waiting list, reminders and
  ``/event mine`` work. ``promotion_dm`` is ``failed`` when the DM telling them about their place
  could not be delivered (so ``/event mine`` tells them instead). Kept while the event exists;
  erased by ``forget_member``. Never shown publicly: the card shows counts only; names are shown
  to organisers alone (``/event attendees``).
* ``event_rsvps.need``: what a student going (or waiting) chose to tell the organisers of that
  event about access or dietary needs, when the organisers ask (``events.ask_needs``). Special
  category data: shown to that event's organisers only (``/event attendees`` and its register),
  never in a card, list, DM or log. Cleared when they press Can't go, erased by
  ``forget_member``, and cleared by the daily retention job 7 days after the event ends
  (:mod:`bot.privacy`).
* ``event_reminder_optouts.member_id``: the member turned reminders off on that server. Kept until
  they turn reminders back on or are forgotten.
* ``events.created_by`` and ``event_series.created_by``: the organiser who created the event
  (accountability). Kept with the event; set to NULL by ``forget_member``.
* Free text in ``events`` (title, description, place, cost, food, accessibility, facilitators,
  theme) is written by organisers about the event for everyone to read; it is not about a member.
  Facilitators' names are public by design (role models students can expect to meet).

Everything this feature sends on its own is a promise in the outbox (:mod:`bot.services.outbox`),
written in the same transaction as the change that creates it, with a stable key:

* ``events.reminder:{event_id}:{lead}`` (one DM per recipient; dropped once the event starts),
* ``events.promoted:{event_id}:{seq}`` (a waiting-list place; ``seq`` is that RSVP's),
* ``events.changed:{event_id}:{revision}`` and ``events.cancelled:{event_id}`` (notices),
* ``events.card:{event_id}:{card_attempt}`` (a card posted in a channel; marker
  ``event:going:{event_id}``, its Going button's custom id).

The ``*_due`` methods say, from the current state, whether a promise is still worth keeping
(the outbox drops it otherwise). Nothing here is logged with a member id.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_
from bot.services.events_dates import (
    MAX_DURATION,
    check_times,
    parse_date,
    parse_duration,
    parse_when,
    plan_series,
    shift_local,
)
from bot.services.events_model import (
    CLEAR,
    LABELS,
    LIMITS,
    MAX_CAPACITY,
    MULTILINE_FIELDS,
    NEED_LIMIT,
    TEXT_FIELDS,
    Attendee,
    Attendees,
    ChangeOutcome,
    EventChanges,
    EventDraft,
    EventInfo,
    EventSettings,
    MyEvent,
    MyEvents,
    NeedForm,
    PendingReminder,
    ReminderClaim,
    RsvpOutcome,
    Status,
)
from bot.services.outbox import enqueue, stored_key
from bot.text import clean_text

__all__ = [
    "CANCELLED_TOPIC",
    "CARD_TOPIC",
    "CARD_WINDOW",
    "CHANGED_TOPIC",
    "LIMITS",
    "NEED_LIMIT",
    "PROMOTED_TOPIC",
    "REMINDER_TOPIC",
    "Attendee",
    "Attendees",
    "ChangeOutcome",
    "EventChanges",
    "EventDraft",
    "EventInfo",
    "EventService",
    "EventSettings",
    "MyEvent",
    "NeedForm",
    "PendingReminder",
    "ReminderClaim",
    "RsvpOutcome",
]

# A reminder sent more than this after its due time says so ("sent late").
LATE_AFTER_SECONDS = 120
MAX_LEAD_TIMES = 4
# A reminder time as typed: hours, with at most a few decimals (ASCII digits only).
_HOURS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?|\.[0-9]{1,4}", re.ASCII)
# Later occurrences of a series get their card this long before they start (RSVPs open then).
CARD_WINDOW = timedelta(days=14)
_CARD_WINDOW_S = int(CARD_WINDOW.total_seconds())

# The outbox topics of this feature (see the module docstring for their keys).
REMINDER_TOPIC = "events.reminder"
PROMOTED_TOPIC = "events.promoted"
CHANGED_TOPIC = "events.changed"
CANCELLED_TOPIC = "events.cancelled"
CARD_TOPIC = "events.card"


def card_key(event_id: int, attempt: int = 0) -> str:
    return f"{CARD_TOPIC}:{event_id}:{attempt}"


def reminder_key(event_id: int, lead_seconds: int) -> str:
    return f"{REMINDER_TOPIC}:{event_id}:{lead_seconds}"


def card_marker(event_id: int) -> str:
    """What a posted card carries (its Going button's custom id), to find it after a crash."""
    return f"event:going:{event_id}"


# An event lasts at most MAX_DURATION, so one still running started less than this long ago: the
# bound lets /event list read the index from here instead of walking every past event.
_STARTED_BOUND = int((MAX_DURATION + timedelta(days=1)).total_seconds())

#: An event's stored columns: EventInfo's fields, in its order, but for the counts (which come last).
_EVENT_KEYS = tuple(f.name for f in fields(EventInfo) if f.name not in ("going", "waiting", "maybe"))
_EVENT_COLUMNS = ", ".join(_EVENT_KEYS)


def _with_counts(alias: str) -> str:
    """An event's columns and its RSVP counts by status, for one SELECT (never a query per event)."""
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM event_rsvps c WHERE c.event_id = {alias}.event_id AND c.status = '{status}')"
        f" AS n_{status}"
        for status in ("going", "waiting", "maybe")
    )
    return ", ".join(f"{alias}.{key}" for key in _EVENT_KEYS) + ", " + counts


_COUNTED = _with_counts("e")
_UNCOUNTED = ", ".join(f"e.{key}" for key in _EVENT_KEYS) + ", 0 AS n_going, 0 AS n_waiting, 0 AS n_maybe"


def clean_field(name: str, value: str | None) -> str | None:
    """One of an event's texts as typed by an organiser, cleaned (:func:`bot.text.clean_text`):
    NFC, no hidden or direction-changing characters, at most ``LIMITS[name]`` characters (each
    limit fits where Discord shows it). None when nothing is left; a lone surrogate or too long
    a text is a :class:`UserError` saying what to change."""
    cleaned = clean_text(
        value or "",
        field=f"The {LABELS[name]}",
        limit=LIMITS[name],
        multiline=name in MULTILINE_FIELDS,
    )
    return cleaned or None


def validate_link(link: str | None) -> str | None:
    """An online link: a plain ``http(s)://`` web address with a host, or None.

    Nothing invisible or spacing in it (a hidden character could disguise where it goes), and
    its host and port must read (``https://[`` or ``https://a:99999`` are refused, not raised).
    """
    if link is None:
        return None
    try:
        parsed = urlsplit(link)
        usable = (
            parsed.scheme.lower() in ("http", "https")
            and bool(parsed.hostname)
            and (parsed.port is None or parsed.port > 0)
        )
    except ValueError:
        usable = False
    if not usable or any(ch.isspace() or not ch.isprintable() or ch in '<>"`\\' for ch in link):
        raise UserError("The online link should be a web address starting with `https://`.")
    return link


def validate_capacity(capacity: object, *, edit: bool = False) -> int | None:
    """Most people who can come: a whole number from 1 to :data:`MAX_CAPACITY`, or None."""
    if capacity is None:
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        if edit:
            raise UserError("Capacity must be at least 1. To remove the limit, use `no-limit`.")
        raise UserError("Capacity must be at least 1, or leave it empty for no limit.")
    if capacity > MAX_CAPACITY:
        raise UserError(
            "Capacity can be up to {limit}. For a bigger event, leave it empty for no limit.",
            limit=f"{MAX_CAPACITY:,}",
        )
    return capacity


def parse_reminder_hours(text: str) -> list[float]:
    """``/event settings reminder-hours``: hours before each event, such as ``24, 1`` or ``0.5``.

    Plain decimal numbers only (no ``nan``, ``inf``, ``1e309`` or digits of other scripts);
    empty means no reminders. The values are checked by :func:`lead_times_from_hours`.
    """
    cleaned = clean_text(text or "", field=N_("The reminder times"), multiline=False)
    parts = [part.strip() for part in cleaned.replace(";", ",").split(",") if part.strip()]
    if len(parts) > MAX_LEAD_TIMES:
        raise UserError("Choose up to {n} reminder times, for example `24, 1`.", n=MAX_LEAD_TIMES)
    if not all(_HOURS.fullmatch(part) for part in parts):
        raise UserError("Give reminder times as hours, separated by commas, for example `24, 1`.")
    return [float(part) for part in parts]


def lead_times_from_hours(hours: list[float]) -> tuple[int, ...]:
    """Reminder hours as lead times in seconds, longest first; a kind refusal outside 0.25-336."""
    if len(hours) > MAX_LEAD_TIMES:
        raise UserError("Choose up to {n} reminder times, for example `24, 1`.", n=MAX_LEAD_TIMES)
    if not all(isinstance(h, int | float) and math.isfinite(h) and 0.25 <= h <= 24 * 14 for h in hours):
        raise UserError("Reminder times are hours before the event, between 0.25 and 336 (two weeks).")
    return tuple(sorted({round(h * 3600) for h in hours}, reverse=True))


def plan_starts(
    start: datetime,
    tz: str,
    now: datetime,
    *,
    repeat: str | None = None,
    until: str | None = None,
    count: int | None = None,
) -> tuple[list[datetime], str | None]:
    """Every start of a new event (one, or each of a series) and the series rule (None for one).

    ``repeat``, ``until`` and ``count`` are the series options as given; anything wrong with
    them is a :class:`UserError`.
    """
    if not repeat:
        if until or count:
            raise UserError(
                "`until` and `times` are for a series: choose how it repeats too (weekly, fortnightly...)."
            )
        return [start], None
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise UserError("For a series, `times` is how many times it happens, for example `6`.")
    until_dt = parse_date(until, tz, now) if until else None
    plan = plan_series(start, tz, repeat, until=until_dt, count=count)
    return plan.starts, plan.rule


_N_KEYS = len(_EVENT_KEYS)
assert _EVENT_KEYS[-1] == "ask_needs"  # the one stored as 0/1: _row_to_event makes it a bool


def _row_to_event(row: sqlite3.Row) -> EventInfo:
    """An event from a row that starts with :data:`_COUNTED`'s (or :data:`_UNCOUNTED`'s) columns:
    the event's, in EventInfo's field order, then its three counts. Read by position: a
    ``sqlite3.Row`` finds a column by name with a linear scan, which was most of the cost of a
    page of events."""
    *values, ask_needs, going, waiting, maybe = row[: _N_KEYS + 3]
    return EventInfo(*values, bool(ask_needs), going, waiting, maybe)  # type: ignore[call-arg]


def _moved(event: EventInfo, before: str | None, after: str) -> EventInfo:
    """``event`` with one reply moved from ``before`` to ``after`` in its counts."""
    counts = {"going": event.going, "waiting": event.waiting, "maybe": event.maybe}
    if before in counts:
        counts[before] -= 1
    if after in counts:
        counts[after] += 1
    return replace(event, going=counts["going"], waiting=counts["waiting"], maybe=counts["maybe"])


class EventService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    # -- settings ------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> EventSettings:
        row = await self.db.fetchone(
            "SELECT lead_times, remind_maybe, mirror FROM event_settings WHERE guild_id = ?", (guild_id,)
        )
        return self._settings_from(guild_id, row)

    @staticmethod
    def _settings_from(guild_id: int, row: sqlite3.Row | None) -> EventSettings:
        if row is None:
            return EventSettings(guild_id)
        leads = tuple(int(x) for x in str(row["lead_times"]).split(",") if x.strip())
        return EventSettings(guild_id, leads, bool(row["remind_maybe"]), bool(row["mirror"]))

    async def update_settings(
        self,
        guild_id: int,
        *,
        lead_hours: list[float] | None = None,
        remind_maybe: bool | None = None,
        mirror: bool | None = None,
    ) -> EventSettings:
        current = await self.settings(guild_id)
        leads = current.lead_times
        if lead_hours is not None:
            leads = lead_times_from_hours(lead_hours)
        new = replace(
            current,
            lead_times=leads,
            remind_maybe=current.remind_maybe if remind_maybe is None else remind_maybe,
            mirror=current.mirror if mirror is None else mirror,
        )
        await self.db.execute(
            "INSERT INTO event_settings (guild_id, lead_times, remind_maybe, mirror, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET lead_times = excluded.lead_times,"
            " remind_maybe = excluded.remind_maybe, mirror = excluded.mirror, updated_at ="
            " excluded.updated_at",
            (
                guild_id,
                ",".join(str(x) for x in new.lead_times),
                int(new.remind_maybe),
                int(new.mirror),
                self._now(),
            ),
        )
        return new

    # -- creating ------------------------------------------------------------------------

    def validate(self, draft: EventDraft, tz: str) -> tuple[datetime, datetime]:
        """Check a draft; returns its first (start, end). Raises UserError, saves nothing."""
        now = self.clock.now()
        if draft.kind not in ("social", "workshop"):
            raise UserError("An event is a `social` or a `workshop`.")
        if not draft.alcohol_free:
            raise UserError(
                "Every Common Room event is alcohol-free. Please confirm that this one is (tick the box), "
                "or plan it somewhere without a bar."
            )
        for name in TEXT_FIELDS:
            setattr(draft, name, clean_field(name, getattr(draft, name)))
        if not draft.title:
            raise UserError("Please give the event a title.")
        draft.description = draft.description or ""
        draft.online_link = validate_link(draft.online_link)
        if not draft.place and not draft.online_link:
            raise UserError("Where is it? Give a place, an online link, or both.")
        draft.capacity = validate_capacity(draft.capacity)
        start = parse_when(draft.start, tz, now)
        if draft.duration and draft.end:
            raise UserError("Give either a duration or an end time, not both.")
        if draft.end:
            end = parse_when(draft.end, tz, start, what="end")
            if (
                end <= start
                and end + timedelta(days=1) - start <= MAX_DURATION
                and ":" in draft.end
                and len(draft.end.strip()) <= 5
            ):
                end += timedelta(days=1)  # "23:00" to "01:00": the end is the next day
        elif draft.duration:
            end = start + parse_duration(draft.duration)
        else:
            end = start + timedelta(hours=2)
        check_times(start, end, now)
        return start, end

    async def create(
        self,
        guild_id: int,
        created_by: int,
        draft: EventDraft,
        tz: str,
        *,
        repeat: str | None = None,
        until: str | None = None,
        count: int | None = None,
        card_channel_id: int | None = None,
    ) -> list[EventInfo]:
        """Create one event, or every occurrence of a series. Nothing is saved if anything is wrong.

        With ``card_channel_id``, the cards due now (the first event's, and any occurrence within
        :data:`CARD_WINDOW`) are owed to that channel in the same transaction (the outbox posts
        them); later occurrences' cards are queued by :meth:`queue_card` when their time comes.
        """
        start, end = self.validate(draft, tz)
        length = end - start
        starts, rule = plan_starts(start, tz, self.clock.now(), repeat=repeat, until=until, count=count)
        settings = await self.settings(guild_id)
        now = self._now()
        ids: list[int] = []
        async with self.db.transaction() as tx:
            series_id: int | None = None
            if rule is not None:
                result = await tx.execute(
                    "INSERT INTO event_series (guild_id, rule, timezone, created_by, created_at) VALUES (?,"
                    " ?, ?, ?, ?)",
                    (guild_id, rule, tz, created_by, now),
                )
                series_id = result.lastrowid
            for each in starts:
                starts_at = to_timestamp(each)
                result = await tx.execute(
                    "INSERT INTO events (guild_id, series_id, kind, title, description, starts_at, ends_at,"
                    " place,"
                    " online_link, cost, food, accessibility, facilitators, theme, capacity,"
                    " community_channel_id, ask_needs,"
                    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?)",
                    (
                        guild_id,
                        series_id,
                        draft.kind,
                        draft.title,
                        draft.description,
                        starts_at,
                        starts_at + int(length.total_seconds()),
                        draft.place,
                        draft.online_link,
                        draft.cost,
                        draft.food,
                        draft.accessibility,
                        draft.facilitators,
                        draft.theme,
                        draft.capacity,
                        draft.community_channel_id,
                        int(draft.ask_needs),
                        created_by,
                        now,
                        now,
                    ),
                )
                assert result.lastrowid is not None
                ids.append(result.lastrowid)
                await self._insert_reminders(tx, result.lastrowid, starts_at, settings.lead_times, now)
                if card_channel_id is not None and (len(ids) == 1 or each - CARD_WINDOW <= self.clock.now()):
                    await self._owe_card(
                        tx, guild_id, result.lastrowid, 0, card_channel_id, first=len(ids) == 1
                    )
        return [await self.get(event_id) for event_id in ids]

    async def _owe_card(
        self, tx: Tx, guild_id: int, event_id: int, attempt: int, channel_id: int, *, first: bool = False
    ) -> bool:
        payload: dict[str, Any] = {"event_id": event_id}
        if first:
            payload["first"] = True
        return await enqueue(
            tx,
            self.clock.now(),
            guild_id=guild_id,
            key=card_key(event_id, attempt),
            topic=CARD_TOPIC,
            channel_id=channel_id,
            marker=card_marker(event_id),
            payload=payload,
        )

    async def queue_card(self, event_id: int, channel_id: int) -> bool:
        """Owe the card of an event whose replies open now; False if it needs none (posted,
        cancelled, started, gone). Calling it again while the same card is owed changes nothing."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT guild_id, status, starts_at, message_id, card_attempt FROM events WHERE event_id = ?",
                (event_id,),
            )
            if (
                row is None
                or row["status"] != "scheduled"
                or row["message_id"] is not None
                or row["starts_at"] <= self._now()
            ):
                return False
            await self._owe_card(tx, row["guild_id"], event_id, row["card_attempt"], channel_id)
        return True

    async def card_failed(self, event_id: int) -> None:
        """The card could not be posted (no access, channel gone): the next try is a new promise."""
        await self.db.execute(
            "UPDATE events SET card_attempt = card_attempt + 1 WHERE event_id = ?", (event_id,)
        )

    async def card_due(self, event_id: int) -> EventInfo | None:
        """The event whose card is owed, or None if it no longer needs one."""
        try:
            event = await self.get(event_id)
        except NotFound:
            return None
        if event.status != "scheduled" or event.message_id is not None or event.starts_at <= self._now():
            return None
        return event

    @staticmethod
    async def _insert_reminders(
        tx: Tx, event_id: int, starts_at: int, leads: tuple[int, ...], now: int
    ) -> list[tuple[int, int]]:
        made = []
        for lead in leads:
            due = starts_at - lead
            if due > now:
                await tx.execute(
                    "INSERT INTO event_reminders (event_id, lead_seconds, due_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (event_id, lead_seconds) DO UPDATE SET due_at = excluded.due_at,"
                    " status = 'pending', done_at = NULL",
                    (event_id, lead, due),
                )
                made.append((lead, due))
        return made

    async def set_card(self, event_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE events SET channel_id = ?, message_id = ? WHERE event_id = ?",
            (channel_id, message_id, event_id),
        )

    async def set_mirror(self, event_id: int, scheduled_event_id: int | None) -> None:
        await self.db.execute(
            "UPDATE events SET scheduled_event_id = ? WHERE event_id = ?", (scheduled_event_id, event_id)
        )

    async def delete_unposted(self, event_ids: list[int]) -> None:
        """Undo a creation whose card could not be posted (nothing half-made stays behind)."""
        async with self.db.transaction() as tx:
            for event_id in event_ids:
                await tx.execute("DELETE FROM events WHERE event_id = ? AND message_id IS NULL", (event_id,))
            await tx.execute(
                "DELETE FROM event_series WHERE series_id NOT IN (SELECT series_id FROM events WHERE"
                " series_id IS NOT NULL)"
            )

    # -- reading -------------------------------------------------------------------------

    async def _get(self, tx: Tx, event_id: int, guild_id: int | None = None) -> EventInfo:
        # An id from a forged custom id or option may be any integer; SQLite holds 64 bits.
        valid = isinstance(event_id, int) and 0 < event_id < 2**63
        row = (
            await tx.fetchone(f"SELECT {_COUNTED} FROM events e WHERE e.event_id = ?", (event_id,))
            if valid
            else None
        )
        if row is None or (guild_id is not None and row["guild_id"] != guild_id):
            raise NotFound(
                "I can't find that event. It may have been removed; `/event list` shows what's coming up."
            )
        return _row_to_event(row)

    async def get(self, event_id: int, guild_id: int | None = None) -> EventInfo:
        async with self.db.read(snapshot=False) as tx:  # one statement
            return await self._get(tx, event_id, guild_id)

    def _upcoming_where(self) -> tuple[str, tuple[int, int]]:
        now = self._now()
        return (
            "e.guild_id = ? AND e.status = 'scheduled' AND e.ends_at > ? AND e.starts_at > ?",
            (now, now - _STARTED_BOUND),
        )

    async def upcoming(self, guild_id: int, *, limit: int = 200, counts: bool = True) -> list[EventInfo]:
        """Scheduled events that have not ended, soonest first (``counts=False``: their RSVP
        counts left at 0, for an autocomplete that shows only titles and times)."""
        where, (ends, starts) = self._upcoming_where()
        columns = _COUNTED if counts else _UNCOUNTED
        rows = await self.db.fetchall(
            f"SELECT {columns} FROM events e WHERE {where} ORDER BY e.starts_at, e.event_id LIMIT ?",
            (guild_id, ends, starts, limit),
        )
        return [_row_to_event(row) for row in rows]

    async def upcoming_scopes(self, guild_id: int, *, limit: int = 200) -> list[tuple[int, int | None]]:
        """(event id, community channel id or None) of :meth:`upcoming`, in the same order: enough
        to decide who may see each, before reading any event whole (``/event list`` reads a page)."""
        where, (ends, starts) = self._upcoming_where()
        rows = await self.db.fetchall(
            f"SELECT e.event_id, e.community_channel_id FROM events e WHERE {where}"
            " ORDER BY e.starts_at, e.event_id LIMIT ?",
            (guild_id, ends, starts, limit),
        )
        return [(row[0], row[1]) for row in rows]

    async def events(self, guild_id: int, event_ids: Sequence[int]) -> list[EventInfo]:
        """These scheduled events of this server, in the order given (missing, cancelled or deleted
        ones left out: a page drawn later than its list shows what is still on), in one statement."""
        ids = [i for i in event_ids if isinstance(i, int) and 0 < i < 2**63][:500]
        if not ids:
            return []
        rows = await self.db.fetchall(
            f"SELECT {_COUNTED} FROM events e WHERE e.guild_id = ? AND e.status = 'scheduled'"
            f" AND e.event_id IN ({', '.join('?' * len(ids))})",
            (guild_id, *ids),
        )
        found = {row["event_id"]: _row_to_event(row) for row in rows}
        return [found[i] for i in ids if i in found]

    async def series_rule(self, series_id: int | None) -> str | None:
        """The RRULE line of a series (None for a single event)."""
        if series_id is None:
            return None
        value = await self.db.fetchval("SELECT rule FROM event_series WHERE series_id = ?", (series_id,))
        return None if value is None else str(value)

    async def awaiting_card(self, *, due_before: int | None = None) -> list[tuple[int, int]]:
        """(event_id, starts_at) of future scheduled events whose card is not posted yet (with
        ``due_before``, only those whose card falls due before it: start minus ``CARD_WINDOW``)."""
        bound = "" if due_before is None else " AND starts_at < ?"
        extra: tuple[int, ...] = () if due_before is None else (due_before + _CARD_WINDOW_S,)
        rows = await self.db.fetchall(
            "SELECT event_id, starts_at FROM events WHERE status = 'scheduled' AND message_id IS NULL AND"
            f" starts_at > ?{bound}",
            (self._now(), *extra),
        )
        return [(r["event_id"], r["starts_at"]) for r in rows]

    async def attendees(self, event_id: int, guild_id: int | None = None) -> tuple[EventInfo, Attendees]:
        """Who is going, waiting (in order) and maybe, with what each chose to tell the organisers:
        for organisers only (``/event attendees`` and the register)."""
        async with self.db.read() as tx:
            event = await self._get(tx, event_id, guild_id)
            rows = await tx.fetchall(
                "SELECT member_id, status, need FROM event_rsvps WHERE event_id = ? AND status IN"
                " ('going', 'waiting', 'maybe') ORDER BY seq",
                (event_id,),
            )
        by: dict[str, list[Attendee]] = {"going": [], "waiting": [], "maybe": []}
        for row in rows:
            group = by[row["status"]]
            place = len(group) + 1 if row["status"] == "waiting" else None
            group.append(Attendee(row["member_id"], row["status"], place, row["need"] or None))
        people = [*by["going"], *by["waiting"], *by["maybe"]]
        return event, Attendees(
            [p.member_id for p in by["going"]],
            [p.member_id for p in by["waiting"]],
            [p.member_id for p in by["maybe"]],
            people,
        )

    # -- needs (issue 17) ------------------------------------------------------------------

    async def _need_row(self, tx: Tx, event_id: int, guild_id: int, member_id: int) -> tuple[EventInfo, Any]:
        event = await self._get(tx, event_id, guild_id)
        row = await tx.fetchone(
            "SELECT status, need FROM event_rsvps WHERE event_id = ? AND member_id = ?", (event_id, member_id)
        )
        if event.cancelled:
            raise UserError("This event was cancelled, so there's nothing to tell the organisers. Sorry!")
        if event.ends_at <= self._now():
            raise UserError("This event has finished, so the organisers don't need to know any more.")
        if row is None or row["status"] not in ("going", "waiting", "maybe"):
            raise UserError(
                "Press **Going** on the event card first; then you can tell the organisers privately"
                " about anything you need."
            )
        if not event.ask_needs and row["need"] is None:
            raise UserError(
                "The organisers of this event aren't asking about needs. If there's something they"
                " should know, you can ask them directly."
            )
        return event, row

    async def need_form(self, event_id: int, guild_id: int, member_id: int) -> NeedForm:
        """What the needs form opens with (what this member shared so far), or a kind refusal:
        the event is not this server's, is over or cancelled, they have not replied, or the
        organisers do not ask (and they shared nothing to change)."""
        if not 0 < event_id < 2**63:
            raise NotFound("I can't find that event any more. `/event list` shows what's coming up.")
        async with self.db.read() as tx:
            event, row = await self._need_row(tx, event_id, guild_id, member_id)
        return NeedForm(event, row["need"])

    async def set_need(self, event_id: int, guild_id: int, member_id: int, text: str) -> str | None:
        """Store what a member going (or waiting, or maybe) tells this event's organisers, cleaned
        and at most :data:`NEED_LIMIT` characters; empty deletes it. Returns what is stored."""
        need = clean_text(text or "", field=N_("What you wrote"), limit=NEED_LIMIT, multiline=True) or None
        if not 0 < event_id < 2**63:
            raise NotFound("I can't find that event any more. `/event list` shows what's coming up.")
        async with self.db.transaction() as tx:
            await self._need_row(tx, event_id, guild_id, member_id)
            await tx.execute(
                "UPDATE event_rsvps SET need = ? WHERE event_id = ? AND member_id = ?",
                (need, event_id, member_id),
            )
        return need

    async def mine(self, guild_id: int, member_id: int, *, counts: bool = False) -> list[MyEvent]:
        """My upcoming events (not 'can't go'), with my status and waiting-list place."""
        return (await self.my_events(guild_id, member_id, counts=counts)).items

    async def my_events(self, guild_id: int, member_id: int, *, counts: bool = False) -> MyEvents:
        """``/event mine`` in one statement: my upcoming events (not 'can't go') with my status and
        waiting-list place (how many wait ahead of me, plus one), and whether I get reminders
        (True when I have no events: it is only shown beside them). Each event's RSVP counts are
        left at 0 unless ``counts``: a member's own list shows their place, not the room's."""
        columns = _COUNTED if counts else _UNCOUNTED
        rows = await self.db.fetchall(
            f"SELECT {columns}, r.status AS my_status, r.promoted_at, r.promotion_dm,"
            " CASE WHEN r.status = 'waiting' THEN 1 + (SELECT COUNT(*) FROM event_rsvps w WHERE"
            " w.event_id = r.event_id AND w.status = 'waiting' AND w.seq < r.seq) END AS my_place,"
            " EXISTS (SELECT 1 FROM event_reminder_optouts o WHERE o.guild_id = ? AND o.member_id = ?)"
            " AS opted_out"
            " FROM event_rsvps r JOIN events e ON e.event_id = r.event_id"
            " WHERE e.guild_id = ? AND r.member_id = ? AND r.status != 'not_going' AND e.ends_at > ?"
            " ORDER BY e.starts_at",
            (guild_id, member_id, guild_id, member_id, self._now()),
        )
        items = [
            MyEvent(
                event=_row_to_event(row),
                status=row["my_status"],
                waiting_position=row["my_place"],
                promoted=row["promoted_at"] is not None and row["my_status"] == "going",
                promotion_dm=row["promotion_dm"],
            )
            for row in rows
        ]
        # Every row carries the same opt-out; with no rows it is not shown.
        return MyEvents(items, reminders_on=not (rows and rows[0]["opted_out"]))

    async def going_events(self, guild_id: int, member_id: int) -> list[EventInfo]:
        return [
            m.event
            for m in await self.mine(guild_id, member_id)
            if m.status == "going" and not m.event.cancelled
        ]

    # -- RSVP ----------------------------------------------------------------------------

    async def rsvp(
        self,
        event_id: int,
        member_id: int,
        choice: str,
        guild_id: int | None = None,
        *,
        check: Callable[[EventInfo], None] | None = None,
    ) -> RsvpOutcome:
        """Going / Maybe / Can't go. Going at capacity joins the waiting list in click order.

        With ``guild_id``, only for an event of that server (a button's id is untrusted). With
        ``check``, it is called with the event before anything is written, and may refuse with a
        :class:`UserError` (the cog checks a community's event is for this member), so the press
        reads the event once. The first await queues the write
        (:meth:`~bot.db.Database.grouped`), so concurrent calls are served in call order.
        """
        if choice not in ("going", "maybe", "not_going"):
            raise UserError("Choose Going, Maybe or Can't go.")
        if not 0 < event_id < 2**63:
            raise NotFound("I can't find that event any more. `/event list` shows what's coming up.")
        # Group commit: a burst of presses shares transactions (one fsync each), in press order.
        return await self.db.grouped(lambda tx: self._rsvp(tx, event_id, member_id, choice, guild_id, check))

    async def _rsvp(
        self,
        tx: Tx,
        event_id: int,
        member_id: int,
        choice: str,
        guild_id: int | None,
        check: Callable[[EventInfo], None] | None,
    ) -> RsvpOutcome:
        now = self._now()
        # The event, my reply (and whether I shared a need), its Going count and the next place
        # in the queue: one statement.
        row = await tx.fetchone(
            f"SELECT {_COUNTED}, r.status AS mine, r.need IS NOT NULL AS has_need,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM event_rsvps s WHERE s.event_id = e.event_id)"
            " AS next_seq"
            " FROM events e LEFT JOIN event_rsvps r ON r.event_id = e.event_id AND r.member_id = ?"
            " WHERE e.event_id = ?",
            (member_id, event_id),
        )
        if row is None or (guild_id is not None and row["guild_id"] != guild_id):
            raise NotFound("I can't find that event any more. `/event list` shows what's coming up.")
        event = _row_to_event(row)
        if check is not None:
            check(event)  # e.g. a community's event is for those who see its channel
        if row["status"] == "cancelled":
            raise UserError(
                "This event was cancelled, so it isn't taking replies. `/event list` shows what's on."
            )
        if row["starts_at"] <= now:
            raise UserError("This event has already started, so it isn't taking replies any more.")
        previous: Status | None = row["mine"]
        has_need = bool(row["has_need"])
        promoted: list[int] = []
        if choice == "going" and previous in ("going", "waiting"):
            status: Status = previous  # pressing Going again keeps your place
        else:
            if choice == "going":
                full = event.capacity is not None and event.going >= event.capacity
                status = "waiting" if full else "going"
            else:
                status = choice  # type: ignore[assignment]
            await tx.execute(
                "INSERT INTO event_rsvps (event_id, member_id, status, seq, updated_at) VALUES (?, ?, ?,"
                " ?, ?)"
                " ON CONFLICT (event_id, member_id) DO UPDATE SET status = excluded.status, seq ="
                " excluded.seq,"
                " updated_at = excluded.updated_at, promoted_at = NULL, promotion_dm = NULL,"
                # Can't go: what they told the organisers about their needs goes with their place.
                " need = CASE WHEN excluded.status = 'not_going' THEN NULL ELSE event_rsvps.need END",
                (event_id, member_id, status, row["next_seq"], now),
            )
            if previous == "going" and event.waiting:  # a place freed, and someone waits for it
                promoted = await self._promote(tx, event_id, now)
            if promoted:  # places moved: read the counts again
                event = await self._get(tx, event_id)
            else:  # only my reply changed: the counts follow it
                event = _moved(event, previous, status)
        position = None
        if status == "waiting" and previous == "waiting":
            position = 1 + await tx.fetchval(
                "SELECT COUNT(*) FROM event_rsvps WHERE event_id = ? AND status = 'waiting' AND seq <"
                " (SELECT seq FROM event_rsvps WHERE event_id = ? AND member_id = ?)",
                (event_id, event_id, member_id),
            )
        elif status == "waiting":
            position = event.waiting  # just joined: the last place in the queue
        deleted = has_need and status == "not_going"
        return RsvpOutcome(
            event,
            status,
            previous,
            position,
            promoted,
            has_need=has_need and not deleted,
            need_deleted=deleted,
        )

    @staticmethod
    async def _promote(tx: Tx, event_id: int, now: int) -> list[int]:
        """Fill free places from the waiting list, first come first served; each person moved up
        is owed a DM (in this transaction), dropped if not sent before the event starts."""
        row = await tx.fetchone(
            "SELECT guild_id, capacity, status, starts_at FROM events WHERE event_id = ?", (event_id,)
        )
        if row is None or row["status"] != "scheduled" or row["starts_at"] <= now:
            return []
        going = await tx.fetchval(
            "SELECT COUNT(*) FROM event_rsvps WHERE event_id = ? AND status = 'going'", (event_id,)
        )
        free = None if row["capacity"] is None else row["capacity"] - going
        waiting = await tx.fetchall(
            "SELECT member_id, seq FROM event_rsvps WHERE event_id = ? AND status = 'waiting' ORDER BY seq"
            + ("" if free is None else " LIMIT ?"),
            (event_id,) if free is None else (event_id, max(0, free)),
        )
        promoted = [r["member_id"] for r in waiting]
        for place in waiting:
            await tx.execute(
                "UPDATE event_rsvps SET status = 'going', promoted_at = ?, updated_at = ?, promotion_dm ="
                " NULL"
                " WHERE event_id = ? AND member_id = ?",
                (now, now, event_id, place["member_id"]),
            )
            await enqueue(
                tx,
                from_timestamp(now),
                guild_id=row["guild_id"],
                key=f"{PROMOTED_TOPIC}:{event_id}:{place['seq']}",
                topic=PROMOTED_TOPIC,
                recipient_id=place["member_id"],
                payload={"event_id": event_id, "seq": place["seq"]},
                not_after=from_timestamp(row["starts_at"]),
            )
        return promoted

    async def promotion_due(self, event_id: int, member_id: int, seq: int) -> EventInfo | None:
        """The event, if this member still has the place they were moved up to (same RSVP)."""
        async with self.db.read() as tx:
            row = await tx.fetchone(
                "SELECT status, seq, promoted_at FROM event_rsvps WHERE event_id = ? AND member_id = ?",
                (event_id, member_id),
            )
            if row is None or row["status"] != "going" or row["seq"] != seq or row["promoted_at"] is None:
                return None
            event = await self._get(tx, event_id)
        return None if event.cancelled else event

    async def record_promotion_dm(
        self, event_id: int, member_id: int, delivered: bool, seq: int | None = None
    ) -> None:
        """Whether the DM about a place got through (``failed``: ``/event mine`` tells them).

        With ``seq``, only for that RSVP: an answer given since is not marked by an older DM.
        """
        await self.db.execute(
            "UPDATE event_rsvps SET promotion_dm = ? WHERE event_id = ? AND member_id = ?"
            + ("" if seq is None else " AND seq = ?"),
            ("sent" if delivered else "failed", event_id, member_id, *(() if seq is None else (seq,))),
        )

    # -- changes -------------------------------------------------------------------------

    async def edit(self, event_id: int, guild_id: int, changes: EventChanges, tz: str) -> ChangeOutcome:
        """Change an event's time, place or details; returns who to tell. Saves nothing on bad input."""
        [outcome] = await self.edit_occurrences(event_id, guild_id, changes, tz)
        return outcome

    async def later_in_series(self, event: EventInfo) -> int:
        """How many occurrences of this event's series are scheduled after it (0 for a single event)."""
        if event.series_id is None:
            return 0
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM events WHERE series_id = ? AND starts_at > ? AND status = 'scheduled'",
                (event.series_id, event.starts_at),
            )
        )

    def _common_updates(self, changes: EventChanges) -> dict[str, Any]:
        """The changes that are the same for every occurrence changed: texts, capacity, needs."""
        updates: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            value = getattr(changes, name)
            if value is None:
                continue
            cleaned = clean_field(name, value)
            if cleaned == CLEAR:
                cleaned = None
            if name == "title" and cleaned is None:
                raise UserError("An event needs a title.")
            if name == "online_link":
                cleaned = validate_link(cleaned)
            updates[name] = cleaned if name != "description" else (cleaned or "")
        if changes.capacity is not None:
            updates["capacity"] = validate_capacity(changes.capacity, edit=True)
        if changes.remove_capacity:
            updates["capacity"] = None
        if changes.ask_needs is not None:
            updates["ask_needs"] = int(bool(changes.ask_needs))
        return updates

    async def edit_occurrences(
        self, event_id: int, guild_id: int, changes: EventChanges, tz: str, scope: str = "this"
    ) -> list[ChangeOutcome]:
        """Change one event (``scope="this"``), or it and every later scheduled occurrence of its
        series (``scope="rest"``); returns who to tell about each, in date order.

        Texts, capacity and asking about needs are set on each. A new start moves each later
        occurrence by the same amount of *local* time (18:00 to 19:00 stays 19:00 across a clock
        change, :mod:`bot.services.recurrence`); each keeps its own length unless a duration is
        given. Everything is checked before anything is saved, and all of it is saved in one
        transaction: one change notice per person per occurrence changed.
        """
        plans = await self._plan_edit(event_id, guild_id, changes, tz, scope)
        settings = await self.settings(guild_id)
        now_dt = self.clock.now()
        async with self.db.transaction() as tx:
            return [
                await self._apply_edit(tx, each.event_id, updates, time_changed, settings.lead_times, now_dt)
                for each, updates, time_changed in plans
            ]

    async def check_edit(self, event_id: int, guild_id: int, changes: EventChanges, tz: str) -> int:
        """Check an edit of this one event without saving anything (a :class:`UserError` says what
        to change); returns how many later occurrences of its series it could change too."""
        [(current, _, _)] = await self._plan_edit(event_id, guild_id, changes, tz, "this")
        return await self.later_in_series(current)

    async def _plan_edit(
        self, event_id: int, guild_id: int, changes: EventChanges, tz: str, scope: str
    ) -> list[tuple[EventInfo, dict[str, Any], bool]]:
        """Each occurrence an edit changes, with its updates and whether its time moves."""
        if changes.is_empty():
            raise UserError(
                "Tell me what to change: a new start, duration, place, link, details or capacity."
            )
        current = await self.get(event_id, guild_id)
        if current.cancelled:
            raise UserError("That event was cancelled; it can't be edited. Create a new one instead.")
        now_dt = self.clock.now()
        if current.ends_at <= to_timestamp(now_dt):
            raise UserError("That event has already finished, so it can't be changed.")
        if scope == "rest" and current.series_id is None:
            raise UserError("That event is not part of a series. Use `scope: Just this event` to change it.")
        common = self._common_updates(changes)
        occurrences = [current]
        if scope == "rest":
            rows = await self.db.fetchall(
                f"SELECT {_COUNTED} FROM events e WHERE e.series_id = ? AND e.starts_at > ? AND e.status ="
                " 'scheduled' ORDER BY e.starts_at",
                (current.series_id, current.starts_at),
            )
            occurrences += [_row_to_event(row) for row in rows]
        new_start = parse_when(changes.start, tz, now_dt) if changes.start is not None else None
        length = parse_duration(changes.duration) if changes.duration is not None else None
        plans: list[tuple[EventInfo, dict[str, Any], bool]] = []
        for each in occurrences:
            updates = dict(common)
            place = updates.get("place", each.place)
            link = updates.get("online_link", each.online_link)
            if not place and not link:
                raise UserError("An event needs a place, an online link, or both.")
            start, end = each.start, each.end
            if new_start is not None:
                start = (
                    new_start if each is current else shift_local(each.start, current.start, new_start, tz)
                )
                end = start + (each.end - each.start)
            if length is not None:
                end = start + length
            time_changed = (start, end) != (each.start, each.end)
            if time_changed:
                check_times(start, end, now_dt)
                updates["starts_at"], updates["ends_at"] = to_timestamp(start), to_timestamp(end)
            plans.append((each, updates, time_changed))
        return plans

    async def _apply_edit(
        self,
        tx: Tx,
        event_id: int,
        updates: dict[str, Any],
        time_changed: bool,
        leads: tuple[int, ...],
        now_dt: datetime,
    ) -> ChangeOutcome:
        """One occurrence's edit, in the caller's transaction: saved, reminders rebuilt, the
        waiting list moved up, and a change notice owed to each person going or waiting (not
        when only asking about needs changed: nothing they see is different)."""
        now = to_timestamp(now_dt)
        reminders: list[tuple[int, int]] = []
        sets = ", ".join(f"{name} = ?" for name in updates)
        await tx.execute(
            f"UPDATE events SET {sets}, revision = revision + 1, updated_at = ? WHERE event_id = ?",
            (*updates.values(), now, event_id),
        )
        if time_changed:
            await tx.execute("DELETE FROM event_reminders WHERE event_id = ?", (event_id,))
            reminders = await self._insert_reminders(tx, event_id, updates["starts_at"], leads, now)
        promoted = await self._promote(tx, event_id, now) if "capacity" in updates else []
        event = await self._get(tx, event_id)
        notify: list[int] = []
        visible = bool(set(updates) - {"ask_needs"})
        if visible:
            notify = [m for m in await self._going_and_waiting(tx, event_id) if m not in promoted]
        key = f"{CHANGED_TOPIC}:{event_id}:{event.revision}"
        for member_id in notify:
            await enqueue(
                tx,
                now_dt,
                guild_id=event.guild_id,
                key=key,
                topic=CHANGED_TOPIC,
                recipient_id=member_id,
                payload={"event_id": event_id, "time_changed": time_changed},
                not_after=event.end,
            )
        seqs = await self._seqs(tx, event_id, promoted)
        notices = [stored_key(key, m) for m in notify]
        notices += [stored_key(f"{PROMOTED_TOPIC}:{event_id}:{seqs[m]}", m) for m in promoted]
        return ChangeOutcome(event, notify, promoted, time_changed, reminders, notices, visible)

    @staticmethod
    async def _seqs(tx: Tx, event_id: int, members: list[int]) -> dict[int, int]:
        if not members:
            return {}
        rows = await tx.fetchall(
            f"SELECT member_id, seq FROM event_rsvps WHERE event_id = ? AND member_id IN"
            f" ({','.join('?' * len(members))})",
            (event_id, *members),
        )
        return {r["member_id"]: r["seq"] for r in rows}

    async def notice_due(self, event_id: int, member_id: int) -> EventInfo | None:
        """The event, if this member is still going or waiting and it still goes ahead."""
        async with self.db.read() as tx:
            status = await tx.fetchval(
                "SELECT status FROM event_rsvps WHERE event_id = ? AND member_id = ?", (event_id, member_id)
            )
            if status not in ("going", "waiting"):
                return None
            event = await self._get(tx, event_id)
        return None if event.cancelled else event

    async def cancellation_due(self, event_id: int) -> EventInfo | None:
        """The event, if it is (still) cancelled."""
        try:
            event = await self.get(event_id)
        except NotFound:
            return None
        return event if event.cancelled else None

    @staticmethod
    async def _going_and_waiting(tx: Tx, event_id: int) -> list[int]:
        rows = await tx.fetchall(
            "SELECT member_id FROM event_rsvps WHERE event_id = ? AND status IN ('going', 'waiting') ORDER"
            " BY seq",
            (event_id,),
        )
        return [r["member_id"] for r in rows]

    async def cancel(self, event_id: int, guild_id: int, scope: str = "this") -> list[ChangeOutcome]:
        """Cancel one event, or it and every later occurrence of its series (``scope="rest"``)."""
        event = await self.get(event_id, guild_id)
        if event.cancelled:
            raise UserError("That event is already cancelled.")
        now = self._now()
        if event.ends_at <= now:
            raise UserError("That event has already finished, so there's nothing to cancel.")
        if scope == "rest" and event.series_id is None:
            raise UserError("That event is not part of a series. Use `scope: this event` to cancel it.")
        outcomes = []
        async with self.db.transaction() as tx:
            if scope == "rest":
                rows = await tx.fetchall(
                    "SELECT event_id FROM events WHERE series_id = ? AND starts_at >= ? AND status ="
                    " 'scheduled'"
                    " ORDER BY starts_at",
                    (event.series_id, event.starts_at),
                )
                ids = [r["event_id"] for r in rows]
            else:
                ids = [event_id]
            for each in ids:
                await tx.execute(
                    "UPDATE events SET status = 'cancelled', updated_at = ? WHERE event_id = ?", (now, each)
                )
                await tx.execute(
                    "UPDATE event_reminders SET status = 'cancelled', done_at = ? WHERE event_id = ? AND"
                    " status = 'pending'",
                    (now, each),
                )
                cancelled = await self._get(tx, each)
                notify = await self._going_and_waiting(tx, each)
                key = f"{CANCELLED_TOPIC}:{each}"
                for member_id in notify:
                    await enqueue(
                        tx,
                        from_timestamp(now),
                        guild_id=cancelled.guild_id,
                        key=key,
                        topic=CANCELLED_TOPIC,
                        recipient_id=member_id,
                        payload={"event_id": each},
                        not_after=cancelled.end,
                    )
                outcomes.append(
                    ChangeOutcome(cancelled, notify, notices=[stored_key(key, m) for m in notify])
                )
        return outcomes

    # -- reminders -----------------------------------------------------------------------

    async def next_due(self, after: int) -> int | None:
        """When the first pending reminder or unposted card at or after ``after`` falls due."""
        row = await self.db.fetchone(
            "SELECT (SELECT MIN(due_at) FROM event_reminders WHERE status = 'pending' AND due_at >= ?),"
            " (SELECT MIN(starts_at) FROM events WHERE status = 'scheduled' AND message_id IS NULL AND"
            " starts_at >= ?)",
            (after, after + _CARD_WINDOW_S),
        )
        assert row is not None
        reminder, start = row[0], row[1]
        card = None if start is None else start - _CARD_WINDOW_S
        return min((t for t in (reminder, card) if t is not None), default=None)

    async def pending_reminders(
        self, event_id: int | None = None, *, due_before: int | None = None
    ) -> list[PendingReminder]:
        """Reminders still to send (of one event, or of all; with ``due_before``, only those due
        before it), soonest first."""
        where, args = "status = 'pending'", []
        if event_id is not None:
            where, args = where + " AND event_id = ?", [event_id]
        if due_before is not None:
            where, args = where + " AND due_at < ?", [*args, due_before]
        rows = await self.db.fetchall(
            f"SELECT event_id, lead_seconds, due_at FROM event_reminders WHERE {where} ORDER BY due_at", args
        )
        return [PendingReminder(r["event_id"], r["lead_seconds"], r["due_at"]) for r in rows]

    async def queue_reminder(self, event_id: int, lead_seconds: int) -> ReminderClaim | None:
        """Decide a due reminder once, and owe its DMs: None if it is not pending (or not due).

        In one transaction: the reminder is marked ``queued`` (``late`` after downtime) and one
        outbox item per recipient is written, keyed ``events.reminder:{event_id}:{lead}``, so a
        job that runs again (after a restart) owes nothing twice and a crash loses no one. Each
        item is dropped, not sent, once the event has started. If the event has already
        started, the reminder is ``skipped`` and nobody is owed anything.
        """
        async with self.db.transaction() as tx:
            now = self._now()
            reminder = await tx.fetchone(
                "SELECT due_at, status FROM event_reminders WHERE event_id = ? AND lead_seconds = ?",
                (event_id, lead_seconds),
            )
            if reminder is None or reminder["status"] != "pending" or reminder["due_at"] > now:
                return None
            event = await self._get(tx, event_id)
            recipients: list[int] = []
            outcome: Literal["queued", "late", "skipped", "cancelled"]
            if event.cancelled:
                outcome = "cancelled"
            elif event.starts_at <= now:
                outcome = "skipped"
            elif await tx.fetchval(
                "SELECT COUNT(*) FROM event_reminders WHERE event_id = ? AND due_at > ? AND due_at <= ?",
                (event_id, reminder["due_at"], now),
            ):
                outcome = "skipped"  # after downtime, only the most recent missed reminder is sent
            else:
                outcome = "late" if now - reminder["due_at"] > LATE_AFTER_SECONDS else "queued"
                recipients = await self._reminder_recipients(tx, event)
                for member_id in recipients:
                    await enqueue(
                        tx,
                        from_timestamp(now),
                        guild_id=event.guild_id,
                        key=reminder_key(event_id, lead_seconds),
                        topic=REMINDER_TOPIC,
                        recipient_id=member_id,
                        payload={
                            "event_id": event_id,
                            "lead": lead_seconds,
                            "starts_at": event.starts_at,
                            "late": outcome == "late",
                        },
                        not_after=event.start,
                    )
            await tx.execute(
                "UPDATE event_reminders SET status = ?, done_at = ? WHERE event_id = ? AND lead_seconds = ?",
                (outcome, now, event_id, lead_seconds),
            )
        return ReminderClaim(event, lead_seconds, outcome, recipients)

    async def _reminder_recipients(self, tx: Tx, event: EventInfo, member_id: int | None = None) -> list[int]:
        """Who a reminder of this event is for now (going, or maybe if the server says so; not
        those who turned reminders off), in reply order; or whether ``member_id`` is."""
        settings_row = await tx.fetchone(
            "SELECT lead_times, remind_maybe, mirror FROM event_settings WHERE guild_id = ?",
            (event.guild_id,),
        )
        settings = self._settings_from(event.guild_id, settings_row)
        statuses = ("going", "maybe") if settings.remind_maybe else ("going",)
        rows = await tx.fetchall(
            "SELECT member_id FROM event_rsvps WHERE event_id = ?"
            f" AND status IN ({', '.join('?' * len(statuses))})"
            " AND member_id NOT IN (SELECT member_id FROM event_reminder_optouts WHERE guild_id = ?)"
            + ("" if member_id is None else " AND member_id = ?")
            + " ORDER BY seq",
            (event.event_id, *statuses, event.guild_id, *(() if member_id is None else (member_id,))),
        )
        return [r["member_id"] for r in rows]

    async def reminder_due(self, event_id: int, member_id: int, starts_at: int) -> EventInfo | None:
        """The event, if this member should still get a reminder queued for a start at
        ``starts_at``: it still goes ahead at that time and they still want one."""
        async with self.db.read() as tx:
            try:
                event = await self._get(tx, event_id)
            except NotFound:
                return None
            if event.cancelled or event.starts_at != starts_at or event.starts_at <= self._now():
                return None
            if not await self._reminder_recipients(tx, event, member_id):
                return None
        return event

    async def set_reminders(self, guild_id: int, member_id: int, on: bool) -> None:
        if on:
            await self.db.execute(
                "DELETE FROM event_reminder_optouts WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
        else:
            await self.db.execute(
                "INSERT INTO event_reminder_optouts (guild_id, member_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (guild_id, member_id, self._now()),
            )

    # -- privacy (issue #9) ----------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Everything stored about this member by the events feature (JSON-serialisable)."""
        rsvps, optouts, created, series = await self.db.read_many(
            (
                "SELECT r.event_id, e.guild_id, e.title, e.starts_at, r.status, r.updated_at, r.promoted_at,"
                " r.promotion_dm, r.need AS need_shared_with_organisers"
                " FROM event_rsvps r JOIN events e ON e.event_id = r.event_id"
                " WHERE r.member_id = ? ORDER BY e.starts_at",
                (member_id,),
            ),
            ("SELECT guild_id, created_at FROM event_reminder_optouts WHERE member_id = ?", (member_id,)),
            ("SELECT event_id, guild_id, title, starts_at FROM events WHERE created_by = ?", (member_id,)),
            ("SELECT series_id, guild_id FROM event_series WHERE created_by = ?", (member_id,)),
        )
        return {
            "event_rsvps": [dict(r) for r in rsvps],
            "event_reminder_optouts": [dict(r) for r in optouts],
            "events_created": [dict(r) for r in created],
            "event_series_created": [dict(r) for r in series],
        }

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Erase this member's RSVPs and preferences; waiting lists move up to fill their places."""
        async with self.db.transaction() as tx:
            now = self._now()
            going = await tx.fetchall(
                "SELECT event_id FROM event_rsvps WHERE member_id = ? AND status = 'going'", (member_id,)
            )
            needs = await tx.fetchval(
                "SELECT COUNT(*) FROM event_rsvps WHERE member_id = ? AND need IS NOT NULL", (member_id,)
            )
            rsvps = await tx.execute("DELETE FROM event_rsvps WHERE member_id = ?", (member_id,))
            for row in going:
                await self._promote(tx, row["event_id"], now)
            optouts = await tx.execute("DELETE FROM event_reminder_optouts WHERE member_id = ?", (member_id,))
            events = await tx.execute(
                "UPDATE events SET created_by = NULL WHERE created_by = ?", (member_id,)
            )
            series = await tx.execute(
                "UPDATE event_series SET created_by = NULL WHERE created_by = ?", (member_id,)
            )
        return {
            "event_rsvps": rsvps.rowcount,
            "needs shared with organisers": int(needs),
            "event_reminder_optouts": optouts.rowcount,
            "events_created_by": events.rowcount,
            "event_series_created_by": series.rowcount,
        }
