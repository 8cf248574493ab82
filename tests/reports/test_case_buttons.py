"""Case handling by buttons (issue 17): the list's menu, Reply, Close and Reopen, and who may press."""

from __future__ import annotations

import discord

from tests.reports.conftest import ReportsWorld
from tests.reports.test_reports_e2e import code_of, file_report, message_text, texts


def buttons(result_or_message: object) -> dict[str, str]:
    """label -> custom id of every button on a reply or message."""
    components = getattr(result_or_message, "components", [])
    found: dict[str, str] = {}
    for row in components:
        for item in row["components"] if isinstance(row, dict) else row.children:
            data = item if isinstance(item, dict) else item.to_dict()
            if data.get("label") and data.get("custom_id"):
                found[data["label"]] = data["custom_id"]
    return found


async def test_an_organiser_handles_a_case_with_the_menu_and_buttons(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Remarks about my accent on the ward."))
    await file_report(rw, rw.student, "Something to record.", reply=False)

    listed = await rw.organiser.slash(rw.general, "cases list")
    assert listed.ephemeral
    text = texts(listed)
    assert "reply wanted" in text and "record only" in text
    menu = listed.response.components[0]["components"][0]
    assert menu["custom_id"] == "cases:open"
    assert [o["value"] for o in menu["options"]] == ["2", "1"]
    assert "reply wanted" in menu["options"][1]["label"]

    opened = await rw.organiser.select(listed.response.message, ["1"], custom_id="cases:open")
    assert opened.ephemeral and "Remarks about my accent" in texts(opened)
    last = opened.followups[-1] if opened.followups else opened.response
    assert last is not None
    assert buttons(last) == {"Reply": "cases:reply:1", "Close": "cases:close:1"}

    form = await rw.organiser.click(last.message, label="Reply")
    assert form.modal is not None
    sent = await rw.organiser.submit_modal(form, {"cases:reply-text": "Thank you for telling us."})
    assert "will see your reply" in texts(sent)
    seen = await rw.student.slash(rw.general, "report check", code=code)
    assert "Thank you for telling us." in texts(seen)

    # The staff note names the organiser by display name: never a raw id or a mention.
    note = message_text(rw.reports.history(viewer=rw.organiser)[-1])
    assert "Case 1: reply sent" in note
    assert f"Sent by {discord.utils.escape_markdown(rw.organiser.name)}" in note.replace("\n", " ")
    assert str(rw.organiser.id) not in note and "<@" not in note

    form = await rw.organiser.click(last.message, label="Close")
    assert form.modal is not None
    closed = await rw.organiser.submit_modal(form, {"cases:outcome": "Raised with the ward manager."})
    assert "Case 1 is closed" in texts(closed)
    assert await rw.bot.db.fetchval("SELECT status FROM report_cases WHERE number = 1") == "closed"

    # Opened again from the list, a closed case offers Reopen only.
    listed = await rw.organiser.slash(rw.general, "cases list", include_closed=True)
    opened = await rw.organiser.select(listed.response.message, ["1"], custom_id="cases:open")
    last = opened.followups[-1] if opened.followups else opened.response
    assert last is not None and buttons(last) == {"Reopen": "cases:reopen:1"}
    reopened = await rw.organiser.click(last.message, label="Reopen")
    assert "open again" in texts(reopened)
    assert await rw.bot.db.fetchval("SELECT delete_at FROM report_cases WHERE number = 1") is None
    assert "Case 1: reopened" in message_text(rw.reports.history(viewer=rw.organiser)[-1])
    # ...and it can be closed again, with its own note.
    shown = await rw.organiser.slash(rw.general, "cases show", case=1)
    last = shown.followups[-1] if shown.followups else shown.response
    assert last is not None
    form = await rw.organiser.click(last.message, label="Close")
    await rw.organiser.submit_modal(form, {"cases:outcome": "Closed again."})
    assert "Case 1: closed" in message_text(rw.reports.history(viewer=rw.organiser)[-1])

    # The record-only case has Close but no Reply.
    shown = await rw.organiser.slash(rw.general, "cases show", case=2)
    last = shown.followups[-1] if shown.followups else shown.response
    assert last is not None and buttons(last) == {"Close": "cases:close:2"}
    assert rw.env.errors == []


async def test_a_student_who_gets_the_buttons_is_refused_kindly(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Being mocked in a seminar."))
    # A message carrying every case control, somewhere a student can press them.
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Select(custom_id="cases:open", options=[discord.SelectOption(label="Case 1", value="1")])
    )
    for action in ("reply", "close", "reopen"):
        view.add_item(discord.ui.Button(label=action, custom_id=f"cases:{action}:1"))
    view.stop()
    channel = rw.bot.get_channel(rw.general.id)
    assert isinstance(channel, discord.TextChannel)
    forged = await channel.send("Case controls", view=view)
    await rw.env.settle()

    chosen = await rw.student.select(forged, ["1"], custom_id="cases:open")
    assert chosen.ephemeral and "for organisers" in texts(chosen)
    assert "Being mocked" not in texts(chosen)
    for action in ("reply", "close", "reopen"):
        pressed = await rw.student.click(forged, custom_id=f"cases:{action}:1")
        assert pressed.modal is None and pressed.ephemeral, action
        assert "for organisers" in texts(pressed) and "nothing was done" in texts(pressed), action

    # A staff form submitted without the button (a crafted interaction) is refused the same way.
    opened = await rw.student.slash(rw.general, "report check", code=code)
    for custom_id in ("cases:reply-form:1", "cases:close-form:1"):
        form = await rw.student.click(opened.response.message, label="Write a message")
        form._interaction.modal["custom_id"] = custom_id
        refused = await rw.student.submit_modal(form, {"report:answer-text": "Not staff."})
        assert "for organisers" in texts(refused), custom_id
    seen = await rw.student.slash(rw.general, "report check", code=code)
    assert "Not staff." not in texts(seen)
    assert await rw.bot.db.fetchval("SELECT status FROM report_cases") == "open"
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_messages") == 0
    assert rw.env.errors == []


async def test_a_former_organiser_is_named_as_a_former_member(rw: ReportsWorld) -> None:
    await file_report(rw, rw.student, "Left out of a group project.")
    other = rw.guild.add_member(rw.env.create_user("tem_temp"), roles=[rw.organiser_role])
    await rw.env.settle()
    # Kept in the outbox while the organiser leaves: the post then names no one.
    rw.bot.outbox.kick = lambda: None  # type: ignore[method-assign]
    await other.slash(rw.general, "cases reply", case=1, text="We'll look into it.")
    rw.guild.remove_member(other)
    await rw.env.settle()
    await rw.bot.outbox.drain()
    note = message_text(rw.reports.history(viewer=rw.organiser)[-1])
    assert "Sent by a former member" in note.replace("\n", " ")
    assert str(other.id) not in note
    assert rw.env.errors == []
