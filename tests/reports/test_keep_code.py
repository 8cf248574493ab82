"""Keeping a report code (issue 17): a private file or a DM, and the bot keeps neither."""

from __future__ import annotations

from tests.reports.conftest import ReportsWorld
from tests.reports.test_reports_e2e import code_of, file_report, texts


async def test_the_code_can_be_downloaded_or_sent_by_dm_and_is_kept_nowhere(rw: ReportsWorld) -> None:
    filed = await file_report(rw, rw.student, "Comments about my wheelchair in a lecture.")
    code = code_of(filed)
    receipt = filed.response
    assert receipt is not None and receipt.ephemeral
    assert "Discord then holds it in your DMs" in texts(filed)
    custom_ids = [c.get("custom_id", "") for row in receipt.components for c in row["components"]]
    assert "report:keep:file" in custom_ids and "report:keep:dm" in custom_ids
    # Nothing a button carries reveals the code, in any form.
    compact = code.replace("-", "")
    assert not any(compact in cid.replace("-", "").upper() or code in cid for cid in custom_ids)

    downloaded = await rw.student.click(receipt.message, label="Download as a file")
    assert downloaded.ephemeral
    file = downloaded.response.attachments[0]
    assert file.filename == "report-code-case-1.txt"
    body = (await file.read()).decode()
    assert code in body and "case 1" in body and "/report check" in body

    dm = await rw.student.click(receipt.message, label="Send it to me by DM")
    assert dm.ephemeral and "Sent to your DMs" in texts(dm)
    [sent] = rw.student.user.dm_channel.history()
    assert code in sent.content and "/report check" in sent.content
    # The code works as written in the DM.
    checked = await rw.student.slash(rw.general, "report check", code=code)
    assert "Comments about my wheelchair" in texts(checked)

    # Members can't delete the bot's DMs: the button under it does.
    deleted = await rw.student.user.click(sent, label="Delete this message")
    assert "Deleted" in texts(deleted)
    assert rw.student.user.dm_channel.history() == []

    # The bot kept the code nowhere: not in any table, not in the outbox.
    db = rw.bot.db
    tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            for value in tuple(row):
                if isinstance(value, str):
                    assert code not in value and compact not in value, table
    assert rw.env.errors == []


async def test_closed_dms_get_a_kind_answer_and_a_record_only_report_has_no_buttons(
    rw: ReportsWorld,
) -> None:
    filed = await file_report(rw, rw.student, "Something I'd like a reply about.")
    rw.env.inject_error(
        "POST", f"/channels/{rw.student.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )
    assert filed.response is not None
    refused = await rw.student.click(filed.response.message, label="Send it to me by DM")
    assert refused.ephemeral and "Download as a file" in texts(refused)
    assert rw.student.user.dm_channel.history() == []

    recorded = await file_report(rw, rw.student, "Just recording this.", reply=False)
    assert recorded.response is not None
    ids = [c.get("custom_id", "") for row in recorded.response.components for c in row["components"]]
    assert not [i for i in ids if i.startswith("report:keep:")]
    assert rw.env.errors == []
