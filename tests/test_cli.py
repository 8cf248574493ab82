"""The command line, as a server admin runs it: readable problems, exit status 2, no tracebacks."""

from __future__ import annotations

import os
import sqlite3
import stat
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


# -- hostile and malformed input (issue 16): settings files, file modes, the key beside a backup -----


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_a_lone_carriage_return_or_undecodable_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = {
        "cr.toml": (b'[logging]\rlevel = "INFO"\n', "carriage return"),
        "latin1.toml": (b'[privacy]\ncontroller_name = "Universit\xe9"\n', "not valid UTF-8"),
    }
    for name, (raw, problem) in broken.items():
        (tmp_path / name).write_bytes(raw)
        for command in ("check-config", "run"):
            result = cli(command, "--config", name, cwd=tmp_path)
            assert result.returncode == 2, (name, command, result.stderr)
            (line,) = _error_lines(result)
            assert line.startswith(f"error: {name}: line ") and problem in line


def test_an_environment_section_that_is_not_json_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    for command in ("check-config", "run"):
        result = cli(command, "--config", str(config), cwd=tmp_path, env={"COMMONROOM_LOGGING": "{oops"})
        assert result.returncode == 2
        (line,) = _error_lines(result)
        assert line.startswith("error: COMMONROOM_LOGGING (environment)")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_whatever_the_shells_umask(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = tmp_path / "data" / "common-room.sqlite3"
    key = tmp_path / "keys" / "common-room.key"
    env = {"COMMONROOM_DATABASE__PATH": str(database), "COMMONROOM_SECURITY__KEY_FILE": str(key)}
    previous = os.umask(0o022)  # inherited by the child: what a default shell would give
    try:
        result = cli("migrate", "--config", str(config), cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        dest = tmp_path / "backups" / "copy.sqlite3"
        result = cli("backup", str(dest), "--config", str(config), cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
    finally:
        os.umask(previous)
    assert "copy.sqlite3.key" in result.stdout
    assert _mode(database.parent) == 0o700 and _mode(key.parent) == 0o700 and _mode(dest.parent) == 0o700
    assert _mode(database) == 0o600 and _mode(key) == 0o600
    assert _mode(dest) == 0o600 and _mode(dest.with_name("copy.sqlite3.key")) == 0o600
    assert dest.with_name("copy.sqlite3.key").read_bytes() == key.read_bytes()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.sqlite3", "copy.sqlite3.key"]


def test_a_database_readable_by_others_is_tightened_at_start_with_a_warning(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert cli("migrate", "--config", str(config), cwd=tmp_path).returncode == 0
    database = tmp_path / "common-room.sqlite3"
    os.chmod(database, 0o644)
    result = cli("migrate", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and str(database) in warnings[0] and "0600" in warnings[0]
    assert _mode(database) == 0o600


def test_backup_without_a_key_file_refuses_in_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert cli("migrate", "--config", str(config), cwd=tmp_path).returncode == 0
    (tmp_path / "common-room.key").unlink()
    result = cli("backup", str(tmp_path / "b.sqlite3"), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    (line,) = _error_lines(result)
    assert line.startswith("error: security.key_file:") and "python -m bot migrate" in line
    assert not (tmp_path / "b.sqlite3").exists()
