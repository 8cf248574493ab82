"""/setup: how Common Room works on this server. For members with Manage Server."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import MANAGE_SERVER, CommonRoomBot
from bot.services.guilds import CHANNEL_PURPOSES, GuildConfig
from bot.ui import require_bot_permissions

Purpose = Literal["announcements", "organisers", "welcome", "reports"]


def render_config(guild: discord.Guild, config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="Common Room settings for this server", colour=discord.Colour.teal())
    role = guild.get_role(config.organiser_role_id) if config.organiser_role_id else None
    embed.add_field(
        name="Organiser role",
        value=role.mention if role else "Not set (members with Manage Server are organisers)",
        inline=False,
    )
    embed.add_field(name="Timezone", value=f"`{config.timezone}`", inline=False)
    lines = []
    for purpose, meaning in CHANNEL_PURPOSES.items():
        channel_id = config.channel(purpose)
        where = f"<#{channel_id}>" if channel_id else "not set"
        lines.append(f"**{purpose}**: {where}, {meaning}")
    embed.add_field(name="Channels", value="\n".join(lines), inline=False)
    return embed


# Hidden from members without Manage Server in the client; checked again on the server side
# (bot.core.CommonRoomTree.interaction_check) because server admins can change who sees it.
@app_commands.default_permissions(manage_guild=True)
class Setup(
    commands.GroupCog,
    group_name="setup",
    group_description="Set up Common Room on this server",
    group_extras=MANAGE_SERVER,
):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    @app_commands.command(name="organiser-role", description="Choose the role whose members are organisers")
    @app_commands.describe(role="Members with this role can run organiser commands")
    async def organiser_role(
        self, interaction: discord.Interaction[CommonRoomBot], role: discord.Role
    ) -> None:
        assert interaction.guild is not None
        if role.is_default():
            await interaction.response.send_message(
                "@everyone can't be the organiser role: everyone would be an organiser. Choose or create "
                "a role for the people who run things.",
                ephemeral=True,
            )
            return
        config = await self.bot.guild_settings.set_organiser_role(interaction.guild.id, role.id)
        await interaction.response.send_message(
            f"Done. Members with {role.mention} are now organisers.",
            embed=render_config(interaction.guild, config),
            ephemeral=True,
        )

    @app_commands.command(
        name="timezone", description="The server's timezone, used for event times and schedules"
    )
    @app_commands.describe(name="An IANA timezone name, for example Europe/London")
    async def timezone(self, interaction: discord.Interaction[CommonRoomBot], name: str) -> None:
        assert interaction.guild is not None
        config = await self.bot.guild_settings.set_timezone(interaction.guild.id, name)
        await interaction.response.send_message(
            f"Done. Times on this server are now in `{config.timezone}`.", ephemeral=True
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

    @app_commands.command(name="channel", description="Choose the channel Common Room uses for a purpose")
    @app_commands.describe(purpose="What the channel is for", channel="The channel to use")
    async def channel(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        purpose: Purpose,
        channel: discord.TextChannel,
    ) -> None:
        assert interaction.guild is not None
        require_bot_permissions(channel)
        config = await self.bot.guild_settings.set_channel(interaction.guild.id, purpose, channel.id)
        note = ""
        if (
            purpose in ("organisers", "reports")
            and channel.permissions_for(interaction.guild.default_role).view_channel
        ):
            note = (
                f"\n⚠️ Everyone on the server can see {channel.mention}. The {purpose} channel should be "
                "private to organisers: remove View Channel from @everyone there."
            )
        await interaction.response.send_message(
            f"Done. {channel.mention} is now the **{purpose}** channel.{note}",
            embed=render_config(interaction.guild, config),
            ephemeral=True,
        )

    @app_commands.command(name="show", description="Show Common Room's settings for this server")
    async def show(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        config = await self.bot.guild_settings.get(interaction.guild.id)
        await interaction.response.send_message(
            embed=render_config(interaction.guild, config), ephemeral=True
        )


async def setup(bot: CommonRoomBot) -> None:
    await bot.add_cog(Setup(bot))
