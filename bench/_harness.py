"""Shared benchmark plumbing: the real bot under SimCord, a bare discord.py bot, and timings.

Handling time is measured *inside* each bot, from receipt of the interaction to its first
response (``bot.metrics.InteractionTimings``), never around SimCord's actor calls: SimCord's
settling adds ~50 ms of real time to every ephemeral reply, which would swamp the bot's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import simcord
from discord import app_commands
from discord.ext import commands

from bot import Settings, create_bot
from bot.core import CommonRoomBot
from bot.metrics import InteractionTimings, percentile


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    median_ms: float
    p99_ms: float

    @classmethod
    def of(cls, label: str, samples: list[float]) -> Row:
        return cls(label, len(samples), statistics.median(samples) * 1000, percentile(samples, 0.99) * 1000)


def run_cli(doc: str | None, main: Callable[[int], Awaitable[None]], default: int, what: str) -> None:
    """``python -m bench.<name> [-n N]``: parse ``-n``, quiet the logs, run ``main(n)``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=default, help=f"{what} (default {default})")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args().n))


def print_table(rows: list[Row], baseline: Row | None = None) -> None:
    print(f"{'scenario':<44} {'n':>6} {'median ms':>10} {'p99 ms':>9} {'x baseline':>10}")
    for row in rows:
        ratio = f"{row.median_ms / baseline.median_ms:>9.2f}x" if baseline and baseline.median_ms else ""
        print(f"{row.label:<44} {row.count:>6} {row.median_ms:>10.3f} {row.p99_ms:>9.3f} {ratio:>10}")


class BareBot(commands.Bot):
    """A bare discord.py bot answering /about the same way, timed with the same instrument."""

    def __init__(self, embed: discord.Embed) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents)
        self.timings = InteractionTimings()
        self._embed = embed

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction" and args:
            self.timings.attach(args[0])
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        embed = self._embed

        @app_commands.command(name="about", description="What this bot is")
        async def about(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=embed, ephemeral=True)

        self.tree.add_command(about)
        await self.tree.sync()


def about_embed() -> discord.Embed:
    from cogs.about import PRIVACY_SUMMARY

    embed = discord.Embed(title="Common Room", description="A place to belong.")
    embed.add_field(name="Your privacy", value="\n".join(f"• {line}" for line in PRIVACY_SUMMARY))
    return embed


def make_settings(directory: Path) -> Settings:
    return Settings.load(
        None,
        discord={"token": "bench-token"},
        database={"path": str(directory / "bench.sqlite3")},
        security={"key_file": str(directory / "bench.key")},
        logging={"level": "WARNING"},
    )


@dataclass
class Stage:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    admin: simcord.MemberActor
    students: list[simcord.MemberActor]


def build_stage(env: simcord.Env, students: int = 1) -> Stage:
    guild = env.create_guild("Bench Medical School")
    channel = guild.create_text_channel("general")
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(env.create_user("bench_admin"), roles=[admins])
    members = [guild.add_member(env.create_user(f"student{i}")) for i in range(students)]
    return Stage(env, guild, channel, admin, members)


Scenario = Callable[[Stage], Awaitable[None]]


async def run_common_room(scenario: Scenario, *, students: int = 1) -> CommonRoomBot:
    """Run ``scenario`` against the real bot (fresh temp database); returns the bot for its timings."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = create_bot(make_settings(Path(tmp)))
        try:
            async with simcord.run(bot) as env:
                stage = build_stage(env, students)
                await scenario(stage)
        finally:
            await bot.release()
        return bot


async def about_baseline(n: int) -> tuple[Row, Row]:
    """(/about on a bare discord.py bot, /about on Common Room), n interactions each."""
    bare = BareBot(about_embed())
    async with simcord.run(bare) as env:
        stage = build_stage(env)
        for _ in range(n):
            await stage.students[0].slash(stage.channel, "about")

    async def ours(stage: Stage) -> None:
        for _ in range(n):
            await stage.students[0].slash(stage.channel, "about")

    bot = await run_common_room(ours)
    return (
        Row.of("/about, bare discord.py bot", bare.timings.samples("/about")),
        Row.of("/about, Common Room", bot.timings.samples("/about")),
    )
