"""/about: what Common Room is, privately."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CommonRoomBot

PRIVACY_SUMMARY = (
    "• Everything personal happens privately: only you see your replies.\n"
    "• Joining an identity community leaves no trace on your profile, and the bot keeps no list "
    "of who is in one.\n"
    "• Pulse check answers are counted, never linked to you, and shown only when enough people answered.\n"
    "• Reports reach the welfare team without your name; you can keep talking with a code only you hold.\n"
    "• `/privacy` shows what is stored about you, lets you download it, and erases it."
)


class About(commands.Cog):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What Common Room is and how it looks after your privacy")
    async def about(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        embed = discord.Embed(
            title="Common Room",
            description=(
                "A place to belong for students impacted by discrimination: opt-in communities, "
                "alcohol-free socials and workshops, anonymous pulse checks, and the right support "
                "contact one command away (`/support`)."
            ),
            colour=discord.Colour.teal(),
        )
        embed.add_field(name="Your privacy", value=PRIVACY_SUMMARY, inline=False)
        embed.set_footer(text=f"Common Room {self.bot.version} · open source")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CommonRoomBot) -> None:
    await bot.add_cog(About(bot))
