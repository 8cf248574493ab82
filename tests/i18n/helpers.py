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
        "bot/i18n.py",
        "bot/support.py",
        "bot/ui/support.py",
        "bot/ui/translator.py",
        "bot/services/language.py",
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
