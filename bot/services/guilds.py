"""Per-server settings: organiser role, timezone and the channels chosen for each purpose.

Read on every organiser check and every timezone look-up, so :meth:`GuildSettingsService.get`
answers from an in-memory cache per server. The cache belongs to the :class:`Database` (every
service on one database shares it) and every write through this service replaces the server's
entry, so a change made with ``/setup`` is seen at once. Nothing else writes these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.clock import Clock, to_timestamp
from bot.db import Database
from bot.errors import UserError
from bot.services.server_cache import ServerCache
from bot.settings import validate_timezone

CHANNEL_PURPOSES: dict[str, str] = {
    "announcements": "where event cards and pulse checks are posted",
    "organisers": "private channel where organisers get health alerts and summaries",
    "welcome": "where new students land; a good place for the support button",
    "reports": "private channel where anonymous reports arrive (falls back to organisers)",
}


@dataclass(frozen=True, slots=True)
class GuildConfig:
    guild_id: int
    timezone: str
    organiser_role_id: int | None = None
    channels: dict[str, int] = field(default_factory=dict)

    def channel(self, purpose: str) -> int | None:
        return self.channels.get(purpose)


class _SettingsCache(ServerCache[GuildConfig]):
    """Settings per server (see :mod:`bot.services.server_cache`)."""

    @property
    def configs(self) -> dict[int, GuildConfig]:
        return self.entries


def _copy(config: GuildConfig) -> GuildConfig:
    # GuildConfig is frozen but its channels are a dict: hand out a copy, keep the cached one intact.
    return replace(config, channels=dict(config.channels))


class GuildSettingsService:
    def __init__(self, db: Database, clock: Clock, default_timezone: str = "Europe/London") -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone
        self._cache = _SettingsCache.shared(db)

    async def ensure(self, guild_id: int) -> GuildConfig:
        """The server's settings, created with defaults the first time the bot sees it."""
        cached = self._cache.configs.get(guild_id)
        if cached is not None:
            return _copy(cached)  # only rows read from the database are cached: it exists
        await self._ensure_row(guild_id)
        return await self.get(guild_id)

    async def _ensure_row(self, guild_id: int) -> None:
        if guild_id in self._cache.configs:
            return  # only rows read from the database are cached: it exists
        now = to_timestamp(self.clock.now())
        await self.db.execute(
            "INSERT INTO guild_settings (guild_id, timezone, joined_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, self.default_timezone, now, now),
        )

    async def get(self, guild_id: int) -> GuildConfig:
        cached = self._cache.configs.get(guild_id)
        if cached is not None:
            return _copy(cached)
        generation = self._cache.generation(guild_id)
        async with self.db.read() as tx:
            row = await tx.fetchone(
                "SELECT timezone, organiser_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            channels = await tx.fetchall(
                "SELECT purpose, channel_id FROM guild_channels WHERE guild_id = ?", (guild_id,)
            )
        if row is None:
            return await self.ensure(guild_id)
        config = GuildConfig(
            guild_id=guild_id,
            timezone=row["timezone"],
            organiser_role_id=row["organiser_role_id"],
            channels={r["purpose"]: r["channel_id"] for r in channels},
        )
        self._cache.keep(guild_id, config, generation)
        return _copy(config)

    async def _written(self, guild_id: int) -> GuildConfig:
        """After a write through this service: drop the cached entry and read the new one."""
        self._cache.invalidate(guild_id)
        return await self.get(guild_id)

    async def set_organiser_role(self, guild_id: int, role_id: int | None) -> GuildConfig:
        await self._ensure_row(guild_id)
        await self.db.execute(
            "UPDATE guild_settings SET organiser_role_id = ?, updated_at = ? WHERE guild_id = ?",
            (role_id, to_timestamp(self.clock.now()), guild_id),
        )
        return await self._written(guild_id)

    async def set_timezone(self, guild_id: int, name: str) -> GuildConfig:
        try:
            timezone = validate_timezone(name)
        except ValueError:
            raise UserError(
                "I don't know the timezone `{name}`. Use an IANA name such as `Europe/London`, "
                "`Europe/Dublin` or `Asia/Kolkata`.",
                name=name[:60],
            ) from None
        await self._ensure_row(guild_id)
        await self.db.execute(
            "UPDATE guild_settings SET timezone = ?, updated_at = ? WHERE guild_id = ?",
            (timezone, to_timestamp(self.clock.now()), guild_id),
        )
        return await self._written(guild_id)

    async def set_channel(self, guild_id: int, purpose: str, channel_id: int | None) -> GuildConfig:
        if purpose not in CHANNEL_PURPOSES:
            raise UserError(
                "`{purpose}` is not a channel purpose. Choose one of: {purposes}.",
                purpose=purpose[:40],
                purposes=", ".join(CHANNEL_PURPOSES),
            )
        await self._ensure_row(guild_id)
        async with self.db.transaction() as tx:
            if channel_id is None:
                await tx.execute(
                    "DELETE FROM guild_channels WHERE guild_id = ? AND purpose = ?", (guild_id, purpose)
                )
            else:
                await tx.execute(
                    "INSERT INTO guild_channels (guild_id, purpose, channel_id) VALUES (?, ?, ?)"
                    " ON CONFLICT (guild_id, purpose) DO UPDATE SET channel_id = excluded.channel_id",
                    (guild_id, purpose, channel_id),
                )
            await tx.execute(
                "UPDATE guild_settings SET updated_at = ? WHERE guild_id = ?",
                (to_timestamp(self.clock.now()), guild_id),
            )
        return await self._written(guild_id)

    async def get_meta(self, key: str) -> str | None:
        value = await self.db.fetchval("SELECT value FROM bot_meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO bot_meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
