"""The scheduler and SimCord agree on the time: jobs fire when virtual time reaches them.

Jobs are scheduled the way features schedule them: from the bot's own code (a command), so they
run in the bot's world, where SimCord's virtual clock applies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord
import pytest
from discord import app_commands

from bot.core import CommonRoomBot
from tests.conftest import BotFactory, World

# The scheduler's tests post their own test text: no catalogue check.
pytestmark = pytest.mark.english_only

Fired = list[tuple[str, datetime]]


@pytest.fixture
def fired() -> Fired:
    return []


@pytest.fixture
def simcord_bot(make_bot: BotFactory, fired: Fired) -> CommonRoomBot:
    bot = make_bot()

    async def note(name: str) -> None:
        fired.append((name, bot.clock.now()))

    @app_commands.command(name="schedule-test", description="Schedule a test job (test only)")
    async def schedule_test(interaction: discord.Interaction, name: str, minutes: int) -> None:
        bot.scheduler.at(name, bot.clock.now() + timedelta(minutes=minutes), note, name)
        await interaction.response.send_message("scheduled", ephemeral=True)

    @app_commands.command(name="cancel-test", description="Cancel a test job (test only)")
    async def cancel_test(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(str(bot.scheduler.cancel(name)), ephemeral=True)

    bot.tree.add_command(schedule_test)
    bot.tree.add_command(cancel_test)
    return bot


async def test_a_job_an_hour_ahead_fires_after_an_hour_and_not_before(world: World, fired: Fired) -> None:
    start = world.env.now()
    assert world.bot.clock.now() == start  # the bot's clock is SimCord's virtual clock
    await world.admin.slash(world.general, "schedule-test", name="reminder", minutes=60)

    await world.env.advance_time(59 * 60 + 59)
    assert fired == []
    await world.env.advance_time(1)
    assert fired == [("reminder", start + timedelta(hours=1))]
    assert world.bot.scheduler.get("reminder") is None  # one-shot: gone once run


async def test_jobs_fire_in_order_at_their_own_instants_during_one_long_advance(
    world: World, fired: Fired
) -> None:
    start = world.env.now()
    await world.admin.slash(world.general, "schedule-test", name="later", minutes=14 * 24 * 60)
    await world.admin.slash(world.general, "schedule-test", name="sooner", minutes=24 * 60)

    await world.env.advance_time(15 * 24 * 3600)

    # Each ran at its own virtual instant, not late at the end of the jump.
    assert fired == [("sooner", start + timedelta(days=1)), ("later", start + timedelta(days=14))]


async def test_a_cancelled_job_does_not_fire(world: World, fired: Fired) -> None:
    await world.admin.slash(world.general, "schedule-test", name="cancel-me", minutes=5)
    result = await world.admin.slash(world.general, "cancel-test", name="cancel-me")
    assert result.response.content == "True"
    await world.env.advance_time(600)
    assert fired == []
