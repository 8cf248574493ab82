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

import discord
import pytest
import simcord

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import fallback_support
from tests.conftest import World
from tests.i18n.helpers import bypassing, component_texts, embed_texts, shown
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


def everything(result: simcord.InteractionResult) -> list[str]:
    """What a SimCord result shows: every private message's text, embeds and components."""
    messages = [*([result.response] if result.response else []), *result.followups]
    texts = [text for message in messages for text in shown(message)]
    texts += [text for message in messages for text in component_texts(message.components)]
    return texts + (component_texts(result.modal) if result.modal else [])


async def _reports_world(world: World) -> simcord.ChannelHandle:
    from tests.reports.conftest import open_cases, private_reports_channel

    reports = private_reports_channel(world)
    await world.env.settle()
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await world.admin.slash(world.general, "setup channel", purpose="reports", channel=reports)
    await open_cases(world)
    return reports


async def reports_reporter(world: World, t: Translator) -> list[str]:
    """/report new, the form, the receipt, /report check and answering (cogs/reports). What the
    student types is digits only, so any letters outside the markers are the bot's own."""
    await _reports_world(world)
    await world.bot.get_cog("Reports").service.update_settings(  # type: ignore[union-attr]
        world.guild.id, reporting_url="https://report.example.ac.uk/"
    )
    student = world.student
    intro = await student.slash(world.general, "report new")
    texts = everything(intro)
    form = await student.click(intro.response.message, label=t("Continue to the form"))
    texts += everything(form)
    filed = await student.submit_modal(
        form, {"report:what": "1234 5678", "report:where": ["teaching"], "report:wish": ["reply"]}
    )
    assert filed.response is not None
    texts += shown({"content": filed.response.content}) + component_texts(filed.response.components)
    code = re.search(r"```\n([A-Z2-7-]+)\n```", filed.response.content)
    assert code is not None
    kept = await student.click(filed.response.message, label=t("Download as a file"))
    texts += everything(kept)
    texts.append((await kept.response.attachments[0].read()).decode().replace(code.group(1), ""))
    checked = await student.slash(world.general, "report check", code=code.group(1))
    texts += everything(checked)
    written = await student.click(checked.response.message, label=t("Write a message"))
    texts += everything(written)
    texts += everything(await student.submit_modal(written, {"report:answer-text": "42"}))
    code_form = everything(await student.slash(world.general, "report check"))
    texts += [text for text in code_form if text != "ABCD-EFGH-…"]  # the code's shape, in any language
    texts += everything(await student.slash(world.general, "report check", code="0000"))  # refused
    return texts


async def reports_staff(world: World, t: Translator) -> list[str]:
    """The staff channel's post, /cases list and show, the reply form and the confirmations."""
    from bot.services.reports import staff_marker

    reports = await _reports_world(world)
    intro = await world.student.slash(world.general, "report new")
    form = await world.student.click(intro.response.message, label=t("Continue to the form"))
    await world.student.submit_modal(
        form, {"report:what": "1234", "report:where": ["online"], "report:wish": ["reply"]}
    )
    await world.env.settle()
    [post] = reports.history(viewer=world.organiser)
    marker = staff_marker(1, "new", 0)  # the outbox's reference, never translated
    texts = [text.replace(marker, "") for text in shown(post)]
    organiser = world.organiser
    texts += everything(await organiser.slash(world.general, "cases list"))
    opened = await organiser.slash(world.general, "cases show", case=1)
    texts += everything(opened)
    texts += everything(await organiser.click(opened.response.message, label=t("Reply")))
    texts += everything(await organiser.click(opened.response.message, label=t("Close")))
    texts += everything(await organiser.slash(world.general, "cases reply", case=1, text="42"))
    closed = await organiser.slash(world.general, "cases close", case=1, outcome="42")
    texts += everything(closed)
    texts += everything(await organiser.slash(world.general, "cases close", case=1, outcome="42"))
    texts += everything(await organiser.slash(world.general, "cases list", include_closed=True))
    texts += everything(await organiser.slash(world.general, "cases settings"))
    return texts


async def _signed_up(
    world: World, t: Translator, member: simcord.MemberActor, role: str, year: str
) -> list[str]:
    """``member`` offers (``role`` "offer") or asks for a mentor, through the menus and the form."""
    started = await member.slash(world.general, f"mentor {role}")
    texts = everything(started)
    prompt = started.response.message
    await member.select(prompt, [year], custom_id=f"mentor:{role}:year")
    await member.select(prompt, ["1111"], custom_id=f"mentor:{role}:experiences")
    if role == "offer":
        await member.select(prompt, ["1"], custom_id="mentor:offer:capacity")
    form = await member.click(prompt, label=t("Continue"))
    texts += everything(form)
    return texts + everything(await member.submit_modal(form, {"text": "123"}))


async def mentoring_student(world: World, t: Translator) -> list[str]:
    """Signing up, the introduction, the check-in, status, the nudge, pause, rematch and leave
    (cogs/mentoring). The server's experiences and what members write are digits only, so any
    letters outside the markers are the bot's own."""
    from tests.mentoring.test_mentoring_e2e import dms

    await world.bot.get_cog("Mentoring").service.set_experiences(world.guild.id, ["1111", "2222"])  # type: ignore[union-attr]
    mentor = world.guild.add_member(world.env.create_user("maya_mentor"))
    student = world.student
    texts = await _signed_up(world, t, mentor, "offer", "4")
    texts += await _signed_up(world, t, student, "request", "1")
    await world.env.advance_time(14 * 24 * 3600 + 12 * 3600)
    intro, checkin = dms(student)[-2:]
    texts += shown(intro) + shown(checkin) + component_texts(checkin.components)
    texts += shown(dms(mentor)[-1]) + component_texts(dms(mentor)[-1].components)
    texts += everything(await student.user.click(checkin, label=t("Not yet")))
    texts += everything(await student.slash(world.general, "mentor status"))
    await world.env.advance_time(7 * 24 * 3600 + 60)
    nudge = dms(student)[-1]
    texts += shown(nudge) + component_texts(nudge.components)
    texts += everything(await student.user.click(nudge, label=t("Message my mentor")))
    texts += everything(await mentor.user.click(dms(mentor)[-1], label=t("We've met")))
    texts += everything(await student.slash(world.general, "mentor pause"))
    texts += everything(await student.slash(world.general, "mentor pause"))
    texts += everything(await student.slash(world.general, "mentor rematch"))
    asked = await student.slash(world.general, "mentor leave")
    texts += everything(asked)
    texts += everything(await student.click(asked.response.message, label=t("Yes, delete my mentoring data")))
    texts += shown(dms(mentor)[-1])  # the mentor is told, gently
    texts += everything(await student.slash(world.general, "mentor status"))
    return texts


async def mentoring_organisers(world: World, t: Translator) -> list[str]:
    """/mentor overview, schedule, intro-channel and the experiences form (organisers)."""
    admin = world.admin
    texts = everything(await admin.slash(world.general, "mentor overview"))
    texts += everything(await admin.slash(world.general, "mentor schedule", frequency="weekly"))
    texts += everything(await admin.slash(world.general, "mentor schedule", frequency="daily"))
    texts += everything(await admin.slash(world.general, "mentor schedule", frequency="off"))
    texts += everything(await admin.slash(world.general, "mentor schedule", frequency="daily", time="99"))
    texts += everything(await admin.slash(world.general, "mentor intro-channel"))
    editing = await admin.slash(world.general, "mentor experiences")
    form = [text for text in everything(editing) if "\n" not in text]  # the list itself is the server's
    return texts + form


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
    "reports, the reporter's side (cogs/reports, bot/services/reports.py)": reports_reporter,
    "reports, the welfare team's side (cogs/reports)": reports_staff,
    "mentoring, a student's side (cogs/mentoring, bot/services/mentoring*.py)": mentoring_student,
    "mentoring, organisers (cogs/mentoring)": mentoring_organisers,
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
