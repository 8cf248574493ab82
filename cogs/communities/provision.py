"""The Discord side of a community: its private channel, its role, their permission overwrites,
the health check that notices when someone breaks them, and the repair that puts them right.

Discord's limits on permission overwrites (see ``docs/communities.md``):

* a *create or edit channel* request may carry at most 100 overwrites (``maxItems: 100`` in
  Discord's OpenAPI description; SimCord does not enforce it). Joining and leaving never send
  such a list (see :mod:`cogs.communities.membership`). Only create, archive and restore send a
  whole list, and it holds just the structural overwrites (@everyone, the bot, the role,
  organisers): :func:`overwrite_payloads` checks it against the limit before sending.
* a channel holds at most 1000 overwrites (error 30060): :meth:`Provisioner.problems` reports a
  channel that has reached it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import discord

from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.services.communities import CUSTOM_EMOJI, Community, CommunityService
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, clip
from cogs.communities.fixes import (
    CLOSE,
    GIVE_ACCESS,
    MAKE_COMMUNITY_CHANNEL,
    RENAME,
    REPAIR,
    Draw,
    already_translated,
    channel_fix,
    creation_refused,
    guild_permission_fix,
    hierarchy_fix,
    missing_guild_permissions,
)
from cogs.communities.render import community_line

log = logging.getLogger("cogs.communities")

CATEGORY_NAME = "Communities"
CATEGORY_CHANNEL_LIMIT = 50  # Discord: channels in one category
# Discord: at most 100 overwrites in one create/edit channel request body (error 50035).
BULK_OVERWRITES_LIMIT = 100
# Discord: at most 1000 permission overwrites on one channel (error 30060).
CHANNEL_OVERWRITES_LIMIT = 1000
TOPIC_LIMIT = 1024

MEMBER_ACCESS = discord.Permissions(view_channel=True, read_message_history=True, send_messages=True)
BOT_ACCESS = discord.PermissionOverwrite(
    view_channel=True, read_message_history=True, send_messages=True, embed_links=True
)
ARCHIVE_DENY = discord.PermissionOverwrite(
    view_channel=False,
    send_messages=False,
    add_reactions=False,
    create_public_threads=False,
    create_private_threads=False,
    send_messages_in_threads=False,
)

Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]


# -- reading a channel's overwrites --------------------------------------------------------


def identity_member_count(channel: discord.abc.GuildChannel) -> int:
    raw: list[Any] = getattr(channel, "_overwrites", [])
    me = channel.guild.me.id
    flag = discord.Permissions.view_channel.flag
    return sum(1 for o in raw if o.is_member() and o.id != me and o.allow & flag)


def has_identity_access(channel: discord.abc.GuildChannel, member_id: int) -> bool:
    raw: list[Any] = getattr(channel, "_overwrites", [])
    flag = discord.Permissions.view_channel.flag
    return any(o.is_member() and o.id == member_id and o.allow & flag for o in raw)


def is_kept_out(channel: discord.abc.GuildChannel, member_id: int) -> bool:
    """Someone (a moderator) denied this member View Channel here on purpose."""
    raw: list[Any] = getattr(channel, "_overwrites", [])
    flag = discord.Permissions.view_channel.flag
    return any(o.is_member() and o.id == member_id and o.deny & flag for o in raw)


def raw_overwrites(channel: discord.abc.GuildChannel, targets: tuple[int, ...]) -> set[tuple[int, int, int]]:
    """(target, allow, deny) for ``targets``: cheap to compare (PermissionOverwrite is not)."""
    raw: list[Any] = getattr(channel, "_overwrites", [])
    return {(o.id, o.allow, o.deny) for o in raw if o.id in targets}


def overwrite_count(channel: discord.abc.GuildChannel) -> int:
    return len(getattr(channel, "_overwrites", []))


def has_role(member: discord.Member, role_id: int | None) -> bool:
    return role_id is not None and any(role.id == role_id for role in member.roles)


HEALTH_TITLE = N_("⚠️ Community health")
# Translators: the start of an archived community channel's topic, before its description.
ARCHIVED_TOPIC = N_("Archived: read-only.")
ATTENTION_TITLE = N_("⚠️ Community needs attention")


def check_emoji_is_here(guild: discord.Guild, emoji: str | None) -> None:
    """A server emoji must be one of this server's: Discord won't show another's in menus."""
    text = (emoji or "").strip()
    if not CUSTOM_EMOJI.fullmatch(text):
        return
    emoji_id = int(text.rstrip(">").rsplit(":", 1)[1])
    if guild.get_emoji(emoji_id) is None:
        raise UserError(
            "That server emoji isn't one of this server's, so Discord won't show it in the menus. "
            "Use one of this server's emojis or a standard one like 🌈."
        )


# -- building overwrites ------------------------------------------------------------------


def category_number(name: str) -> int | None:
    """1 for "Communities", 2 for "Communities 2"...; None for any other category."""
    if name.casefold() == CATEGORY_NAME.casefold():
        return 1
    head, _, tail = name.rpartition(" ")
    if head.casefold() == CATEGORY_NAME.casefold() and tail.isdigit():
        return int(tail)
    return None


def active_overwrites(guild: discord.Guild, role: discord.Role | None) -> Overwrites:
    overwrites: Overwrites = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        guild.me: BOT_ACCESS,
    }
    if role is not None:
        overwrites[role] = discord.PermissionOverwrite.from_pair(MEMBER_ACCESS, discord.Permissions.none())
    return overwrites


def archived_overwrites(guild: discord.Guild, organisers: discord.Role | None) -> Overwrites:
    overwrites: Overwrites = {guild.default_role: ARCHIVE_DENY, guild.me: BOT_ACCESS}
    if organisers is not None and not organisers.is_default():
        overwrites[organisers] = discord.PermissionOverwrite(view_channel=True, read_message_history=True)
    return overwrites


def overwrite_payloads(overwrites: Overwrites) -> list[dict[str, Any]]:
    """Overwrites as Discord's API describes them (ids as strings, permissions as integers).

    Discord rejects a create/edit channel request carrying more than 100 overwrites, so this
    refuses such a list before anything is sent.
    """
    if len(overwrites) > BULK_OVERWRITES_LIMIT:  # never expected: these lists are structural
        raise UserError(
            "That would send Discord more than {limit} permission entries at once, "
            "which it rejects. Nothing was changed.",
            limit=BULK_OVERWRITES_LIMIT,
        )
    payloads = []
    for target, overwrite in overwrites.items():
        allow, deny = overwrite.pair()
        kind = 0 if isinstance(target, discord.Role) else 1
        payloads.append({"id": str(target.id), "type": kind, "allow": allow.value, "deny": deny.value})
    return payloads


class Provisioner:
    """Makes, checks and repairs the channels and roles of one bot's communities."""

    def __init__(self, bot: CommonRoomBot, service: CommunityService) -> None:
        self.bot = bot
        self.service = service
        self.health_lock = asyncio.Lock()
        # Discord's per-channel maximum; an attribute so tests can reach it with a small server.
        self.overwrite_limit = CHANNEL_OVERWRITES_LIMIT

    # -- health ------------------------------------------------------------------------------

    def problems(
        self, guild: discord.Guild, community: Community, t: Translator = SOURCE_TRANSLATOR
    ) -> dict[str, str]:
        """What is wrong with a community's channel or role right now (code -> what to do, in
        ``t``'s language)."""
        found: dict[str, str] = {}
        channel = guild.get_channel(community.channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            found["channel_missing"] = t(
                # Translators: after the community's name and a colon ("**Running Club**: its channel …").
                "its channel was deleted. `/community restore` makes a new private channel "
                "(members will need to join again), or `/community archive` retires it."
            )
            return found
        if community.is_archived:
            return found
        mine = channel.permissions_for(guild.me)
        if not (mine.view_channel and (mine.manage_roles or mine.administrator)):
            found["bot_channel_access"] = channel_fix(channel, t)
        if channel.permissions_for(guild.default_role).view_channel:
            found["channel_public"] = t(
                "{channel} is visible to everyone on the server, but it should be private. "
                "`/community restore` makes it private again.",
                channel=channel.mention,
            )
        if missing := missing_guild_permissions(guild, "manage_roles"):
            found["bot_manage_roles"] = guild_permission_fix(guild, missing, GIVE_ACCESS, t)
        if community.kind == "interest":
            role = guild.get_role(community.role_id or 0)
            if role is None:
                found["role_missing"] = t(
                    # Translators: after the community's name and a colon ("**Running Club**: its role …").
                    "its role was deleted. `/community restore` makes a new one "
                    "(members will need to join again)."
                )
            else:
                if not channel.permissions_for(role).view_channel:
                    found["role_no_access"] = t(
                        # Translators: after the community's name and a colon.
                        "the **{role}** role no longer opens {channel}. `/community restore` fixes it.",
                        role=role.name,
                        channel=channel.mention,
                    )
                if role >= guild.me.top_role:
                    found["role_above_bot"] = hierarchy_fix(guild, role, t)
        if overwrite_count(channel) >= self.overwrite_limit:
            found["overwrite_limit"] = self.limit_text(channel, t)
        return found

    def limit_text(self, channel: discord.abc.GuildChannel, t: Translator = SOURCE_TRANSLATOR) -> str:
        return t(
            "{channel} has reached Discord's limit of {limit} permission "
            "entries on one channel, so nobody else can join. Consider splitting the community "
            "(for example by year) and archiving or tidying this one.",
            channel=channel.mention,
            limit=self.overwrite_limit,
        )

    async def check_health(self, guild: discord.Guild) -> dict[int, dict[str, str]]:
        """Check every community of ``guild``; report new problems to the organisers once."""
        async with self.health_lock:
            communities = await self.service.list_communities(guild.id, archived=None)
            found = {c.id: self.problems(guild, c) for c in communities}
            found = {cid: problems for cid, problems in found.items() if problems}
            fresh = await self.service.unreported(guild.id, {cid: set(p) for cid, p in found.items()})
            if fresh:
                by_id = {c.id: c for c in communities}

                def lines(t: Translator) -> list[str]:
                    return [
                        f"• {community_line(by_id[cid])}: {self.problems(guild, by_id[cid], t)[code]}"
                        for cid, codes in fresh.items()
                        for code in sorted(codes)
                        if code in found[cid]
                    ]

                if await self.tell_organisers(guild, HEALTH_TITLE, lines):
                    await self.service.mark_reported(fresh)
            return found

    async def alert(self, guild: discord.Guild, community: Community, code: str, draw: Draw) -> None:
        """Tell the organisers about one problem (``draw`` writes it in a language), once until it
        is fixed."""
        async with self.health_lock:
            if code in await self.service.reported(community.id):
                return
            if await self.tell_organisers(
                guild, ATTENTION_TITLE, lambda t: [f"• {community_line(community)}: {draw(t)}"]
            ):
                await self.service.mark_reported({community.id: {code}})

    async def tell_organisers(
        self, guild: discord.Guild, title: Message, lines: Callable[[Translator], list[str]]
    ) -> bool:
        """Post to the organisers channel in the server's voice (``lines`` in each language)."""
        config = await self.bot.guild_settings.get(guild.id)
        channel_id = config.channel("organisers")
        channel = guild.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning("Community problems in guild %s but no organisers channel is set", guild.id)
            return False
        voice = await self.bot.i18n.for_guild(guild.id)
        embed = discord.Embed(
            title=voice.label(title, EMBED_TITLE_LIMIT),
            description=voice.text(
                lambda t: clip("\n".join(lines(t)), EMBED_DESCRIPTION_LIMIT), EMBED_DESCRIPTION_LIMIT
            ),
            colour=discord.Colour.orange(),
        )
        try:
            await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.warning("Could not post to the organisers channel in guild %s (%s)", guild.id, error.status)
            return False
        return True

    # -- making, changing and closing ---------------------------------------------------------

    async def organiser_role(self, guild: discord.Guild) -> discord.Role | None:
        config = await self.bot.guild_settings.get(guild.id)
        return guild.get_role(config.organiser_role_id) if config.organiser_role_id else None

    async def replace_overwrites(
        self, channel: discord.TextChannel, overwrites: Overwrites, **fields: Any
    ) -> None:
        await self.bot.http.edit_channel(
            channel.id, permission_overwrites=overwrite_payloads(overwrites), **fields
        )

    async def create(
        self, guild: discord.Guild, community: Community, t: Translator = SOURCE_TRANSLATOR
    ) -> tuple[Community, discord.TextChannel, discord.Role | None]:
        """Make a reserved community's role (interest) and private channel, and record them.

        If anything fails, what was made is deleted and the reservation discarded.
        """
        made: list[Any] = []
        try:
            role = await self._make_role(guild, community, made) if community.kind == "interest" else None
            channel = await self._make_channel(guild, community, role, made)
            community = await self.service.attach(
                community.id, channel_id=channel.id, role_id=role.id if role else None
            )
        except BaseException as error:
            await self._undo(made)
            await self.service.discard(community.id)
            if isinstance(error, discord.HTTPException):
                raise creation_refused(guild, error, MAKE_COMMUNITY_CHANNEL, t) from error
            raise
        return community, channel, role

    async def rename(
        self, guild: discord.Guild, changed: Community, t: Translator = SOURCE_TRANSLATOR
    ) -> Community:
        """Save an edit, renaming the channel (and role) to match; all or nothing."""
        current = await self.service.get(guild.id, changed.id)
        channel = guild.get_channel(current.channel_id or 0)
        role = guild.get_role(current.role_id or 0) if current.role_id else None
        undo: list[Any] = []
        try:
            if isinstance(channel, discord.TextChannel) and (
                channel.name != changed.slug or channel.topic != clip(changed.description, TOPIC_LIMIT)
            ):
                old_name, old_topic = channel.name, channel.topic
                await channel.edit(name=changed.slug, topic=clip(changed.description, TOPIC_LIMIT))
                undo.append(lambda: channel.edit(name=old_name, topic=old_topic or ""))
            if role is not None and role.name != changed.name:
                old_role_name = role.name
                await role.edit(name=changed.name)
                undo.append(lambda: role.edit(name=old_role_name))
            return await self.service.update(changed)
        except BaseException as error:
            for step in reversed(undo):
                try:
                    await step()
                except discord.HTTPException:
                    log.warning("Could not undo a community rename (community %s)", changed.id)
            if isinstance(error, discord.HTTPException):
                raise creation_refused(guild, error, RENAME, t) from error
            raise

    async def close(
        self, guild: discord.Guild, community: Community, t: Translator = SOURCE_TRANSLATOR
    ) -> Community:
        """Archive: unlisted, and the channel (if any) read-only for organisers and admins. The
        channel's topic is in the server's voice; a refusal is in the reader's language ``t``."""
        channel = guild.get_channel(community.channel_id or 0)
        archived = await self.service.set_archived(guild.id, community.id, True)
        if isinstance(channel, discord.TextChannel):
            try:
                voice = await self.bot.i18n.for_guild(guild.id)
                await self.replace_overwrites(
                    channel,
                    archived_overwrites(guild, await self.organiser_role(guild)),
                    topic=clip(f"{voice.label(ARCHIVED_TOPIC)} {community.description}", TOPIC_LIMIT),
                )
            except BaseException as error:
                await self.service.set_archived(guild.id, community.id, False)
                if isinstance(error, discord.HTTPException):
                    raise creation_refused(guild, error, CLOSE, t) from error
                raise
        return archived

    async def repair(
        self, guild: discord.Guild, community: Community, t: Translator = SOURCE_TRANSLATOR
    ) -> list[str]:
        """Make the community's channel and role what they should be; returns what was done (in
        the reader's language ``t``)."""
        notes: list[str] = []
        made: list[Any] = []
        channel = guild.get_channel(community.channel_id or 0)
        role = guild.get_role(community.role_id or 0) if community.kind == "interest" else None
        try:
            if community.kind == "interest" and role is None:
                role = await self._make_role(guild, community, made)
                notes.append(
                    t(
                        "Made a new **{role}** role (members of the old one need to join again).",
                        role=role.name,
                    )
                )
            if role is not None and role >= guild.me.top_role:
                raise already_translated(hierarchy_fix(guild, role, t))
            if not isinstance(channel, discord.TextChannel):
                channel = await self._make_channel(guild, community, role, made)
                notes.append(t("Made a new private channel {channel}.", channel=channel.mention))
            elif community.is_archived:
                # Reopening: one edit with the few structural overwrites (far under Discord's 100).
                await self.replace_overwrites(
                    channel, active_overwrites(guild, role), topic=clip(community.description, TOPIC_LIMIT)
                )
                notes.append(t("{channel} is open to members again.", channel=channel.mention))
            else:
                # A live channel keeps its members' overwrites: fix only the structural ones, one by one.
                for target, overwrite in active_overwrites(guild, role).items():
                    if channel.overwrites_for(target) != overwrite:
                        allow, deny = overwrite.pair()
                        await self.bot.http.edit_channel_permissions(
                            channel.id,
                            target.id,
                            allow.value,  # type: ignore[arg-type]
                            deny.value,  # type: ignore[arg-type]
                            0 if isinstance(target, discord.Role) else 1,
                        )
                        notes.append(
                            t(
                                "Reset access for {target} on {channel}.",
                                target=target.mention,
                                channel=channel.mention,
                            )
                            if isinstance(target, discord.Role | discord.Member)
                            else t("Reset access for the bot on {channel}.", channel=channel.mention)
                        )
            if made:
                await self.service.set_discord_ids(
                    guild.id,
                    community.id,
                    channel_id=channel.id,
                    role_id=role.id if role is not None else None,
                )
        except BaseException as error:
            await self._undo(made)
            if isinstance(error, discord.HTTPException):
                raise creation_refused(guild, error, REPAIR, t) from error
            raise
        return notes

    async def _category(self, guild: discord.Guild, made: list[Any]) -> discord.CategoryChannel:
        # Discord allows 50 channels in a category: past that, "Communities 2", "Communities 3"...
        ours = [c for c in guild.categories if category_number(c.name) is not None]
        for category in sorted(ours, key=lambda c: category_number(c.name) or 0):
            if len(category.channels) < CATEGORY_CHANNEL_LIMIT:
                return category
        number = max((category_number(c.name) or 1 for c in ours), default=0) + 1
        name = CATEGORY_NAME if number == 1 else f"{CATEGORY_NAME} {number}"
        data = await self.bot.http.create_channel(
            guild.id, discord.ChannelType.category.value, name=name, reason="Common Room communities"
        )
        category = discord.CategoryChannel(state=guild._state, guild=guild, data=data)  # type: ignore[arg-type]
        made.append(category)
        return category

    async def _make_channel(
        self, guild: discord.Guild, community: Community, role: discord.Role | None, made: list[Any]
    ) -> discord.TextChannel:
        category = await self._category(guild, made)
        data = await self.bot.http.create_channel(
            guild.id,
            discord.ChannelType.text.value,
            name=community.slug,
            parent_id=str(category.id),
            permission_overwrites=overwrite_payloads(active_overwrites(guild, role)),
            topic=clip(community.description, TOPIC_LIMIT),
            reason="Common Room community",
        )
        channel = discord.TextChannel(state=guild._state, guild=guild, data=data)  # type: ignore[arg-type]
        made.append(channel)
        return channel

    async def _make_role(self, guild: discord.Guild, community: Community, made: list[Any]) -> discord.Role:
        data = await self.bot.http.create_role(
            guild.id,
            name=community.name,
            permissions=0,
            mentionable=False,
            hoist=False,
            reason="Common Room interest community",
        )
        role = discord.Role(guild=guild, state=guild._state, data=data)
        made.append(role)
        return role

    async def _undo(self, made: list[Any]) -> None:
        for thing in reversed(made):
            try:
                await thing.delete(reason="Common Room: undoing a community change that did not complete")
            except discord.HTTPException as error:
                log.warning("Could not undo a partly made community object %s (%s)", thing.id, error.status)
