"""What every feature (``cogs/<feature>/``) starts from: how its organiser commands are declared,
how its cog loads and unloads, and the base of its scheduled work (``jobs.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

import discord
from discord import app_commands

from bot.core import ORGANISER, CommonRoomBot
from bot.i18n import N_
from bot.ui import FormRouter

ServiceT = TypeVar("ServiceT")
JobsT = TypeVar("JobsT", bound="FeatureJobs[Any]")

#: A subcommand only organisers can run (the command tree checks ``extras``, see :mod:`bot.core`).
organiser_command = partial(app_commands.command, extras=ORGANISER)


def organiser_group(*, name: str, description: str) -> app_commands.Group:
    """A command group for organisers: hidden in the client from members without Manage Server (a
    courtesy: server admins can change who sees it), and checked on the server side for every
    command in it (``extras``, see :mod:`bot.core`)."""
    return app_commands.Group(
        name=name,
        description=description,
        default_permissions=discord.Permissions(manage_guild=True),
        extras=ORGANISER,
    )


#: After anonymous answers are written (a pulse run or an evaluation closes), how long to wait
#: before each new try at emptying the write-ahead log, when a reader keeps it from being emptied.
TRUNCATE_RETRIES = (60, 300, 900, 3600)
WAL_BUSY = N_(
    "Anonymous answers (a pulse check or an event evaluation) were saved, but I could not clear the "
    "database's write-ahead log: something kept reading the database (a long backup, for example). "
    "Until it is cleared, a copy of the database files could still show which groups of answers "
    "arrived together (never one person's answer). Restarting the bot, or the next pulse check or "
    "evaluation closing, clears it."
)


async def truncate_wal_until_done(
    bot: CommonRoomBot, guild_id: int, job_id: str, truncate: Callable[[], Awaitable[bool]], attempt: int = 0
) -> None:
    """Empty the write-ahead log (``truncate``), so the page versions of earlier states go; if a
    reader blocks it, try again after each of :data:`TRUNCATE_RETRIES` (job ``job_id``), then tell
    the server's organisers once (counts only)."""
    if await truncate():
        return
    if attempt < len(TRUNCATE_RETRIES):
        when = bot.clock.now() + timedelta(seconds=TRUNCATE_RETRIES[attempt])
        bot.scheduler.at(job_id, when, truncate_wal_until_done, bot, guild_id, job_id, truncate, attempt + 1)
        return
    voice = await bot.i18n.for_guild(guild_id)  # a post in the organisers' channel: the server's voice
    await bot.outbox.alert(guild_id, "pulse-wal-busy", voice.text(lambda t: t(WAL_BUSY), limit=1900))


class FeatureJobs(Generic[ServiceT]):
    """A feature's scheduled work and outbox topics, with the bot and the feature's service.

    A subclass sets ``topic_prefix`` (what every one of its outbox topics starts with), registers
    its topics with the outbox in :meth:`register_topics` and, in :meth:`rearm`, arms again the
    jobs the database says are due. :class:`FeatureCog` starts and stops it with the cog.
    """

    topic_prefix: ClassVar[str]

    def __init__(self, bot: CommonRoomBot, service: ServiceT) -> None:
        self.bot = bot
        self.service = service

    async def start(self) -> None:
        """When the cog loads: deliver this feature's outbox topics, and arm what is due."""
        self.register_topics()
        await self.rearm()

    def stop(self) -> None:
        """When the cog unloads: the outbox stops delivering this feature's topics."""
        self.forget_topics()

    def register_topics(self) -> None:
        raise NotImplementedError

    async def rearm(self) -> None:
        raise NotImplementedError

    def forget_topics(self) -> None:
        self.bot.outbox.forget_topics(self.topic_prefix)


class FeatureCog(Generic[JobsT]):
    """Mixed into a feature's cog (before ``commands.Cog``): as the cog loads, its stateless forms
    are routed (:meth:`add_forms`) and its jobs started; as it unloads, both are stopped."""

    bot: CommonRoomBot
    jobs: JobsT

    def add_forms(self, forms: FormRouter) -> None:
        """Route this feature's stateless forms with ``forms.add``; a feature without any adds none."""

    async def cog_load(self) -> None:
        self.add_forms(self.bot.forms)
        await self.jobs.start()

    async def cog_unload(self) -> None:
        self.bot.forms.remove_owner(self)
        self.jobs.stop()
