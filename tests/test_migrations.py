"""Migrations: forward-only, in order, atomic, recorded; a newer database is refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, load_migrations, split_statements
from bot.errors import MigrationError

SHIPPED = Path(__file__).resolve().parents[1] / "migrations"


def schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def versions(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    finally:
        conn.close()


async def migrate(path: Path, migrations_dir: Path | None = None) -> list[str]:
    db = Database(path, migrations_dir=migrations_dir)
    await db.open()
    try:
        return [m.label for m in await db.migrate()]
    finally:
        await db.close()


async def test_a_fresh_database_gets_every_migration_in_order(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "fresh.sqlite3"  # the folder is created too
    applied = await migrate(path)
    shipped = load_migrations()
    assert applied == [m.label for m in shipped]
    assert versions(path) == [m.version for m in shipped]
    names = {name for name, _ in schema(path)}
    assert {"guild_settings", "guild_channels", "bot_meta"} <= names


async def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    await migrate(path)
    before = schema(path)
    assert await migrate(path) == []
    assert schema(path) == before


async def test_pragmas_are_set_on_open(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.sqlite3")
    await db.open()
    try:
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA synchronous") == 2  # FULL
        assert await db.fetchval("PRAGMA secure_delete") == 1
        writer, reader, loop_reader = db.connections()
        for conn in (writer, reader):
            assert [tuple(r) for r in await conn.execute_fetchall("PRAGMA busy_timeout")] == [(5000,)]  # type: ignore[union-attr]
        # The loop reader never waits on the loop: a read that would is sent to the reader instead.
        assert loop_reader.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 0  # type: ignore[union-attr]
    finally:
        await db.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    await migrate(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = schema(path)
    with pytest.raises(MigrationError, match="newer than this version"):
        await migrate(path)
    assert schema(path) == before


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(SHIPPED, migrations)
    path = tmp_path / "db.sqlite3"
    await migrate(path, migrations)
    before_schema, before_versions = schema(path), versions(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO bot_meta VALUES ('kept', 'yes')")
    conn.commit()
    conn.close()

    (migrations / "0900_half_done.sql").write_text(
        "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO half_done VALUES (1);\n"
        "DELETE FROM bot_meta;\n"
        "ALTER TABLE no_such_table ADD COLUMN oops INTEGER;\n"
    )
    with pytest.raises(MigrationError, match="0900_half_done failed"):
        await migrate(path, migrations)

    assert schema(path) == before_schema
    assert versions(path) == before_versions
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM bot_meta WHERE key = 'kept'").fetchone() == ("yes",)
    conn.close()

    # Fixed, it applies cleanly next time.
    (migrations / "0900_half_done.sql").write_text("CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n")
    assert await migrate(path, migrations) == ["0900_half_done"]


def test_statements_split_with_triggers_kept_whole() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE a (x);\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET x = 1;\n"
        "  DELETE FROM a WHERE x = 2;\n"
        "END;\n"
        "INSERT INTO a VALUES ('semi;colon');\n"
    )
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


def test_migration_files_are_named_and_numbered_uniquely() -> None:
    files = sorted(p.name for p in SHIPPED.glob("*.sql"))
    assert files, "no migrations shipped"
    assert [m.label + ".sql" for m in load_migrations()] == files


async def test_transactions_roll_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "tx.sqlite3")
    await db.open()
    await db.migrate()
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO bot_meta VALUES ('a', 'b')")
                raise RuntimeError("stop")
        assert await db.fetchone("SELECT * FROM bot_meta WHERE key = 'a'") is None
    finally:
        await db.close()


async def test_backup_is_a_verified_copy(tmp_path: Path) -> None:
    db = Database(tmp_path / "live.sqlite3")
    await db.open()
    await db.migrate()
    await db.execute("INSERT INTO bot_meta VALUES ('k', 'v')")
    try:
        verdict = await db.backup(tmp_path / "backups" / "copy.sqlite3")
    finally:
        await db.close()
    assert verdict == "ok"
    conn = sqlite3.connect(tmp_path / "backups" / "copy.sqlite3")
    assert conn.execute("SELECT value FROM bot_meta WHERE key = 'k'").fetchone() == ("v",)
    conn.close()
