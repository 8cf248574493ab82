"""/community: opt-in identity and interest communities, joined privately.

Two kinds of community, each with a private text channel under a "Communities" category:

* **interest**: a Discord role opens the channel. Joining adds the role (it shows on the
  profile, like any role: fine for sport, music, a year group...).
* **identity**: no role at all. Joining puts a permission overwrite for that one member on the
  channel, which does not show on their profile. The database stores no membership; the bot
  reads the channel's overwrites to answer ``/community mine``.

This module holds the slash commands and the listeners: each validates, asks the service
(:mod:`bot.services.communities`), :mod:`~cogs.communities.provision` (channels, roles, health)
or :mod:`~cogs.communities.membership` (joining and leaving), and replies with
:mod:`~cogs.communities.render`.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.feature import organiser_command
from bot.i18n import N_
from bot.services.communities import Community, CommunityService
from bot.ui import (
    MESSAGE_LIMIT,
    FormValues,
    clip,
    parse_id,
    require_bot_permissions,
    send_private,
    show_form,
    suggest,
)
from cogs.communities import render
from cogs.communities.fixes import (
    CLOSE_CHANNEL,
    MAKE_CHANNEL,
    REOPEN,
    already_translated,
    require_permissions,
)
from cogs.communities.membership import Membership
from cogs.communities.provision import (
    CATEGORY_NAME,
    Provisioner,
    check_emoji_is_here,
    identity_member_count,
    raw_overwrites,
)
from cogs.communities.views import EDIT_FORM, card_view, edit_form, panel_view

log = logging.getLogger("cogs.communities")

# Problems a repair can't fix itself (the server's settings must change first).
UNFIXABLE = ("bot_channel_access", "role_above_bot", "bot_manage_roles")


def _where(interaction: discord.Interaction[Any]) -> tuple[discord.Guild, discord.Member]:
    guild = interaction.guild
    member = interaction.user
    if guild is None or not isinstance(member, discord.Member):
        raise UserError("Communities live inside a server. Please use this there.")
    return guild, member


async def _named(
    service: CommunityService, interaction: discord.Interaction[Any], name: str, *, archived: bool | None
) -> tuple[discord.Guild, discord.Member, Community]:
    """The server, the member and the community they named (see ``CommunityService.find``)."""
    guild, member = _where(interaction)
    return guild, member, await service.find(guild.id, name, archived=archived)


def _choices(communities: list[Community]) -> list[app_commands.Choice[str]]:
    return suggest(((c.label, c.name) for c in communities), "")


class Communities(
    commands.GroupCog,
    group_name="community",
    group_description=N_("Opt-in communities you can join and leave privately"),
):
    # No table holds a member's rows: membership lives on Discord (see bot/privacy.py).
    personal_tables: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = CommunityService(bot.db, bot.clock)
        self.provision = Provisioner(bot, self.service)
        self.membership = Membership(bot, self.service, self.provision)

    @property
    def overwrite_limit(self) -> int:
        """Discord's per-channel maximum; settable so tests can reach it with a small server."""
        return self.provision.overwrite_limit

    @overwrite_limit.setter
    def overwrite_limit(self, value: int) -> None:
        self.provision.overwrite_limit = value

    async def cog_load(self) -> None:
        self.bot.forms.add(EDIT_FORM, self.submit_edit, where="community edit form")
        unfinished = await self.service.discard_unfinished()
        if unfinished:
            log.warning(
                "Removed %d community definition(s) left half-created by an interrupted start "
                "(their channel or role may need deleting by hand)",
                len(unfinished),
            )

    async def cog_unload(self) -> None:
        self.bot.forms.remove_owner(self)

    # -- events: health at start-up and when a guild becomes available ----------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # At start-up (and after a fresh session) every guild is checked once. Guilds announced
        # during the ready wait don't always get their own guild_available event, so this is the
        # start-up check; what was already reported is stored, so nothing is reported twice.
        for guild in self.bot.guilds:
            await self.provision.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.provision.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.provision.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        if await self.service.by_channel(channel.id) is not None:
            await self.provision.check_health(channel.guild)

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        # Joins and leaves change member overwrites all the time; only a change to who else can
        # see the channel (@everyone or the bot) is worth a check, for example someone making an
        # identity channel public by hand.
        guild = after.guild
        watched = (guild.id, guild.me.id)
        if raw_overwrites(before, watched) == raw_overwrites(after, watched):
            return
        if await self.service.by_channel(after.id) is not None:
            await self.provision.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        if any(
            c.role_id == role.id for c in await self.service.list_communities(role.guild.id, archived=None)
        ):
            await self.provision.check_health(role.guild)

    # -- panel cards (the panel's menu and the card's buttons come here) ----------------------

    async def show_card(self, interaction: discord.Interaction[Any], community_id: int) -> None:
        guild, member = _where(interaction)
        community = await self.service.get(guild.id, community_id)
        if community.is_archived:
            raise UserError(
                "{community} has been archived, so it can't be joined.",
                community=render.community_line(community),
            )
        joined = self.membership.is_member(guild, member, community)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            embed=render.card_embed(community, member=joined, t=t),
            view=card_view(community.id, member=joined, t=t),
        )

    async def card_action(
        self, interaction: discord.Interaction[Any], community_id: int, *, join: bool
    ) -> None:
        guild, member = _where(interaction)
        community = await self.service.get(guild.id, community_id)
        if join and community.is_archived:
            raise UserError(
                "{community} has been archived, so it can't be joined.",
                community=render.community_line(community),
            )
        t = await self.bot.i18n.for_interaction(interaction)
        if join:
            text = await self.membership.join(guild, member, community, t)
        else:
            text = await self.membership.leave(guild, member, community, t)
        await interaction.response.edit_message(
            content=clip(text, MESSAGE_LIMIT),
            embed=render.card_embed(community, member=join, t=t),
            view=card_view(community.id, member=join, t=t),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def refresh_panels(self, guild: discord.Guild) -> int:
        """Re-draw every panel of ``guild`` with the current communities, in the server's voice;
        returns how many."""
        communities = await self.service.list_communities(guild.id)
        voice = await self.bot.i18n.for_guild(guild.id)
        refreshed = 0
        for panel in await self.service.panels(guild.id):
            channel = guild.get_channel(panel.channel_id)
            if not isinstance(channel, discord.TextChannel):
                await self.service.remove_panel(panel.message_id)
                continue
            try:
                await channel.get_partial_message(panel.message_id).edit(
                    embed=render.panel_embed(communities, voice), view=panel_view(communities, voice)
                )
                refreshed += 1
            except discord.NotFound:
                await self.service.remove_panel(panel.message_id)
            except discord.HTTPException as error:
                log.warning("Could not refresh a community panel in guild %s (%s)", guild.id, error.status)
        return refreshed

    # -- slash commands: students -----------------------------------------------------------

    @app_commands.command(name="list", description=N_("See the communities you can join (only you see this)"))
    async def list_(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild, member = _where(interaction)
        t = await self.bot.i18n.for_interaction(interaction)
        communities = await self.service.list_communities(guild.id)
        config = await self.bot.guild_settings.get(guild.id)
        organiser = is_organiser(member, config)
        lines = [
            render.list_entry(
                c,
                render.count_text(c, self.membership.member_count(guild, c), t),
                self.provision.problems(guild, c, t) if organiser else None,
                t,
            )
            for c in communities
        ]
        if organiser:
            archived = await self.service.list_communities(guild.id, archived=True)
            if archived:
                lines.append(render.archived_entry(archived, t))
        if not lines:
            text = (
                t("There are no communities here yet. Create one with `/community create`.")
                if organiser
                else t("There are no communities here yet.")
            )
            await send_private(interaction, text)
            return
        for embed in render.list_pages(lines, t):
            await send_private(interaction, embed=embed)

    @app_commands.command(name="join", description=N_("Join a community privately"))
    @app_commands.describe(name=N_("The community to join"))
    async def join_command(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, member, community = await _named(self.service, interaction, name, archived=False)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, await self.membership.join(guild, member, community, t))

    @app_commands.command(name="leave", description=N_("Leave a community privately"))
    @app_commands.describe(name=N_("The community to leave"))
    async def leave_command(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, member, community = await _named(self.service, interaction, name, archived=None)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, await self.membership.leave(guild, member, community, t))

    @app_commands.command(name="mine", description=N_("The communities you're in (only you see this)"))
    async def mine(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild, member = _where(interaction)
        entries: list[tuple[Community, str | None]] = []
        for c in await self.service.list_communities(guild.id):
            if self.membership.is_member(guild, member, c):
                channel = guild.get_channel(c.channel_id or 0)
                entries.append((c, channel.mention if channel else None))
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, render.mine_text(entries, t))

    # -- slash commands: organisers --------------------------------------------------------

    @organiser_command(name="create", description=N_("Create a community with its own private channel"))
    @app_commands.describe(
        name=N_("A short name, for example 'Black Medics' or 'Running Club'"),
        kind=N_("identity: membership stays off profiles; interest: uses a role"),
        description=N_("One or two sentences on who it's for"),
        emoji=N_("Optional emoji shown beside the name"),
        welcome_note=N_("Optional note each new member sees privately when they join"),
    )
    async def create(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        name: app_commands.Range[str, 1, 100],
        kind: Literal["identity", "interest"],
        description: app_commands.Range[str, 1, 1000],
        emoji: app_commands.Range[str, 1, 100] | None = None,
        welcome_note: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        guild, _ = _where(interaction)
        t = await self.bot.i18n.for_interaction(interaction)
        require_permissions(guild, MAKE_CHANNEL, t)
        check_emoji_is_here(guild, emoji)
        reserved = await self.service.reserve(
            guild.id, name=name, kind=kind, description=description, emoji=emoji, welcome_note=welcome_note
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        community, channel, role = await self.provision.create(guild, reserved, t)
        await self.refresh_panels(guild)
        config = await self.bot.guild_settings.get(guild.id)
        await send_private(
            interaction,
            render.created_text(
                community,
                channel.mention,
                role.name if role else None,
                CATEGORY_NAME,
                tip=config.channel("organisers") is None,
                t=t,
            ),
        )

    @organiser_command(
        name="edit", description=N_("Edit a community's name, description, emoji or welcome note")
    )
    @app_commands.describe(name=N_("The community to edit"))
    async def edit(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        _, _, community = await _named(self.service, interaction, name, archived=None)
        t = await self.bot.i18n.for_interaction(interaction)
        await show_form(interaction, edit_form(community, t))

    async def submit_edit(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        """The edit form (``community:edit:<id>``): check, rename on Discord, save, redraw panels."""
        guild, member = _where(interaction)
        if not is_organiser(member, await self.bot.guild_settings.get(guild.id)):
            raise UserError("Only organisers can edit a community.")
        emoji = values.text("emoji")
        check_emoji_is_here(guild, emoji)
        t = await self.bot.i18n.for_interaction(interaction)
        changed = await self.service.check_update(
            guild.id,
            parse_id(match["id"]),
            name=values.text("name"),
            description=values.text("description"),
            emoji=emoji,
            welcome_note=values.text("welcome"),
        )
        saved = await self.provision.rename(guild, changed, t)
        await self.refresh_panels(guild)
        await send_private(
            interaction,
            t(
                "Saved. {community} is up to date, and its panels show the change.",
                community=render.community_line(saved),
            ),
        )

    @organiser_command(
        name="archive",
        description=N_("Archive a community: unlisted, access removed, channel kept read-only"),
    )
    @app_commands.describe(name=N_("The community to archive"))
    async def archive(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _, community = await _named(self.service, interaction, name, archived=None)
        t = await self.bot.i18n.for_interaction(interaction)
        if community.is_archived:
            await send_private(
                interaction,
                t("{community} is already archived.", community=render.community_line(community)),
            )
            return
        channel = guild.get_channel(community.channel_id or 0)
        if isinstance(channel, discord.TextChannel):
            require_permissions(guild, CLOSE_CHANNEL, t)
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = identity_member_count(channel) if channel is not None and community.is_identity else 0
        archived = await self.provision.close(guild, community, t)
        await self.refresh_panels(guild)
        readers = render.archive_readers(await self.provision.organiser_role(guild) is not None, t)
        where = channel.mention if channel is not None else None
        await send_private(interaction, render.archived_text(archived, where, readers, removed, t))

    @organiser_command(
        name="restore", description=N_("Reopen an archived community, or repair a broken channel or role")
    )
    @app_commands.describe(name=N_("The community to restore or repair"))
    async def restore(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _, community = await _named(self.service, interaction, name, archived=None)
        t = await self.bot.i18n.for_interaction(interaction)
        require_permissions(guild, REOPEN, t)
        problems = self.provision.problems(guild, community, t)
        blocking = [text for code, text in problems.items() if code in UNFIXABLE]
        if blocking:
            raise already_translated(t("I can't fix this myself: {problems}", problems=" ".join(blocking)))
        await interaction.response.defer(ephemeral=True, thinking=True)
        was_archived = community.is_archived
        notes = await self.provision.repair(guild, community, t)
        if was_archived:
            community = await self.service.set_archived(guild.id, community.id, False)
        await self.provision.check_health(guild)
        await self.refresh_panels(guild)
        await send_private(
            interaction, render.restored_text(community, notes, was_archived=was_archived, t=t)
        )

    @organiser_command(
        name="panel", description=N_("Post a panel where students pick a community to join privately")
    )
    @app_commands.describe(channel=N_("Where to post the panel (students need to see it)"))
    async def panel(
        self, interaction: discord.Interaction[CommonRoomBot], channel: discord.TextChannel
    ) -> None:
        guild, _ = _where(interaction)
        require_bot_permissions(channel)
        communities = await self.service.list_communities(guild.id)
        voice = await self.bot.i18n.for_guild(guild.id)
        message = await channel.send(
            embed=render.panel_embed(communities, voice), view=panel_view(communities, voice)
        )
        await self.service.add_panel(guild.id, channel.id, message.id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t(
                "Posted the communities panel in {channel}. It keeps working after restarts and updates "
                "itself when communities change. Delete the message to remove it.",
                channel=channel.mention,
            ),
        )

    # -- autocomplete ----------------------------------------------------------------------

    async def _names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str, *, archived: bool | None
    ) -> list[app_commands.Choice[str]]:
        """This server's communities whose names contain what was typed (``archived`` as for
        :meth:`CommunityService.search`)."""
        if interaction.guild_id is None:
            return []
        return _choices(await self.service.search(interaction.guild_id, current, archived=archived))

    @join_command.autocomplete("name")
    @edit.autocomplete("name")
    @archive.autocomplete("name")
    async def _open_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._names(interaction, current, archived=False)

    @restore.autocomplete("name")
    async def _all_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._names(interaction, current, archived=None)

    @leave_command.autocomplete("name")
    async def _my_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        guild = interaction.guild
        if guild is None or not isinstance(interaction.user, discord.Member):
            return []
        member = interaction.user
        return _choices(
            [
                c
                for c in await self.service.search(guild.id, current)
                if self.membership.is_member(guild, member, c)
            ]
        )

    # -- privacy (issue 9): reached through bot.member_data.MemberData ------------------------

    async def member_communities(self, guild: discord.Guild, member_id: int) -> list[dict[str, str]]:
        """Which communities a member is in, read from Discord (for a data export)."""
        return await self.membership.communities_of(guild, member_id)

    async def forget_member(self, guild: discord.Guild, member_id: int) -> int:
        """Remove the access Common Room grants (identity overwrites, interest roles); returns how many."""
        return await self.membership.remove_all(guild, member_id)

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        data = await self.service.export_member(member_id)
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            data["communities"]["you_are_in_on_discord"] = await self.member_communities(guild, member_id)
        return data

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        counts = await self.service.forget_member(member_id)
        counts[N_("community access removed on Discord")] = await self.forget_member(guild, member_id)
        return counts
