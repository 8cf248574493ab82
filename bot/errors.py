"""Errors shared by the core and the services (no Discord imports here)."""

from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """Something the person can fix. Its message is shown to them, privately, in their language.

    Write it kindly and say what to change: "That date is in the past. Try a time after
    now, for example `3 Dec 18:30`." The message is English, the catalogue's source
    (:mod:`bot.i18n`, docs/translating.md): never build it with an f-string; put values in named
    placeholders, ``UserError("That is {n} characters; keep it to {limit}.", n=n, limit=100)``
    (write a literal brace as ``{{`` when there are values). The error guard shows
    :meth:`translated` in the reader's language; :attr:`message` is the English text.
    """

    def __init__(self, message: str, /, **values: object) -> None:
        self.source = message
        self.values = values
        self.message = message.format(**values) if values else message
        super().__init__(self.message)

    def translated(self, t: Callable[..., str]) -> str:
        """The message in ``t``'s language (a :class:`bot.i18n.Translator`), values filled in."""
        return t(self.source, **self.values)


class NotFound(UserError):
    """The thing the person named does not exist (or not for them)."""


class ConfigError(Exception):
    """Settings are missing or invalid. Each problem is one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class MigrationError(Exception):
    """The database cannot be brought to this code's schema."""
