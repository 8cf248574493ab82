"""/about: what Common Room is, privately, in the reader's language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CommonRoomBot
from bot.i18n import N_, UNREVIEWED_NOTICE, UNREVIEWED_TITLE, Translator

PRIVACY_SUMMARY = (
    N_("Everything personal happens privately: only you see your replies."),
    N_(
        "Joining an identity community leaves no trace on your profile, and the bot keeps no list "
        "of who is in one."
    ),
    N_("Pulse check answers are counted, never linked to you, and shown only when enough people answered."),
    N_("Reports reach the welfare team without your name; you can keep talking with a code only you hold."),
    N_("`/privacy` shows what is stored about you, lets you download it, and erases it."),
)


def about_embed(t: Translator, version: str) -> discord.Embed:
    embed = discord.Embed(
        title=t("Common Room"),
        description=t(
            "A place to belong for students impacted by discrimination: opt-in communities, "
            "alcohol-free socials and workshops, anonymous pulse checks, and the right support "
            "contact one command away (`/support`)."
        ),
        colour=discord.Colour.teal(),
    )
    embed.add_field(
        name=t("Your privacy"), value="\n".join(f"• {t(line)}" for line in PRIVACY_SUMMARY), inline=False
    )
    if not t.reviewed:  # the catalogue's header says no fluent speaker has reviewed it yet
        embed.add_field(name=t(UNREVIEWED_TITLE), value=t(UNREVIEWED_NOTICE), inline=False)
    embed.set_footer(text=t("Common Room {version} · open source", version=version))
    return embed


class About(commands.Cog):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about", description=N_("What Common Room is and how it looks after your privacy")
    )
    async def about(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_message(embed=about_embed(t, self.bot.version), ephemeral=True)


async def setup(bot: CommonRoomBot) -> None:
    await bot.add_cog(About(bot))
