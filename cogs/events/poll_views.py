"""Find a time (issue #19): the card's menu and button, and the organisers' "create it" buttons.

Every custom id is untrusted: ids are parsed strictly (:func:`~bot.ui.parse_id`), slot numbers
are at most two digits and checked against the poll by the service, and the poll must be one of
the server's. Choices and the commitments tick are answered privately; the organisers' buttons
re-check that the presser is an organiser on every press.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.errors import UserError
from bot.i18n import N_, Translator, Voice
from bot.services.event_polls import Poll, PollSlot
from bot.ui import BUTTON_LABEL_LIMIT, ID, PersistentItem, clip, cog_of, parse_id, unstored_view
from cogs.events.poll_render import slot_label, slot_label_in
from cogs.events.render import ENGLISH, each_language

SLOTS_PLACEHOLDER = N_("Choose every time you could make (only counts are shown)")
COMMITMENTS_LABEL = N_("I have caring or work commitments")
CLOSED_OPTION = N_("(closed)")

if TYPE_CHECKING:
    from cogs.events.commands import Events


def events_cog(interaction: discord.Interaction[Any]) -> Events:
    from cogs.events.commands import Events  # the cog imports this module

    return cog_of(interaction, Events)


class SlotsSelect(PersistentItem[discord.ui.Select[Any]], template=rf"event:poll:(?P<poll_id>{ID})"):
    """The card's menu: which times I could make (any number, none included)."""

    where = "find-a-time menu"

    def __init__(
        self, poll_id: int, options: list[discord.SelectOption] | None = None, voice: Voice = ENGLISH
    ) -> None:
        choices = options or [discord.SelectOption(label=voice.label(CLOSED_OPTION, 100), value="x")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"event:poll:{poll_id}",
                placeholder=voice.label(SLOTS_PLACEHOLDER, 150),
                options=choices,
                min_values=0,
                max_values=len(choices),
            )
        )
        self.poll_id = poll_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["poll_id"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        if not all(v.isdecimal() and len(v) <= 2 for v in values):
            raise UserError("That isn't one of the times on offer. Choose from the menu on the card.")
        await events_cog(interaction).poll_choose(interaction, self.poll_id, [int(v) for v in values])


class CommitmentsButton(
    PersistentItem[discord.ui.Button[Any]], template=rf"event:poll-care:(?P<poll_id>{ID})"
):
    """'I have caring or work commitments': a private toggle, counted, never shown by name."""

    where = "find-a-time commitments"

    def __init__(self, poll_id: int, voice: Voice = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=voice.label(COMMITMENTS_LABEL, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=f"event:poll-care:{poll_id}",
            )
        )
        self.poll_id = poll_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["poll_id"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await events_cog(interaction).poll_commitments(interaction, self.poll_id)


class PickButton(
    PersistentItem[discord.ui.Button[Any]],
    template=rf"event:poll-pick:(?P<poll_id>{ID}):(?P<slot>[0-9]{{1,2}})",
):
    """In the organisers' channel when a poll closes: create the event at this time."""

    where = "find-a-time create"

    def __init__(self, poll_id: int, slot: int, label: str = "Create the event at this time") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.primary,
                custom_id=f"event:poll-pick:{poll_id}:{slot}",
            )
        )
        self.poll_id, self.slot = poll_id, slot

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["poll_id"]), int(match["slot"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await events_cog(interaction).poll_pick(interaction, self.poll_id, self.slot)


def poll_card_view(poll: Poll, tz: str, voice: Voice = ENGLISH) -> discord.ui.View | None:
    """The card's menu and button, in the server's voice."""
    if not poll.is_open:
        return None
    options = [discord.SelectOption(label=slot_label_in(voice, s, tz), value=str(s.slot)) for s in poll.slots]
    return unstored_view(SlotsSelect(poll.poll_id, options, voice), CommitmentsButton(poll.poll_id, voice))


def pick_label(voice: Voice, slot: PollSlot, tz: str) -> str:
    """ "Create it: Mon 05 Jan 18:00 (4)", in each of the voice's languages."""

    def label(t: Translator) -> str:
        return t("Create it: {when} ({n})", when=slot_label(slot, tz, t), n=slot.can)

    return each_language(voice, label, BUTTON_LABEL_LIMIT, " / ")


def ranking_view(poll: Poll, tz: str, voice: Voice = ENGLISH) -> discord.ui.View:
    """One button per time, in ranking order (at most ten: a poll has at most ten times), in the
    server's voice (the organisers' channel)."""
    return unstored_view(
        *(PickButton(poll.poll_id, slot.slot, pick_label(voice, slot, tz)) for slot in poll.ranking())
    )
