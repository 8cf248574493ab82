"""Errors shared by the core and the services (no Discord imports here)."""

from __future__ import annotations


class UserError(Exception):
    """Something the person can fix. Its message is shown to them, privately, as it is.

    Write it kindly and say what to change: "That date is in the past. Try a time after
    now, for example `3 Dec 18:30`."
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserError):
    """The thing the person named does not exist (or not for them)."""


class ConfigError(Exception):
    """Settings are missing or invalid. Each problem is one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class MigrationError(Exception):
    """The database cannot be brought to this code's schema."""
