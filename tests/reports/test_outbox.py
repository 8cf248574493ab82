"""Staff-channel posts through the outbox: Discord failing, a crash between posting and saving,
and the promise written with the case (or not at all)."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.reports import ReportService, StaffPost
from tests.conftest import BotFactory
from tests.outbox.helpers import crash_before_recording_posts, restart_after_crash
from tests.reports.conftest import ReportsWorld
from tests.reports.test_reports_e2e import file_report


def posts(rw: ReportsWorld) -> list[discord.Message]:
    return [m for m in rw.reports.history(viewer=rw.organiser) if m.author.id == rw.bot.user.id]


async def wait_for_posts(rw: ReportsWorld, n: int, hours: int = 3) -> None:
    for _ in range(hours * 4):
        if len(posts(rw)) >= n:
            return
        await rw.env.advance_time(15 * 60)


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_a_new_report_reaches_staff_once_after_discord_fails_for_a_while(
    rw: ReportsWorld, status: int
) -> None:
    # 6 refusals: more than discord.py's own retries of a 500, so the outbox's back-off is what helps.
    rw.env.inject_error("POST", f"/channels/{rw.reports.id}/messages", status=status, times=6)
    done = await file_report(rw, rw.student, "Someone shouted at me on placement")
    assert "welfare team will find it" not in str(done.response.content)
    await wait_for_posts(rw, 1)
    [post] = posts(rw)
    assert "new anonymous report" in (post.embeds[0].title or "")
    assert str(rw.student.id) not in str(post.embeds[0].to_dict())  # never the reporter
    await rw.env.advance_time(3600)
    assert len(posts(rw)) == 1


async def test_a_channel_the_bot_cannot_post_in_alerts_organisers_once(rw: ReportsWorld) -> None:
    organisers = rw.guild.create_text_channel("organisers")
    await rw.admin.slash(rw.general, "setup channel", purpose="organisers", channel=organisers)
    rw.env.inject_error("POST", f"/channels/{rw.reports.id}/messages", status=403, code=50013, times=None)
    await file_report(rw, rw.student, "First thing that happened")
    await file_report(rw, rw.student, "Second thing that happened")
    await rw.env.advance_time(60)
    said = [m.content for m in organisers.history(viewer=rw.admin) if m.author.id == rw.bot.user.id]
    assert len(said) == 1 and "couldn't post report updates" in said[0]
    listed = await rw.organiser.slash(rw.general, "cases list")
    assert listed.ephemeral


async def test_a_crash_between_posting_and_saving_never_leaves_two_posts(
    rw: ReportsWorld, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_before_recording_posts(monkeypatch, rw.bot.get_cog("Reports").jobs)
    await file_report(rw, rw.student, "It happened in the library")
    await rw.env.advance_time(0)
    assert len(posts(rw)) == 1

    fresh = await restart_after_crash(rw.env, make_bot)
    [post] = posts(rw)
    fresh_cog: Any = fresh.get_cog("Reports")
    [case_id] = [r["id"] for r in await fresh.db.fetchall("SELECT id FROM report_cases")]
    assert await fresh_cog.service.posts_for(case_id) == [(rw.reports.id, post.id)]


async def test_the_promise_is_written_with_the_case_or_not_at_all(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReportService(db, clock, b"k" * 32)
    made = await service.create_case(
        1, timezone="UTC", setting="placement", body="x" * 20, happened_when=None,
        characteristic=None, wants_reply=True, staff=StaffPost(77),
    )  # fmt: skip
    rows = await db.fetchall("SELECT * FROM outbox")
    assert [(r["item_key"], r["channel_id"], r["recipient_id"]) for r in rows] == [
        (f"reports.staff:{made.case.id}:new:0", 77, None)
    ]
    assert "x" * 20 not in rows[0]["payload"]  # ids only, never the report's text

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_promise_staff_post", broken)
    with pytest.raises(RuntimeError):
        await service.create_case(
            1, timezone="UTC", setting="placement", body="y" * 20, happened_when=None,
            characteristic=None, wants_reply=True, staff=StaffPost(77),
        )  # fmt: skip
    assert await db.fetchval("SELECT COUNT(*) FROM report_cases") == 1  # the case rolled back too
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 1
