"""Calendar files (.ics, RFC 5545) for events, built with the ``icalendar`` library.

Every text goes through :func:`_plain` first: what organisers typed is cleaned when it is saved,
but a calendar file must never fail to build (a lone surrogate cannot be encoded), and events
saved before cleaning may still hold hidden or direction-changing characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from bot.clock import from_timestamp
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.text import clean_text

if TYPE_CHECKING:
    from bot.services.events import EventInfo

PRODID = "-//Common Room//Events//EN"
#: What a calendar entry is called, one whole phrase for each kind of event.
SUMMARY: dict[str, Message] = {
    "social": N_("{title} (alcohol-free social)"),
    "workshop": N_("{title} (alcohol-free workshop)"),
}


def _plain(text: str, *, multiline: bool = False) -> str:
    """``text`` cleaned as :func:`~bot.text.clean_text` does, a broken character replaced; one
    line unless ``multiline`` (only a description may have line breaks in a calendar file)."""
    return clean_text(text.encode("utf-8", "replace").decode("utf-8"), multiline=multiline)


def _vevent(event: EventInfo, stamp_ts: int, t: Translator) -> Event:
    vevent = Event()
    vevent.add("uid", f"event-{event.event_id}-{event.guild_id}@common-room")
    vevent.add("dtstamp", from_timestamp(stamp_ts))
    vevent.add("dtstart", from_timestamp(event.starts_at))
    vevent.add("dtend", from_timestamp(event.ends_at))
    summary = SUMMARY.get(event.kind)
    vevent.add(
        "summary",
        _plain(
            f"{event.title} (alcohol-free {event.kind})" if summary is None else t(summary, title=event.title)
        ),
    )
    location = _plain(event.place or event.online_link or "")
    if location:
        vevent.add("location", location)
    link = _plain(event.online_link or "")
    if link and not any(ch.isspace() for ch in link):  # a link as saved; anything else is no URL
        vevent.add("url", link)
    lines = [event.description] if event.description else []
    for label, value in event.details():
        lines.append(
            t("{label}: {value}", label=t(label), value=t(value) if isinstance(value, Message) else value)
        )
    vevent.add("description", _plain("\n".join(lines), multiline=True))
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return vevent


def calendar_bytes(
    events: Iterable[EventInfo],
    stamp_ts: int,
    name: str | None = None,
    t: Translator = SOURCE_TRANSLATOR,
) -> bytes:
    """A calendar file of ``events``, its words in ``t``'s language (the reader's)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _plain(name or "") or t("Common Room events"))
    for event in events:
        calendar.add_component(_vevent(event, stamp_ts, t))
    return bytes(calendar.to_ical())
