"""Calendar files (.ics, RFC 5545) for events, built with the ``icalendar`` library."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from bot.clock import from_timestamp

if TYPE_CHECKING:
    from bot.services.events import EventInfo

PRODID = "-//Common Room//Events//EN"


def _vevent(event: EventInfo, stamp_ts: int) -> Event:
    vevent = Event()
    vevent.add("uid", f"event-{event.event_id}-{event.guild_id}@common-room")
    vevent.add("dtstamp", from_timestamp(stamp_ts))
    vevent.add("dtstart", from_timestamp(event.starts_at))
    vevent.add("dtend", from_timestamp(event.ends_at))
    vevent.add("summary", f"{event.title} (alcohol-free {event.kind})")
    location = event.place or event.online_link
    if location:
        vevent.add("location", location)
    if event.online_link:
        vevent.add("url", event.online_link)
    lines = [event.description] if event.description else []
    for label, value in event.details():
        lines.append(f"{label}: {value}")
    vevent.add("description", "\n".join(lines))
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return vevent


def calendar_bytes(events: Iterable[EventInfo], stamp_ts: int, name: str = "Common Room events") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, stamp_ts))
    return bytes(calendar.to_ical())
