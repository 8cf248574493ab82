"""Anonymous reports of discrimination, and the cases staff handle: see :mod:`cogs.reports.commands`."""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.reports.commands import Reports
from cogs.reports.views import (
    AnswerCase,
    BeginReport,
    CloseCase,
    ForgetCodeDM,
    KeepCodeDM,
    KeepCodeFile,
    OpenCaseSelect,
    ReopenCase,
    ReplyToCase,
    ReportSupport,
)


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(
        BeginReport,
        ReportSupport,
        AnswerCase,
        OpenCaseSelect,
        ReplyToCase,
        CloseCase,
        ReopenCase,
        KeepCodeFile,
        KeepCodeDM,
        ForgetCodeDM,
    )
    await bot.add_cog(Reports(bot))
