"""The Bot: opens the database, migrates, starts the scheduler, loads every cog, syncs commands.

Access to organiser commands is decided here, on the server side, for every interaction:

* a command (or its group) declared with ``extras=ORGANISER`` runs only for members with
  Manage Server or the server's organiser role;
* one declared with ``extras=MANAGE_SERVER`` runs only for members with Manage Server.

Hiding a command in the client (``default_permissions``) is a courtesy on top, never the check.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pkgutil
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.errors import UserError
from bot.i18n import N_, I18n
from bot.metrics import InteractionTimings
from bot.outbox import Outbox
from bot.scheduler import Scheduler
from bot.secrets import load_or_create_key
from bot.services.guilds import GuildConfig, GuildSettingsService
from bot.services.language import LanguageService
from bot.services.outbox import OutboxService
from bot.services.retention import RetentionService
from bot.settings import Settings
from bot.ui import FormRouter, handle_interaction_error, report_user_error, send_private
from bot.ui.names import MemberNames
from bot.ui.replies import reader
from bot.ui.translator import CatalogueTranslator

log = logging.getLogger(__name__)

__version__ = "0.1.0"

ORGANISER: dict[str, Any] = {"access": "organiser"}
MANAGE_SERVER: dict[str, Any] = {"access": "manage_server"}
COMMAND_TREE_HASH = "command_tree_hash"
RETENTION_FIRST_DELAY = timedelta(minutes=5)
RETENTION_INTERVAL = timedelta(days=1)
OUTSIDE_A_SERVER = N_("Common Room works inside a server. Please use it there.")


def required_access(command: Any) -> str | None:
    """The strictest access a command or any group above it declares."""
    found: str | None = None
    node = command
    while node is not None:
        access: str | None = getattr(node, "extras", {}).get("access")
        if access == MANAGE_SERVER["access"]:
            return access
        if access is not None:
            found = access
        node = getattr(node, "parent", None)
    return found


def is_organiser(member: discord.Member, config: GuildConfig) -> bool:
    permissions = member.guild_permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    role_id = config.organiser_role_id
    return role_id is not None and any(role.id == role_id for role in member.roles)


class CommonRoomTree(app_commands.CommandTree["CommonRoomBot"]):
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        allowed, refusal = await self._access(interaction)
        if allowed or refusal is None:
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            # Suggestions are the only possible answer to typing: offer none.
            await interaction.response.autocomplete([])
        else:
            await send_private(interaction, refusal.translated(await reader(interaction)))
        return False

    async def _access(self, interaction: discord.Interaction[Any]) -> tuple[bool, UserError | None]:
        """Whether this member may use this command here, and if not, what to tell them (English,
        the catalogue's source: translated for the reader where it is shown)."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            return False, UserError(OUTSIDE_A_SERVER)
        command = interaction.command
        access = required_access(command) if command is not None else None
        if access is None or command is None:
            return True, None
        name = f"/{command.qualified_name}"
        member = interaction.user
        if access == MANAGE_SERVER["access"]:
            permissions = member.guild_permissions
            if permissions.manage_guild or permissions.administrator:
                return True, None
            return False, UserError(
                "{command} changes how Common Room works on this server, so it needs the Manage Server "
                "permission. Ask a server admin if something here needs changing.",
                command=name,
            )
        config = await self.client.guild_settings.get(interaction.guild_id)
        if is_organiser(member, config):
            return True, None
        return False, UserError(
            "{command} is for organisers. If you help run things here, ask a server admin to give "
            "you the organiser role (they set it with `/setup organiser-role`).",
            command=name,
        )

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            await report_user_error(interaction, _check_failure_message(error))
            return
        if isinstance(error, app_commands.TransformerError):
            await report_user_error(
                interaction,
                UserError(
                    "I couldn't understand `{value}` there. Please check it and try again.",
                    value=str(error.value)[:80],
                ),
            )
            return
        command = interaction.command
        where = f"/{command.qualified_name}" if command is not None else "a command"
        await handle_interaction_error(interaction, error, where)

    def add_command(self, command: Any, /, **kwargs: Any) -> None:
        for each in _walk(command):
            _shield_command(each)
        super().add_command(command, **kwargs)


def _check_failure_message(error: app_commands.CheckFailure) -> UserError:
    if isinstance(error, app_commands.CommandOnCooldown):
        return UserError(
            "Please wait {seconds} seconds before trying that again.", seconds=f"{error.retry_after:.0f}"
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        # Permission names stay in English: they are the names Discord shows admins.
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return UserError(
            "I need these permissions here first: {permissions}. A server admin can grant them.",
            permissions=missing,
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return UserError(OUTSIDE_A_SERVER)
    return UserError("You can't use that here.")


def _walk(command: Any) -> list[Any]:
    if isinstance(command, app_commands.Group):
        return list(command.walk_commands())
    return [command]


def _shield_command(command: Any) -> None:
    """Turn a UserError raised by the callback into a private reply (not an error)."""
    if not isinstance(command, app_commands.Command):
        return
    callback = command._callback
    if getattr(callback, "__commonroom_shielded__", False):
        return

    @functools.wraps(callback)
    async def shielded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await callback(*args, **kwargs)
        except UserError as error:
            interaction = next(a for a in args if isinstance(a, discord.Interaction))
            await report_user_error(interaction, error)
            return None

    shielded.__commonroom_shielded__ = True  # type: ignore[attr-defined]
    command._callback = shielded


class CommonRoomBot(commands.Bot):
    def __init__(self, settings: Settings, *, clock: Clock | None = None, force_sync: bool = False) -> None:
        # No privileged intents: not members, not presences, not message content.
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_scheduled_events = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=CommonRoomTree,
            help_command=None,
            allowed_contexts=app_commands.AppCommandContext(guild=True),
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.force_sync = force_sync
        self.version = __version__
        self.db = Database(settings.database.path)
        self.scheduler = Scheduler(self.clock)
        self.guild_settings = GuildSettingsService(self.db, self.clock, settings.defaults.timezone)
        # Who gets which language, and the catalogues (read on first use): bot/i18n.py.
        self.i18n = I18n(LanguageService(self.db, self.clock))
        self.timings = InteractionTimings()
        # Stateless forms (their submissions survive a restart): features add routes in cog_load.
        self.forms = FormRouter()
        self.names = MemberNames(self)
        # Everything the bot owes someone (DMs, posts): recorded first, delivered, resumed after a crash.
        self.outbox = Outbox(self, OutboxService(self.db, self.clock))
        self.outbox.register_core_topics()
        self.retention = RetentionService(self.db, self.clock)
        self.synced = False
        self._secret_key: bytes | None = None
        self._metrics_server: Any = None

    # -- start-up ----------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.db.open()
        await self.db.migrate()
        self.scheduler.start()
        # Command and option descriptions in the reader's language, where Discord has a locale for it.
        await self.tree.set_translator(CatalogueTranslator(self.i18n.catalogues))
        for name in extension_names():
            await self.load_extension(name)
        self.synced = await self.sync_commands(force=self.force_sync)
        self._schedule_retention(RETENTION_FIRST_DELAY)
        # Resume whatever was owed when the bot last stopped (in the background).
        self.outbox.kick()
        if self.settings.metrics.prometheus_port is not None and self._metrics_server is None:
            self._metrics_server = self.timings.serve_prometheus(
                self.settings.metrics.prometheus_host, self.settings.metrics.prometheus_port
            )
        log.info("Common Room %s is set up (%d extensions)", self.version, len(self.extensions))

    @property
    def secret_key(self) -> bytes:
        """The bot's secret (for keyed hashes), created on first use outside the database."""
        if self._secret_key is None:
            self._secret_key = load_or_create_key(self.settings.security.key_file)
        return self._secret_key

    def command_tree_hash(self) -> str:
        payload = sorted(
            (command.to_dict(self.tree) for command in self.tree.get_commands()),
            key=lambda c: (c.get("type", 1), c["name"]),
        )
        # The catalogues too: a changed translation of a description needs a sync as well.
        content = json.dumps(payload, sort_keys=True) + self.i18n.catalogues.digest()
        return hashlib.sha256(content.encode()).hexdigest()

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync slash commands with Discord if they changed since the last sync (or if forced)."""
        digest = self.command_tree_hash()
        stored = await self.guild_settings.get_meta(COMMAND_TREE_HASH)
        if not force and stored == digest:
            log.info("Slash commands unchanged since the last sync; not syncing")
            return False
        synced = await self.tree.sync()
        await self.guild_settings.set_meta(COMMAND_TREE_HASH, digest)
        log.info("Synced %d slash commands", len(synced))
        return True

    def _schedule_retention(self, delay: timedelta) -> None:
        self.scheduler.at("retention", self.clock.now() + delay, self.run_retention)

    async def run_retention(self) -> dict[str, int]:
        """Remove personal data past its retention period; runs daily."""
        try:
            return await self.retention.purge()
        finally:
            self._schedule_retention(RETENTION_INTERVAL)

    # -- events ------------------------------------------------------------------------

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction" and args:
            # Called synchronously on receipt, before any handler task has run.
            self.timings.attach(args[0])
        super().dispatch(event_name, *args, **kwargs)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.forms.dispatch(interaction)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.guild_settings.ensure(guild.id)
        log.info("Joined guild %s", guild.id)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.guild_settings.ensure(guild.id)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            await self.release()

    async def release(self) -> None:
        """Stop the scheduler and close the database (what ``close`` does besides Discord).

        Test harnesses that detach the bot without closing it (SimCord's ``restart_bot``) call this.
        """
        self.scheduler.shutdown()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
            self._metrics_server = None
        await self.db.close()


def extension_names() -> list[str]:
    """Every module or package in ``cogs/``, in a stable order."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


def create_bot(settings: Settings, *, clock: Clock | None = None, sync: bool = False) -> CommonRoomBot:
    """Build the bot, not yet logged in. ``sync=True`` syncs slash commands at start regardless."""
    return CommonRoomBot(settings, clock=clock, force_sync=sync)
