"""What people see of events: the public card, lists, private replies and DMs. Pure functions.

Cards show counts only; names, and the needs students chose to share, are for organisers
(``/event attendees`` and its register, private), as plain display names, never mentions.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.clock import discord_time
from bot.services.events import Attendee, Attendees, ChangeOutcome, EventInfo, MyEvent, RsvpOutcome
from bot.services.recurrence import describe_rule
from bot.text import escape_markdown_for_staff
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    clip,
)

PAGE_SIZE = 5
NEEDS_ON_CARD = "After you press Going, you can tell the organisers privately what you need."
ALCOHOL_FREE_NOTE = "🥤 Alcohol-free, always."
KIND_LABEL = {"social": "Social", "workshop": "Workshop"}


def kind_label(event: EventInfo) -> str:
    return KIND_LABEL.get(event.kind, event.kind)


def places_line(event: EventInfo) -> str:
    if event.capacity is None:
        return "No limit"
    if event.spaces_left:
        return f"{event.spaces_left} of {event.capacity} left"
    waiting = f", {event.waiting} on the waiting list" if event.waiting else ""
    return f"Full{waiting}. Press Going to join the waiting list."


def short_when(event: EventInfo) -> str:
    return f"{discord_time(event.start, 'f')} ({discord_time(event.start, 'R')})"


def local_when(event: EventInfo, tz: str) -> str:
    """'Thu 08 Oct 18:30' in the server's timezone (for autocomplete, which can't show <t:...>)."""
    return event.start.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def render_card(event: EventInfo, *, series_rule: str | None = None) -> discord.Embed:
    """The public card: details and counts, never names."""
    cancelled = event.cancelled
    title = f"{'Cancelled: ' if cancelled else ''}{event.title}"
    description = f"**{kind_label(event)}** · {ALCOHOL_FREE_NOTE}"
    if event.description:
        description += f"\n\n{event.description}"
    embed = discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT),
        description=description,
        colour=discord.Colour.dark_grey() if cancelled else discord.Colour.teal(),
    )
    when = (
        f"{discord_time(event.start, 'F')} ({discord_time(event.start, 'R')})\n"
        f"until {discord_time(event.end, 't')}"
    )
    embed.add_field(name="When", value=when, inline=False)
    where = [w for w in (event.place, event.online_link and f"Online: {event.online_link}") if w]
    embed.add_field(name="Where", value="\n".join(where) or "To be confirmed", inline=False)
    for label, value in event.details():
        if label == "Alcohol-free":
            continue
        embed.add_field(
            name=label, value=clip(value, EMBED_FIELD_VALUE_LIMIT), inline=label != "Facilitators"
        )
    if not cancelled:
        embed.add_field(name="Places", value=places_line(event), inline=True)
        embed.add_field(name="Replies", value=f"Going {event.going} · Maybe {event.maybe}", inline=True)
    if event.community_channel_id:
        embed.add_field(
            name="Who can come", value=f"Members of <#{event.community_channel_id}>", inline=False
        )
    if event.ask_needs and not cancelled:
        embed.add_field(name="Access and dietary needs", value=NEEDS_ON_CARD, inline=False)
    footer = f"Event {event.event_id}"
    if series_rule:
        footer += f" · part of a {describe_rule(series_rule)} series"
    footer += " · Your reply is private: only organisers see names."
    embed.set_footer(text=footer)
    return embed


def mirror_fields(event: EventInfo) -> dict[str, Any]:
    """The Discord scheduled event (Events tab) for an event."""
    details = "; ".join(f"{label}: {value}" for label, value in event.details())
    description = clip(f"{event.description}\n\n{details}".strip(), 1000)
    return {
        "name": clip(event.title, 100),
        "start_time": event.start,
        "end_time": event.end,
        "entity_type": discord.EntityType.external,
        "location": clip(event.place or event.online_link or "Online", 100),
        "description": description,
    }


def list_page(guild_id: int, events: Sequence[EventInfo], index: int, total: int) -> discord.Embed:
    """``/event list``: one page of upcoming events (``PAGE_SIZE`` a page)."""
    embed = discord.Embed(title="Coming up (all alcohol-free)", colour=discord.Colour.teal())
    for event in events:
        where = event.place or "Online"
        card = (
            f" · [card](https://discord.com/channels/{guild_id}/{event.channel_id}/{event.message_id})"
            if event.message_id
            else " · replies open two weeks before"
        )
        embed.add_field(
            name=clip(f"{event.title} ({kind_label(event)})", EMBED_FIELD_NAME_LIMIT),
            value=clip(f"{short_when(event)} · {where} · {places_line(event)}{card}", 1024),
            inline=False,
        )
    embed.set_footer(text=f"Page {index + 1} of {total}")
    return embed


def status_words(item: MyEvent) -> str:
    if item.event.cancelled:
        return "Cancelled by the organisers"
    if item.status == "going":
        return "Going (moved up from the waiting list)" if item.promoted else "Going"
    if item.status == "waiting":
        return f"Waiting list, number {item.waiting_position}"
    return "Maybe"


def mine_embed(items: Sequence[MyEvent], reminders_on: bool) -> discord.Embed:
    """``/event mine``: my upcoming events and my place in each."""
    embed = discord.Embed(title="Your upcoming events", colour=discord.Colour.teal())
    for item in items[:25]:
        note = ""
        if item.promoted and item.promotion_dm == "failed":
            note = "\nA place opened up for you (I couldn't DM you, so here's the news)."
        embed.add_field(
            name=clip(item.event.title, EMBED_FIELD_NAME_LIMIT),
            value=clip(f"{short_when(item.event)} · **{status_words(item)}**{note}", 1024),
            inline=False,
        )
    embed.set_footer(text=f"Reminders by DM: {'on' if reminders_on else 'off'} (/event reminders)")
    return embed


# -- /event attendees and the register (organisers only) ---------------------------------------

#: At most this many people on one page of ``/event attendees`` (their names are looked up when
#: the page is shown), and this many characters of the page's list.
ATTENDEES_PER_PAGE = 25
_LIST_ROOM = EMBED_DESCRIPTION_LIMIT - 600  # the page's header and section headings fit in the rest
_NAME_ROOM = 100  # an escaped display name (Discord allows 32 characters) never takes more
_NEED_ROOM = 1100  # a need (at most 500 characters) with its Markdown escaped
_GROUPS = {"going": "Going", "waiting": "Waiting list, in order", "maybe": "Maybe"}
NEEDS_CARE = "Needs were shared in confidence: use them to prepare, and please don't pass them on."


def _need_text(need: str) -> str:
    """A need as organisers read it: one line, Markdown, mentions and links inert."""
    one_line = " / ".join(line.strip() for line in need.splitlines() if line.strip())
    return escape_markdown_for_staff(one_line, limit=_NEED_ROOM)


def _line_room(person: Attendee) -> int:
    return _NAME_ROOM + 16 + (len(_need_text(person.need)) + 12 if person.need else 0)


@dataclass(frozen=True, slots=True)
class AttendeePage:
    """The people on one page of ``/event attendees``, from ``start`` in the whole list."""

    start: int
    people: list[Attendee]


def attendee_pages(people: Attendees) -> list[AttendeePage]:
    """``/event attendees`` in pages: going, the waiting list in order, then maybe, at most
    :data:`ATTENDEES_PER_PAGE` people and what fits in one embed on each (names unknown yet)."""
    pages: list[AttendeePage] = []
    current: list[Attendee] = []
    used = start = 0
    for position, person in enumerate(people.people):
        room = _line_room(person)
        if current and (len(current) >= ATTENDEES_PER_PAGE or used + room > _LIST_ROOM):
            pages.append(AttendeePage(start, current))
            current, used, start = [], 0, position
        current.append(person)
        used += room
    pages.append(AttendeePage(start, current))
    return pages


def _attendee_line(person: Attendee, name: str) -> str:
    line = clip(name, _NAME_ROOM)
    if person.waiting_position is not None:
        line = f"{person.waiting_position}. {line}"
    if person.need:
        line += f" · *needs:* {_need_text(person.need)}"
    return line


def attendees_embed(
    info: EventInfo,
    people: Attendees,
    page: AttendeePage,
    names: Mapping[int, str],
    index: int = 0,
    total: int = 1,
) -> discord.Embed:
    """One page of ``/event attendees``: display names as plain text (never a mention), each
    with what they chose to share, for the organiser's eyes only."""
    counts = f"Going {len(people.going)} · Waiting {len(people.waiting)} · Maybe {len(people.maybe)}"
    if info.ask_needs or people.needs:
        counts += f" · {people.needs} shared a need"
    header = f"{short_when(info)} · {places_line(info)}\n{counts}\nOnly you can see this."
    if people.needs:
        header += f" {NEEDS_CARE}"
    sections: list[str] = []
    earlier = people.people[: page.start]
    for status, label in _GROUPS.items():
        group = [p for p in page.people if p.status == status]
        if not group:
            continue
        size = len(getattr(people, status))
        continued = any(p.status == status for p in earlier)
        heading = f"**{label} ({size})**" + (", continued" if continued else "")
        lines = [_attendee_line(p, names.get(p.member_id, "someone")) for p in group]
        sections.append("\n".join([heading, *lines]))
    body = "\n\n".join(sections) or "Nobody has replied yet."
    embed = discord.Embed(
        title=clip(f"Who's coming: {info.title}", EMBED_TITLE_LIMIT),
        description=clip(f"{header}\n\n{body}", EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    if total > 1:
        after = len(people.people) - page.start - len(page.people)
        more = f" · and {after} more on the next pages (Next)" if after else ""
        embed.set_footer(text=f"Page {index + 1} of {total}{more}")
    return embed


#: The register's columns (``/event attendees csv:True``).
REGISTER_COLUMNS = ("Name", "Status", "Waiting-list position", "Needs they shared")
#: A spreadsheet reads a cell starting with one of these as a formula (or a command): such a
#: cell is written with an apostrophe first, which spreadsheets show as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def plain_cell(text: str) -> str:
    """A spreadsheet cell that can never run as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def unescaped_name(name: str) -> str:
    """A display name from ``bot.names`` (escaped for Discord's Markdown) as the name itself."""
    return _ESCAPED.sub(r"\1", name).replace("@\u200b", "@")


def register_csv(people: Sequence[Attendee], names: Mapping[int, str]) -> bytes:
    """The register as a CSV file (UTF-8 with a byte order mark, so spreadsheets read every
    name): name, status (going / waiting / maybe), waiting-list position (blank unless
    waiting), and what the student chose to share. Made in memory, never stored."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REGISTER_COLUMNS)
    for person in people:
        writer.writerow(
            [
                plain_cell(unescaped_name(names.get(person.member_id, "someone"))),
                person.status,
                "" if person.waiting_position is None else str(person.waiting_position),
                plain_cell(person.need or ""),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def register_note(info: EventInfo, people: Attendees, listed: int) -> str:
    """What the organiser reads with the register."""
    total = len(people.people)
    text = (
        f"The register for **{info.title}**, {short_when(info)}: {total} "
        f"{'person' if total == 1 else 'people'} (going, the waiting list in order, then maybe)."
    )
    if listed < total:
        text += f" It lists the first {listed:,}; `/event attendees` shows everyone, page by page."
    text += " Only you can see this, and Common Room doesn't keep a copy."
    if people.needs:
        text += f" {NEEDS_CARE} Please delete the file after the event."
    return text


def rsvp_reply(outcome: RsvpOutcome) -> str:
    """The private answer to a Going / Maybe / Can't go press."""
    event = outcome.event
    if outcome.status == "going":
        message = f"You're going to **{event.title}**, {short_when(event)}. See you there!"
        if outcome.previous != "going":
            message += " I'll remind you by DM beforehand (turn that off with `/event reminders off`)."
    elif outcome.status == "waiting":
        message = (
            f"**{event.title}** is full, so you're on the waiting list: number"
            f" {outcome.waiting_position}. "
            "If a place frees up it's yours automatically, and I'll DM you. `/event mine` shows where"
            " you are."
        )
    elif outcome.status == "maybe":
        message = f"Noted as maybe for **{event.title}**. Press Going when you know."
    else:
        message = f"Thanks for letting us know you can't go to **{event.title}**."
        if outcome.previous in ("going", "waiting"):
            message += " Your place has been freed for someone else."
        if outcome.need_deleted:
            message += " What you told the organisers about your needs has been deleted."
    if outcome.offer_need_form:
        if outcome.has_need:
            message += (
                "\n\nYou've told the organisers about a need. To see or change it, press"
                f" **{NEED_CHANGE_LABEL}**."
            )
        else:
            message += (
                "\n\nThe organisers ask about access and dietary needs. If there's something they should"
                " know (step-free access, a quiet space, halal or vegetarian food...), press"
                f" **{NEED_LABEL}**. It's optional, and only this event's organisers will see it."
            )
    return message


NEED_LABEL = "Tell the organisers about a need"
NEED_CHANGE_LABEL = "See or change what I told them"


def need_saved(event: EventInfo, need: str | None) -> str:
    """The private answer to the needs form."""
    if need is None:
        return (
            f"Done: the organisers of **{event.title}** no longer see a need from you. Press"
            f" **{NEED_LABEL}** again if something comes up."
        )
    return (
        f"Thank you. The organisers of **{event.title}** will see what you wrote, and only they will"
        " (in their attendee list and register). It's deleted 7 days after the event, or straight"
        " away if you press **Can't go**. To change it, press the button again."
    )


def edited_reply(
    outcomes: Sequence[ChangeOutcome], told: int, owed: int, problem: str | None, asked: bool | None = None
) -> str:
    """What the organiser is told after ``/event edit`` (of one event, or this and later ones);
    ``asked`` is what they set asking about needs to (None: unchanged)."""
    people = sum(len(outcome.notify) for outcome in outcomes)
    promoted = sum(len(outcome.promoted) for outcome in outcomes)
    if len(outcomes) == 1:
        text = "Saved. The card is updated"
    else:
        text = (
            f"Saved for {len(outcomes)} events: this one and the {len(outcomes) - 1} after it in the"
            " series. Their cards are updated"
        )
    if any(outcome.visible for outcome in outcomes):
        each = " (once for each event they replied to)" if len(outcomes) > 1 else ""
        text += f" and I told {told} of {people} people going or waiting by DM{each}."
        text += told_later(owed)
    else:
        text += "; only asking about needs changed, so I haven't sent any DMs."
    if promoted:
        text += f" {promoted} moved up from the waiting list."
    if asked is True:
        text += (
            " From now on, people going (or waiting) are asked privately about access and dietary"
            " needs; what they share shows here in `/event attendees`."
        )
    elif asked is False:
        text += (
            " People going are no longer asked about needs. Anything already shared stays in"
            " `/event attendees` until 7 days after the event (they can still change or remove it)."
        )
    return text + (f"\n{problem}" if problem else "")


def reminder_dm(event: EventInfo, late: bool) -> str:
    where = event.place or ""
    if event.online_link:
        where = f"{where} · online: {event.online_link}" if where else f"online: {event.online_link}"
    return (
        f"Reminder: **{event.title}** starts {discord_time(event.start, 'R')} "
        f"({discord_time(event.start, 'f')}). {where}\n{ALCOHOL_FREE_NOTE}"
        " If you can't come any more, press **Can't go** on the card so someone else can have your place."
        " Turn these off with `/event reminders off`."
        + ("\n*(This reminder is late: Common Room was offline for a while. Sorry!)*" if late else "")
    )


def promoted_dm(event: EventInfo) -> str:
    return (
        f"Good news: a place opened up at **{event.title}** ({short_when(event)}), and it's yours. "
        "You're going. If you can't make it after all, press **Can't go** on the event card so the "
        "next person gets the place."
    )


def changed_dm(event: EventInfo, time_changed: bool) -> str:
    what = "time" if time_changed else "details"
    return (
        f"**{event.title}** has changed ({what}). It's now {short_when(event)}"
        f"{', at ' + event.place if event.place else ''}"
        f"{', online: ' + event.online_link if event.online_link else ''}. "
        "Your place is kept. If you can't come any more, press **Can't go** on the event card."
    )


def cancelled_dm(event: EventInfo) -> str:
    return (
        f"**{event.title}** on {discord_time(event.start, 'f')} has been cancelled. Sorry! "
        "`/event list` shows what else is coming up."
    )


def created_reply(events: Sequence[EventInfo], first: EventInfo, repeat: str | None, channel_id: int) -> str:
    """What the organiser is told after ``/event create`` (the first card may still be on its way
    if Discord asked the bot to wait)."""
    where = f"<#{channel_id}>"
    posted = first.message_id is not None
    if len(events) == 1:
        if not posted:
            return (
                f"Saved: **{first.title}**, {short_when(first)}. Discord asked me to wait, so its card"
                f" will appear in {where} in a moment."
            )
        return f"Done: **{first.title}** is posted in {where}, {short_when(first)}."
    first_card = (
        f"The first card is in {where}" if posted else f"The first card will appear in {where} shortly"
    )
    return (
        f"Done: a {repeat} series of {len(events)} events, **{first.title}**, from"
        f" {short_when(first)} "
        f"to {short_when(events[-1])}. {first_card}; each later card is posted two"
        " weeks "
        "before its date, so students can reply to each occurrence separately."
    )


def told_later(owed: int) -> str:
    """After 'I told X of N': how many DMs are still on their way (Discord asked the bot to wait)."""
    if not owed:
        return ""
    people = "person" if owed == 1 else "people"
    return f" The other {owed} {people} will get it as soon as Discord lets me send it."
