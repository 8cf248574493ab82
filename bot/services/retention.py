"""Retention: remove personal data once its period in the data inventory has passed.

Each :class:`bot.privacy.Personal` entry with ``retention_days`` and ``purge`` SQL is enforced
here; the bot runs :meth:`RetentionService.purge` shortly after start-up and then daily. Purging
is idempotent, so a restart never loses a run that matters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from bot.clock import Clock, to_timestamp
from bot.db import Database
from bot.privacy import PERSONAL, Personal

log = logging.getLogger(__name__)


class RetentionService:
    def __init__(self, db: Database, clock: Clock, items: Sequence[Personal] = PERSONAL) -> None:
        self.db = db
        self.clock = clock
        self.items = [item for item in items if item.retention_days is not None and item.purge]

    async def purge(self) -> dict[str, int]:
        """Apply every retention rule; returns how many rows each removed or cleared."""
        now = self.clock.now()
        removed: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for item in self.items:
                assert item.retention_days is not None and item.purge is not None
                cutoff = to_timestamp(now - timedelta(days=item.retention_days))
                result = await tx.execute(item.purge, {"cutoff": cutoff})
                removed[f"{item.table}.{item.column}"] = max(result.rowcount, 0)
        if any(removed.values()):
            log.info("Retention removed %d items past their period", sum(removed.values()))
        return removed
