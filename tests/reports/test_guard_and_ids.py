"""The restructured reports feature: every error goes through the one guard, the custom ids of
buttons already posted keep working, and retention keeps the local wall-clock time across the
clock changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
import simcord

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import UserError
from bot.services.recurrence import to_local
from bot.services.reports import ReportService
from tests.conftest import advance_to
from tests.reports.conftest import ReportsWorld
from tests.reports.test_reports_e2e import code_of, file_report, texts

ERROR = re.compile(r"Something went wrong.*\(error ([0-9A-F]{6})\)", re.S)


def _raise(error: BaseException) -> Any:
    def broken(*args: object, **kwargs: object) -> Any:
        raise error

    return broken


async def press_continue_with_a_broken_limiter(
    rw: ReportsWorld, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> tuple[simcord.InteractionResult, simcord.InteractionResult]:
    """The explanation, then "Continue" while the rate limiter (a service object) raises ``error``."""
    intro = await rw.student.slash(rw.general, "report new")
    monkeypatch.setattr(rw.bot.get_cog("Reports").rate, "retry_after", _raise(error))
    return intro, await rw.student.click(intro.response.message, label="Continue to the form")


async def test_an_unexpected_error_in_a_report_button_gets_a_private_error_code(
    rw: ReportsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = await press_continue_with_a_broken_limiter(rw, monkeypatch, RuntimeError("the limiter broke"))

    assert result.modal is None
    assert result.ephemeral
    assert ERROR.search(texts(result)), texts(result)
    assert "the limiter broke" not in texts(result)
    assert rw.env.errors == []  # handled by the guard, not discord.py's "interaction failed"


async def test_a_user_error_in_a_report_button_gets_the_kind_message(
    rw: ReportsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    intro, result = await press_continue_with_a_broken_limiter(
        rw, monkeypatch, UserError("Please wait a little.")
    )

    assert result.ephemeral and texts(result).strip() == "Please wait a little."
    assert not ERROR.search(texts(result))
    monkeypatch.undo()
    # And the real one: the limit reached while the explanation was open.
    for n in range(3):
        await file_report(rw, rw.student, f"Report {n}.", reply=False)
    refused = await rw.student.click(intro.response.message, label="Continue to the form")
    assert refused.ephemeral and refused.modal is None
    assert "3 reports in the last hour" in texts(refused) and "999" in texts(refused)
    assert rw.env.errors == []


async def test_an_unexpected_error_in_a_report_form_gets_a_private_error_code(
    rw: ReportsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = await rw.student.slash(rw.general, "report check")
    cog = rw.bot.get_cog("Reports")
    monkeypatch.setattr(cog.service, "open_with_code", _raise(RuntimeError("disk gone")))

    result = await rw.student.submit_modal(shown, {"report:code": "ABCD"})

    assert result.ephemeral and ERROR.search(texts(result)), texts(result)
    assert rw.env.errors == []


async def test_buttons_posted_with_the_old_custom_ids_still_work(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Posted before the restructure."))
    opened = await rw.student.slash(rw.general, "report check", code=code)
    tag = opened.response.components[0]["components"][0]["custom_id"].rsplit(":", 1)[1]
    case_id = await rw.bot.db.fetchval("SELECT id FROM report_cases WHERE number = 1")

    # A message laid out as before, with the literal custom ids of the old module.
    view = discord.ui.View(timeout=None)
    for custom_id in ("report:begin", "report:support", f"report:answer:{case_id}:{tag}"):
        view.add_item(discord.ui.Button(label=custom_id, custom_id=custom_id))
    view.stop()
    channel = rw.bot.get_channel(rw.general.id)
    assert isinstance(channel, discord.TextChannel)
    old = await channel.send("Posted long ago", view=view)
    await rw.env.settle()

    begun = await rw.student.click(old, custom_id="report:begin")
    assert begun.modal is not None
    sent = await rw.student.submit_modal(
        begun, {"report:what": "From an old button.", "report:where": ["online"], "report:wish": ["record"]}
    )
    assert "case 2" in texts(sent)

    support = await rw.student.click(old, custom_id="report:support")
    assert support.ephemeral and "999" in texts(support)

    answer = await rw.student.click(old, custom_id=f"report:answer:{case_id}:{tag}")
    assert answer.modal is not None
    answered = await rw.student.submit_modal(answer, {"report:answer-text": "Through the old button."})
    assert "added to case 1" in texts(answered)
    assert rw.env.errors == []


# -- retention across the clock changes ------------------------------------------------------

LONDON = "Europe/London"


@pytest.mark.parametrize(
    "closed_at",
    [
        datetime(2026, 10, 20, 9, 0, tzinfo=UTC),  # 10:00 BST; deleted after Sun 25 Oct 2026
        datetime(2027, 3, 10, 10, 0, tzinfo=UTC),  # 10:00 GMT; deleted after Sun 28 Mar 2027
    ],
)
async def test_retention_keeps_the_local_time_across_the_clock_change(
    db: Database, closed_at: datetime
) -> None:
    clock = ManualClock(closed_at)
    service = ReportService(db, clock, b"k" * 32)
    await service.update_settings(1, retention_months=1)
    await service.create_case(
        1,
        timezone=LONDON,
        setting="online",
        body="Across the clock change.",
        happened_when=None,
        characteristic=None,
        wants_reply=False,
    )
    closed = await service.close(1, 1, "Done", timezone=LONDON)

    assert closed.delete_at is not None
    before, after = to_local(closed_at, LONDON), to_local(closed.delete_at, LONDON)
    assert after.time() == before.time() == datetime(2000, 1, 1, 10, 0).time()
    assert (after.year, after.month, after.day) == (before.year, before.month + 1, before.day)
    days = timedelta(days=(after.date() - before.date()).days)
    assert abs(closed.delete_at - closed_at - days) == timedelta(hours=1)  # the clock change

    # The deletion job runs at that local time, not an hour early or late.
    clock.set(closed.delete_at - timedelta(seconds=1))
    assert not await service.is_due(closed.id)
    assert await service.purge(closed.id) is None
    clock.set(closed.delete_at)
    assert await service.is_due(closed.id)
    assert await service.purge(closed.id) is not None


async def test_retention_job_in_the_bot_deletes_at_the_local_time_after_october(
    rw: ReportsWorld,
) -> None:
    # Monday 5 October 2026, 10:00 in London (BST); the case is deleted after Sunday 25 October.
    await advance_to(rw.env, datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    await rw.admin.slash(rw.general, "cases settings", retention_months=1)
    await file_report(rw, rw.student, "Closed before the clocks go back.", reply=False)
    start = rw.env.now()
    await rw.organiser.slash(rw.general, "cases close", case=1, outcome="Handled.")
    delete_at = await rw.bot.db.fetchval("SELECT delete_at FROM report_cases WHERE number = 1")
    when = datetime.fromtimestamp(delete_at, UTC)
    assert to_local(when, LONDON).time() == to_local(start, LONDON).time()
    assert when - start == timedelta(days=31, hours=1)  # 5 Oct BST -> 5 Nov GMT

    await advance_to(rw.env, when - timedelta(minutes=1))
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 1
    await rw.env.advance_time(120)
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 0
    assert rw.env.errors == []
