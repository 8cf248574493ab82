"""Views and forms kept in memory for one conversation (not persistent): errors go to the guard."""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import UserError
from bot.ui.guard import handle_interaction_error, report_user_error


def shield_item(item: discord.ui.Item[Any]) -> None:
    """Wrap an item's callback so a UserError becomes a private reply, not a logged error."""
    callback = item.callback
    if getattr(callback, "__commonroom_shielded__", False):
        return

    async def shielded(interaction: discord.Interaction[Any]) -> Any:
        try:
            return await callback(interaction)
        except UserError as error:
            await report_user_error(interaction, error)
            return None

    shielded.__commonroom_shielded__ = True  # type: ignore[attr-defined]
    item.callback = shielded  # type: ignore[method-assign]


class BaseView(discord.ui.View):
    """A View whose callbacks report errors the same way commands do."""

    def __init__(self, *, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        for item in self.children:
            shield_item(item)

    def add_item(self, item: discord.ui.Item[Any]) -> BaseView:
        shield_item(item)
        super().add_item(item)
        return self

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_interaction_error(interaction, error, f"view {type(self).__name__}")


class OwnedView(BaseView):
    """A private view that only the member it was shown to can use."""

    def __init__(self, owner_id: int, *, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id


class BaseModal(discord.ui.Modal):
    """A Modal kept in memory: override :meth:`submit`; errors are reported like everywhere else."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.submit(interaction)
        except UserError as error:
            await report_user_error(interaction, error)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await handle_interaction_error(interaction, error, f"modal {type(self).__name__}")


def unstored_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view only drawn, never kept: its items are persistent ones handled by custom id."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view
