"""Forged or stale custom ids on the pulse Answer button and form (issue 16): a kind private
answer, and nothing counted. (A form aimed at another server's run: test_items_and_forms.py.)"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.ui import unstored_view
from tests.conftest import World
from tests.pulse.test_e2e import counted
from tests.pulse.test_items_and_forms import forge, open_first_run

ERROR = re.compile(r"Something went wrong")
FORGED = ["0", "9999999999999999999", "1234567890123456789", "424242"]


async def test_forged_answer_buttons_and_forms_get_a_kind_answer(world: World) -> None:
    card = await open_first_run(world)
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    for forged in FORGED:
        custom_id = f"pulse:answer:{forged}"
        posted = await channel.send(
            "x", view=unstored_view(discord.ui.Button[Any](label="A", custom_id=custom_id))
        )
        await world.env.settle()
        pressed = await world.student.click(posted, custom_id=custom_id)
        assert pressed.modal is None and pressed.ephemeral, custom_id
        assert pressed.response.content.strip() and not ERROR.search(pressed.response.content)

        shown = await world.student.click(card, label="Answer")
        forge(shown, f"pulse:form:{forged}:1")
        sent = await world.student.submit_modal(shown, {"q1": ["3"], "q2": ["1"], "q3": ["3"]})
        assert sent.ephemeral and not ERROR.search(sent.response.content), sent.response.content
        assert "Thank you" not in sent.response.content
    assert await counted(world) == 0
    assert world.env.errors == []
