"""Find a time (issue #19): the card and the organisers' ranking, as pure functions.

Counts only, never names: per time, how many can come. How many of those have caring or work
commitments is shown only to organisers, when the poll closes, and only once at least
``COMMITTED_SHOWN`` answerers said so: a live count on a public card would change the moment one
person pressed, and point at them.
"""

from __future__ import annotations

from functools import partial

import discord
from babel.core import UnknownLocaleError
from babel.dates import format_datetime

from bot.clock import discord_time
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice, join_languages
from bot.services.event_polls import COMMITTED_SHOWN, Poll, PollSlot
from bot.services.recurrence import to_local
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_NAME_LIMIT, EMBED_TITLE_LIMIT, clip
from cogs.events.render import ENGLISH, each_language

COLOUR = discord.Colour.teal()
NO_TIMES = N_("none of these times")


def slot_label(slot: PollSlot, tz: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """'Mon 05 Jan 18:00' in the server's timezone and ``t``'s language (select options can't
    show <t:...>)."""
    local = to_local(slot.start, tz)
    try:
        return format_datetime(local, "EEE dd MMM HH:mm", locale=t.locale)
    except (UnknownLocaleError, ValueError):
        return local.strftime("%a %d %b %H:%M")


def slot_label_in(voice: Voice, slot: PollSlot, tz: str, limit: int = 100) -> str:
    """A time in each of the voice's languages ("Llun 05 Ion 18:00 / Mon 05 Jan 18:00")."""
    shown = list(dict.fromkeys(slot_label(slot, tz, t) for t in voice.translators))
    return join_languages(shown, limit, " / ")


def slot_counts(slot: PollSlot, *, commitments: bool = False, t: Translator = SOURCE_TRANSLATOR) -> str:
    """How many can come; with ``commitments``, how many of them have commitments too."""
    if commitments and slot.committed:
        return t.ngettext(
            "{n} person can come ({committed} of them with caring or work commitments)",
            "{n} people can come ({committed} of them with caring or work commitments)",
            slot.can,
            committed=slot.committed,
        )
    return t.ngettext("{n} person can come", "{n} people can come", slot.can)


def _counts(slot: PollSlot, t: Translator) -> str:
    return slot_counts(slot, t=t)


def card_embed(poll: Poll, voice: Voice = ENGLISH) -> discord.Embed:
    """The public card: the times and their counts, in the server's voice."""

    def description(t: Translator) -> str:
        if poll.is_open:
            return t(
                "Which of these times could you make? Choose privately in the menu below: only counts"
                " are shown, never who chose what. You can change your answer until the poll closes"
                " {closes}. If caring or work limits when you can come, press the button too: when the"
                " poll closes, organisers see only how many, and only once {shown} or more people"
                " have said so.",
                closes=discord_time(poll.start_closing, "R"),
                shown=COMMITTED_SHOWN,
            )
        return t("This poll has closed. Thank you for answering: the organisers have the counts.")

    title = each_language(
        voice, lambda t: t("Find a time: {title}", title=poll.title), EMBED_TITLE_LIMIT, " / "
    )
    embed = discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT),
        description=each_language(voice, description, EMBED_DESCRIPTION_LIMIT, "\n\n"),
        colour=COLOUR,
    )
    for slot in poll.slots:
        embed.add_field(
            name=clip(discord_time(slot.start, "F"), EMBED_FIELD_NAME_LIMIT),
            value=each_language(voice, partial(_counts, slot), 1024, " / "),
            inline=False,
        )
    footer = each_language(
        voice,
        lambda t: t("{answered} answered · poll {poll_id}", answered=poll.answered, poll_id=poll.poll_id),
        2048,
    )
    embed.set_footer(text=footer)
    return embed


def ranking_embed(poll: Poll, voice: Voice = ENGLISH) -> discord.Embed:
    """For the organisers when the poll closes: the times, most can come first (their channel's
    posts are in the server's voice)."""
    shown = poll.commitments_shown

    def text(t: Translator) -> str:
        lines = [
            t(
                "{number}. {when}: {counts}",
                number=number,
                when=discord_time(slot.start, "F"),
                counts=slot_counts(slot, commitments=shown, t=t),
            )
            for number, slot in enumerate(poll.ranking(), start=1)
        ]
        if shown:
            lines.append(
                "\n" + t("A tie goes to the time more people with caring or work commitments can make.")
            )
        elif poll.committed:
            lines.append(
                "\n"
                + t(
                    "Fewer than {shown} people said caring or work limits when they can come, so how many"
                    " of them can make each time isn't shown (it could point at someone). A tie still"
                    " goes to the time more of them can make.",
                    shown=COMMITTED_SHOWN,
                )
            )
        lines.append(
            "\n"
            + t(
                "{answered} answered. Press a button to create the event at that time: everyone who said"
                " they could make it gets one DM.",
                answered=poll.answered,
            )
        )
        return "\n".join(lines)

    title = each_language(
        voice, lambda t: t("Find a time closed: {title}", title=poll.title), EMBED_TITLE_LIMIT, " / "
    )
    return discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT),
        description=each_language(voice, text, EMBED_DESCRIPTION_LIMIT, "\n\n"),
        colour=COLOUR,
    )


def decided_dm(title: str, start_text: str, card_url: str | None, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The one line a student who could make the chosen time gets."""
    if card_url:
        return t(
            "**{title}** is on at {when}, a time you said you could make. The card: {url}",
            title=title,
            when=start_text,
            url=card_url,
        )
    return t("**{title}** is on at {when}, a time you said you could make.", title=title, when=start_text)


def poll_told(statuses: list[str], t: Translator = SOURCE_TRANSLATOR) -> str:
    """After creating an event from a poll: who has been told, who couldn't be, who is owed."""
    if not statuses:
        return t("Nobody had said they could make that time, so there was no one to tell.")
    sent = statuses.count("delivered")
    failed = statuses.count("failed") + statuses.count("dropped")
    owed = len(statuses) - sent - failed
    parts = [
        t.ngettext(
            "I told {sent} of the {n} student who said they could make it.",
            "I told {sent} of the {n} students who said they could make it.",
            len(statuses),
            sent=sent,
        )
    ]
    if failed:
        parts.append(
            t.ngettext(
                "{n} couldn't be reached (their DMs are closed or they left the server); I won't keep"
                " trying, so tell them another way if you can.",
                "{n} couldn't be reached (their DMs are closed or they left the server); I won't keep"
                " trying, so tell them another way if you can.",
                failed,
            )
        )
    if owed:
        parts.append(
            t.ngettext(
                "{n} more will get it as soon as Discord lets me send it.",
                "{n} more will get it as soon as Discord lets me send it.",
                owed,
            )
        )
    return " ".join(parts)
