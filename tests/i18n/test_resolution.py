"""Who gets which language, against a real database: the member's own choice, then the server's,
then Discord's locale where a catalogue exists, then English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.i18n import I18n, Resolved
from bot.services.language import LanguageService

GUILD, OTHER_GUILD = 10, 20
SAM, ALED = 1, 2


@dataclass
class User:
    id: int


@dataclass
class Interaction:
    """What bot.i18n reads of a discord.Interaction."""

    guild_id: int | None
    user: User
    locale: object


@pytest.fixture
def languages(db: Database, clock: ManualClock) -> LanguageService:
    return LanguageService(db, clock)


@pytest.fixture
def i18n(languages: LanguageService) -> I18n:
    return I18n(languages)


async def test_nothing_chosen_gives_discords_locale_where_a_catalogue_exists_else_english(i18n: I18n) -> None:
    assert await i18n.resolve(GUILD, SAM, "en-GB") == Resolved("en", "discord")
    assert await i18n.resolve(GUILD, SAM, "fr") == Resolved("en", "default")  # no French catalogue
    assert await i18n.resolve(GUILD, SAM, None) == Resolved("en", "default")
    # Discord sends no Welsh locale; if it did, the Welsh catalogue would answer.
    assert await i18n.resolve(GUILD, SAM, "cy") == Resolved("cy", "discord")


async def test_the_servers_language_wins_over_discords_and_the_members_over_both(
    i18n: I18n, languages: LanguageService
) -> None:
    await languages.set_server(GUILD, "cy")
    assert await i18n.resolve(GUILD, SAM, "en-GB") == Resolved("cy", "server")
    await languages.set_member(GUILD, SAM, "en")
    assert await i18n.resolve(GUILD, SAM, "en-GB") == Resolved("en", "member")
    assert await i18n.resolve(GUILD, ALED, "en-GB") == Resolved("cy", "server")  # others keep the server's
    # Choices are per server: elsewhere neither applies.
    assert await i18n.resolve(OTHER_GUILD, SAM, "en-GB") == Resolved("en", "discord")
    # Removing one's own choice brings the server's back.
    await languages.set_member(GUILD, SAM, None)
    assert await i18n.resolve(GUILD, SAM, "en-GB") == Resolved("cy", "server")
    # Outside a server (no guild) with no choice of their own anywhere, Discord's locale says.
    assert await i18n.resolve(None, SAM, "en-US") == Resolved("en", "discord")


async def test_a_bilingual_server_posts_in_both_and_leaves_replies_to_the_member(
    i18n: I18n, languages: LanguageService
) -> None:
    await languages.set_server(GUILD, "bilingual")
    voice = await i18n.for_guild(GUILD)
    assert [t.locale for t in voice.translators] == ["cy", "en"]
    assert await i18n.resolve(GUILD, SAM, "en-GB") == Resolved("en", "discord")
    await languages.set_member(GUILD, SAM, "cy")
    assert (await i18n.for_member(GUILD, SAM, "en-GB")).locale == "cy"


async def test_posts_follow_the_servers_language(i18n: I18n, languages: LanguageService) -> None:
    assert [t.locale for t in (await i18n.for_guild(GUILD)).translators] == ["en"]  # not chosen
    await languages.set_server(GUILD, "cy")
    voice = await i18n.for_guild(GUILD)
    assert not voice.bilingual and voice.primary.locale == "cy"
    await languages.set_member(GUILD, SAM, "en")  # a member's choice is theirs, not the channel's
    assert (await i18n.for_guild(GUILD)).primary.locale == "cy"


async def test_for_interaction_reads_the_interaction(i18n: I18n, languages: LanguageService) -> None:
    await languages.set_member(GUILD, SAM, "cy")
    assert (await i18n.for_interaction(Interaction(GUILD, User(SAM), "en-US"))).locale == "cy"
    assert (await i18n.for_interaction(Interaction(GUILD, User(ALED), "en-US"))).locale == "en"
    assert (
        await i18n.for_interaction(Interaction(None, User(SAM), None))
    ).locale == "cy"  # a DM: their choice


async def test_choices_are_checked_stored_and_seen_at_once(
    languages: LanguageService, db: Database, clock: ManualClock
) -> None:
    with pytest.raises(ValueError):
        await languages.set_server(GUILD, "fr")
    with pytest.raises(ValueError):
        await languages.set_member(GUILD, SAM, "bilingual")  # a person reads one language at a time
    assert (await languages.get(GUILD)).server is None
    await languages.set_server(GUILD, "cy")
    await languages.set_server(GUILD, "bilingual")
    await languages.set_member(GUILD, SAM, "cy")
    # Another service on the same database shares the cache, and sees the writes.
    other = LanguageService(db, clock)
    chosen = await other.get(GUILD)
    assert chosen.server == "bilingual" and dict(chosen.members) == {SAM: "cy"}
    assert (
        await db.fetchval("SELECT language FROM guild_languages WHERE guild_id = ?", (GUILD,)) == "bilingual"
    )


async def test_my_data_shows_the_choice_and_forget_me_erases_it(
    languages: LanguageService, i18n: I18n, db: Database
) -> None:
    assert await languages.export_member(GUILD, SAM) == {"language": None}
    await languages.set_member(GUILD, SAM, "cy")
    await languages.set_member(OTHER_GUILD, SAM, "cy")
    exported = await languages.export_member(GUILD, SAM)
    assert exported["language"] == "cy" and exported["chosen_at"].startswith("2026-10-05")
    assert await languages.forget_member(GUILD, SAM) == 1
    assert await languages.forget_member(GUILD, SAM) == 0
    assert await i18n.resolve(GUILD, SAM, None) == Resolved("en", "default")
    # Forgetting is per server, as /privacy is.
    assert await db.fetchval("SELECT COUNT(*) FROM member_languages WHERE member_id = ?", (SAM,)) == 1


async def test_in_a_dm_the_members_latest_choice_on_any_server_answers(
    i18n: I18n, languages: LanguageService, clock: ManualClock
) -> None:
    # A button pressed in a DM names no server: the member's own most recent choice is used.
    assert await i18n.resolve(None, SAM, "en-GB") == Resolved("en", "discord")
    await languages.set_member(GUILD, SAM, "cy")
    assert await i18n.resolve(None, SAM, "en-GB") == Resolved("cy", "member")
    clock.advance(timedelta(minutes=1))
    await languages.set_member(OTHER_GUILD, SAM, "en")
    assert await i18n.resolve(None, SAM, None) == Resolved("en", "member")
    assert await i18n.resolve(None, ALED, None) == Resolved("en", "default")  # others: not theirs
