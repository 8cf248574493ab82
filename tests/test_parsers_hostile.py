"""Every parser and validator of typed input, fed hostile and malformed text (issue 16).

Each property asserts exactly one thing: the function returns a value of the right type or
raises :class:`~bot.errors.UserError` (whose message is shown to the person); never any other
exception. A few hundred examples each by default; 10,000 each under the ``slow`` marker
(``pytest -m slow tests/test_parsers_hostile.py``).

The strategies mix arbitrary Unicode (lone surrogates, non-ASCII digits, controls, bidi
characters) with fragments of valid input, so the generated text reaches deep into each parser
rather than failing on its first character.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.services import communities, events_dates, pulse_model, reports, signposts_schedule
from bot.services.mentoring_model import slug
from bot.services.mentoring_schedule import parse_minute
from bot.services.signposts import parse_toml
from bot.services.signposts_contacts import ContactDraft, category_key, parse_reach, validate_contact

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
PROFILES = [pytest.param(FAST, id="fast"), pytest.param(SLOW, id="slow", marks=pytest.mark.slow)]

NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
TZ = "Europe/London"

# Characters that break naive parsers: non-ASCII digits (Arabic-Indic, Devanagari, full-width,
# superscript, circled), bidi and zero-width characters, controls, line breaks, emoji with joiners.
AWKWARD = (
    "\u0660\u0661\u0669\u06f3\u0966\u096f\uff10\uff19\u00b2\u00b9\u2460\u216b\U0001d7ce"
    "\u202e\u2066\u200b\u200d\u200c\ufeff\u00ad\u2028\u2029\r\n\t\x00\x1b\x7f\x85\u3164"
    "\U0001f3f3\ufe0f\U0001f308\U0001f469\u2695\u0301\u0334\u00e9\u212a\u00df\u0130"
    " \u00a0\u3000:;,.|/-–—+()[]{}<>@#*_~`'\"\\=?&!%$"
)
SURROGATE = st.characters(categories=["Cs"])
CHARACTERS = st.one_of(
    st.sampled_from(AWKWARD),
    st.characters(exclude_categories=["Cs"]),
    SURROGATE,
    st.sampled_from("0123456789 :.hm"),
)


def text_with(*fragments: str, max_size: int = 12) -> st.SearchStrategy[str]:
    """Text built from valid fragments, huge numbers and awkward characters, in any order."""
    pieces = st.one_of(
        st.sampled_from(fragments) if fragments else st.nothing(),
        st.integers(min_value=0, max_value=10**30).map(str),
        st.text(CHARACTERS, max_size=4),
    )
    return st.one_of(
        st.lists(pieces, max_size=max_size).map("".join),
        st.lists(pieces, max_size=max_size).map(" ".join),
        st.text(CHARACTERS, max_size=40),
    )


def run(profile: settings, strategy: st.SearchStrategy[Any], check: Callable[..., None]) -> None:
    profile(given(strategy)(check))()


def returns_or_refuses(
    func: Callable[..., Any], expected: type | tuple[type, ...], *args: Any, **kw: Any
) -> None:
    """``func`` returns an ``expected`` value or raises UserError; anything else fails the test."""
    try:
        value = func(*args, **kw)
    except UserError as error:
        assert isinstance(error.message, str) and error.message.strip()
        return
    assert isinstance(value, expected), f"{func.__name__} returned {value!r}"
    for text in strings_in(value):
        text.encode("utf-8")  # a lone surrogate would fail here, as it would at storage
        assert not HIDDEN.intersection(text), f"{func.__name__} kept a hidden character: {text!r}"


HIDDEN = frozenset("\u202e\u2066\u200b\ufeff\x00\x1b\x7f")


def strings_in(value: Any) -> list[str]:
    """Every string inside a returned value (dataclasses, sequences, mappings)."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in strings_in(getattr(value, f.name))]
    if isinstance(value, dict):
        return [t for pair in value.items() for item in pair for t in strings_in(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in strings_in(item)]
    return []


# -- events: dates, times, durations -----------------------------------------------------------

DURATION_WORDS = (
    "h",
    "hr",
    "hrs",
    "hour",
    "hours",
    "m",
    "min",
    "mins",
    "minutes",
    "1.5",
    "2,5",
    "90",
    "1h30",
)
DATE_WORDS = (
    "tomorrow", "next", "monday", "6pm", "18:30", "3 Dec", "2026-12-03", "noon", "midnight", "in",
    "days", "ago", "am", "pm", "at", "on", "of", "2027", "31", "Feb", "yesterday", "weeks", "9999",
    "9999-12-31 23:59", "0001-01-01 00:30", "1 Jan 1", "in 99999 years",
)  # fmt: skip
# Timezones far either side of UTC: near year 1 or 9999 they carry a date out of range.
ZONES = st.sampled_from(["Europe/London", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"])


@pytest.mark.parametrize("profile", PROFILES)
def test_parse_duration(profile: settings) -> None:
    def check(text: str) -> None:
        try:
            value = events_dates.parse_duration(text)
        except UserError:
            return
        assert isinstance(value, timedelta)
        assert timedelta(0) < value <= events_dates.MAX_DURATION

    run(profile, text_with(*DURATION_WORDS), check)


@pytest.mark.parametrize(
    "parse",
    [
        pytest.param(events_dates.parse_when, id="event-when"),
        pytest.param(events_dates.parse_date, id="event-date"),
        pytest.param(pulse_model.parse_start, id="pulse-start"),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_parse_date_and_time(profile: settings, parse: Callable[[str, str, datetime], datetime]) -> None:
    """Every reader of a typed date and time in a server's timezone (events and pulse checks)."""
    run(
        profile,
        st.tuples(text_with(*DATE_WORDS), ZONES),
        lambda a: returns_or_refuses(parse, datetime, a[0], a[1], NOW),
    )


# -- pulse ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_pulse_title(profile: settings) -> None:
    run(
        profile,
        text_with("Weekly", "check-in"),
        lambda t: returns_or_refuses(pulse_model.validate_title, str, t),
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_pulse_question(profile: settings) -> None:
    strategy = st.tuples(
        st.integers(min_value=1, max_value=3),
        text_with("How", "are", "you?"),
        st.sampled_from(["scale", "choice", "", "Scale", "\u202escale"]),
        st.one_of(st.none(), text_with("Yes", "No", ";", "|", ",", "Prefer not to say", "prefer NOT to say")),
        st.booleans(),
    )

    def check(args: tuple[int, str, str, str | None, bool]) -> None:
        number, text, kind, options, prefer_not = args
        returns_or_refuses(
            pulse_model.make_question,
            pulse_model.Question,
            number,
            text,
            kind,
            options,
            prefer_not=prefer_not,
        )

    run(profile, strategy, check)


@pytest.mark.parametrize("profile", PROFILES)
def test_pulse_open_hours_and_threshold(profile: settings) -> None:
    numbers = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-(10**30), max_value=10**30)
    )
    strategy = st.tuples(
        numbers, st.sampled_from([*pulse_model.REPEATS, "", "hourly"]), st.integers(-(10**30), 10**30)
    )

    def check(args: tuple[float, str, int]) -> None:
        hours, repeat, threshold = args
        returns_or_refuses(pulse_model.validate_open_hours, int, hours, repeat)
        returns_or_refuses(pulse_model.validate_threshold, int, threshold)

    run(profile, strategy, check)


# -- signposts ------------------------------------------------------------------------------------

REPEAT_WORDS = (
    "first", "last", "2nd", "monday", "Fri", "of each month", "every", "other", "weeks on", "monthly on the",
    "FREQ=", "MONTHLY", "WEEKLY", "DAILY", "YEARLY", ";", "BYDAY=", "1MO", "-1FR", "INTERVAL=", "COUNT=",
    "UNTIL=", "BYMONTHDAY=", "BYSETPOS=", "BYYEARDAY=", "BYWEEKNO=", "WKST=", "RRULE:", "EXRULE:", "=",
    "20261231T000000Z", "0", "-366",
)  # fmt: skip


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_repeat_and_spacing(profile: settings) -> None:
    def check(args: tuple[str, str]) -> None:
        text, time_text = args
        try:
            rule = signposts_schedule.parse_repeat(text)
            time_of_day = signposts_schedule.parse_time_of_day(time_text)
        except UserError:
            return
        assert isinstance(rule, str) and isinstance(time_of_day, str)
        returns_or_refuses(signposts_schedule.check_rule_spacing, type(None), rule, time_of_day, "2026-10-05")

    run(
        profile,
        st.tuples(text_with(*REPEAT_WORDS), st.one_of(st.just("09:00"), text_with("9", "pm", "12:30"))),
        check,
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_time_of_day(profile: settings) -> None:
    run(
        profile,
        text_with("9", "am", "pm", ":", "12", "23:59", "."),
        lambda t: returns_or_refuses(signposts_schedule.parse_time_of_day, str, t),
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_dates(profile: settings) -> None:
    run(
        profile,
        st.tuples(text_with(*DATE_WORDS, ",", ";", "\n"), ZONES),
        lambda a: returns_or_refuses(signposts_schedule.parse_dates, list, a[0], a[1], NOW),
    )


CONTACT_WORDS = (
    "0300 123 3393", "116 123", "+44", "+353 1 234 5678", "SHOUT to 85258", "text", "to",
    "wellbeing@uni.ac.uk", "mailto:", "https://", "www.", "samaritans.org", "http://[::1]", "https://[x",
    "http://a.b:99999999", "https://a:b", "Mon–Fri", "9am–5pm", "24/7",
    "closed", "(term time)", "Sat", "10:00", "–", "99:99", "@", "..",
)  # fmt: skip
CONTACT_VALUES = st.one_of(
    text_with(*CONTACT_WORDS, max_size=6),
    st.none(),
    st.booleans(),
    st.integers(),
    st.lists(text_with("wellbeing", "money", "health"), max_size=3),
)
CONTACT_KEYS = st.sampled_from(
    [
        "name",
        "categories",
        "hours",
        "description",
        "phone",
        "text",
        "email",
        "web",
        "in_person",
        "confidential",
        "independent",
        "other",
    ]
)


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_contact(profile: settings) -> None:
    base = {
        "name": "Nightline",
        "categories": ["wellbeing"],
        "hours": "24/7",
        "web": "https://nightline.example",
    }
    strategy = st.dictionaries(CONTACT_KEYS, CONTACT_VALUES, max_size=6).map(lambda extra: {**base, **extra})
    run(profile, strategy, lambda data: returns_or_refuses(validate_contact, ContactDraft, data))


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_contact_fields_one_by_one(profile: settings) -> None:
    """Each of phone, text, email, web and hours alone, so every one is reached every time."""
    base = {"name": "Nightline", "categories": ["wellbeing"], "hours": "24/7", "in_person": "Hub"}
    fields = st.sampled_from(["phone", "text", "email", "web", "hours", "name", "in_person", "description"])
    strategy = st.tuples(fields, text_with(*CONTACT_WORDS, max_size=6))
    run(profile, strategy, lambda a: returns_or_refuses(validate_contact, ContactDraft, {**base, a[0]: a[1]}))


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_reach_and_need(profile: settings) -> None:
    def check(text: str) -> None:
        returns_or_refuses(parse_reach, dict, text)
        returns_or_refuses(category_key, str, text)

    run(
        profile, text_with(*CONTACT_WORDS, "phone:", "email:", "web:", "in person:", "\n", "wellbeing"), check
    )


TOML_WORDS = (
    "[[signposts]]\n", "name = ", '"Nightline"', "hours = ", '"24/7"', "categories = ", '["wellbeing"]', "\n",
    'web = "https://x.example"', "phone = ", "= 1", "[x]", '"\\ud800"', '"\\u0000"', "'''", '"""', "= [", "]",
    "= {", "}", "= true", "= 1979-05-27T07:32:00Z", "= inf", "= nan", '"\\U0010FFFF"', "\r", "#",
)  # fmt: skip


@pytest.mark.parametrize("profile", PROFILES)
def test_signpost_toml_import(profile: settings) -> None:
    run(profile, text_with(*TOML_WORDS, max_size=20), lambda t: returns_or_refuses(parse_toml, list, t))


# -- communities ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_community_fields(profile: settings) -> None:
    words = (
        "Black",
        "Medics",
        "Running Club",
        "-",
        "&",
        "🏳️‍🌈",
        "<:name:123456789012345678>",
        "<a:x:1>",
        "identity",
    )

    def check(text: str) -> None:
        returns_or_refuses(communities.validate_name, str, text)
        returns_or_refuses(communities.validate_description, str, text)
        returns_or_refuses(communities.validate_welcome, (str, type(None)), text)
        returns_or_refuses(communities.validate_emoji, (str, type(None)), text)
        returns_or_refuses(communities.validate_kind, str, text)
        assert isinstance(communities.channel_slug(text), str)

    run(profile, text_with(*words), check)


# -- reports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_report_code_and_url(profile: settings) -> None:
    code = reports.new_code()

    def check(text: str) -> None:
        assert isinstance(reports.normalise_code(text), str)
        returns_or_refuses(reports.validate_url, str, text)

    run(
        profile,
        text_with(code, code[:9], "-", "0", "1", "8", "ß", "https://", "https://[", ":99999", "x.example"),
        check,
    )


# -- mentoring ------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_mentoring_time_and_labels(profile: settings) -> None:
    def check(text: str) -> None:
        returns_or_refuses(parse_minute, int, text)
        assert isinstance(slug(text), str)

    run(profile, text_with("09", ":", "30", "h", ".", "23"), check)


# -- crashes these properties found, kept as plain examples -------------------------------------


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: events_dates.parse_duration("99999999999999h"), "couldn't read"),  # was OverflowError
        (lambda: events_dates.parse_duration("13h"), "up to 12 hours"),
        (lambda: events_dates.parse_duration("٣h"), "couldn't read"),  # Arabic-Indic 3 was read as 3
        (lambda: events_dates.parse_duration("0"), "at least a minute"),
        (lambda: events_dates.parse_when("9999-12-31 23:59", "America/New_York", NOW), "couldn't read"),
        (lambda: events_dates.parse_date("9999-12-31", "America/New_York", NOW), "years away"),
        (lambda: pulse_model.parse_start("1 Jan 0001 10:00", TZ, NOW), "years away"),
        (lambda: signposts_schedule.parse_dates("9999-12-31", "America/New_York", NOW), "years away"),
        (lambda: reports.validate_url("https://["), "full https:// address"),  # was ValueError
        (lambda: reports.validate_url("https://a.example:99999/"), "full https:// address"),
        (lambda: pulse_model.validate_title("Week\ud800ly"), "broken character"),
    ],
)
def test_inputs_that_used_to_crash_get_a_kind_answer(call: Callable[[], object], says: str) -> None:
    with pytest.raises(UserError, match=says):
        call()


def test_a_web_link_with_a_broken_host_is_a_listed_problem() -> None:
    with pytest.raises(UserError, match="not a web link I can use"):
        validate_contact({"name": "N", "categories": ["wellbeing"], "hours": "24/7", "web": "https://[x"})


def test_durations_are_read_as_before() -> None:
    assert events_dates.parse_duration("2h") == timedelta(hours=2)
    assert events_dates.parse_duration("1h30") == timedelta(minutes=90)
    assert events_dates.parse_duration("1,5 hours") == timedelta(minutes=90)
    assert events_dates.parse_duration("90") == timedelta(minutes=90)


def test_experiences_in_other_scripts_do_not_share_a_key() -> None:
    assert slug("عربي") != slug("中文")
    assert slug("Care leavers") == "care-leavers"


# -- events: what organisers type, capacity, series options, reminder hours, calendar files ------

EVENT_WORDS = (
    "Board games", "and chai", "Room 2", "https://", "http://", "meet.example/abc", "https://[", ":99999",
    "https://a b", "javascript:", "-", "Free", "£3", "halal", "step-free", "\u202e", "\u200b", "\ud800",
    "**bold**", "[link](https://evil.example)", "@everyone", "<@123>", "\n", "x" * 120,
)  # fmt: skip
FIELD_TEXT = st.one_of(st.none(), text_with(*EVENT_WORDS, max_size=8))


def _event_service() -> Any:
    from bot.clock import ManualClock
    from bot.services.events import EventService

    # validate() reads only the clock; a database it never touches is not needed.
    return EventService(None, ManualClock(NOW))  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", PROFILES)
def test_event_draft(profile: settings) -> None:
    """A whole draft of hostile text: its first (start, end), or a kind refusal; what is kept is
    clean and within Discord's limits."""
    from bot.services.events import LIMITS, EventDraft

    service = _event_service()
    strategy = st.tuples(
        st.fixed_dictionaries({name: FIELD_TEXT for name in LIMITS}),
        st.one_of(st.just("2026-10-08 18:30"), text_with(*DATE_WORDS)),
        st.one_of(st.none(), st.just("2h"), text_with(*DURATION_WORDS)),
        st.one_of(st.none(), st.just("20:30"), text_with(*DATE_WORDS)),
        st.one_of(st.none(), st.integers(-(10**30), 10**30)),
        ZONES,
    )

    def check(args: tuple[dict[str, str | None], str, str | None, str | None, int | None, str]) -> None:
        texts, start, duration, end, capacity, tz = args
        draft = EventDraft(kind="social", title="", start=start, alcohol_free=True)
        for name, value in texts.items():
            setattr(draft, name, value if name not in ("title", "description") else value or "")
        draft.duration, draft.end, draft.capacity = duration, end, capacity
        try:
            first, last = service.validate(draft, tz)
        except UserError as error:
            assert error.message.strip()
            return
        assert isinstance(first, datetime) and isinstance(last, datetime) and first < last
        for name, limit in LIMITS.items():
            value = getattr(draft, name)
            assert value is None or (isinstance(value, str) and len(value) <= limit), name
        for text in strings_in(draft):
            text.encode("utf-8")
            assert not HIDDEN.intersection(text), text

    run(profile, strategy, check)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_fields_and_link(profile: settings) -> None:
    from bot.services.events import LIMITS, clean_field, validate_link

    def check(args: tuple[str, str]) -> None:
        name, text = args
        returns_or_refuses(clean_field, (str, type(None)), name, text)
        returns_or_refuses(validate_link, (str, type(None)), text)

    run(profile, st.tuples(st.sampled_from(list(LIMITS)), text_with(*EVENT_WORDS, max_size=8)), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_capacity(profile: settings) -> None:
    from bot.services.events import validate_capacity

    values = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(CHARACTERS, max_size=6),
    )

    def check(value: object) -> None:
        returns_or_refuses(validate_capacity, (int, type(None)), value)
        returns_or_refuses(validate_capacity, (int, type(None)), value, edit=True)

    run(profile, values, check)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_series_options(profile: settings) -> None:
    from bot.services.events import plan_starts
    from bot.services.recurrence import localise

    start = localise(datetime(2026, 10, 8, 18, 30), TZ)
    strategy = st.tuples(
        st.one_of(st.none(), st.sampled_from(["weekly", "fortnightly", "monthly", "", "daily"]), text_with()),
        st.one_of(st.none(), st.just("17 Dec"), text_with(*DATE_WORDS)),
        st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70)),
    )

    def check(args: tuple[str | None, str | None, int | None]) -> None:
        repeat, until, count = args
        try:
            starts, rule = plan_starts(start, TZ, NOW, repeat=repeat, until=until, count=count)
        except UserError as error:
            assert error.message.strip()
            return
        assert starts and all(isinstance(s, datetime) for s in starts)
        assert (rule is None) == (len(starts) == 1)

    run(profile, strategy, check)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_reminder_hours(profile: settings) -> None:
    from bot.services.events import MAX_LEAD_TIMES, lead_times_from_hours, parse_reminder_hours

    words = ("24", "1", "0.25", ",", ";", "nan", "inf", "-inf", "1e309", "-1", "1_000", "0x10", "336", "337")

    def check(args: tuple[str, list[float]]) -> None:
        text, floats = args
        try:
            hours = parse_reminder_hours(text)
            leads = lead_times_from_hours(hours)
        except UserError as error:
            assert error.message.strip()
        else:
            assert len(leads) <= MAX_LEAD_TIMES
            assert all(isinstance(x, int) and 900 <= x <= 336 * 3600 for x in leads)
        returns_or_refuses(lead_times_from_hours, tuple, floats)

    floats = st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6)
    run(profile, st.tuples(text_with(*words), floats), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_calendar_file(profile: settings) -> None:
    """A calendar file builds from any stored text (even saved before cleaning, even broken)."""
    from bot.services.events import EventInfo
    from bot.services.events_ics import calendar_bytes

    text = text_with(*EVENT_WORDS, max_size=8)
    optional = st.one_of(st.none(), text)
    strategy = st.builds(
        EventInfo,
        event_id=st.integers(1, 2**63 - 1),
        guild_id=st.integers(1, 2**63 - 1),
        series_id=st.none(),
        kind=st.sampled_from(["social", "workshop"]),
        title=text,
        description=text,
        starts_at=st.integers(0, 10**10),
        ends_at=st.integers(10**10, 2 * 10**10),
        place=optional,
        online_link=optional,
        cost=optional,
        food=optional,
        accessibility=optional,
        facilitators=optional,
        theme=optional,
        capacity=st.none(),
        community_channel_id=st.none(),
        channel_id=st.none(),
        message_id=st.none(),
        scheduled_event_id=st.none(),
        status=st.sampled_from(["scheduled", "cancelled"]),
    )

    def check(args: tuple[EventInfo, str]) -> None:
        event, name = args
        data = calendar_bytes([event], 1_700_000_000, name=name)
        assert isinstance(data, bytes) and data.startswith(b"BEGIN:VCALENDAR")
        decoded = data.decode("utf-8")
        assert not HIDDEN.intersection(decoded.replace("\r\n", ""))

    run(profile, st.tuples(strategy, text), check)


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: _lead_hours("nan"), "as hours"),  # float("nan") passed every check, then crashed
        (lambda: _lead_hours("1e309"), "as hours"),
        (lambda: _lead_hours("inf"), "as hours"),
        (lambda: _lead_hours("-1"), "as hours"),
        (lambda: _lead_hours("١٢"), "as hours"),  # float() reads Arabic-Indic digits
        (lambda: _lead_hours("0.0001"), "between 0.25 and 336"),  # was a reminder 0 seconds before
        (lambda: _lead_hours("1, 2, 3, 4, 5"), "up to 4"),
        (lambda: _event_link("https://["), "https://"),  # was ValueError from urlparse
        (lambda: _event_link("https://a b.example"), "https://"),
        (lambda: _event_capacity(2**64), "up to 100,000"),  # was OverflowError at storage
    ],
)
def test_event_inputs_that_used_to_crash_get_a_kind_answer(call: Callable[[], object], says: str) -> None:
    with pytest.raises(UserError, match=says):
        call()


def _lead_hours(text: str) -> tuple[int, ...]:
    from bot.services.events import lead_times_from_hours, parse_reminder_hours

    return lead_times_from_hours(parse_reminder_hours(text))


def _event_link(text: str) -> str | None:
    from bot.services.events import validate_link

    return validate_link(text)


def _event_capacity(value: int) -> int | None:
    from bot.services.events import validate_capacity

    return validate_capacity(value)
