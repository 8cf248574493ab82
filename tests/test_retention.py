"""Retention: personal data goes when its period in the inventory has passed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock, to_timestamp
from bot.db import Database
from bot.services.retention import RetentionService
from tests.conftest import World


async def test_rsvps_are_removed_30_days_after_the_event_and_not_before(tmp_path: Path) -> None:
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    await db.migrate()
    clock = ManualClock()
    now = to_timestamp(clock.now())
    try:
        async with db.transaction() as tx:
            for event_id, ended_days_ago in ((1, 31), (2, 29)):
                ends = now - ended_days_ago * 86400
                await tx.execute(
                    "INSERT INTO events (event_id, guild_id, kind, title, starts_at, ends_at, created_by, "
                    "created_at, updated_at) VALUES (?, 1, 'social', 'Board games', ?, ?, 77, ?, ?)",
                    (event_id, ends - 3600, ends, ends - 86400, ends - 86400),
                )
                await tx.execute(
                    "INSERT INTO event_rsvps (event_id, member_id, status, seq, updated_at) "
                    "VALUES (?, 42, 'going', 1, ?)",
                    (event_id, ends - 86400),
                )
        removed = await RetentionService(db, clock).purge()
        assert removed["event_rsvps.member_id"] == 1
        assert removed["events.created_by"] == 1
        rows = await db.fetchall("SELECT event_id FROM event_rsvps")
        assert [r["event_id"] for r in rows] == [2]
        creators = await db.fetchall("SELECT event_id, created_by FROM events ORDER BY event_id")
        assert [(r["event_id"], r["created_by"]) for r in creators] == [(1, None), (2, 77)]

        clock.advance(timedelta(days=2))
        assert (await RetentionService(db, clock).purge())["event_rsvps.member_id"] == 1
        assert await db.fetchall("SELECT * FROM event_rsvps") == []
    finally:
        await db.close()


async def test_replies_to_an_identity_communitys_event_go_a_day_after_it_ends(tmp_path: Path) -> None:
    """Who replied to an event in an identity community's channel shows who is in it: the database
    keeps that only until the day after the event (the waiting list and reminders needed it)."""
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    await db.migrate()
    clock = ManualClock()
    now = to_timestamp(clock.now())
    try:
        async with db.transaction() as tx:
            for community_id, kind, channel in ((1, "identity", 500), (2, "interest", 600)):
                await tx.execute(
                    "INSERT INTO communities (id, guild_id, name, slug, kind, description, channel_id,"
                    " created_at, updated_at) VALUES (?, 1, ?, ?, ?, 'x', ?, 0, 0)",
                    (community_id, kind, kind, kind, channel),
                )
            # Ended two days ago: in the identity community, the interest one, the whole server.
            ends = now - 2 * 86400
            for event_id, channel in ((1, 500), (2, 600), (3, None)):
                await tx.execute(
                    "INSERT INTO events (event_id, guild_id, kind, title, starts_at, ends_at, created_by,"
                    " community_channel_id, created_at, updated_at) VALUES (?, 1, 'social', 'Meet', ?, ?, 77,"
                    " ?, ?, ?)",
                    (event_id, ends - 3600, ends, channel, ends - 86400, ends - 86400),
                )
                await tx.execute(
                    "INSERT INTO event_rsvps (event_id, member_id, status, seq, updated_at)"
                    " VALUES (?, 42, 'going', 1, ?)",
                    (event_id, ends - 86400),
                )
            # One still to come in the identity community: its replies stay.
            await tx.execute(
                "INSERT INTO events (event_id, guild_id, kind, title, starts_at, ends_at, created_by,"
                " community_channel_id, created_at, updated_at) VALUES (4, 1, 'social', 'Next', ?, ?, 77,"
                " 500, ?, ?)",
                (now + 86400, now + 90000, now, now),
            )
            await tx.execute(
                "INSERT INTO event_rsvps (event_id, member_id, status, seq, updated_at)"
                " VALUES (4, 42, 'going', 1, ?)",
                (now,),
            )
        await RetentionService(db, clock).purge()
        assert [r[0] for r in await db.fetchall("SELECT event_id FROM event_rsvps ORDER BY event_id")] == [
            2,
            3,
            4,
        ]
        # 27 days on: the next identity event has been over for more than a day; the others keep
        # their 30 days.
        clock.advance(timedelta(days=27))
        await RetentionService(db, clock).purge()
        assert [r[0] for r in await db.fetchall("SELECT event_id FROM event_rsvps ORDER BY event_id")] == [
            2,
            3,
        ]
        clock.advance(timedelta(days=2))
        await RetentionService(db, clock).purge()
        assert await db.fetchall("SELECT event_id FROM event_rsvps") == []
    finally:
        await db.close()


async def test_the_bot_runs_retention_after_start_and_then_daily(world: World) -> None:
    runs: list[object] = []
    original = world.bot.retention.purge

    async def counting() -> dict[str, int]:
        runs.append(world.bot.clock.now())
        return await original()

    world.bot.retention.purge = counting  # type: ignore[method-assign]
    await world.env.advance_time(5 * 60)
    assert len(runs) == 1
    await world.env.advance_time(24 * 3600)
    assert len(runs) == 2
