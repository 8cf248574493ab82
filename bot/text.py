"""Text people type: cleaned before the bot stores it, made inert before staff read it.

Two functions, no Discord imports:

* :func:`clean_text` for everything a person types that the bot stores or shows (titles,
  descriptions, report bodies, answers, names). It returns the text in NFC, without the
  characters that hide or disguise text, or raises :class:`~bot.errors.UserError` with a
  message saying what to change (a broken character, too long, empty when required).
* :func:`escape_markdown_for_staff` for showing such text where Markdown must not work (reports
  to staff always): every Markdown and mention character is escaped, and every link is shown as
  code (not clickable) with the place it really goes to visible, so ``[verify](https://evil…)``
  can never render as a disguised link.

What :func:`clean_text` removes or changes
------------------------------------------
* Bidirectional controls (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C) and every other
  invisible format character (category Cf: U+200B, U+2060, U+FEFF, soft hyphen, …), except:

  - the joiners U+200D (ZWJ) and U+200C (ZWNJ) between two non-ASCII letters, marks, digits or
    symbols: emoji sequences such as 👩‍⚕️ and 🏳️‍🌈 need ZWJ, and Persian, Hindi, Sinhala and
    other scripts need both; a joiner anywhere else (between ASCII letters, at either end, next
    to a space) has no use but hiding things, and goes;
  - tag characters in an emoji flag sequence (🏴 + tags + cancel tag, such as the flag of
    Scotland); elsewhere they are invisible "ASCII smuggling" and go.

* Variation selectors (U+FE00–FE0F, U+E0100–E01EF) are kept directly after a visible character
  (🏳️, 1️⃣, ❤️); a second one in a row, or one after a space, joiner or line break, goes.
* More than :data:`MAX_MARKS` combining marks on one character ("Zalgo" text spilling over other
  lines) are cut to that many; real scripts need far fewer.
* Control characters go, except line breaks: CRLF, CR, NEL, VT, FF and U+2028/U+2029 become a
  newline (a space when ``multiline=False``). A tab becomes one space: it keeps words apart as
  the person meant, without storing a control character that lays text out differently in
  every client.
* Hangul filler characters (blank "letters" used for invisible names) and Unicode
  noncharacters go. Unassigned code points are kept: they may be emoji newer than Python's
  Unicode tables.
* Leading and trailing whitespace goes. The result is NFC.

A lone surrogate (U+D800–DFFF, which a JSON escape such as ``"\\ud800"`` can produce and which
cannot be stored) is refused, not removed, so the person knows to retype that part.

Lengths are counted in code points, as Discord counts them (Python's ``len``).

Cleaning is idempotent: ``clean_text(clean_text(x)) == clean_text(x)``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from urllib.parse import urlsplit

from bot.errors import UserError

# -- Discord's limits, in code points -----------------------------------------------------

# The one home of these numbers: bot.ui re-exports them for the Discord side.
MESSAGE_LIMIT: Final = 2000
EMBED_TITLE_LIMIT: Final = 256
EMBED_DESCRIPTION_LIMIT: Final = 4096
EMBED_FIELD_NAME_LIMIT: Final = 256
EMBED_FIELD_VALUE_LIMIT: Final = 1024
EMBED_FIELDS_LIMIT: Final = 25
EMBED_TOTAL_LIMIT: Final = 6000
SELECT_OPTIONS_LIMIT: Final = 25
SELECT_LABEL_LIMIT: Final = 100
BUTTON_LABEL_LIMIT: Final = 80
MODAL_TITLE_LIMIT: Final = 45
TEXT_INPUT_LABEL_LIMIT: Final = 45
TEXT_INPUT_VALUE_LIMIT: Final = 4000
AUTOCOMPLETE_CHOICES_LIMIT: Final = 25
CHOICE_NAME_LIMIT: Final = 100

#: At most this many combining marks (and variation selectors) on one character.
MAX_MARKS: Final = 8

# -- character classes ----------------------------------------------------------------------

ZWJ: Final = "\u200d"
ZWNJ: Final = "\u200c"
_JOINERS: Final = frozenset({ZWJ, ZWNJ})
_BLACK_FLAG: Final = "\U0001f3f4"
_CANCEL_TAG: Final = "\U000e007f"
_TAG_FIRST, _TAG_LAST = 0xE0020, 0xE007E
_HANGUL_FILLERS: Final = frozenset("\u115f\u1160\u3164\uffa0")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# Line breaks other than "\n" (after "\r\n" has become "\n").
_LINE_BREAKS: Final = frozenset("\r\x0b\x0c\x85\u2028\u2029")


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _is_base(ch: str) -> bool:
    """A visible character a variation selector may follow."""
    if ch in _JOINERS or _is_variation_selector(ch) or ch.isspace():
        return False
    return unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _is_joinable(ch: str) -> bool:
    """A character a joiner may stand beside: non-ASCII letter, mark, digit or symbol."""
    if ch.isascii() or ch in _JOINERS or ch.isspace():
        return False
    return unicodedata.category(ch)[0] in "LMNS"


# -- cleaning --------------------------------------------------------------------------------


def _keep(ch: str) -> bool:
    """Whether pass 1 keeps ``ch`` (joiners are kept here and decided in pass 3)."""
    if ch in _JOINERS:
        return True
    if ch in _HANGUL_FILLERS or _is_noncharacter(ord(ch)):
        return False
    return unicodedata.category(ch) not in ("Cc", "Cf")


def _drop_hidden(text: str, *, multiline: bool) -> list[str]:
    """Pass 1: line breaks, controls, format characters (joiners are decided later)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        cp = ord(ch)
        if ch == "\n" or ch in _LINE_BREAKS:
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif _TAG_FIRST <= cp <= _TAG_LAST + 1:
            # A run of tag characters: kept only as a whole emoji flag tag sequence.
            j = i
            while j < n and _TAG_FIRST <= ord(text[j]) <= _TAG_LAST + 1:
                j += 1
            run = text[i:j]
            if (
                out
                and out[-1] == _BLACK_FLAG
                and 2 <= len(run) <= 8
                and run.endswith(_CANCEL_TAG)
                and _CANCEL_TAG not in run[:-1]
            ):
                out.extend(run)
            i = j
            continue
        elif _keep(ch):
            out.append(ch)
        i += 1
    return out


def _limit_marks(chars: list[str]) -> list[str]:
    """Pass 2: variation selectors only after a visible character; no floods of marks."""
    out: list[str] = []
    marks = 0  # combining marks since the last base character (joiners don't end the run)
    for ch in chars:
        if _is_variation_selector(ch):
            if not out or not _is_base(out[-1]) or marks >= MAX_MARKS:
                continue
            marks += 1
        elif _is_mark(ch):
            if marks >= MAX_MARKS:
                continue
            marks += 1
        elif ch not in _JOINERS:
            marks = 0
        out.append(ch)
    return out


def _place_joiners(chars: list[str]) -> str:
    """Pass 3: a joiner stays only between two joinable characters."""
    out: list[str] = []
    last = len(chars) - 1
    for i, ch in enumerate(chars):
        if ch in _JOINERS:
            between = 0 < i < last and _is_joinable(chars[i - 1]) and _is_joinable(chars[i + 1])
            if not between:
                continue
        out.append(ch)
    return "".join(out)


def _clean(text: str, *, multiline: bool) -> str:
    """Everything :func:`clean_text` does except refusing; ``text`` has no surrogates."""
    # NFC first too, so a compatibility character (such as the Kelvin sign, which becomes "K")
    # is what the joiner rules look at, then again because removing characters can bring a
    # letter and its mark together.
    text = unicodedata.normalize("NFC", text)
    chars = _limit_marks(_drop_hidden(text, multiline=multiline))
    return unicodedata.normalize("NFC", _place_joiners(chars)).strip()


def clean_text(
    text: str,
    *,
    field: str = "Your text",
    limit: int | None = None,
    multiline: bool = True,
    required: bool = False,
) -> str:
    """``text`` as the bot should store and show it; raises :class:`UserError` if it can't be.

    ``field`` names the text in messages ("The title", "What happened"), starting with a
    capital. ``limit`` is the most code points the cleaned text may have (use Discord's limit
    for where it will be shown, or the feature's own). ``multiline=False`` turns line breaks
    into spaces (titles, names, labels). ``required=True`` refuses text that is empty once
    cleaned (for example only spaces or invisible characters).
    """
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise UserError(
            "{field} has a broken character in it (at position {position}), which can happen when "
            "text is copied from some apps. Please retype that part and try again.",
            field=field,
            position=surrogate.start() + 1,
        )
    cleaned = _clean(text, multiline=multiline)
    if required and not cleaned:
        raise UserError("{field} is empty. Please write a few words, then try again.", field=field)
    if limit is not None and len(cleaned) > limit:
        over = len(cleaned) - limit
        raise UserError.counted(
            "{field} is {length} characters long; the limit is {limit}. Please shorten it by {n} character.",
            "{field} is {length} characters long; the limit is {limit}. Please shorten it by {n} characters.",
            over,
            field=field,
            length=f"{len(cleaned):,}",
            limit=f"{limit:,}",
        )
    return cleaned


# -- showing text with Markdown inert --------------------------------------------------------

# Anything that looks like a link: "scheme://…" (or a bare "://…"), up to white space, a
# backtick (which would end the code span it is shown in) or an angle bracket.
_URL: Final = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*)?://[^\s`<>]*")
_TRAILING: Final = ".,;:!?'\""
# Escaped wherever they are: emphasis, code, strike, spoilers, masked links, mentions,
# channel links, custom emoji, timestamps, autolinks, block quotes and headings.
_ALWAYS: Final = frozenset("\\*_~`|[]<>#@")
# Escaped at the start of a line (after spaces): lists and "-#" subtext.
_LINE_START: Final = frozenset("-+")
_ELLIPSIS: Final = "…"
_HOST: Final = re.compile(r"[a-z0-9_.\-]+|[0-9a-f:.]+")


def _split_url(token: str) -> tuple[str, str]:
    """The link, and punctuation after it that belongs to the sentence."""
    end = len(token)
    while end > 0:
        last = token[end - 1]
        if last in _TRAILING or (last == ")" and token.count(")", 0, end) > token.count("(", 0, end)):
            end -= 1
        else:
            break
    return token[:end], token[end:]


def _host(url: str) -> str | None:
    """Where a link goes, readable and unambiguous, or None if it can't be told."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    labels = []
    for label in host.split("."):
        try:
            labels.append(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii"))
        except (UnicodeError, ValueError):
            return None
    shown = ".".join(labels)
    # A name (letters, digits, dots, hyphens) or an IP address; anything else can't be a host.
    return shown if _HOST.fullmatch(shown) else None


def _needs_host_note(url: str, host: str | None) -> bool:
    if host is None:
        return True
    netloc = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return "@" in netloc or "\\" in netloc or not netloc.isascii() or not netloc.lower().startswith(host)


def _escape_plain(text: str, *, line_start: bool) -> tuple[list[str], bool]:
    pieces: list[str] = []
    for ch in text:
        if ch in _ALWAYS or (line_start and ch in _LINE_START):
            pieces.append("\\" + ch)
        elif line_start and ch in ".)" and pieces and pieces[-1].isdigit():
            pieces.append("\\" + ch)  # "1. " would start a numbered list
        else:
            pieces.append(ch)
        if ch == "\n":
            line_start = True
        elif not (ch in " \t" or (line_start and ch.isdigit())):
            line_start = False
    return pieces, line_start


def _link_pieces(url: str) -> list[str]:
    pieces = [f"`{url}`"]
    host = _host(url)
    if _needs_host_note(url, host):
        note = f" (goes to {host})" if host else " (an address that can't be read)"
        pieces.extend(_escape_plain(note, line_start=False)[0])
    return pieces


def escape_markdown_for_staff(text: str, *, limit: int | None = None) -> str:
    """``text`` to show as typed, with no Markdown, mention or link working.

    Invisible and direction-changing characters are removed first (as :func:`clean_text` does;
    a lone surrogate becomes U+FFFD), so nothing reorders what staff see. Markdown characters
    are escaped with a backslash; every link is shown as inline code, which Discord never makes
    clickable, followed by ``(goes to host)`` where the address could mislead (a user name
    before ``@``, or a non-ASCII domain, shown in its ``xn--`` form). ``limit`` cuts the result
    (ending with "…") without splitting an escape or a code span.
    """
    visible = _clean(_SURROGATE.sub("\ufffd", text), multiline=True)
    pieces: list[str] = []
    line_start = True
    position = 0
    for match in _URL.finditer(visible):
        url = _split_url(match.group())[0]  # punctuation after it is escaped with the text
        plain, line_start = _escape_plain(visible[position : match.start()], line_start=line_start)
        pieces += plain
        pieces += _link_pieces(url)
        line_start = False
        position = match.start() + len(url)
    pieces += _escape_plain(visible[position:], line_start=line_start)[0]
    if limit is None or sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    room = limit - len(_ELLIPSIS)
    for piece in pieces:
        if len(piece) > room:
            break
        kept.append(piece)
        room -= len(piece)
    return "".join(kept) + _ELLIPSIS if limit >= len(_ELLIPSIS) else ""
