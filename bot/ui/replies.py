"""Private replies within Discord's limits, and what the bot needs in a channel before it posts."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.errors import UserError
from bot.text import MESSAGE_LIMIT

# What the bot needs in a channel to post cards there, by the names Discord shows admins.
POST: tuple[tuple[str, str], ...] = (
    ("View Channel", "view_channel"),
    ("Send Messages", "send_messages"),
    ("Embed Links", "embed_links"),
)
PIN: tuple[tuple[str, str], ...] = (("Pin Messages", "pin_messages"),)
PRIVATE_THREADS: tuple[tuple[str, str], ...] = (
    ("View Channel", "view_channel"),
    ("Create Private Threads", "create_private_threads"),
    ("Send Messages in Threads", "send_messages_in_threads"),
)


def require_bot_permissions(
    channel: discord.abc.GuildChannel,
    needed: tuple[tuple[str, str], ...] = POST,
    *,
    doing: str = "post in",
    then: str = "then try again.",
) -> None:
    """Raise a UserError naming exactly which of ``needed`` the bot lacks in ``channel``."""
    me = channel.guild.me
    permissions = channel.permissions_for(me)
    missing = [
        label
        for label, flag in needed
        # Manage Messages also allows pinning (Pin Messages is Discord's newer, narrower one).
        if not (getattr(permissions, flag) or (flag == "pin_messages" and permissions.manage_messages))
    ]
    if missing:
        raise UserError(
            f"I can't {doing} {channel.mention} yet: I need {', '.join(missing)} there. Give my role "
            f"those permissions on the channel, {then}"
        )


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


async def send_private(
    interaction: discord.Interaction[Any], content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already answered."""
    if content is not None:
        content = clip(content, MESSAGE_LIMIT)
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.followup.send(content or discord.utils.MISSING, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


async def edit_post(
    client: discord.Client, channel_id: int | None, message_id: int | None, what: str, **kwargs: Any
) -> bool:
    """Redraw a message the bot posted (a card) in place; False, logged, if Discord refused.

    A redraw is drawn from the current state every time, so a lost one is repaired by the next.
    """
    if channel_id is None or message_id is None:
        return False
    message = client.get_partial_messageable(channel_id).get_partial_message(message_id)
    try:
        await message.edit(**kwargs)
    except discord.HTTPException as error:
        logging.getLogger(__name__).warning("Could not update %s (HTTP %s)", what, error.status)
        return False
    return True
