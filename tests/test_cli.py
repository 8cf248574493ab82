"""The command line, as a server admin runs it: readable problems, exit status 2, no tracebacks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_config


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMMONROOM_")}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=60
    )


def test_check_config_prints_effective_settings_with_the_token_masked(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = cli(
        "check-config", "--config", str(config), cwd=tmp_path, env={"COMMONROOM_LOGGING__LEVEL": "debug"}
    )
    assert result.returncode == 0, result.stderr
    assert "test-token" not in result.stdout + result.stderr
    assert '"token": "********"' in result.stdout
    assert '"level": "DEBUG"' in result.stdout  # the environment's value, effective
    assert "Settings are valid." in result.stdout


def test_missing_token_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[logging]\nlevel = 'INFO'\n")
    for command in ("check-config", "run"):
        result = cli(command, cwd=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith("error: discord.token: missing")


def test_invalid_settings_exit_2_one_line_per_problem(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[defaults]\ntimezone = "Atlantis/Capital"\n[bogus]\nkey = 1\n')
    result = cli("run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("defaults.timezone" in e for e in errors) and any("bogus" in e for e in errors)


def test_placeholder_token_is_refused_and_never_printed(tmp_path: Path) -> None:
    result = cli("run", cwd=tmp_path, env={"COMMONROOM_DISCORD__TOKEN": "paste-your-bot-token-here"})
    assert result.returncode == 2
    assert "placeholder" in result.stderr
    assert "paste-your-bot-token-here" not in result.stderr


def test_migrate_creates_the_database_and_is_idempotent(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    first = cli("migrate", "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Applied" in first.stdout and "0001_foundation" in first.stdout
    second = cli("migrate", "--config", str(config), cwd=tmp_path)
    assert second.returncode == 0
    assert "Applied" not in second.stdout and "schema version" in second.stdout


def test_migrate_refuses_a_newer_database(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cli("migrate", "--config", str(config), cwd=tmp_path)
    conn = sqlite3.connect(tmp_path / "common-room.sqlite3")
    conn.execute("INSERT INTO schema_migrations VALUES (9999, 'future', '2030-01-01')")
    conn.commit()
    conn.close()
    result = cli("migrate", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "newer than this version" in result.stderr and "Traceback" not in result.stderr


def test_backup_writes_a_verified_copy_and_never_overwrites(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cli("migrate", "--config", str(config), cwd=tmp_path)
    dest = tmp_path / "backups" / "copy.sqlite3"
    result = cli("backup", str(dest), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] >= 1
    conn.close()

    again = cli("backup", str(dest), "--config", str(config), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_backup_of_a_missing_database_is_explained(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = cli("backup", str(tmp_path / "b.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2 and "nothing to back up" in result.stderr
