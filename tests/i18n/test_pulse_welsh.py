"""Pulse checks in Welsh, end to end through SimCord: the card in the server's voice, a student's
private form and replies in their language, and an organiser's flow."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import World, advance_to
from tests.i18n.helpers import controls, modal_texts, shown
from tests.pulse.test_e2e import cards, organisers_ready


async def test_a_welsh_server_posts_the_card_in_welsh_and_a_student_answers_in_welsh(world: World) -> None:
    private = await organisers_ready(world)
    await world.admin.slash(world.general, "setup language", language="cy")

    saved = await world.organiser.slash(
        world.general, "pulse template", channel=world.general, start="2 Jan 2026 10:00"
    )
    assert saved.response.content == "Wedi'i gadw. Dyma beth fydd yn cael ei ofyn i fyfyrwyr:"
    created = saved.response.embeds[0]
    assert created.title == "Arolwg byr #1: Arolwg byr ar berthyn"
    assert [f.name for f in created.fields] == ["Cwestiynau", "Amserlen", "Ble"]
    assert created.fields[1].value.startswith("wythnosol, yn agor")
    listed = await world.organiser.slash(world.general, "pulse list")
    assert "gweithredol" in listed.response.embeds[0].description
    assert "3 cwestiwn" in listed.response.embeds[0].description

    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    embed = card.embeds[0]
    assert embed.title == "Arolwg byr ar berthyn"
    assert "Pa mor gysylltiedig ydych chi'n teimlo â myfyrwyr eraill yr wythnos hon?" in embed.description
    assert [f.name for f in embed.fields] == ["Sut i ateb", "Dienw, yn fwriadol"]
    assert "How connected" not in embed.description and "Press" not in embed.fields[0].value
    assert controls(card) == ["Ateb"]

    form = await world.student.click(card, label="Ateb")
    texts = modal_texts(form.modal)
    assert "Cwestiwn 1" in texts and "Dewiswch ateb" in texts and "Gwell gen i beidio â dweud" in texts
    assert "1 · Ddim yn gysylltiedig o gwbl" in texts and "Ie" in texts
    assert not any("Prefer not to say" in text or "Question" in text for text in texts)
    done = await world.student.submit_modal(form, {"q1": ["3"], "q2": ["1"], "q3": ["4"]})
    assert done.ephemeral and done.response.content.startswith("Diolch, mae eich ateb wedi cyrraedd.")

    # A student who chose English reads their form and their reply in English on the same card.
    other = world.guild.add_member(world.env.create_user("eli_english"))
    await other.slash(world.general, "language", language="en")
    form = await other.click(card, label="Ateb")
    assert "Prefer not to say" in modal_texts(form.modal)
    struggling = await other.submit_modal(form, {"q1": ["0"], "q2": ["0"], "q3": ["0"]})
    assert "Some of your answers suggest things might be hard" in struggling.response.content
    assert struggling.response.embeds  # support, at once

    again = await world.student.click(card, label="Ateb")
    assert again.modal is None
    assert again.response.content.startswith("Rydych chi eisoes wedi ateb yr arolwg hwn, diolch.")

    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    [note] = [text for message in private.history(viewer=world.organiser) for text in shown(message)]
    assert note.startswith("Mae rownd 1 o **Arolwg byr ar berthyn** wedi cau gyda 2 ateb.")
    results = await world.organiser.slash(world.general, "pulse results", pulse=1)
    embed = results.response.embeds[0]
    assert embed.title == "Arolwg byr ar berthyn: rownd 1" and embed.fields[0].name == "Heb eu dangos"
    assert world.env.errors == []


async def test_a_bilingual_card_says_everything_in_welsh_then_english(world: World) -> None:
    await organisers_ready(world)
    await world.admin.slash(world.general, "setup language", language="bilingual")
    await world.organiser.slash(
        world.general, "pulse create", title="Wythnos 3", channel=world.general,
        start="2 Jan 2026 10:00", q1="Sut wyt ti?", q1_type="scale",
    )  # fmt: skip
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    embed = card.embeds[0]
    assert embed.title == "Wythnos 3"  # an organiser's own words, once
    assert embed.description == "**1.** Sut wyt ti?"
    assert embed.fields[0].name == "Sut i ateb / How to answer"
    welsh, english = embed.fields[0].value.split("\n\n")
    assert welsh.startswith("Pwyswch **Ateb**") and english.startswith("Press **Answer**")
    assert controls(card) == ["Ateb / Answer"]
    assert all(len(field.value) <= 1024 for field in embed.fields)
