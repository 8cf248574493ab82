"""/event: alcohol-free socials and workshop series, with RSVPs, a waiting list and reminders.

``commands`` (the cog), ``views`` (the card's persistent buttons, the create and needs forms), ``render``
(what people see; ``render_attendees`` and ``render_organisers`` for organisers), ``jobs`` (cards,
reminders, DMs, the Events tab). The rules and the data
are :mod:`bot.services.events`.
"""

from __future__ import annotations

from bot.core import CommonRoomBot
from cogs.events.commands import Events
from cogs.events.evaluation_views import EvalButton
from cogs.events.poll_views import CommitmentsButton, PickButton, SlotsSelect
from cogs.events.views import EventButton, NeedButton

__all__ = ["EvalButton", "EventButton", "Events", "NeedButton", "setup"]


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(EventButton, NeedButton, SlotsSelect, CommitmentsButton, PickButton, EvalButton)
    await bot.add_cog(Events(bot))
