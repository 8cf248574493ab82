"""Opt-in identity and interest communities: see :mod:`cogs.communities.commands`."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.communities.commands import Communities
from cogs.communities.views import JoinButton, LeaveButton, PanelSelect


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(PanelSelect, JoinButton, LeaveButton)
    await bot.add_cog(Communities(bot))
