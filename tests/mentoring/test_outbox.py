"""Mentoring's messages through the outbox: introductions and check-ins survive Discord failing
and a crash mid-send; the promises are written with the pairing (or not at all)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord

from bot.clock import ManualClock
from bot.db import Database
from bot.services.mentoring import MentoringService
from tests.conftest import BotFactory, World
from tests.mentoring.test_mentoring_e2e import TWO_WEEKS, dms, message_text
from tests.outbox.helpers import crash_on, crashed

GUILD = 1000


async def dm_path(world: World, member: simcord.MemberActor) -> str:
    channel = await world.bot.create_dm(discord.Object(id=member.id))
    return f"/channels/{channel.id}/messages"


async def pair(world: World, mentor: simcord.MemberActor) -> None:
    """A pairing made by the bot's own scheduled run (the bot's world, on the virtual clock)."""
    cog: Any = world.bot.get_cog("Mentoring")
    await cog.service.request(
        world.guild.id, world.student.id, year=1, experiences=[], require_shared=False, help_with=""
    )
    await cog.service.offer(world.guild.id, mentor.id, year=3, experiences=[], capacity=1, hello="")
    await world.admin.slash(world.general, "mentor schedule", frequency="daily", time="09:00")
    await world.env.advance_time(24 * 60 * 60)


@pytest.fixture
def mentor(world: World) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user("maya_mentor"))


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_introductions_and_check_ins_arrive_once_after_discord_fails_for_a_while(
    world: World, mentor: simcord.MemberActor, status: int
) -> None:
    world.env.inject_error("POST", await dm_path(world, world.student), status=status, times=6)
    await pair(world, mentor)
    await world.env.advance_time(3 * 3600)
    assert len(dms(world.student)) == 1 and mentor.mention in message_text(dms(world.student)[0])
    assert len(dms(mentor)) == 1

    world.env.inject_error("POST", await dm_path(world, mentor), status=status, times=6)
    await world.env.advance_time(TWO_WEEKS)
    for member in (world.student, mentor):
        assert [("check-in" in message_text(m)) for m in dms(member)] == [False, True]


async def test_closed_dms_are_not_retried_and_the_partner_is_still_introduced(
    world: World, mentor: simcord.MemberActor
) -> None:
    path = await dm_path(world, world.student)
    world.env.inject_error("POST", path, status=403, code=50007, times=None)
    await pair(world, mentor)
    await world.env.advance_time(3600)
    assert len(dms(mentor)) == 1
    assert len([r for r in world.env.http_requests if r.method == "POST" and r.path == path]) == 1


async def test_a_crash_in_the_middle_of_introducing_loses_no_one_and_repeats_at_most_one(
    world: World, mentor: simcord.MemberActor, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = world.bot.outbox.service
    real_delivered = service.delivered
    # Discord accepted the first introduction; the bot died before recording it.
    crash_on(monkeypatch, service, "delivered")
    await pair(world, mentor)
    assert sum(len(dms(m)) for m in (world.student, mentor)) == 1
    assert crashed(world.env)
    monkeypatch.setattr(service, "delivered", real_delivered)

    await world.env.restart_bot(make_bot())
    await world.env.advance_time(60)
    counts = [len(dms(m)) for m in (world.student, mentor)]
    assert min(counts) == 1 and sum(counts) <= 3  # everyone introduced; one repeat at most


async def test_the_pairing_and_its_promises_are_one_commit(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = MentoringService(db, clock, b"k" * 32)
    await service.offer(GUILD, 1, year=4, experiences=[], capacity=1, hello="")
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_promise_dm_intros", broken)
    with pytest.raises(RuntimeError):
        await service.run_matching(GUILD)
    assert await db.fetchval("SELECT COUNT(*) FROM mentoring_matches") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 0  # the check-ins rolled back too

    monkeypatch.undo()
    [made] = (await service.run_matching(GUILD)).new_matches
    keys = sorted(r["item_key"] for r in await db.fetchall("SELECT item_key FROM outbox"))
    assert keys == sorted(
        f"mentoring.{kind}:{made.id}@{member}" for kind in ("intro", "checkin") for member in (1, 9)
    )
    ended = await service.end_match(made.id, 9, "rematch")
    assert ended.match.ended_at is not None
    assert (
        await db.fetchval("SELECT COUNT(*) FROM outbox WHERE item_key = ?", (f"mentoring.ended:{made.id}@1",))
        == 1
    )
