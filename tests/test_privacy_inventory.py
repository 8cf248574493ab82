"""The data inventory matches the live schema: no column can hold personal data undeclared."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from bot.db import Database
from bot.member_data import MemberData
from bot.privacy import NOT_PERSONAL, PERSONAL, classified, unclassified
from cogs.privacy import notice_markdown
from tests.conftest import World

SHIPPED = Path(__file__).resolve().parents[1] / "migrations"


async def live_columns(path: Path, migrations: Path | None = None) -> list[tuple[str, str]]:
    db = Database(path, migrations_dir=migrations)
    await db.open()
    await db.migrate()
    await db.close()
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return [(t, row[1]) for t in tables for row in conn.execute(f'PRAGMA table_info("{t}")')]
    finally:
        conn.close()


async def test_every_column_after_all_migrations_is_classified(tmp_path: Path) -> None:
    columns = await live_columns(tmp_path / "db.sqlite3")
    missing = unclassified(columns)
    assert missing == [], (
        "Classify these columns in bot/privacy.py (PERSONAL with purpose and retention, or "
        "NOT_PERSONAL with the reason). Feature helpers: the lead does this when merging. "
        + ", ".join(missing)
    )
    # And the inventory names no column that does not exist.
    assert set(classified()) <= set(columns)


async def test_an_undeclared_member_id_column_fails_the_check(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(SHIPPED, migrations)
    baseline = set(unclassified(await live_columns(tmp_path / "before.sqlite3", migrations)))
    (migrations / "0999_sneaky.sql").write_text(
        "ALTER TABLE guild_settings ADD COLUMN favourite_member_id INTEGER;\n"
        "CREATE TABLE notes (member_id INTEGER, body TEXT);\n"
    )
    columns = await live_columns(tmp_path / "after.sqlite3", migrations)
    assert [c for c in unclassified(columns) if c not in baseline] == [
        "guild_settings.favourite_member_id",
        "notes.member_id",
        "notes.body",
    ]


def test_the_notice_lists_every_kind_of_personal_data_with_its_retention() -> None:
    text = notice_markdown("Demo Medical School Students' Union", "welfare@example.ac.uk")
    assert "Demo Medical School Students' Union" in text and "welfare@example.ac.uk" in text
    for item in PERSONAL:
        assert item.what in text and item.retention in text, item
    for right in ("my-data", "forget-me", "ico.org.uk", "consent"):
        assert right in text


def test_not_personal_entries_give_a_reason() -> None:
    assert all(entry.why for entry in NOT_PERSONAL)


def test_docs_privacy_shows_the_current_inventory() -> None:
    from bot.privacy import render_into

    doc = Path(__file__).resolve().parents[1] / "docs" / "privacy.md"
    text = doc.read_text(encoding="utf-8")
    assert render_into(text) == text, "Run: python -m bot.privacy docs/privacy.md"


async def test_every_personal_table_is_reached_by_privacy_through_a_feature(world: World) -> None:
    """/privacy reaches features only through MemberData; a personal table no feature covers
    would be left out of my-data and forget-me, so it fails here."""
    # discord.py loads each extension as a fresh module, so the class is looked at by name.
    privacy: Any = world.bot.get_cog("Privacy")
    assert type(privacy).__name__ == "Privacy"
    providers: dict[str, Any] = dict(privacy.providers())
    covered = set().union(*(feature.personal_tables for feature in providers.values()))
    assert {item.table for item in PERSONAL} <= covered, sorted({item.table for item in PERSONAL} - covered)
    # Every feature cog that declares personal tables really implements the contract.
    assert {"Communities", "Events", "Mentoring", "Pulse", "Reports"} <= set(providers)
    assert all(isinstance(cog, MemberData) for cog in providers.values())
