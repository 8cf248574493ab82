"""/setup: how Common Room works on this server. For members with Manage Server.

``/setup start`` is the guided set-up: one private message, edited as the admin goes, with
Discord's own role and channel menus (page 1: organiser role and timezone; page 2: the four
channels). Every choice is saved at once, so stopping halfway loses nothing, and ``/setup show``
says what is still missing and what each missing piece stops working. The menus are persistent
items (custom ids ``setup:role``, ``setup:timezone``, ``setup:page:{1|2}``,
``setup:channel:{purpose}``), so they keep working after a restart; each press checks Manage
Server again on the server side, because component presses don't pass the command tree's check.

When the bot joins a server that has nothing set up, it posts one short "next step" note where
it is allowed to (the system channel, or the first text channel it can post in), through the
outbox (topic ``setup.join``, one key per server, so it is posted once).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import MANAGE_SERVER, CommonRoomBot
from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.guilds import CHANNEL_PURPOSES, GuildConfig
from bot.services.language import BILINGUAL, SOURCE, WELSH
from bot.services.outbox import OutboxItem
from bot.ui import PersistentItem, cog_of, require_bot_permissions, send_private, unstored_view
from bot.ui.replies import reader
from cogs.setup.render import (
    CHANNEL_PLACEHOLDER,
    COMMAND_PUBLIC,
    COMMAND_SAVED,
    JOIN_NOTE,
    JOIN_TOPIC,
    PURPOSE_PATTERN,
    TIMEZONES,
    WIZARD_PUBLIC,
    WIZARD_SAVED,
    Purpose,
    _english,
    language_reply,
    render_config,
    wizard_text,
)

log = logging.getLogger(__name__)


def wizard_view(config: GuildConfig, page: int, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    if page == 1:
        return unstored_view(SetupRole(config, t), SetupTimezone(config, t), SetupPage(2, t))
    return unstored_view(*(SetupChannel(purpose, config, t) for purpose in CHANNEL_PURPOSES), SetupPage(1, t))


def _require_manage_server(interaction: discord.Interaction[Any]) -> discord.Guild:
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        raise UserError("Common Room is set up inside a server. Please use `/setup start` there.")
    permissions = member.guild_permissions
    if not (permissions.manage_guild or permissions.administrator):
        raise UserError(
            "Setting up Common Room needs the Manage Server permission, so nothing was changed. Ask a "
            "server admin if something here needs changing."
        )
    return interaction.guild


async def _saved(
    interaction: discord.Interaction[Any], config: GuildConfig, page: int, t: Translator, note: str = ""
) -> None:
    assert interaction.guild is not None
    await interaction.response.edit_message(
        content=wizard_text(interaction.guild, config, page, note, t), view=wizard_view(config, page, t)
    )


class SetupRole(PersistentItem[discord.ui.RoleSelect[Any]], template=r"setup:role"):
    where = "setup role"

    def __init__(self, config: GuildConfig | None = None, t: Translator = SOURCE_TRANSLATOR) -> None:
        role_id = config.organiser_role_id if config is not None else None
        super().__init__(
            discord.ui.RoleSelect(
                custom_id="setup:role",
                placeholder=t("The organiser role…"),
                default_values=[discord.Object(role_id)] if role_id else [],
            )
        )

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        guild = _require_manage_server(interaction)
        t = await reader(interaction)
        role = self.item.values[0] if self.item.values else None
        if role is None or role.is_default():
            raise UserError(
                "@everyone can't be the organiser role: choose or create a role for the people who "
                "run things."
            )
        config = await setup_cog(interaction).bot.guild_settings.set_organiser_role(guild.id, role.id)
        await _saved(interaction, config, 1, t)


class SetupTimezone(PersistentItem[discord.ui.Select[Any]], template=r"setup:timezone"):
    where = "setup timezone"

    def __init__(self, config: GuildConfig | None = None, t: Translator = SOURCE_TRANSLATOR) -> None:
        current = config.timezone if config is not None else None
        names = list(TIMEZONES) if current in TIMEZONES or current is None else [current, *TIMEZONES[:-1]]
        super().__init__(
            discord.ui.Select(
                custom_id="setup:timezone",
                placeholder=t("The server's timezone…"),
                options=[
                    discord.SelectOption(label=name, value=name, default=name == current) for name in names
                ],
            )
        )

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        guild = _require_manage_server(interaction)
        name = self.item.values[0] if self.item.values else ""
        config = await setup_cog(interaction).bot.guild_settings.set_timezone(guild.id, name)
        await _saved(interaction, config, 1, await reader(interaction))


class SetupPage(PersistentItem[discord.ui.Button[Any]], template=r"setup:page:(?P<page>[12])"):
    where = "setup page"

    def __init__(self, page: int, t: Translator = SOURCE_TRANSLATOR) -> None:
        self.page = page
        super().__init__(
            discord.ui.Button(
                label=t("Next: channels") if page == 2 else t("Back: role and timezone"),
                style=discord.ButtonStyle.primary if page == 2 else discord.ButtonStyle.secondary,
                custom_id=f"setup:page:{page}",
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["page"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        guild = _require_manage_server(interaction)
        config = await setup_cog(interaction).bot.guild_settings.get(guild.id)
        await _saved(interaction, config, self.page, await reader(interaction))


class SetupChannel(
    PersistentItem[discord.ui.ChannelSelect[Any]], template=rf"setup:channel:(?P<purpose>{PURPOSE_PATTERN})"
):
    where = "setup channel"

    def __init__(
        self, purpose: str, config: GuildConfig | None = None, t: Translator = SOURCE_TRANSLATOR
    ) -> None:
        self.purpose = purpose
        channel_id = config.channel(purpose) if config is not None else None
        super().__init__(
            discord.ui.ChannelSelect(
                custom_id=f"setup:channel:{purpose}",
                channel_types=[discord.ChannelType.text],
                placeholder=t(_english(purpose, CHANNEL_PLACEHOLDER, f"The {purpose} channel…")),
                default_values=[discord.Object(channel_id)] if channel_id else [],
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(match["purpose"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        guild = _require_manage_server(interaction)
        chosen = self.item.values[0] if self.item.values else None
        channel = guild.get_channel(chosen.id) if chosen is not None else None
        if not isinstance(channel, discord.TextChannel):
            raise UserError("Please choose a text channel.")
        require_bot_permissions(channel)
        config = await setup_cog(interaction).bot.guild_settings.set_channel(
            guild.id, self.purpose, channel.id
        )
        t = await reader(interaction)
        name = f"#{channel.name}"
        note = t(
            _english(self.purpose, WIZARD_SAVED, f"Saved: {{channel}} is the {self.purpose} channel."),
            channel=name,
        )
        public = WIZARD_PUBLIC.get(self.purpose)
        if public is not None and channel.permissions_for(guild.default_role).view_channel:
            note += " " + t(public, channel=name)
        await _saved(interaction, config, 2, t, note)


def setup_cog(interaction: discord.Interaction[Any]) -> Setup:
    return cog_of(interaction, Setup)


def join_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """Where the "next step" note may go: the system channel, or the first text channel the bot
    can post in (None if there is none)."""
    me = guild.me
    candidates = [guild.system_channel] if guild.system_channel is not None else []
    candidates += sorted(guild.text_channels, key=lambda c: (c.position, c.id))
    for channel in candidates:
        permissions = channel.permissions_for(me)
        if permissions.view_channel and permissions.send_messages:
            return channel
    return None


# Hidden from members without Manage Server in the client; checked again on the server side
# (bot.core.CommonRoomTree.interaction_check) because server admins can change who sees it.
@app_commands.default_permissions(manage_guild=True)
class Setup(
    commands.GroupCog,
    group_name="setup",
    group_description=N_("Set up Common Room on this server"),
    group_extras=MANAGE_SERVER,
):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.outbox.topic(JOIN_TOPIC, self.render_join_note)

    async def cog_unload(self) -> None:
        self.bot.outbox.forget_topics(JOIN_TOPIC)

    # -- joining a server ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """One short note pointing to /setup start, where the bot may post, on a server with
        nothing set up yet (a server that had the bot before keeps its settings: no note)."""
        config = await self.bot.guild_settings.get(guild.id)
        if config.organiser_role_id or any(config.channels.values()):
            return
        channel = join_channel(guild)
        if channel is None:
            log.info("Joined guild %s with no channel to post the set-up note in", guild.id)
            return
        added = await self.bot.outbox.service.enqueue(
            guild_id=guild.id, key=f"{JOIN_TOPIC}:{guild.id}", topic=JOIN_TOPIC, channel_id=channel.id
        )
        if added:
            self.bot.outbox.kick()

    async def render_join_note(self, item: OutboxItem) -> dict[str, Any] | None:
        voice = await self.bot.i18n.for_guild(item.guild_id)  # a post: the server's voice
        return {
            "content": voice.text(lambda t: t(JOIN_NOTE)),
            "allowed_mentions": discord.AllowedMentions.none(),
        }

    # -- the guided set-up ---------------------------------------------------------------

    @app_commands.command(
        name="start", description=N_("Set up Common Room step by step: role, channels, timezone")
    )
    async def start(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        config = await self.bot.guild_settings.ensure(interaction.guild.id)
        await send_private(
            interaction, wizard_text(interaction.guild, config, 1, t=t), view=wizard_view(config, 1, t)
        )

    @app_commands.command(
        name="organiser-role", description=N_("Choose the role whose members are organisers")
    )
    @app_commands.describe(role=N_("Members with this role can run organiser commands"))
    async def organiser_role(
        self, interaction: discord.Interaction[CommonRoomBot], role: discord.Role
    ) -> None:
        assert interaction.guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        if role.is_default():
            await interaction.response.send_message(
                t(
                    "@everyone can't be the organiser role: everyone would be an organiser. Choose or "
                    "create a role for the people who run things."
                ),
                ephemeral=True,
            )
            return
        config = await self.bot.guild_settings.set_organiser_role(interaction.guild.id, role.id)
        await interaction.response.send_message(
            t("Done. Members with {role} are now organisers.", role=role.mention),
            embed=render_config(interaction.guild, config, t),
            ephemeral=True,
        )

    @app_commands.command(
        name="timezone", description=N_("The server's timezone, used for event times and schedules")
    )
    @app_commands.describe(name=N_("An IANA timezone name, for example Europe/London"))
    async def timezone(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        assert interaction.guild is not None
        config = await self.bot.guild_settings.set_timezone(interaction.guild.id, name)
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_message(
            t("Done. Times on this server are now in `{timezone}`.", timezone=config.timezone),
            ephemeral=True,
        )

    @timezone.autocomplete("name")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        import zoneinfo

        needle = current.lower().replace(" ", "_")
        names = sorted(n for n in zoneinfo.available_timezones() if needle in n.lower())
        preferred = [n for n in ("Europe/London", "Europe/Dublin") if n in names]
        ordered = preferred + [n for n in names if n not in preferred]
        return [app_commands.Choice(name=n, value=n) for n in ordered[:25]]

    @app_commands.command(name="channel", description=N_("Choose the channel Common Room uses for a purpose"))
    @app_commands.describe(purpose=N_("What the channel is for"), channel=N_("The channel to use"))
    async def channel(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        purpose: Purpose,
        channel: discord.TextChannel,
    ) -> None:
        assert interaction.guild is not None
        require_bot_permissions(channel)
        config = await self.bot.guild_settings.set_channel(interaction.guild.id, purpose, channel.id)
        t = await self.bot.i18n.for_interaction(interaction)
        text = t(
            _english(purpose, COMMAND_SAVED, f"Done. {{channel}} is now the **{purpose}** channel."),
            channel=channel.mention,
        )
        public = COMMAND_PUBLIC.get(purpose)
        if public is not None and channel.permissions_for(interaction.guild.default_role).view_channel:
            text += "\n" + t(public, channel=channel.mention)
        await interaction.response.send_message(
            text, embed=render_config(interaction.guild, config, t), ephemeral=True
        )

    @app_commands.command(
        name="language",
        description=N_("The server's language: for posts, and replies to members who haven't chosen"),
    )
    @app_commands.describe(language=N_("English, Cymraeg, or both in every post (Welsh first)"))
    @app_commands.choices(
        language=[
            app_commands.Choice(name="English", value=SOURCE),
            app_commands.Choice(name="Cymraeg", value=WELSH),
            app_commands.Choice(name="Cymraeg + English", value=BILINGUAL),
        ]
    )
    async def language(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        languages = self.bot.i18n.languages
        if language is None:
            chosen = await languages.get(interaction.guild_id)
        else:
            chosen = await languages.set_server(interaction.guild_id, language.value)
        t = await self.bot.i18n.for_interaction(interaction)  # after the change: it may be the new one
        await send_private(interaction, language_reply(t, chosen, language is not None))

    @app_commands.command(
        name="show", description=N_("Common Room's settings here, and what is still missing")
    )
    async def show(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        config = await self.bot.guild_settings.get(interaction.guild.id)
        await interaction.response.send_message(
            embed=render_config(interaction.guild, config, t), ephemeral=True
        )
