"""Urgent help: the national crisis lines, written once.

Every place that shows urgent help (``/support``, a pulse answer that suggests someone is
struggling, the report form and its rate limit, mentoring) takes its words from here, so a number
is never out of date in one place and right in another. Where a server's signpost directory has
urgent contacts, those come first (:func:`urgent_help`); the national lines are the fallback, so a
student is never shown nothing.

No discord imports: features render these as text or embed fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrisisLine:
    name: str
    how: str  # how to reach it, in Markdown
    when: str


EMERGENCY = CrisisLine("Emergency", "call 999 (or go to A&E)", "if you or someone else is in danger now")
CRISIS_LINES: tuple[CrisisLine, ...] = (
    EMERGENCY,
    CrisisLine("Samaritans", "call 116 123, free", "any time, day or night"),
    CrisisLine("Shout", "text SHOUT to 85258, free", "any time"),
    CrisisLine("NHS 111", "call 111 or visit 111.nhs.uk", "for urgent medical help that isn't an emergency"),
)


def crisis_text() -> str:
    """The national lines as Markdown, emergency first, one line each."""
    first = f"**In an emergency, or if you can't keep yourself safe: {EMERGENCY.how}.**"
    rest = [f"**{line.name}**: {line.how}, {line.when}." for line in CRISIS_LINES[1:]]
    return "\n".join([first, *rest])


def crisis_fields() -> list[tuple[str, str]]:
    """(name, value) pairs for embed fields, emergency last (the calmer lines first, for a
    student who has just said things are hard, with the emergency line always present)."""
    return [
        (line.name, f"{line.how[0].upper()}{line.how[1:]}, {line.when}.") for line in CRISIS_LINES[1:]
    ] + [(EMERGENCY.name, f"{EMERGENCY.how[0].upper()}{EMERGENCY.how[1:]} {EMERGENCY.when}.")]


def crisis_sentence() -> str:
    """One sentence, for places with room for only one (a refusal, a limit)."""
    return (
        "If anyone's life is at risk, call 999 now; Samaritans are on 116 123 any time, "
        "or text SHOUT to 85258."
    )


def urgent_help(directory_lines: Sequence[str]) -> str:
    """The directory's urgent contacts (already rendered, one per line) or, with none, the
    national lines. Never empty."""
    lines = [line for line in directory_lines if line.strip()]
    if not lines:
        return crisis_text()
    return "\n".join([f"**If you are in danger now or can't keep yourself safe: {EMERGENCY.how}.**", *lines])
