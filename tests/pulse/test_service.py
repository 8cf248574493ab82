"""Pulse checks at the service level, against a real SQLite file: the anonymity rules and races."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import UserError
from bot.secrets import keyed_hash
from bot.services.pulse import Pulse, PulseService, RunOpened
from bot.services.pulse_chart import trend_png
from bot.services.pulse_model import belonging_template, make_question, occurrences_rule, safe_partition
from bot.services.pulse_results import trend_csv
from bot.services.recurrence import next_occurrence
from tests.pulse.conftest import GUILD

MEMBERS = [900_000_000_000_000_000 + i for i in range(200)]


async def open_template_run(
    service: PulseService, clock: ManualClock, *, breakdown: int | None = None, audience: int | None = 100
) -> RunOpened:
    title, questions = belonging_template()
    start = clock.now().replace(tzinfo=None) + timedelta(hours=2)  # server time, two hours ahead
    pulse = await service.create(
        GUILD,
        title=title,
        questions=questions,
        channel_id=5,
        first_run_local=start,
        breakdown_channel_id=breakdown,
    )
    assert pulse.next_run_at is not None
    clock.set(pulse.next_run_at)
    opened = await service.open_run(pulse.pulse_id, audience_size=audience)
    assert isinstance(opened, RunOpened)
    return opened


async def close(service: PulseService, clock: ManualClock, opened: RunOpened) -> None:
    clock.set(opened.run.closes_at)
    assert await service.close_run(opened.run.run_id) is not None


async def weekly_pulse(service: PulseService, first_run_local: datetime) -> Pulse:
    question = make_question(1, "How are you?", "scale")
    return await service.create(
        GUILD,
        title="Weekly",
        questions=[question],
        channel_id=5,
        first_run_local=first_run_local,
        repeat="weekly",
    )


async def run_each_week(
    service: PulseService, clock: ManualClock, pulse: Pulse, until: datetime
) -> list[datetime]:
    """Open and close every run of ``pulse`` due before ``until``; when each opened (UTC)."""
    opened_at = []
    while pulse.next_run_at is not None and pulse.next_run_at < until:
        clock.set(pulse.next_run_at)
        opened = await service.open_run(pulse.pulse_id)
        assert isinstance(opened, RunOpened)
        opened_at.append(opened.run.opens_at)
        pulse = opened.pulse
        clock.set(opened.run.closes_at)
        await service.close_run(opened.run.run_id)
    return opened_at


def every_value(path: Path) -> list[tuple[str, str, object]]:
    """Every value in every column of every table of the database file."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = []
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                found.extend((table, column, value) for column, value in zip(columns, row, strict=True))
        return found
    finally:
        conn.close()


async def test_linkage_nothing_in_the_database_ties_a_member_to_an_answer(
    service: PulseService, clock: ManualClock, db: Database, key: bytes
) -> None:
    opened = await open_template_run(service, clock)
    run_id = opened.run.run_id
    answerers = MEMBERS[:20]
    for i, member in enumerate(answerers):
        clock.advance(37)
        await service.answer(run_id, member, [i % 6, i % 3, (i * 7) % 6])

    values = every_value(db.path)
    member_texts = {str(m) for m in answerers}
    unkeyed = set()
    for member in answerers:
        for parts in ((run_id, member), ("pulse-answered", run_id, member)):
            message = "\x1f".join(str(p) for p in parts).encode()
            unkeyed.add(hashlib.sha256(message).digest())
            unkeyed.add(hashlib.sha256(message).hexdigest())
    tokens = []
    for table, column, value in values:
        assert value not in answerers, (table, column)
        assert str(value) not in member_texts, (table, column)
        assert value not in unkeyed, (table, column)
        if table == "pulse_answered" and column == "token":
            tokens.append(value)
    # The "already answered" tokens are keyed hashes: recomputable only with the secret key. They
    # are written five at a time with the answers they came with: 15 stored, 5 still pooled.
    expected = {bytes.fromhex(keyed_hash(key, "pulse-answered", run_id, m)) for m in answerers}
    assert set(tokens) < expected and len(tokens) == 15
    # No column records when, or in what order, anyone answered.
    columns = {(t, c) for t, c, _ in values if t.startswith("pulse")}
    assert ("pulse_counts", "count") in columns
    assert not any(
        c in {"answered_at", "created_at", "seq", "member_id", "user_id"}
        for t, c in columns
        if t in {"pulse_counts", "pulse_answered"}
    )

    await close(service, clock, opened)
    await db.close()
    after = every_value(db.path)
    assert not [v for t, _c, v in after if t == "pulse_answered"]
    raw = db.path.read_bytes()
    wal = db.path.with_name(db.path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    # After close, not even the deleted tokens linger in the file's pages.
    assert not any(token in raw for token in expected)
    for member in answerers:
        assert member.to_bytes(8, "big", signed=True) not in raw


async def test_a_hundred_members_each_answering_ten_times_at_once_count_once(
    service: PulseService, clock: ManualClock
) -> None:
    opened = await open_template_run(service, clock)
    run_id = opened.run.run_id

    async def attempt(member: int) -> bool:
        try:
            await service.answer(run_id, member, [2, 1, 3])
        except UserError as error:
            assert "already answered" in error.message
            return False
        return True

    outcomes = await asyncio.gather(*(attempt(m) for m in MEMBERS[:100] for _ in range(10)))
    assert sum(outcomes) == 100
    await close(service, clock, opened)
    results = await service.results(GUILD, opened.pulse.pulse_id)
    assert results.run.answers == 100
    assert [q.options[c].count for q, c in zip(results.questions, [2, 1, 3], strict=True)] == [100, 100, 100]
    assert sum(o.count for q in results.questions for o in q.options) == 300


@pytest.mark.parametrize(("answers", "shown"), [(9, False), (10, True)])
async def test_results_need_the_minimum_number_of_answers(
    service: PulseService, clock: ManualClock, answers: int, shown: bool
) -> None:
    opened = await open_template_run(service, clock)
    for member in MEMBERS[:answers]:
        await service.answer(opened.run.run_id, member, [4, 1, 4])
    await close(service, clock, opened)
    results = await service.results(GUILD, opened.pulse.pulse_id)
    assert results.shown is shown
    if shown:
        first = results.questions[0]
        assert first.options[4].count == 10 and first.options[4].share == 1.0 and first.mean == 5.0
        assert results.run.audience_size == 100
    else:
        assert results.questions == []
        assert "not enough answers to show results safely" in (results.reason or "")


async def test_results_only_after_the_run_closes(service: PulseService, clock: ManualClock) -> None:
    opened = await open_template_run(service, clock)
    for member in MEMBERS[:12]:
        await service.answer(opened.run.run_id, member, [0, 0, 0])
    with pytest.raises(UserError, match="still open"):
        await service.results(GUILD, opened.pulse.pulse_id, run_number=1)


async def test_threshold_is_per_server_and_never_below_five(
    service: PulseService, clock: ManualClock
) -> None:
    with pytest.raises(UserError, match="at least 5"):
        await service.set_threshold(GUILD, 4)
    assert await service.threshold(GUILD) == 10
    assert await service.set_threshold(GUILD, 5) == 5
    assert await service.threshold(GUILD + 1) == 10
    opened = await open_template_run(service, clock)
    for member in MEMBERS[:5]:
        await service.answer(opened.run.run_id, member, [1, 1, 1])
    await close(service, clock, opened)
    assert (await service.results(GUILD, opened.pulse.pulse_id)).shown


async def test_a_breakdown_that_subtraction_would_reveal_is_withheld(
    service: PulseService, clock: ManualClock
) -> None:
    opened = await open_template_run(service, clock, breakdown=77)
    # 10 members of the community and 3 others: total 13. Showing the community's 10 would
    # reveal the other 3 by subtraction.
    for i, member in enumerate(MEMBERS[:13]):
        await service.answer(opened.run.run_id, member, [0 if i >= 10 else 4, 0, 4], in_group=i < 10)
    await close(service, clock, opened)
    results = await service.results(GUILD, opened.pulse.pulse_id)
    assert results.shown and results.run.answers == 13
    by_name = {g.name: g for g in results.groups}
    assert by_name["in"].answers is None and by_name["in"].questions == []
    assert "subtract" in (by_name["in"].withheld_reason or "")
    assert by_name["out"].answers is None


async def test_a_breakdown_with_two_safe_groups_is_shown(service: PulseService, clock: ManualClock) -> None:
    opened = await open_template_run(service, clock, breakdown=77)
    for i, member in enumerate(MEMBERS[:22]):
        await service.answer(opened.run.run_id, member, [0 if i < 10 else 4, 2, 4], in_group=i < 10)
    await close(service, clock, opened)
    results = await service.results(GUILD, opened.pulse.pulse_id)
    by_name = {g.name: g for g in results.groups}
    assert by_name["in"].answers == 10 and by_name["in"].questions[0].options[0].count == 10
    assert by_name["out"].answers == 12 and by_name["out"].questions[0].options[4].count == 12


def test_safe_partition_secondary_suppression() -> None:
    decision = safe_partition(40, {"a": 15, "b": 12, "c": 10, "d": 3}, 10)
    # d is small; c would give d away (40 - 15 - 12 - 10 = 3), so c goes too.
    assert decision.shown == frozenset({"a", "b"})
    assert set(decision.withheld) == {"c", "d"}
    assert safe_partition(9, {"a": 9}, 10).shown == frozenset()


async def test_struggling_and_content_answers(service: PulseService, clock: ManualClock) -> None:
    opened = await open_template_run(service, clock)
    content = await service.answer(opened.run.run_id, MEMBERS[0], [4, 1, 3])
    assert not content.concern
    low = await service.answer(opened.run.run_id, MEMBERS[1], [1, 1, 3])
    assert low.concern and low.needs == ("wellbeing",)
    discrimination = await service.answer(opened.run.run_id, MEMBERS[2], [2, 0, 2])
    assert discrimination.needs == ("discrimination",)
    prefer_not = await service.answer(opened.run.run_id, MEMBERS[3], [5, 2, 5])
    assert not prefer_not.concern


async def test_one_answer_per_run_and_none_after_close(service: PulseService, clock: ManualClock) -> None:
    opened = await open_template_run(service, clock)
    with pytest.raises(UserError, match="every question"):
        await service.answer(opened.run.run_id, MEMBERS[0], [1])
    with pytest.raises(UserError, match="couldn't read"):
        await service.answer(opened.run.run_id, MEMBERS[0], [1, 9, 1])
    await service.answer(opened.run.run_id, MEMBERS[0], [1, 1, 1])
    with pytest.raises(UserError, match="can't be changed"):
        await service.answer(opened.run.run_id, MEMBERS[0], [3, 1, 3])
    clock.set(opened.run.closes_at)
    with pytest.raises(UserError, match="closed"):
        await service.answer(opened.run.run_id, MEMBERS[1], [1, 1, 1])
    closed = await service.close_run(opened.run.run_id)
    assert closed is not None and closed.answers == 1


async def test_a_restart_keeps_the_one_answer_rule_for_every_stored_answer(
    service: PulseService, clock: ManualClock, db: Database, key: bytes
) -> None:
    opened = await open_template_run(service, clock)
    run_id = opened.run.run_id
    for member in MEMBERS[:12]:
        await service.answer(run_id, member, [1, 1, 1])
    stored = {
        bytes(row[0])
        for row in await db.fetchall("SELECT token FROM pulse_answered WHERE run_id = ?", (run_id,))
    }
    assert len(stored) == 5  # one batch written; seven wait in memory and die with the process
    await db.close()
    reopened = Database(db.path)
    await reopened.open()
    await reopened.migrate()
    again = PulseService(reopened, clock, lambda: key)
    counted_again = 0
    for member in MEMBERS[:12]:
        token = bytes.fromhex(keyed_hash(key, "pulse-answered", run_id, member))
        if token in stored:
            with pytest.raises(UserError, match="already answered"):
                await again.answer(run_id, member, [2, 1, 2])
        else:  # lost with the pool: may answer again, and is counted once
            await again.answer(run_id, member, [2, 1, 2])
            counted_again += 1
    assert counted_again == 7
    assert [r.run_id for r in await again.open_runs()] == [run_id]
    clock.set(opened.run.closes_at)
    closed = await again.close_run(run_id)
    assert closed is not None and closed.answers == 12  # nobody twice, nobody lost but the pool
    await reopened.close()


async def test_bad_input_saves_nothing(service: PulseService, clock: ManualClock, db: Database) -> None:
    with pytest.raises(UserError, match="empty"):
        make_question(1, "  ", "scale")
    with pytest.raises(UserError, match="100"):
        make_question(1, "x" * 101, "scale")
    with pytest.raises(UserError, match="most is 5"):
        make_question(1, "Which?", "choice", "a; b; c; d; e; f")
    with pytest.raises(UserError, match="at least two"):
        make_question(1, "Which?", "choice", "only one")
    question = make_question(1, "Which?", "choice", "Yes; No")
    assert question.options == ("Yes", "No", "Prefer not to say")
    refused: list[tuple[str, dict[str, Any]]] = [
        ("never fires", {"first_run_local": datetime(2026, 9, 1, 10, 0)}),
        (
            "close before the next run",
            {"first_run_local": datetime(2026, 10, 5, 10, 0), "repeat": "daily", "open_hours": 30},
        ),
    ]
    for expected, options in refused:
        with pytest.raises(UserError, match=expected):
            await service.create(GUILD, title="Check-in", questions=[question], channel_id=5, **options)
    assert await db.fetchval("SELECT COUNT(*) FROM pulses") == 0


async def test_weekly_runs_keep_server_time_across_the_october_clock_change(
    service: PulseService, clock: ManualClock
) -> None:
    pulse = await weekly_pulse(service, datetime(2026, 10, 12, 10, 0))
    opened_at = await run_each_week(service, clock, pulse, until=datetime(2026, 11, 3, tzinfo=UTC))
    # 10:00 in London: 09:00 UTC in summer time, 10:00 UTC after the clocks go back on 25 Oct.
    assert [(d.month, d.day, d.hour) for d in opened_at] == [
        (10, 12, 9),
        (10, 19, 9),
        (10, 26, 10),
        (11, 2, 10),
    ]


async def test_a_weekly_monday_pulse_stays_at_ten_in_london_across_both_clock_changes(
    service: PulseService, clock: ManualClock
) -> None:
    pulse = await weekly_pulse(service, datetime(2026, 10, 19, 10, 0))  # a Monday, summer time
    opened_at = await run_each_week(service, clock, pulse, until=datetime(2027, 4, 6, tzinfo=UTC))
    london = ZoneInfo("Europe/London")
    local = [when.astimezone(london) for when in opened_at]
    assert local[0].date().isoformat() == "2026-10-19" and local[-1].date().isoformat() == "2027-04-05"
    assert len(local) == 25  # one run every week: none skipped or doubled at a change
    assert {(d.weekday(), d.hour, d.minute) for d in local} == {(0, 10, 0)}
    # In UTC the run moves: 09:00 in summer time, 10:00 in winter, 09:00 again from 28 March.
    utc_hours = {when.date().isoformat(): when.hour for when in opened_at}
    assert utc_hours["2026-10-19"] == 9 and utc_hours["2026-10-26"] == 10
    assert utc_hours["2027-03-22"] == 10 and utc_hours["2027-03-29"] == 9


def test_the_next_run_is_at_or_after_the_moment_asked_about() -> None:
    rule = occurrences_rule(datetime(2027, 3, 22, 10, 0), "weekly")
    first = next_occurrence(rule, "Europe/London", datetime(2027, 3, 22, 10, 0, tzinfo=UTC), inclusive=True)
    assert first == datetime(2027, 3, 22, 10, 0, tzinfo=UTC)  # at: it counts
    after = next_occurrence(rule, "Europe/London", first + timedelta(seconds=1), inclusive=True)
    assert after == datetime(2027, 3, 29, 9, 0, tzinfo=UTC)  # 10:00 BST, after the change
    once = occurrences_rule(datetime(2026, 10, 25, 10, 0), "once")
    assert next_occurrence(once, "Europe/London", datetime(2026, 10, 25, 10, 0, tzinfo=UTC), inclusive=True)
    assert next_occurrence(once, "Europe/London", datetime(2026, 10, 25, 10, 1, tzinfo=UTC)) is None


async def test_trend_csv_and_png_only_use_runs_with_enough_answers(
    service: PulseService, clock: ManualClock
) -> None:
    title, questions = belonging_template()
    pulse = await service.create(
        GUILD,
        title=title,
        questions=questions,
        channel_id=5,
        first_run_local=datetime(2026, 10, 5, 10, 0),
        repeat="weekly",
    )
    for week, answers in enumerate((12, 4, 10)):
        assert pulse.next_run_at is not None
        clock.set(pulse.next_run_at)
        opened = await service.open_run(pulse.pulse_id, audience_size=40)
        assert isinstance(opened, RunOpened)
        for member in MEMBERS[:answers]:
            await service.answer(opened.run.run_id, member, [week + 1, 1, 3])
        pulse = opened.pulse
        clock.set(opened.run.closes_at)
        await service.close_run(opened.run.run_id)
    trend = await service.trend(GUILD, pulse.pulse_id)
    assert [p.run_number for p in trend.points] == [1, 3] and trend.withheld_runs == 1
    assert [p.questions[0].mean for p in trend.points] == [2.0, 4.0]
    text = trend_csv(trend)
    lines = text.strip().splitlines()
    assert lines[0].startswith("run,opened_utc,answers,audience_size")
    assert len(lines) == 1 + 2 * (6 + 3 + 6)
    assert ",2.00" in text and ",4.00" in text
    png = trend_png(trend)
    assert png.startswith(b"\x89PNG")


async def test_export_and_forget_have_nothing_about_a_member(
    service: PulseService, clock: ManualClock
) -> None:
    opened = await open_template_run(service, clock)
    await service.answer(opened.run.run_id, MEMBERS[0], [1, 1, 1])
    assert await service.export_member(MEMBERS[0]) == {}
    assert await service.forget_member(MEMBERS[0]) == {}


async def test_trend_csv_never_hands_a_spreadsheet_a_formula(
    service: PulseService, clock: ManualClock
) -> None:
    question = make_question(1, '=HYPERLINK("http://x")', "choice", "@yes; -no")
    pulse = await service.create(
        GUILD, title="CSV", questions=[question], channel_id=5, first_run_local=datetime(2026, 10, 5, 10, 0)
    )
    assert pulse.next_run_at is not None
    clock.set(pulse.next_run_at)
    opened = await service.open_run(pulse.pulse_id)
    assert isinstance(opened, RunOpened)
    for member in MEMBERS[:10]:
        await service.answer(opened.run.run_id, member, [0])
    await close(service, clock, opened)
    rows = trend_csv(await service.trend(GUILD, pulse.pulse_id)).splitlines()[1:]
    cells = [cell for row in csv.reader(rows) for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'@yes" in cells and "'-no" in cells
    assert not [
        cell for cell in cells if cell[:1] in ("=", "@") or (cell[:1] == "-" and not cell[1:2].isdigit())
    ]
