"""Anonymous reports in Welsh, end to end through SimCord: a student reports and follows their case
with `/language` set to Cymraeg, and the welfare team handles it in Welsh (their own choice for
their replies, the server's language for the staff channel)."""

from __future__ import annotations

import re

import discord
import pytest
import simcord

from tests.conftest import World
from tests.reports.conftest import ReportsWorld, open_cases, private_reports_channel
from tests.reports.test_reports_e2e import code_of, message_text, texts

#: Sentences of the English flow: none of them may reach a reader who chose Welsh.
ENGLISH = (
    "Before you report",
    "Thank you. Your report is saved",
    "Your private code",
    "Copy it somewhere safe",
    "Your case is deleted",
    "Your case is open",
    "No messages yet",
    "The welfare team",
    "Sent. Your message",
    "Anonymous report cases",
    "new anonymous report",
    "The reporter would like",
    "Sent. The reporter",
    "is closed",
    "If anyone's life is at risk",
)


def english_in(text: str) -> list[str]:
    return [sentence for sentence in ENGLISH if sentence in text]


@pytest.fixture
async def rw(world: World) -> ReportsWorld:
    reports = private_reports_channel(world)
    await world.env.settle()
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await world.admin.slash(world.general, "setup channel", purpose="reports", channel=reports)
    await open_cases(world)
    return ReportsWorld(world, reports)


async def test_a_student_reports_and_follows_their_case_in_welsh(rw: ReportsWorld) -> None:
    student = rw.student
    await student.slash(rw.general, "language", language="cy")

    intro = await student.slash(rw.general, "report new")
    assert intro.ephemeral
    explained = texts(intro)
    assert "Cyn i chi adrodd: beth mae dienw yn ei olygu yma" in explained
    assert "heb eich enw, eich enw defnyddiwr na'ch llun" in explained
    assert "mae'r Samariaid ar gael" in explained and "999" in explained  # the crisis line, in Welsh
    assert english_in(explained) == []

    shown = await student.click(intro.response.message, label="Ymlaen i'r ffurflen")
    assert shown.modal is not None and shown.modal["title"] == "Adrodd beth ddigwyddodd"
    filed = await student.submit_modal(
        shown,
        {
            "report:what": "Roedd rhywun yn gwneud sylwadau am fy acen.",
            "report:where": ["teaching"],
            "report:wish": ["reply"],
        },
    )
    assert filed.response is not None and filed.response.ephemeral
    receipt = filed.response.content
    assert receipt.startswith("Diolch. Mae eich adroddiad wedi'i gadw fel **achos 1**.")
    assert "**Eich cod preifat**" in receipt and "Caiff eich achos ei ddileu 12 mis" in receipt
    assert english_in(receipt) == []
    code = code_of(filed)

    # The keep-the-code buttons read the Welsh receipt back.
    kept = await student.click(filed.response.message, label="Lawrlwytho fel ffeil")
    assert kept.response.content.startswith("Dyma eich cod fel ffeil")
    body = (await kept.response.attachments[0].read()).decode()
    assert code in body and "Eich cod preifat ar gyfer achos 1" in body

    sent = await student.click(filed.response.message, label="Anfon ataf mewn neges uniongyrchol")
    assert texts(sent).startswith("Wedi'i anfon i'ch negeseuon uniongyrchol")
    [dm] = student.user.dm_channel.history()
    assert dm.content.startswith("Eich cod preifat ar gyfer achos 1") and code in dm.content
    # The DM names no server: the reply to its button is in the language the DM was written in.
    deleted = await student.user.click(dm, label="Dileu'r neges hon")
    assert (
        texts(deleted)
        == "Wedi'i ddileu. Dydy'r cod ddim yn eich negeseuon uniongyrchol gyda Common Room mwyach."
    )

    checked = await student.slash(rw.general, "report check", code=code)
    shown_case = texts(checked)
    assert "Achos 1" in shown_case and "Dim negeseuon eto." in shown_case
    assert "Mae eich achos ar agor." in shown_case and "Addysgu (darlith" in shown_case
    assert english_in(shown_case) == []
    form = await student.click(checked.response.message, label="Ysgrifennu neges")
    assert form.modal is not None and form.modal["title"] == "Ysgrifennu at y tîm lles"
    answered = await student.submit_modal(form, {"report:answer-text": "Diolch."})
    assert texts(answered).startswith("Wedi'i anfon. Mae eich neges wedi'i hychwanegu at achos 1")

    wrong = await student.slash(rw.general, "report check", code="AAAA-BBBB")
    assert texts(wrong).startswith("Dydy'r cod hwnnw ddim yn agor achos yma.")  # a service error


async def test_the_welfare_team_handles_a_case_in_welsh(rw: ReportsWorld) -> None:
    await rw.admin.slash(rw.general, "setup language", language="cy")  # the staff channel's posts
    intro = await rw.student.slash(rw.general, "report new")  # the server's language answers them
    shown = await rw.student.click(intro.response.message, label="Ymlaen i'r ffurflen")
    await rw.student.submit_modal(
        shown,
        {"report:what": "Sylwadau am fy hijab.", "report:where": ["placement"], "report:wish": ["reply"]},
    )
    await rw.env.settle()

    [post] = rw.reports.history(viewer=rw.organiser)
    posted = message_text(post)
    assert "Achos 1: adroddiad dienw newydd" in posted and "Lleoliad gwaith neu leoliad clinigol" in posted
    assert re.search(r"Adroddwyd ar \d{4}-\d{2}-\d{2}", posted)
    assert english_in(posted) == []

    await rw.organiser.slash(rw.general, "language", language="cy")  # their own choice, for replies
    listed = await rw.organiser.slash(rw.general, "cases list")
    assert "Achosion o adroddiadau dienw" in texts(listed) and "eisiau ateb" in texts(listed)
    opened = await rw.organiser.slash(rw.general, "cases show", case=1)
    assert "Atebwch y sawl a adroddodd achos 1" in texts(opened)
    reply_form = await rw.organiser.click(last(opened), label="Ateb")
    assert reply_form.modal is not None and reply_form.modal["title"] == "Ateb ar achos 1"

    sent = await rw.organiser.slash(rw.general, "cases reply", case=1, text="Mae'n ddrwg gennym.")
    assert texts(sent).startswith("Wedi'i anfon. Bydd y sawl a adroddodd achos 1")
    closed = await rw.organiser.slash(rw.general, "cases close", case=1, outcome="Wedi'i drafod.")
    assert texts(closed).startswith("Mae achos 1 wedi cau.")
    again = await rw.organiser.slash(rw.general, "cases close", case=1, outcome="Eto.")
    assert texts(again) == "Mae achos 1 eisoes wedi cau."  # a service's UserError, in Welsh
    await rw.env.settle()
    for message in rw.reports.history(viewer=rw.organiser):
        assert english_in(message_text(message)) == []

    # Bilingual: the staff channel's posts carry both languages, Welsh first; the organiser's own
    # replies stay in the language they chose.
    await rw.admin.slash(rw.general, "setup language", language="bilingual")
    shown = await rw.organiser.slash(rw.general, "cases show", case=1)
    reopened = await rw.organiser.click(last(shown), label="Ailagor")
    assert texts(reopened).startswith("Mae achos 1 ar agor eto")
    await rw.env.settle()
    posted = message_text(rw.reports.history(viewer=rw.organiser)[-1])
    assert "Achos 1: wedi'i ailagor / Case 1: reopened" in posted


def last(result: simcord.InteractionResult) -> discord.Message:
    """The last private message of a result (where a view goes)."""
    return result.followups[-1].message if result.followups else result.response.message
