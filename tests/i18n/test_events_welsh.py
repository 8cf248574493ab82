"""Events in Welsh end to end through SimCord: a student who chose Cymraeg, and a bilingual server.

A student's own replies (``/event list``, Going, ``/event mine``, their reminder DM) come in their
language; a card is a post, in the server's voice: Welsh, English, or both (Welsh first) in one
card, always within Discord's limits.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import discord

from bot.i18n import SOURCE_TRANSLATOR, Catalogues, Voice
from bot.text import (
    BUTTON_LABEL_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
)
from cogs.events.render import render_card
from cogs.events.views import card_view
from tests.conftest import World
from tests.events.helpers import LONGEST_EVENT, create, dms, local, prepare, said
from tests.i18n.helpers import embed_texts

#: English sentences a Welsh reader must not meet in these screens.
ENGLISH = (
    "You're going",
    "See you there",
    "Coming up",
    "Your upcoming events",
    "Reminders by DM",
    "Page 1 of",
    "Reminder:",
    "If you can't come",
    "left",
)


def card_messages(world: World) -> list[discord.Message]:
    return [m for m in world.general.history(viewer=world.student) if m.embeds and m.components]


def labels(message: Any) -> list[str]:
    """A message's (or a view's) button labels."""
    if isinstance(message, discord.ui.View):
        return [c["label"] for row in message.to_components() for c in row["components"]]
    return [c["label"] for row in message.components for c in row.to_dict()["components"]]


def within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= EMBED_TITLE_LIMIT
    assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
    for field in embed.fields:
        assert len(field.name or "") <= EMBED_FIELD_NAME_LIMIT
        assert len(field.value or "") <= EMBED_FIELD_VALUE_LIMIT
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= EMBED_TOTAL_LIMIT


async def test_a_student_who_chose_welsh_lists_replies_and_checks_their_events_in_welsh(
    world: World,
) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18, 30), capacity=10)
    chosen = await world.student.slash(world.general, "language", language="cy")
    assert chosen.response.content.startswith("Wedi'i wneud")

    listed = await world.student.slash(world.general, "event list")
    assert listed.ephemeral
    embed = listed.response.embeds[0]
    assert embed.title == "Ar y gweill (y cyfan yn ddi-alcohol)"
    [field] = embed.fields
    assert field.name == "Board games and chai (Cymdeithasol)"
    assert "10 o 10 ar ôl" in field.value and "[cerdyn](" in field.value
    assert embed.footer.text == "Tudalen 1 o 1"

    # The card is a post in the server's language (English here); the reply is the student's.
    [card] = card_messages(world)
    assert labels(card) == ["Going", "Maybe", "Can't go", "Add to calendar"]
    going = await world.student.click(card, label="Going")
    assert going.ephemeral
    reply = going.response.content
    assert reply.startswith("Rydych chi'n dod i **Board games and chai**")
    assert "Welwn ni chi yno!" in reply and "`/event reminders off`" in reply

    mine = await world.student.slash(world.general, "event mine")
    embed = mine.response.embeds[0]
    assert embed.title == "Eich digwyddiadau sydd i ddod"
    assert "**Board games and chai**\n" in embed.description and "**Yn dod**" in embed.description
    assert embed.footer.text == "Nodiadau atgoffa drwy neges uniongyrchol: ymlaen (/event reminders)"

    off = await world.student.slash(world.general, "event reminders", state="off")
    assert said(off).startswith("Mae nodiadau atgoffa i ffwrdd")
    await world.student.slash(world.general, "event reminders", state="on")

    shown = [reply, *embed_texts(listed.response.embeds[0]), *embed_texts(embed)]
    for english in ENGLISH:
        assert not any(english in text for text in shown), english

    # The reminder DM is in the recipient's own language; the organiser's stays English.
    await world.organiser.click(card, label="Going")
    event = await world.bot.get_cog("Events").service.get(1)  # type: ignore[union-attr]
    await world.env.advance_time((event.start - world.env.now()).total_seconds() - 24 * 3600 + 60)
    [dm] = [text for text in dms(world.student) if "**Board games and chai**" in text]
    assert dm.startswith("Nodyn atgoffa: mae **Board games and chai** yn dechrau")
    assert "🥤 Di-alcohol, bob amser." in dm and "Methu dod" in dm
    assert not any(english in dm for english in ENGLISH)
    assert any(text.startswith("Reminder: **Board games and chai**") for text in dms(world.organiser))
    assert world.env.errors == []


async def test_a_bilingual_server_posts_one_card_in_welsh_then_english(world: World) -> None:
    await prepare(world)
    made = await world.admin.slash(world.general, "setup language", language="bilingual")
    assert made.ephemeral
    await create(world, start=local(world, 3, 18, 30), capacity=20, **{"ask-needs": True})

    [card] = card_messages(world)
    embed = card.embeds[0]
    assert embed.title == "Board games and chai"  # what the organiser typed, once
    welsh, english = embed.description.split("\n\n")[0].split("\n")
    assert welsh == "**Cymdeithasol** · 🥤 Di-alcohol, bob amser."
    assert english == "**Social** · 🥤 Alcohol-free, always."
    names = [field.name for field in embed.fields]
    assert names[:2] == ["Pryd / When", "Ble / Where"]
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Ble / Where"] == "SU room 2"  # typed text is not repeated
    assert fields["Llefydd / Places"] == "20 o 20 ar ôl\n20 of 20 left"
    assert fields["Anghenion mynediad a deiet / Access and dietary needs"].startswith("Ar ôl i chi bwyso Dod")
    footer_cy, footer_en = (embed.footer.text or "").split("\n")
    assert footer_cy.startswith("Digwyddiad 1 · ") and footer_en.startswith("Event 1 · ")
    within_limits(embed)
    assert labels(card) == [
        "Dod / Going",
        "Efallai / Maybe",
        "Methu dod / Can't go",
        "Ychwanegu at y calendr / Add to calendar",
    ]

    # A reply is to one person, in one language: the student has no choice of their own, and a
    # bilingual server's private replies go on down the list (English).
    going = await world.student.click(card, label="Dod / Going")
    assert going.response.content.startswith("You're going to **Board games and chai**")
    [card] = card_messages(world)
    assert {f.name: f.value for f in card.embeds[0].fields}["Ymatebion / Replies"] == (
        "Yn dod 1 · Efallai 0\nGoing 1 · Maybe 0"
    )
    assert world.env.errors == []


def test_a_bilingual_card_with_everything_at_its_longest_fits_discords_limits() -> None:
    catalogues = Catalogues()
    voice = Voice((catalogues.translator("cy"), SOURCE_TRANSLATOR))
    event = LONGEST_EVENT
    for shown in (event, replace(event, capacity=1, going=1), replace(event, status="cancelled")):
        embed = render_card(shown, series_rule="FREQ=WEEKLY;INTERVAL=2", voice=voice)
        within_limits(embed)
        view = card_view(shown, voice)
        assert all(len(label) <= BUTTON_LABEL_LIMIT for label in ([] if view is None else labels(view)))


async def test_a_welsh_student_is_asked_to_evaluate_a_workshop_in_welsh(world: World) -> None:
    from bot.clock import from_timestamp

    await prepare(world)
    await create(world, kind="workshop", title="Managing stress", start=local(world, 1, 18))
    await world.student.slash(world.general, "language", language="cy")
    [card] = card_messages(world)
    await world.student.click(card, label="Going")
    await world.organiser.click(card, label="Going")
    on = await world.organiser.slash(world.general, "event evaluate", event=1, **{"free-text": True})
    assert on.response.content.startswith("Evaluation on for this event")  # the organiser's English

    ends = from_timestamp(int(await world.bot.db.fetchval("SELECT ends_at FROM events WHERE event_id = 1")))
    await world.env.advance_time((ends - world.bot.clock.now()).total_seconds() + 60)
    [dm] = [m for m in world.student.user.dm_channel.history() if m.components]
    assert dm.content.startswith("Diolch am ddod i **Managing stress**. Fyddech chi'n ateb 4 cwestiwn byr")
    assert "Mae'n ddienw" in dm.content and "Gallwch adael sylw hefyd" in dm.content
    assert labels(dm) == ["Ateb yn ddienw"]
    [english] = [m for m in world.organiser.user.dm_channel.history() if m.components]
    assert labels(english) == ["Answer anonymously"]

    form = await world.student.user.click(dm, label="Ateb yn ddienw")
    assert form.modal is not None
    drawn = str(form.modal)
    assert "Am: Managing stress" in drawn
    assert "Pa mor hyderus ydych chi'n teimlo" in drawn and "Gwell gen i beidio â dweud" in drawn
    assert "How confident" not in drawn
    done = await world.student.user.submit_modal(form, {f"q{n}": ["3"] for n in range(1, 5)})
    assert done.response.content.startswith("Diolch, mae eich ateb wedi")
    assert world.env.errors == []


def test_a_bilingual_find_a_time_card_and_ranking_fit_discords_limits() -> None:
    from bot.services.event_polls import MAX_SLOTS, Poll, PollSlot
    from cogs.events.poll_render import card_embed, ranking_embed
    from cogs.events.poll_views import poll_card_view, ranking_view

    voice = Voice((Catalogues().translator("cy"), SOURCE_TRANSLATOR))
    slots = tuple(PollSlot(n, 1_800_000_000 + n * 86_400, 99_999, 99_999) for n in range(MAX_SLOTS))
    poll = Poll(
        poll_id=2**53,
        guild_id=1,
        created_by=1,
        title="T" * 100,
        kind="workshop",
        place="P" * 200,
        online_link=None,
        community_channel_id=None,
        channel_id=1,
        message_id=1,
        closes_at=1_799_000_000,
        status="open",
        chosen=None,
        slots=slots,
        answered=99_999,
        committed=99_999,
    )
    card = card_embed(poll, voice)
    within_limits(card)
    assert card.title == f"Dod o hyd i amser: {'T' * 100} / Find a time: {'T' * 100}"
    view = poll_card_view(poll, "Europe/London", voice)
    assert view is not None
    [menu, button] = view.to_components()[0]["components"], view.to_components()[1]["components"]
    assert len(menu[0]["placeholder"]) <= 150 and all(len(o["label"]) <= 100 for o in menu[0]["options"])
    assert menu[0]["options"][0]["label"].count(" / ") == 1  # Welsh, then English
    assert len(button[0]["label"]) <= BUTTON_LABEL_LIMIT
    closed = replace(poll, status="closed")
    within_limits(card_embed(closed, voice))
    within_limits(ranking_embed(closed, voice))
    assert all(
        len(label) <= BUTTON_LABEL_LIMIT for label in labels(ranking_view(closed, "Europe/London", voice))
    )
