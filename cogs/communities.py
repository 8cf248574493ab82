"""/community: opt-in identity and interest communities, joined privately.

Two kinds of community, each with a private text channel under a "Communities" category:

* **interest**: a Discord role opens the channel. Joining adds the role (it shows on the
  profile, like any role: fine for sport, music, a year group...).
* **identity**: no role at all. Joining puts a permission overwrite for that one member on the
  channel, which does not show on their profile. The database stores no membership; the bot
  reads the channel's overwrites to answer ``/community mine``. Logs never pair a member id with
  an identity community.

Discord's limits on permission overwrites (see ``docs/communities.md``):

* a *create or edit channel* request may carry at most 100 overwrites (``maxItems: 100`` in
  Discord's OpenAPI description; SimCord does not enforce it). Joining and leaving never send
  such a list: each is one ``PUT``/``DELETE /channels/{id}/permissions/{member}`` carrying one
  overwrite, so communities grow past 100 members. Only archive/restore send a whole list, and
  it holds just the structural overwrites (@everyone, the bot, the role, organisers): checked
  against the limit before sending.
* a channel holds at most 1000 overwrites (error 30060). A join that would pass it is refused
  before any request, the student is told kindly, and the organisers are told once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Literal, NoReturn

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import ORGANISER, CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.services.communities import (
    CUSTOM_EMOJI,
    DESCRIPTION_MAX,
    EMOJI_MAX,
    NAME_MAX,
    WELCOME_MAX,
    Community,
    CommunityService,
)
from bot.ui import (
    AUTOCOMPLETE_CHOICES_LIMIT,
    CHOICE_NAME_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    BaseModal,
    clip,
    handle_interaction_error,
    report_user_error,
    require_bot_permissions,
    send_private,
)

log = logging.getLogger(__name__)

CATEGORY_NAME = "Communities"
CATEGORY_CHANNEL_LIMIT = 50  # Discord: channels in one category
# Discord: at most 100 overwrites in one create/edit channel request body (error 50035).
BULK_OVERWRITES_LIMIT = 100
# Discord: at most 1000 permission overwrites on one channel (error 30060).
CHANNEL_OVERWRITES_LIMIT = 1000
# Identity communities show no member count below this.
COUNT_FLOOR = 5
PANEL_ROWS = 5  # a message holds at most five select menus
LIST_PAGE_LIMIT = 3800  # characters per /community list page (an embed description holds 4096)
TOPIC_LIMIT = 1024
SELECT_DESCRIPTION_LIMIT = 100

MAX_OVERWRITES_CODE = 30060
MISSING_PERMISSIONS_CODE = 50013
MISSING_ACCESS_CODE = 50001

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

KIND_LINES = {
    "identity": (
        "Identity community: joining adds no role and doesn't show on your profile. Only members "
        "(and server admins) can see its channel, and Common Room keeps no list of who joined."
    ),
    "interest": "Interest community: joining gives you its role, which shows on your profile like any role.",
}

Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]


# -- small Discord helpers ----------------------------------------------------------------


def member_overwrite_ids(channel: discord.abc.GuildChannel) -> list[int]:
    """Members with their own overwrite on ``channel`` (the identity members, plus odd manual ones)."""
    raw: list[Any] = getattr(channel, "_overwrites", [])
    me = channel.guild.me.id
    return [o.id for o in raw if o.is_member() and o.id != me]


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
    return {"manage_roles": "Manage Roles", "manage_channels": "Manage Channels"}.get(
        name, name.replace("_", " ").title()
    )


def guild_permission_fix(guild: discord.Guild, missing: list[str], why: str) -> str:
    labels = " and ".join(f"**{permission_label(m)}**" for m in missing)
    return (
        f"I need {labels} {why}. In Server Settings › Roles › **{my_role_name(guild)}**, turn "
        f"{'it' if len(missing) == 1 else 'them'} on, then try again."
    )


def hierarchy_fix(guild: discord.Guild, role: discord.Role) -> str:
    return (
        f"My role must be above the **{role.name}** role to give it out. In Server Settings › Roles, "
        f"drag **{my_role_name(guild)}** above **{role.name}**, then try again."
    )


def channel_fix(channel: discord.abc.GuildChannel) -> str:
    return (
        f"I can't manage who sees {channel.mention}. In that channel's settings › Permissions, give my "
        f"role **{my_role_name(channel.guild)}** View Channel and Manage Permissions, then try again."
    )


def category_number(name: str) -> int | None:
    """1 for "Communities", 2 for "Communities 2"...; None for any other category."""
    if name.casefold() == CATEGORY_NAME.casefold():
        return 1
    head, _, tail = name.rpartition(" ")
    if head.casefold() == CATEGORY_NAME.casefold() and tail.isdigit():
        return int(tail)
    return None


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


def paginate(blocks: list[str], limit: int) -> list[str]:
    """Join ``blocks`` with blank lines into pages of at most ``limit`` characters."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > limit and current:
            pages.append(current)
            candidate = block
        current = candidate
    if current:
        pages.append(current)
    return pages


def overwrite_payloads(overwrites: Overwrites) -> list[dict[str, Any]]:
    """Overwrites as Discord's API describes them (ids as strings, permissions as integers).

    Discord rejects a create/edit channel request carrying more than 100 overwrites, so this
    refuses such a list before anything is sent.
    """
    if len(overwrites) > BULK_OVERWRITES_LIMIT:  # never expected: these lists are structural
        raise UserError(
            f"That would send Discord more than {BULK_OVERWRITES_LIMIT} permission entries at once, "
            "which it rejects. Nothing was changed."
        )
    payloads = []
    for target, overwrite in overwrites.items():
        allow, deny = overwrite.pair()
        kind = 0 if isinstance(target, discord.Role) else 1
        payloads.append({"id": str(target.id), "type": kind, "allow": allow.value, "deny": deny.value})
    return payloads


def community_line(community: Community) -> str:
    return f"**{discord.utils.escape_markdown(community.label)}**"


# -- persistent components ----------------------------------------------------------------


async def _guarded(
    interaction: discord.Interaction[Any], where: str, action: Callable[[], Awaitable[None]]
) -> None:
    """Run a component callback: a UserError becomes a private reply; anything else is logged."""
    try:
        await action()
    except UserError as error:
        await report_user_error(interaction, error)
    except Exception as error:
        await handle_interaction_error(interaction, error, where)


def _cog(interaction: discord.Interaction[Any]) -> Communities:
    cog = interaction.client.get_cog("Communities")
    assert isinstance(cog, Communities)
    return cog


class PanelSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"community:panel:(?P<page>[0-9]+)"
):
    """A page of the panel's menu. The chosen value is a community id."""

    def __init__(self, page: int, options: list[discord.SelectOption] | None = None) -> None:
        disabled = not options
        super().__init__(
            discord.ui.Select(
                custom_id=f"community:panel:{page}",
                placeholder="No communities yet" if disabled else "Choose a community…",
                options=options or [discord.SelectOption(label="No communities yet", value="0")],
                min_values=1,
                max_values=1,
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PanelSelect:
        return cls(int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values

        async def run() -> None:
            if not values or not values[0].isdigit() or values[0] == "0":
                raise UserError("Please choose a community from the menu.")
            await _cog(interaction).show_card(interaction, int(values[0]))

        await _guarded(interaction, "community panel", run)


class JoinButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"community:join:(?P<id>[0-9]+)"):
    def __init__(self, community_id: int) -> None:
        self.community_id = community_id
        super().__init__(
            discord.ui.Button(
                label="Join", style=discord.ButtonStyle.success, custom_id=f"community:join:{community_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> JoinButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _guarded(
            interaction,
            "community join button",
            lambda: _cog(interaction).card_action(interaction, self.community_id, join=True),
        )


class LeaveButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"community:leave:(?P<id>[0-9]+)"):
    def __init__(self, community_id: int) -> None:
        self.community_id = community_id
        super().__init__(
            discord.ui.Button(
                label="Leave",
                style=discord.ButtonStyle.secondary,
                custom_id=f"community:leave:{community_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LeaveButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _guarded(
            interaction,
            "community leave button",
            lambda: _cog(interaction).card_action(interaction, self.community_id, join=False),
        )


def panel_embed(communities: list[Community]) -> discord.Embed:
    embed = discord.Embed(
        title="Communities",
        description=(
            "Find people who share your experience or your interests. Choose a community below to "
            "read what it's about and join or leave it.\n\n"
            "🔒 Only you see what you choose: nothing is posted here and no one is told. Identity "
            "communities add no role to your profile, and Common Room keeps no list of who is in them."
        ),
        colour=discord.Colour.teal(),
    )
    shown = SELECT_OPTIONS_LIMIT * PANEL_ROWS
    if len(communities) > shown:
        embed.set_footer(
            text=f"Showing {shown} of {len(communities)} communities: /community list shows all."
        )
    return embed


def panel_view(communities: list[Community]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    pages = [
        communities[i : i + SELECT_OPTIONS_LIMIT] for i in range(0, len(communities), SELECT_OPTIONS_LIMIT)
    ]
    if not pages:
        view.add_item(PanelSelect(0))
    for number, page in enumerate(pages[:PANEL_ROWS]):
        options = [
            discord.SelectOption(
                label=clip(c.name, SELECT_LABEL_LIMIT),
                value=str(c.id),
                description=clip(f"{c.kind.title()} · {c.description}", SELECT_DESCRIPTION_LIMIT),
                emoji=c.emoji or None,
            )
            for c in page
        ]
        view.add_item(PanelSelect(number, options))
    return view


def card_view(community_id: int, *, member: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(LeaveButton(community_id) if member else JoinButton(community_id))
    return view


# -- the edit modal -------------------------------------------------------------------------


class EditCommunityModal(BaseModal):
    def __init__(self, cog: Communities, community: Community) -> None:
        super().__init__(title=clip(f"Edit {community.name}", 45), timeout=900)
        self.cog = cog
        self.community = community
        self.name_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Name", custom_id="name", default=community.name, min_length=2, max_length=NAME_MAX
        )
        self.description_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Description",
            custom_id="description",
            style=discord.TextStyle.paragraph,
            default=community.description,
            max_length=DESCRIPTION_MAX,
        )
        self.emoji_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Emoji (optional)",
            custom_id="emoji",
            default=community.emoji or "",
            required=False,
            max_length=EMOJI_MAX,
        )
        self.welcome_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Welcome note, shown privately (optional)",
            custom_id="welcome",
            style=discord.TextStyle.paragraph,
            default=community.welcome_note or "",
            required=False,
            max_length=WELCOME_MAX,
        )
        for item in (self.name_input, self.description_input, self.emoji_input, self.welcome_input):
            self.add_item(item)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.cog.apply_edit(
            interaction,
            self.community,
            name=self.name_input.value,
            description=self.description_input.value,
            emoji=self.emoji_input.value,
            welcome_note=self.welcome_input.value,
        )


# -- the cog --------------------------------------------------------------------------------


class Communities(
    commands.GroupCog,
    group_name="community",
    group_description="Opt-in communities you can join and leave privately",
):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = CommunityService(bot.db, bot.clock)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._health_lock = asyncio.Lock()
        # Discord's per-channel maximum; an attribute so tests can reach it with a small server.
        self.overwrite_limit = CHANNEL_OVERWRITES_LIMIT

    async def cog_load(self) -> None:
        unfinished = await self.service.discard_unfinished()
        if unfinished:
            log.warning(
                "Removed %d community definition(s) left half-created by an interrupted start "
                "(their channel or role may need deleting by hand)",
                len(unfinished),
            )

    # -- events: health at start-up and when a guild becomes available ----------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # At start-up (and after a fresh session) every guild is checked once. Guilds announced
        # during the ready wait don't always get their own guild_available event, so this is the
        # start-up check; what was already reported is stored, so nothing is reported twice.
        for guild in self.bot.guilds:
            await self.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        if await self.service.by_channel(channel.id) is not None:
            await self.check_health(channel.guild)

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
            await self.check_health(guild)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        if any(
            c.role_id == role.id for c in await self.service.list_communities(role.guild.id, archived=None)
        ):
            await self.check_health(role.guild)

    def problems(self, guild: discord.Guild, community: Community) -> dict[str, str]:
        """What is wrong with a community's channel or role right now (code -> what to do)."""
        found: dict[str, str] = {}
        channel = guild.get_channel(community.channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            found["channel_missing"] = (
                "its channel was deleted. `/community restore` makes a new private channel "
                "(members will need to join again), or `/community archive` retires it."
            )
            return found
        if community.is_archived:
            return found
        mine = channel.permissions_for(guild.me)
        if not (mine.view_channel and (mine.manage_roles or mine.administrator)):
            found["bot_channel_access"] = channel_fix(channel)
        if channel.permissions_for(guild.default_role).view_channel:
            found["channel_public"] = (
                f"{channel.mention} is visible to everyone on the server, but it should be private. "
                "`/community restore` makes it private again."
            )
        if missing := missing_guild_permissions(guild, "manage_roles"):
            found["bot_manage_roles"] = guild_permission_fix(guild, missing, "to give people access")
        if community.kind == "interest":
            role = guild.get_role(community.role_id or 0)
            if role is None:
                found["role_missing"] = (
                    "its role was deleted. `/community restore` makes a new one "
                    "(members will need to join again)."
                )
            else:
                if not channel.permissions_for(role).view_channel:
                    found["role_no_access"] = (
                        f"the **{role.name}** role no longer opens {channel.mention}. "
                        "`/community restore` fixes it."
                    )
                if role >= guild.me.top_role:
                    found["role_above_bot"] = hierarchy_fix(guild, role)
        if overwrite_count(channel) >= self.overwrite_limit:
            found["overwrite_limit"] = self._limit_text(channel)
        return found

    def _limit_text(self, channel: discord.abc.GuildChannel) -> str:
        return (
            f"{channel.mention} has reached Discord's limit of {self.overwrite_limit} permission "
            "entries on one channel, so nobody else can join. Consider splitting the community "
            "(for example by year) and archiving or tidying this one."
        )

    async def check_health(self, guild: discord.Guild) -> dict[int, dict[str, str]]:
        """Check every community of ``guild``; report new problems to the organisers once."""
        async with self._health_lock:
            communities = await self.service.list_communities(guild.id, archived=None)
            found = {c.id: self.problems(guild, c) for c in communities}
            found = {cid: problems for cid, problems in found.items() if problems}
            fresh = await self.service.unreported(guild.id, {cid: set(p) for cid, p in found.items()})
            if fresh:
                by_id = {c.id: c for c in communities}
                lines = [
                    f"• {community_line(by_id[cid])}: {found[cid][code]}"
                    for cid, codes in fresh.items()
                    for code in sorted(codes)
                ]
                if await self._tell_organisers(guild, "⚠️ Community health", lines):
                    await self.service.mark_reported(fresh)
            return found

    async def _alert(self, guild: discord.Guild, community: Community, code: str, text: str) -> None:
        """Tell the organisers about one problem, once until it is fixed."""
        async with self._health_lock:
            if code in await self.service.reported(community.id):
                return
            if await self._tell_organisers(
                guild, "⚠️ Community needs attention", [f"• {community_line(community)}: {text}"]
            ):
                await self.service.mark_reported({community.id: {code}})

    async def _tell_organisers(self, guild: discord.Guild, title: str, lines: list[str]) -> bool:
        config = await self.bot.guild_settings.get(guild.id)
        channel_id = config.channel("organisers")
        channel = guild.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning("Community problems in guild %s but no organisers channel is set", guild.id)
            return False
        embed = discord.Embed(
            title=title,
            description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.orange(),
        )
        try:
            await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.warning("Could not post to the organisers channel in guild %s (%s)", guild.id, error.status)
            return False
        return True

    # -- joining and leaving (shared by the slash commands and the panel) -------------------

    async def join(self, interaction: discord.Interaction[Any], community: Community) -> str:
        guild, member = self._where(interaction)
        async with self._locks[community.id]:
            channel = await self._usable_channel(guild, community)
            if community.is_identity:
                if has_identity_access(channel, member.id):
                    return f"You're already in {community_line(community)}. Its channel is {channel.mention}."
                if is_kept_out(channel, member.id):
                    # A moderator's decision: joining must not undo it.
                    raise UserError(
                        f"I can't add you to {community_line(community)}. If you think that's a mistake, "
                        "please talk to an organiser."
                    )
                await self._refuse_if_unusable(guild, community, channel, None)
                if overwrite_count(channel) >= self.overwrite_limit:
                    await self._alert(guild, community, "overwrite_limit", self._limit_text(channel))
                    raise UserError(
                        f"{community_line(community)} is full: Discord allows only "
                        f"{self.overwrite_limit} people with private access to one channel. Nothing was "
                        "changed, and the organisers have been told so they can make room. Sorry about that."
                    )
                await self._discord(
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
                    return f"You're already in {community_line(community)}. Its channel is {channel.mention}."
                await self._refuse_if_unusable(guild, community, channel, role)
                await self._discord(
                    guild, community, self.bot.http.add_role(guild.id, member.id, role.id), joining=True
                )
        text = (
            f"Welcome to {community_line(community)}! Its channel is {channel.mention}. "
            "Nothing was announced: only you can see this message."
        )
        if community.is_identity:
            text += " This doesn't show on your profile."
        if community.welcome_note:
            text += f"\n\n>>> {community.welcome_note}"
        return text

    async def leave(self, interaction: discord.Interaction[Any], community: Community) -> str:
        guild, member = self._where(interaction)
        async with self._locks[community.id]:
            channel = guild.get_channel(community.channel_id or 0)
            if community.is_identity:
                if channel is None or not has_identity_access(channel, member.id):
                    return f"You're not in {community_line(community)}, so there's nothing to leave."
                await self._discord(
                    guild,
                    community,
                    self.bot.http.delete_channel_permissions(channel.id, member.id),
                    joining=False,
                )
            else:
                if not has_role(member, community.role_id):
                    return f"You're not in {community_line(community)}, so there's nothing to leave."
                role = guild.get_role(community.role_id or 0)
                assert role is not None  # the member has it
                await self._refuse_if_unusable(guild, community, None, role, joining=False)
                await self._discord(
                    guild, community, self.bot.http.remove_role(guild.id, member.id, role.id), joining=False
                )
        return f"You've left {community_line(community)}. No one was told. You can join again any time."

    def _where(self, interaction: discord.Interaction[Any]) -> tuple[discord.Guild, discord.Member]:
        guild = interaction.guild
        member = interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise UserError("Communities live inside a server. Please use this there.")
        return guild, member

    async def _usable_channel(self, guild: discord.Guild, community: Community) -> discord.TextChannel:
        channel = guild.get_channel(community.channel_id or 0)
        if isinstance(channel, discord.TextChannel):
            return channel
        await self.check_health(guild)
        raise UserError(
            f"{community_line(community)} isn't available right now (its channel is missing). The organisers "
            "have been told. Please try again later."
        )

    async def _usable_role(self, guild: discord.Guild, community: Community) -> discord.Role:
        role = guild.get_role(community.role_id or 0)
        if role is not None:
            return role
        await self.check_health(guild)
        raise UserError(
            f"{community_line(community)} isn't available right now (its role is missing). The organisers "
            "have been told. Please try again later."
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
        problem: tuple[str, str] | None = None
        if missing := missing_guild_permissions(guild, "manage_roles"):
            problem = ("bot_manage_roles", guild_permission_fix(guild, missing, "to give people access"))
        elif role is not None and role >= guild.me.top_role:
            problem = ("role_above_bot", hierarchy_fix(guild, role))
        elif channel is not None and role is None:
            mine = channel.permissions_for(guild.me)
            if not (mine.view_channel and mine.manage_roles):
                problem = ("bot_channel_access", channel_fix(channel))
        if problem is None:
            return
        await self._alert(guild, community, *problem)
        verb = "add you to" if joining else "remove you from"
        raise UserError(
            f"I can't {verb} {community_line(community)} right now because of a setting on this server. "
            "Nothing was changed. The organisers have been told what to fix; please try again later."
        )

    async def _discord(
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
        verb = "add you to" if joining else "remove you from"
        if error.code == MAX_OVERWRITES_CODE:
            channel = guild.get_channel(community.channel_id or 0)
            where = channel.mention if channel else "its channel"
            await self._alert(
                guild,
                community,
                "discord_full",
                f"Discord refused to add anyone else to {where}: it has reached the limit of permission "
                "entries on one channel. Consider splitting the community (for example by year).",
            )
            raise UserError(
                f"{community_line(community)} is full: Discord won't let anyone else into its channel. "
                "Nothing was changed, and the organisers have been told so they can make room."
            ) from error
        if isinstance(error, discord.Forbidden):
            found = await self.check_health(guild)
            if community.id in found:  # the check named the cause and told the organisers
                raise UserError(
                    f"I can't {verb} {community_line(community)} right now because of a setting on "
                    "this server. Nothing was changed. The organisers have been told; please try again "
                    "later."
                ) from error
            await self._alert(
                guild,
                community,
                "discord_forbidden",
                "Discord refused to change who can see its channel (missing permissions). Check that my "
                f"role **{my_role_name(guild)}** has Manage Roles and sits above the community's role, "
                "and that it can view the channel.",
            )
            raise UserError(
                f"I can't {verb} {community_line(community)} right now because of a setting on this "
                "server. Nothing was changed. The organisers have been told; please try again later."
            ) from error
        raise UserError(
            f"Discord didn't accept that just now, so I couldn't {verb} {community_line(community)}. "
            "Nothing was changed. Please try again in a minute."
        ) from error

    # -- panel cards ------------------------------------------------------------------------

    def is_member(self, guild: discord.Guild, member: discord.Member, community: Community) -> bool:
        if community.is_identity:
            channel = guild.get_channel(community.channel_id or 0)
            return channel is not None and has_identity_access(channel, member.id)
        return has_role(member, community.role_id)

    def card_embed(self, community: Community, *, member: bool, note: str | None = None) -> discord.Embed:
        embed = discord.Embed(
            title=clip(community.label, 256),
            description=clip(community.description, EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.teal(),
        )
        embed.add_field(name="Privacy", value=KIND_LINES[community.kind], inline=False)
        embed.add_field(
            name="You", value="You're a member." if member else "You're not a member.", inline=False
        )
        if note:
            embed.add_field(name="\u200b", value=clip(note, EMBED_FIELD_VALUE_LIMIT), inline=False)
        return embed

    async def show_card(self, interaction: discord.Interaction[Any], community_id: int) -> None:
        guild, member = self._where(interaction)
        community = await self.service.get(guild.id, community_id)
        if community.is_archived:
            raise UserError(f"{community_line(community)} has been archived, so it can't be joined.")
        joined = self.is_member(guild, member, community)
        await send_private(
            interaction,
            embed=self.card_embed(community, member=joined),
            view=card_view(community.id, member=joined),
        )

    async def card_action(
        self, interaction: discord.Interaction[Any], community_id: int, *, join: bool
    ) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.get(guild.id, community_id)
        if join and community.is_archived:
            raise UserError(f"{community_line(community)} has been archived, so it can't be joined.")
        text = await (self.join(interaction, community) if join else self.leave(interaction, community))
        now_member = join
        await interaction.response.edit_message(
            content=clip(text, 2000),
            embed=self.card_embed(community, member=now_member),
            view=card_view(community.id, member=now_member),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def refresh_panels(self, guild: discord.Guild) -> int:
        """Re-draw every panel of ``guild`` with the current communities; returns how many."""
        communities = await self.service.list_communities(guild.id)
        refreshed = 0
        for panel in await self.service.panels(guild.id):
            channel = guild.get_channel(panel.channel_id)
            if not isinstance(channel, discord.TextChannel):
                await self.service.remove_panel(panel.message_id)
                continue
            try:
                await channel.get_partial_message(panel.message_id).edit(
                    embed=panel_embed(communities), view=panel_view(communities)
                )
                refreshed += 1
            except discord.NotFound:
                await self.service.remove_panel(panel.message_id)
            except discord.HTTPException as error:
                log.warning("Could not refresh a community panel in guild %s (%s)", guild.id, error.status)
        return refreshed

    # -- creating and repairing Discord objects ------------------------------------------

    async def _organiser_role(self, guild: discord.Guild) -> discord.Role | None:
        config = await self.bot.guild_settings.get(guild.id)
        return guild.get_role(config.organiser_role_id) if config.organiser_role_id else None

    def _active_overwrites(self, guild: discord.Guild, role: discord.Role | None) -> Overwrites:
        overwrites: Overwrites = {
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            guild.me: BOT_ACCESS,
        }
        if role is not None:
            overwrites[role] = discord.PermissionOverwrite.from_pair(
                MEMBER_ACCESS, discord.Permissions.none()
            )
        return overwrites

    def _archived_overwrites(self, guild: discord.Guild, organisers: discord.Role | None) -> Overwrites:
        overwrites: Overwrites = {guild.default_role: ARCHIVE_DENY, guild.me: BOT_ACCESS}
        if organisers is not None and not organisers.is_default():
            overwrites[organisers] = discord.PermissionOverwrite(view_channel=True, read_message_history=True)
        return overwrites

    async def _replace_overwrites(
        self, channel: discord.TextChannel, overwrites: Overwrites, **fields: Any
    ) -> None:
        await self.bot.http.edit_channel(
            channel.id, permission_overwrites=overwrite_payloads(overwrites), **fields
        )

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
            permission_overwrites=overwrite_payloads(self._active_overwrites(guild, role)),
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

    def _creation_refused(self, guild: discord.Guild, error: discord.HTTPException, what: str) -> UserError:
        if isinstance(error, discord.Forbidden):
            return UserError(
                f"Discord refused to {what} because I'm missing a permission. Nothing was created or "
                "changed. "
                + guild_permission_fix(guild, ["manage_channels", "manage_roles"], "to make private channels")
            )
        limits = {
            30013: "this server has reached Discord's limit of 500 channels",
            30005: "this server has reached Discord's limit of 250 roles",
        }
        if error.code in limits:
            return UserError(
                f"Discord refused to {what}: {limits[error.code]}. Nothing was created or changed. "
                "Archiving and deleting unused channels or roles makes room."
            )
        return UserError(
            f"Discord didn't accept the request to {what} (error {error.status}). Nothing was created or "
            "changed; please try again in a minute."
        )

    def _require_setup_permissions(self, guild: discord.Guild, kind: str) -> None:
        missing = missing_guild_permissions(guild, "manage_channels", "manage_roles")
        if missing:
            raise UserError(guild_permission_fix(guild, missing, "to make a community's private channel"))

    # -- slash commands: students -----------------------------------------------------------

    @app_commands.command(name="list", description="See the communities you can join (only you see this)")
    async def list_(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild, member = self._where(interaction)
        communities = await self.service.list_communities(guild.id)
        config = await self.bot.guild_settings.get(guild.id)
        organiser = is_organiser(member, config)
        lines = []
        for c in communities:
            channel = guild.get_channel(c.channel_id or 0)
            line = f"{community_line(c)} · {c.kind}\n{discord.utils.escape_markdown(c.description)}"
            count = self._count_text(guild, c, channel)
            if count:
                line += f"\n{count}"
            if organiser:
                problems = self.problems(guild, c)
                line += "\nHealth: " + ("✅ all good" if not problems else "⚠️ " + " ".join(problems.values()))
            lines.append(line)
        if organiser:
            archived = await self.service.list_communities(guild.id, archived=True)
            if archived:
                lines.append("**Archived** (hidden from students): " + ", ".join(c.name for c in archived))
        if not lines:
            text = "There are no communities here yet."
            if organiser:
                text += " Create one with `/community create`."
            await send_private(interaction, text)
            return
        # One embed per page; each page is its own private message (Discord caps the text of all
        # embeds in one message at 6000 characters).
        pages = paginate([clip(line, LIST_PAGE_LIMIT) for line in lines], LIST_PAGE_LIMIT)
        for number, page in enumerate(pages, start=1):
            embed = discord.Embed(
                title="Communities" if len(pages) == 1 else f"Communities ({number}/{len(pages)})",
                description=page,
                colour=discord.Colour.teal(),
            )
            if number == len(pages):
                embed.set_footer(
                    text="Join with /community join. Joining is private: nothing is posted or announced."
                )
            await send_private(interaction, embed=embed)

    def _count_text(self, guild: discord.Guild, community: Community, channel: Any) -> str | None:
        if community.is_identity:
            if channel is None:
                return None
            count = identity_member_count(channel)
            return f"{count} members" if count >= COUNT_FLOOR else "Fewer than 5 members"
        role = guild.get_role(community.role_id or 0)
        if role is None or not self.bot.intents.members:
            return None  # without the members intent Discord doesn't tell us who holds a role
        return f"{len(role.members)} members"

    @app_commands.command(name="join", description="Join a community privately")
    @app_commands.describe(name="The community to join")
    async def join_command(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.find(guild.id, name)
        await send_private(interaction, await self.join(interaction, community))

    @app_commands.command(name="leave", description="Leave a community privately")
    @app_commands.describe(name="The community to leave")
    async def leave_command(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.find(guild.id, name, archived=None)
        await send_private(interaction, await self.leave(interaction, community))

    @app_commands.command(name="mine", description="The communities you're in (only you see this)")
    async def mine(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild, member = self._where(interaction)
        joined = [
            c for c in await self.service.list_communities(guild.id) if self.is_member(guild, member, c)
        ]
        if not joined:
            await send_private(
                interaction,
                "You haven't joined any communities yet. `/community list` shows them; joining is private.",
            )
            return
        lines = []
        for c in joined:
            channel = guild.get_channel(c.channel_id or 0)
            where = channel.mention if channel else "(channel unavailable)"
            lines.append(f"{community_line(c)} · {c.kind} · {where}")
        await send_private(
            interaction,
            "Your communities (only you can see this):\n"
            + "\n".join(lines)
            + "\n\nLeave any with `/community leave`.",
        )

    @join_command.autocomplete("name")
    async def _join_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        return self._choices(await self.service.search(interaction.guild_id, current))

    @leave_command.autocomplete("name")
    async def _leave_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        guild = interaction.guild
        if guild is None or not isinstance(interaction.user, discord.Member):
            return []
        member = interaction.user
        mine = [c for c in await self.service.search(guild.id, current) if self.is_member(guild, member, c)]
        return self._choices(mine)

    def _choices(self, communities: list[Community]) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=clip(c.label, CHOICE_NAME_LIMIT), value=c.name)
            for c in communities[:AUTOCOMPLETE_CHOICES_LIMIT]
        ]

    # -- slash commands: organisers --------------------------------------------------------

    @app_commands.command(
        name="create", description="Create a community with its own private channel", extras=ORGANISER
    )
    @app_commands.describe(
        name="A short name, for example 'Black Medics' or 'Running Club'",
        kind="identity: membership stays off profiles; interest: uses a role",
        description="One or two sentences on who it's for",
        emoji="Optional emoji shown beside the name",
        welcome_note="Optional note each new member sees privately when they join",
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
        guild, _ = self._where(interaction)
        self._require_setup_permissions(guild, kind)
        check_emoji_is_here(guild, emoji)
        community = await self.service.reserve(
            guild.id, name=name, kind=kind, description=description, emoji=emoji, welcome_note=welcome_note
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        made: list[Any] = []
        try:
            role = await self._make_role(guild, community, made) if kind == "interest" else None
            channel = await self._make_channel(guild, community, role, made)
            community = await self.service.attach(
                community.id, channel_id=channel.id, role_id=role.id if role else None
            )
        except BaseException as error:
            await self._undo(made)
            await self.service.discard(community.id)
            if isinstance(error, discord.HTTPException):
                raise self._creation_refused(guild, error, "make the community's channel") from error
            raise
        await self.refresh_panels(guild)
        privacy = (
            "Membership won't show on anyone's profile, and Common Room keeps no list of members."
            if community.is_identity
            else f"Members get the **{role.name if role else community.name}** role, which opens the channel."
        )
        text = (
            f"Created {community_line(community)} ({community.kind}) with the private channel "
            f"{channel.mention} "
            f"under **{CATEGORY_NAME}**. Only members, the bot and server admins can see it. {privacy}\n"
            "Students can join with `/community join` or from a panel (`/community panel`)."
        )
        config = await self.bot.guild_settings.get(guild.id)
        if config.channel("organisers") is None:
            text += (
                "\nTip: choose an organisers channel (`/setup channel`) so I can tell you if this "
                "community's channel or role breaks."
            )
        await send_private(interaction, text)

    @app_commands.command(
        name="edit",
        description="Edit a community's name, description, emoji or welcome note",
        extras=ORGANISER,
    )
    @app_commands.describe(name="The community to edit")
    async def edit(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.find(guild.id, name, archived=None)
        await interaction.response.send_modal(EditCommunityModal(self, community))

    async def apply_edit(
        self,
        interaction: discord.Interaction[Any],
        community: Community,
        *,
        name: str,
        description: str,
        emoji: str,
        welcome_note: str,
    ) -> None:
        guild, _ = self._where(interaction)
        check_emoji_is_here(guild, emoji)
        changed = await self.service.check_update(
            guild.id, community.id, name=name, description=description, emoji=emoji, welcome_note=welcome_note
        )
        current = await self.service.get(guild.id, community.id)
        channel = guild.get_channel(current.channel_id or 0)
        role = guild.get_role(current.role_id or 0) if current.role_id else None
        undo: list[Callable[[], Awaitable[Any]]] = []
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
            saved = await self.service.update(changed)
        except BaseException as error:
            for step in reversed(undo):
                try:
                    await step()
                except discord.HTTPException:
                    log.warning("Could not undo a community rename (community %s)", community.id)
            if isinstance(error, discord.HTTPException):
                raise self._creation_refused(
                    guild, error, "rename the community's channel or role"
                ) from error
            raise
        await self.refresh_panels(guild)
        await send_private(
            interaction, f"Saved. {community_line(saved)} is up to date, and its panels show the change."
        )

    @app_commands.command(
        name="archive",
        description="Archive a community: unlisted, access removed, channel kept read-only",
        extras=ORGANISER,
    )
    @app_commands.describe(name="The community to archive")
    async def archive(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.find(guild.id, name, archived=None)
        if community.is_archived:
            await send_private(interaction, f"{community_line(community)} is already archived.")
            return
        missing = missing_guild_permissions(guild, "manage_channels", "manage_roles")
        channel = guild.get_channel(community.channel_id or 0)
        if missing and isinstance(channel, discord.TextChannel):
            raise UserError(guild_permission_fix(guild, missing, "to close the community's channel"))
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = identity_member_count(channel) if channel is not None and community.is_identity else 0
        archived = await self.service.set_archived(guild.id, community.id, True)
        if isinstance(channel, discord.TextChannel):
            try:
                await self._replace_overwrites(
                    channel,
                    self._archived_overwrites(guild, await self._organiser_role(guild)),
                    topic=clip(f"Archived: read-only. {community.description}", TOPIC_LIMIT),
                )
            except BaseException as error:
                await self.service.set_archived(guild.id, community.id, False)
                if isinstance(error, discord.HTTPException):
                    raise self._creation_refused(guild, error, "close the community's channel") from error
                raise
        await self.refresh_panels(guild)
        readers = "organisers and server admins" if await self._organiser_role(guild) else "server admins"
        where = channel.mention if channel is not None else "Its channel (already deleted)"
        detail = (
            f"{removed} member{'s' if removed != 1 else ''} lost access; Common Room kept no list of them."
            if community.is_identity
            else "Members keep the role (you can delete it in Server Settings), but it no longer opens "
            "the channel."
        )
        await send_private(
            interaction,
            f"Archived {community_line(archived)}: it's no longer listed and can't be joined. {where} is "
            f"kept, read-only, for history ({readers} can read it). {detail} "
            "`/community restore` reopens it.",
        )

    @app_commands.command(
        name="restore",
        description="Reopen an archived community, or repair a broken channel or role",
        extras=ORGANISER,
    )
    @app_commands.describe(name="The community to restore or repair")
    async def restore(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        guild, _ = self._where(interaction)
        community = await self.service.find(guild.id, name, archived=None)
        missing = missing_guild_permissions(guild, "manage_channels", "manage_roles")
        if missing:
            raise UserError(guild_permission_fix(guild, missing, "to reopen or repair a community"))
        blocking = {
            code: text
            for code, text in self.problems(guild, community).items()
            if code in ("bot_channel_access", "role_above_bot", "bot_manage_roles")
        }
        if blocking:
            raise UserError("I can't fix this myself: " + " ".join(blocking.values()))
        await interaction.response.defer(ephemeral=True, thinking=True)
        was_archived = community.is_archived
        notes = await self._repair(guild, community)
        if was_archived:
            community = await self.service.set_archived(guild.id, community.id, False)
        await self.check_health(guild)
        await self.refresh_panels(guild)
        first = (
            f"Restored {community_line(community)}: it's listed again and open to join."
            if was_archived
            else f"Checked {community_line(community)}."
        )
        if was_archived and community.is_identity:
            notes.append("Previous members need to join again: Common Room keeps no list of who was in it.")
        if not notes:
            notes.append("Nothing needed fixing.")
        await send_private(interaction, first + "\n" + "\n".join(f"• {n}" for n in notes))

    async def _repair(self, guild: discord.Guild, community: Community) -> list[str]:
        """Make the community's channel and role what they should be; returns what was done."""
        notes: list[str] = []
        made: list[Any] = []
        channel = guild.get_channel(community.channel_id or 0)
        role = guild.get_role(community.role_id or 0) if community.kind == "interest" else None
        try:
            if community.kind == "interest" and role is None:
                role = await self._make_role(guild, community, made)
                notes.append(f"Made a new **{role.name}** role (members of the old one need to join again).")
            if role is not None and role >= guild.me.top_role:
                raise UserError(hierarchy_fix(guild, role))
            if not isinstance(channel, discord.TextChannel):
                channel = await self._make_channel(guild, community, role, made)
                notes.append(f"Made a new private channel {channel.mention}.")
            elif community.is_archived:
                # Reopening: one edit with the few structural overwrites (far under Discord's 100).
                await self._replace_overwrites(
                    channel,
                    self._active_overwrites(guild, role),
                    topic=clip(community.description, TOPIC_LIMIT),
                )
                notes.append(f"{channel.mention} is open to members again.")
            else:
                # A live channel keeps its members' overwrites: fix only the structural ones, one by one.
                for target, overwrite in self._active_overwrites(guild, role).items():
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
                            f"Reset access for {getattr(target, 'mention', 'the bot')} on {channel.mention}."
                        )
            if made:
                await self.service.set_discord_ids(
                    community.id, channel_id=channel.id, role_id=role.id if role is not None else None
                )
        except BaseException as error:
            await self._undo(made)
            if isinstance(error, discord.HTTPException):
                raise self._creation_refused(guild, error, "repair the community") from error
            raise
        return notes

    @app_commands.command(
        name="panel",
        description="Post a panel where students pick a community to join privately",
        extras=ORGANISER,
    )
    @app_commands.describe(channel="Where to post the panel (students need to see it)")
    async def panel(
        self, interaction: discord.Interaction[CommonRoomBot], channel: discord.TextChannel
    ) -> None:
        guild, _ = self._where(interaction)
        require_bot_permissions(channel)
        communities = await self.service.list_communities(guild.id)
        message = await channel.send(embed=panel_embed(communities), view=panel_view(communities))
        await self.service.add_panel(guild.id, channel.id, message.id)
        await send_private(
            interaction,
            f"Posted the communities panel in {channel.mention}. It keeps working after restarts and updates "
            "itself when communities change. Delete the message to remove it.",
        )

    @edit.autocomplete("name")
    @archive.autocomplete("name")
    async def _active_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        return self._choices(await self.service.search(interaction.guild_id, current))

    @restore.autocomplete("name")
    async def _all_names(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        return self._choices(await self.service.search(interaction.guild_id, current, archived=None))

    # -- privacy (issue 9) -----------------------------------------------------------------

    async def member_communities(self, guild: discord.Guild, member_id: int) -> list[dict[str, str]]:
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

    async def forget_member(self, guild: discord.Guild, member_id: int) -> int:
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
                await self.check_health(guild)
        return removed

    # The /privacy cog finds these by name (duck typing).
    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        data = await self.service.export_member(member_id)
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            data["communities"]["you_are_in_on_discord"] = await self.member_communities(guild, member_id)
        return data

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        counts = await self.service.forget_member(member_id)
        counts["community access removed on Discord"] = await self.forget_member(guild, member_id)
        return counts

    async def _fetch_member(self, guild: discord.Guild, member_id: int) -> discord.Member | None:
        member = guild.get_member(member_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(member_id)
        except discord.HTTPException:
            return None


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(PanelSelect, JoinButton, LeaveButton)
    await bot.add_cog(Communities(bot))
