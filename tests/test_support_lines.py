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
