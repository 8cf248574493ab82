"""Settings: a TOML file, overridden by the environment, overridden by values passed in code.

Nothing here is read at import time: ``main()`` (or a test) calls :meth:`Settings.load` and
passes the result in. Problems are reported as :class:`~bot.errors.ConfigError`, one readable
line per problem, naming the key, where its value came from and how to fix it.
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot.errors import ConfigError

ENV_PREFIX = "COMMONROOM_"
CONFIG_ENV = "COMMONROOM_CONFIG"
DEFAULT_CONFIG = Path("config.toml")
TOKEN_PLACEHOLDER = "paste-your-bot-token-here"

# The config file's contents, parsed once by Settings.load: pydantic-settings is handed the data,
# never the path, so it cannot re-read the file and fail in its own (uncaught) way.
_toml_data: ContextVar[dict[str, Any] | None] = ContextVar("commonroom_toml_data", default=None)


def validate_timezone(name: str) -> str:
    """An IANA timezone name such as ``Europe/London``; raises ValueError otherwise."""
    cleaned = name.strip()
    if not cleaned or cleaned.startswith("/") or ".." in cleaned:
        raise ValueError(f"{name!r} is not a timezone name; use one like Europe/London")
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known timezone; use an IANA name like Europe/London") from None
    return cleaned


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DiscordSettings(Section):
    token: SecretStr | None = Field(default=None, description="The bot token from the Developer Portal.")

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            return None
        if token == TOKEN_PLACEHOLDER:
            raise ValueError("is still the placeholder from config.example.toml; paste your bot's token")
        if token.lower().startswith("bot "):
            raise ValueError('should be the token alone, without the "Bot " prefix')
        if any(ch.isspace() for ch in token):
            raise ValueError("contains spaces or line breaks; copy the token again from the Developer Portal")
        return SecretStr(token)


class DatabaseSettings(Section):
    path: Path = Field(
        default=Path("data/common-room.sqlite3"), description="SQLite file; created on first run."
    )


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class MetricsSettings(Section):
    prometheus_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve /metrics on this port; off when unset."
    )
    prometheus_host: str = "127.0.0.1"


class SecuritySettings(Section):
    key_file: Path = Field(
        default=Path("data/common-room.key"),
        description="Secret for keyed hashes; created on first run, readable only by the bot's user.",
    )


class DefaultsSettings(Section):
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return validate_timezone(value)


class PrivacySettings(Section):
    controller_name: str = Field(default="", description="Who is responsible for the data (data controller).")
    controller_contact: str = Field(default="", description="How students reach the controller.")


class SignpostSeed(Section):
    """A welfare contact seeded into every server's directory (see the signposts feature)."""

    name: str
    categories: list[str] = Field(default_factory=list)
    description: str = ""
    phone: str | None = None
    text: str | None = None
    email: str | None = None
    web: str | None = None
    in_person: str | None = None
    hours: str = ""
    confidential: bool = True
    independent: bool = True


class Settings(BaseSettings):
    """All settings. Load with :meth:`Settings.load`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    discord: DiscordSettings = DiscordSettings()
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    metrics: MetricsSettings = MetricsSettings()
    security: SecuritySettings = SecuritySettings()
    defaults: DefaultsSettings = DefaultsSettings()
    privacy: PrivacySettings = PrivacySettings()
    signposts: list[SignpostSeed] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        data = _toml_data.get()
        if data is not None:
            sources.append(InitSettingsSource(settings_cls, init_kwargs=data))
        return tuple(sources)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def resolve_path(cls, path: str | Path | None = None) -> tuple[Path, bool]:
        """The config file to read, and whether the person named it explicitly."""
        if path is not None:
            return Path(path), True
        from_env = os.environ.get(CONFIG_ENV)
        if from_env:
            return Path(from_env), True
        return DEFAULT_CONFIG, False

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Read ``path`` (else ``$COMMONROOM_CONFIG``, else ``./config.toml``) plus the environment.

        Keyword arguments win over both. Raises :class:`ConfigError` listing every problem.
        """
        toml_path, explicit = cls.resolve_path(path)
        data = read_toml(toml_path, explicit=explicit)
        file_data = data or {}
        problems = _environment_problems()
        token = _toml_data.set(data)
        try:
            settings = cls(**overrides)
        except ValidationError as error:
            problems += [_describe(err, toml_path, file_data, overrides) for err in error.errors()]
            raise ConfigError(problems) from None
        except SettingsError as error:
            problems.append(_describe_settings_error(error))
            raise ConfigError(problems) from None
        finally:
            _toml_data.reset(token)
        if settings.signposts:
            # Seeds are validated like the directory itself (phones, links, hours), so a bad seed is
            # reported here rather than skipped when the bot starts.
            from bot.services.signposts import validate_seeds

            _, seed_problems = validate_seeds(seed.model_dump() for seed in settings.signposts)
            problems += [f"{problem} Fix it in {toml_path}." for problem in seed_problems]
        if problems:
            raise ConfigError(problems)
        settings._source = toml_path if data is not None else None
        return settings

    _source: Path | None = None

    @property
    def source(self) -> Path | None:
        """The TOML file these settings were read from, if any."""
        return self._source

    def require_token(self) -> str:
        if self.discord.token is None:
            where = self._source or DEFAULT_CONFIG
            raise ConfigError(
                [
                    f"discord.token: missing. Set token under [discord] in {where}, or the environment "
                    "variable COMMONROOM_DISCORD__TOKEN, to your bot's token from the Developer Portal "
                    "(Bot > Reset Token)."
                ]
            )
        return self.discord.token.get_secret_value()

    def masked(self) -> dict[str, Any]:
        """The effective settings, with secrets replaced by a mask, for printing."""
        data = self.model_dump(mode="json")
        data["discord"]["token"] = "********" if self.discord.token is not None else None
        return data


def read_toml(path: Path, *, explicit: bool) -> dict[str, Any] | None:
    """The config file's settings; None when there is none and none was named.

    Raises :class:`ConfigError` with one line for a file that is missing (when named), cannot be
    read, is not UTF-8, has a carriage return on its own (old Mac line endings, which TOML
    forbids) or is not valid TOML. A UTF-8 byte order mark, which some Windows editors write, is
    ignored.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not explicit:
            return None
        raise ConfigError(
            [f"{path}: config file not found. Copy config.example.toml to {path} or fix the path."]
        ) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder, not a config file. Name the TOML file itself."]) from None
    except OSError as error:
        raise ConfigError(
            [f"{path}: cannot be read ({error.strerror or error}). Check its permissions."]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            [
                f"{path}: line {line} is not valid UTF-8 text (byte 0x{raw[error.start]:02x}). "
                "Save the file as UTF-8 and try again."
            ]
        ) from None
    text = text.removeprefix("\ufeff")
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr is not None:
        line = text.count("\n", 0, lone_cr.start()) + 1
        raise ConfigError(
            [
                f"{path}: line {line} ends with a carriage return on its own, which TOML does not allow. "
                "Save the file with Unix (LF) or Windows (CRLF) line endings."
            ]
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = " ".join(str(error).split())
        raise ConfigError([f"{path}: not valid TOML ({reason}). Fix the syntax and try again."]) from None


def _printable(text: str) -> str:
    """``text`` with undecodable bytes (surrogate escapes) shown as ``\\xff``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _environment_problems() -> list[str]:
    """Unknown COMMONROOM_ variables, and values that are not UTF-8 text."""
    known = {name.upper() for name in Settings.model_fields} | {"CONFIG"}
    problems = []
    for name in sorted(os.environ):
        if not name.startswith(ENV_PREFIX):
            continue
        if not _is_text(name) or not _is_text(os.environ[name]):
            problems.append(
                f"{_printable(name)} (environment): not valid UTF-8 text. Set it again as plain text "
                "(check the shell's locale), or remove it."
            )
            continue
        section = name[len(ENV_PREFIX) :].split("__", 1)[0]
        if section not in known:
            problems.append(
                f"{name} (environment): unknown setting. Remove it, or check its spelling against "
                "config.example.toml (sections: " + ", ".join(sorted(Settings.model_fields)) + ")."
            )
    return problems


def _describe_settings_error(error: SettingsError) -> str:
    """One line for a value pydantic-settings could not parse (a whole section as bad JSON)."""
    match = re.search(r'field "([^"]+)"', str(error))
    field = match.group(1) if match else ""
    if field in Settings.model_fields:
        env_name = ENV_PREFIX + field.upper()
        annotation = Settings.model_fields[field].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            example = next(iter(annotation.model_fields), "KEY").upper()
            hint = f"Set one key at a time instead, such as {env_name}__{example}, or write valid JSON."
        else:
            hint = f"Write it as JSON, or set [[{field}]] in the config file instead."
        return f"{env_name} (environment): cannot be read as JSON for [{field}]. {hint}"
    reason = " ".join(str(error).split())
    return f"Settings from the environment cannot be read ({reason}). Check the COMMONROOM_ variables."


def _describe(error: Any, toml_path: Path, file_data: dict[str, Any], overrides: dict[str, Any]) -> str:
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc)
    env_name = ENV_PREFIX + "__".join(part.upper() for part in loc)
    if error["type"] == "extra_forbidden":
        origin = "environment" if _env_has(loc) else str(toml_path)
        return (
            f"{key} ({origin}): unknown setting. Remove it, or check its spelling against "
            "config.example.toml."
        )
    if _dig(overrides, loc):
        origin = "passed in code"
    elif env_name in os.environ:
        origin = f"environment variable {env_name}"
    elif nested := sorted(name for name in os.environ if name.startswith(env_name + "__")):
        origin = f"environment variable {nested[0]}"
    elif _dig(file_data, loc):
        origin = str(toml_path)
    else:
        origin = "default"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return f"{key}: missing. Set it in {toml_path} or as {env_name}."
    return f"{key} ({origin}): {message}. Fix it in {origin if origin != 'default' else toml_path}."


def _env_has(loc: list[str]) -> bool:
    prefix = ENV_PREFIX + "__".join(part.upper() for part in loc[:1])
    return any(name.startswith(prefix) for name in os.environ)


def _dig(data: Any, loc: list[str]) -> bool:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return True
