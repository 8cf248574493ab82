"""The mentoring service against real SQLite: sign-up rules, matching runs, leave, privacy."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.clock import ManualClock, to_timestamp
from bot.errors import UserError
from bot.services.mentoring import DEFAULT_EXPERIENCES, MentoringService, next_run, slug

from .conftest import GUILD

FIRST = slug("First in family at university")
CARER = slug("Young carer or carer")
LGBTQ = slug("LGBTQ+")
FAITH = slug("Faith")


async def test_defaults_are_the_issue_list(service: MentoringService) -> None:
    labels = [e.label for e in await service.experiences(GUILD)]
    assert labels == list(DEFAULT_EXPERIENCES)


async def test_match_prefers_the_mentor_sharing_most_and_explains_why(service: MentoringService) -> None:
    await service.offer(GUILD, 1, year=4, experiences=[FIRST], capacity=1, hello="hi")
    await service.offer(GUILD, 2, year=3, experiences=[FIRST, CARER, FAITH], capacity=1, hello="hello")
    await service.request(GUILD, 9, year=1, experiences=[FIRST, CARER], require_shared=False, help_with="")

    result = await service.run_matching(GUILD)

    [made] = result.new_matches
    assert (made.mentor_id, made.mentee_id) == (2, 9)
    assert made.shared == tuple(sorted([FIRST, CARER]))  # never FAITH: the mentee didn't say it
    assert result.waiting == {}


async def test_mentee_year_not_below_any_mentor_is_told_honestly_and_kept_waiting(
    service: MentoringService,
) -> None:
    await service.offer(GUILD, 1, year=2, experiences=[], capacity=3, hello="")
    await service.request(GUILD, 9, year=2, experiences=[], require_shared=False, help_with="")

    result = await service.run_matching(GUILD)

    assert result.new_matches == []
    assert result.waiting == {9: "no_older"}
    status = await service.status(GUILD, 9)
    assert status.waiting_reason == "no_older" and "mentee" in status.profiles

    await service.offer(GUILD, 3, year=5, experiences=[], capacity=1, hello="")
    assert [m.mentor_id for m in (await service.run_matching(GUILD)).new_matches] == [3]


@pytest.mark.parametrize("capacity", [0, 4, -1])
async def test_capacity_out_of_range_is_refused(service: MentoringService, capacity: int) -> None:
    with pytest.raises(UserError, match="between 1 and 3"):
        await service.offer(GUILD, 1, year=3, experiences=[], capacity=capacity, hello="")
    assert (await service.status(GUILD, 1)).profiles == {}


async def test_over_long_text_is_refused_and_saves_nothing(service: MentoringService) -> None:
    with pytest.raises(UserError, match="300"):
        await service.offer(GUILD, 1, year=3, experiences=[], capacity=1, hello="x" * 301)
    with pytest.raises(UserError, match="500"):
        await service.request(GUILD, 2, year=1, experiences=[], require_shared=False, help_with="y" * 501)
    assert (await service.status(GUILD, 1)).profiles == {}
    assert (await service.status(GUILD, 2)).profiles == {}


async def test_year_one_cannot_mentor_and_years_are_bounded(service: MentoringService) -> None:
    with pytest.raises(UserError, match="no year below"):
        await service.offer(GUILD, 1, year=1, experiences=[], capacity=1, hello="")
    with pytest.raises(UserError, match="between 1 and 7"):
        await service.request(GUILD, 2, year=9, experiences=[], require_shared=False, help_with="")


async def test_require_shared_waits_for_a_mentor_who_shares(service: MentoringService) -> None:
    await service.offer(GUILD, 1, year=4, experiences=[FAITH], capacity=1, hello="")
    await service.request(GUILD, 9, year=1, experiences=[LGBTQ], require_shared=True, help_with="")
    result = await service.run_matching(GUILD)
    assert result.new_matches == [] and result.waiting == {9: "no_shared"}


async def test_never_the_same_pair_twice_even_after_leaving_and_coming_back(
    service: MentoringService,
) -> None:
    await service.offer(GUILD, 1, year=4, experiences=[], capacity=1, hello="")
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")
    [made] = (await service.run_matching(GUILD)).new_matches
    ended = await service.end_match(made.id, 9, "rematch")
    assert ended.requeued_mentee
    assert (await service.run_matching(GUILD)).new_matches == []

    await service.leave(GUILD, 9)
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")
    assert (await service.run_matching(GUILD)).new_matches == []


async def test_leave_deletes_everything_but_the_keyed_history(service: MentoringService, db) -> None:  # type: ignore[no-untyped-def]
    await service.offer(GUILD, 1, year=4, experiences=[FIRST], capacity=2, hello="hi there")
    await service.request(GUILD, 9, year=1, experiences=[FIRST], require_shared=False, help_with="exams")
    await service.run_matching(GUILD)

    left = await service.leave(GUILD, 1)

    assert left.removed == {"mentoring_declarations": 1, "mentoring_profiles": 1, "mentoring_matches": 1}
    assert [m.mentee_id for m in left.ended] == [9]
    for table in ("mentoring_profiles", "mentoring_declarations", "mentoring_matches"):
        rows = await db.fetchall(f"SELECT * FROM {table}")
        ids = {r[k] for r in rows for k in r.keys() if k in ("member_id", "mentor_id", "mentee_id")}  # noqa: SIM118 (Row iterates values)
        assert 1 not in ids, table
    history = await db.fetchall("SELECT * FROM mentoring_pair_history")
    assert len(history) == 1 and "1" not in (history[0]["mentor_hash"], history[0]["mentee_hash"])
    # The mentee is back to waiting, their own data untouched.
    status = await service.status(GUILD, 9)
    assert status.matches == [] and status.profiles["mentee"].note == "exams"


async def test_checkin_claimed_once_only_when_due(service: MentoringService, clock: ManualClock, db) -> None:  # type: ignore[no-untyped-def]
    # The check-in is promised (to the outbox) with the pairing, once, due in two weeks.
    await service.offer(GUILD, 1, year=4, experiences=[], capacity=1, hello="")
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")
    [made] = (await service.run_matching(GUILD)).new_matches
    rows = await db.fetchall("SELECT * FROM outbox WHERE topic = 'mentoring.checkin' ORDER BY item_key")
    assert [r["item_key"] for r in rows] == [
        f"mentoring.checkin:{made.id}@1",
        f"mentoring.checkin:{made.id}@9",
    ]
    assert all(r["not_before"] == to_timestamp(clock.now() + timedelta(days=14)) for r in rows)
    assert (await service.get_match(made.id)).checkin_sent_at is None
    clock.advance(timedelta(days=14))
    assert await service.checkin_going_out(made.id) is not None
    assert (await service.get_match(made.id)).checkin_sent_at is not None


async def test_checkin_different_ends_the_pairing_and_counts_anonymously(
    service: MentoringService, db
) -> None:  # type: ignore[no-untyped-def]
    await service.offer(GUILD, 1, year=4, experiences=[], capacity=1, hello="")
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")
    [made] = (await service.run_matching(GUILD)).new_matches
    result = await service.record_checkin(made.id, 9, "different")
    assert result.ended
    with pytest.raises(UserError):
        await service.record_checkin(made.id, 5, "met")  # not theirs
    overview = await service.overview(GUILD)
    assert overview.checkins == {"different": 1}
    assert overview.mentees_waiting == 1 and overview.pairings_active == 0 and overview.pairings_ended == 1


async def test_overview_counts_waiting_times(service: MentoringService, clock: ManualClock) -> None:
    await service.request(GUILD, 9, year=1, experiences=[], require_shared=False, help_with="")
    clock.advance(timedelta(days=10))
    await service.request(GUILD, 8, year=2, experiences=[], require_shared=False, help_with="")
    await service.offer(GUILD, 1, year=3, experiences=[], capacity=3, hello="")
    await service.set_paused(GUILD, 1, True)
    overview = await service.overview(GUILD)
    assert overview.mentees_waiting == 2
    assert overview.waiting_bands == {"under 1 week": 1, "1 to 4 weeks": 1, "over 4 weeks": 0}
    assert overview.longest_wait_days == 10
    assert overview.mentors_active == 0 and overview.mentors_paused == 1


async def test_removing_an_experience_removes_its_declarations(service: MentoringService, db) -> None:  # type: ignore[no-untyped-def]
    await service.offer(GUILD, 1, year=4, experiences=[FIRST, FAITH], capacity=1, hello="")
    change = await service.set_experiences(GUILD, "First in family at university\nCommuter\n\nNew one")
    assert "Faith" in change.removed and "New one" in change.added
    assert (await service.status(GUILD, 1)).profiles["mentor"].experiences == (FIRST,)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("x" * 81, "80"), ("\n".join(f"e{i}" for i in range(26)), "at most 25")],
)
async def test_bad_experience_lists_change_nothing(
    service: MentoringService, text: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        await service.set_experiences(GUILD, text)
    assert len(await service.experiences(GUILD)) == len(DEFAULT_EXPERIENCES)


async def test_schedule_next_run_in_server_time(service: MentoringService, clock: ManualClock) -> None:
    schedule = await service.set_schedule(
        GUILD, "weekly", time_text="18:30", weekday=2, timezone="Europe/London"
    )
    assert schedule.next_run_at is not None
    # 5 Oct 2026 is a Monday, 09:00 UTC; the next Wednesday 18:30 BST is 7 Oct 17:30 UTC.
    assert schedule.next_run_at == to_timestamp(clock.now().replace(day=7, hour=17, minute=30))
    with pytest.raises(UserError, match="24-hour"):
        await service.set_schedule(GUILD, "daily", time_text="25:00", timezone="Europe/London")
    off = await service.set_schedule(GUILD, "off", timezone="Europe/London")
    assert off.next_run_at is None


def test_next_run_crosses_the_clock_change() -> None:
    clock = ManualClock()
    clock.set(clock.now().replace(month=10, day=24, hour=12))
    first = next_run("daily", None, 9 * 60, "Europe/London", clock.now())
    second = next_run("daily", None, 9 * 60, "Europe/London", first)
    # The UK goes back to GMT on 25 Oct 2026 at 02:00: 09:00 local is 09:00 UTC that day.
    assert (first.day, first.hour) == (25, 9)
    assert (second.day, second.hour) == (26, 9)
    before = next_run("daily", None, 9 * 60, "Europe/London", clock.now().replace(day=23))
    assert (before.day, before.hour) == (24, 8)  # still BST


async def test_export_and_forget_cover_everything(service: MentoringService, db, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.DEBUG, logger="bot"):
        await service.offer(GUILD, 1, year=4, experiences=[LGBTQ], capacity=1, hello="hi")
        await service.request(
            GUILD, 9, year=1, experiences=[LGBTQ], require_shared=True, help_with="coming out"
        )
        await service.run_matching(GUILD)
    assert "lgbtq" not in caplog.text.lower() and "coming out" not in caplog.text

    exported = await service.export_member(9)
    json.dumps(exported)
    assert exported["profiles"][0]["experiences"] == ["LGBTQ+"]
    assert exported["profiles"][0]["note"] == "coming out"
    assert exported["pairings"][0]["partner_id"] == 1
    assert exported["pairings"][0]["shared_experiences"] == ["LGBTQ+"]
    assert exported["past_pairs_remembered_as_keyed_hashes"] == 1

    counts = await service.forget_member(9)
    assert counts == {
        "mentoring_declarations": 1,
        "mentoring_profiles": 1,
        "mentoring_matches": 1,
        "mentoring_pair_history": 1,
    }
    assert await service.export_member(9) == {
        "profiles": [],
        "pairings": [],
        "past_pairs_remembered_as_keyed_hashes": 0,
    }
    # The mentor keeps their own offer, now free again.
    assert (await service.overview(GUILD)).capacity_used == 0


async def test_concurrent_runs_never_overbook_a_mentor(service: MentoringService) -> None:
    import asyncio

    await service.offer(GUILD, 1, year=5, experiences=[], capacity=1, hello="")
    for mentee in (7, 8, 9):
        await service.request(GUILD, mentee, year=1, experiences=[], require_shared=False, help_with="")

    results = await asyncio.gather(*(service.run_matching(GUILD) for _ in range(5)))

    made = [m for r in results for m in r.new_matches]
    assert len(made) == 1 and made[0].mentee_id == 7  # the longest waiting, once
    overview = await service.overview(GUILD)
    assert overview.capacity_used == 1 and overview.mentees_waiting == 2


async def test_status_tells_a_waiting_mentee_the_reason_a_matching_run_gives(
    service: MentoringService,
) -> None:
    # /mentor status reads only the mentors that matter to this mentee, not the whole pool: each
    # reason must still be the one the matching run gives, a former mentor included.
    await service.offer(GUILD, 1, year=4, experiences=[FAITH], capacity=1, hello="")
    await service.offer(GUILD, 2, year=4, experiences=[LGBTQ], capacity=1, hello="")
    await service.request(GUILD, 8, year=1, experiences=[FAITH], require_shared=False, help_with="")
    await service.request(GUILD, 12, year=1, experiences=[LGBTQ], require_shared=True, help_with="")
    made = {m.mentee_id: m for m in (await service.run_matching(GUILD)).new_matches}
    assert made[12].mentor_id == 2
    assert (
        await service.end_match(made[12].id, 12, "rematch")
    ).requeued_mentee  # 2 is free, never again for 12
    await service.request(GUILD, 9, year=1, experiences=[FAITH], require_shared=True, help_with="")
    await service.request(GUILD, 13, year=1, experiences=[CARER], require_shared=True, help_with="")
    await service.request(GUILD, 11, year=5, experiences=[], require_shared=False, help_with="")

    result = await service.run_matching(GUILD)

    assert result.new_matches == []
    assert result.waiting == {9: "full", 12: "no_shared", 13: "no_shared", 11: "no_older"}
    for mentee, reason in result.waiting.items():
        assert (await service.status(GUILD, mentee)).waiting_reason == reason
