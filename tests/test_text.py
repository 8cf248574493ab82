"""Text people type: cleaning (bot.text.clean_text) and showing it inert to staff.

Property-based (hypothesis): a few hundred examples per property by default, 10,000 under the
``slow`` marker (``pytest -m slow tests/test_text.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.text import (
    MAX_MARKS,
    ZWJ,
    ZWNJ,
    clean_text,
    escape_markdown_for_staff,
)

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
PROFILES = [pytest.param(FAST, id="fast"), pytest.param(SLOW, id="slow", marks=pytest.mark.slow)]

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"
TAGS = "".join(chr(cp) for cp in (0xE0001, 0xE0020, 0xE0067, 0xE0062, 0xE0073, 0xE0063, 0xE0074, 0xE007F))
SPECIAL = (
    BIDI
    + ZERO_WIDTH
    + TAGS
    + ZWJ
    + ZWNJ
    + "\ufe0f\ufe0e\U000e0100\u20e3\u0301\u0308\u0334\u036f\u093f\u094d"  # selectors and marks
    + "\U0001f3f4\U0001f3f3\U0001f469\U0001f308\u2695\u2764\U0001f3fd"  # emoji and a skin tone
    + "\u0645\u06cc\u0915\u0937\u0dc1\u845b\u00e9\u212a\u2126\u00c5"  # scripts; Kelvin, Ohm
    + "\r\n\t\x00\x07\x1b\x7f\x85\x9b\x0b\x0c\u2028\u2029\x1c"  # line breaks and controls
    + "\u3164\u115f\uffa0\ufdd0\uffff\U0010ffff\ue000\U000e01ef"  # fillers, nonchars, private
    + " \u00a0\u3000"
    + "\\*_~`|[]()<>#@-+.:/!1 aAzZ09"  # Markdown
)
SURROGATES = st.characters(categories=["Cs"])
ANY_SCALAR = st.characters(exclude_categories=["Cs"])  # every code point but surrogates
CHARACTERS = st.one_of(st.sampled_from(SPECIAL), ANY_SCALAR, SURROGATES)
TEXT = st.text(CHARACTERS, max_size=60)
SAFE_TEXT = st.text(st.one_of(st.sampled_from(SPECIAL), ANY_SCALAR), max_size=60)
MARKDOWN_WORDS = st.sampled_from(
    [
        "[click here to verify](https://evil.example/x)",
        "[a](<https://evil.example>)",
        "<https://evil.example/login>",
        "https://paypal.com@evil.example/",
        "https://pаypal.com/",
        "hxxps://x",
        "://",
        "(https://a.example/b_(c))",
        "<@123456789012345678>",
        "<@&1>",
        "<#1>",
        "</cmd:1>",
        "<t:1700000000:R>",
        "<:name:1>",
        "@everyone",
        "@here",
        "# ",
        "## ",
        "-# ",
        "> ",
        ">>> ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "12) ",
        "**",
        "__",
        "~~",
        "||",
        "`",
        "```",
        "\\",
        "\n",
        " ",
        "steam://run/1",
        "HTTPS://EVIL.EXAMPLE",
    ]
)
MARKDOWN_TEXT = st.lists(st.one_of(MARKDOWN_WORDS, SAFE_TEXT.map(lambda t: t[:8])), max_size=12).map("".join)

ALLOWED_CONTROLS = {"\n"}


def run(profile: settings, strategy: st.SearchStrategy[object], check: Callable[..., None]) -> None:
    profile(given(strategy)(check))()


# -- clean_text --------------------------------------------------------------------------------


OPTIONS = st.fixed_dictionaries(
    {
        "limit": st.one_of(st.none(), st.integers(min_value=0, max_value=80)),
        "multiline": st.booleans(),
        "required": st.booleans(),
        "field": st.sampled_from(["The title", "What happened"]),
    }
)


def _assert_clean(out: str, *, multiline: bool) -> None:
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    for i, ch in enumerate(out):
        category = unicodedata.category(ch)
        assert category != "Cs"
        assert ch not in BIDI and ch not in ZERO_WIDTH, f"{ch!r} at {i} in {out!r}"
        if category == "Cc":
            assert ch in ALLOWED_CONTROLS and multiline, f"{ch!r} at {i} in {out!r}"
        if ch in (ZWJ, ZWNJ):
            before, after = out[i - 1], out[i + 1]  # never first or last
            assert not before.isascii() and not after.isascii(), out
            assert not before.isspace() and not after.isspace(), out
        elif category == "Cf":
            # Only an emoji flag tag sequence: 🏴 + tag characters + cancel tag.
            assert 0xE0020 <= ord(ch) <= 0xE007F, f"{ch!r} at {i} in {out!r}"
            start = i
            while 0xE0020 <= ord(out[start]) <= 0xE007F:
                start -= 1
            assert out[start] == "\U0001f3f4", out
        if 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF:
            assert i > 0 and not out[i - 1].isspace() and out[i - 1] not in (ZWJ, ZWNJ), out
            assert not (0xFE00 <= ord(out[i - 1]) <= 0xFE0F), out
        assert ch not in "\u3164\u115f\u1160\uffa0\ufdd0\uffff"
    marks = 0
    for ch in out:
        marks = marks + 1 if unicodedata.category(ch)[0] == "M" else 0 if ch not in (ZWJ, ZWNJ) else marks
        assert marks <= MAX_MARKS, out


@pytest.mark.parametrize("profile", PROFILES)
def test_cleaning_only_ever_raises_user_error_and_its_output_is_clean(profile: settings) -> None:
    def check(case: tuple[str, dict[str, object]]) -> None:
        text, options = case
        try:
            out = clean_text(text, **options)  # type: ignore[arg-type]
        except UserError as error:
            assert str(options["field"]) in error.message
            broken = any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
            assert broken or options["required"] or options["limit"] is not None
            return
        _assert_clean(out, multiline=bool(options["multiline"]))
        limit = options["limit"]
        assert limit is None or len(out) <= int(str(limit))
        assert out or not options["required"]

    run(profile, st.tuples(TEXT, OPTIONS), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_cleaning_is_idempotent(profile: settings) -> None:
    def check(case: tuple[str, bool]) -> None:
        text, multiline = case
        once = clean_text(text, multiline=multiline)
        assert clean_text(once, multiline=multiline) == once

    run(profile, st.tuples(SAFE_TEXT, st.booleans()), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_lone_surrogate_is_refused_kindly(profile: settings) -> None:
    def check(case: tuple[str, str, str]) -> None:
        before, surrogate, after = case
        with pytest.raises(UserError) as caught:
            clean_text(before + surrogate + after, field="The title")
        assert caught.value.message.startswith("The title has a broken character")
        assert "retype" in caught.value.message

    run(profile, st.tuples(SAFE_TEXT, SURROGATES, SAFE_TEXT), check)


@pytest.mark.parametrize(
    "text",
    [
        "👩‍⚕️",  # woman health worker: ZWJ + VS16
        "🏳️‍🌈",  # rainbow flag: VS16 before ZWJ
        "👨‍👩‍👧‍👦",
        "🧑🏿‍🤝‍🧑🏻",  # skin tones and ZWJ
        "❤️ 👍🏽 1️⃣ #️⃣",  # VS16 and keycaps on ASCII bases
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # flag of Scotland: a tag sequence
        "می‌خواهم",  # Persian needs ZWNJ
        "क्‍ष",  # Devanagari half form with ZWJ
        "ශ්‍රී",  # Sinhala with ZWJ
        "葛󠄀城",  # an ideographic variation sequence
        "Zoë, Łódź, İstanbul, Việt Nam",
        "line one\nline two\n\nparagraph",
    ],
)
def test_emoji_and_scripts_that_need_joiners_survive_unchanged(text: str) -> None:
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pay\u200dpal", "paypal"),  # a joiner between ASCII letters only hides things
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("\u2066a\u2069 \u200eb\u200f \u061cc", "a b c"),
        ("zero\u200bwidth\u2060word\ufeff", "zerowidthword"),
        ("\ufeffBOM at the start", "BOM at the start"),
        ("tab\there", "tab here"),
        ("crlf\r\nand cr\rand nel\x85end", "crlf\nand cr\nand nel\nend"),
        ("bell\x07 esc\x1b[31m nul\x00", "bell esc[31m nul"),
        ("e\u0301", "é"),  # NFC
        ("e\u200b\u0301", "é"),  # NFC after removal
        ("\u3164", ""),  # Hangul filler, an "invisible name"
        ("a" + "\u0301" * 30, "á" + "\u0301" * MAX_MARKS),  # NFC composes one, then the cap
        ("smuggled\U000e0068\U000e0069", "smuggled"),  # tag characters outside a flag
        ("a\ufe0f\ufe0f\ufe0f", "a\ufe0f"),
        ("  padded  ", "padded"),
    ],
)
def test_hidden_and_disguising_characters_are_removed(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_single_line_fields_get_spaces_for_line_breaks() -> None:
    assert clean_text("Games\nnight\r\ntonight", multiline=False) == "Games night tonight"


def test_limits_and_required_text_are_explained() -> None:
    assert clean_text("x" * 10, limit=10) == "x" * 10
    with pytest.raises(UserError) as caught:
        clean_text("x" * 12, field="The title", limit=10)
    assert caught.value.message == (
        "The title is 12 characters long; the limit is 10. Please shorten it by 2 characters."
    )
    # The limit applies to what is kept: invisible characters don't count.
    assert clean_text("x" * 10 + "\u200b" * 50, limit=10) == "x" * 10
    with pytest.raises(UserError, match="is empty"):
        clean_text(" \u200b\u3164 ", field="The title", required=True)
    assert clean_text(" \u200b ") == ""


# -- escape_markdown_for_staff -----------------------------------------------------------------

ESCAPABLE = re.compile(r"[^0-9A-Za-z\s]")


def render(markdown: str) -> tuple[str, list[bool]]:
    """What Discord shows for ``markdown``, and which characters are still live Markdown.

    A model of Discord's inline rules that matter here: a backslash before any ASCII
    punctuation (or other non-alphanumeric, non-space character) shows that character as text;
    a backtick opens a code span closed by the next backtick, shown as text. Everything else is
    live: if it is a Markdown character, Discord may act on it.
    """
    shown: list[str] = []
    live: list[bool] = []
    i = 0
    while i < len(markdown):
        ch = markdown[i]
        if ch == "\\" and i + 1 < len(markdown) and ESCAPABLE.match(markdown[i + 1]):
            shown.append(markdown[i + 1])
            live.append(False)
            i += 2
        elif ch == "`" and markdown.find("`", i + 1) != -1:
            end = markdown.find("`", i + 1)
            code = markdown[i + 1 : end]
            assert "://" in code, f"only links are shown as code: {markdown!r}"
            shown += code
            live += [False] * len(code)
            i = end + 1
        else:
            shown.append(ch)
            live.append(True)
            i += 1
    return "".join(shown), live


MASKED_LINK = re.compile(r"\[[^\]]*\]\(\s*<?[a-z][a-z0-9+.\-]*:", re.IGNORECASE)


def assert_inert(markdown: str) -> None:
    shown, live = render(markdown)
    live_text = "".join(ch if is_live else "\x00" for ch, is_live in zip(shown, live, strict=True))
    for special in "\\*_~`|[]<>#@":
        assert special not in live_text, f"live {special!r} in {markdown!r}"
    assert MASKED_LINK.search(live_text) is None, markdown
    assert "://" not in live_text, f"a clickable link in {markdown!r}"
    for line in live_text.split("\n"):
        start = line.lstrip(" ")
        assert not start.startswith(("-", "+")), f"a list or subtext line in {markdown!r}"
        assert re.match(r"\d+[.)]", start) is None, f"a numbered list in {markdown!r}"


@pytest.mark.parametrize("profile", PROFILES)
def test_the_escaper_never_yields_live_markdown_or_a_masked_link(profile: settings) -> None:
    def check(text: str) -> None:
        assert_inert(escape_markdown_for_staff(text))

    run(profile, st.one_of(MARKDOWN_TEXT, TEXT), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_escaper_shows_text_as_typed_apart_from_link_notes(profile: settings) -> None:
    def check(text: str) -> None:
        shown, _ = render(escape_markdown_for_staff(text))
        expected = clean_text(text)
        if "://" not in expected:
            assert shown == expected
        else:
            notes = re.sub(r" \((?:goes to [^)\s]*|an address that can't be read)\)", "", shown)
            assert notes == expected

    run(profile, st.one_of(MARKDOWN_TEXT, SAFE_TEXT), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_escaper_cuts_to_a_limit_without_breaking_an_escape(profile: settings) -> None:
    def check(case: tuple[str, int]) -> None:
        text, limit = case
        out = escape_markdown_for_staff(text, limit=limit)
        assert len(out) <= limit
        assert_inert(out)

    run(profile, st.tuples(st.one_of(MARKDOWN_TEXT, TEXT), st.integers(min_value=0, max_value=60)), check)


def test_a_disguised_link_shows_where_it_goes() -> None:
    out = escape_markdown_for_staff("[click here to verify](https://evil.example/x)")
    assert out == r"\[click here to verify\](`https://evil.example/x`)"
    assert "evil.example" in render(out)[0]


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://paypal.com@evil.example/login", "evil.example"),
        ("https://pаypal.com/", "xn--pypal-4ve.com"),  # Cyrillic а
    ],
)
def test_links_that_could_mislead_name_their_real_host(text: str, host: str) -> None:
    shown, _ = render(escape_markdown_for_staff(text))
    assert shown.endswith(f"(goes to {host})")


def test_mentions_headings_and_subtext_are_shown_as_typed() -> None:
    text = "# Urgent\n-# small print\n> quoted\n1. first\n<@123> @everyone <https://a.example>"
    out = escape_markdown_for_staff(text)
    assert render(out)[0] == text
    assert out.splitlines()[:4] == [r"\# Urgent", r"\-\# small print", r"\> quoted", r"1\. first"]


def test_the_escaper_removes_direction_overrides_so_links_read_true() -> None:
    out = escape_markdown_for_staff("see https://\u202eelpmaxe.live/")
    assert "\u202e" not in out and "`https://elpmaxe.live/`" in out
    assert escape_markdown_for_staff("broken \ud800 char") == "broken \ufffd char"
