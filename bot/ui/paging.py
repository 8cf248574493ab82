"""One paged view, and one way to cut text into pages that fit Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.replies import send_private
from bot.ui.views import BaseView


def paginate(blocks: Sequence[str], limit: int, *, separator: str = "\n\n") -> list[str]:
    """Join ``blocks`` with ``separator`` into pages of at most ``limit`` characters.

    A block longer than ``limit`` is a page of its own (callers clip blocks first).
    """
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) > limit and current:
            pages.append(current)
            candidate = block
        current = candidate
    if current:
        pages.append(current)
    return pages


class PagedView(BaseView):
    """Previous / Next through a list of pages (each page one or more embeds), privately."""

    def __init__(
        self, pages: Sequence[discord.Embed | Sequence[discord.Embed]], *, timeout: float = 600
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = [[p] if isinstance(p, discord.Embed) else list(p) for p in pages]
        self.page = 0
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    @property
    def current(self) -> list[discord.Embed]:
        return self.pages[self.page]

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page = max(0, self.page - 1)
        self._sync()
        await interaction.response.edit_message(embeds=self.current, view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page = min(len(self.pages) - 1, self.page + 1)
        self._sync()
        await interaction.response.edit_message(embeds=self.current, view=self)


async def send_paged(
    interaction: discord.Interaction[Any],
    pages: Sequence[discord.Embed | Sequence[discord.Embed]],
    content: str | None = None,
) -> None:
    """Send ``pages`` privately: one page as it is, several behind Previous / Next."""
    if not pages:
        await send_private(interaction, content or "Nothing to show.")
        return
    if len(pages) == 1:
        only = pages[0]
        await send_private(
            interaction, content, embeds=[only] if isinstance(only, discord.Embed) else list(only)
        )
        return
    view = PagedView(pages)
    await send_private(interaction, content, embeds=view.current, view=view)
