"""The outbox's sender through SimCord: Discord failing, a crash mid-send, a crash mid-post."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
from discord import app_commands

from bot.core import CommonRoomBot
from bot.services.outbox import OutboxItem
from tests.conftest import BotFactory, World
from tests.outbox.helpers import Crash, crash_after_delivering, crashed

# The outbox's tests register topics that send their own test text: no catalogue check.
pytestmark = pytest.mark.english_only


def dms(member: simcord.MemberActor) -> list[str]:
    channel = member.user.dm_channel
    return [] if channel is None else [m.content for m in channel.history()]


def register(
    bot: CommonRoomBot, posted: dict[int, int] | None = None, failed: list[str] | None = None
) -> None:
    """A topic as a feature registers one: renders from the payload, records what happened."""

    async def render(item: OutboxItem) -> dict[str, Any] | None:
        if item.payload.get("cancelled"):
            return None
        if item.is_post:
            view = discord.ui.View(timeout=None)
            view.add_item(discord.ui.Button(label="Going", custom_id=f"test:card:{item.payload['n']}"))
            view.stop()
            return {"content": f"Card {item.payload['n']}", "view": view}
        return {"content": f"Reminder {item.payload['n']} <@{item.recipient_id}>"}

    async def after_post(item: OutboxItem, message_id: int) -> None:
        if posted is not None:
            posted[item.payload["n"]] = message_id

    async def on_failed(item: OutboxItem, reason: str) -> None:
        if failed is not None:
            failed.append(reason)

    bot.outbox.topic("test", render, after_post=after_post, on_failed=on_failed)


@pytest.fixture
def simcord_bot(make_bot: BotFactory) -> CommonRoomBot:
    return with_test_command(make_bot())


def with_test_command(bot: CommonRoomBot) -> CommonRoomBot:
    """A feature's state change, reduced to its essence: promise, then kick the sender.

    Run as a command so the sender works in the bot's own world (SimCord's virtual clock)."""

    @app_commands.command(name="owe-test", description="Owe messages (test only)")
    async def owe_test(
        interaction: discord.Interaction, members: str, n: int = 1, post: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        if post:
            await bot.outbox.service.enqueue(
                guild_id=interaction.guild_id,
                key=f"card:{n}",
                topic="test",
                channel_id=interaction.channel_id,
                payload={"n": n},
                marker=f"test:card:{n}",
            )
        for member in filter(None, members.split(",")):
            await bot.outbox.service.enqueue(
                guild_id=interaction.guild_id,
                key=f"test:{n}",
                topic="test",
                recipient_id=int(member),
                payload={"n": n},
            )
        bot.outbox.kick()
        await interaction.response.send_message("owed", ephemeral=True)

    @app_commands.command(name="kick-test", description="Kick the sender (test only)")
    async def kick_test(interaction: discord.Interaction) -> None:
        bot.outbox.kick()
        await interaction.response.send_message("kicked", ephemeral=True)

    bot.tree.add_command(owe_test)
    bot.tree.add_command(kick_test)
    return bot


async def owe_dms(world: World, members: list[simcord.MemberActor], n: int = 1) -> None:
    await world.admin.slash(world.general, "owe-test", members=",".join(str(m.id) for m in members), n=n)
    await world.env.advance_time(0)


async def test_every_dm_is_delivered_once_and_pings_no_one(world: World) -> None:
    register(world.bot)
    students = [world.guild.add_member(world.env.create_user(f"student{i}")) for i in range(5)]
    await owe_dms(world, students)
    await owe_dms(world, students)  # the same promise again: a no-op
    for student in students:
        assert dms(student) == [f"Reminder 1 <@{student.id}>"]
    sent = [r for r in world.env.http_requests if r.method == "POST" and "Reminder" in str(r.json)]
    assert len(sent) == 5
    assert all(r.json.get("allowed_mentions", {}).get("parse") == [] for r in sent)


async def dm_path(world: World, member: simcord.MemberActor) -> str:
    channel = await world.bot.create_dm(discord.Object(id=member.id))
    return f"/channels/{channel.id}/messages"


async def wait_for_dm(world: World, member: simcord.MemberActor, hours: int = 3) -> None:
    for _ in range(hours * 4):
        if dms(member):
            return
        await world.env.advance_time(15 * 60)


async def test_a_server_error_is_retried_with_back_off_until_it_goes_through(world: World) -> None:
    register(world.bot)
    world.env.inject_error("POST", await dm_path(world, world.student), status=503, times=6)
    await owe_dms(world, [world.student])
    assert dms(world.student) == []
    item = await world.bot.outbox.service.by_key("test:1", world.student.id)
    assert item is not None and (item.status, item.outcome) == ("pending", "discord 503")
    await wait_for_dm(world, world.student)
    assert dms(world.student) == [f"Reminder 1 <@{world.student.id}>"]
    tries = [r for r in world.env.http_requests if r.method == "POST" and "Reminder" in str(r.json)]
    assert len(tries) == 7  # six refusals, then the one that went through: never two delivered


async def test_a_rate_limit_is_honoured_not_fatal(world: World) -> None:
    register(world.bot)
    world.env.inject_error("POST", await dm_path(world, world.student), status=429, times=3)
    await owe_dms(world, [world.student])
    await wait_for_dm(world, world.student)
    assert dms(world.student) == [f"Reminder 1 <@{world.student.id}>"]


async def test_closed_dms_fail_once_are_recorded_and_not_retried(world: World) -> None:
    failed: list[str] = []
    register(world.bot, failed=failed)
    path = await dm_path(world, world.student)
    world.env.inject_error("POST", path, status=403, code=50007, times=None)
    await owe_dms(world, [world.student, world.admin])
    await world.env.advance_time(3600)
    assert failed == ["dms-closed"]
    assert dms(world.admin) == [f"Reminder 1 <@{world.admin.id}>"]
    item = await world.bot.outbox.service.by_key("test:1", world.student.id)
    assert item is not None and (item.status, item.outcome) == ("failed", "dms-closed")
    assert len([r for r in world.env.http_requests if r.method == "POST" and r.path == path]) == 1


async def restart(world: World, make_bot: BotFactory, posted: dict[int, int] | None = None) -> CommonRoomBot:
    fresh = with_test_command(make_bot())
    register(fresh, posted=posted)
    await world.env.restart_bot(fresh)
    await world.admin.slash(world.general, "kick-test")
    await world.env.advance_time(0)
    return fresh


async def test_a_crash_in_the_middle_of_sending_loses_no_one_and_repeats_at_most_one(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(world.bot)
    students = [world.guild.add_member(world.env.create_user(f"student{i}")) for i in range(12)]

    # The process dies right after Discord accepted the 5th DM, before it was marked delivered.
    crash_after_delivering(monkeypatch, world.bot.outbox.service, 4)
    await owe_dms(world, students)
    assert sum(len(dms(s)) for s in students) == 5
    assert crashed(world.env)

    await restart(world, make_bot)
    counts = [len(dms(s)) for s in students]
    assert min(counts) == 1, "every student got their reminder"
    assert sum(counts) <= len(students) + 1, "one crash repeats at most one message"


async def test_a_crash_between_posting_a_card_and_saving_it_never_leaves_two_cards(
    world: World, make_bot: BotFactory
) -> None:
    async def crash(item: OutboxItem, message_id: int) -> None:
        raise Crash

    register(world.bot)
    world.bot.outbox.topic("test", world.bot.outbox.topics["test"].render, after_post=crash)
    await world.admin.slash(world.general, "owe-test", members="", post=True)
    await world.env.advance_time(0)
    assert len(world.general.history(viewer=world.student)) == 1
    assert crashed(world.env)

    posted: dict[int, int] = {}
    fresh = await restart(world, make_bot, posted)
    cards = world.general.history(viewer=world.student)
    assert len(cards) == 1
    assert posted == {1: cards[0].id}
    item = await fresh.outbox.service.by_key("card:1")
    assert item is not None and item.status == "delivered" and item.message_id == cards[0].id


async def test_sending_to_many_does_not_hold_up_anyone_s_command(world: World) -> None:
    register(world.bot)
    students = [world.guild.add_member(world.env.create_user(f"s{i}")) for i in range(40)]
    await world.admin.slash(world.general, "owe-test", members=",".join(str(m.id) for m in students))
    result = await world.student.slash(world.general, "about")
    assert result.ephemeral and result.response.embeds
    await world.env.advance_time(0)
    assert all(len(dms(s)) == 1 for s in students)


async def test_organisers_hear_about_a_problem_once_not_once_per_student(world: World) -> None:
    staff = world.guild.create_text_channel("organisers")
    await world.admin.slash(world.general, "setup channel", purpose="organisers", channel=staff)

    @app_commands.command(name="alert-test", description="Raise an alert (test only)")
    async def alert_test(interaction: discord.Interaction, problem: str) -> None:
        assert interaction.guild_id is not None
        await world.bot.outbox.alert(
            interaction.guild_id, problem, f"3 reminders could not be sent ({problem})"
        )
        await interaction.response.send_message("ok", ephemeral=True)

    world.bot.tree.add_command(alert_test)
    await world.bot.tree.sync()
    for _ in range(3):
        await world.admin.slash(world.general, "alert-test", problem="no-access:123")
    await world.admin.slash(world.general, "alert-test", problem="another")
    await world.env.advance_time(0)
    said = [m.content for m in staff.history(viewer=world.admin) if m.author.id == world.bot.user.id]
    assert sorted(said) == [
        "3 reminders could not be sent (another)",
        "3 reminders could not be sent (no-access:123)",
    ]
