"""Settings: sources and their precedence, and problems reported one readable line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import ConfigError, Settings
from tests.conftest import write_config


def test_file_then_environment_then_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, '[logging]\nlevel = "WARNING"\n')
    assert Settings.load(path).logging.level == "WARNING"
    assert Settings.load(path).database.path == tmp_path / "common-room.sqlite3"

    monkeypatch.setenv("COMMONROOM_DATABASE__PATH", "/srv/env.sqlite3")
    monkeypatch.setenv("COMMONROOM_DISCORD__TOKEN", "from-env")
    settings = Settings.load(path)
    assert settings.database.path == Path("/srv/env.sqlite3")
    assert settings.require_token() == "from-env"
    assert settings.logging.level == "WARNING"  # untouched keys still come from the file

    settings = Settings.load(path, database={"path": "/srv/code.sqlite3"})
    assert settings.database.path == Path("/srv/code.sqlite3")


def test_config_file_is_found_from_the_environment_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    named = write_config(tmp_path / "elsewhere", '[logging]\nlevel = "ERROR"\n')
    monkeypatch.setenv("COMMONROOM_CONFIG", str(named))
    assert Settings.load().logging.level == "ERROR"
    monkeypatch.delenv("COMMONROOM_CONFIG")
    write_config(tmp_path, '[logging]\nlevel = "DEBUG"\n')  # ./config.toml (cwd is tmp_path)
    assert Settings.load().logging.level == "DEBUG"


def test_defaults_without_any_file() -> None:
    settings = Settings.load()
    assert settings.database.path == Path("data/common-room.sqlite3")
    assert settings.defaults.timezone == "Europe/London"
    assert settings.discord.token is None


def test_unknown_keys_are_rejected_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, '[databse]\npath = "x"\n[logging]\nlvl = "INFO"\n')
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    problems = caught.value.problems
    assert any(p.startswith("databse") and str(path) in p for p in problems), problems
    assert any(p.startswith("logging.lvl") for p in problems), problems

    monkeypatch.setenv("COMMONROOM_DATABSE__PATH", "x")
    with pytest.raises(ConfigError) as caught:
        Settings.load(write_config(tmp_path))
    assert any("COMMONROOM_DATABSE__PATH" in p for p in caught.value.problems)


def test_missing_token_is_one_line_saying_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[database]\npath = "x.sqlite3"\n')
    settings = Settings.load(path)
    with pytest.raises(ConfigError) as caught:
        settings.require_token()
    (line,) = caught.value.problems
    assert line.startswith("discord.token: missing")
    assert "COMMONROOM_DISCORD__TOKEN" in line and str(path) in line


@pytest.mark.parametrize(
    ("token", "hint"),
    [
        ("paste-your-bot-token-here", "placeholder"),
        ("Bot abc.def.ghi", "prefix"),
        ("abc def", "spaces"),
    ],
)
def test_invalid_token_is_explained_and_never_echoed(tmp_path: Path, token: str, hint: str) -> None:
    path = write_config(tmp_path).with_name("bad.toml")
    path.write_text(f'[discord]\ntoken = "{token}"\n')
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    (line,) = caught.value.problems
    assert line.startswith("discord.token") and hint in line
    assert token not in line


def test_bad_timezone_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[defaults]\ntimezone = "Mars/Olympus_Mons"\n')
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    (line,) = caught.value.problems
    assert line.startswith("defaults.timezone") and str(path) in line and "Europe/London" in line


def test_bad_value_from_the_environment_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMONROOM_METRICS__PROMETHEUS_PORT", "not-a-port")
    with pytest.raises(ConfigError) as caught:
        Settings.load(write_config(tmp_path))
    (line,) = caught.value.problems
    assert "metrics.prometheus_port" in line and "COMMONROOM_METRICS__PROMETHEUS_PORT" in line


def test_named_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load(tmp_path / "nope.toml")
    assert "not found" in caught.value.problems[0]


def test_masked_settings_never_show_the_token(tmp_path: Path) -> None:
    settings = Settings.load(write_config(tmp_path))
    masked = settings.masked()
    assert masked["discord"]["token"] == "********"
    assert "test-token" not in str(masked)
    assert "test-token" not in repr(settings)


def test_the_example_config_works_as_is_apart_from_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    with pytest.raises(ConfigError) as caught:
        Settings.load(example)
    assert [p.split(":")[0].split(" ")[0] for p in caught.value.problems] == ["discord.token"]
    monkeypatch.setenv("COMMONROOM_DISCORD__TOKEN", "a-real-token")
    settings = Settings.load(example)
    assert settings.require_token() == "a-real-token"


def test_a_seed_contact_that_would_not_validate_is_a_settings_problem(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        '[[signposts]]\nname = "Samaritans"\ncategories = ["urgent"]\nphone = "116 123"\nhours = "24/7"\n'
        '[[signposts]]\nname = "Broken line"\ncategories = ["wellbeing"]\nphone = "not a number"\n'
        'hours = "24/7"\n',
    )
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    (line,) = caught.value.problems
    assert line.startswith("signposts[1] (Broken line)") and str(path) in line
