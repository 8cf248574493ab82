"""Persistent buttons and menus: the custom id carries what the item is about, so they keep working
after a restart and on cards posted long ago.

Subclass :class:`PersistentItem` with a ``template`` (the custom id pattern), build the item in
``__init__``, rebuild it from the template's captured parts in :meth:`PersistentItem.from_match`
(an item with a fixed custom id needs none) and act in :meth:`PersistentItem.run`. Every error
goes through the one guard. :func:`cog_of` is the typed way to reach the feature's cog.

Custom ids are untrusted input: templates must bound every number (``\\d{1,19}``) so a forged id
can neither overflow nor match a longer prefix.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self, TypeVar

import discord
from discord.ext import commands

from bot.errors import UserError
from bot.text import BUTTON_LABEL_LIMIT
from bot.ui.guard import guard

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])
CogT = TypeVar("CogT", bound=commands.Cog)

ID = r"\d{1,19}"  # a Discord id or a database row id, never longer


def cog_of(interaction: discord.Interaction[Any], cog_type: type[CogT]) -> CogT:
    """The loaded cog of ``cog_type``; a kind message if that feature is not running right now."""
    client = interaction.client
    cog = client.get_cog(cog_type.__cog_name__) if isinstance(client, commands.Bot) else None
    if not isinstance(cog, cog_type):
        raise UserError("That part of Common Room isn't available right now. Please try again in a minute.")
    return cog


def parse_id(text: str) -> int:
    """A row or Discord id from a custom id's captured digits (bounded by the template).

    Never raises: it runs in ``from_custom_id``, outside the guard, where an exception would leave
    the person with "This interaction failed". An id out of range becomes 0, which no row has,
    so :meth:`PersistentItem.run` answers it kindly as not found.
    """
    value = int(text) if text.isdecimal() and len(text) <= 19 else 0
    return value if 0 < value < 2**63 else 0


class PersistentItem(discord.ui.DynamicItem[ItemT], template=r"(?!)"):
    """A DynamicItem whose callback runs :meth:`run` inside the one error guard."""

    where: ClassVar[str] = ""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guard(interaction, self.where or type(self).__name__, lambda: self.run(interaction))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Any:
        """discord.py's hook for a pressed item: the item :meth:`from_match` builds. Override this
        instead only when the item needs more than its custom id (say, the options it was sent with)."""
        return cls.from_match(match)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The item a custom id stands for, from what its template captured (parse numbers with
        :func:`parse_id`). By default, for an item whose custom id is a fixed string: built with no
        arguments."""
        return cls()  # type: ignore[call-arg]  # a subclass with a fixed id takes no arguments


class RowButton(PersistentItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A persistent button about one row (a run, a pairing, a community, a case).

    Its custom id is ``{prefix}:{row_id}``; a subclass sets ``prefix``, ``label`` (and ``style``,
    ``emoji``) and declares ``template=rf"{prefix}:(?P<id>{ID})"``. ``row_id`` is parsed with
    :func:`parse_id`, so a forged id reaches :meth:`run` (inside the guard) as 0, never a crash.
    """

    prefix: ClassVar[str]
    label: ClassVar[str] = ""
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    emoji: ClassVar[str | None] = None

    def __init__(self, row_id: int, *, label: str | None = None) -> None:
        self.row_id = row_id
        super().__init__(
            discord.ui.Button(
                label=(label or self.label)[:BUTTON_LABEL_LIMIT],
                style=self.style,
                emoji=self.emoji,
                custom_id=f"{self.prefix}:{row_id}",
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["id"]))
