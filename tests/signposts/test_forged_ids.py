"""Forged or stale custom ids on the signposts menu and forms (issue 16): a kind private answer,
and another server's contacts are never shown, changed or removed."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.services.signposts_contacts import validate_contact
from bot.ui import unstored_view
from tests.conftest import World

ERROR = re.compile(r"Something went wrong")
OTHER_GUILD = 111111111111111111
FORGED = ["0", "9999999999999999999", "1234567890123456789", "424242"]


async def another_servers_contact(world: World) -> int:
    draft = validate_contact(
        {"name": "Elsewhere Line", "categories": ["money"], "hours": "24/7", "phone": "116 123"}
    )
    return (await world.bot.get_cog("Signposts").service.add(OTHER_GUILD, draft)).id


def text_of(result: Any) -> str:
    response = result.response
    return "\n".join([response.content, *(f"{e.title} {e.description}" for e in response.embeds)])


async def test_a_need_menu_naming_another_server_shows_only_this_servers_directory(world: World) -> None:
    await another_servers_contact(world)
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    for guild_id in [*FORGED, str(OTHER_GUILD)]:
        custom_id = f"signposts:need:{guild_id}"
        menu = discord.ui.Select[Any](
            custom_id=custom_id, options=[discord.SelectOption(label="M", value="money")]
        )
        posted = await channel.send("x", view=unstored_view(menu))
        await world.env.settle()
        picked = await world.student.select(posted, ["money"], custom_id=custom_id)
        shown = text_of(picked)
        assert shown.strip() and not ERROR.search(shown) and "Elsewhere Line" not in shown, (custom_id, shown)
    assert world.env.errors == []


async def test_forged_edit_and_remove_forms_cannot_touch_another_servers_contact(world: World) -> None:
    other = await another_servers_contact(world)
    cog = world.bot.get_cog("Signposts")
    nightline = next(c for c in await cog.service.contacts(world.guild.id) if c.name == "Nightline")
    for forged in [*FORGED, str(other)]:
        if forged == "0":  # "signposts:form:0:…" is the add form: an organiser may add a contact
            continue
        shown = await world.admin.slash(world.general, "signposts edit", contact=str(nightline.id))
        shown._interaction.modal["custom_id"] = f"signposts:form:{forged}:1:1"
        saved = await world.admin.submit_modal(
            shown, {"name": "Taken Over", "needs": ["money"], "reach": "phone: 116 123", "hours": "24/7"}
        )
        assert saved.ephemeral and not ERROR.search(text_of(saved)), (forged, text_of(saved))
    for forged in [*FORGED, str(other)]:
        asked = await world.admin.slash(world.general, "signposts remove", contact=str(nightline.id))
        asked._interaction.modal["custom_id"] = f"signposts:remove:{forged}"
        removed = await world.admin.submit_modal(asked, {"confirm": "Elsewhere Line"})
        assert removed.ephemeral and not ERROR.search(text_of(removed)), (forged, text_of(removed))
    assert "Elsewhere Line" in [c.name for c in await cog.service.contacts(OTHER_GUILD)]
    assert "Taken Over" not in [c.name for c in await cog.service.contacts(world.guild.id)]
    assert world.env.errors == []


async def test_hidden_characters_in_a_contact_are_not_stored(world: World) -> None:
    shown = await world.admin.slash(world.general, "signposts add", independent=True)
    await world.admin.submit_modal(
        shown,
        {"name": "Help\u200bline \u202e", "needs": ["wellbeing"], "reach": "phone: 116 123", "hours": "24/7"},
    )
    names = [c.name for c in await world.bot.get_cog("Signposts").service.contacts(world.guild.id)]
    assert "Helpline" in names
