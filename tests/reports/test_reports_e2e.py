"""Anonymous reports end to end, through SimCord, as students and the welfare team meet them."""

from __future__ import annotations

import json
import logging
import re

import discord
import pytest
import simcord

from bot.services.reports import WRONG_CODE, new_code
from tests.conftest import BotFactory
from tests.reports.conftest import ReportsWorld, open_cases

CODE = re.compile(r"```\n([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})\n```")
DAY = 24 * 60 * 60


async def start_report(
    rw: ReportsWorld, member: simcord.MemberActor, channel: simcord.ChannelHandle | None = None
) -> simcord.InteractionResult:
    intro = await member.slash(channel or rw.general, "report new")
    assert intro.ephemeral
    return await member.click(intro.response.message, label="Continue to the form")


async def file_report(
    rw: ReportsWorld,
    member: simcord.MemberActor,
    text: str,
    *,
    reply: bool = True,
    channel: simcord.ChannelHandle | None = None,
    **extra: object,
) -> simcord.InteractionResult:
    shown = await start_report(rw, member, channel)
    assert shown.modal is not None
    values: dict[str, object] = {
        "report:what": text,
        "report:where": ["placement"],
        "report:wish": ["reply" if reply else "record"],
    }
    values.update(extra)
    return await member.submit_modal(shown, values)


def texts(result: simcord.InteractionResult) -> str:
    replies = ([result.response] if result.response else []) + result.followups
    parts = []
    for reply in replies:
        parts.append(reply.content)
        parts += [message_text(embed) for embed in reply.embeds]
    return "\n".join(parts)


def message_text(item: discord.Message | discord.Embed) -> str:
    embeds = item.embeds if isinstance(item, discord.Message) else [item]
    parts = [item.content] if isinstance(item, discord.Message) else []
    for embed in embeds:
        parts += [
            embed.title or "",
            embed.description or "",
            embed.footer.text or "",
            embed.author.name or "",
        ]
        parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


def code_of(result: simcord.InteractionResult) -> str:
    match = CODE.search(texts(result))
    assert match, texts(result)
    return match.group(1)


async def test_report_new_explains_anonymity_and_its_limit_privately(rw: ReportsWorld) -> None:
    result = await rw.student.slash(rw.general, "report new")

    assert result.ephemeral
    text = texts(result)
    assert "999" in text and "can't check on you" in text
    assert "12 months after it's closed" in text
    assert "University reporting page" not in str(result.response.components)
    assert rw.general.history(viewer=rw.organiser) == []  # no public trace
    support = await rw.student.click(result.response.message, label="Other ways to report, and support")
    assert support.ephemeral and "999" in texts(support)

    # With an official page configured, it is linked.
    saved = await rw.organiser.slash(
        rw.general, "cases settings", reporting_url="https://report.example.ac.uk/"
    )
    assert "Saved" in saved.response.content
    result = await rw.student.slash(rw.general, "report new")
    assert "https://report.example.ac.uk/" in texts(result)
    buttons = [c for row in result.response.components for c in row["components"]]
    assert {"label": "University reporting page", "url": "https://report.example.ac.uk/"}.items() <= next(
        b for b in buttons if b.get("url")
    ).items()


async def test_the_case_reaches_staff_with_no_trace_of_the_reporter(rw: ReportsWorld) -> None:
    story = "A patient's relative made remarks about my hijab during a clinic."
    result = await file_report(
        rw, rw.student, story, **{"report:when": "early October", "report:characteristic": ["religion"]}
    )

    assert all(r.ephemeral for r in [*([result.response] if result.response else []), *result.followups])
    assert "case 1" in texts(result)
    assert "999" in texts(result)  # support comes with the receipt (urgent help first)
    posted = rw.reports.history(viewer=rw.organiser)
    assert len(posted) == 1
    case = posted[0]
    text = message_text(case)
    assert story in text and "early October" in text and "Religion or belief" in text
    assert "Placement or clinical setting" in text and "/cases reply case:1" in text
    student = rw.student
    for trace in (str(student.id), f"<@{student.id}>", f"<@!{student.id}>", student.name):
        assert trace not in text
    assert case.author.bot  # posted by the bot, as itself
    embed = case.embeds[0]
    assert embed.author.name is None and embed.author.icon_url is None and embed.timestamp is None
    assert embed.thumbnail.url is None and embed.image.url is None
    assert case.mentions == [] and case.raw_mentions == []
    assert re.search(r"Reported on \d{4}-\d{2}-\d{2}$", text, re.M)  # the day, no time


async def test_no_table_in_the_database_holds_the_reporter(
    rw: ReportsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    story = "My supervisor keeps calling me by another student's name, the only other Black student."
    with caplog.at_level(logging.DEBUG):
        filed = await file_report(rw, rw.student, story)
        code = code_of(filed)
        await rw.organiser.slash(
            rw.general, "cases reply", case=1, text="We're sorry. Can you tell us the site?"
        )
        checked = await rw.student.slash(rw.general, "report check", code=code)
        shown = await rw.student.click(checked.response.message, label="Write a message")
        await rw.student.submit_modal(shown, {"report:answer-text": "The district general hospital."})
        await rw.organiser.slash(rw.general, "cases close", case=1, outcome="Raised with the placement lead.")

    db = rw.bot.db
    student = rw.student
    needles = {student.id, str(student.id), student.name}
    tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "report_cases" in tables
    seen = 0
    for table in tables:
        columns = [r["name"] for r in await db.fetchall(f'PRAGMA table_info("{table}")')]
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            for column, value in zip(columns, tuple(row), strict=True):
                seen += 1
                assert value not in needles, f"{table}.{column} holds the reporter"
                if isinstance(value, str):
                    assert str(student.id) not in value, f"{table}.{column} holds the reporter"
    assert seen > 10
    # Nor do our logs (or discord.py's) carry the report or the reporter. (aiosqlite's DEBUG
    # records echo SQL parameters; it must never run at DEBUG in production.)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiosqlite"))
    assert story not in logged and "district general" not in logged
    assert str(student.id) not in logged and code not in logged


async def test_reply_and_check_round_trip_with_the_code(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Comments about my accent in a seminar."))

    waiting = await rw.student.slash(rw.general, "report check", code=code)
    assert waiting.ephemeral and "No messages yet" in texts(waiting)

    sent = await rw.organiser.slash(rw.general, "cases reply", case=1, text="Thank you. Would a chat help?")
    assert sent.ephemeral and "can't notify them" in texts(sent)
    staff_note = rw.reports.history(viewer=rw.organiser)[-1]
    assert "Case 1: reply sent" in message_text(staff_note)

    checked = await rw.student.slash(rw.general, "report check", code=code.lower().replace("-", " "))
    assert checked.ephemeral
    assert "The welfare team" in texts(checked) and "Thank you. Would a chat help?" in texts(checked)
    shown = await rw.student.click(checked.response.message, label="Write a message")
    assert shown.modal is not None
    answered = await rw.student.submit_modal(shown, {"report:answer-text": "Yes please, online."})
    assert "added to case 1" in texts(answered)

    update = rw.reports.history(viewer=rw.organiser)[-1]
    assert "new message from the reporter" in message_text(update)
    assert "Yes please, online." in message_text(update)
    assert str(rw.student.id) not in message_text(update)

    staff_view = await rw.organiser.slash(rw.general, "cases show", case=1)
    text = texts(staff_view)
    assert text.index("Would a chat help?") < text.index("Yes please, online.")
    assert "The reporter" in text
    listed = await rw.organiser.slash(rw.general, "cases list")
    assert "Case 1" in texts(listed) and "the reporter wrote last" in texts(listed)


async def test_a_wrong_code_is_refused_without_saying_whether_a_case_exists(rw: ReportsWorld) -> None:
    real = code_of(await file_report(rw, rw.student, "Something that happened in halls."))
    other = rw.guild.add_member(rw.env.create_user("priya"))
    await rw.env.settle()

    answers = []
    for attempt in (new_code(), "not-a-code", real[:-1] + ("A" if real[-1] != "A" else "B")):
        result = await other.slash(rw.general, "report check", code=attempt)
        assert result.ephemeral and result.response.components == []
        answers.append(result.response.content)
    assert answers == [WRONG_CODE] * 3
    assert "case 1" not in WRONG_CODE.lower()

    # On a server with no cases at all, the answer is word for word the same.
    empty = rw.env.create_guild("Empty School")
    lobby = empty.create_text_channel("lobby")
    visitor = empty.add_member(rw.env.create_user("visitor"))
    await rw.env.settle()
    result = await visitor.slash(lobby, "report check", code=new_code())
    assert result.response.content == WRONG_CODE
    # A real code on another server opens nothing.
    result = await visitor.slash(lobby, "report check", code=real)
    assert result.response.content == WRONG_CODE
    assert rw.env.errors == []


async def test_a_closed_case_shows_its_outcome_and_refuses_more_messages_kindly(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Being left out of theatre on purpose."))
    opened = await rw.student.slash(rw.general, "report check", code=code)

    closed = await rw.organiser.slash(
        rw.general, "cases close", case=1, outcome="Spoken to the team; monitoring."
    )
    assert "closed" in texts(closed)
    assert "Case 1: closed" in message_text(rw.reports.history(viewer=rw.organiser)[-1])

    after = await rw.student.slash(rw.general, "report check", code=code)
    assert "Spoken to the team; monitoring." in texts(after) and "closed" in texts(after)
    assert after.response.components == []  # no way to write any more
    # The button from before the case was closed gets a kind answer, before any form opens.
    refused = await rw.student.click(opened.response.message, label="Write a message")
    assert refused.modal is None and refused.ephemeral
    assert "has been closed" in texts(refused) and "/report new" in texts(refused)

    reply = await rw.organiser.slash(rw.general, "cases reply", case=1, text="Anything else?")
    assert reply.ephemeral and "closed" in texts(reply)
    again = await rw.organiser.slash(rw.general, "cases close", case=1, outcome="again")
    assert "already closed" in texts(again)
    assert rw.env.errors == []


async def test_students_cannot_use_staff_commands_or_see_the_reports_channel(rw: ReportsWorld) -> None:
    await file_report(rw, rw.student, "Jokes about my disability in the anatomy lab.", reply=False)

    # Hidden from students in the client...
    payload = next(c for c in rw.bot.tree.get_commands() if c.name == "cases").to_dict(rw.bot.tree)
    assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    # ...and refused on the server side even when an admin lets them see it.
    await open_cases(rw.world, rw.student)
    for name, options in (
        ("cases list", {}),
        ("cases show", {"case": 1}),
        ("cases reply", {"case": 1, "text": "hi"}),
        ("cases close", {"case": 1, "outcome": "closed by a student"}),
        ("cases settings", {"retention_months": 1}),
    ):
        result = await rw.student.slash(rw.general, name, **options)
        assert result.ephemeral and "is for organisers" in result.response.content, name
        assert "Jokes about my disability" not in texts(result)
    assert (await rw.bot.db.fetchval("SELECT status FROM report_cases")) == "open"
    assert (await rw.bot.db.fetchval("SELECT retention_months FROM report_settings")) == 12

    with pytest.raises(simcord.SetupError):
        rw.reports.history(viewer=rw.student)
    # The organiser (role configured) can.
    assert len(rw.reports.history(viewer=rw.organiser)) == 1
    listed = await rw.organiser.slash(rw.general, "cases list")
    assert "record only" in texts(listed)
    refused = await rw.organiser.slash(rw.general, "cases reply", case=1, text="hello")
    assert "recorded only" in texts(refused)
    assert rw.env.errors == []


async def test_retention_deletes_a_case_at_the_right_virtual_time_even_across_a_restart(
    rw: ReportsWorld, make_bot: BotFactory
) -> None:
    await rw.admin.slash(rw.general, "cases settings", retention_months=1)
    intro = await rw.student.slash(rw.general, "report new")
    assert "1 month after it's closed" in texts(intro)
    code = code_of(
        await file_report(rw, rw.student, "Name-calling in the group chat.", **{"report:where": ["online"]})
    )
    assert "deleted 1 month after" in texts(await file_report(rw, rw.student, "A second thing.", reply=False))
    await rw.organiser.slash(rw.general, "cases reply", case=1, text="We hear you.")
    await rw.organiser.slash(rw.general, "cases close", case=1, outcome="Reported to the course lead.")
    delete_at = await rw.bot.db.fetchval("SELECT delete_at FROM report_cases WHERE number = 1")
    now = int(rw.env.now().timestamp())
    assert 28 * DAY <= delete_at - now <= 31 * DAY
    assert len(rw.reports.history(viewer=rw.organiser)) == 4  # two cases, a reply, a closing

    await rw.env.advance_time(delete_at - now - 60)
    await rw.env.restart_bot(make_bot())  # the job is re-armed from the database
    still = await rw.student.slash(rw.general, "report check", code=code)
    assert "Reported to the course lead." in texts(still)

    await rw.env.advance_time(120)
    gone = await rw.student.slash(rw.general, "report check", code=code)
    assert gone.response.content == WRONG_CODE  # expired reads exactly like wrong
    db = rw.env.bot.db
    assert await db.fetchval("SELECT COUNT(*) FROM report_cases WHERE number = 1") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM report_messages") == 0
    # The bot's posts about case 1 went too; case 2 (still open) is untouched.
    left = [message_text(m) for m in rw.reports.history(viewer=rw.organiser)]
    assert len(left) == 1 and "Case 2" in left[0]
    shown = await rw.organiser.slash(rw.general, "cases show", case=1)
    assert "no case 1" in texts(shown)
    assert rw.env.errors == []


async def test_the_rate_limit_holds_and_then_forgets(rw: ReportsWorld) -> None:
    for n in range(3):
        await file_report(rw, rw.student, f"Report number {n + 1}.", reply=False)
    refused = await rw.student.slash(rw.general, "report new")
    assert refused.ephemeral and "3 reports in the last hour" in refused.response.content
    assert "60 minutes" in refused.response.content or "59 minutes" in refused.response.content
    # Someone else can still report.
    await file_report(rw, rw.organiser, "Another person's report.", reply=False)
    # Nothing about the limit is in the database: only the four cases.
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 4

    await rw.env.advance_time(59 * 60)
    still = await rw.student.slash(rw.general, "report new")
    assert "1 minute" in still.response.content
    await rw.env.advance_time(61)
    result = await file_report(rw, rw.student, "A fourth one, an hour later.", reply=False)
    assert "case 5" in texts(result)
    assert rw.env.errors == []


async def test_a_form_opened_before_the_limit_was_reached_gives_the_words_back(rw: ReportsWorld) -> None:
    early = await start_report(rw, rw.student)  # form open, nothing sent yet
    for n in range(3):
        await file_report(rw, rw.student, f"Report {n}.", reply=False)
    words = "My words, kept. " + "w" * 2950 + " THE END"
    refused = await rw.student.submit_modal(
        early, {"report:what": words, "report:where": ["campus"], "report:wish": ["record"]}
    )
    assert refused.ephemeral and "3 reports in the last hour" in texts(refused)
    given_back = "".join(r.content.removeprefix(">>> ") for r in refused.followups)
    assert given_back == words  # whole, across messages within Discord's limit
    assert all(r.ephemeral for r in refused.followups)
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 3


async def test_bad_input_gets_a_kind_private_message(rw: ReportsWorld) -> None:
    empty = await file_report(rw, rw.student, "    ")
    assert empty.ephemeral and "empty" in texts(empty)
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 0
    # Discord's own limits are set on the form, so an over-long text can't be sent at all.
    shown = await start_report(rw, rw.student)
    with pytest.raises(simcord.SetupError, match="max_length"):
        await rw.student.submit_modal(
            shown, {"report:what": "x" * 3001, "report:where": ["campus"], "report:wish": ["record"]}
        )

    bad_url = await rw.admin.slash(rw.general, "cases settings", reporting_url="http://not-secure.example")
    assert "https://" in texts(bad_url)
    unknown = await rw.organiser.slash(rw.general, "cases reply", case=42, text="hello")
    assert "no case 42" in texts(unknown)
    blank = await rw.organiser.slash(rw.general, "cases reply", case=42, text="   ")
    assert blank.ephemeral
    assert rw.env.errors == []


async def test_a_report_is_never_posted_where_everyone_can_read_it(rw: ReportsWorld) -> None:
    await rw.admin.slash(rw.general, "setup channel", purpose="reports", channel=rw.general)
    result = await file_report(rw, rw.student, "This must not be public.", reply=False)
    assert "case 1" in texts(result) and "list of cases" in texts(result)
    assert [m for m in rw.general.history(viewer=rw.student) if not m.flags.ephemeral] == []
    listed = await rw.organiser.slash(rw.general, "cases show", case=1)
    assert "This must not be public." in texts(listed)


async def test_without_a_reports_channel_cases_go_to_the_organisers_channel(rw: ReportsWorld) -> None:
    organisers = rw.guild.create_text_channel(
        "organisers",
        overwrites={
            rw.guild.default_role: discord.PermissionOverwrite(view_channel=False),
            rw.organiser_role: discord.PermissionOverwrite(view_channel=True),
            rw.admin: discord.PermissionOverwrite(view_channel=True),
        },
    )
    other = rw.env.create_guild("Second School")
    other_general = other.create_text_channel("general")
    admin_role = other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    other_staff = other.create_text_channel(
        "staff",
        overwrites={
            other.default_role: discord.PermissionOverwrite(view_channel=False),
            other.me: discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True),
            admin_role: discord.PermissionOverwrite(view_channel=True),
        },
    )
    admin = other.add_member(rw.env.create_user("second_admin"), roles=[admin_role])
    student = other.add_member(rw.env.create_user("second_student"))
    await rw.env.settle()
    other_staff_channel = other_staff
    await admin.slash(other_general, "setup channel", purpose="organisers", channel=other_staff_channel)

    await file_report(rw, student, "Reported on the second server.", reply=False, channel=other_general)
    assert "Case 1: new anonymous report" in message_text(other_staff.history()[-1])
    assert organisers.history() == []  # each server's cases stay on that server
    assert rw.reports.history() == []


async def test_without_the_signposts_cog_the_receipt_still_gives_the_national_lines(rw: ReportsWorld) -> None:
    if rw.bot.get_cog("Signposts") is not None:
        await rw.bot.remove_cog("Signposts")
    result = await file_report(rw, rw.student, "Something happened at a society event.", reply=False)
    # The national lines (bot.support), worded once for every feature.
    text = texts(result)
    assert "Samaritans" in text and "116 123" in text and "85258" in text and "999" in text


async def test_forms_opened_before_a_restart_still_send_afterwards(
    rw: ReportsWorld, make_bot: BotFactory
) -> None:
    code = code_of(await file_report(rw, rw.student, "First report."))
    checked = await rw.student.slash(rw.general, "report check", code=code)
    answer_form = await rw.student.click(checked.response.message, label="Write a message")
    report_form = await start_report(rw, rw.student)

    await rw.env.restart_bot(make_bot())

    sent = await rw.student.submit_modal(
        report_form,
        {
            "report:what": "Written while the bot restarted.",
            "report:where": ["teaching"],
            "report:wish": ["record"],
        },
    )
    assert "case 2" in texts(sent)
    answered = await rw.student.submit_modal(answer_form, {"report:answer-text": "Still here."})
    assert "added to case 1" in texts(answered)
    assert "Still here." in message_text(rw.reports.history(viewer=rw.organiser)[-1])
    # And the buttons from before the restart still work.
    again = await rw.student.click(checked.response.message, label="Write a message")
    assert again.modal is not None
    assert rw.env.errors == []


async def test_the_code_can_be_typed_into_a_private_form_instead(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "Typed into a form."))
    shown = await rw.student.slash(rw.general, "report check")
    assert shown.modal is not None
    opened = await rw.student.submit_modal(shown, {"report:code": code})
    assert opened.ephemeral and "Typed into a form." in texts(opened)
    wrong = await rw.student.submit_modal(
        await rw.student.slash(rw.general, "report check"), {"report:code": "nope"}
    )
    assert texts(wrong).strip() == WRONG_CODE

    # The button's capability never reaches the metrics labels.
    button = opened.response.components[0]["components"][0]["custom_id"]
    tag = button.rsplit(":", 1)[1]
    await rw.student.click(opened.response.message, label="Write a message")
    keys = [summary.key for summary in rw.bot.timings.summary()]
    assert "component:report:answer" in keys and not any(tag in key for key in keys)


async def test_a_long_conversation_is_shown_across_several_private_messages(rw: ReportsWorld) -> None:
    code = code_of(await file_report(rw, rw.student, "The start of a long conversation."))
    for n in range(6):
        await rw.organiser.slash(rw.general, "cases reply", case=1, text=f"Reply {n}: " + "x" * 1700)
    staff = await rw.organiser.slash(rw.general, "cases show", case=1)
    assert len(staff.followups) >= 1 and all(r.ephemeral for r in staff.followups)
    assert all(text in texts(staff) for text in (f"Reply {n}:" for n in range(6)))
    student = await rw.student.slash(rw.general, "report check", code=code)
    last = student.followups[-1]
    assert "Reply 5:" in message_text(last.message)
    assert last.components and "Write a message" in str(last.components)  # the button comes last


async def test_if_saving_fails_the_student_gets_their_words_back(
    rw: ReportsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    cog = rw.bot.get_cog("Reports")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(cog.service, "create_case", broken)
    result = await file_report(rw, rw.student, "Please don't lose this.", reply=False)
    text = texts(result)
    assert re.search(r"error [0-9A-F]{6}", text) and "Please don't lose this." in text
    assert all(r.ephemeral for r in [*([result.response] if result.response else []), *result.followups])
    assert rw.reports.history(viewer=rw.organiser) == []
    monkeypatch.undo()
    # The failed attempt did not count towards the limit.
    for n in range(3):
        assert "case" in texts(await file_report(rw, rw.student, f"Retry {n}.", reply=False))


async def test_privacy_export_and_erasure_find_nothing_of_the_reporter_in_reports(rw: ReportsWorld) -> None:
    await file_report(rw, rw.student, "A report that must stay anonymous.", reply=False)
    privacy = rw.bot.get_cog("Privacy")
    if privacy is None:
        pytest.skip("the privacy feature is not in this tree")
    # What /privacy my-data and forget-me gather from every feature.
    exported = await privacy.export(rw.guild.id, rw.student.id)
    assert exported["features"]["Reports"] == {}
    assert "A report that must stay anonymous." not in json.dumps(exported, default=str)
    guild = rw.bot.get_guild(rw.guild.id)
    removed = await privacy.forget(guild, rw.student.id)
    assert not any(key.startswith("Reports") and count for key, count in removed.items())
    assert await rw.bot.db.fetchval("SELECT COUNT(*) FROM report_cases") == 1  # anonymous: it stays
