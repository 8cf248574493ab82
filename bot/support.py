"""Urgent help: the national crisis lines, written once.

Every place that shows urgent help (``/support``, a pulse answer that suggests someone is
struggling, the report form and its rate limit, mentoring) takes its words from here, so a number
is never out of date in one place and right in another. Where a server's signpost directory has
urgent contacts, those come first (:func:`urgent_help`); the national lines are the fallback, so a
student is never shown nothing.

No discord imports: features render these as text or embed fields. Every function takes the
reader's :class:`~bot.i18n.Translator` (English when not given); the numbers are never in the
catalogue, only placeholders for them, so every language shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator


@dataclass(frozen=True, slots=True)
class CrisisLine:
    """A national line. ``name`` is its English name (and how other modules refer to it); ``how``
    and ``when`` are translated where shown. Numbers, keywords and addresses are ``values``,
    filled into the placeholders, so no translation can change them."""

    name: Message
    how: Message  # how to reach it, in Markdown, with {placeholders} from ``values``
    when: Message
    values: Mapping[str, str] = field(default_factory=dict)

    def shown_name(self, t: Translator = SOURCE_TRANSLATOR) -> str:
        return t(self.name)

    def shown_how(self, t: Translator = SOURCE_TRANSLATOR) -> str:
        return t(self.how, **self.values)

    def shown_when(self, t: Translator = SOURCE_TRANSLATOR) -> str:
        return t(self.when)


EMERGENCY = CrisisLine(
    N_("Emergency"),
    # Translators: A&E is the hospital emergency department.
    N_("call {number} (or go to A&E)"),
    N_("if you or someone else is in danger now"),
    {"number": "999"},
)
SAMARITANS = CrisisLine(
    N_("Samaritans"), N_("call {number}, free"), N_("any time, day or night"), {"number": "116 123"}
)
SHOUT = CrisisLine(
    N_("Shout"),
    # Translators: {keyword} is the word to text (SHOUT); it stays in English.
    N_("text {keyword} to {number}, free"),
    N_("any time"),
    {"keyword": "SHOUT", "number": "85258"},
)
NHS_111 = CrisisLine(
    N_("NHS 111"),
    N_("call {number} or visit {website}"),
    N_("for urgent medical help that isn't an emergency"),
    {"number": "111", "website": "111.nhs.uk"},
)
CRISIS_LINES: tuple[CrisisLine, ...] = (EMERGENCY, SAMARITANS, SHOUT, NHS_111)


def _capitalised(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


def _emergency_first(t: Translator) -> str:
    return t(
        "**In an emergency, or if you can't keep yourself safe: {how}.**",
        how=EMERGENCY.shown_how(t),
    )


def crisis_text(t: Translator = SOURCE_TRANSLATOR) -> str:
    """The national lines as Markdown, emergency first, one line each."""
    rest = [
        t(
            "**{name}**: {how}, {when}.",
            name=line.shown_name(t),
            how=line.shown_how(t),
            when=line.shown_when(t),
        )
        for line in CRISIS_LINES[1:]
    ]
    return "\n".join([_emergency_first(t), *rest])


def crisis_fields(t: Translator = SOURCE_TRANSLATOR) -> list[tuple[str, str]]:
    """(name, value) pairs for embed fields, emergency last (the calmer lines first, for a
    student who has just said things are hard, with the emergency line always present).
    Names are in ``t``'s language: compare with ``line.shown_name(t)``."""
    return [
        (
            line.shown_name(t),
            t("{how}, {when}.", how=_capitalised(line.shown_how(t)), when=line.shown_when(t)),
        )
        for line in CRISIS_LINES[1:]
    ] + [
        (
            EMERGENCY.shown_name(t),
            t("{how} {when}.", how=_capitalised(EMERGENCY.shown_how(t)), when=EMERGENCY.shown_when(t)),
        )
    ]


def crisis_sentence(t: Translator = SOURCE_TRANSLATOR) -> str:
    """One sentence, for places with room for only one (a refusal, a limit)."""
    return t(
        "If anyone's life is at risk, call {emergency} now; Samaritans are on {samaritans} any time, "
        "or text {keyword} to {shout}.",
        emergency=EMERGENCY.values["number"],
        samaritans=SAMARITANS.values["number"],
        keyword=SHOUT.values["keyword"],
        shout=SHOUT.values["number"],
    )


def urgent_help(directory_lines: Sequence[str], t: Translator = SOURCE_TRANSLATOR) -> str:
    """The directory's urgent contacts (already rendered, one per line) or, with none, the
    national lines. Never empty."""
    lines = [line for line in directory_lines if line.strip()]
    if not lines:
        return crisis_text(t)
    first = t("**If you are in danger now or can't keep yourself safe: {how}.**", how=EMERGENCY.shown_how(t))
    return "\n".join([first, *lines])
