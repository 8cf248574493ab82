"""Anonymous pulse checks: the /pulse commands, the Answer button and form, and the run schedule."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.pulse.commands import Pulse
from cogs.pulse.views import AnswerButton


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(AnswerButton)
    await bot.add_cog(Pulse(bot))
