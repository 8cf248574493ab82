"""The outbox's storage against real SQLite: promises made with the change, kept until ended."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.outbox import BACKOFF_CAP, OutboxService, backoff, enqueue
from bot.services.retention import RetentionService

GUILD = 1000


@pytest.fixture
def outbox(db: Database, clock: ManualClock) -> OutboxService:
    return OutboxService(db, clock)


async def test_a_promise_is_written_in_the_callers_transaction_or_not_at_all(
    db: Database, clock: ManualClock, outbox: OutboxService
) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO bot_meta (key, value) VALUES ('state', 'changed')")
            await enqueue(tx, clock.now(), guild_id=GUILD, key="k", topic="t", recipient_id=7)
            raise RuntimeError("the state change failed")
    assert await outbox.due() == []
    assert await db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key = 'state'") == 0

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO bot_meta (key, value) VALUES ('state', 'changed')")
        assert await enqueue(tx, clock.now(), guild_id=GUILD, key="k", topic="t", recipient_id=7)
    [item] = await outbox.due()
    assert (item.recipient_id, item.topic, item.status) == (7, "t", "pending")


async def test_the_same_promise_is_owed_once_per_recipient(outbox: OutboxService) -> None:
    assert await outbox.enqueue(guild_id=GUILD, key="reminder:1", topic="t", recipient_id=7)
    assert not await outbox.enqueue(guild_id=GUILD, key="reminder:1", topic="t", recipient_id=7)
    assert await outbox.enqueue(guild_id=GUILD, key="reminder:1", topic="t", recipient_id=8)
    assert len(await outbox.due()) == 2
    with pytest.raises(ValueError):
        await outbox.enqueue(guild_id=GUILD, key="x", topic="t", recipient_id=7, channel_id=9)


async def test_items_fall_due_in_order_and_not_before_their_time(
    outbox: OutboxService, clock: ManualClock
) -> None:
    later = clock.now() + timedelta(hours=1)
    await outbox.enqueue(guild_id=GUILD, key="later", topic="t", channel_id=5, not_before=later)
    await outbox.enqueue(guild_id=GUILD, key="now", topic="t", channel_id=5)
    assert [i.key for i in await outbox.due()] == ["now"]
    assert await outbox.next_due_at() == clock.now()
    clock.advance(timedelta(hours=1))
    assert [i.key for i in await outbox.due()] == ["now", "later"]
    assert await outbox.due(topics=frozenset({"other"})) == []


async def test_an_interrupted_send_is_still_owed_and_an_ended_one_is_not(outbox: OutboxService) -> None:
    await outbox.enqueue(guild_id=GUILD, key="a", topic="t", recipient_id=7)
    [item] = await outbox.due()
    await outbox.begin(item.item_id)  # the process dies here, before delivered()
    [again] = await outbox.due()
    assert (again.status, again.attempts) == ("sending", 1)
    await outbox.delivered(item.item_id, 555)
    assert await outbox.due() == []
    ended = await outbox.get(item.item_id)
    assert ended is not None and ended.status == "delivered" and ended.message_id == 555
    assert ended.recipient_id is None  # the member id is not kept past the promise


async def test_a_retry_waits_and_a_permanent_failure_is_recorded(
    outbox: OutboxService, clock: ManualClock
) -> None:
    await outbox.enqueue(guild_id=GUILD, key="a", topic="t", recipient_id=7)
    [item] = await outbox.due()
    await outbox.retry(item.item_id, after=30, reason="discord 503")
    assert await outbox.due() == []
    clock.advance(timedelta(seconds=30))
    [again] = await outbox.due()
    await outbox.failed(again.item_id, "dms-closed")
    assert await outbox.outcomes(["a@7"]) == {"a@7": ("failed", "dms-closed")}


def test_backoff_grows_is_capped_and_jittered() -> None:
    rng = random.Random(4)
    waits = [backoff(n, rng) for n in range(1, 20)]
    assert waits[0] < 6 and waits[3] > waits[0]
    assert max(waits) <= BACKOFF_CAP
    assert len({round(w, 3) for w in waits[-5:]}) > 1  # jitter: no thundering herd


async def test_privacy_my_data_forget_me_and_retention(
    db: Database, clock: ManualClock, outbox: OutboxService
) -> None:
    await outbox.enqueue(guild_id=GUILD, key="owed", topic="events.reminder", recipient_id=7)
    await outbox.enqueue(guild_id=GUILD, key="sent", topic="events.reminder", recipient_id=7)
    await outbox.enqueue(guild_id=GUILD, key="other", topic="events.reminder", recipient_id=8)
    sent = await outbox.by_key("sent", 7)
    assert sent is not None
    await outbox.delivered(sent.item_id)
    assert [e["status"] for e in await outbox.export_member(7)] == ["pending", "delivered"]

    assert await outbox.forget_member(7) == 2
    rows = await db.fetchall("SELECT item_key, recipient_id FROM outbox")
    assert all("7" not in str(row["recipient_id"]) and not row["item_key"].endswith("@7") for row in rows)

    other = await outbox.by_key("other", 8)
    assert other is not None
    await outbox.delivered(other.item_id)
    clock.advance(timedelta(days=8))
    await RetentionService(db, clock).purge()
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 0


async def test_items_no_loaded_feature_delivers_never_crowd_out_the_rest(outbox: OutboxService) -> None:
    for n in range(100):
        await outbox.enqueue(guild_id=GUILD, key=f"orphan:{n}", topic="unloaded", channel_id=5)
    await outbox.enqueue(guild_id=GUILD, key="mine", topic="loaded", channel_id=5)
    assert [i.key for i in await outbox.due(20, topics=frozenset({"loaded"}))] == ["mine"]
    assert await outbox.next_due_at(topics=frozenset({"loaded"})) is not None
    assert await outbox.next_due_at(topics=frozenset({"nothing"})) is None
