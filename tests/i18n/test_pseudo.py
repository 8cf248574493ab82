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
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace

import discord
import pytest
import simcord

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.support import crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import fallback_support
from tests.conftest import World, open_command_to
from tests.i18n.helpers import bypassing, component_texts, controls, embed_texts, modal_texts, shown
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


async def setup_screens(world: World, t: Translator) -> list[str]:
    """/setup show, the guided set-up (both pages, a saved channel and its warning), /setup channel,
    organiser-role and timezone, and the note posted when the bot joins (cogs/setup/)."""
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

    from tests.conftest import advance_to
    from tests.pulse.test_e2e import cards, organisers_ready

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
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
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
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
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
    from tests.conftest import organisers_channel
    from tests.events.helpers import dms, local, prepare, replies

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
    "/setup language (cogs/setup/)": setup_language,
    "crisis lines (bot/support.py, bot/ui/support.py)": support_lines,
    "/community, a student (cogs/communities)": communities_student,
    "/community, an organiser (cogs/communities)": communities_organiser,
    "/support, a student (cogs/signposts)": signposts_student,
    "/signposts, an organiser (cogs/signposts)": signposts_organiser,
    "reports, the reporter's side (cogs/reports, bot/services/reports.py)": reports_reporter,
    "reports, the welfare team's side (cogs/reports)": reports_staff,
    "mentoring, a student's side (cogs/mentoring, bot/services/mentoring*.py)": mentoring_student,
    "mentoring, organisers (cogs/mentoring)": mentoring_organisers,
    "/setup (cogs/setup/)": setup_screens,
    "/privacy (cogs/privacy.py, bot/privacy.py)": privacy_screens,
    "/pulse (cogs/pulse, bot/services/pulse*.py, bot/ui/questions.py)": pulse_screens,
    "refusals, errors and shared buttons (bot/core.py, bot/ui)": refusals,
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
    offending = [text[:200] for text in texts if bypassing([text])]
    assert bypassing(texts) == [], f"{name} shows text that bypassed the catalogue: {offending}"


def test_the_check_finds_english_that_bypassed_the_catalogue() -> None:
    t = Catalogues().translator(PSEUDO)
    embed = discord.Embed(title=t("Common Room"), description=f"{t('Your privacy')} (see below)")
    embed.add_field(name="Settings", value=t("{n} going", n=3))
    assert bypassing(list(embed_texts(embed))) == ["see", "below", "Settings"]
