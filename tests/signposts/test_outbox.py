"""Scheduled directory posts through the outbox: Discord failing, a crash between the claim and
the post, a crash between posting and recording it, and the claim promising the post atomically."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import ManualClock, to_timestamp
from bot.db import Database
from bot.services.signposts import SignpostService
from tests.conftest import BotFactory, World, advance_to
from tests.outbox.helpers import crash_before_recording_posts, crash_on, restart_after_crash
from tests.signposts.test_e2e import _posts


async def schedule_board(world: World) -> Any:
    board = world.guild.create_text_channel("noticeboard")
    await world.admin.slash(world.general, "signposts schedule", channel=board, repeat="every Monday")
    return board


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_a_post_is_made_once_after_discord_fails_for_a_while(world: World, status: int) -> None:
    board = await schedule_board(world)
    world.env.inject_error("POST", f"/channels/{board.id}/messages", status=status, times=6)
    await advance_to(world.env, datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    [post] = _posts(board)
    assert [m.id for m in board.pinned_messages()] == [post.id]
    assert "Ref. S" in (post.embeds[-1].footer.text or "")
    await advance_to(world.env, datetime(2026, 1, 5, 23, 0, tzinfo=UTC))
    assert len(_posts(board)) == 1


async def test_a_crash_between_the_claim_and_the_post_no_longer_skips_it(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = await schedule_board(world)
    cog: Any = world.bot.get_cog("Signposts")
    # The process dies right after the claim committed, before anything was sent.
    crash_on(monkeypatch, world.bot.outbox, "kick")
    await advance_to(world.env, datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC))
    assert _posts(board) == []
    [schedule] = await cog.service.schedules(world.guild.id)
    assert schedule.last_run_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # claimed: moved on

    await world.env.restart_bot(make_bot())
    await world.env.advance_time(60)
    assert len(_posts(board)) == 1


async def test_a_crash_between_posting_and_recording_never_leaves_two_posts(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = await schedule_board(world)
    crash_before_recording_posts(monkeypatch, world.bot.get_cog("Signposts").jobs)  # type: ignore[union-attr]
    await advance_to(world.env, datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC))
    assert len(_posts(board)) == 1

    fresh = await restart_after_crash(world.env, make_bot)
    [post] = _posts(board)
    assert [m.id for m in board.pinned_messages()] == [post.id]  # adopted, then pinned and recorded
    [schedule] = await fresh.get_cog("Signposts").service.schedules(world.guild.id)  # type: ignore[union-attr]
    assert schedule.last_message_id == post.id


async def test_the_claim_promises_the_post_in_the_same_transaction(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SignpostService(db, clock)
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    schedule = await service.create_schedule(
        1, 5, category=None, repeat="every Monday", dates=None, time_of_day="09:00", timezone="UTC"
    )
    assert schedule.next_run_at is not None
    clock.set(schedule.next_run_at)
    assert await service.claim_run(schedule.id, schedule.next_run_at) is not None
    due = to_timestamp(schedule.next_run_at)
    rows = await db.fetchall("SELECT * FROM outbox")
    assert [(r["item_key"], r["channel_id"], r["marker"]) for r in rows] == [
        (f"signposts.post:{schedule.id}:{due}", 5, f"S{schedule.id}-{due}")
    ]

    # A claim whose promise can't be written is no claim: the schedule does not move on.
    import bot.services.signposts as module

    async def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "enqueue", broken)
    following = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    clock.set(following)
    with pytest.raises(RuntimeError):
        await service.claim_run(schedule.id, following)
    [still] = await service.schedules(1)
    assert still.next_run_at == following
