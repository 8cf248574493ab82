"""Slash command descriptions in the reader's language: discord.py's ``app_commands.Translator``.

Discord shows a command's description, its options' descriptions and its choices in the
client's language when the command carries a translation for that locale. This translator
gives Discord the catalogue's translation (:mod:`bot.i18n`) for every Discord locale that maps
to a catalogue. Names (of commands, groups and options) are never translated: they are how
people, docs and tests call a command, so they stay stable.

Discord has no Welsh locale, so today the Welsh catalogue localises nothing here; English locales
(en-GB, en-US) are the source and get nothing either. A catalogue for a language Discord has
(French, say) would be picked up with no change here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands

from bot.i18n import Catalogues
from bot.services.language import SOURCE
from bot.text import CHOICE_NAME_LIMIT

log = logging.getLogger(__name__)

Location = app_commands.TranslationContextLocation
#: What is translated; names are not.
TRANSLATED = frozenset(
    {
        Location.command_description,
        Location.group_description,
        Location.parameter_description,
        Location.choice_name,
    }
)
#: Discord's limit for each of those (descriptions and choice names alike).
LIMIT = CHOICE_NAME_LIMIT


def discord_locales(catalogues: Catalogues) -> dict[discord.Locale, str]:
    """Each of Discord's locales that has a catalogue (other than English, the source)."""
    found = {}
    for locale in discord.Locale:
        matched = catalogues.match(locale.value)
        if matched is not None and matched != SOURCE:
            found[locale] = matched
    return found


class CatalogueTranslator(app_commands.Translator):
    def __init__(self, catalogues: Catalogues, locales: Mapping[discord.Locale, str] | None = None) -> None:
        self.catalogues = catalogues
        self._locales = dict(locales) if locales is not None else None

    @property
    def locales(self) -> dict[discord.Locale, str]:
        """Discord locale → catalogue (worked out from the catalogues unless given)."""
        if self._locales is None:
            self._locales = discord_locales(self.catalogues)
        return self._locales

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in TRANSLATED:
            return None
        code = self.locales.get(locale)
        if code is None:
            return None
        text = self.catalogues.translator(code)(string.message)
        if text == string.message:
            return None  # not translated: Discord shows the English
        if len(text) > LIMIT:
            log.warning(
                "The %s translation of %r is over %d characters; Discord gets English", code, string, LIMIT
            )
            return None
        return text
