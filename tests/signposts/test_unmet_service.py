"""Needs looked up with no local contact, against real SQLite: one counter per server, need and
week, nothing else; unknown needs are never stored; old weeks go."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.db import Database, Tx
from bot.services.signposts_contacts import CATEGORIES, Contact, validate_contact
from bot.services.signposts_gaps import (
    RETAIN_WEEKS,
    UnmetNeeds,
    WeekCount,
    advice_centre,
    fitting_lines,
    unmet,
    week_start,
)
from bot.support import CRISIS_LINES

GUILD = 111
OTHER_GUILD = 222
MONDAY = date(2026, 10, 5)  # the week of the shared clock fixture (Monday 5 October 2026, 09:00 UTC)


@pytest.fixture
def unmet_needs(db: Database, clock: ManualClock) -> UnmetNeeds:
    return UnmetNeeds(db, clock)


async def rows(db: Database) -> list[tuple[Any, ...]]:
    found = await db.fetchall("SELECT * FROM signpost_unmet_needs ORDER BY guild_id, need, week_start")
    return [tuple(row) for row in found]


def a_contact(name: str, categories: list[str], contact_id: int = 1) -> Contact:
    draft = validate_contact(
        {"name": name, "categories": categories, "hours": "24/7", "web": "https://a.example"}
    )
    return Contact(
        **{**draft.as_dict(), "categories": draft.categories}, id=contact_id, guild_id=GUILD, position=1
    )


async def test_a_look_up_is_counted_per_server_need_and_week(unmet_needs: UnmetNeeds, db: Database) -> None:
    assert await unmet_needs.record(GUILD, "disability")
    assert [(c.need, c.weeks) for c in await unmet_needs.counts(GUILD)] == [
        ("disability", (WeekCount(MONDAY, 1),))
    ]
    assert await unmet_needs.record(GUILD, "disability")
    [counted] = await unmet_needs.counts(GUILD)
    assert counted.total == 2 and counted.weeks == (WeekCount(MONDAY, 2),)
    assert await unmet_needs.counts(OTHER_GUILD) == []
    # What the database holds: the server, the need, the Monday, the count. Nothing else.
    assert await rows(db) == [(GUILD, "disability", "2026-10-05", 2)]


async def test_each_week_has_its_own_counter_and_the_most_looked_up_need_comes_first(
    unmet_needs: UnmetNeeds, clock: ManualClock
) -> None:
    await unmet_needs.record(GUILD, "money")
    clock.advance(timedelta(days=7))
    for _ in range(2):
        await unmet_needs.record(GUILD, "faith")
    await unmet_needs.record(GUILD, "money")
    await unmet_needs.record(GUILD, "money")
    found = await unmet_needs.counts(GUILD)
    assert [(c.need, c.total) for c in found] == [("money", 3), ("faith", 2)]
    assert found[0].weeks == (WeekCount(MONDAY, 1), WeekCount(MONDAY + timedelta(days=7), 2))


@pytest.mark.parametrize(
    "need",
    ["urgent", "Disability and access", "DISABILITY", "nope", "", "x" * 5000, "disability\u200b", "💥"],
)
async def test_anything_but_a_countable_need_is_never_stored(
    unmet_needs: UnmetNeeds, db: Database, need: str
) -> None:
    assert not await unmet_needs.record(GUILD, need)
    assert await rows(db) == []


async def test_the_increment_is_one_statement(
    unmet_needs: UnmetNeeds, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    original = Tx.execute

    async def spy(self: Tx, sql: str, params: Any = ()) -> Any:
        statements.append(sql)
        return await original(self, sql, params)

    monkeypatch.setattr(Tx, "execute", spy)
    await unmet_needs.record(GUILD, "lgbtq")
    await unmet_needs.record(GUILD, "lgbtq")
    touching = [s for s in statements if "signpost_unmet_needs" in s]
    assert len(touching) == 2 and all(s.startswith("INSERT") and "ON CONFLICT" in s for s in touching)


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime(2026, 10, 5, 0, 0, tzinfo=UTC), date(2026, 10, 5)),
        (datetime(2026, 10, 11, 23, 59, 59, tzinfo=UTC), date(2026, 10, 5)),
        (datetime(2026, 10, 12, 0, 0, tzinfo=UTC), date(2026, 10, 12)),
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), date(2026, 12, 28)),  # ISO week 53 of 2026
    ],
)
def test_the_week_starts_on_monday(moment: datetime, monday: date) -> None:
    assert week_start(moment) == monday and monday.weekday() == 0
    assert monday.isocalendar()[:2] == moment.isocalendar()[:2]


async def test_weeks_older_than_kept_are_not_shown_and_are_deleted(
    unmet_needs: UnmetNeeds, db: Database, clock: ManualClock
) -> None:
    await unmet_needs.record(GUILD, "academic")
    await unmet_needs.record(OTHER_GUILD, "academic")
    clock.advance(timedelta(weeks=RETAIN_WEEKS - 1))
    await unmet_needs.record(GUILD, "money")
    assert await unmet_needs.prune() == 0  # the first week is still within the 26 kept
    assert {c.need for c in await unmet_needs.counts(GUILD)} == {"academic", "money"}

    clock.advance(timedelta(weeks=1))
    assert [c.need for c in await unmet_needs.counts(GUILD)] == ["money"]
    assert await unmet_needs.prune() == 2
    assert [row[1] for row in await rows(db)] == ["money"]


def test_mental_health_gets_the_lines_that_fit_and_other_needs_the_general_ones() -> None:
    assert fitting_lines("wellbeing") == (("Samaritans", "Shout", "NHS 111"), True)
    general = tuple(line.name for line in CRISIS_LINES)
    for need in CATEGORIES:
        if need != "wellbeing":
            assert fitting_lines(need) == (general, False), need
    # Every fitting line is one bot.support really has: no number is ever written elsewhere.
    assert set(fitting_lines("wellbeing")[0]) <= {line.name for line in CRISIS_LINES}


def test_only_countable_needs_without_a_contact_are_unmet() -> None:
    contacts = [a_contact("Disability Service", ["disability"])]
    assert not unmet(contacts, "disability")
    assert unmet(contacts, "money")
    assert not unmet(contacts, "urgent") and not unmet([], "urgent")
    assert not unmet([], None) and not unmet([], "forged")


def test_the_servers_own_advice_centre_is_recognised_by_its_name() -> None:
    centre = a_contact("Students' Union Advice Centre", ["money"], 2)
    assert advice_centre([a_contact("Citizens Advice", ["money"]), centre]) == centre
    assert advice_centre([a_contact("SU Advice", ["money"])]) is not None
    assert advice_centre([a_contact("Guild Advice Service", ["money"])]) is not None
    assert advice_centre([a_contact("Equality Advisory and Support Service", ["discrimination"])]) is None
    assert advice_centre([a_contact("Students' Union Bar", ["faith"])]) is None
