"""Peer mentoring: ``commands.py`` (the /mentor cog), ``views.py`` (buttons and forms),
``render.py`` (embeds and text), ``jobs.py`` (matching rounds, introductions, check-ins and
the follow-up nudge)."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.mentoring.commands import Mentoring
from cogs.mentoring.views import CheckinButton, NudgeButton, RematchButton


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(CheckinButton, RematchButton, NudgeButton)
    await bot.add_cog(Mentoring(bot))
