"""Signposts service rules, against real SQLite: validation, seeding, export/import, schedules."""

from __future__ import annotations

import asyncio
import contextlib
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import Settings
from bot.clock import ManualClock
from bot.db import Database
from bot.errors import UserError
from bot.services.recurrence import localise, to_local
from bot.services.signposts import SignpostService, dump_toml, parse_toml
from bot.services.signposts_contacts import CATEGORIES, ContactDraft, parse_reach, validate_contact
from bot.services.signposts_schedule import Schedule, next_post, parse_repeat, parse_time_of_day
from tests.signposts.conftest import EXAMPLE_CONFIG, example_seeds

GUILD = 111
OTHER_GUILD = 222


def contact(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Uni Wellbeing Service",
        "categories": ["wellbeing"],
        "description": "Counselling and mental health advice for students.",
        "phone": "0300 123 3393",
        "email": "wellbeing@uni.ac.uk",
        "web": "https://uni.ac.uk/wellbeing",
        "hours": "Mon–Fri 9am–5pm",
        "confidential": True,
        "independent": False,
    }
    data.update(overrides)
    return data


# -- the seeds in config.example.toml -----------------------------------------------------------


def test_the_contacts_seeded_in_config_example_load_and_validate() -> None:
    loaded = Settings.load(EXAMPLE_CONFIG, discord={"token": None})
    service_seeds = [seed.model_dump() for seed in loaded.signposts]
    service = SignpostService(Database(":memory:"), ManualClock(), service_seeds)

    assert service.seed_problems == []
    by_name = {d.name: d for d in service.seeds}
    assert len(by_name) == len(service_seeds) >= 6
    assert by_name["Samaritans"].phone == "116 123"
    assert by_name["Samaritans"].hours == "24/7"
    assert by_name["Shout"].text == "SHOUT to 85258"
    assert by_name["NHS 111"].phone == "111"
    assert by_name["Emergency services"].phone == "999"
    assert "Student Space" in by_name and "Nightline" in by_name
    for seed in service.seeds:
        assert "urgent" in seed.categories or seed.categories, seed.name
        assert seed.independent, f"{seed.name} is a national service, independent of any medical school"
    urgent = [d.name for d in service.seeds if "urgent" in d.categories]
    assert {"Emergency services", "Samaritans", "Shout", "NHS 111"} <= set(urgent)


def test_a_bad_seed_is_reported_by_name_and_skipped() -> None:
    seeds = [*example_seeds(), contact(name="Broken line", phone="12345")]
    service = SignpostService(Database(":memory:"), ManualClock(), seeds)
    assert len(service.seeds) == len(example_seeds())
    assert len(service.seed_problems) == 1
    assert "Broken line" in service.seed_problems[0] and "12345" in service.seed_problems[0]


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("116 123", "116 123"),
        ("116123", "116 123"),
        ("999", "999"),
        ("0800 0119 100", "0800 0119 100"),
        ("+442079460958", "020 7946 0958"),
        ("(020) 7946-0958", "020 7946 0958"),
    ],
)
def test_phone_numbers_are_checked_for_the_uk_and_tidied(raw: str, shown: str) -> None:
    assert validate_contact(contact(phone=raw)).phone == shown


@pytest.mark.parametrize("raw", ["12345", "0300 123", "07700 90012", "call us", "+44 0000 000000", "1" * 40])
def test_invalid_phone_numbers_are_refused_with_the_fix(raw: str) -> None:
    with pytest.raises(UserError) as refused:
        validate_contact(contact(phone=raw))
    assert "phone number" in refused.value.message


@pytest.mark.parametrize(
    "raw", ["not a link", "ftp://uni.ac.uk", "https://localhost", "https://uni .ac.uk", "https://"]
)
def test_invalid_links_are_refused(raw: str) -> None:
    with pytest.raises(UserError) as refused:
        validate_contact(contact(web=raw))
    assert "web link" in refused.value.message


def test_a_link_without_scheme_gets_https() -> None:
    assert validate_contact(contact(web="www.samaritans.org")).web == "https://www.samaritans.org"


@pytest.mark.parametrize(
    "hours",
    [
        "24/7",
        "Any time",
        "Mon–Fri 9am–5pm",
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
        "Weekdays 9:30am to 4.30pm, Sat 10am-1pm",
        "Daily 20:00–08:00 (term time only)",
        "Mon, Wed & Fri 12:00–14:00",
        "Mon–Thu 9am–5pm; Fri 9am–4pm; weekends closed",
    ],
)
def test_readable_opening_hours_are_accepted(hours: str) -> None:
    assert validate_contact(contact(hours=hours)).hours == hours


@pytest.mark.parametrize(
    "hours", ["", "whenever", "Mon–Fri 25:00–17:00", "Mon 9:75–10:00", "Mon 13pm–2pm", "9 to 5"]
)
def test_unreadable_opening_hours_are_refused_with_examples(hours: str) -> None:
    with pytest.raises(UserError) as refused:
        validate_contact(contact(hours=hours))
    assert "24/7" in refused.value.message or "time" in refused.value.message


def test_text_lines_are_read_as_keyword_and_number() -> None:
    assert validate_contact(contact(text="text shout to 85258")).text == "SHOUT to 85258"
    assert validate_contact(contact(text="85258")).text == "85258"
    with pytest.raises(UserError):
        validate_contact(contact(text="SHOUT to 12"))


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(UserError) as refused:
        validate_contact(
            contact(phone="0300 123", email="nope", web="nope", hours="soon", categories=["pets"])
        )
    message = refused.value.message
    for word in ("phone", "email", "web link", "opening hours", "pets"):
        assert word in message


def test_text_over_the_limits_is_refused() -> None:
    with pytest.raises(UserError, match="shorten it to 80"):
        validate_contact(contact(name="x" * 81))
    with pytest.raises(UserError, match="shorten it to 250"):
        validate_contact(contact(description="x" * 251))


def test_a_contact_needs_a_way_to_reach_it() -> None:
    with pytest.raises(UserError, match="at least one way to reach"):
        validate_contact(contact(phone=None, email=None, web=None))


def test_categories_accept_labels_and_aliases() -> None:
    draft = validate_contact(contact(categories=["Money", "LGBTQ+", "crisis", "chaplaincy"]))
    assert draft.categories == ("urgent", "money", "faith", "lgbtq")


def test_the_reach_box_reads_labelled_and_obvious_lines() -> None:
    assert parse_reach("phone: 0300 123 3393\nhttps://uni.ac.uk\nhelp@uni.ac.uk\nin person: Hub, room 2") == {
        "phone": "0300 123 3393",
        "web": "https://uni.ac.uk",
        "email": "help@uni.ac.uk",
        "in_person": "Hub, room 2",
    }
    with pytest.raises(UserError, match="phone:, text:"):
        parse_reach("ask at reception maybe")


# -- the directory -----------------------------------------------------------------------------


async def test_a_new_server_gets_the_seeds_once_and_edits_are_never_undone(service: SignpostService) -> None:
    contacts = await service.contacts(GUILD)
    assert [c.name for c in contacts] == [d.name for d in service.seeds]

    samaritans = next(c for c in contacts if c.name == "Samaritans")
    nightline = next(c for c in contacts if c.name == "Nightline")
    await service.update(
        GUILD, nightline.id, validate_contact({**nightline.as_dict(), "hours": "Daily 19:00–07:00"})
    )
    await service.remove(GUILD, samaritans.id)

    again = await service.contacts(GUILD)
    assert "Samaritans" not in [c.name for c in again]
    assert next(c for c in again if c.name == "Nightline").hours == "Daily 19:00–07:00"
    # Each server has its own copy.
    assert len(await service.contacts(OTHER_GUILD)) == len(service.seeds)


async def test_a_seed_added_to_the_config_later_reaches_existing_servers(
    db: Database, clock: ManualClock
) -> None:
    first = SignpostService(db, clock, example_seeds()[:2])
    assert len(await first.contacts(GUILD)) == 2
    later = SignpostService(db, clock, example_seeds())
    assert len(await later.contacts(GUILD)) == len(example_seeds())


async def test_concurrent_first_views_seed_once(service: SignpostService) -> None:
    results = await asyncio.gather(*(service.contacts(GUILD) for _ in range(5)))
    assert all(len(r) == len(service.seeds) for r in results)
    assert len(await service.contacts(GUILD)) == len(service.seeds)


async def test_add_refuses_a_duplicate_name_and_saves_nothing(service: SignpostService) -> None:
    await service.add(GUILD, validate_contact(contact()))
    with pytest.raises(UserError, match="already a contact"):
        await service.add(GUILD, validate_contact(contact(name="uni wellbeing service")))
    names = [c.name.casefold() for c in await service.contacts(GUILD)]
    assert names.count("uni wellbeing service") == 1


async def test_filtering_by_need(service: SignpostService) -> None:
    await service.add(GUILD, validate_contact(contact(name="Hardship Fund", categories=["money"])))
    money = await service.contacts(GUILD, "money")
    assert [c.name for c in money] == ["Hardship Fund"]
    lgbtq = await service.contacts(GUILD, "lgbtq")
    assert [c.name for c in lgbtq] == ["Switchboard LGBT+ Helpline"]


# -- export and import -----------------------------------------------------------------------------


async def test_export_then_import_gives_the_same_directory(service: SignpostService) -> None:
    await service.add(GUILD, validate_contact(contact(in_person="Student Hub, ground floor")))
    before = await service.contacts(GUILD)
    exported = await service.export_toml(GUILD)

    # Organisers change things after the export...
    await service.remove(GUILD, before[0].id)
    await service.update(
        GUILD, before[1].id, validate_contact({**before[1].as_dict(), "hours": "Daily 9am–5pm"})
    )
    await service.add(GUILD, validate_contact(contact(name="Chaplaincy", categories=["faith"])))

    result = await service.import_toml(GUILD, exported, replace=True)
    after = await service.contacts(GUILD)
    assert [c.draft() for c in after] == [c.draft() for c in before]
    assert (result.added, result.updated, result.removed) == (1, 1, 1)
    assert await service.export_toml(GUILD) == exported

    # Importing the same file into another server gives it the same directory too.
    await service.import_toml(OTHER_GUILD, exported, replace=True)
    assert [c.draft() for c in await service.contacts(OTHER_GUILD)] == [c.draft() for c in before]


async def test_merge_import_adds_and_updates_by_name_and_keeps_the_rest(service: SignpostService) -> None:
    seeded = await service.contacts(GUILD)
    text = dump_toml(
        [
            validate_contact({**seeded[1].as_dict(), "description": "Changed."}),
            validate_contact(contact(name="Hardship Fund", categories=["money"])),
        ]
    )
    result = await service.import_toml(GUILD, text, replace=False)
    assert (result.added, result.updated, result.removed) == (1, 1, 0)
    after = await service.contacts(GUILD)
    assert len(after) == len(seeded) + 1
    assert next(c for c in after if c.id == seeded[1].id).description == "Changed."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this is = not toml [", "not valid TOML"),
        ('[[contacts]]\nname = "x"', "[[signposts]]"),
        (
            '[[signposts]]\nname = "A"\ncategories = ["wellbeing"]\nphone = "0300 123"\nhours = "24/7"',
            "phone number",
        ),
        (
            '[[signposts]]\nname = "A"\ncategories = ["wellbeing"]\nweb = "a.org"\nhours = "24/7"\n'
            "colour = 1",
            "colour",
        ),
    ],
)
async def test_a_bad_import_changes_nothing(service: SignpostService, text: str, expected: str) -> None:
    before = await service.export_toml(GUILD)
    with pytest.raises(UserError) as refused:
        await service.import_toml(GUILD, text, replace=True)
    assert expected in refused.value.message
    assert await service.export_toml(GUILD) == before


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=80).filter(
        str.strip
    ),
    needs=st.lists(st.sampled_from(list(CATEGORIES)), min_size=1, unique=True),
    description=st.text(max_size=250),
    independent=st.booleans(),
    confidential=st.booleans(),
)
def test_any_valid_contact_survives_the_toml_round_trip(
    name: str, needs: list[str], description: str, independent: bool, confidential: bool
) -> None:
    draft = validate_contact(
        contact(
            name=name,
            categories=needs,
            description=description,
            independent=independent,
            confidential=confidential,
        )
    )
    assert parse_toml(dump_toml([draft])) == [draft]
    assert tomllib.loads(dump_toml([draft]))["signposts"][0]["name"] == draft.name


# -- schedules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("first Monday of each month", "FREQ=MONTHLY;BYDAY=+1MO"),
        ("the last Friday of every month", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("every Wednesday", "FREQ=WEEKLY;BYDAY=WE"),
        ("every 2 weeks on Tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("monthly on the 1st", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("FREQ=MONTHLY;BYDAY=2TH", "FREQ=MONTHLY;BYDAY=2TH"),
    ],
)
def test_repeats_in_plain_english(text: str, rule: str) -> None:
    assert parse_repeat(text) == rule


@pytest.mark.parametrize("text", ["sometimes", "FREQ=MONTHLY;BYHOUR=9", "monthly on the 31st", "FREQ=NOPE"])
def test_unreadable_repeats_are_refused(text: str) -> None:
    with pytest.raises(UserError):
        parse_repeat(text)


def test_times_of_day() -> None:
    assert parse_time_of_day("9am") == "09:00"
    assert parse_time_of_day("6.30pm") == "18:30"
    assert parse_time_of_day("12pm") == "12:00"
    assert parse_time_of_day("12am") == "00:00"
    for bad in ("25:00", "13pm", "noonish"):
        with pytest.raises(UserError):
            parse_time_of_day(bad)


def test_first_monday_follows_local_time_across_summer_time() -> None:
    when = next_post(
        rule="FREQ=MONTHLY;BYDAY=+1MO",
        dates=(),
        time_of_day="09:00",
        timezone="Europe/London",
        anchor="2026-03-01",
        after=datetime(2026, 3, 3, tzinfo=UTC),
    )
    # 6 April 2026 is the first Monday of April, in British Summer Time (UTC+1).
    assert when == datetime(2026, 4, 6, 8, 0, tzinfo=UTC)


async def test_a_schedule_claims_each_post_once_and_moves_on(
    service: SignpostService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    schedule = await service.create_schedule(
        GUILD, 5, category=None, repeat="first Monday of each month", dates=None, time_of_day="09:00",
        timezone="Europe/London",
    )  # fmt: skip
    assert schedule.next_run_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    clock.set(schedule.next_run_at)
    claims = await asyncio.gather(*(service.claim_run(schedule.id, schedule.next_run_at) for _ in range(3)))
    won = [c for c in claims if c is not None]
    assert len(won) == 1
    assert won[0].schedule.next_run_at == datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    assert won[0].previous_message_id is None

    await service.record_post(schedule.id, 999)
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    second = await service.claim_run(schedule.id, datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    assert second is not None and second.previous_message_id == 999
    # The old due time can never be claimed again.
    assert await service.claim_run(schedule.id, datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) is None


async def test_dated_schedules_finish_after_the_last_date(
    service: SignpostService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    schedule = await service.create_schedule(
        GUILD, 5, category="academic", repeat=None, dates="12 Jan 2026, 2026-05-04", time_of_day="8am",
        timezone="Europe/London",
    )  # fmt: skip
    assert schedule.dates == ("2026-01-12", "2026-05-04")
    assert schedule.next_run_at == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
    clock.set(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))
    claim = await service.claim_run(schedule.id, datetime(2026, 1, 12, 8, 0, tzinfo=UTC))
    assert claim is not None and claim.schedule.next_run_at == datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    clock.set(datetime(2026, 5, 4, 7, 0, tzinfo=UTC))
    last = await service.claim_run(schedule.id, datetime(2026, 5, 4, 7, 0, tzinfo=UTC))
    assert last is not None and last.schedule.next_run_at is None
    assert await service.pending_schedules() == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"repeat": None, "dates": None}, "either `repeat`"),
        ({"repeat": "every Monday", "dates": "5 Jan"}, "not both"),
        ({"repeat": "FREQ=DAILY", "dates": None}, "once a week"),
        ({"repeat": None, "dates": "1 Jan 2020"}, "past"),
        ({"repeat": None, "dates": "the twelfth of never"}, "as a date"),
    ],
)
async def test_bad_schedules_are_refused_and_nothing_is_saved(
    service: SignpostService, clock: ManualClock, kwargs: dict[str, Any], expected: str
) -> None:
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    with pytest.raises(UserError) as refused:
        await service.create_schedule(
            GUILD, 5, category=None, time_of_day="09:00", timezone="Europe/London", **kwargs
        )
    assert expected in refused.value.message
    assert await service.schedules(GUILD) == []


async def every_monday(service: SignpostService) -> Schedule:
    """The whole directory every Monday at 09:00 London time, posted to channel 5."""
    return await service.create_schedule(
        GUILD,
        5,
        category=None,
        repeat="every Monday",
        dates=None,
        time_of_day="09:00",
        timezone="Europe/London",
    )


@pytest.mark.parametrize(
    ("first_local", "after_change_local"),
    [
        (datetime(2026, 10, 19, 9, 0), datetime(2026, 10, 26, 9, 0)),  # clocks go back 25 Oct 2026
        (datetime(2027, 3, 22, 9, 0), datetime(2027, 3, 29, 9, 0)),  # clocks go forward 28 Mar 2027
    ],
)
async def test_a_weekly_post_stays_at_nine_local_across_the_clock_changes(
    service: SignpostService, clock: ManualClock, first_local: datetime, after_change_local: datetime
) -> None:
    clock.set(localise(first_local - timedelta(days=3), "Europe/London"))
    schedule = await every_monday(service)
    assert schedule.next_run_at == localise(first_local, "Europe/London")

    clock.set(schedule.next_run_at)
    claim = await service.claim_run(schedule.id, schedule.next_run_at)
    assert claim is not None and claim.schedule.next_run_at is not None

    before, after = schedule.next_run_at, claim.schedule.next_run_at
    assert to_local(before, "Europe/London") == first_local
    assert to_local(after, "Europe/London") == after_change_local
    assert after - before != timedelta(days=7)  # a UTC week would have moved the local time by an hour


async def test_a_post_missed_while_offline_is_skipped_not_flooded(
    service: SignpostService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    schedule = await every_monday(service)
    clock.set(datetime(2026, 1, 20, 12, 0, tzinfo=UTC))  # two Mondays missed
    moved = await service.skip_stale(schedule)
    assert moved.next_run_at == datetime(2026, 1, 26, 9, 0, tzinfo=UTC)
    listed = (await service.schedules(GUILD))[0]
    assert listed.next_run_at == moved.next_run_at and listed.last_error is not None


async def test_a_slightly_late_post_is_still_made(service: SignpostService, clock: ManualClock) -> None:
    clock.set(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    schedule = await every_monday(service)
    assert schedule.next_run_at is not None
    clock.set(schedule.next_run_at + timedelta(hours=2))
    assert (await service.skip_stale(schedule)).next_run_at == schedule.next_run_at


async def test_cancelled_schedules_stop(service: SignpostService, clock: ManualClock) -> None:
    schedule = await every_monday(service)
    await service.cancel_schedule(GUILD, schedule.id)
    assert schedule.next_run_at is not None
    assert await service.claim_run(schedule.id, schedule.next_run_at) is None
    with pytest.raises(UserError):
        await service.cancel_schedule(OTHER_GUILD, schedule.id)


async def test_signposts_store_no_member_data(service: SignpostService) -> None:
    await service.contacts(GUILD)
    assert await service.export_member(42) == {}
    assert await service.forget_member(42) == {}


def test_a_draft_dict_round_trips_through_validation() -> None:
    draft = validate_contact(contact(text="SHOUT to 85258", in_person="Hub"))
    assert validate_contact(draft.as_dict()) == draft
    assert isinstance(draft, ContactDraft)


@settings(max_examples=300, deadline=200)
@given(
    st.lists(
        st.sampled_from(
            ["Mon", "Mon-Fri", " ", ",", ";", "1", "1-1", "9am", " to ", "and", "&", ":", "daily", "(", "x"]
        ),
        max_size=60,
    )
)
def test_any_hours_text_is_answered_quickly_never_crashes(parts: list[str]) -> None:
    """The hours grammar must not backtrack exponentially (it runs on the bot's event loop)."""
    text = "".join(parts)
    with contextlib.suppress(UserError):
        validate_contact(contact(hours=text))


def test_the_slowest_known_hours_shape_is_fast() -> None:
    import time

    started = time.perf_counter()
    with pytest.raises(UserError):
        validate_contact(contact(hours="Mon " + "1-1 ," * 19 + "x"))
    assert time.perf_counter() - started < 0.1
