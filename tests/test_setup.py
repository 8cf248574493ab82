"""The guided set-up (issue 17): /setup start with Discord's menus, /setup show, the join note."""

from __future__ import annotations

import discord
import simcord
from simcord.backend import serializers

from cogs.setup.render import JOIN_NOTE
from tests.conftest import World


def text_of(result: simcord.InteractionResult) -> str:
    replies = ([result.response] if result.response else []) + result.followups
    parts: list[str] = []
    for reply in replies:
        parts.append(reply.content)
        for embed in reply.embeds:
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


def custom_ids(message: discord.Message) -> list[str]:
    return [getattr(c, "custom_id", "") for row in message.components for c in getattr(row, "children", [])]


async def test_setup_start_leads_to_a_complete_setup_show(world: World) -> None:
    private = discord.PermissionOverwrite(view_channel=False)
    seen = discord.PermissionOverwrite(view_channel=True)
    bot = discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True)
    staff = {
        world.guild.default_role: private,
        world.organiser_role: seen,
        world.admin: seen,
        world.guild.me: bot,
    }
    channels = {
        "announcements": world.guild.create_text_channel("announcements"),
        "organisers": world.guild.create_text_channel("organisers", overwrites=staff),
        "welcome": world.guild.create_text_channel("welcome"),
        "reports": world.guild.create_text_channel("reports", overwrites=staff),
    }
    await world.env.settle()

    before = await world.admin.slash(world.general, "setup show")
    text = text_of(before)
    assert "Still missing" in text and "Organiser role" in text and "nobody else can run events" in text
    assert "reports channel" in text and "organisers' channel instead" in text

    started = await world.admin.slash(world.general, "setup start")
    assert started.ephemeral and "step 1 of 2" in started.response.content
    message = started.response.message
    assert custom_ids(message) == ["setup:role", "setup:timezone", "setup:page:2"]

    chosen = await world.admin.select(message, [world.organiser_role], custom_id="setup:role")
    assert "Organiser role: Organisers" in text_of(chosen)
    chosen = await world.admin.select(message, ["Europe/Dublin"], custom_id="setup:timezone")
    assert "Timezone: Europe/Dublin" in text_of(chosen)
    turned = await world.admin.click(message, custom_id="setup:page:2")
    assert "step 2 of 2" in text_of(turned)
    page = started.response.message  # the same private message, edited
    assert custom_ids(page)[-1] == "setup:page:1" and len(custom_ids(page)) == 5
    for purpose, channel in channels.items():
        saved = await world.admin.select(page, [channel], custom_id=f"setup:channel:{purpose}")
        assert f"#{channel.name} is the {purpose} channel" in text_of(saved)
        assert "Warning" not in text_of(saved)
    assert "Everything is set up." in text_of(saved)

    after = await world.admin.slash(world.general, "setup show")
    text = text_of(after)
    assert "Complete Everything is set up." in text and "Still missing" not in text
    config = await world.bot.guild_settings.get(world.guild.id)
    assert config.timezone == "Europe/Dublin" and config.organiser_role_id == world.organiser_role.id
    assert config.channels == {purpose: channel.id for purpose, channel in channels.items()}
    assert world.env.errors == []


async def test_the_setup_menus_refuse_members_without_manage_server(world: World) -> None:
    started = await world.admin.slash(world.general, "setup start")
    # A member who isn't an admin somehow presses the menus (a crafted interaction).
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.RoleSelect(custom_id="setup:role"))
    view.add_item(discord.ui.Button(label="next", custom_id="setup:page:2"))
    view.stop()
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    forged = await channel.send("Set-up controls", view=view)
    await world.env.settle()
    for actor in (world.organiser, world.student):
        refused = await actor.select(forged, [world.organiser_role], custom_id="setup:role")
        assert refused.ephemeral and "needs the Manage Server permission" in text_of(refused)
        pressed = await actor.click(forged, custom_id="setup:page:2")
        assert "needs the Manage Server permission" in text_of(pressed)
    assert (await world.bot.guild_settings.get(world.guild.id)).organiser_role_id is None
    assert started.ephemeral
    assert world.env.errors == []


async def test_joining_a_server_posts_one_next_step_note_where_allowed(world: World) -> None:
    school = world.env.create_guild("Nursing School")
    locked = school.create_text_channel(
        "rules", overwrites={school.default_role: discord.PermissionOverwrite(send_messages=False)}
    )
    lobby = school.create_text_channel("lobby")
    await world.env.settle()
    # The bot is added to a server that already has channels: Discord's GUILD_CREATE for a join.
    guild = world.env.backend.get_guild(school.id)
    joined = dict(serializers.guild_create_payload(world.env.backend, guild))
    joined.pop("unavailable", None)
    world.env.backend.emit("GUILD_CREATE", joined)
    await world.env.settle()
    await world.bot.outbox.drain()
    posted = [m for m in lobby.history() if m.author.bot]
    assert [m.content for m in posted] == [JOIN_NOTE]
    assert "/setup start" in JOIN_NOTE
    assert [m for m in locked.history() if m.author.bot] == []  # not where it may not post

    # Discord announcing the server again (an outage, a reconnect), or a second join event, posts
    # nothing more.
    world.env.backend.emit("GUILD_CREATE", serializers.guild_create_payload(world.env.backend, guild))
    world.env.backend.emit("GUILD_CREATE", joined)
    await world.env.settle()
    await world.bot.outbox.drain()
    assert len([m for m in lobby.history() if m.author.bot]) == 1
    assert world.env.errors == []
