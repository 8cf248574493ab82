"""The reports service against real SQLite: anonymity, codes, the conversation, retention, the rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.services.reports import (
    BODY_MAX,
    WRONG_CODE,
    ReportRateLimiter,
    ReportService,
    new_code,
    normalise_code,
)
from tests.conftest import count_trips

GUILD = 111
OTHER_GUILD = 222
KEY = b"k" * 32
LONDON = "Europe/London"


@pytest.fixture
def clock() -> ManualClock:
    # 23:30 UTC on 31 Oct is 31 Oct in London (GMT) but 1 Nov in Kolkata: the day is the server's.
    return ManualClock(datetime(2026, 10, 31, 23, 30, tzinfo=UTC))


@pytest.fixture
def service(db: Database, clock: ManualClock) -> ReportService:
    return ReportService(db, clock, KEY)


async def _report(service: ReportService, *, wants_reply: bool = True, guild: int = GUILD, **kw: object):
    fields: dict[str, object] = {
        "timezone": "Europe/London",
        "setting": "placement",
        "body": "A consultant mocked my accent on the ward round.",
        "happened_when": "last Tuesday",
        "characteristic": "race",
        "wants_reply": wants_reply,
    }
    fields.update(kw)
    return await service.create_case(guild, **fields)  # type: ignore[arg-type]


async def test_codes_have_at_least_128_bits_and_tolerate_how_people_type_them() -> None:
    code = new_code()
    raw = normalise_code(code)
    assert len(raw) * 5 >= 128
    assert normalise_code(code.lower().replace("-", " ")) == raw
    assert len({new_code() for _ in range(200)}) == 200
    assert normalise_code("not a code") == ""
    assert normalise_code("0" * 16 + "1" * 8 + "8" * 8) == "O" * 16 + "I" * 8 + "B" * 8  # look-alikes


async def test_a_case_keeps_only_the_day_and_a_hash_of_the_code(service: ReportService, db: Database) -> None:
    created = await _report(service)
    assert created.code is not None
    assert created.case.number == 1
    assert created.case.reported_on == "2026-10-31"
    row = await db.fetchone("SELECT * FROM report_cases WHERE id = ?", (created.case.id,))
    assert row is not None
    stored = " ".join(str(row[k]) for k in row.keys())  # noqa: SIM118 (sqlite3.Row iterates values)
    assert created.code not in stored and normalise_code(created.code) not in stored
    assert len(row["code_hash"]) == 64

    later = await _report(service, timezone="Asia/Kolkata")
    assert later.case.reported_on == "2026-11-01"  # the server's day, not the UTC one
    assert later.case.number == 2


async def test_record_only_reports_get_no_code_and_cannot_be_replied_to(service: ReportService) -> None:
    created = await _report(service, wants_reply=False, characteristic=None, happened_when="  ")
    assert created.code is None
    assert created.case.happened_when is None and created.case.characteristic is None
    with pytest.raises(UserError, match="recorded only"):
        await service.reply(GUILD, created.case.number, "Thanks", timezone="Europe/London")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "   "}, "empty"),
        ({"body": "x" * (BODY_MAX + 1)}, "limit"),
        ({"happened_when": "y" * 101}, "Roughly when"),
        ({"setting": "moon"}, "where"),
        ({"characteristic": "star sign"}, "characteristic"),
    ],
)
async def test_bad_input_is_refused_and_saves_nothing(
    service: ReportService, db: Database, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        await _report(service, **changes)
    assert await db.fetchval("SELECT COUNT(*) FROM report_cases") == 0


async def test_reply_and_answer_round_trip_by_code(service: ReportService, clock: ManualClock) -> None:
    created = await _report(service)
    assert created.code is not None
    await service.reply(GUILD, 1, "Thank you for telling us. Shall we meet?", timezone="Europe/London")
    clock.advance(timedelta(days=2))

    thread = await service.open_with_code(GUILD, created.code.lower())
    assert thread.case.id == created.case.id
    assert [(m.author, m.body) for m in thread.messages] == [
        ("staff", "Thank you for telling us. Shall we meet?")
    ]
    assert thread.answer_tag is not None
    await service.answer(GUILD, thread.case.id, thread.answer_tag, "Yes, online.", timezone="Europe/London")

    staff_view = await service.get_case(GUILD, 1)
    assert [(m.author, m.written_on) for m in staff_view.messages] == [
        ("staff", "2026-10-31"),
        ("reporter", "2026-11-02"),
    ]
    summaries = await service.list_cases(GUILD)
    assert summaries[0].awaiting_staff and summaries[0].message_count == 2


async def test_opening_a_case_by_code_is_one_trip_whether_the_code_is_right_or_wrong(
    service: ReportService,
) -> None:
    created = await _report(service)
    assert created.code is not None
    await service.reply(GUILD, 1, "First.", timezone=LONDON)
    await service.reply(GUILD, 1, "Second.", timezone=LONDON)
    other = await _report(service)  # another case's messages stay out of this one
    await service.reply(GUILD, other.case.number, "Not yours.", timezone=LONDON)

    shown: list[list[str]] = []

    async def open_it(code: str) -> None:
        try:
            shown.append([m.body for m in (await service.open_with_code(GUILD, code)).messages])
        except UserError as refused:
            shown.append([refused.message])

    assert await count_trips(open_it(created.code)) == 1
    assert await count_trips(open_it(new_code())) == 1
    assert shown == [["First.", "Second."], [WRONG_CODE]]


async def test_wrong_codes_all_get_the_same_answer(service: ReportService) -> None:
    created = await _report(service)
    assert created.code is not None
    other = new_code()
    for attempt in (other, "garbage", created.code[:-1] + ("A" if created.code[-1] != "A" else "B")):
        with pytest.raises(UserError) as caught:
            await service.open_with_code(GUILD, attempt)
        assert caught.value.message == WRONG_CODE
    # A real code on another server opens nothing there.
    with pytest.raises(UserError) as caught:
        await service.open_with_code(OTHER_GUILD, created.code)
    assert caught.value.message == WRONG_CODE


async def test_an_answer_needs_the_tag_from_opening_with_the_code(service: ReportService) -> None:
    created = await _report(service)
    with pytest.raises(UserError) as caught:
        await service.answer(GUILD, created.case.id, "0" * 32, "forged", timezone="Europe/London")
    assert caught.value.message == WRONG_CODE
    assert (await service.get_case(GUILD, 1)).messages == []


async def test_a_closed_case_refuses_replies_and_answers_kindly(service: ReportService) -> None:
    created = await _report(service)
    assert created.code is not None
    thread = await service.open_with_code(GUILD, created.code)
    closed = await service.close(GUILD, 1, "We spoke to the placement lead.", timezone=LONDON)
    assert closed.delete_at == datetime(2027, 10, 31, 23, 30, tzinfo=UTC)  # 12 months by default

    with pytest.raises(UserError, match="closed"):
        await service.reply(GUILD, 1, "One more thing", timezone="Europe/London")
    assert thread.answer_tag is not None
    with pytest.raises(UserError, match=r"has been closed.*`/report new`"):
        await service.answer(GUILD, closed.id, thread.answer_tag, "Thanks", timezone="Europe/London")
    with pytest.raises(UserError, match="already closed"):
        await service.close(GUILD, 1, "again", timezone=LONDON)
    # The reporter can still read the outcome.
    reread = await service.open_with_code(GUILD, created.code)
    assert reread.case.outcome == "We spoke to the placement lead."
    with pytest.raises(NotFound):
        await service.close(GUILD, 99, "nothing", timezone=LONDON)


async def test_retention_deletes_a_closed_case_only_when_due(
    service: ReportService, db: Database, clock: ManualClock
) -> None:
    await service.update_settings(GUILD, retention_months=3)
    created = await _report(service)
    assert created.code is not None
    await service.reply(GUILD, 1, "Hello", timezone="Europe/London")
    await service.add_post(created.case.id, 555, 666)
    # The period told to the reporter sticks, even if the server changes it later.
    await service.update_settings(GUILD, retention_months=24)
    closed = await service.close(GUILD, 1, "Done", timezone=LONDON)
    assert closed.delete_at == clock.now() + timedelta(days=92)  # 31 Oct + 3 months = 31 Jan
    assert await service.due_deletions() == [(closed.id, closed.delete_at)]

    clock.set(closed.delete_at - timedelta(seconds=1))
    assert await service.purge(closed.id) is None
    clock.set(closed.delete_at)
    purged = await service.purge(closed.id)
    assert purged is not None and purged.posts == [(555, 666)]
    for table in ("report_cases", "report_messages", "report_posts"):
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table}") == 0
    with pytest.raises(UserError) as caught:  # an expired code is answered like a wrong one
        await service.open_with_code(GUILD, created.code)
    assert caught.value.message == WRONG_CODE
    # Numbers are never reused.
    assert (await _report(service)).case.number == 2


async def test_settings_validate_the_reporting_page(service: ReportService) -> None:
    assert (await service.get_settings(GUILD)).retention_months == 12
    with pytest.raises(UserError, match="https://"):
        await service.update_settings(GUILD, reporting_url="javascript:alert(1)")
    with pytest.raises(UserError, match="between"):
        await service.update_settings(GUILD, retention_months=0)
    saved = await service.update_settings(GUILD, reporting_url="https://report.example.ac.uk/")
    assert saved.reporting_url == "https://report.example.ac.uk/"
    cleared = await service.update_settings(GUILD, clear_url=True)
    assert cleared.reporting_url is None


async def test_no_column_anywhere_can_hold_a_member(db: Database) -> None:
    """The schema itself: no column named like a member, user or author id."""
    tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in (t for t in tables if t.startswith("report_")):
        columns = [r["name"] for r in await db.fetchall(f"PRAGMA table_info({table})")]
        assert not [c for c in columns if any(w in c for w in ("member", "user", "reporter"))], table


async def test_privacy_hooks_have_nothing_to_export_or_forget(service: ReportService) -> None:
    await _report(service)
    assert await service.export_member(42) == {}
    assert await service.forget_member(42) == {}
    assert len(await service.list_cases(GUILD)) == 1  # and nothing was erased


def test_rate_limit_holds_then_forgets(clock: ManualClock) -> None:
    limiter = ReportRateLimiter(clock, KEY, limit=3, window=3600)
    for _ in range(3):
        assert limiter.acquire(GUILD, 7) == 0
    wait = limiter.acquire(GUILD, 7)
    assert 3599 <= wait <= 3600
    assert limiter.acquire(GUILD, 8) == 0  # someone else is not affected
    assert all(len(k) == 64 and k != "7" for k in limiter._hits)  # keyed by a hash, not the id
    clock.advance(3600)
    assert limiter.tracked == 0  # everything expired and was dropped
    assert limiter.acquire(GUILD, 7) == 0


def test_rate_limit_release_gives_back_a_failed_report(clock: ManualClock) -> None:
    limiter = ReportRateLimiter(clock, KEY, limit=1, window=3600)
    assert limiter.acquire(GUILD, 7) == 0
    limiter.release(GUILD, 7)
    assert limiter.acquire(GUILD, 7) == 0


def test_very_long_conversations_are_paged_within_discord_limits() -> None:
    from bot.services.reports import Case, CaseMessage, CaseThread
    from cogs.reports.render import MAX_PAGES, thread_pages

    case = Case(
        1, GUILD, 1, "2026-10-31", "online", None, None, True, "b" * BODY_MAX, 12, "open", None, None, None
    )
    messages = [
        CaseMessage("staff" if n % 2 else "reporter", f"{n} " + "m" * 1790, "2026-11-01") for n in range(40)
    ]
    pages = thread_pages(CaseThread(case, messages), for_staff=True)
    assert len(pages) == MAX_PAGES
    for page in pages:
        assert len(page) <= 10 and sum(len(e) for e in page) <= 6000
    shown = [e.description or "" for page in pages[1:] for e in page]
    assert shown[-1].startswith("39 ")  # the latest message is kept
    hidden = 40 - len(shown)
    assert f"{hidden} earlier message(s) not shown" in (pages[0][0].footer.text or "")
    assert "Anonymous" in (pages[0][0].footer.text or "")


async def test_concurrent_reports_get_distinct_consecutive_numbers(service: ReportService) -> None:
    import asyncio

    created = await asyncio.gather(*(_report(service, body=f"Report {n}") for n in range(20)))
    assert sorted(c.case.number for c in created) == list(range(1, 21))
    assert len({c.code for c in created}) == 20
