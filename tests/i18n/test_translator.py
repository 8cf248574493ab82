"""bot.i18n's translation function: named placeholders, plural forms, contexts, the pseudo-locale,
and bilingual text within Discord's limits."""

from __future__ import annotations

import io
import logging

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from bot.i18n import (
    N_,
    PSEUDO,
    SOURCE_TRANSLATOR,
    Catalogues,
    Message,
    Translator,
    Voice,
    fits,
    join_languages,
    outside_markers,
    placeholders,
)

MEMBERS = (
    "{n} member has chosen their own language with `/language` and keeps it.",
    "{n} members have chosen their own language with `/language` and keep it.",
)


Entry = tuple[str | None, str | tuple[str, str], str | tuple[str, ...]]


def translator(*entries: Entry, locale: str = "cy") -> Translator:
    """A catalogue of (context, msgid, msgstr) built in memory, compiled and read as the bot reads one."""
    catalog = Catalog(locale=locale)
    for context, msgid, msgstr in entries:
        catalog.add(msgid, msgstr, context=context)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translator(locale, Translations(compiled))


def test_english_is_the_source_with_named_placeholders_and_plurals() -> None:
    t = SOURCE_TRANSLATOR
    assert t("Your privacy") == "Your privacy"
    assert t("Common Room {version} · open source", version="1.2") == "Common Room 1.2 · open source"
    assert t.ngettext(*MEMBERS, 1).startswith("1 member has")
    assert t.ngettext(*MEMBERS, 0).startswith("0 members have")
    # Without values a string is shown as it is, braces and all.
    assert t("Use {braces} freely") == "Use {braces} freely"


def test_welsh_has_six_plural_forms_chosen_by_cldr_rules() -> None:
    forms = tuple(f"form {i}: {{n}}" for i in range(6))
    t = translator((None, MEMBERS, forms))
    chosen = {n: t.ngettext(*MEMBERS, n) for n in (0, 1, 2, 3, 4, 6, 7, 11)}
    assert chosen == {
        0: "form 0: 0",
        1: "form 1: 1",
        2: "form 2: 2",
        3: "form 3: 3",
        4: "form 5: 4",
        6: "form 4: 6",
        7: "form 5: 7",
        11: "form 5: 11",
    }
    # The shipped Welsh catalogue has them all.
    welsh = Catalogues().translator("cy")
    assert "aelod" in welsh.ngettext(*MEMBERS, 2) and "2" in welsh.ngettext(*MEMBERS, 2)


def test_context_tells_the_same_english_apart() -> None:
    t = translator(("button", "Going", "Dod"), (None, "Going", "Yn mynd"))
    assert t.pgettext("button", "Going") == "Dod"
    assert t("Going") == "Yn mynd"
    assert t.pgettext("elsewhere", "Going") == "Going"  # no entry: English


def test_a_lazy_constant_is_english_until_translated() -> None:
    line = N_("Your privacy")
    assert isinstance(line, Message) and line == "Your privacy"
    assert Catalogues().translator("cy")(line) == "Eich preifatrwydd"


def test_a_broken_translation_shows_english_instead_of_failing(caplog: pytest.LogCaptureFixture) -> None:
    t = translator(
        (None, "call {number}, free", "ffoniwch {rhif}, am ddim"),  # a renamed placeholder
        (None, "Hello {name}", "Helo {name.__class__}"),  # reaching into a value: refused
    )
    with caplog.at_level(logging.WARNING):
        assert t("call {number}, free", number="116 123") == "call 116 123, free"
        assert t("Hello {name}", name="Sam") == "Hello Sam"
    assert "bad placeholder" in caplog.text


def test_placeholders_are_found_by_name() -> None:
    assert placeholders("**{name}**: {how}, {when}.") == {"name", "how", "when"}
    assert placeholders("No placeholders") == set()


def test_the_pseudo_locale_wraps_every_string_it_is_asked_for() -> None:
    t = Catalogues().translator(PSEUDO)
    assert t("Your privacy") == "⟦Your privacy⟧"
    assert t("{n} going", n=3) == "⟦3 going⟧"
    assert t.ngettext(*MEMBERS, 2).startswith("⟦2 members")
    assert t.pgettext("button", "Going") == "⟦Going⟧"
    assert not t.reviewed  # so the review notice is exercised under it too
    nested = f"• {t('**{name}**: {how}', name=t('Samaritans'), how=t('call'))}"
    assert outside_markers(nested) == "• "
    assert outside_markers("plain ⟦wrapped⟧ text") == "plain  text"


def test_unknown_locales_fall_back_to_english() -> None:
    catalogues = Catalogues()
    assert catalogues.translator("xx").locale == "en"
    assert catalogues.translator(None).locale == "en"
    assert catalogues.locales == {"en", "cy"}


def test_discords_locales_match_a_catalogue_by_locale_then_language() -> None:
    catalogues = Catalogues()
    assert catalogues.match("en-GB") == "en" and catalogues.match("en-US") == "en"
    assert catalogues.match("fr") is None and catalogues.match("") is None
    assert catalogues.match("cy") == "cy"  # Discord has no Welsh locale today; a future one would match


def test_bilingual_text_is_welsh_first_and_stays_within_the_limit() -> None:
    catalogues = Catalogues()
    voice = Voice((catalogues.translator("cy"), catalogues.translator("en")))
    assert voice.bilingual and voice.primary.locale == "cy"
    assert voice.text(lambda t: t("Your privacy")) == "Eich preifatrwydd\n\nYour privacy"
    assert voice.label("Your privacy") == "Eich preifatrwydd / Your privacy"
    assert Voice((catalogues.translator("en"),)).text(lambda t: t("Your privacy")) == "Your privacy"

    long = ["a" * 1500, "b" * 1500]
    joined = join_languages(long, 2000)
    assert len(joined) <= 2000 and not fits(long, 2000)
    welsh, english = joined.split("\n\n")
    assert welsh.startswith("a") and english.startswith("b") and len(welsh) == len(english)
    assert welsh.endswith("…")
    assert join_languages(["short", "byr"], 2000) == "short\n\nbyr"


def test_a_refusal_is_shown_in_the_readers_language_with_the_field_it_names_and_its_count() -> None:
    from bot.errors import UserError
    from bot.i18n import N_
    from bot.text import clean_text

    welsh = Catalogues().translator("cy")
    with pytest.raises(UserError) as long:
        clean_text("x" * 12, field=N_("The title"), limit=10)
    assert (
        long.value.message
        == "The title is 12 characters long; the limit is 10. Please shorten it by 2 characters."
    )
    assert long.value.translated(welsh) == "Y teitl: mae'n 12 nod o hyd; y terfyn yw 10. Byrhewch ef o 2 nod."
    with pytest.raises(UserError) as one_over:
        clean_text("x" * 11, field=N_("The title"), limit=10)
    assert one_over.value.message.endswith("Please shorten it by 1 character.")
    with pytest.raises(UserError) as empty:
        clean_text("   ", field=N_("Your comment"), required=True)
    assert empty.value.translated(welsh).startswith("Eich sylw: mae'n wag.")
    # A field named with plain text (not marked for the catalogue) is shown as it is.
    with pytest.raises(UserError) as plain:
        clean_text("", field="Question 2", required=True)
    assert plain.value.translated(welsh).startswith("Question 2: mae'n wag.")
