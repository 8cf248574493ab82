"""The guided set-up, /setup show and the refusals, in Welsh, end to end through SimCord."""

from __future__ import annotations

import discord

from tests.conftest import World, open_command_to
from tests.i18n.helpers import controls, shown


async def test_an_admin_sets_up_common_room_in_welsh(world: World) -> None:
    await world.admin.slash(world.general, "language", language="cy")
    shown_before = " ".join(shown((await world.admin.slash(world.general, "setup show")).response))
    assert "Gosodiadau Common Room ar gyfer y gweinydd hwn" in shown_before
    assert "Ar goll o hyd" in shown_before and "Still missing" not in shown_before

    started = await world.admin.slash(world.general, "setup start")
    assert started.ephemeral
    assert started.response.content.startswith("**Gosod Common Room** (cam 1 o 2).")
    message = started.response.message
    assert "Rôl y trefnwyr…" in controls(message, options=False)
    assert "Nesaf: sianeli" in controls(message, options=False)

    chosen = await world.admin.select(message, [world.organiser_role], custom_id="setup:role")
    assert "• Rôl y trefnwyr: Organisers" in chosen.response.content
    turned = await world.admin.click(message, custom_id="setup:page:2")
    assert "(cam 2 o 2)" in turned.response.content
    organisers = world.guild.create_text_channel("organisers")
    await world.env.settle()
    saved = await world.admin.select(message, [organisers], custom_id="setup:channel:organisers")
    text = saved.response.content
    assert "Wedi'i gadw: #organisers yw'r sianel organisers (trefnwyr)." in text
    assert "Rhybudd: gall pawb ar y gweinydd weld #organisers." in text
    assert "Saved" not in text and "Warning" not in text

    refused = await world.admin.slash(world.general, "setup timezone", name="Nowhere/Atlantis")
    assert refused.response.content.startswith("Dydw i ddim yn adnabod y gylchfa amser `Nowhere/Atlantis`.")
    assert world.env.errors == []


async def test_refusals_and_the_join_note_follow_the_reader_and_the_server(world: World) -> None:
    await world.student.slash(world.general, "language", language="cy")
    await open_command_to(world, "setup", world.student)
    refused = await world.student.slash(world.general, "setup show")
    assert refused.ephemeral
    assert refused.response.content.startswith("Mae /setup show yn newid sut mae Common Room yn gweithio")
    await open_command_to(world, "pulse", world.student)
    refused = await world.student.slash(world.general, "pulse list")
    assert refused.response.content.startswith("Mae /pulse list ar gyfer trefnwyr.")

    # The note posted when the bot joins is a channel post: the server's voice, both when bilingual.
    await world.admin.slash(world.general, "setup language", language="bilingual")
    setup = world.bot.get_cog("Setup")
    assert setup is not None
    item = type("Item", (), {"guild_id": world.guild.id})()
    note = (await setup.render_join_note(item))["content"]  # type: ignore[attr-defined]
    welsh, english = note.split("\n\n")
    assert welsh.startswith("Helo! Common Room ydw i.") and english.startswith("Hello! I'm Common Room.")
    assert isinstance(note, str) and len(note) <= 2000
    assert not isinstance(note, discord.Embed)
