"""What a service keeps in memory per server, shared by every service on one database.

A subclass of :class:`ServerCache` names one kind of thing kept (a server's settings, its signpost
directory); :meth:`ServerCache.shared` gives the one cache of that kind for a database, so every
service on it sees the others' writes. Each write invalidates the server's entry and bumps its
generation, and a value read from the database is kept only if no write came while it was being
read (:meth:`ServerCache.keep`), so a read that raced a write never brings old data back.
"""

from __future__ import annotations

import weakref
from typing import Any, Generic, Self, TypeVar

from bot.db import Database

T = TypeVar("T")

_shared: weakref.WeakKeyDictionary[Database, dict[type[Any], Any]] = weakref.WeakKeyDictionary()


class ServerCache(Generic[T]):
    """Values per server, and a generation per server so a read that raced a write is not kept."""

    def __init__(self) -> None:
        self.entries: dict[int, T] = {}
        self.generations: dict[int, int] = {}

    @classmethod
    def shared(cls, db: Database) -> Self:
        """The one cache of this kind for ``db``."""
        caches = _shared.setdefault(db, {})
        cache = caches.get(cls)
        if cache is None:
            cache = caches[cls] = cls()
        assert isinstance(cache, cls)
        return cache

    def generation(self, guild_id: int) -> int:
        """Take this before reading from the database, and give it to :meth:`keep` after."""
        return self.generations.get(guild_id, 0)

    def keep(self, guild_id: int, value: T, generation: int) -> None:
        """Keep what was read after :meth:`generation` gave ``generation``, unless a write came since."""
        if self.generation(guild_id) == generation:
            self.entries[guild_id] = value

    def invalidate(self, guild_id: int) -> None:
        """After a write: forget the server's entry, and make any read in flight not be kept."""
        self.entries.pop(guild_id, None)
        self.generations[guild_id] = self.generation(guild_id) + 1
