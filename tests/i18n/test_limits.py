"""Discord's length limits hold in every language: Welsh runs longer than English, and the
pseudo-locale adds its markers to every string."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

import discord
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from discord import app_commands

from bot.i18n import PSEUDO, Catalogues, Translator, Voice, fits
from bot.services.language import SERVER_LANGUAGES, ServerLanguages
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.text import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
)
from bot.ui import fallback_support
from bot.ui.translator import CatalogueTranslator, discord_locales
from cogs.about import about_embed
from cogs.language import SERVER_CHOICE
from cogs.language import language_reply as member_reply
from cogs.setup.render import language_reply as server_reply
from tests.conftest import World
from tests.i18n.helpers import TEMPLATE, read

LANGUAGES = ["en", "cy", PSEUDO]
COMMAND_TEXT_LIMIT = 100  # descriptions of commands and options, and choice names


def translators() -> list[Translator]:
    catalogues = Catalogues()
    return [catalogues.translator(locale) for locale in LANGUAGES]


def localised(payload: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """(where, text) for every translation in a command's payload, options and choices included."""
    found = [
        (f"{path} description [{locale}]", text)
        for locale, text in (payload.get("description_localizations") or {}).items()
    ]
    assert not payload.get("name_localizations"), f"{path}: names must stay stable"
    for option in payload.get("options", []) or []:
        found += localised(option, f"{path} {option['name']}")
        for choice in option.get("choices", []) or []:
            found += [
                (f"{path} {option['name']} choice [{locale}]", text)
                for locale, text in (choice.get("name_localizations") or {}).items()
            ]
    return found


async def test_command_descriptions_fit_in_every_language(world: World) -> None:
    """Discord has no Welsh locale, so this lends Welsh and the pseudo-locale two of Discord's
    locales to see every description as Discord would be sent it."""
    translator = CatalogueTranslator(
        Catalogues(), {discord.Locale.french: "cy", discord.Locale.german: PSEUDO}
    )
    found: list[tuple[str, str]] = []
    for command in world.bot.tree.get_commands():
        payload = await command.get_translated_payload(world.bot.tree, translator)
        found += localised(payload, f"/{payload['name']}")
    assert [(where, len(text)) for where, text in found if not 1 <= len(text) <= COMMAND_TEXT_LIMIT] == []
    welsh = dict(found)
    assert welsh["/about description [fr]"] == "Beth yw Common Room a sut mae'n gofalu am eich preifatrwydd"
    assert welsh["/language language choice [fr]"] == "Iaith y gweinydd hwn"
    assert any(where.startswith("/setup language description") for where in welsh)


def test_english_locales_get_no_translation_and_discord_has_no_welsh_locale() -> None:
    mapped = discord_locales(Catalogues())
    assert discord.Locale.british_english not in mapped and discord.Locale.american_english not in mapped
    assert "cy" not in mapped.values()  # if Discord adds Welsh, descriptions will be translated for it


async def test_a_translation_over_discords_limit_falls_back_to_english(tmp_path: Path) -> None:
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="cy")
    catalog.add("Short", "Byr " * 40)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    translator = CatalogueTranslator(Catalogues(tmp_path), {discord.Locale.french: "cy"})
    context = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.command_description, None
    )
    assert (
        await translator.translate(app_commands.locale_str("Short"), discord.Locale.french, context) is None
    )


def check_embed(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= EMBED_TITLE_LIMIT
    assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
    for field in embed.fields:
        assert len(field.name or "") <= EMBED_FIELD_NAME_LIMIT
        assert len(field.value or "") <= EMBED_FIELD_VALUE_LIMIT


@pytest.mark.parametrize("t", translators(), ids=LANGUAGES)
def test_converted_replies_fit_in_every_language(t: Translator) -> None:
    check_embed(about_embed(t, "10.20.30"))
    fallback = fallback_support(t=t)["embeds"][0]
    check_embed(fallback)
    assert len(crisis_text(t)) <= EMBED_DESCRIPTION_LIMIT
    assert len(urgent_help([], t)) <= EMBED_DESCRIPTION_LIMIT
    assert len(crisis_sentence(t)) <= 400  # it shares a message with a refusal or a limit
    for name, value in crisis_fields(t):
        assert len(name) <= EMBED_FIELD_NAME_LIMIT and len(value) <= EMBED_FIELD_VALUE_LIMIT
    for why in ("member", "server", "discord", "default"):
        for changed in (None, "cy", "en", SERVER_CHOICE):
            assert len(member_reply(t, why, changed)) <= MESSAGE_LIMIT  # type: ignore[arg-type]
    for server in (None, *SERVER_LANGUAGES):
        languages = ServerLanguages(server, members=MappingProxyType(dict.fromkeys(range(1000), "cy")))
        for changed in (False, True):
            assert len(server_reply(t, languages, changed)) <= MESSAGE_LIMIT


def test_a_bilingual_about_text_fits_one_embed_description() -> None:
    catalogues = Catalogues()
    voice = Voice((catalogues.translator("cy"), catalogues.translator("en")))
    parts = [about_embed(t, "1.0").description or "" for t in voice.translators]
    assert fits(parts, EMBED_DESCRIPTION_LIMIT)
    assert fits([crisis_text(t) for t in voice.translators], EMBED_DESCRIPTION_LIMIT)


def test_the_welsh_catalogue_is_not_so_long_it_could_break_a_limit_english_meets() -> None:
    """A cheap guard for strings not yet rendered in a test: no Welsh entry is more than twice
    its English plus 40 characters (Welsh typically runs 10-30% longer)."""
    welsh = Catalogues().translator("cy")
    too_long = [
        message.id
        for message in read(TEMPLATE)
        if message.id and not message.pluralizable and len(welsh(message.id)) > 2 * len(message.id) + 40
    ]
    assert too_long == []
