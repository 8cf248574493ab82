"""One paged view, and one way to cut text into pages that fit Discord's limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.i18n import N_, Translator
from bot.ui.replies import reader, send_private
from bot.ui.views import BaseView

PREVIOUS = N_("Previous")
NEXT = N_("Next")
NOTHING = N_("Nothing to show.")


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


Page = discord.Embed | Sequence[discord.Embed]
#: Draws page ``i`` (0-based) when it is shown: a long list is read and rendered a page at a time.
PageSource = Callable[[int], Awaitable[Page]]


def _embeds(page: Page) -> list[discord.Embed]:
    return [page] if isinstance(page, discord.Embed) else list(page)


class PagedView(BaseView):
    """Previous / Next through ``count`` pages, privately; each page is drawn by ``source`` when
    it is shown (so the first reply reads and renders one page, not all of them). The buttons are
    in ``t``'s language; without ``t``, :func:`send_pages` draws them in the reader's."""

    def __init__(
        self, source: PageSource, count: int, *, timeout: float = 600, t: Translator | None = None
    ) -> None:
        super().__init__(timeout=timeout)
        self.source = source
        self.count = count
        self.page = 0
        self.t = t
        if t is not None:
            self.relabel(t)
        self._sync()

    def relabel(self, t: Translator) -> None:
        """Draw the buttons in ``t``'s language."""
        self.t = t
        self.previous.label = t(PREVIOUS)
        self.next.label = t(NEXT)

    @classmethod
    def of(cls, pages: Sequence[Page], *, timeout: float = 600, t: Translator | None = None) -> PagedView:
        """A view over pages already drawn."""
        drawn = [_embeds(page) for page in pages]

        async def source(index: int) -> Page:
            return drawn[index]

        return cls(source, len(drawn), timeout=timeout, t=t)

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.count - 1

    async def current(self) -> list[discord.Embed]:
        return _embeds(await self.source(self.page))

    async def _show(self, interaction: discord.Interaction[Any], page: int) -> None:
        self.page = min(self.count - 1, max(0, page))
        self._sync()
        await interaction.response.edit_message(embeds=await self.current(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.page + 1)


async def send_paged(
    interaction: discord.Interaction[Any],
    pages: Sequence[Page],
    content: str | None = None,
) -> None:
    """Send ``pages`` privately: one page as it is, several behind Previous / Next."""
    if not pages:
        await send_private(interaction, content or (await reader(interaction))(NOTHING))
        return
    await send_pages(interaction, PagedView.of(pages), content)


async def send_pages(
    interaction: discord.Interaction[Any], view: PagedView, content: str | None = None
) -> None:
    """Send the first page of ``view`` privately, with Previous / Next only if there are more."""
    embeds = await view.current()
    if view.t is None and view.count > 1:
        view.relabel(await reader(interaction))
    if view.count <= 1:
        view.stop()
        await send_private(interaction, content, embeds=embeds)
        return
    await send_private(interaction, content, embeds=embeds, view=view)
