"""Private replies within Discord's limits, and what the bot needs in a channel before it posts."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.text import MESSAGE_LIMIT

log = logging.getLogger(__name__)

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


#: The refusal for each (``doing``, ``then``) that callers use, as one whole sentence each.
#: Permission names stay in English: they are the names Discord shows admins.
PERMISSION_REFUSALS: dict[tuple[str, str], Message] = {
    ("post in", "then try again."): N_(
        "I can't post in {channel} yet: I need {permissions} there. Give my role those permissions "
        "on the channel, then try again."
    ),
    ("post in", "then try again. Nothing was saved."): N_(
        "I can't post in {channel} yet: I need {permissions} there. Give my role those permissions "
        "on the channel, then try again. Nothing was saved."
    ),
    ("post in", "or choose another channel. Nothing was saved."): N_(
        "I can't post in {channel} yet: I need {permissions} there. Give my role those permissions "
        "on the channel, or choose another channel. Nothing was saved."
    ),
    ("open private threads in", "then try again."): N_(
        "I can't open private threads in {channel} yet: I need {permissions} there. Give my role "
        "those permissions on the channel, then try again."
    ),
}


async def reader(interaction: discord.Interaction[Any]) -> Translator:
    """The translator for whoever made ``interaction`` (English for a bare client, or if the
    language can't be read: an error message must still reach them)."""
    i18n = getattr(interaction.client, "i18n", None)
    if i18n is None:
        return SOURCE_TRANSLATOR
    try:
        translator: Translator = await i18n.for_interaction(interaction)
    except Exception:
        log.exception("Could not read the reader's language; answering in English")
        return SOURCE_TRANSLATOR
    return translator


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
        refusal = PERMISSION_REFUSALS.get((doing, then))
        if refusal is None:  # a wording no caller uses yet: English only (not in the catalogue)
            english = "I can't " + doing + " {channel} yet: I need {permissions} there. Give my role "
            refusal = Message(english + "those permissions on the channel, " + then.replace("{", "{{"))
        raise UserError(refusal, channel=channel.mention, permissions=", ".join(missing))


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
        log.warning("Could not update %s (HTTP %s)", what, error.status)
        return False
    return True
