"""One confirm dialog: a private question with a dangerous button and a safe one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.i18n import N_, Translator
from bot.ui.replies import reader
from bot.ui.views import OwnedView

CANCEL = N_("Cancel")
CANCELLED = N_("Cancelled. Nothing was changed.")

OnConfirm = Callable[[discord.Interaction[Any]], Awaitable[None]]


class ConfirmView(OwnedView):
    """Only ``owner_id`` can press. Confirm runs ``on_confirm`` (which must answer the interaction,
    for example with ``interaction.response.edit_message``); cancel says ``cancelled`` and removes
    the buttons. Errors go through the one guard like every other view.

    Pass the reader's translator ``t`` for the default Cancel label in their language; the default
    "Cancelled" message is always in the language of whoever presses it."""

    def __init__(
        self,
        owner_id: int,
        on_confirm: OnConfirm,
        *,
        confirm_label: str,
        cancel_label: str | None = None,
        cancelled: str | None = None,
        confirm_id: str | None = None,
        timeout: float = 300,
        t: Translator | None = None,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.on_confirm = on_confirm
        self.cancelled = cancelled
        confirm: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=confirm_label, style=discord.ButtonStyle.danger, custom_id=confirm_id
        )
        cancel: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=cancel_label or (t(CANCEL) if t is not None else CANCEL),
            style=discord.ButtonStyle.secondary,
        )
        confirm.callback = self._confirm  # type: ignore[method-assign]
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def _confirm(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        await self.on_confirm(interaction)

    async def _cancel(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        cancelled = self.cancelled if self.cancelled is not None else (await reader(interaction))(CANCELLED)
        await interaction.response.edit_message(content=cancelled, view=None, embeds=[])
