"""Urgent help as every feature shows it: the server's signpost directory, or the national lines.

The signposts feature implements :class:`SupportDirectory`; pulse, reports and mentoring call
:func:`support_payload` and never look the signposts cog up themselves. If the directory is not
loaded, or fails, the student still gets the national crisis lines (:mod:`bot.support`): never
nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

import discord
from discord.ext import commands

from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.support import crisis_fields

log = logging.getLogger(__name__)

MAX_EMBEDS = 10
FALLBACK_TITLE = N_("Support, any time")
FALLBACK_FOOTER = N_("Only you can see this. Nothing is recorded about who saw it.")


@runtime_checkable
class SupportDirectory(Protocol):
    async def directory_support(self, guild_id: int, need: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``send_private``: urgent help first, then the need's contacts."""
        ...


def fallback_support(intro: str | None = None, t: Translator = SOURCE_TRANSLATOR) -> dict[str, Any]:
    """The national crisis lines as an embed, for when the directory can't answer (``intro`` is
    shown as given: translate it before)."""
    embed = discord.Embed(title=t(FALLBACK_TITLE), description=intro, colour=discord.Colour.green())
    for name, value in crisis_fields(t):
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=t(FALLBACK_FOOTER))
    return {"embeds": [embed]}


async def support_payload(
    client: discord.Client,
    guild_id: int,
    need: str | None = None,
    *,
    intro: str | None = None,
    t: Translator = SOURCE_TRANSLATOR,
) -> dict[str, Any]:
    """The directory's support for ``need`` (urgent help first), or the national lines (in ``t``'s
    language: the reader's)."""
    cogs = client.cogs.values() if isinstance(client, commands.Bot) else ()
    directory = next((cog for cog in cogs if isinstance(cog, SupportDirectory)), None)
    if directory is not None:
        try:
            payload = await directory.directory_support(guild_id, need)
        except Exception:  # another feature's failure must never hide urgent help
            log.exception("The signpost directory could not give support")
        else:
            embeds = [e for e in payload.get("embeds", []) if isinstance(e, discord.Embed)]
            if embeds:
                kept: dict[str, Any] = {"embeds": embeds[:MAX_EMBEDS]}
                if isinstance(payload.get("view"), discord.ui.View):
                    kept["view"] = payload["view"]
                return kept
    return fallback_support(intro, t)
