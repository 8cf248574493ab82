"""What organisers see of who is coming: ``/event attendees`` page by page, and the register.

Display names as plain text (never mentions), each with what the student chose to share, for the
organiser's eyes only, in the organiser's language. Pure functions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.services.events import Attendee, Attendees, EventInfo
from bot.text import escape_markdown_for_staff
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, clip
from cogs.events.render import ONLY_YOU, places_line, short_when

#: At most this many people on one page of ``/event attendees`` (their names are looked up when
#: the page is shown), and this many characters of the page's list.
ATTENDEES_PER_PAGE = 25
_LIST_ROOM = EMBED_DESCRIPTION_LIMIT - 900  # the page's header and section headings fit in the rest
_NAME_ROOM = 100  # an escaped display name (Discord allows 32 characters) never takes more
_NEED_ROOM = 1100  # a need (at most 500 characters) with its Markdown escaped
_GROUPS: dict[str, tuple[Message, Message]] = {
    "going": (N_("**Going ({n})**"), N_("**Going ({n})**, continued")),
    "waiting": (N_("**Waiting list, in order ({n})**"), N_("**Waiting list, in order ({n})**, continued")),
    "maybe": (N_("**Maybe ({n})**"), N_("**Maybe ({n})**, continued")),
}
NEEDS_CARE = N_("Needs were shared in confidence: use them to prepare, and please don't pass them on.")
#: What a person is called when their name can't be found.
SOMEONE = N_("someone")


def _need_text(need: str) -> str:
    """A need as organisers read it: one line, Markdown, mentions and links inert."""
    one_line = " / ".join(line.strip() for line in need.splitlines() if line.strip())
    return escape_markdown_for_staff(one_line, limit=_NEED_ROOM)


def _line_room(person: Attendee) -> int:
    return _NAME_ROOM + 16 + (len(_need_text(person.need)) + 40 if person.need else 0)


@dataclass(frozen=True, slots=True)
class AttendeePage:
    """The people on one page of ``/event attendees``, from ``start`` in the whole list."""

    start: int
    people: list[Attendee]


def attendee_pages(people: Attendees) -> list[AttendeePage]:
    """``/event attendees`` in pages: going, the waiting list in order, then maybe, at most
    :data:`ATTENDEES_PER_PAGE` people and what fits in one embed on each (names unknown yet)."""
    pages: list[AttendeePage] = []
    current: list[Attendee] = []
    used = start = 0
    for position, person in enumerate(people.people):
        room = _line_room(person)
        if current and (len(current) >= ATTENDEES_PER_PAGE or used + room > _LIST_ROOM):
            pages.append(AttendeePage(start, current))
            current, used, start = [], 0, position
        current.append(person)
        used += room
    pages.append(AttendeePage(start, current))
    return pages


def _attendee_line(person: Attendee, name: str, t: Translator) -> str:
    line = clip(name, _NAME_ROOM)
    if person.waiting_position is not None:
        line = f"{person.waiting_position}. {line}"
    if person.need:
        line = t("{line} · *needs:* {need}", line=line, need=_need_text(person.need))
    return line


def attendees_embed(
    info: EventInfo,
    people: Attendees,
    page: AttendeePage,
    names: Mapping[int, str],
    index: int = 0,
    total: int = 1,
    t: Translator = SOURCE_TRANSLATOR,
) -> discord.Embed:
    """One page of ``/event attendees``: display names as plain text (never a mention), each
    with what they chose to share, for the organiser's eyes only."""
    counts = t(
        "Going {going} · Waiting {waiting} · Maybe {maybe}",
        going=len(people.going),
        waiting=len(people.waiting),
        maybe=len(people.maybe),
    )
    if info.ask_needs or people.needs:
        counts += " · " + t.ngettext("{n} shared a need", "{n} shared a need", people.needs)
    header = f"{short_when(info, t)} · {places_line(info, t)}\n{counts}\n{t(ONLY_YOU)}"
    if people.needs:
        header += f" {t(NEEDS_CARE)}"
    sections: list[str] = []
    earlier = people.people[: page.start]
    for status, (label, label_continued) in _GROUPS.items():
        group = [p for p in page.people if p.status == status]
        if not group:
            continue
        size = len(getattr(people, status))
        continued = any(p.status == status for p in earlier)
        heading = t(label_continued if continued else label, n=size)
        lines = [_attendee_line(p, names.get(p.member_id) or t(SOMEONE), t) for p in group]
        sections.append("\n".join([heading, *lines]))
    body = "\n\n".join(sections) or t("Nobody has replied yet.")
    embed = discord.Embed(
        title=clip(t("Who's coming: {title}", title=info.title), EMBED_TITLE_LIMIT),
        description=clip(f"{header}\n\n{body}", EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    if total > 1:
        after = len(people.people) - page.start - len(page.people)
        if after:
            footer = t.ngettext(
                "Page {page} of {total} · and {n} more on the next pages (Next)",
                "Page {page} of {total} · and {n} more on the next pages (Next)",
                after,
                page=index + 1,
                total=total,
            )
        else:
            footer = t("Page {page} of {total}", page=index + 1, total=total)
        embed.set_footer(text=footer)
    return embed


#: The register's columns (``/event attendees csv:True``).
REGISTER_COLUMNS = (N_("Name"), N_("Status"), N_("Waiting-list position"), N_("Needs they shared"))
#: The status column's words (the statuses are stored in English).
REGISTER_STATUS: dict[str, Message] = {"going": N_("going"), "waiting": N_("waiting"), "maybe": N_("maybe")}
#: A spreadsheet reads a cell starting with one of these as a formula (or a command): such a
#: cell is written with an apostrophe first, which spreadsheets show as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def plain_cell(text: str) -> str:
    """A spreadsheet cell that can never run as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def register_csv(
    people: Sequence[Attendee], names: Mapping[int, str], t: Translator = SOURCE_TRANSLATOR
) -> bytes:
    """The register as a CSV file (UTF-8 with a byte order mark, so spreadsheets read every
    name): name, status (going / waiting / maybe), waiting-list position (blank unless
    waiting), and what the student chose to share. Made in memory, never stored."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(column) for column in REGISTER_COLUMNS])
    for person in people:
        status = REGISTER_STATUS.get(person.status)
        writer.writerow(
            [
                plain_cell(names.get(person.member_id) or t(SOMEONE)),
                person.status if status is None else t(status),
                "" if person.waiting_position is None else str(person.waiting_position),
                plain_cell(person.need or ""),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def register_note(info: EventInfo, people: Attendees, listed: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What the organiser reads with the register."""
    total = len(people.people)
    when = short_when(info, t)  # outside the call: pybabel misreads a plural with ``t`` inside it
    first = t.ngettext(
        "The register for **{title}**, {when}: {n} person (going, the waiting list in order, then maybe).",
        "The register for **{title}**, {when}: {n} people (going, the waiting list in order, then maybe).",
        total,
        title=info.title,
        when=when,
    )
    parts = [first]
    if listed < total:
        parts.append(
            t(
                "It lists the first {listed}; `/event attendees` shows everyone, page by page.",
                listed=f"{listed:,}",
            )
        )
    parts.append(t("Only you can see this, and Common Room doesn't keep a copy."))
    if people.needs:
        parts += [t(NEEDS_CARE), t("Please delete the file after the event.")]
    return " ".join(parts)
