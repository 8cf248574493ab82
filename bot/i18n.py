"""Languages: every user-facing string through a gettext catalogue (issue #18). THE one home.

English is the source language: the strings in the code are English, and a catalogue per
language (``bot/locales/<locale>/LC_MESSAGES/messages.po``, compiled to ``.mo``, managed with
Babel's ``pybabel``; see docs/translating.md) holds their translations. Welsh (``cy``) is the first.

How a cog speaks::

    t = await bot.i18n.for_interaction(interaction)       # the reader's language
    t("Your place is saved.")
    t("{name} is going.", name=display_name)              # named placeholders, filled after lookup
    t.ngettext("{n} person going", "{n} people going", n)  # plural forms; ``n`` is filled in too
    t.pgettext("button", "Going")                          # the same English, told apart by context

    voice = await bot.i18n.for_guild(guild_id)            # for posts in a channel
    voice.text(lambda t: t("Tonight: board games."))      # one language, or Welsh then English

Module-level constants are marked with :func:`N_` (a :class:`Message`, still the English ``str``)
and translated where they are shown: ``t(PRIVACY_LINE)``. Never build the English with an
f-string before ``t``: the catalogue could not find it. Put values in named placeholders.

Who gets which language (:meth:`I18n.resolve`): the member's own choice (``/language``), else the
server's (``/setup language``; "bilingual" decides posts, not private replies), else Discord's
locale for the interaction where a catalogue exists for it, else English.

No configuration or file is read at import time; the catalogues are read on first use.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import logging
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from bot.services.language import BILINGUAL, SOURCE, WELSH, LanguageService

log = logging.getLogger(__name__)

LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"
DOMAIN: Final = "messages"
#: The pseudo-locale: every string from the catalogue comes back wrapped in markers, so a test can
#: find text that bypassed the catalogue. Never offered to members.
PSEUDO: Final = "qps"
PSEUDO_OPEN: Final = "⟦"
PSEUDO_CLOSE: Final = "⟧"
#: The line in a ``.po`` file's header comment that says whether a fluent speaker reviewed it.
REVIEW_MARK: Final = "Review status:"
#: Between the languages of one bilingual message (Welsh first).
BILINGUAL_SEPARATOR: Final = "\n\n"

Why = Literal["member", "server", "discord", "default"]


class Message(str):
    """An English source string marked for the catalogue, translated where it is shown (also
    when it is a value in a :class:`~bot.errors.UserError`)."""

    __slots__ = ()
    translatable = True


def N_(message: str) -> Message:  # the gettext convention, and one of pybabel's keywords
    """Mark ``message`` for the catalogue without translating it yet (module-level constants)."""
    return Message(message)


def Np_(singular: str, plural: str) -> tuple[Message, Message]:
    """Mark a plural pair for the catalogue (``t.ngettext(*pair, n)`` translates it later)."""
    return Message(singular), Message(plural)


class _SafeFormatter(string.Formatter):
    """``str.format`` with named fields only: a translation can't reach attributes or items."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise ValueError(f"placeholder {{{field_name}}} is not a plain name")
        return super().get_field(field_name, args, kwargs)


_FORMATTER: Final = _SafeFormatter()


@functools.lru_cache(maxsize=8192)
def _plain_fields(text: str) -> bool:
    """Whether every placeholder in ``text`` is a plain name with no nested field in its format:
    then C's ``str.format_map`` fills it as safely as :class:`_SafeFormatter` would, several times
    faster (checked once per catalogue string)."""
    try:
        return all(
            field is None or (field.isidentifier() and "{" not in (spec or ""))
            for _, field, spec, _ in _FORMATTER.parse(text)
        )
    except ValueError:
        return False


def _format(text: str, values: Mapping[str, object]) -> str:
    if _plain_fields(text):
        return text.format_map(values)
    return _FORMATTER.vformat(text, (), values)


#: Shown with replies in a language whose catalogue no fluent speaker has reviewed yet.
UNREVIEWED_TITLE: Final = N_("About this translation")
UNREVIEWED_NOTICE: Final = N_(
    "This translation has not yet been checked by a fluent speaker, so some wording may be wrong. "
    "If anything is unclear, `/language` switches to English."
)


def placeholders(text: str) -> set[str]:
    """The named placeholders in ``text`` (``{n}``, ``{name}``)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


class Translator:
    """One language: look a source string up and fill its named placeholders."""

    __slots__ = ("_translations", "locale", "reviewed")

    def __init__(self, locale: str, translations: gettext.NullTranslations, *, reviewed: bool = True) -> None:
        self.locale = locale
        self.reviewed = reviewed  # False until a fluent speaker has reviewed the catalogue
        self._translations = translations

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

    def __call__(self, message: str, /, **values: object) -> str:
        return self._fill(self._translations.gettext(message), message, values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        values.setdefault("n", n)
        source = singular if n == 1 else plural
        return self._fill(self._translations.ngettext(singular, plural, n), source, values)

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        return self._fill(self._translations.pgettext(context, message), message, values)

    def _fill(self, text: str, source: str, values: Mapping[str, object]) -> str:
        if not values:
            return text
        try:
            return _format(text, values)
        except (KeyError, IndexError, ValueError, AttributeError):
            # A broken translation must never hide what a message says (crisis lines above all).
            log.warning(
                "The %s translation of %r has a bad placeholder; showing English", self.locale, source
            )
            return _format(source, values)


class _Pseudo(gettext.NullTranslations):
    """The pseudo-locale's "catalogue": every string it is asked for comes back in markers."""

    def gettext(self, message: str) -> str:
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)


def outside_markers(text: str) -> str:
    """What is left of ``text`` once every pseudo-locale span (nested ones too) is removed."""
    out: list[str] = []
    depth = 0
    for char in text:
        if char == PSEUDO_OPEN:
            depth += 1
        elif char == PSEUDO_CLOSE and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


SOURCE_TRANSLATOR: Final = Translator(SOURCE, gettext.NullTranslations())
"""English, the source: what every function that takes an optional ``t`` uses by default."""


def review_status(po_file: Path) -> str:
    """The review status a ``.po`` file's header comment records ("" when it records none)."""
    try:
        with po_file.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.startswith("#"):
                    break
                text = line.lstrip("#").strip()
                if text.startswith(REVIEW_MARK):
                    return text[len(REVIEW_MARK) :].strip()
    except OSError:
        pass
    return ""


def is_reviewed(status: str) -> bool:
    """Whether a review status says a fluent speaker reviewed the catalogue ("reviewed by …")."""
    return status.lower().startswith("reviewed")


class Catalogues:
    """The compiled catalogues in ``directory``, read on first use."""

    def __init__(self, directory: Path = LOCALES_DIR, domain: str = DOMAIN) -> None:
        self.directory = directory
        self.domain = domain
        self._translators: dict[str, Translator] | None = None
        self._digest = ""

    def _load(self) -> dict[str, Translator]:
        if self._translators is not None:
            return self._translators
        from babel.support import Translations

        found: dict[str, Translator] = {SOURCE: SOURCE_TRANSLATOR}
        digest = hashlib.sha256()
        for mo_file in sorted(self.directory.glob(f"*/LC_MESSAGES/{self.domain}.mo")):
            locale = mo_file.parent.parent.name
            data = mo_file.read_bytes()
            digest.update(locale.encode() + b"\0" + data)
            with mo_file.open("rb") as fp:
                translations = Translations(fp, domain=self.domain)
            reviewed = is_reviewed(review_status(mo_file.with_suffix(".po")))
            found[locale] = Translator(locale, translations, reviewed=reviewed)
        self._digest = digest.hexdigest()
        self._translators = found
        return found

    @property
    def locales(self) -> frozenset[str]:
        """Every language the bot can speak: English and each catalogue."""
        return frozenset(self._load())

    def digest(self) -> str:
        """A hash of every compiled catalogue (a change to one means slash commands need a sync)."""
        self._load()
        return self._digest

    def translator(self, locale: str | None) -> Translator:
        """The language ``locale``; the pseudo-locale for :data:`PSEUDO`; English for anything else."""
        if locale == PSEUDO:
            return Translator(PSEUDO, _Pseudo(), reviewed=False)
        return self._load().get(locale or SOURCE, SOURCE_TRANSLATOR)

    def match(self, discord_locale: str | None) -> str | None:
        """The catalogue for one of Discord's locales ("en-GB", "pt-BR", "fr"), if there is one:
        the exact locale first, then its language. Discord has no Welsh locale."""
        if not discord_locale:
            return None
        known = self._load()
        exact = discord_locale.replace("-", "_")
        for candidate in (exact, exact.split("_")[0]):
            if candidate in known:
                return candidate
        return None


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


class InteractionLike(Protocol):
    """What :meth:`I18n.for_interaction` reads of a ``discord.Interaction``."""

    @property
    def guild_id(self) -> int | None: ...
    @property
    def user(self) -> _HasId: ...
    @property
    def locale(self) -> object: ...


@dataclass(frozen=True, slots=True)
class Resolved:
    """A reader's language, and why it is that one."""

    locale: str
    why: Why


def join_languages(parts: Sequence[str], limit: int, separator: str = BILINGUAL_SEPARATOR) -> str:
    """The languages of one message, in order, within ``limit`` characters.

    When all of them don't fit, each is cut to an equal share (marked with "…"), so no language
    is dropped or favoured; :func:`fits` lets a test make sure a message never needs that.
    """
    parts = [part for part in parts if part]
    joined = separator.join(parts)
    if len(joined) <= limit or not parts:
        return joined
    share = max(1, (limit - len(separator) * (len(parts) - 1)) // len(parts))
    return separator.join(part if len(part) <= share else part[: share - 1] + "…" for part in parts)


def fits(parts: Sequence[str], limit: int, separator: str = BILINGUAL_SEPARATOR) -> bool:
    return len(separator.join(part for part in parts if part)) <= limit


@dataclass(frozen=True, slots=True)
class Voice:
    """How the bot speaks in a server's channels: one language, or Welsh then English."""

    translators: tuple[Translator, ...]

    @property
    def primary(self) -> Translator:
        return self.translators[0]

    @property
    def bilingual(self) -> bool:
        return len(self.translators) > 1

    def text(self, draw: Callable[[Translator], str], limit: int = 2000) -> str:
        """``draw`` in each language, joined (Welsh first) within ``limit``."""
        return join_languages([draw(t) for t in self.translators], limit)

    def label(self, message: str, limit: int = 80, /, **values: object) -> str:
        """A short label (a button, a title) in each language: "Cymraeg / English"."""
        return join_languages([t(message, **values) for t in self.translators], limit, separator=" / ")


class I18n:
    """Which language each reader gets, and the catalogues to speak it (``bot.i18n``)."""

    def __init__(self, languages: LanguageService, catalogues: Catalogues | None = None) -> None:
        self.languages = languages
        self.catalogues = catalogues or Catalogues()

    def translator(self, locale: str | None) -> Translator:
        return self.catalogues.translator(locale)

    async def resolve(self, guild_id: int | None, member_id: int, discord_locale: str | None) -> Resolved:
        """The member's own choice > the server's language > Discord's locale > English."""
        known = self.catalogues.locales
        if guild_id is not None:
            chosen = await self.languages.get(guild_id)
            own = chosen.members.get(member_id)
            if own in known:
                return Resolved(own, "member")
            if chosen.server in known:  # "bilingual" is for posts: a reply goes on down the list
                return Resolved(chosen.server, "server")
        else:  # a DM: no server to ask, so the member's most recent choice on any server
            latest = await self.languages.latest_choice(member_id)
            if latest in known:
                return Resolved(latest, "member")
        matched = self.catalogues.match(discord_locale)
        if matched is not None:
            return Resolved(matched, "discord")
        return Resolved(SOURCE, "default")

    async def for_member(
        self, guild_id: int | None, member_id: int, discord_locale: str | None = None
    ) -> Translator:
        resolved = await self.resolve(guild_id, member_id, discord_locale)
        return self.translator(resolved.locale)

    async def for_interaction(self, interaction: InteractionLike) -> Translator:
        """The language to answer this interaction in (privately)."""
        locale = interaction.locale
        return await self.for_member(
            interaction.guild_id, interaction.user.id, None if locale is None else str(locale)
        )

    async def for_guild(self, guild_id: int) -> Voice:
        """The language of posts in this server's channels (both, Welsh first, when bilingual)."""
        server = (await self.languages.get(guild_id)).server
        if server == BILINGUAL:
            return Voice((self.translator(WELSH), self.translator(SOURCE)))
        return Voice((self.translator(server if server in self.catalogues.locales else SOURCE),))


# -- keeping the catalogues (python -m bot.i18n; docs/translating.md) ------------------------

#: ``pybabel`` arguments for each step, run from the repository's root.
PYBABEL_STEPS: Final[dict[str, list[str]]] = {
    "extract": [
        "extract",
        "-F",
        "pyproject.toml",
        "-o",
        "bot/locales/messages.pot",
        "--project",
        "Common Room",
        "--copyright-holder",
        "Common Room contributors",
        "--msgid-bugs-address",
        "see docs/translating.md",
        "--add-location",
        "file",
        "--sort-output",
        "--width",
        "100",
        "bot",
        "cogs",
    ],
    "update": [
        "update",
        "-i",
        "bot/locales/messages.pot",
        "-d",
        "bot/locales",
        "-D",
        DOMAIN,
        "--width",
        "100",
        "--ignore-obsolete",
    ],
    "compile": ["compile", "-d", "bot/locales", "-D", DOMAIN, "--statistics"],
}
