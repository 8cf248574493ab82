"""The directory's buttons, menu and forms after the restructure: the one error guard, and the
custom ids of cards and forms already out in live servers (written here as literal strings)."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest

from bot.errors import UserError
from tests.conftest import BotFactory, World

ERROR_REPLY = re.compile(r"Something went wrong.*\(error [0-9A-F]{6}\)", re.S)


async def _old_card(world: World, channel: Any) -> discord.Message:
    """A card as the bot posted it before the restructure: plain components, literal custom ids."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Need support?", custom_id="signposts:open"))
    view.add_item(
        discord.ui.Select(
            custom_id=f"signposts:need:{world.guild.id}",
            options=[
                discord.SelectOption(label="Urgent help", value="urgent"),
                discord.SelectOption(label="Money", value="money"),
            ],
        )
    )
    view.stop()
    await world.bot.get_partial_messageable(channel.id).send("Need support?", view=view)
    await world.env.settle()
    return channel.last_message


def _failing(error: Exception) -> Any:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


# -- the error guard -------------------------------------------------------------------------------


async def test_an_unexpected_error_behind_the_button_gives_a_private_error_id(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = await _old_card(world, world.general)
    monkeypatch.setattr(world.bot.get_cog("Signposts").service, "contacts", _failing(RuntimeError("db down")))

    pressed = await world.student.click(card, custom_id="signposts:open")

    assert pressed.ephemeral
    assert ERROR_REPLY.search(pressed.response.content)
    assert "db down" not in pressed.response.content


async def test_a_user_error_behind_the_menu_is_a_kind_private_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = await _old_card(world, world.general)
    monkeypatch.setattr(
        world.bot.get_cog("Signposts").service, "contacts", _failing(UserError("Please try that again."))
    )

    picked = await world.student.select(card, ["money"], custom_id=f"signposts:need:{world.guild.id}")

    assert picked.ephemeral
    assert picked.response.content == "Please try that again."


async def test_the_button_in_a_dm_says_it_works_inside_a_server(world: World) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Need support?", custom_id="signposts:open"))
    view.stop()
    dm = world.student.user.dm_channel
    await world.bot.get_partial_messageable(dm.id).send("Need support?", view=view)
    await world.env.settle()

    pressed = await world.student.user.click(dm.history()[-1], custom_id="signposts:open")

    assert pressed.ephemeral and "works inside a server" in pressed.response.content
    assert world.env.errors == []


async def test_an_unexpected_error_saving_a_form_gives_a_private_error_id(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = await world.admin.slash(world.general, "signposts add", independent=True)
    monkeypatch.setattr(world.bot.get_cog("Signposts").service, "add", _failing(RuntimeError("disk full")))

    result = await world.admin.submit_modal(
        shown, {"name": "Helpline", "needs": ["wellbeing"], "reach": "phone: 116 123", "hours": "24/7"}
    )

    assert result.ephemeral and ERROR_REPLY.search(result.response.content)


# -- custom ids already out in live servers ----------------------------------------------------------


async def test_a_card_posted_with_the_old_custom_ids_still_works_after_a_restart(
    world: World, make_bot: BotFactory
) -> None:
    card = await _old_card(world, world.general)
    await world.env.restart_bot(make_bot())

    opened = await world.student.click(card, custom_id="signposts:open")
    assert opened.ephemeral and "Urgent" in opened.response.embeds[0].title
    picked = await world.student.select(card, ["money"], custom_id=f"signposts:need:{world.guild.id}")
    shown = picked.response.message if picked.response.message is not None else picked.response
    assert "Money" in shown.embeds[1].title


async def test_the_forms_keep_their_custom_ids(world: World) -> None:
    shown = await world.admin.slash(world.general, "signposts add", independent=False, confidential=True)
    assert shown.modal is not None and shown.modal["custom_id"] == "signposts:form:0:0:1"
    added = await world.admin.submit_modal(
        shown, {"name": "Chaplaincy", "needs": ["faith"], "reach": "in person: Chaplaincy", "hours": "24/7"}
    )
    assert "Added" in added.response.content
    cog = world.bot.get_cog("Signposts")
    (chaplaincy,) = await cog.service.contacts(world.guild.id, "faith")

    edit = await world.admin.slash(
        world.general, "signposts edit", contact=str(chaplaincy.id), independent=True
    )
    assert edit.modal is not None and edit.modal["custom_id"] == f"signposts:form:{chaplaincy.id}:1:1"
    remove = await world.admin.slash(world.general, "signposts remove", contact=str(chaplaincy.id))
    assert remove.modal is not None and remove.modal["custom_id"] == f"signposts:remove:{chaplaincy.id}"
    removed = await world.admin.submit_modal(remove, {"confirm": "Chaplaincy"})
    assert "Removed" in removed.response.content
