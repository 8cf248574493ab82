"""Custom ids are untrusted (issue 16): forged or stale ids on communities' buttons, menu and
edit form get a kind private message, never an error id and never another server's community;
and what organisers type is cleaned before it is stored or shown."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest

from tests.communities.conftest import Stage, text_of
from tests.communities.test_guard_and_custom_ids import post_as_bot

ERROR_ID = re.compile(r"Something went wrong")
OTHER_GUILD = 111111111111111111


async def another_servers_community(stage: Stage) -> int:
    """A community row of another server (ids are global, so a forged id can name it)."""
    await stage.world.bot.db.execute(
        "INSERT INTO communities (guild_id, name, slug, kind, description, channel_id, created_at,"
        " updated_at) VALUES (?, 'Elsewhere', 'elsewhere', 'identity', 'Not here.', 2222222222, 0, 0)",
        (OTHER_GUILD,),
    )
    return int(
        await stage.world.bot.db.fetchval("SELECT id FROM communities WHERE guild_id = ?", (OTHER_GUILD,))
    )


def forged_ids(other: int) -> list[str]:
    return ["0", "9999999999999999999", "1234567890123456789", "424242", str(other)]


@pytest.mark.parametrize("action", ["join", "leave"])
async def test_forged_join_and_leave_buttons_get_a_kind_private_answer(stage: Stage, action: str) -> None:
    w = stage.world
    await stage.create("Care Leavers", "identity", "Grew up in care.")
    other = await another_servers_community(stage)
    for forged in forged_ids(other):
        custom_id = f"community:{action}:{forged}"
        card = await post_as_bot(stage, discord.ui.Button[Any](label="Go", custom_id=custom_id))
        pressed = await w.student.click(card, custom_id=custom_id)
        shown = text_of(pressed)
        assert pressed.ephemeral and shown.strip(), custom_id
        assert not ERROR_ID.search(shown), (custom_id, shown)
        assert "Elsewhere" not in shown
    assert await w.bot.db.fetchval("SELECT COUNT(*) FROM communities WHERE guild_id = ?", (OTHER_GUILD,)) == 1
    assert w.env.errors == []


async def test_a_forged_panel_choice_gets_a_kind_private_answer(stage: Stage) -> None:
    w = stage.world
    await stage.create("Care Leavers", "identity", "Grew up in care.")
    other = await another_servers_community(stage)
    options = [discord.SelectOption(label=str(n), value=value) for n, value in enumerate(forged_ids(other))]
    options.append(discord.SelectOption(label="junk", value="not-a-number"))
    panel = await post_as_bot(stage, discord.ui.Select[Any](custom_id="community:panel:99", options=options))
    for option in options:
        picked = await w.student.select(panel, [option.value], custom_id="community:panel:99")
        shown = text_of(picked)
        assert picked.ephemeral and shown.strip() and not ERROR_ID.search(shown), (option.value, shown)
        assert "Elsewhere" not in shown
    assert w.env.errors == []


async def test_a_forged_edit_form_cannot_touch_another_servers_community(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Care Leavers", "identity", "Grew up in care.")
    other = await another_servers_community(stage)
    for forged in forged_ids(other):
        opened = await w.organiser.slash(w.general, "community edit", name="Care Leavers")
        assert opened.modal is not None
        opened._interaction.modal["custom_id"] = f"community:edit:{forged}"
        sent = await w.organiser.submit_modal(opened, {"name": "Taken Over", "description": "Mine now."})
        shown = text_of(sent)
        assert sent.ephemeral and shown.strip() and not ERROR_ID.search(shown), (forged, shown)
    row = await w.bot.db.fetchone("SELECT name, description FROM communities WHERE id = ?", (other,))
    assert tuple(row) == ("Elsewhere", "Not here.")
    assert (await stage.service.get(w.guild.id, community.id)).name == "Care Leavers"
    assert w.env.errors == []


async def test_hidden_and_direction_changing_characters_are_not_stored(stage: Stage) -> None:
    community = await stage.create(
        "Care\u200b Leavers", "identity", "Grew up \u202ein care\u202c.\u2066", welcome_note="Hi\u200b 👋🏽"
    )
    assert community.name == "Care Leavers"
    assert community.description == "Grew up in care."
    assert community.welcome_note == "Hi 👋🏽"
