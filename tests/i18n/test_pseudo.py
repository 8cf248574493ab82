"""No user-facing string of a converted module bypasses the catalogue.

Under the pseudo-locale every string the catalogue gives comes back wrapped in ⟦ ⟧, so a word
outside the markers in what the bot shows was never looked up: a string literal that bypassed
the catalogue. Placeholder values (a version, a number) are inside the markers, because they are
filled into the wrapped string.

Converting a module? Add what it shows to ``SCREENS`` (driven through the real bot) so this test
covers it. Modules not converted yet are listed in docs/translating.md.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

import discord
import pytest

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import fallback_support
from tests.conftest import World, open_command_to
from tests.i18n.helpers import bypassing, controls, embed_texts, modal_texts, shown

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


async def setup_screens(world: World, t: Translator) -> list[str]:
    """/setup show, the guided set-up (both pages, a saved channel and its warning), /setup channel,
    organiser-role and timezone, and the note posted when the bot joins (cogs/setup.py)."""
    texts = shown((await world.admin.slash(world.general, "setup show")).response)
    started = await world.admin.slash(world.general, "setup start")
    message = started.response.message
    texts += shown(started.response) + controls(message, options=False)  # timezone names are data
    texts += shown(
        (await world.admin.select(message, [world.organiser_role], custom_id="setup:role")).response
    )
    turned = await world.admin.click(message, custom_id="setup:page:2")
    texts += shown(turned.response) + controls(message, options=False)
    public = world.guild.create_text_channel("organisers")
    await world.env.settle()
    saved = await world.admin.select(message, [public], custom_id="setup:channel:organisers")
    texts += shown(saved.response) + controls(message, options=False)
    texts += shown(
        (await world.admin.slash(world.general, "setup channel", purpose="reports", channel=public)).response
    )
    texts += shown(
        (await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)).response
    )
    texts += shown(
        (await world.admin.slash(world.general, "setup timezone", name="Nowhere/Atlantis")).response
    )
    texts += shown((await world.admin.slash(world.general, "setup timezone", name="Europe/London")).response)
    setup = world.bot.get_cog("Setup")
    assert setup is not None
    note = await setup.render_join_note(SimpleNamespace(guild_id=world.guild.id))  # type: ignore[attr-defined]
    assert note is not None
    # The timezone's IANA name is data, shown as it is.
    return [text.replace("Europe/London", "") for text in [*texts, note["content"]]]


async def refusals(world: World, t: Translator) -> list[str]:
    """bot/core.py: a member without Manage Server, a member who isn't an organiser; the guard's
    message for an unexpected error (bot/ui/guard.py); the shared buttons (bot/ui)."""
    from bot.ui import ConfirmView, PagedView

    await open_command_to(world, "setup", world.student)
    texts = shown((await world.student.slash(world.general, "setup show")).response)
    organiser_only = "pulse list"  # any command for organisers
    await open_command_to(world, organiser_only.split()[0], world.student)
    texts += shown((await world.student.slash(world.general, organiser_only)).response)

    def broken(*args: object) -> discord.Embed:
        raise RuntimeError("a bug")

    cog = world.bot.get_cog("About")
    assert cog is not None
    names = inspect.unwrap(cog.about.callback).__globals__  # type: ignore[attr-defined]  # its module
    original = names["about_embed"]
    names["about_embed"] = broken
    try:
        texts += shown((await world.student.slash(world.general, "about")).response)
    finally:
        names["about_embed"] = original
    world.env.errors.clear()

    async def nothing(interaction: object) -> None:
        return None

    confirm = ConfirmView(1, nothing, confirm_label=t("Cancel"), t=t)
    paged = PagedView.of([discord.Embed(), discord.Embed()], t=t)
    texts += [str(item.label) for item in [*confirm.children, *paged.children]]  # type: ignore[attr-defined]
    joined = " ".join(texts)
    assert "Manage Server" in joined and "is for organisers" in joined and "Something went wrong" in joined
    return texts


async def privacy_screens(world: World, t: Translator) -> list[str]:
    """/privacy notice (the embed and the attached notice), my-data, forget-me (cancelled, then
    erased): cogs/privacy.py and the inventory it shows (bot/privacy.py)."""
    await world.student.slash(world.general, "language", language="cy")  # something to erase
    notice = await world.student.slash(world.general, "privacy notice")
    texts = shown(notice.response)
    texts += (await notice.response.attachments[0].read()).decode().splitlines()
    mine = await world.student.slash(world.general, "privacy my-data")
    [reply] = [*([mine.response] if mine.response else []), *mine.followups]
    texts += [*shown(reply), json.loads(await reply.attachments[0].read())["about"]]
    asked = await world.student.slash(world.general, "privacy forget-me")
    texts += shown(asked.response) + controls(asked.response.message)
    cancelled = await world.student.click(asked.response.message, custom_id=None, label=t("Cancel"))
    texts += shown(cancelled.response) if cancelled.response else []
    asked = await world.student.slash(world.general, "privacy forget-me")
    erased = await world.student.click(asked.response.message, label=t("Erase everything about me"))
    texts += [text for message in erased.followups for text in shown(message)]
    assert any("erased everything" in text for text in texts)
    # Each heading's hashes and each list's dash are Markdown, not words.
    return texts


async def pulse_screens(world: World, t: Translator) -> list[str]:
    """/pulse for organisers (template, list, threshold, results, trend, pause, resume, delete),
    the card, the answer form, the replies to an answer, the note at close (cogs/pulse, the
    pulse services, bot/ui/questions.py)."""
    from datetime import UTC, datetime

    from tests.pulse.test_e2e import advance_to, cards, organisers_ready

    private = await organisers_ready(world)
    texts: list[str] = []

    async def organiser(command: str, **options: object) -> list[str]:
        result = await world.organiser.slash(world.general, command, **options)
        replies = [*([result.response] if result.response else []), *result.followups]
        return [text for reply in replies for text in shown(reply)]

    texts += await organiser("pulse list")  # none yet
    texts += await organiser("pulse template", channel=world.general, start="2 Jan 2026 10:00")
    texts += await organiser("pulse trend", pulse=1)  # nothing to chart yet
    texts += (await world.admin.slash(world.general, "pulse threshold", minimum=5)).response.content.split(
        "\n"
    )
    await advance_to(world, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    texts += shown(card) + controls(card)
    texts += await organiser("pulse list")
    texts += await organiser("pulse results", pulse=1)  # still open
    students = [world.student, *(world.guild.add_member(world.env.create_user(f"s{i}")) for i in range(5))]
    for number, member in enumerate(students):
        form = await member.click(card, label=t("Answer"))
        texts += modal_texts(form.modal)
        values = ["0", "0", "0"] if number == 0 else ["3", "1", "4"]  # the first one is struggling
        done = await member.submit_modal(form, {f"q{i}": [v] for i, v in enumerate(values, start=1)})
        texts.append(done.response.content)  # the support below it is the directory's (signposts)
    again = await world.student.click(card, label=t("Answer"))
    texts.append(again.response.content)
    await advance_to(world, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    texts += [text for message in private.history(viewer=world.organiser) for text in shown(message)]
    [closed] = [m for m in world.general.history(viewer=world.student) if m.id == card.id]
    texts += shown(closed)
    texts += await organiser("pulse results", pulse=1)
    texts += await organiser("pulse trend", pulse=1)
    texts += await organiser(
        "pulse create",
        title="Quick",
        channel=world.general,
        start="9 Jan 2026 10:00",
        q1="Fine?",
        q1_type="scale",
    )
    texts += await organiser("pulse pause", pulse=2)
    texts += await organiser("pulse pause", pulse=2)  # already paused
    texts += await organiser("pulse resume", pulse=2)
    asked = await world.organiser.slash(world.general, "pulse delete", pulse=2)
    texts += shown(asked.response) + controls(asked.response.message)
    deleted = await world.organiser.click(asked.response.message, label=t("Delete it and its results"))
    texts += shown(deleted.response)
    texts += await organiser(
        "pulse create", title="Bad", channel=world.general, start="soon", q1="Fine?", q1_type="scale"
    )
    assert world.env.errors == []
    joined = " ".join(texts)
    for seen in (
        "Mean **",
        "run(s) with at least",
        "has closed with",
        "Prefer not to say",
        "Choose an answer",
    ):
        assert seen in joined, seen
    for seen in ("Question 1", "already answered", "Some of your answers", "is already paused", "Keep it"):
        assert seen in joined, seen
    return texts


#: Everything converted so far. Later sessions add their modules' screens here.
SCREENS: dict[str, Screen] = {
    "/about (cogs/about.py)": about,
    "/language (cogs/language.py)": language,
    "/setup language (cogs/setup.py)": setup_language,
    "crisis lines (bot/support.py, bot/ui/support.py)": support_lines,
    "/setup (cogs/setup.py)": setup_screens,
    "/privacy (cogs/privacy.py, bot/privacy.py)": privacy_screens,
    "/pulse (cogs/pulse, bot/services/pulse*.py, bot/ui/questions.py)": pulse_screens,
    "refusals, errors and shared buttons (bot/core.py, bot/ui)": refusals,
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
    offending = [text[:200] for text in texts if bypassing([text])]
    assert bypassing(texts) == [], f"{name} shows text that bypassed the catalogue: {offending}"


def test_the_check_finds_english_that_bypassed_the_catalogue() -> None:
    t = Catalogues().translator(PSEUDO)
    embed = discord.Embed(title=t("Common Room"), description=f"{t('Your privacy')} (see below)")
    embed.add_field(name="Settings", value=t("{n} going", n=3))
    assert bypassing(list(embed_texts(embed))) == ["see", "below", "Settings"]
