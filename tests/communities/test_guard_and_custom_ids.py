"""The one error guard on communities' buttons, menus and forms, and the custom ids of cards and
panels posted before the restructure (issue 13) still being handled."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest

from bot.errors import UserError
from bot.ui import unstored_view
from tests.communities.conftest import Stage, text_of
from tests.conftest import BotFactory

ERROR_ID = re.compile(r"Something went wrong.*\(error (?P<id>[0-9A-F]{6})\)", re.DOTALL)


def logged_with_its_id(caplog: pytest.LogCaptureFixture, shown: str) -> bool:
    """The error the person was shown is in the log under the same id, with its traceback."""
    match = ERROR_ID.search(shown)
    assert match is not None, shown
    return any(
        r.name == "bot.errors" and match["id"] in r.getMessage() and r.exc_info is not None
        for r in caplog.records
    )


async def post_as_bot(stage: Stage, *items: discord.ui.Item[Any]) -> discord.Message:
    """A message the bot posted with these components (as an old card or panel would have)."""
    channel = stage.world.bot.get_channel(stage.world.general.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("An old card", view=unstored_view(*items))
    await stage.env.settle()
    return message


async def test_an_unexpected_error_behind_a_button_gives_an_error_id(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = stage.world
    community = await stage.create("Black Medics", "identity", "Black students.")
    assert community.id == 1
    message = await post_as_bot(
        stage,
        discord.ui.Button(label="Join", custom_id="community:join:1", style=discord.ButtonStyle.success),
    )

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(stage.service, "get", crash)
    crashed = await w.student.click(message, custom_id="community:join:1")
    assert crashed.ephemeral and logged_with_its_id(caplog, text_of(crashed))

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise UserError("That community is resting today.")

    monkeypatch.setattr(stage.service, "get", refuse)
    refused = await w.student.click(message, custom_id="community:join:1")
    assert refused.ephemeral and text_of(refused).strip() == "That community is resting today."
    assert w.env.errors == []


async def test_an_unexpected_error_behind_the_panel_menu_and_the_edit_form_gives_an_error_id(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = stage.world
    await stage.create("Running Club", "interest", "5k on Sundays.")
    shown = await w.organiser.slash(w.general, "community edit", name="Running Club")
    assert shown.modal is not None and shown.modal["custom_id"] == "community:edit:1"

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(stage.service, "check_update", crash)
    saved = await w.organiser.submit_modal(
        shown, {"name": "Run Club", "description": "5k.", "emoji": "", "welcome": ""}
    )
    assert saved.ephemeral and logged_with_its_id(caplog, text_of(saved))

    monkeypatch.setattr(stage.service, "get", crash)
    panel = await post_as_bot(
        stage,
        discord.ui.Select(
            custom_id="community:panel:0", options=[discord.SelectOption(label="Running Club", value="1")]
        ),
    )
    picked = await w.student.select(panel, ["1"], custom_id="community:panel:0")
    assert picked.ephemeral and logged_with_its_id(caplog, text_of(picked))


async def test_cards_posted_with_the_old_custom_ids_still_join_and_leave(
    stage: Stage, make_bot: BotFactory
) -> None:
    w = stage.world
    community = await stage.create("Care Leavers", "identity", "Grew up in care.")
    assert community.id == 1 and community.channel_id is not None
    join = await post_as_bot(stage, discord.ui.Button(label="Join", custom_id="community:join:1"))
    leave = await post_as_bot(stage, discord.ui.Button(label="Leave", custom_id="community:leave:1"))
    panel = await post_as_bot(
        stage,
        discord.ui.Select(
            custom_id="community:panel:0", options=[discord.SelectOption(label="Care Leavers", value="1")]
        ),
    )
    await w.env.restart_bot(make_bot())

    card = await w.student.select(panel, ["1"], custom_id="community:panel:0")
    assert card.ephemeral and "You're not a member" in text_of(card)
    joined = await w.student.click(join, custom_id="community:join:1")
    assert "Welcome to **Care Leavers**" in text_of(joined)
    assert stage.can_view(w.student, community.channel_id)
    left = await w.student.click(leave, custom_id="community:leave:1")
    assert "You've left **Care Leavers**" in text_of(left)
    assert not stage.can_view(w.student, community.channel_id)
    assert w.env.errors == []


async def test_an_edit_form_opened_before_a_restart_still_saves(stage: Stage, make_bot: BotFactory) -> None:
    w = stage.world
    await stage.create("Netball", "interest", "Casual netball.")
    shown = await w.organiser.slash(w.general, "community edit", name="Netball")
    await w.env.restart_bot(make_bot())
    saved = await w.organiser.submit_modal(
        shown, {"name": "Netball Club", "description": "All levels.", "emoji": "", "welcome": ""}
    )
    assert "Saved" in text_of(saved)
    assert (await stage.service.find(w.guild.id, "Netball Club")).description == "All levels."
