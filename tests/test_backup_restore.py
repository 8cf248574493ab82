"""Files only the bot can read, and a backup that restores with working report codes (docs/backup.md)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import Settings
from bot.__main__ import backup
from bot.clock import ManualClock
from bot.db import Database, tighten_database_files
from bot.errors import UserError
from bot.secrets import key_backup_path, load_or_create_key
from bot.services.reports import WRONG_CODE, ReportService
from tests.conftest import write_config

GUILD = 111
BODY = "A lecturer kept mispronouncing my name on purpose, in front of the seminar."


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The shell's usual umask (022): the modes below must not depend on the caller's umask."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def _report_with_code(settings: Settings) -> str:
    db = Database(settings.database.path)
    await db.open()
    try:
        await db.migrate()
        reports = ReportService(db, ManualClock(datetime(2026, 10, 5, 9, tzinfo=UTC)), _key(settings))
        new = await reports.create_case(
            GUILD,
            timezone="Europe/London",
            setting="teaching",
            body=BODY,
            happened_when="this week",
            characteristic="race",
            wants_reply=True,
        )
        await reports.reply(GUILD, new.case.number, "Thank you for telling us.", timezone="Europe/London")
    finally:
        await db.close()
    assert new.code is not None
    return new.code


async def _open_with_code(settings: Settings, code: str) -> list[str]:
    db = Database(settings.database.path)
    await db.open()
    try:
        await db.migrate()
        reports = ReportService(db, ManualClock(datetime(2026, 10, 6, 9, tzinfo=UTC)), _key(settings))
        thread = await reports.open_with_code(GUILD, code)
    finally:
        await db.close()
    return [thread.case.body] + [message.body for message in thread.messages]


def _key(settings: Settings) -> bytes:
    return load_or_create_key(settings.security.key_file)


def _database_files(settings: Settings) -> list[Path]:
    path = Path(settings.database.path)
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _restore(backup_file: Path, settings: Settings) -> None:
    """docs/backup.md, "Restoring": copy the backup and its key into place, 0600."""
    database = Path(settings.database.path)
    for file in _database_files(settings):
        file.unlink(missing_ok=True)  # never leave an old -wal beside a restored database
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(backup_file, database)
    os.chmod(database, 0o600)
    key_file = Path(settings.security.key_file)
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(key_backup_path(backup_file), key_file)
    os.chmod(key_file, 0o600)


def test_a_backup_restores_with_working_report_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.load(write_config(tmp_path))
    code = asyncio.run(_report_with_code(settings))
    dest = tmp_path / "backups" / "2026-10-05.sqlite3"

    assert backup(settings, dest) == 0
    out = capsys.readouterr().out
    assert "verified" in out and str(key_backup_path(dest)) in out
    assert mode(dest) == 0o600 and mode(key_backup_path(dest)) == 0o600
    assert mode(dest.parent) == 0o700

    # Disaster: the database, its -wal/-shm and the key file are gone.
    for file in [*_database_files(settings), Path(settings.security.key_file)]:
        file.unlink(missing_ok=True)

    _restore(dest, settings)
    assert asyncio.run(_open_with_code(settings, code)) == [BODY, "Thank you for telling us."]


def test_restoring_without_the_key_breaks_every_code_which_is_why_backup_copies_it(tmp_path: Path) -> None:
    settings = Settings.load(write_config(tmp_path))
    code = asyncio.run(_report_with_code(settings))
    dest = tmp_path / "copy.sqlite3"
    assert backup(settings, dest) == 0
    for file in [*_database_files(settings), Path(settings.security.key_file)]:
        file.unlink(missing_ok=True)
    shutil.copyfile(dest, settings.database.path)  # the database alone: a new key is made
    with pytest.raises(UserError) as caught:
        asyncio.run(_open_with_code(settings, code))
    assert caught.value.message == WRONG_CODE


def test_backup_refuses_in_one_line_without_a_key_file_or_over_an_old_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.load(write_config(tmp_path))
    asyncio.run(_report_with_code(settings))
    key_file = Path(settings.security.key_file)
    saved = key_file.read_bytes()
    key_file.unlink()
    assert backup(settings, tmp_path / "a.sqlite3") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: security.key_file:") and "python -m bot migrate" in line
    assert not (tmp_path / "a.sqlite3").exists()

    key_file.write_bytes(saved)
    key_backup_path(tmp_path / "b.sqlite3").write_text("an old key\n")
    assert backup(settings, tmp_path / "b.sqlite3") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "b.sqlite3.key already exists" in line
    assert not (tmp_path / "b.sqlite3").exists()


# -- file modes ---------------------------------------------------------------------------------


async def test_the_data_directory_is_0700_and_database_files_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "common-room.sqlite3"
    db = Database(path)
    await db.open()
    try:
        await db.migrate()
        await db.execute("INSERT INTO bot_meta VALUES ('k', 'v')")
        wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
        assert wal.exists() and shm.exists()  # WAL mode, while open
        assert [mode(path), mode(wal), mode(shm)] == [0o600, 0o600, 0o600]
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700  # data/ and data/nested/
        dest = tmp_path / "backups" / "copy.sqlite3"
        assert await db.backup(dest) == "ok"
        assert mode(dest) == 0o600 and mode(dest.parent) == 0o700
        assert {p.name for p in dest.parent.iterdir()} == {"copy.sqlite3"}
        with pytest.raises(FileExistsError):
            await db.backup(dest)  # never overwritten
    finally:
        await db.close()


async def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    db = Database(tmp_path / "common-room.sqlite3")
    await db.open()
    await db.close()
    assert mode(tmp_path) == 0o755  # the admin's folder (perhaps the working directory) is theirs
    assert mode(tmp_path / "common-room.sqlite3") == 0o600


async def test_wider_database_files_are_tightened_at_start_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    wal = path.with_name(path.name + "-wal")
    assert wal.exists()
    for file in (path, wal):
        os.chmod(file, 0o644)
    with caplog.at_level(logging.WARNING, logger="bot.db"):
        db = Database(path)
        await db.open()
        await db.close()
        await db.open()  # a second start: nothing left to warn about
        await db.close()
    conn.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage() and str(wal) in warnings[0].getMessage()
    assert mode(path) == 0o600
    assert tighten_database_files(path) == []


def test_the_key_file_is_0600_and_fsynced_with_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "keys" / "common-room.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert synced == ["file", "dir"]
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["common-room.key"]  # no temporary left
    assert load_or_create_key(path) == key


def test_a_key_file_is_never_left_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_write(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", broken_write)
    path = tmp_path / "common-room.key"
    with pytest.raises(OSError):
        load_or_create_key(path)
    assert list(tmp_path.iterdir()) == []
