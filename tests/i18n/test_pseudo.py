"""No user-facing string of a converted module bypasses the catalogue.

Under the pseudo-locale every string the catalogue gives comes back wrapped in ⟦ ⟧, so a word
outside the markers in what the bot shows was never looked up: a string literal that bypassed
the catalogue. Placeholder values (a version, a number) are inside the markers, because they are
filled into the wrapped string.

Converting a module? Add what it shows to ``SCREENS`` (driven through the real bot) so this test
covers it. Modules not converted yet are listed in docs/translating.md.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord
import pytest

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import fallback_support
from tests.conftest import World
from tests.i18n.helpers import bypassing, embed_texts, shown

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


async def _pseudo_event(world: World) -> None:
    """An event whose typed text has no letters, so any word outside the markers is the bot's."""
    from tests.events.helpers import create, local, prepare

    await prepare(world)
    await create(
        world,
        title="2026",
        place="12",
        start=local(world, 3, 18, 30),
        capacity=1,
        modal={"description": "42"},
        **{"ask-needs": True},
    )


def _event_card(world: World) -> discord.Message:
    [card] = [m for m in world.general.history(viewer=world.student) if m.embeds and m.components]
    return card


def _said(result: object) -> list[str]:
    from tests.events.helpers import replies

    return [text for message in replies(result) for text in shown(message)]  # type: ignore[arg-type]


async def events_student(world: World, t: Translator) -> list[str]:
    """The card, Going / Maybe / Can't go, the waiting list, /event list, mine, reminders, calendar."""
    await _pseudo_event(world)
    card = _event_card(world)
    texts = shown(card)
    texts += _said(await world.student.click(card, custom_id="event:going:1"))
    texts += _said(await world.organiser.click(card, custom_id="event:going:1"))  # the waiting list
    texts += _said(await world.student.slash(world.general, "event list"))
    texts += _said(await world.organiser.slash(world.general, "event mine"))
    texts += _said(await world.student.click(card, custom_id="event:maybe:1"))
    texts += _said(await world.student.click(card, custom_id="event:no:1"))
    texts += _said(await world.student.click(card, custom_id="event:ics:1"))
    texts += _said(await world.organiser.slash(world.general, "event calendar"))
    texts += _said(await world.student.slash(world.general, "event mine"))
    for state in ("off", "on"):
        texts += _said(await world.student.slash(world.general, "event reminders", state=state))
    texts += shown(_event_card(world))
    return texts


async def events_dms(world: World, t: Translator) -> list[str]:
    """A reminder, a place from the waiting list, a change and a cancellation, by DM."""
    from tests.events.helpers import dms

    await _pseudo_event(world)
    card = _event_card(world)
    await world.student.click(card, custom_id="event:going:1")
    await world.organiser.click(card, custom_id="event:going:1")
    await world.student.click(card, custom_id="event:no:1")  # the organiser moves up
    await world.organiser.slash(world.general, "event edit", event=1, place="13")
    event = await world.bot.get_cog("Events").service.get(1)  # type: ignore[union-attr]
    await world.env.advance_time((event.start - world.env.now()).total_seconds() - 24 * 3600 + 60)
    await world.organiser.slash(world.general, "event cancel", event=1)
    texts = dms(world.organiser)
    assert len(texts) >= 4
    return texts


async def events_organiser(world: World, t: Translator) -> list[str]:
    """/event create, edit, cancel and settings, as the organiser reads them."""
    from tests.events.helpers import create, local

    await _pseudo_event(world)
    texts = _said(
        await create(world, title="7", place="8", start=local(world, 4, 18), repeat="weekly", times=3)
    )
    texts += _said(await world.organiser.slash(world.general, "event edit", event=1, capacity=5))
    texts += _said(await world.organiser.slash(world.general, "event edit", event=2, place="9", scope="rest"))
    texts += _said(
        await world.organiser.slash(world.general, "event settings", **{"reminder-hours": "24, 1"})
    )
    texts += _said(await world.organiser.slash(world.general, "event cancel", event=1))
    texts += _said(await world.organiser.slash(world.general, "event cancel", event=1))  # a UserError
    return texts


#: A Discord timestamp (``<t:1767551400:F>``): Discord writes the date in the reader's own language.
_TIMESTAMP = re.compile(r"<t:[0-9]+:[tTdDfFR]>")


async def events_find_time(world: World, t: Translator) -> list[str]:
    """Find a time: the card, a student's answers, the organisers' ranking, the event made from it
    and the DM to those who could make it (cogs/events/poll_*.py)."""
    from tests.events.helpers import dms, local, prepare, replies
    from tests.events.test_find_time import organisers_channel

    await prepare(world)
    organisers = await organisers_channel(world)
    times = "; ".join(local(world, d, 18) for d in (5, 6))
    made = await world.organiser.slash(
        world.general, "event find-time", title="2026", times=times, closes=local(world, 3, 17), place="12"
    )
    texts = _said(made)
    [card] = [m for m in world.general.history(viewer=world.student) if m.embeds and m.components]
    texts += _said(await world.student.select(card, ["0"], custom_id="event:poll:1"))
    texts += _said(await world.student.select(card, [], custom_id="event:poll:1"))
    for _ in range(2):
        texts += _said(await world.student.click(card, custom_id="event:poll-care:1"))
    await world.student.select(card, ["1"], custom_id="event:poll:1")
    [card] = [m for m in world.general.history(viewer=world.student) if m.embeds and m.components]
    texts += shown(card)
    await world.env.advance_time(timedelta(days=3, hours=17).total_seconds())
    [ranking] = [m for m in organisers.history(viewer=world.organiser) if m.embeds]
    texts += shown(ranking)
    form = await world.organiser.click(ranking, custom_id="event:poll-pick:1:1")
    done = await world.organiser.submit_modal(form, {"description": "42", "alcohol_free": True})
    texts += [text for message in replies(done) for text in shown(message)]
    texts += [text for text in dms(world.student) if text]
    texts += _said(await world.organiser.click(ranking, custom_id="event:poll-pick:1:0"))  # a UserError
    return [_TIMESTAMP.sub("", text) for text in texts]


async def events_evaluation(world: World, t: Translator) -> list[str]:
    """Workshop evaluation: the organiser turns it on, attendees are asked by DM and answer, the
    organiser reads the results (withheld below the threshold) (cogs/events/evaluation_*.py)."""
    from bot.clock import from_timestamp
    from tests.events.helpers import create, local, prepare, replies

    await prepare(world)
    await create(
        world,
        kind="workshop",
        title="2026",
        place="12",
        start=local(world, 1, 18),
        modal={"description": "42"},
    )
    card = _event_card(world)
    await world.student.click(card, custom_id="event:going:1")
    texts = _said(
        await world.organiser.slash(world.general, "event evaluate", event=1, **{"free-text": True})
    )
    ends = from_timestamp(int(await world.bot.db.fetchval("SELECT ends_at FROM events WHERE event_id = 1")))
    await world.env.advance_time((ends - world.bot.clock.now()).total_seconds() + 60)
    [dm] = [m for m in world.student.user.dm_channel.history() if m.components]
    texts += shown(dm)
    form = await world.student.user.click(dm, custom_id="event:eval:1")
    assert form.modal is not None
    done = await world.student.user.submit_modal(form, {f"q{n}": ["3"] for n in range(1, 5)})
    texts += [text for message in replies(done) for text in shown(message)]
    texts += _said(await world.organiser.slash(world.general, "event evaluation", event=1))
    texts += _said(await world.organiser.slash(world.general, "event evaluate", event=1, ask=False))
    return [_TIMESTAMP.sub("", text) for text in texts]


#: Everything converted so far. Later sessions add their modules' screens here.
SCREENS: dict[str, Screen] = {
    "/about (cogs/about.py)": about,
    "/language (cogs/language.py)": language,
    "/setup language (cogs/setup.py)": setup_language,
    "crisis lines (bot/support.py, bot/ui/support.py)": support_lines,
    "events: the card and a student's replies (cogs/events/render.py, views.py, commands.py)": events_student,
    "events: reminders and notices by DM (cogs/events/jobs.py, render.py)": events_dms,
    "events: an organiser's replies (cogs/events/commands.py, render.py)": events_organiser,
    "events: find a time (cogs/events/poll_*.py)": events_find_time,
    "events: workshop evaluation (cogs/events/evaluation_*.py)": events_evaluation,
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
