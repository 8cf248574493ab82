"""What every command, button and modal shares: private replies and one way of handling errors.

* A :class:`~bot.errors.UserError` becomes a private message saying what to change. It is a
  reply, not a failure, so it never reaches discord.py's error handlers.
* Anything unexpected becomes a private "Something went wrong (error ABC123)", and is logged
  with that id and the traceback, so an admin can find it from a student's screenshot.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord

from bot.errors import UserError

log = logging.getLogger("bot.errors")

# Discord's own limits, enforced before a request is sent.
MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TITLE_LIMIT = 256
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
SELECT_OPTIONS_LIMIT = 25
SELECT_LABEL_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
MODAL_TITLE_LIMIT = 45
TEXT_INPUT_LABEL_LIMIT = 45
TEXT_INPUT_VALUE_LIMIT = 4000
AUTOCOMPLETE_CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100


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


def new_error_id() -> str:
    return secrets.token_hex(3).upper()


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


async def report_user_error(interaction: discord.Interaction[Any], error: UserError) -> None:
    try:
        await send_private(interaction, error.message)
    except discord.HTTPException:
        log.warning("Could not show a user error (the interaction may have expired)")


async def report_unexpected(interaction: discord.Interaction[Any], error: BaseException, where: str) -> str:
    """Log ``error`` with a fresh id and tell the person, privately, which id it was."""
    error_id = new_error_id()
    log.error(
        "error %s in %s (guild %s)",
        error_id,
        where,
        interaction.guild_id,
        exc_info=(type(error), error, error.__traceback__),
    )
    try:
        await send_private(
            interaction,
            f"Something went wrong on our side (error {error_id}). Nothing you did caused it, and "
            "anything already saved is safe. Please try again; if it keeps happening, tell an "
            f"organiser the error code {error_id}.",
        )
    except discord.HTTPException:
        log.warning("Could not tell the user about error %s", error_id)
    return error_id


async def handle_interaction_error(
    interaction: discord.Interaction[Any], error: BaseException, where: str
) -> None:
    original = getattr(error, "original", error)
    if isinstance(original, UserError):
        await report_user_error(interaction, original)
    else:
        await report_unexpected(interaction, original, where)


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


def shield_item(item: discord.ui.Item[Any]) -> None:
    """Wrap an item's callback so a UserError becomes a private reply, not an error."""
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


class BaseModal(discord.ui.Modal):
    """A Modal: override :meth:`submit`; errors are reported like everywhere else."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.submit(interaction)
        except UserError as error:
            await report_user_error(interaction, error)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await handle_interaction_error(interaction, error, f"modal {type(self).__name__}")
