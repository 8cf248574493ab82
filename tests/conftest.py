"""Shared fixtures: the real bot, built from a temporary config and database, under SimCord."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot import Settings, create_bot
from bot.clock import ManualClock
from bot.core import CommonRoomBot
from bot.db import Database
from tests import contract


@pytest.fixture(autouse=True)
def _discord_contract(request: pytest.FixtureRequest, _isolated_environment: None) -> Iterator[None]:
    """Every REST request the bot sends in an end-to-end test must be one Discord accepts.

    Checked against Discord's OpenAPI description (``DISCORD_OPENAPI_SPEC``) after each test that
    drives the bot through ``simcord_env``; ``tests/test_contract.py`` reports a skip when the
    description is absent.
    """
    spec = contract.spec_path()
    if "simcord_env" not in request.fixturenames or spec is None or not spec.exists():
        yield
        return
    env = request.getfixturevalue("simcord_env")
    yield
    problems = contract.violations(env.http_requests, spec)
    assert not problems, "Requests Discord would reject:\n" + "\n".join(problems)


# -- services against real SQLite: one database and one hand-moved clock for every feature ----------


@pytest.fixture
def clock() -> ManualClock:
    """Monday 5 October 2026, 09:00 UTC (10:00 in London, BST). A feature's conftest may override it."""
    return ManualClock(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real, migrated SQLite database in a temporary folder, closed after the test."""
    database = Database(tmp_path / "common-room-test.sqlite3")
    await database.open()
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's own COMMONROOM_* variables or ./config.toml."""
    for name in list(os.environ):
        if name.startswith("COMMONROOM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def write_config(directory: Path, extra: str = "") -> Path:
    path = directory / "config.toml"
    path.write_text(
        "[discord]\n"
        'token = "test-token"\n'
        "[database]\n"
        f'path = "{(directory / "common-room.sqlite3").as_posix()}"\n'
        "[security]\n"
        f'key_file = "{(directory / "common-room.key").as_posix()}"\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def settings(config_path: Path) -> Settings:
    return Settings.load(config_path)


BotFactory = Callable[..., CommonRoomBot]


@pytest.fixture
async def make_bot(settings: Settings) -> AsyncIterator[BotFactory]:
    """Build real bots (for restarts); each one's database is closed when the test ends."""
    made: list[CommonRoomBot] = []

    def factory(custom: Settings | None = None, **kwargs: Any) -> CommonRoomBot:
        bot = create_bot(custom or settings, **kwargs)
        made.append(bot)
        return bot

    yield factory
    for bot in made:
        await bot.release()


@pytest.fixture
def simcord_bot(make_bot: BotFactory) -> CommonRoomBot:
    return make_bot()


@dataclass
class World:
    """One server, as students and staff would find it."""

    env: simcord.Env
    guild: simcord.GuildHandle
    general: simcord.ChannelHandle
    admin: simcord.MemberActor
    organiser: simcord.MemberActor
    student: simcord.MemberActor
    organiser_role: simcord.RoleHandle

    @property
    def bot(self) -> CommonRoomBot:
        bot = self.env.bot
        assert isinstance(bot, CommonRoomBot)
        return bot


def build_world(env: simcord.Env) -> World:
    guild = env.create_guild("Demo Medical School")
    general = guild.create_text_channel("general")
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    organisers = guild.create_role("Organisers")
    admin = guild.add_member(env.create_user("ada_admin"), roles=[admins])
    organiser = guild.add_member(env.create_user("olu_organiser"), roles=[organisers])
    student = guild.add_member(env.create_user("sam_student"))
    return World(env, guild, general, admin, organiser, student, organisers)


@pytest.fixture
async def world(simcord_env: simcord.Env, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """The usual server. Afterwards, everything the bot sent in it is checked for words that
    bypassed the catalogue (issue #18: a Welsh reader would see them in English), through
    :mod:`tests.i18n.provenance`; ``PROVENANCE_REPORT=1`` lists them in
    ``provenance-report.txt`` instead of failing."""
    from tests.i18n.provenance import Recorder, bypassing_catalogue, write_report

    recorder = Recorder()
    patches = pytest.MonkeyPatch()  # its own: a test's monkeypatch.undo() must not remove it
    recorder.install(patches)
    built = build_world(simcord_env)
    try:
        yield built
    finally:
        patches.undo()
    if request.node.get_closest_marker("english_only") is not None:
        return
    problems = await bypassing_catalogue(simcord_env, built.bot, recorder)
    if not problems:
        return
    if os.environ.get("PROVENANCE_REPORT"):
        write_report(request.node.nodeid, problems)
        return
    pytest.fail("The bot sent text that bypassed the catalogue:\n" + "\n".join(problems[:20]))


async def open_command_to(world: World, name: str, *members: simcord.MemberActor) -> None:
    """Do what a server admin can do in Server Settings > Integrations: let these members see
    and use a command that is hidden from them by default. The bot must still check them."""
    commands = await world.bot.tree.fetch_commands()
    command = next(c for c in commands if c.name == name)
    world.guild.set_command_permissions(command, dict.fromkeys(members, True))


async def count_trips(action: object, *, where: str = "any") -> int:
    """Round trips ``action`` makes to the database, each a wait for SQLite: a trip to
    aiosqlite's worker threads (each one a wake-up of the loop; ``where="thread"`` counts only
    these), or one batch of quick reads on the loop's own thread (``bot.db._LoopReader``;
    ``where="loop"`` counts only these)."""
    import aiosqlite

    from bot.db import _LoopReader

    assert where in ("any", "thread", "loop")
    trips = 0
    real = aiosqlite.Connection._execute
    real_run = _LoopReader.run

    async def counted(self: aiosqlite.Connection, fn: object, *args: object, **kwargs: object) -> object:
        nonlocal trips
        trips += where != "loop"
        return await real(self, fn, *args, **kwargs)

    def counted_run(self: _LoopReader, statements: Any) -> Any:
        nonlocal trips
        rows = real_run(self, statements)
        if rows is not None:  # else the same reads go to the thread, counted there
            trips += where != "thread"
        return rows

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    _LoopReader.run = counted_run  # type: ignore[method-assign]
    try:
        await action  # type: ignore[misc]
    finally:
        aiosqlite.Connection._execute = real  # type: ignore[method-assign]
        _LoopReader.run = real_run  # type: ignore[method-assign]
    return trips


async def organisers_channel(world: World) -> simcord.ChannelHandle:
    """An organisers' channel and role, as /setup makes them."""
    me = world.guild.me
    assert me is not None
    see = discord.PermissionOverwrite(view_channel=True)
    channel = world.guild.create_text_channel(
        "organisers",
        overwrites={
            world.guild.default_role: discord.PermissionOverwrite(view_channel=False),
            world.organiser_role: see,
            world.admin: see,
            me: see,
        },
    )
    await world.env.settle()
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await world.admin.slash(world.general, "setup channel", purpose="organisers", channel=channel)
    return channel


async def advance_to(env: simcord.Env, when: datetime, *, step: timedelta = timedelta(days=7)) -> None:
    """Move the virtual clock to ``when``, a week at a time.

    SimCord gives one ``advance_time`` call a few seconds of real time to run every job that
    falls due in it; months in one call (daily jobs and all) can overrun that on a slow machine,
    so long spans go in steps, each with its own allowance.
    """
    remaining = (when - env.now()).total_seconds()
    assert remaining >= 0, "the test asked to go back in time"
    while remaining > 0:
        seconds = min(remaining, step.total_seconds())
        await env.advance_time(seconds)
        remaining -= seconds
