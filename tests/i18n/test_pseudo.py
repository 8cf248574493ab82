"""No user-facing string of a converted module bypasses the catalogue.

Under the pseudo-locale every string the catalogue gives comes back wrapped in ⟦ ⟧, so a word
outside the markers in what the bot shows was never looked up: a string literal that bypassed
the catalogue. Placeholder values (a version, a number) are inside the markers, because they are
filled into the wrapped string.

Converting a module? Add what it shows to ``SCREENS`` (driven through the real bot) so this test
covers it. Modules not converted yet are listed in docs/translating.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
import pytest

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import fallback_support
from tests.conftest import World
from tests.i18n.helpers import bypassing, embed_texts, shown
from tests.i18n.screens_communities import communities_organiser, communities_student
from tests.i18n.screens_signposts import signposts_organiser, signposts_student

Screen = Callable[[World, Translator], Awaitable[list[str]]]


async def about(world: World, t: Translator) -> list[str]:
    return shown((await world.student.slash(world.general, "about")).response)


async def language(world: World, t: Translator) -> list[str]:
    texts = []
    for choice in (None, "cy", "en", "server"):
        options = {} if choice is None else {"language": choice}
        texts += shown((await world.student.slash(world.general, "language", **options)).response)
    return texts


async def setup_language(world: World, t: Translator) -> list[str]:
    await world.bot.i18n.languages.set_member(world.guild.id, world.student.id, "cy")  # for the plural line
    texts = shown((await world.admin.slash(world.general, "setup language")).response)
    for choice in ("en", "cy", "bilingual"):
        texts += shown((await world.admin.slash(world.general, "setup language", language=choice)).response)
    return texts


async def support_lines(world: World, t: Translator) -> list[str]:
    """The crisis lines (bot.support) in every form, and the fallback embed (bot.ui.support)."""
    fallback = fallback_support(t=t)["embeds"][0]
    assert isinstance(fallback, discord.Embed)
    first_of_urgent_help = urgent_help(["(the directory's own contacts are the server's words)"], t)
    return [
        crisis_text(t),
        crisis_sentence(t),
        *(part for pair in crisis_fields(t) for part in pair),
        first_of_urgent_help.splitlines()[0],
        *embed_texts(fallback),
    ]


#: Everything converted so far. Later sessions add their modules' screens here.
SCREENS: dict[str, Screen] = {
    "/about (cogs/about.py)": about,
    "/language (cogs/language.py)": language,
    "/setup language (cogs/setup.py)": setup_language,
    "crisis lines (bot/support.py, bot/ui/support.py)": support_lines,
    "/community, a student (cogs/communities)": communities_student,
    "/community, an organiser (cogs/communities)": communities_organiser,
    "/support, a student (cogs/signposts)": signposts_student,
    "/signposts, an organiser (cogs/signposts)": signposts_organiser,
}


@pytest.mark.parametrize("name", SCREENS)
async def test_every_string_a_converted_module_shows_comes_from_the_catalogue(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    pseudo = Catalogues().translator(PSEUDO)
    # Every reader, and every channel, gets the pseudo-locale.
    monkeypatch.setattr(world.bot.i18n, "translator", lambda locale: pseudo)
    texts = await SCREENS[name](world, pseudo)
    assert texts, "the screen showed nothing"
    assert bypassing(texts) == [], f"{name} shows text that bypassed the catalogue"


def test_the_check_finds_english_that_bypassed_the_catalogue() -> None:
    t = Catalogues().translator(PSEUDO)
    embed = discord.Embed(title=t("Common Room"), description=f"{t('Your privacy')} (see below)")
    embed.add_field(name="Settings", value=t("{n} going", n=3))
    assert bypassing(list(embed_texts(embed))) == ["see", "below", "Settings"]
