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
        self.plural: tuple[str, int] | None = None
        self.message = message.format(**values) if values else message
        super().__init__(self.message)

    @classmethod
    def counted(cls, singular: str, plural: str, n: int, /, **values: object) -> UserError:
        """A message with a number in it (``{n}``), in the plural form its language needs."""
        error = cls(singular if n == 1 else plural, n=n, **values)
        error.source, error.plural = singular, (plural, n)
        return error

    def translated(self, t: Callable[..., str]) -> str:
        """The message in ``t``'s language (a :class:`bot.i18n.Translator`), values filled in."""
        # A value marked for the catalogue (bot.i18n.N_: a field's name, say) is translated too.
        values = {k: t(v) if getattr(v, "translatable", False) else v for k, v in self.values.items()}
        if self.plural is not None:
            plural, n = self.plural
            return t.ngettext(self.source, plural, n, **values)  # type: ignore[attr-defined, no-any-return]
        return t(self.source, **values)


class NotFound(UserError):
    """The thing the person named does not exist (or not for them)."""


class ConfigError(Exception):
    """Settings are missing or invalid. Each problem is one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class MigrationError(Exception):
    """The database cannot be brought to this code's schema."""
