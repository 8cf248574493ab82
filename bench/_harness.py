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
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


# -- timing interactions without SimCord's per-reply settling ---------------------------------


@contextmanager
def concurrent(env: simcord.Env) -> Iterator[None]:
    """Actor calls inside this block only emit their interaction (no settling, no one-at-a-time
    check), so ``asyncio.gather`` over them puts every interaction in flight at once. Call
    ``env.settle()`` after the block."""

    async def no_settle(*_args: Any, **_kwargs: Any) -> None:
        return None

    saved = (env._settle_internal, env._begin_operation, env._end_operation)
    env._settle_internal = no_settle  # type: ignore[method-assign]
    env._begin_operation = lambda *_a, **_k: None  # type: ignore[method-assign]
    env._end_operation = lambda *_a, **_k: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        env._settle_internal, env._begin_operation, env._end_operation = saved  # type: ignore[method-assign]


#: When the interaction being handled arrived at Discord (``time.perf_counter()``), for the
#: deadline rows: set by :func:`arrive` around discord.py's parse, so every handler task discord.py
#: creates for that interaction carries it (a task copies its context when created).
ARRIVAL: ContextVar[float] = ContextVar("arrival")


class Completions:
    """Counts each bot's completed interactions per key, so the bench can wait for the bot alone.

    SimCord's ``settle()`` polls every live view and wait-future on the event loop while it runs;
    with the few dozen live views a real bot keeps (a paged list stays open for minutes) that is
    ~30 ms of simulator CPU per interaction, which would land inside the bot's timing. So every
    timed interaction is only emitted (``concurrent``); the bench waits here until the bot's own
    clock has stopped for it, and settles SimCord afterwards, outside the timed window.
    """

    def __init__(self, bot: Any) -> None:
        self.counts: dict[str, int] = {}
        self.changed = asyncio.Event()
        observe = bot.timings.observe_completed

        def observed(key: str, seconds: float) -> None:
            observe(key, seconds)
            self.counts[key] = self.counts.get(key, 0) + 1
            self.changed.set()

        bot.timings.observe_completed = observed
        #: First responses of interactions delivered by :func:`arrive`: seconds from their
        #: arrival at Discord (not from the bot's receipt), per key.
        self.from_arrival: dict[str, list[float]] = {}
        first = bot.timings.observe

        def responded(key: str, seconds: float) -> None:
            first(key, seconds)
            arrived = ARRIVAL.get(None)
            if arrived is not None:
                self.from_arrival.setdefault(key, []).append(time.perf_counter() - arrived)

        bot.timings.observe = responded

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    async def wait(self, key: str, target: int, limit_s: float = 120.0) -> None:
        async def until() -> None:
            while self.count(key) < target:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), limit_s)


async def timed(
    env: simcord.Env, done: Completions, key: str, actions: list[Callable[[], Awaitable[Any]]]
) -> None:
    """Interactions as a bench times them: ``actions`` emitted all at once (``concurrent``),
    waited for until the bot's own clock stopped for that many ``key`` interactions, then the
    simulator settled, outside the bot's timing. A plain actor call also waits out SimCord's quiet
    period after every private reply (about 50 ms of real time), which made a few hundred
    ``/about`` calls take half a minute."""
    target = done.count(key) + len(actions)
    with concurrent(env):
        await asyncio.gather(*(action() for action in actions))
    await done.wait(key, target)
    await env.settle(timeout=120)  # after a burst, the simulator catches up (untimed)


async def about_baseline(n: int) -> tuple[Row, Row]:
    """(/about on a bare discord.py bot, /about on Common Room), n interactions each."""
    bare = BareBot(about_embed())

    async def about(stage: Stage, bot: Any) -> None:
        # The first interaction installs the completion clock (and is a warm-up): not counted.
        await stage.students[0].slash(stage.channel, "about")
        done = Completions(bot)
        for _ in range(n):
            await timed(stage.env, done, "/about", [lambda: stage.students[0].slash(stage.channel, "about")])

    async with simcord.run(bare) as env:
        await about(build_stage(env), bare)

    async def ours(stage: Stage) -> None:
        await about(stage, stage.env.bot)

    bot = await run_common_room(ours)
    return (
        Row.of("/about, bare discord.py bot", bare.timings.samples("/about")[-n:]),
        Row.of("/about, Common Room", bot.timings.samples("/about")[-n:]),
    )
