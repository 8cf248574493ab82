"""Urgent help has one source: every place that shows it shows the same national lines."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.support import CRISIS_LINES, crisis_fields, crisis_sentence, crisis_text
from bot.ui import support_payload
from cogs.reports.render import rate_message
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = re.compile(r"116 ?123|85258|\b999\b")
# Format hints in the directory's validation messages ("write it like `116 123`"), not help lines.
HINTS = {ROOT / "bot" / "services" / "signposts_contacts.py"}


def test_the_crisis_numbers_are_written_in_one_module() -> None:
    found = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "cogs")
        for path in (ROOT / folder).rglob("*.py")
        if path not in HINTS and NUMBERS.search(path.read_text(encoding="utf-8"))
    }
    # The demo's own check reads what /support shows; everything else takes the lines from bot.support.
    assert found <= {"bot/support.py", "bot/demo_seed.py"}, found


def shown(payload: dict[str, object]) -> str:
    embeds = [e for e in payload.get("embeds", []) if isinstance(e, discord.Embed)]  # type: ignore[union-attr]
    parts = []
    for embed in embeds:
        parts.append(embed.description or "")
        parts.extend(f"{f.name}: {f.value}" for f in embed.fields)
    return "\n".join(parts)


async def test_pulse_mentoring_reports_and_support_show_the_same_lines(world: World) -> None:
    guild = world.guild.id
    # With the directory loaded but holding no urgent contact (this test server's), urgent help
    # is the national lines, word for word, first.
    for need in (None, "wellbeing", "discrimination"):  # mentoring, pulse, reports
        payload = await support_payload(world.bot, guild, need)
        assert shown(payload).startswith(crisis_text())
    support = await world.student.slash(world.general, "support")
    assert (support.response.embeds[0].description or "").startswith(crisis_text())

    # Without the directory at all, every feature still gets the same lines (the fallback).
    await world.bot.remove_cog("Signposts")
    for need in (None, "wellbeing", "discrimination"):
        text = shown(await support_payload(world.bot, guild, need))
        for name, value in crisis_fields():
            assert f"{name}: {value}" in text
    assert {line.name for line in CRISIS_LINES} == {name for name, _ in crisis_fields()}

    # Where there is room for one sentence (a report's rate limit), it is the shared sentence.
    assert crisis_sentence() in rate_message(3, 120)


def without_emoji(text: str) -> str:
    """``text`` as a reader that skips emoji hears it: symbols, their variation selectors and
    joiners removed, spaces tidied."""
    import unicodedata

    kept = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in ("So", "Sk", "Cf") and not 0xFE00 <= ord(ch) <= 0xFE0F
    )
    return re.sub(r"[ \t]+", " ", kept)


async def test_urgent_help_reads_correctly_with_the_emoji_stripped(world: World) -> None:
    """No emoji carries meaning alone: with every emoji removed, urgent help still says what each
    number is and when it is open (a screen reader set to skip emoji reads exactly this)."""
    shown_form = await world.admin.slash(world.general, "signposts add", independent=True)
    saved = await world.admin.submit_modal(
        shown_form,
        {
            "name": "Campus crisis line",
            "needs": ["urgent"],
            "reach": "phone: 0800 123 4567\nweb: https://example.ac.uk/crisis",
            "hours": "24/7",
        },
    )
    assert saved.ephemeral and saved.response.content.startswith("Added"), saved.response.content
    support = await world.student.slash(world.general, "support")
    urgent = support.response.embeds[0]
    heard = without_emoji(
        f"{urgent.title}\n{urgent.description}\n" + "\n".join(f"{f.name}\n{f.value}" for f in urgent.fields)
    )
    assert "Urgent help" in heard
    assert "call 999" in heard
    assert re.search(r"[Cc]all 0800 123 4567", heard), heard
    assert re.search(r"[Oo]pen 24/7", heard), heard
    # No number or hours left standing alone after a separator, as an emoji-only label leaves them.
    assert not re.search(r"· (0800|24/7)", heard), heard
    # The same for the full card a student opens from the menu (reach lines and status).
    from cogs.signposts.render import card, compact_line

    contact = next(
        c
        for c in await world.bot.get_cog("Signposts").service.contacts(world.guild.id)  # type: ignore[union-attr]
        if c.name == "Campus crisis line"
    )
    _, value = card(contact)
    heard_card = without_emoji(value)
    assert "Call 0800 123 4567" in heard_card and "Web https://example.ac.uk/crisis" in heard_card
    assert "Open 24/7" in heard_card and "independent of your medical school" in heard_card
    assert "independent" in without_emoji(compact_line(contact))
