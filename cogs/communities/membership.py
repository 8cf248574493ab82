"""Joining and leaving, which live on Discord only (the database stores no membership).

* **interest**: joining adds the community's role (it shows on the profile, like any role).
* **identity**: no role. Joining puts a permission overwrite for that one member on the
  channel, which does not show on their profile; ``/community mine`` reads the channel's
  overwrites. Logs never pair a member id with an identity community.

Each join or leave is one ``PUT``/``DELETE /channels/{id}/permissions/{member}`` carrying one
overwrite (never the whole list), so communities grow past Discord's 100-per-request limit. A
channel holds at most 1000 overwrites (error 30060): a join that would pass it is refused before
any request, the student is told kindly, and the organisers are told once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any, NoReturn

import discord

from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.i18n import SOURCE_TRANSLATOR, Translator
from bot.services.communities import Community, CommunityService
from cogs.communities.fixes import (
    GIVE_ACCESS,
    Draw,
    channel_fix,
    guild_permission_fix,
    hierarchy_fix,
    missing_guild_permissions,
    my_role_name,
)
from cogs.communities.provision import (
    MEMBER_ACCESS,
    Provisioner,
    has_identity_access,
    has_role,
    identity_member_count,
    is_kept_out,
    overwrite_count,
)
from cogs.communities.render import community_line, welcome_text

log = logging.getLogger("cogs.communities")

MAX_OVERWRITES_CODE = 30060  # Discord: this channel has too many permission overwrites


class Membership:
    """Who is in which community, read from Discord, and the one change each join or leave makes."""

    def __init__(self, bot: CommonRoomBot, service: CommunityService, provision: Provisioner) -> None:
        self.bot = bot
        self.service = service
        self.provision = provision
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def is_member(self, guild: discord.Guild, member: discord.Member, community: Community) -> bool:
        if community.is_identity:
            channel = guild.get_channel(community.channel_id or 0)
            return channel is not None and has_identity_access(channel, member.id)
        return has_role(member, community.role_id)

    def member_count(self, guild: discord.Guild, community: Community) -> int | None:
        """How many are in it, when Discord tells us (None when it doesn't)."""
        if community.is_identity:
            channel = guild.get_channel(community.channel_id or 0)
            return identity_member_count(channel) if channel is not None else None
        role = guild.get_role(community.role_id or 0)
        if role is None or not self.bot.intents.members:
            return None  # without the members intent Discord doesn't tell us who holds a role
        return len(role.members)

    async def join(
        self,
        guild: discord.Guild,
        member: discord.Member,
        community: Community,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> str:
        """Join; returns the welcome (or "already in") in the reader's language ``t``."""
        async with self._locks[community.id]:
            channel = await self._usable_channel(guild, community)
            if community.is_identity:
                if has_identity_access(channel, member.id):
                    return t(
                        "You're already in {community}. Its channel is {channel}.",
                        community=community_line(community),
                        channel=channel.mention,
                    )
                if is_kept_out(channel, member.id):
                    # A moderator's decision: joining must not undo it.
                    raise UserError(
                        "I can't add you to {community}. If you think that's a mistake, "
                        "please talk to an organiser.",
                        community=community_line(community),
                    )
                await self._refuse_if_unusable(guild, community, channel, None)
                limit = self.provision.overwrite_limit
                if overwrite_count(channel) >= limit:
                    await self.provision.alert(
                        guild, community, "overwrite_limit", lambda t: self.provision.limit_text(channel, t)
                    )
                    raise UserError(
                        "{community} is full: Discord allows only {limit} people with "
                        "private access to one channel. Nothing was changed, and the organisers have been "
                        "told so they can make room. Sorry about that.",
                        community=community_line(community),
                        limit=limit,
                    )
                await self._send(
                    guild,
                    community,
                    # Integers, as Discord's API describes allow/deny (discord.py's own call sends strings).
                    self.bot.http.edit_channel_permissions(
                        channel.id,
                        member.id,
                        MEMBER_ACCESS.value,  # type: ignore[arg-type]
                        0,  # type: ignore[arg-type]
                        1,
                    ),
                    joining=True,
                )
            else:
                role = await self._usable_role(guild, community)
                if has_role(member, role.id):
                    return t(
                        "You're already in {community}. Its channel is {channel}.",
                        community=community_line(community),
                        channel=channel.mention,
                    )
                await self._refuse_if_unusable(guild, community, channel, role)
                await self._send(
                    guild, community, self.bot.http.add_role(guild.id, member.id, role.id), joining=True
                )
        return welcome_text(community, channel.mention, t)

    async def leave(
        self,
        guild: discord.Guild,
        member: discord.Member,
        community: Community,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> str:
        """Leave; returns what happened in the reader's language ``t``."""
        not_in = t(
            "You're not in {community}, so there's nothing to leave.", community=community_line(community)
        )
        async with self._locks[community.id]:
            channel = guild.get_channel(community.channel_id or 0)
            if community.is_identity:
                if channel is None or not has_identity_access(channel, member.id):
                    return not_in
                await self._send(
                    guild,
                    community,
                    self.bot.http.delete_channel_permissions(channel.id, member.id),
                    joining=False,
                )
            else:
                if not has_role(member, community.role_id):
                    return not_in
                role = guild.get_role(community.role_id or 0)
                assert role is not None  # the member has it
                await self._refuse_if_unusable(guild, community, None, role, joining=False)
                await self._send(
                    guild, community, self.bot.http.remove_role(guild.id, member.id, role.id), joining=False
                )
        return t(
            "You've left {community}. No one was told. You can join again any time.",
            community=community_line(community),
        )

    # -- privacy (issue 9) -----------------------------------------------------------------

    async def communities_of(self, guild: discord.Guild, member_id: int) -> list[dict[str, str]]:
        """Which communities a member is in, read from Discord (for a data export)."""
        member = await self._fetch_member(guild, member_id)
        found = []
        for c in await self.service.list_communities(guild.id, archived=None):
            channel = guild.get_channel(c.channel_id or 0)
            inside = (
                channel is not None and has_identity_access(channel, member_id)
                if c.is_identity
                else member is not None and has_role(member, c.role_id)
            )
            if inside:
                found.append({"community": c.name, "kind": c.kind})
        return found

    async def remove_all(self, guild: discord.Guild, member_id: int) -> int:
        """Remove the access Common Room grants (identity overwrites, interest roles); returns how many."""
        removed = 0
        member = await self._fetch_member(guild, member_id)
        for c in await self.service.list_communities(guild.id, archived=None):
            channel = guild.get_channel(c.channel_id or 0)
            try:
                if channel is not None and has_identity_access(channel, member_id):
                    await self.bot.http.delete_channel_permissions(channel.id, member_id)
                    removed += 1
                if c.role_id is not None and member is not None and has_role(member, c.role_id):
                    await self.bot.http.remove_role(guild.id, member_id, c.role_id)
                    removed += 1
            except discord.HTTPException as error:
                # Carry on with the rest; never log the member next to the community.
                log.warning(
                    "Could not remove community access on request (community %s, %s)", c.id, error.status
                )
                await self.provision.check_health(guild)
        return removed

    async def _fetch_member(self, guild: discord.Guild, member_id: int) -> discord.Member | None:
        member = guild.get_member(member_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(member_id)
        except discord.HTTPException:
            return None

    # -- checks before asking Discord, and Discord's refusals ------------------------------

    async def _usable_channel(self, guild: discord.Guild, community: Community) -> discord.TextChannel:
        channel = guild.get_channel(community.channel_id or 0)
        if isinstance(channel, discord.TextChannel):
            return channel
        await self.provision.check_health(guild)
        raise UserError(
            "{community} isn't available right now (its channel is missing). The organisers "
            "have been told. Please try again later.",
            community=community_line(community),
        )

    async def _usable_role(self, guild: discord.Guild, community: Community) -> discord.Role:
        role = guild.get_role(community.role_id or 0)
        if role is not None:
            return role
        await self.provision.check_health(guild)
        raise UserError(
            "{community} isn't available right now (its role is missing). The organisers "
            "have been told. Please try again later.",
            community=community_line(community),
        )

    async def _refuse_if_unusable(
        self,
        guild: discord.Guild,
        community: Community,
        channel: discord.TextChannel | None,
        role: discord.Role | None,
        *,
        joining: bool = True,
    ) -> None:
        """Check the bot can do this before asking Discord; name the fix for the organisers."""
        problem: tuple[str, Draw] | None = None
        if missing := missing_guild_permissions(guild, "manage_roles"):
            problem = ("bot_manage_roles", lambda t: guild_permission_fix(guild, missing, GIVE_ACCESS, t))
        elif role is not None and role >= guild.me.top_role:
            problem = ("role_above_bot", lambda t: hierarchy_fix(guild, role, t))
        elif channel is not None and role is None:
            mine = channel.permissions_for(guild.me)
            if not (mine.view_channel and mine.manage_roles):
                problem = ("bot_channel_access", lambda t: channel_fix(channel, t))
        if problem is None:
            return
        await self.provision.alert(guild, community, *problem)
        raise _setting_refusal(community, joining=joining, told_what=True)

    async def _send(
        self, guild: discord.Guild, community: Community, request: Awaitable[Any], *, joining: bool
    ) -> None:
        """Send one access change; a refusal becomes a clear message, with nothing half-done."""
        try:
            await request
        except discord.HTTPException as error:
            await self._refused(guild, community, error, joining=joining)
        else:
            await self.service.clear_event_problems(community.id)

    async def _refused(
        self, guild: discord.Guild, community: Community, error: discord.HTTPException, *, joining: bool
    ) -> NoReturn:
        """Explain Discord's refusal of an access change; tell the organisers when they must act."""
        # Never log the member here: the community may be an identity community.
        log.warning(
            "Discord refused a community access change (community %s, status %s, code %s)",
            community.id,
            error.status,
            error.code,
        )
        if error.code == MAX_OVERWRITES_CODE:
            channel = guild.get_channel(community.channel_id or 0)
            await self.provision.alert(
                guild,
                community,
                "discord_full",
                lambda t: (
                    t(
                        "Discord refused to add anyone else to {channel}: it has reached the limit of "
                        "permission entries on one channel. Consider splitting the community (for example "
                        "by year).",
                        channel=channel.mention,
                    )
                    if channel
                    else t(
                        "Discord refused to add anyone else to its channel: it has reached the limit of "
                        "permission entries on one channel. Consider splitting the community (for example "
                        "by year)."
                    )
                ),
            )
            raise UserError(
                "{community} is full: Discord won't let anyone else into its channel. "
                "Nothing was changed, and the organisers have been told so they can make room.",
                community=community_line(community),
            ) from error
        if isinstance(error, discord.Forbidden):
            found = await self.provision.check_health(guild)
            if community.id not in found:  # the check could not name the cause: say what to look at
                await self.provision.alert(
                    guild,
                    community,
                    "discord_forbidden",
                    lambda t: t(
                        "Discord refused to change who can see its channel (missing permissions). Check "
                        "that my role **{role}** has Manage Roles and sits above the community's role, and "
                        "that it can view the channel.",
                        role=my_role_name(guild),
                    ),
                )
            raise _setting_refusal(community, joining=joining, told_what=False) from error
        if joining:
            raise UserError(
                "Discord didn't accept that just now, so I couldn't add you to {community}. "
                "Nothing was changed. Please try again in a minute.",
                community=community_line(community),
            ) from error
        raise UserError(
            "Discord didn't accept that just now, so I couldn't remove you from {community}. "
            "Nothing was changed. Please try again in a minute.",
            community=community_line(community),
        ) from error


def _setting_refusal(community: Community, *, joining: bool, told_what: bool) -> UserError:
    """Refused because of a server setting; the organisers were told (``told_what``: and what to fix)."""
    name = community_line(community)
    if joining and told_what:
        return UserError(
            "I can't add you to {community} right now because of a setting on this server. "
            "Nothing was changed. The organisers have been told what to fix; please try again later.",
            community=name,
        )
    if joining:
        return UserError(
            "I can't add you to {community} right now because of a setting on this server. "
            "Nothing was changed. The organisers have been told; please try again later.",
            community=name,
        )
    if told_what:
        return UserError(
            "I can't remove you from {community} right now because of a setting on this server. "
            "Nothing was changed. The organisers have been told what to fix; please try again later.",
            community=name,
        )
    return UserError(
        "I can't remove you from {community} right now because of a setting on this server. "
        "Nothing was changed. The organisers have been told; please try again later.",
        community=name,
    )
