"""Hostile input in reports (issue 16): what a reporter writes is shown to staff inert (no
disguised links, no mentions, no Markdown), and forged or stale custom ids on the answer button
and form get the same kind answer as a wrong code, never another server's case."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.services.reports import WRONG_CODE
from bot.ui import unstored_view
from tests.reports.conftest import ReportsWorld
from tests.reports.test_reports_e2e import code_of, file_report, message_text, texts

PHISHING = "Please [click here to verify](https://evil.example/login) \u202eor @everyone <@1>"
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def assert_inert(shown: str) -> None:
    assert not MASKED_LINK.search(shown), shown
    assert "`https://evil.example/login`" in shown  # the real address, shown as code (not a link)
    assert "\\@everyone" in shown and "\\<\\@1\\>" in shown
    assert "\u202e" not in shown


async def test_a_disguised_link_reaches_staff_as_plain_text(rw: ReportsWorld) -> None:
    filed = await file_report(rw, rw.student, PHISHING, **{"report:when": "[today](https://evil.example)"})
    code = code_of(filed)

    posted = rw.reports.history(viewer=rw.organiser)[-1]
    assert_inert(message_text(posted))
    assert "`https://evil.example`" in message_text(posted)
    shown = await rw.organiser.slash(rw.general, "cases show", case=1)
    assert_inert(texts(shown))

    # The reporter's later message too, in the staff channel and in /cases show.
    checked = await rw.student.slash(rw.general, "report check", code=code)
    form = await rw.student.click(checked.response.message, label="Write a message")
    await rw.student.submit_modal(form, {"report:answer-text": PHISHING})
    await rw.env.settle()
    assert_inert(message_text(rw.reports.history(viewer=rw.organiser)[-1]))
    assert (
        texts(await rw.organiser.slash(rw.general, "cases show", case=1)).count(
            "`https://evil.example/login`"
        )
        == 2
    )

    stored = await rw.bot.db.fetchval("SELECT body FROM report_cases WHERE number = 1")
    assert "\u202e" not in stored  # direction overrides are not even stored


async def test_forged_answer_buttons_and_forms_get_the_wrong_code_answer(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "A real case."))
    opened = await rw.student.slash(rw.general, "report check", code=code)
    real = opened.response.components[0]["components"][0]["custom_id"]
    case_id, tag = real.split(":")[2:]
    forged = [
        f"report:answer:0:{tag}",
        f"report:answer:9999999999999999999:{tag}",
        f"report:answer:1234567890123456789:{tag}",
        f"report:answer:424242:{tag}",
        f"report:answer:{case_id}:1{tag}",  # the right case, a made-up tag
        f"report:answer:{case_id}:0",
    ]
    channel = rw.bot.get_channel(rw.general.id)
    assert isinstance(channel, discord.TextChannel)
    for custom_id in forged:
        posted = await channel.send(
            "x", view=unstored_view(discord.ui.Button[Any](label="W", custom_id=custom_id))
        )
        await rw.env.settle()
        pressed = await rw.student.click(posted, custom_id=custom_id)
        assert pressed.modal is None and pressed.ephemeral, custom_id
        assert texts(pressed).strip() == WRONG_CODE, texts(pressed)

    for custom_id in forged:
        forged_form = await rw.student.click(opened.response.message, label="Write a message")
        forged_form._interaction.modal["custom_id"] = custom_id.replace(
            "report:answer:", "report:answer-form:"
        )
        sent = await rw.student.submit_modal(forged_form, {"report:answer-text": "Forged."})
        assert sent.ephemeral and texts(sent).strip() == WRONG_CODE, texts(sent)
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_messages") == 0
    assert rw.env.errors == []


async def test_the_answer_button_of_a_case_in_another_server_does_nothing_here(rw: ReportsWorld) -> None:
    """The same case id and tag, pressed in a server the case doesn't belong to."""
    code = code_of(await file_report(rw, rw.student, "A case in the first server."))
    opened = await rw.student.slash(rw.general, "report check", code=code)
    real = opened.response.components[0]["components"][0]["custom_id"]
    other = rw.env.create_guild("Other School")
    lounge = other.create_text_channel("lounge")
    visitor = other.add_member(rw.env.create_user("vic_visitor"))
    await rw.env.settle()
    channel = rw.bot.get_channel(lounge.id)
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("x", view=unstored_view(discord.ui.Button[Any](label="W", custom_id=real)))
    await rw.env.settle()

    pressed = await visitor.click(posted, custom_id=real)
    assert pressed.modal is None and texts(pressed).strip() == WRONG_CODE
    assert rw.env.errors == []
