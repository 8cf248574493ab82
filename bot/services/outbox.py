"""The outbox's storage: what the bot owes someone, written with the change that creates it.

A feature calls :func:`enqueue` with the open transaction of its own state change (an RSVP moved
up from the waiting list, a reminder falling due, a pulse run opening), so the promise and the
change are one commit: either both are on disk or neither is. :class:`OutboxService` is what the
sender (:mod:`bot.outbox`) uses to claim, confirm and retire items.

Semantics (see ``docs/outbox.md``):

* at least once: an item is marked ``sending`` (committed) before it is sent and ``delivered``
  after, so a crash in between resends it; the sender has one item in flight at a time, so a
  crash repeats at most one message;
* a post (a card) carries a ``marker``, a string the posted message's components contain; a
  post found ``sending`` after a crash is first looked for in the channel, so it is never posted
  twice;
* ``item_key`` is unique: enqueuing the same promise twice is a no-op.

No discord imports.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.services.rows import from_row, optional_time

Status = Literal["pending", "sending", "delivered", "failed", "dropped"]

#: Back-off for transient failures: 5 s, 10 s, 20 s … capped at 15 minutes, with jitter.
BACKOFF_BASE = 5.0
BACKOFF_CAP = 15 * 60.0
#: After this many attempts a transiently failing item is given up as failed.
MAX_ATTEMPTS = 12
# Ended items are deleted 7 days after they end by the retention job (bot/privacy.py).


@dataclass(frozen=True, slots=True)
class OutboxItem:
    item_id: int
    guild_id: int
    key: str
    topic: str
    recipient_id: int | None
    channel_id: int | None
    payload: dict[str, Any]
    marker: str | None
    status: Status
    attempts: int
    not_before: datetime
    not_after: datetime | None
    next_attempt_at: datetime
    outcome: str | None = None
    message_id: int | None = None

    @property
    def is_post(self) -> bool:
        return self.channel_id is not None


def _item(row: Any) -> OutboxItem:
    return from_row(
        OutboxItem,
        row,
        key=row["item_key"],
        payload=json.loads(row["payload"] or "{}"),
        not_before=from_timestamp(row["not_before"]),
        not_after=optional_time(row["not_after"]),
        next_attempt_at=from_timestamp(row["next_attempt_at"]),
    )


async def enqueue(
    tx: Tx,
    now: datetime,
    *,
    guild_id: int,
    key: str,
    topic: str,
    recipient_id: int | None = None,
    channel_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    marker: str | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> bool:
    """Record a promise inside the caller's transaction; False if the same key is already owed.

    Exactly one of ``recipient_id`` (a DM) and ``channel_id`` (a post) is given. ``payload`` is
    what the topic's renderer needs; it must not hold anything a pulse answer chose.
    """
    if (recipient_id is None) == (channel_id is None):
        raise ValueError("an outbox item is a DM (recipient_id) or a post (channel_id), not both")
    start = to_timestamp(not_before or now)
    result = await tx.execute(
        "INSERT OR IGNORE INTO outbox (guild_id, item_key, topic, recipient_id, channel_id, payload,"
        " marker, not_before, not_after, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            guild_id,
            stored_key(key, recipient_id),
            topic,
            recipient_id,
            channel_id,
            json.dumps(dict(payload or {}), separators=(",", ":"), sort_keys=True),
            marker,
            start,
            None if not_after is None else to_timestamp(not_after),
            start,
            to_timestamp(now),
        ),
    )
    return result.rowcount > 0


def _owed(topics: frozenset[str] | None) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause for items still owed, of these topics only when given.

    Filtered in SQL, not after a LIMIT: items of a topic no loaded feature delivers must never
    crowd out the ones that can be delivered.
    """
    if topics is None:
        return "status IN ('pending', 'sending')", ()
    ordered = tuple(sorted(topics))
    return f"status IN ('pending', 'sending') AND topic IN ({','.join('?' * len(ordered))})", ordered


def stored_key(key: str, recipient_id: int | None) -> str:
    """The key as stored: a DM's key ends with its recipient, so one promise per person."""
    return key if recipient_id is None else f"{key}@{recipient_id}"


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure: exponential, capped, full jitter on half."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * float(2 ** min(max(0, attempts - 1), 30)))
    jitter: float = (rng or random).uniform(0, ceiling / 2)
    return ceiling / 2 + jitter


class OutboxService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def enqueue(self, **kwargs: Any) -> bool:
        """:func:`enqueue` in a transaction of its own (for promises with no other state change)."""
        async with self.db.transaction() as tx:
            return await enqueue(tx, self.clock.now(), **kwargs)

    async def due(self, limit: int = 20, *, topics: frozenset[str] | None = None) -> list[OutboxItem]:
        """Items owed now (pending or interrupted), oldest first; only ``topics`` when given."""
        where, args = _owed(topics)
        rows = await self.db.fetchall(
            f"SELECT * FROM outbox WHERE {where} AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, item_id LIMIT ?",
            (*args, to_timestamp(self.clock.now()), limit),
        )
        return [_item(row) for row in rows]

    async def next_due_at(self, *, topics: frozenset[str] | None = None) -> datetime | None:
        """When the next owed item falls due (None when nothing is owed)."""
        where, args = _owed(topics)
        value = await self.db.fetchval(f"SELECT MIN(next_attempt_at) FROM outbox WHERE {where}", args)
        return optional_time(value)

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE item_id = ?", (item_id,))
        return None if row is None else _item(row)

    async def by_key(self, key: str, recipient_id: int | None = None) -> OutboxItem | None:
        row = await self.db.fetchone(
            "SELECT * FROM outbox WHERE item_key = ?", (stored_key(key, recipient_id),)
        )
        return None if row is None else _item(row)

    async def begin(self, item_id: int) -> None:
        """Committed before the send: a crash from here on resumes (or reconciles) the item."""
        await self.db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE item_id = ?", (item_id,)
        )

    async def delivered(self, item_id: int, message_id: int | None = None) -> None:
        await self._end(item_id, "delivered", "delivered", message_id)

    async def failed(self, item_id: int, reason: str) -> None:
        """A permanent failure (not retried), with the reason organisers or students are told."""
        await self._end(item_id, "failed", reason[:200], None)

    async def dropped(self, item_id: int, reason: str) -> None:
        """Too late to matter, or no longer needed: not sent, on purpose."""
        await self._end(item_id, "dropped", reason[:200], None)

    async def _end(self, item_id: int, status: Status, outcome: str, message_id: int | None) -> None:
        # The member id is kept no longer than the promise: cleared as the item ends.
        await self.db.execute(
            "UPDATE outbox SET status = ?, outcome = ?, message_id = ?, ended_at = ?, recipient_id = NULL"
            " WHERE item_id = ?",
            (status, outcome, message_id, to_timestamp(self.clock.now()), item_id),
        )

    async def retry(self, item_id: int, *, after: float, reason: str) -> datetime:
        """A transient failure: try again ``after`` seconds from now. Returns when."""
        when = self.clock.now() + timedelta(seconds=max(0.0, after))
        await self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, outcome = ? WHERE item_id = ?",
            (math.ceil(when.timestamp()), reason[:200], item_id),
        )
        return when

    async def outcomes(self, keys: list[str]) -> dict[str, tuple[Status, str | None]]:
        """Status and outcome of the items with these stored keys (see :func:`stored_key`)."""
        if not keys:
            return {}
        found: dict[str, tuple[Status, str | None]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT item_key, status, outcome FROM outbox WHERE item_key IN ({marks})", tuple(chunk)
            )
            found.update({row["item_key"]: (row["status"], row["outcome"]) for row in rows})
        return found

    # -- privacy and housekeeping ------------------------------------------------------------

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        """Messages still owed to this member (what /privacy my-data shows)."""
        rows = await self.db.fetchall(
            "SELECT topic, status, created_at FROM outbox WHERE recipient_id = ? OR item_key LIKE ?"
            " OR payload LIKE ? ORDER BY item_id",
            (member_id, f"%@{member_id}", f'%"by":{member_id}%'),
        )
        return [
            {
                "message": row["topic"],
                "status": row["status"],
                "queued_at": from_timestamp(row["created_at"]).isoformat(),
            }
            for row in rows
        ]

    async def forget_member(self, member_id: int) -> int:
        """Drop every message owed to this member, every trace of ones already sent, and every
        queued note that names them as the organiser who acted."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE recipient_id = ? OR item_key LIKE ? OR payload LIKE ?",
            (member_id, f"%@{member_id}", f'%"by":{member_id}%'),
        )

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: row["n"] for row in rows}
