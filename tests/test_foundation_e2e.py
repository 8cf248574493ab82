"""The foundation, end to end through SimCord: the real bot as students and admins meet it."""

from __future__ import annotations

import asyncio
import logging
import re
import urllib.request
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands

from bot import Settings
from bot.core import CommonRoomBot
from bot.errors import UserError
from bot.ui import BaseModal, BaseView
from tests.conftest import BotFactory, World, build_world, open_command_to


async def test_about_is_private_and_says_what_the_bot_does(world: World) -> None:
    result = await world.student.slash(world.general, "about")

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Common Room"
    assert "place to belong" in embed.description
    assert world.bot.version in embed.footer.text
    assert any(field.name == "Your privacy" for field in embed.fields)
    # Nothing was posted in the channel for others to see.
    assert world.general.history(viewer=world.admin) == []


async def test_admin_sets_up_the_server(world: World) -> None:
    result = await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    assert result.ephemeral
    assert "are now organisers" in result.response.content

    result = await world.admin.slash(world.general, "setup timezone", name="Europe/Dublin")
    assert "Europe/Dublin" in result.response.content

    result = await world.admin.slash(
        world.general, "setup channel", purpose="announcements", channel=world.general
    )
    assert "announcements" in result.response.content

    shown = await world.admin.slash(world.general, "setup show")
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert "Europe/Dublin" in fields["Timezone"]
    assert str(world.organiser_role.id) in fields["Organiser role"]
    assert f"<#{world.general.id}>" in fields["Channels"]


async def test_setup_is_refused_for_a_student_on_the_server_side(world: World) -> None:
    await open_command_to(world, "setup", world.student)
    result = await world.student.slash(world.general, "setup timezone", name="Asia/Tokyo")

    assert result.ephemeral
    assert "Manage Server" in result.response.content
    config = await world.bot.guild_settings.get(world.guild.id)
    assert config.timezone == "Europe/London"
    # A refusal is an answer, not a bot failure.
    assert world.env.errors == []


async def test_setup_is_refused_for_an_organiser_without_manage_server(world: World) -> None:
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await open_command_to(world, "setup", world.organiser)
    result = await world.organiser.slash(world.general, "setup timezone", name="Asia/Tokyo")
    assert "Manage Server" in result.response.content
    assert (await world.bot.guild_settings.get(world.guild.id)).timezone == "Europe/London"


async def test_setup_is_hidden_from_students_in_the_client(world: World) -> None:
    payload = next(c for c in world.bot.tree.get_commands() if c.name == "setup").to_dict(world.bot.tree)
    assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value


async def test_bad_timezone_gets_a_kind_private_message_and_saves_nothing(world: World) -> None:
    result = await world.admin.slash(world.general, "setup timezone", name="Mars/Olympus")

    assert result.ephemeral
    assert "Europe/London" in result.response.content  # says what would work
    assert (await world.bot.guild_settings.get(world.guild.id)).timezone == "Europe/London"
    assert world.env.errors == []


async def test_settings_persist_across_a_restart(world: World, make_bot: BotFactory) -> None:
    await world.admin.slash(world.general, "setup timezone", name="Europe/Dublin")
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)

    await world.env.restart_bot(make_bot())

    shown = await world.admin.slash(world.general, "setup show")
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert "Europe/Dublin" in fields["Timezone"]
    assert str(world.organiser_role.id) in fields["Organiser role"]


@pytest.mark.english_only  # a command the test adds answers 'hi'
async def test_commands_are_synced_only_when_the_tree_changes(world: World, make_bot: BotFactory) -> None:
    assert world.bot.synced  # first start on a fresh database

    await world.env.restart_bot(make_bot())
    assert not world.env.bot.synced  # same commands: no sync

    await world.env.restart_bot(make_bot(sync=True))
    assert world.env.bot.synced  # --sync forces it

    changed = make_bot()

    @app_commands.command(name="brand-new", description="A command added in a new version")
    async def brand_new(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("hi", ephemeral=True)

    changed.tree.add_command(brand_new)
    await world.env.restart_bot(changed)
    assert world.env.bot.synced
    result = await world.student.slash(world.general, "brand-new")
    assert result.response.content == "hi"


def _bot_with_test_commands(make_bot: BotFactory) -> CommonRoomBot:
    bot = make_bot()

    @app_commands.command(name="boom", description="Always fails (test only)")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @app_commands.command(name="late-boom", description="Fails after answering (test only)")
    async def late_boom(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("kaboom after defer")

    @app_commands.command(name="echo", description="Repeats text (test only)")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"You said: {text}")

    class Feedback(BaseModal, title="Tell us"):
        text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Your words", max_length=100, custom_id="text"
        )

        async def submit(self, interaction: discord.Interaction) -> None:
            if str(self.text.value).strip() == "":
                raise UserError("Please write something first.")
            if self.text.value == "crash":
                raise RuntimeError("modal kaboom")
            await interaction.response.send_message("Thanks!", ephemeral=True)

    class Buttons(BaseView):
        @discord.ui.button(label="Kind refusal")
        async def refuse(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            raise UserError("That isn't possible yet: try again tomorrow.")

        @discord.ui.button(label="Crash")
        async def crash(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            raise RuntimeError("button kaboom")

        @discord.ui.button(label="Form")
        async def form(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            await interaction.response.send_modal(Feedback())

    @app_commands.command(name="widgets", description="Buttons and a form (test only)")
    async def widgets(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Pick one", view=Buttons(), ephemeral=True)

    for command in (boom, late_boom, echo, widgets):
        bot.tree.add_command(command)
    return bot


async def test_views_and_modals_report_errors_like_commands(make_bot: BotFactory) -> None:
    async with simcord.run(_bot_with_test_commands(make_bot)) as env:
        world = build_world(env)
        shown = await world.student.slash(world.general, "widgets")
        message = shown.response.message

        refused = await world.student.click(message, label="Kind refusal")
        assert (
            refused.ephemeral and refused.response.content == "That isn't possible yet: try again tomorrow."
        )
        assert env.errors == []

        crashed = await world.student.click(message, label="Crash")
        assert crashed.ephemeral and re.search(r"error [0-9A-F]{6}", crashed.response.content)
        assert [type(e) for e in env.errors] == [RuntimeError]

        form = await world.student.click(message, label="Form")
        blank = await world.student.submit_modal(form, {"text": " "})
        assert blank.ephemeral and blank.response.content == "Please write something first."
        form = await world.student.click(message, label="Form")
        bad = await world.student.submit_modal(form, {"text": "crash"})
        assert re.search(r"error [0-9A-F]{6}", bad.response.content)
        form = await world.student.click(message, label="Form")
        good = await world.student.submit_modal(form, {"text": "hello"})
        assert good.response.content == "Thanks!"
        assert [type(e) for e in env.errors] == [RuntimeError, RuntimeError]


@pytest.mark.parametrize("command", ["boom", "late-boom"])
async def test_an_unexpected_error_shows_an_id_and_logs_it(
    make_bot: BotFactory, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    async with simcord.run(_bot_with_test_commands(make_bot)) as env:
        world = build_world(env)
        with caplog.at_level(logging.ERROR, logger="bot.errors"):
            result = await world.student.slash(world.general, command)

        replies = [result.response, *result.followups] if result.response else result.followups
        text = " ".join(r.content for r in replies)
        assert all(r.ephemeral for r in replies)
        match = re.search(r"error ([0-9A-F]{6})", text)
        assert match, text
        error_id = match.group(1)
        logged = [r for r in caplog.records if error_id in r.getMessage()]
        assert logged and logged[0].exc_info is not None
        assert "kaboom" in str(logged[0].exc_info[1])
        assert [type(e) for e in env.errors] == [app_commands.CommandInvokeError]


async def test_user_text_never_pings_anyone(make_bot: BotFactory) -> None:
    async with simcord.run(_bot_with_test_commands(make_bot)) as env:
        world = build_world(env)
        role = world.organiser_role
        result = await world.student.slash(
            world.general, "echo", text=f"@everyone hello {role.mention} @here"
        )

        message = result.response.message
        assert "@everyone" in message.content and role.mention in message.content
        stored = env.backend.get_message(message.channel.id, message.id)
        assert not stored.mention_everyone
        assert stored.ping_role_ids == [] and stored.ping_user_ids == []
        sent = [r for r in env.http_requests if r.path.endswith("/callback")]
        assert sent and all(r.json["data"]["allowed_mentions"] == {"parse": []} for r in sent)

        # Echoed back in an error message too: still no mention.
        result = await world.admin.slash(world.general, "setup timezone", name="@everyone")
        assert "@everyone" in result.response.content
        assert not result.response.message.mention_everyone


async def test_several_servers_have_their_own_settings(world: World) -> None:
    other = world.env.create_guild("Another Medical School")
    other_channel = other.create_text_channel("general")
    other_admin = other.add_member(
        world.env.create_user("other_admin"),
        roles=[other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))],
    )
    await world.admin.slash(world.general, "setup timezone", name="Europe/Dublin")
    await other_admin.slash(other_channel, "setup timezone", name="Europe/London")

    assert (await world.bot.guild_settings.get(world.guild.id)).timezone == "Europe/Dublin"
    assert (await world.bot.guild_settings.get(other.id)).timezone == "Europe/London"


async def test_a_new_server_gets_settings_when_the_bot_joins(world: World) -> None:
    newcomer = world.env.create_guild("Brand New School")
    await world.env.settle()
    row = await world.bot.db.fetchone(
        "SELECT timezone FROM guild_settings WHERE guild_id = ?", (newcomer.id,)
    )
    assert row is not None and row["timezone"] == "Europe/London"


async def test_interaction_handling_is_timed_per_command(world: World) -> None:
    await world.student.slash(world.general, "about")
    await world.student.slash(world.general, "about")
    summary = {s.key: s for s in world.bot.timings.summary()}
    assert summary["/about"].count == 2
    assert summary["/about"].median_ms > 0


async def test_no_privileged_intents(world: World) -> None:
    intents = world.bot.intents
    assert not intents.members and not intents.presences and not intents.message_content
    assert world.bot.allowed_mentions is not None
    assert world.bot.allowed_mentions.to_dict() == {"parse": []}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_handling_times_are_exported_for_prometheus_when_configured(
    make_bot: BotFactory, settings: Settings
) -> None:
    port = _free_port()
    metrics = settings.metrics.model_copy(update={"prometheus_port": port})
    async with simcord.run(make_bot(settings.model_copy(update={"metrics": metrics}))) as env:
        world = build_world(env)
        await world.student.slash(world.general, "about")
    url = f"http://127.0.0.1:{port}/metrics"
    body = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=5).read().decode())
    assert 'commonroom_interaction_seconds_count{command="/about"} 1.0' in body


async def test_a_student_typing_in_an_organiser_command_gets_no_suggestions(world: World) -> None:
    await world.admin.slash(
        world.general, "community create", name="Faith and Belief", kind="identity", description="Faith"
    )
    offered = await world.admin.autocomplete(world.general, "community archive", "name", "fa")
    assert [c["name"] for c in offered] and "Faith" in offered[0]["name"]
    refused = await world.student.autocomplete(world.general, "community archive", "name", "fa")
    assert refused == []
    # Discord only accepts suggestions (callback type 8) in answer to typing, never a message.
    last = [r for r in world.env.http_requests if r.path.endswith("/callback")][-1]
    assert last.json["type"] == 8 and last.json["data"]["choices"] == []
    assert world.env.errors == []
