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
from bot.services.event_polls import Poll
from bot.ui import BUTTON_LABEL_LIMIT, ID, PersistentItem, clip, cog_of, parse_id, unstored_view
from cogs.events.poll_render import slot_label

if TYPE_CHECKING:
    from cogs.events.commands import Events


def events_cog(interaction: discord.Interaction[Any]) -> Events:
    from cogs.events.commands import Events  # the cog imports this module

    return cog_of(interaction, Events)


class SlotsSelect(PersistentItem[discord.ui.Select[Any]], template=rf"event:poll:(?P<poll_id>{ID})"):
    """The card's menu: which times I could make (any number, none included)."""

    where = "find-a-time menu"

    def __init__(self, poll_id: int, options: list[discord.SelectOption] | None = None) -> None:
        choices = options or [discord.SelectOption(label="(closed)", value="x")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"event:poll:{poll_id}",
                placeholder="Choose every time you could make (only counts are shown)",
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

    def __init__(self, poll_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="I have caring or work commitments",
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


def poll_card_view(poll: Poll, tz: str) -> discord.ui.View | None:
    if not poll.is_open:
        return None
    options = [discord.SelectOption(label=slot_label(s, tz), value=str(s.slot)) for s in poll.slots]
    return unstored_view(SlotsSelect(poll.poll_id, options), CommitmentsButton(poll.poll_id))


def ranking_view(poll: Poll, tz: str) -> discord.ui.View:
    """One button per time, in ranking order (at most ten: a poll has at most ten times)."""
    return unstored_view(
        *(
            PickButton(poll.poll_id, slot.slot, f"Create it: {slot_label(slot, tz)} ({slot.can})")
            for slot in poll.ranking()
        )
    )
