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


# -- hostile and malformed files and environments (issue 16): one line each, never a traceback ------


def test_a_lone_carriage_return_is_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[logging]\nlevel = "INFO"\r[database]\npath = "x"\n')
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    (line,) = caught.value.problems
    assert line.startswith(f"{path}: line 2 ") and "carriage return" in line and "\n" not in line


def test_crlf_line_endings_and_a_byte_order_mark_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbf[logging]\r\nlevel = "ERROR"\r\n')
    settings = Settings.load(path)
    assert settings.logging.level == "ERROR" and settings.source == path


def test_an_undecodable_file_is_one_line_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[privacy]\ncontroller_name = "Universit\xe9 of Somewhere"\n')  # Latin-1
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    (line,) = caught.value.problems
    assert line.startswith(f"{path}: line 2 is not valid UTF-8") and "Save the file as UTF-8" in line


def test_a_folder_or_unreadable_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(ConfigError) as caught:
        Settings.load(tmp_path / "folder.toml")
    (line,) = caught.value.problems
    assert "is a folder" in line


def test_an_undecodable_environment_value_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMONROOM_DISCORD__TOKEN", "abc\udcff")  # the byte 0xff, as os.environ holds it
    with pytest.raises(ConfigError) as caught:
        Settings.load(write_config(tmp_path))
    (line,) = caught.value.problems
    assert line.startswith("COMMONROOM_DISCORD__TOKEN (environment): not valid UTF-8")
    assert "abc" not in line  # a secret's value is never echoed


def test_a_section_from_the_environment_that_is_not_json_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMONROOM_LOGGING", "{level: INFO")
    with pytest.raises(ConfigError) as caught:
        Settings.load(write_config(tmp_path))
    (line,) = caught.value.problems
    assert line.startswith("COMMONROOM_LOGGING (environment)") and "COMMONROOM_LOGGING__LEVEL" in line


def test_the_file_is_read_once_and_never_re_read_by_pydantic_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, '[logging]\nlevel = "WARNING"\n')
    reads: list[Path] = []
    real_open = Path.open

    def counting(self: Path) -> bytes:
        reads.append(self)
        with real_open(self, "rb") as handle:
            return handle.read()

    monkeypatch.setattr(Path, "read_bytes", counting)
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the config file was opened again"))
    assert Settings.load(path).logging.level == "WARNING"
    assert reads == [path]


TOML_FRAGMENTS = [
    b"[discord]\n",
    b'token = "abc"\n',
    b"[logging]\n",
    b'level = "INFO"\n',
    b"level = 3\n",
    b"[database]\n",
    b'path = "db.sqlite3"\n',
    b"[defaults]\n",
    b'timezone = "Mars/Base"\n',
    b"[metrics]\n",
    b"prometheus_port = 99999\n",
    b"[[signposts]]\n",
    b'name = "Line"\n',
    b'phone = "not a number"\n',
    b'categories = ["urgent"]\n',
    b"[bogus]\n",
    b"x = [\n",
    b'"\\ud800"\n',
    b"\r",
    b"\r\n",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\x00",
    b"=",
    b'"',
]


def _load_any_bytes(path: Path, raw: bytes) -> None:
    path.write_bytes(raw)
    try:
        Settings.load(path)
    except ConfigError as error:
        assert error.problems
        for problem in error.problems:
            assert "\n" not in problem and "\r" not in problem, problem


@pytest.mark.parametrize(
    "examples", [pytest.param(300, id="fast"), pytest.param(10_000, id="slow", marks=pytest.mark.slow)]
)
def test_any_config_file_loads_or_is_explained_one_line_per_problem(tmp_path: Path, examples: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    files = st.one_of(
        st.binary(max_size=200),
        st.lists(st.sampled_from(TOML_FRAGMENTS), max_size=12).map(b"".join),
    )
    path = tmp_path / "config.toml"

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(files)
    def check(raw: bytes) -> None:
        _load_any_bytes(path, raw)

    check()
