"""Find a time (issue #19): the card and the organisers' ranking, as pure functions.

Counts only, never names: per time, how many can come. How many of those have caring or work
commitments is shown only to organisers, when the poll closes, and only once at least
``COMMITTED_SHOWN`` answerers said so: a live count on a public card would change the moment one
person pressed, and point at them.
"""

from __future__ import annotations

import discord

from bot.clock import discord_time
from bot.services.event_polls import COMMITTED_SHOWN, Poll, PollSlot
from bot.services.recurrence import to_local
from bot.ui import EMBED_FIELD_NAME_LIMIT, EMBED_TITLE_LIMIT, clip

COLOUR = discord.Colour.teal()


def slot_label(slot: PollSlot, tz: str) -> str:
    """'Mon 05 Jan 18:00' in the server's timezone (select options can't show <t:...>)."""
    return to_local(slot.start, tz).strftime("%a %d %b %H:%M")


def slot_counts(slot: PollSlot, *, commitments: bool = False) -> str:
    """How many can come; with ``commitments``, how many of them have commitments too."""
    people = "person" if slot.can == 1 else "people"
    line = f"{slot.can} {people} can come"
    if commitments and slot.committed:
        line += f" ({slot.committed} of them with caring or work commitments)"
    return line


def card_embed(poll: Poll) -> discord.Embed:
    """The public card: the times and their counts."""
    if poll.is_open:
        description = (
            "Which of these times could you make? Choose privately in the menu below: only counts "
            "are shown, never who chose what. You can change your answer until the poll closes "
            f"{discord_time(poll.start_closing, 'R')}. If caring or work limits when you can come, "
            "press the button too: when the poll closes, organisers see only how many, and only "
            f"once {COMMITTED_SHOWN} or more people have said so."
        )
    else:
        description = "This poll has closed. Thank you for answering: the organisers have the counts."
    embed = discord.Embed(
        title=clip(f"Find a time: {poll.title}", 256), description=description, colour=COLOUR
    )
    for slot in poll.slots:
        embed.add_field(
            name=clip(discord_time(slot.start, "F"), EMBED_FIELD_NAME_LIMIT),
            value=slot_counts(slot),
            inline=False,
        )
    embed.set_footer(text=f"{poll.answered} answered · poll {poll.poll_id}")
    return embed


def ranking_embed(poll: Poll) -> discord.Embed:
    """For the organisers when the poll closes: the times, most can come first."""
    shown = poll.commitments_shown
    lines = [
        f"{number}. {discord_time(slot.start, 'F')}: {slot_counts(slot, commitments=shown)}"
        for number, slot in enumerate(poll.ranking(), start=1)
    ]
    if shown:
        lines.append("\nA tie goes to the time more people with caring or work commitments can make.")
    elif poll.committed:
        lines.append(
            f"\nFewer than {COMMITTED_SHOWN} people said caring or work limits when they can come, so how "
            "many of them can make each time isn't shown (it could point at someone). A tie still goes "
            "to the time more of them can make."
        )
    embed = discord.Embed(
        title=clip(f"Find a time closed: {poll.title}", EMBED_TITLE_LIMIT),
        description="\n".join(lines)
        + f"\n\n{poll.answered} answered. Press a button to create the event at that time: everyone who "
        "said they could make it gets one DM.",
        colour=COLOUR,
    )
    return embed


def decided_dm(title: str, start_text: str, card_url: str | None) -> str:
    """The one line a student who could make the chosen time gets."""
    where = f" The card: {card_url}" if card_url else ""
    return f"**{title}** is on at {start_text}, a time you said you could make.{where}"


def poll_told(statuses: list[str]) -> str:
    """After creating an event from a poll: who has been told, who couldn't be, who is owed."""
    if not statuses:
        return "Nobody had said they could make that time, so there was no one to tell."
    sent = statuses.count("delivered")
    failed = statuses.count("failed") + statuses.count("dropped")
    owed = len(statuses) - sent - failed
    text = f"I told {sent} of the {len(statuses)} students who said they could make it."
    if failed:
        text += (
            f" {failed} couldn't be reached (their DMs are closed or they left the server); "
            "I won't keep trying, so tell them another way if you can."
        )
    if owed:
        text += f" {owed} more will get it as soon as Discord lets me send it."
    return text
