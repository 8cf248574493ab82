"""Signposts: the welfare contact directory, ``/support`` and scheduled posts of the directory."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.signposts.commands import Signposts
from cogs.signposts.views import NeedSelect, SupportButton


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(SupportButton, NeedSelect)
    await bot.add_cog(Signposts(bot))
