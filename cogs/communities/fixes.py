"""What to tell an organiser to fix when a community's channel or role can't be made or used:
each text in the reader's language (``t``) or, for alerts, drawn in each language of the server's
voice (:data:`Draw`). Discord's settings have no Welsh, so the names of permissions and of the
places in Server Settings stay in English in every language.
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator

#: Draws one organiser-facing text in a language (for the server's voice or the reader's).
Draw = Callable[[Translator], str]

# Why the bot needs a permission ("I need **Manage Roles** to give people access.").
# Translators: completes "I need **Manage Roles** …" (a purpose: why the bot needs the permission).
GIVE_ACCESS = N_("to give people access")
# Translators: completes "I need **Manage Channels** …" (a purpose: why the bot needs the permission).
MAKE_CHANNEL = N_("to make a community's private channel")
# Translators: completes "I need **Manage Channels** …" (a purpose: why the bot needs the permission).
CLOSE_CHANNEL = N_("to close the community's channel")
# Translators: completes "I need **Manage Channels** …" (a purpose: why the bot needs the permission).
REOPEN = N_("to reopen or repair a community")
# Translators: completes "I need **Manage Channels** …" (a purpose: why the bot needs the permission).
MAKE_PRIVATE_CHANNELS = N_("to make private channels")

# What Discord refused ("Discord refused to make the community's channel …").
# Translators: completes "Discord refused to …" / "Discord didn't accept the request to …".
MAKE_COMMUNITY_CHANNEL = N_("make the community's channel")
# Translators: completes "Discord refused to …" / "Discord didn't accept the request to …".
RENAME = N_("rename the community's channel or role")
# Translators: completes "Discord refused to …" / "Discord didn't accept the request to …".
CLOSE = N_("close the community's channel")
# Translators: completes "Discord refused to …" / "Discord didn't accept the request to …".
REPAIR = N_("repair the community")


def my_role_name(guild: discord.Guild) -> str:
    return (
        guild.me.top_role.name if guild.me.top_role and not guild.me.top_role.is_default() else "Common Room"
    )


def missing_guild_permissions(guild: discord.Guild, *names: str) -> list[str]:
    permissions = guild.me.guild_permissions
    if permissions.administrator:
        return []
    return [name for name in names if not getattr(permissions, name)]


def permission_label(name: str) -> str:
    """A permission as Discord's settings name it (Discord has no Welsh: these stay English)."""
    return {"manage_roles": "Manage Roles", "manage_channels": "Manage Channels"}.get(
        name, name.replace("_", " ").title()
    )


def guild_permission_fix(
    guild: discord.Guild, missing: list[str], why: Message, t: Translator = SOURCE_TRANSLATOR
) -> str:
    labels = [permission_label(m) for m in missing]
    if len(labels) == 1:
        return t(
            "I need **{permission}** {why}. In Server Settings › Roles › **{role}**, turn it on, "
            "then try again.",
            permission=labels[0],
            why=t(why),
            role=my_role_name(guild),
        )
    return t(
        "I need **{first}** and **{second}** {why}. In Server Settings › Roles › **{role}**, turn them on, "
        "then try again.",
        first="** and **".join(labels[:-1]),
        second=labels[-1],
        why=t(why),
        role=my_role_name(guild),
    )


def hierarchy_fix(guild: discord.Guild, role: discord.Role, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(
        "My role must be above the **{role}** role to give it out. In Server Settings › Roles, "
        "drag **{mine}** above **{role}**, then try again.",
        role=role.name,
        mine=my_role_name(guild),
    )


def channel_fix(channel: discord.abc.GuildChannel, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(
        "I can't manage who sees {channel}. In that channel's settings › Permissions, give my "
        "role **{role}** View Channel and Manage Permissions, then try again.",
        channel=channel.mention,
        role=my_role_name(channel.guild),
    )


def require_permissions(guild: discord.Guild, why: Message, t: Translator = SOURCE_TRANSLATOR) -> None:
    """Refuse, naming the fix, unless the bot may make and change channels and roles."""
    missing = missing_guild_permissions(guild, "manage_channels", "manage_roles")
    if missing:
        raise already_translated(guild_permission_fix(guild, missing, why, t))


def already_translated(text: str) -> UserError:
    """A UserError whose message is already in the reader's language (built from several catalogue
    strings); the guard's look-up finds no entry for it and shows it as it is."""
    return UserError(text)


def creation_refused(
    guild: discord.Guild, error: discord.HTTPException, what: Message, t: Translator = SOURCE_TRANSLATOR
) -> UserError:
    if isinstance(error, discord.Forbidden):
        return already_translated(
            t(
                "Discord refused to {what} because I'm missing a permission. Nothing was created or changed.",
                what=t(what),
            )
            + " "
            + guild_permission_fix(guild, ["manage_channels", "manage_roles"], MAKE_PRIVATE_CHANNELS, t)
        )
    if error.code == 30013:
        return already_translated(
            t(
                "Discord refused to {what}: this server has reached Discord's limit of {limit} channels. "
                "Nothing was created or changed. Archiving and deleting unused channels or roles makes room.",
                what=t(what),
                limit=500,
            )
        )
    if error.code == 30005:
        return already_translated(
            t(
                "Discord refused to {what}: this server has reached Discord's limit of {limit} roles. "
                "Nothing was created or changed. Archiving and deleting unused channels or roles makes room.",
                what=t(what),
                limit=250,
            )
        )
    return already_translated(
        t(
            "Discord didn't accept the request to {what} (error {status}). Nothing was created or "
            "changed; please try again in a minute.",
            what=t(what),
            status=error.status,
        )
    )
