"""The one error guard for every command, button, menu and form.

* A :class:`~bot.errors.UserError` becomes a private message saying what to change. It is a
  reply, not a failure, so it is not logged as an error.
* Anything unexpected becomes a private "Something went wrong (error ABC123)", logged with that
  id and the traceback, so an admin can find it from a student's screenshot.

Commands get it from the command tree (``bot.core``); views and forms from :mod:`bot.ui.views`;
persistent buttons and menus from :class:`bot.ui.items.PersistentItem`; stateless forms from
:class:`bot.ui.forms.FormRouter`. Nothing else catches errors from Discord callbacks.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import N_
from bot.ui.replies import reader, send_private

log = logging.getLogger("bot.errors")

UNEXPECTED = N_(
    "Something went wrong on our side (error {code}). Nothing you did caused it, and anything already "
    "saved is safe. Please try again; if it keeps happening, tell an organiser the error code {code}."
)

Handler = Callable[[discord.Interaction[Any]], Awaitable[Any]]


def new_error_id() -> str:
    return secrets.token_hex(3).upper()


async def report_user_error(interaction: discord.Interaction[Any], error: UserError) -> None:
    try:
        await send_private(interaction, error.translated(await reader(interaction)))
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
        t = await reader(interaction)
        await send_private(interaction, t(UNEXPECTED, code=error_id))
    except discord.HTTPException:
        log.warning("Could not tell the user about error %s", error_id)
    return error_id


async def handle_interaction_error(
    interaction: discord.Interaction[Any], error: BaseException, where: str
) -> None:
    """Tell the person what happened: a UserError (possibly wrapped) kindly, anything else with an id."""
    original = getattr(error, "original", error)
    if isinstance(original, UserError):
        await report_user_error(interaction, original)
    else:
        await report_unexpected(interaction, original, where)


async def guard(
    interaction: discord.Interaction[Any], where: str, action: Callable[[], Awaitable[Any]]
) -> None:
    """Run ``action`` for ``interaction``; any error is reported as described above."""
    try:
        await action()
    except Exception as error:
        await handle_interaction_error(interaction, error, where)


def guarded(where: str) -> Callable[[Handler], Handler]:
    """Decorate a callback taking the interaction first, so it runs inside :func:`guard`."""

    def decorate(func: Handler) -> Handler:
        @functools.wraps(func)
        async def run(interaction: discord.Interaction[Any], *args: Any, **kwargs: Any) -> None:
            await guard(interaction, where, lambda: func(interaction, *args, **kwargs))

        run.__commonroom_shielded__ = True  # type: ignore[attr-defined]
        return run

    return decorate
