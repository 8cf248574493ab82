"""What people see of events: the public card, lists, private replies and DMs. Pure functions.

Cards show counts only; names, and the needs students chose to share, are for organisers
(``/event attendees`` and its register, private: :mod:`cogs.events.render_attendees`), as plain
display names, never mentions. What organisers are told after their commands is in
:mod:`cogs.events.render_organisers`.

Languages (:mod:`bot.i18n`): private replies and DMs take the reader's ``t``; a card is a post and
takes the server's :class:`~bot.i18n.Voice` (Welsh, English, or both, Welsh first, in one card).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Final
from zoneinfo import ZoneInfo

import discord
from babel.core import UnknownLocaleError
from babel.dates import format_datetime

from bot.clock import discord_time
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator, Voice, join_languages
from bot.services.events import EventInfo, MyEvent, RsvpOutcome
from bot.services.recurrence import describe_rule
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    clip,
)

PAGE_SIZE = 5
EMBED_FOOTER_LIMIT = 2048
NEEDS_ON_CARD = N_("After you press Going, you can tell the organisers privately what you need.")
ALCOHOL_FREE_NOTE = N_("🥤 Alcohol-free, always.")
KIND_LABEL: dict[str, Message] = {"social": N_("Social"), "workshop": N_("Workshop")}
CANCELLED = N_("Cancelled")
ONLY_YOU = N_("Only you can see this.")
#: Posts in English (the default voice of a card, and of tests that don't choose one).
ENGLISH: Final = Voice((SOURCE_TRANSLATOR,))
#: "part of a weekly series", one whole sentence for each way an event repeats.
SERIES_NOTE: dict[str, Message] = {
    "weekly": N_("part of a weekly series"),
    "fortnightly": N_("part of a fortnightly series"),
    "monthly": N_("part of a monthly series"),
}


def each_language(voice: Voice, draw: Callable[[Translator], str], limit: int, separator: str = "\n") -> str:
    """``draw`` in each of the voice's languages (Welsh first), joined within ``limit``."""
    return join_languages([draw(t) for t in voice.translators], limit, separator)


def label_in_each(voice: Voice, message: str, limit: int) -> str:
    """A label in each language, "Cymraeg / English", once when both are spelt the same ("Cost")."""
    shown = list(dict.fromkeys(t(message) for t in voice.translators))
    return join_languages(shown, limit, " / ")


def shown_value(value: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """A detail's value: the bot's own words (marked :class:`Message`) translated, typed text as is."""
    return t(value) if isinstance(value, Message) else value


def kind_label(event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    label = KIND_LABEL.get(event.kind)
    return event.kind if label is None else t(label)


def places_line(event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    if event.capacity is None:
        return t("No limit")
    if event.spaces_left:
        return t("{left} of {capacity} left", left=event.spaces_left, capacity=event.capacity)
    if event.waiting:
        return t.ngettext(
            "Full, {n} on the waiting list. Press Going to join the waiting list.",
            "Full, {n} on the waiting list. Press Going to join the waiting list.",
            event.waiting,
        )
    return t("Full. Press Going to join the waiting list.")


def short_when(event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    # Translators: {when} is the date and time, {relative} "in 3 days" (Discord shows both).
    return t(
        "{when} ({relative})", when=discord_time(event.start, "f"), relative=discord_time(event.start, "R")
    )


def local_when(event: EventInfo, tz: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """'Thu 08 Oct 18:30' in the server's timezone and the reader's language (for autocomplete,
    which can't show <t:...>)."""
    local = event.start.astimezone(ZoneInfo(tz))
    try:
        return format_datetime(local, "EEE dd MMM HH:mm", locale=t.locale)
    except (UnknownLocaleError, ValueError):
        return local.strftime("%a %d %b %H:%M")


def choice_name(event: EventInfo, tz: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """An event in ``/event`` autocomplete: its title, when, and its number."""
    return t(
        "{title} · {when} (#{event_id})",
        title=event.title,
        when=local_when(event, tz, t),
        event_id=event.event_id,
    )


def series_note(series_rule: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    note = SERIES_NOTE.get(describe_rule(series_rule))  # keyed by the English words
    return t(note) if note is not None else t("part of a {rule} series", rule=describe_rule(series_rule, t))


def render_card(event: EventInfo, *, series_rule: str | None = None, voice: Voice = ENGLISH) -> discord.Embed:
    """The public card: details and counts, never names. In the server's voice: Welsh, English,
    or both (Welsh first) in one card."""
    cancelled = event.cancelled
    title = event.title
    if cancelled:
        title = f"{label_in_each(voice, CANCELLED, EMBED_TITLE_LIMIT)}: {title}"
    description = each_language(
        voice, lambda t: f"**{kind_label(event, t)}** · {t(ALCOHOL_FREE_NOTE)}", EMBED_DESCRIPTION_LIMIT
    )
    if event.description:
        description += f"\n\n{event.description}"
    embed = discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT),
        description=clip(description, EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.dark_grey() if cancelled else discord.Colour.teal(),
    )

    def name(label: str) -> str:
        return label_in_each(voice, label, EMBED_FIELD_NAME_LIMIT)

    def value(draw: Callable[[Translator], str]) -> str:
        return each_language(voice, draw, EMBED_FIELD_VALUE_LIMIT)

    starts = voice.primary(
        "{when} ({relative})", when=discord_time(event.start, "F"), relative=discord_time(event.start, "R")
    )
    until = each_language(
        voice, lambda t: t("until {end}", end=discord_time(event.end, "t")), EMBED_FIELD_VALUE_LIMIT, " / "
    )
    embed.add_field(name=name(N_("When")), value=f"{starts}\n{until}", inline=False)
    where = [event.place] if event.place else []
    if event.online_link:
        where.append(value(lambda t: t("Online: {link}", link=event.online_link)))
    embed.add_field(
        name=name(N_("Where")), value="\n".join(where) or value(lambda t: t("To be confirmed")), inline=False
    )
    for label, detail in event.details():
        if label == "Alcohol-free":
            continue
        shown = (
            each_language(voice, partial(shown_value, detail), EMBED_FIELD_VALUE_LIMIT)
            if isinstance(detail, Message)
            else detail  # what the organiser typed, once
        )
        embed.add_field(
            name=name(label), value=clip(shown, EMBED_FIELD_VALUE_LIMIT), inline=label != "Facilitators"
        )
    if not cancelled:
        embed.add_field(name=name(N_("Places")), value=value(lambda t: places_line(event, t)), inline=True)
        embed.add_field(
            name=name(N_("Replies")),
            value=value(lambda t: t("Going {going} · Maybe {maybe}", going=event.going, maybe=event.maybe)),
            inline=True,
        )
    if event.community_channel_id:
        channel = f"<#{event.community_channel_id}>"
        embed.add_field(
            name=name(N_("Who can come")),
            value=value(lambda t: t("Members of {channel}", channel=channel)),
            inline=False,
        )
    if event.ask_needs and not cancelled:
        embed.add_field(
            name=name(N_("Access and dietary needs")), value=value(lambda t: t(NEEDS_ON_CARD)), inline=False
        )

    def footer(t: Translator) -> str:
        parts = [t("Event {event_id}", event_id=event.event_id)]
        if series_rule:
            parts.append(series_note(series_rule, t))
        parts.append(t("Your reply is private: only organisers see names."))
        return " · ".join(parts)

    embed.set_footer(text=each_language(voice, footer, EMBED_FOOTER_LIMIT))
    return embed


def mirror_fields(event: EventInfo, voice: Voice = ENGLISH) -> dict[str, Any]:
    """The Discord scheduled event (Events tab) for an event, in the server's voice."""

    def details(t: Translator) -> str:
        return "; ".join(
            t("{label}: {value}", label=t(label), value=shown_value(value, t))
            for label, value in event.details()
        )

    description = clip(f"{event.description}\n\n{each_language(voice, details, 1000)}".strip(), 1000)
    return {
        "name": clip(event.title, 100),
        "start_time": event.start,
        "end_time": event.end,
        "entity_type": discord.EntityType.external,
        "location": clip(event.place or event.online_link or voice.label(N_("Online"), 100), 100),
        "description": description,
    }


def list_page(
    guild_id: int, events: Sequence[EventInfo], index: int, total: int, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """``/event list``: one page of upcoming events (``PAGE_SIZE`` a page)."""
    embed = discord.Embed(title=t("Coming up (all alcohol-free)"), colour=discord.Colour.teal())
    for event in events:
        where = event.place or t("Online")
        when, places = short_when(event, t), places_line(event, t)
        if event.message_id:
            url = f"https://discord.com/channels/{guild_id}/{event.channel_id}/{event.message_id}"
            line = t(
                "{when} · {where} · {places} · [card]({url})", when=when, where=where, places=places, url=url
            )
        else:
            line = t(
                "{when} · {where} · {places} · replies open two weeks before",
                when=when,
                where=where,
                places=places,
            )
        embed.add_field(
            name=clip(
                t("{title} ({kind})", title=event.title, kind=kind_label(event, t)), EMBED_FIELD_NAME_LIMIT
            ),
            value=clip(line, 1024),
            inline=False,
        )
    embed.set_footer(text=t("Page {page} of {total}", page=index + 1, total=total))
    return embed


def status_words(item: MyEvent, t: Translator = SOURCE_TRANSLATOR) -> str:
    if item.event.cancelled:
        return t("Cancelled by the organisers")
    if item.status == "going":
        return t("Going (moved up from the waiting list)") if item.promoted else t.pgettext("status", "Going")
    if item.status == "waiting":
        return t("Waiting list, number {position}", position=item.waiting_position)
    return t.pgettext("status", "Maybe")


def mine_embed(
    items: Sequence[MyEvent], reminders_on: bool, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """``/event mine``: my upcoming events, soonest first, and my place in each: one short block
    per event in the description (as many as fit, then how many more), not an embed field each."""
    room = EMBED_DESCRIPTION_LIMIT - 100  # 100: for the "and more" line
    blocks: list[str] = []
    for item in items:
        line = t("{when} · **{status}**", when=short_when(item.event, t), status=status_words(item, t))
        if item.promoted and item.promotion_dm == "failed":
            line += "\n" + t("A place opened up for you (I couldn't DM you, so here's the news).")
        block = f"**{clip(item.event.title, EMBED_FIELD_NAME_LIMIT)}**\n{line}"
        room -= len(block) + 2
        if blocks and room < 0:
            break
        blocks.append(block)
    description = "\n\n".join(blocks)
    if len(blocks) < len(items):
        more = len(items) - len(blocks)
        description += "\n\n" + t.ngettext("…and {n} more event.", "…and {n} more events.", more)
    embed = discord.Embed(
        title=t("Your upcoming events"),
        description=clip(description, EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    embed.set_footer(
        text=t("Reminders by DM: on (/event reminders)")
        if reminders_on
        else t("Reminders by DM: off (/event reminders)")
    )
    return embed


#: What ``/privacy forget-me`` says it erased, by the service's names for it.
ERASED: dict[str, Message] = {
    "event_rsvps": N_("replies to events"),
    "needs shared with organisers": N_("needs shared with organisers"),
    "event_reminder_optouts": N_("your reminder setting"),
    "events_created_by": N_("your name on events you created"),
    "event_series_created_by": N_("your name on series you created"),
    "polls": N_("find-a-time answers, and your name on polls you started"),
    "evaluations": N_("evaluation follow-ups due to you"),
}


NEED_LABEL = N_("Tell the organisers about a need")
NEED_CHANGE_LABEL = N_("See or change what I told them")


def rsvp_reply(outcome: RsvpOutcome, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The private answer to a Going / Maybe / Can't go press."""
    event = outcome.event
    title = event.title
    parts: list[str]
    if outcome.status == "going":
        parts = [
            t("You're going to **{title}**, {when}. See you there!", title=title, when=short_when(event, t))
        ]
        if outcome.previous != "going":
            parts.append(t("I'll remind you by DM beforehand (turn that off with `/event reminders off`)."))
    elif outcome.status == "waiting":
        parts = [
            t(
                "**{title}** is full, so you're on the waiting list: number {position}. If a place frees up"
                " it's yours automatically, and I'll DM you. `/event mine` shows where you are.",
                title=title,
                position=outcome.waiting_position,
            )
        ]
    elif outcome.status == "maybe":
        parts = [t("Noted as maybe for **{title}**. Press Going when you know.", title=title)]
    else:
        parts = [t("Thanks for letting us know you can't go to **{title}**.", title=title)]
        if outcome.previous in ("going", "waiting"):
            parts.append(t("Your place has been freed for someone else."))
        if outcome.need_deleted:
            parts.append(t("What you told the organisers about your needs has been deleted."))
    message = " ".join(parts)
    if outcome.offer_need_form:
        if outcome.has_need:
            message += "\n\n" + t(
                "You've told the organisers about a need. To see or change it, press **{button}**.",
                button=t(NEED_CHANGE_LABEL),
            )
        else:
            message += "\n\n" + t(
                "The organisers ask about access and dietary needs. If there's something they should"
                " know (step-free access, a quiet space, halal or vegetarian food...), press"
                " **{button}**. It's optional, and only this event's organisers will see it.",
                button=t(NEED_LABEL),
            )
    return message


def need_saved(event: EventInfo, need: str | None, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The private answer to the needs form."""
    if need is None:
        return t(
            "Done: the organisers of **{title}** no longer see a need from you. Press **{button}** again"
            " if something comes up.",
            title=event.title,
            button=t(NEED_LABEL),
        )
    return t(
        "Thank you. The organisers of **{title}** will see what you wrote, and only they will"
        " (in their attendee list and register). It's deleted 7 days after the event, or straight"
        " away if you press **Can't go**. To change it, press the button again.",
        title=event.title,
    )


def _where(event: EventInfo, t: Translator) -> str:
    if event.place and event.online_link:
        return t("{place} · online: {link}", place=event.place, link=event.online_link)
    if event.online_link:
        return t("online: {link}", link=event.online_link)
    return event.place or ""


def reminder_dm(event: EventInfo, late: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    text = t(
        "Reminder: **{title}** starts {relative} ({when}). {where}\n{alcohol_free} If you can't come any"
        " more, press **Can't go** on the card so someone else can have your place. Turn these off"
        " with `/event reminders off`.",
        title=event.title,
        relative=discord_time(event.start, "R"),
        when=discord_time(event.start, "f"),
        where=_where(event, t),
        alcohol_free=t(ALCOHOL_FREE_NOTE),
    )
    if late:
        text += "\n" + t("*(This reminder is late: Common Room was offline for a while. Sorry!)*")
    return text


def promoted_dm(event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(
        "Good news: a place opened up at **{title}** ({when}), and it's yours. You're going. If you"
        " can't make it after all, press **Can't go** on the event card so the next person gets the"
        " place.",
        title=event.title,
        when=short_when(event, t),
    )


def changed_dm(event: EventInfo, time_changed: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    where = ""
    if event.place:
        where += t(", at {place}", place=event.place)
    if event.online_link:
        where += t(", online: {link}", link=event.online_link)
    values = {"title": event.title, "when": short_when(event, t), "where": where}
    if time_changed:
        return t(
            "**{title}** has changed (time). It's now {when}{where}. Your place is kept. If you can't"
            " come any more, press **Can't go** on the event card.",
            **values,
        )
    return t(
        "**{title}** has changed (details). It's now {when}{where}. Your place is kept. If you can't"
        " come any more, press **Can't go** on the event card.",
        **values,
    )


def cancelled_dm(event: EventInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(
        "**{title}** on {when} has been cancelled. Sorry! `/event list` shows what else is coming up.",
        title=event.title,
        when=discord_time(event.start, "f"),
    )
