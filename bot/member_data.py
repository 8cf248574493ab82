"""The contract between ``/privacy`` and every feature that holds something about a member.

A feature's cog implements :class:`MemberData`; ``/privacy my-data`` and ``/privacy forget-me``
reach features only through it, and a test fails if a table the data inventory
(:mod:`bot.privacy`) lists as personal is covered by no feature's ``personal_tables``.

A feature whose counts from ``forget_member_data`` are keyed by its own names for things (a
table's, say) may give ``erased_labels``: those names mapped to what a member reads (marked
with ``N_``); ``/privacy forget-me`` shows the label, in the member's language.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

import discord


@runtime_checkable
class MemberData(Protocol):
    #: The inventory's personal tables whose rows ``export_member_data`` returns and
    #: ``forget_member_data`` erases (empty for a feature whose data lives on Discord only).
    personal_tables: ClassVar[frozenset[str]]

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """Everything this feature stores about the member, as JSON-ready data."""
        ...

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """Erase it; returns how many of each thing were removed."""
        ...
