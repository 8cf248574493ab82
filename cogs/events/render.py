"""What people see of events: the public card, lists, private replies and DMs. Pure functions.

Cards show counts only; names are for organisers (``/event attendees``, private).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.clock import discord_time
from bot.services.events import Attendees, EventInfo, MyEvent, RsvpOutcome
from bot.services.recurrence import describe_rule
from bot.ui import EMBED_FIELD_NAME_LIMIT, EMBED_FIELD_VALUE_LIMIT, EMBED_TITLE_LIMIT, clip

PAGE_SIZE = 5
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


def attendees_embed(info: EventInfo, people: Attendees) -> discord.Embed:
    """``/event attendees``: names, for the organiser's eyes only."""
    embed = discord.Embed(
        title=clip(f"Who's coming: {info.title}", EMBED_TITLE_LIMIT),
        description=f"{short_when(info)} · {places_line(info)}\nOnly you can see this.",
        colour=discord.Colour.teal(),
    )
    for label, ids in (
        ("Going", people.going),
        ("Waiting list, in order", people.waiting),
        ("Maybe", people.maybe),
    ):
        lines = [f"{i}. <@{m}>" if label.startswith("Waiting") else f"<@{m}>" for i, m in enumerate(ids, 1)]
        value = clip(", ".join(lines) if not label.startswith("Waiting") else "\n".join(lines), 1024)
        embed.add_field(name=f"{label} ({len(ids)})", value=value or "Nobody yet", inline=False)
    return embed


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
    return message


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
