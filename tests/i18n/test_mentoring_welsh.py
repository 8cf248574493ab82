"""Peer mentoring in Welsh, end to end through SimCord: a student who chose Cymraeg asks for a
mentor, is introduced, checked in on and nudged in Welsh (DMs in each recipient's own language,
the mentor's in English); organisers run mentoring in Welsh; the thread introduction speaks the
server's language."""

from __future__ import annotations

import pytest
import simcord

from tests.conftest import World
from tests.mentoring.test_mentoring_e2e import FIRST, dms, message_text, text_of

TWO_WEEKS = 14 * 24 * 60 * 60
WEEK = 7 * 24 * 60 * 60
DAY = 24 * 60 * 60

#: Sentences of the English flow: none may reach the student who chose Welsh.
ENGLISH = (
    "Ask for a mentor",
    "Good news",
    "Mentoring: meet your",
    "You both said",
    "check-in",
    "How is it going",
    "No rush",
    "I'm sorry something's wrong",
    "Your mentoring",
    "gentle follow-up",
    "A short message is plenty",
)


def english_in(text: str) -> list[str]:
    return [sentence for sentence in ENGLISH if sentence in text]


def labels(message: object) -> list[str]:
    rows = message.components  # type: ignore[attr-defined]
    return [c.label for row in rows for c in row.children if getattr(c, "label", None)]


@pytest.fixture
def mentor(world: World) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user("maya_mentor"))


async def offer_in_english(world: World, mentor: simcord.MemberActor) -> None:
    started = await mentor.slash(world.general, "mentor offer")
    prompt = started.response.message
    await mentor.select(prompt, ["4"], custom_id="mentor:offer:year")
    await mentor.select(prompt, [FIRST], custom_id="mentor:offer:experiences")
    await mentor.select(prompt, ["1"], custom_id="mentor:offer:capacity")
    shown = await mentor.click(prompt, label="Continue")
    await mentor.submit_modal(shown, {"text": "Hi! Year 4."})


async def test_a_student_is_mentored_in_welsh_and_the_mentor_in_english(
    world: World, mentor: simcord.MemberActor
) -> None:
    student = world.student
    await student.slash(world.general, "language", language="cy")
    await offer_in_english(world, mentor)

    started = await student.slash(world.general, "mentor request")
    assert started.response.content.startswith("**Gofyn am fentor o flwyddyn hŷn.**")
    prompt = started.response.message
    assert "Parhau" in labels(prompt)
    await student.select(prompt, ["1"], custom_id="mentor:request:year")
    await student.select(prompt, [FIRST], custom_id="mentor:request:experiences")
    shown = await student.click(prompt, label="Parhau")
    assert shown.modal is not None and shown.modal["title"] == "Gofyn am fentor"
    asked = await student.submit_modal(shown, {"text": "Ymgartrefu"})
    assert text_of(asked).startswith("Newyddion da: mae gennych chi fentor.")

    [to_student] = dms(student)
    [to_mentor] = dms(mentor)
    welsh = message_text(to_student)
    assert "Mentora: dewch i gwrdd â'ch mentor" in welsh
    assert "Dywedodd y ddau ohonoch chi: **First in family at university**" in welsh  # the server's label
    assert "Hi! Year 4." in welsh and english_in(welsh) == []
    assert "Mentoring: meet your mentee" in message_text(to_mentor)  # the mentor's own language

    await world.env.advance_time(TWO_WEEKS + DAY // 2)  # midday: the nudge comes a week on, by day
    checkin = dms(student)[-1]
    assert "Mentora: holi sydyn, preifat" in message_text(checkin)
    assert labels(checkin) == [
        "Rydyn ni wedi cwrdd",
        "Ddim eto",
        "Hoffwn gael mentor gwahanol",
        "Mae rhywbeth o'i le",
    ]
    assert "We've met" in labels(dms(mentor)[-1])

    # Pressed in a DM: the answer is still in the student's language on that server.
    not_yet = await student.user.click(checkin, label="Ddim eto")
    assert not_yet.response.content.startswith("Does dim brys, a dim pwysau.")
    assert "ymhen wythnos" in not_yet.response.content

    status = await student.slash(world.general, "mentor status")
    shown_status = text_of(status)
    assert "Eich mentora (dim ond chi sy'n gallu gweld hwn)" in shown_status
    assert "Eich mentor" in shown_status and english_in(shown_status) == []

    await world.env.advance_time(WEEK + 60)
    nudge = dms(student)[-1]
    assert "Mentora: neges ddilynol dyner" in message_text(nudge)
    assert english_in(message_text(nudge)) == []
    pressed = await student.user.click(nudge, label="Anfon neges at fy mentor")
    assert pressed.response.content.startswith("Gallwch chi anfon neges at eich mentor")
    assert english_in(pressed.response.content) == []

    wrong = await student.user.click(checkin, label="Mae rhywbeth o'i le")
    assert wrong.response.content.startswith("Mae'n ddrwg gen i fod rhywbeth o'i le.")

    different = await student.user.click(checkin, label="Hoffwn gael mentor gwahanol")
    assert text_of(different).startswith("Wedi'i wneud: mae'r paru hwnnw wedi dod i ben.")
    # A refusal met in a DM is in the member's language too (the guard alone would not know it).
    again = await student.user.click(nudge, label="Gofyn am fentor gwahanol")
    assert text_of(again) == (
        "Mae'r paru hwnnw eisoes wedi dod i ben. Mae `/mentor status` yn dangos ble rydych chi arni nawr."
    )

    refused = await student.slash(world.general, "mentor leave")  # still signed up: asked first
    assert text_of(refused).startswith("Mae hyn yn dileu eich cofrestriadau mentora")


async def test_organisers_run_mentoring_in_welsh_and_threads_speak_the_servers_language(
    world: World, mentor: simcord.MemberActor
) -> None:
    admin = world.admin
    await admin.slash(world.general, "language", language="cy")
    overview = await admin.slash(world.general, "mentor overview")
    assert "Trosolwg mentora" in text_of(overview) and "Mentoriaid" in text_of(overview)

    weekly = await admin.slash(world.general, "mentor schedule", frequency="weekly", weekday="Monday")
    assert text_of(weekly).startswith("Bydd paru'n digwydd bob wythnos am 09:00")
    assert "ar ddyddiau Llun" in text_of(weekly)
    bad = await admin.slash(world.general, "mentor schedule", frequency="daily", time="25:99")
    assert text_of(bad).startswith("Allwn i ddim darllen `25:99` fel amser.")
    edit = await admin.slash(world.general, "mentor experiences")
    assert edit.modal is not None and edit.modal["title"] == "Profiadau y gall myfyrwyr eu nodi"

    intros = world.guild.create_text_channel("mentoring")
    chosen = await admin.slash(world.general, "mentor intro-channel", channel=intros)
    assert text_of(chosen).startswith("Bydd cyflwyniadau'n agor fel edafedd preifat")

    await admin.slash(world.general, "setup language", language="bilingual")
    await offer_in_english(world, mentor)
    started = await world.student.slash(world.general, "mentor request")
    prompt = started.response.message
    await world.student.select(prompt, ["1"], custom_id="mentor:request:year")
    await world.student.select(prompt, [FIRST], custom_id="mentor:request:experiences")
    shown = await world.student.click(prompt, label="Continue")  # no choice of their own: English
    await world.student.submit_modal(shown, {"text": "Ymgartrefu"})

    [thread] = intros.threads
    assert thread.name == "Cyflwyniad mentora / Mentoring introduction"
    [intro] = thread.history(viewer=world.student)
    text = intro.content
    welsh, english = text.index("Mae'r edefyn hwn yn breifat"), text.index("This thread is private")
    assert text.index("Dywedodd y ddau ohonoch chi") < text.index("You both said") < welsh < english
    assert text.count("Ymgartrefu") == 1 and text.count("Hi! Year 4.") == 1  # their words, once
    assert "**Helo gan eich mentor: / Hello from your mentor:** Hi! Year 4." in text
    assert len(text) <= 2000
