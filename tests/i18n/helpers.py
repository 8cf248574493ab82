"""Shared by the language tests: the catalogues on disk, and reading what a reply shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, outside_markers

ROOT = Path(__file__).resolve().parents[2]
#: The source files whose every string is in the catalogues and translated (issue #18 is done
#: when this is every file that shows text). A string found only in other files may still be
#: untranslated; one found in any of these may not. Converting a module? Add it here.
CONVERTED = frozenset(
    {
        "bot/core.py",
        "bot/demo_seed.py",
        "bot/feature.py",
        "bot/i18n.py",
        "bot/support.py",
        "bot/text.py",
        "bot/ui/confirm.py",
        "bot/ui/guard.py",
        "bot/ui/items.py",
        "bot/ui/names.py",
        "bot/ui/paging.py",
        "bot/ui/questions.py",
        "bot/ui/replies.py",
        "bot/ui/support.py",
        "bot/ui/translator.py",
        "bot/privacy.py",
        "bot/services/guilds.py",
        "bot/services/language.py",
        "bot/services/communities.py",
        "cogs/communities/commands.py",
        "cogs/communities/fixes.py",
        "cogs/communities/membership.py",
        "cogs/communities/provision.py",
        "cogs/communities/render.py",
        "cogs/communities/views.py",
        "bot/services/signposts.py",
        "bot/services/signposts_contacts.py",
        "bot/services/signposts_schedule.py",
        "bot/services/recurrence.py",
        "cogs/signposts/commands.py",
        "cogs/signposts/jobs.py",
        "cogs/signposts/render.py",
        "cogs/signposts/views.py",
        "bot/services/mentoring.py",
        "bot/services/mentoring_model.py",
        "bot/services/mentoring_schedule.py",
        "bot/services/reports.py",
        "bot/services/event_evaluation_model.py",
        "bot/services/event_evaluations.py",
        "bot/services/event_polls.py",
        "bot/services/events.py",
        "bot/services/events_dates.py",
        "bot/services/events_ics.py",
        "bot/services/events_model.py",
        "cogs/about.py",
        "cogs/events/commands.py",
        "cogs/events/evaluation_commands.py",
        "cogs/events/evaluation_render.py",
        "cogs/events/evaluation_views.py",
        "cogs/events/jobs.py",
        "cogs/events/poll_commands.py",
        "cogs/events/poll_render.py",
        "cogs/events/poll_views.py",
        "cogs/events/render_attendees.py",
        "cogs/events/render_organisers.py",
        "cogs/events/render.py",
        "cogs/events/views.py",
        "cogs/language.py",
        "cogs/mentoring/commands.py",
        "cogs/mentoring/jobs.py",
        "cogs/mentoring/render.py",
        "cogs/mentoring/views.py",
        "cogs/reports/commands.py",
        "cogs/reports/jobs.py",
        "cogs/reports/render.py",
        "cogs/reports/views.py",
        "bot/services/pulse.py",
        "bot/services/pulse_chart.py",
        "bot/services/pulse_model.py",
        "cogs/privacy.py",
        "cogs/pulse/commands.py",
        "cogs/pulse/jobs.py",
        "cogs/pulse/render.py",
        "cogs/pulse/views.py",
        "cogs/setup/commands.py",
        "cogs/setup/render.py",
    }
)
TEMPLATE = LOCALES_DIR / "messages.pot"
LETTERS = re.compile(r"[^\W\d_]+")


def po_files() -> list[Path]:
    return sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def key(message: Any) -> tuple[str | None, str]:
    """A catalogue entry's identity: its context and (singular) msgid."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def embed_texts(embed: discord.Embed) -> Iterator[str]:
    yield from (embed.title or "", embed.description or "", embed.footer.text or "", embed.author.name or "")
    for field in embed.fields:
        yield field.name or ""
        yield field.value or ""


def shown(message: Any) -> list[str]:
    """Every piece of text a SimCord message (or a send payload) shows a reader."""
    content = message.get("content") if isinstance(message, dict) else getattr(message, "content", None)
    embeds = message.get("embeds", []) if isinstance(message, dict) else getattr(message, "embeds", [])
    texts = [content or ""]
    for embed in embeds or []:
        texts += list(embed_texts(embed))
    return [text for text in texts if text]


def bypassing(texts: list[str]) -> list[str]:
    """The words in ``texts`` (rendered under the pseudo-locale) that no catalogue entry wraps."""
    return [word for text in texts for word in LETTERS.findall(outside_markers(text))]


#: The keys of a component or form payload that hold text a reader sees.
_SHOWN_KEYS = frozenset({"title", "label", "placeholder", "description"})


def component_texts(payload: Any) -> list[str]:
    """Every label, title, placeholder and description in a message's components or a form
    (SimCord's payload dicts), options included; custom ids and values are not shown."""
    found: list[str] = []
    if isinstance(payload, dict):
        for name, value in payload.items():
            if name in _SHOWN_KEYS and isinstance(value, str) and value:
                found.append(value)
            elif isinstance(value, dict | list):
                found += component_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            found += component_texts(item)
    return found


def controls(message: Any, *, options: bool = True) -> list[str]:
    """The labels and placeholders of a SimCord message's buttons and menus (and their options,
    unless ``options`` is false: a menu of data, such as timezone names)."""
    found: list[str] = []
    for row in getattr(message, "components", None) or []:
        for item in getattr(row, "children", [row]):
            found += [getattr(item, "label", None) or "", getattr(item, "placeholder", None) or ""]
            for option in (getattr(item, "options", None) or []) if options else []:
                found += [option.label or "", option.description or ""]
    return [text for text in found if text]


def modal_texts(modal: dict[str, Any] | None) -> list[str]:
    """Every piece of text a form (a SimCord modal payload) shows: its title, labels, their
    descriptions, text displays, placeholders and menu options."""
    found: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for field in ("title", "label", "description", "placeholder", "content"):
                if isinstance(node.get(field), str):
                    found.append(node[field])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(modal or {})
    return [text for text in found if text]
