"""One way to answer typing in a slash-command option: filter, clip, cap."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from discord import app_commands

from bot.text import AUTOCOMPLETE_CHOICES_LIMIT, CHOICE_NAME_LIMIT
from bot.ui.replies import clip

V = TypeVar("V", int, str, float)


def suggest(options: Iterable[tuple[str, V]], current: str) -> list[app_commands.Choice[V]]:
    """The ``(label, value)`` options whose label contains what was typed (any case), or, typed
    as ``#12``, whose value is 12; each label clipped to Discord's limit; at most Discord's 25."""
    typed = current.casefold().strip()
    by_id = typed.startswith("#")
    needle = typed.lstrip("#")
    found: list[app_commands.Choice[V]] = []
    for label, value in options:
        if by_id and needle != str(value):
            continue
        if not by_id and needle and needle not in label.casefold():
            continue
        found.append(app_commands.Choice(name=clip(label, CHOICE_NAME_LIMIT), value=value))
        if len(found) >= AUTOCOMPLETE_CHOICES_LIMIT:
            break
    return found
