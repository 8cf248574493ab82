"""/setup: how Common Room works on this server (the guided set-up, /setup show, the server's
language, the note posted when the bot joins). For members with Manage Server."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.setup.commands import Setup, SetupChannel, SetupPage, SetupRole, SetupTimezone


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(SetupRole, SetupTimezone, SetupPage, SetupChannel)
    await bot.add_cog(Setup(bot))
