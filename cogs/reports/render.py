"""What reports look like: the explanation, cases, their conversation and staff notes.

Pure functions from the service's dataclasses to embeds and text. The reporter never appears:
no author, mention, avatar or timestamp field (Discord stamps the bot's own message, which says
when the bot posted, not who reported).

What a reporter wrote is always shown inert (:func:`bot.text.escape_markdown_for_staff`): no
Markdown, mention or link works, and every link shows where it really goes, so an anonymous
``[click here to verify](https://…)`` can't become a disguised link in the staff channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.clock import discord_time
from bot.services.reports import Case, CaseSummary, CaseThread, ReportSettings, wait_words
from bot.support import crisis_sentence
from bot.text import escape_markdown_for_staff
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TOTAL_LIMIT,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    clip,
)

COLOUR = discord.Colour.dark_teal()
MAX_EMBEDS = 10
MAX_PAGES = 5


def reporter_text(text: str, limit: int) -> str:
    """What a reporter wrote, with Markdown, mentions and links inert, within ``limit``."""
    return escape_markdown_for_staff(text, limit=limit) or "(empty)"


def months_words(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def rate_message(limit: int, wait: float) -> str:
    return (
        f"You've sent {limit} reports in the last hour, which is the most this server takes from "
        f"one person in an hour. You can report again in {wait_words(wait)}. {crisis_sentence()}"
    )


def explanation(settings: ReportSettings, *, per_hour: int) -> discord.Embed:
    retention = months_words(settings.retention_months)
    embed = discord.Embed(title="Before you report: what anonymous means here", colour=COLOUR)
    embed.description = (
        "• Your report goes to the welfare team **without your name, username or picture**: they see "
        "what you write and your choices. Common Room stores the day, never the time (their channel "
        "does show when the bot posted it).\n"
        "• Common Room keeps **no record of who reported**. Nobody running it can find out from the "
        "bot, not even the server's admins.\n"
        "• If you'd like a reply, you'll get a **private code**. With it you can read replies and "
        "answer, using `/report check`. Keep it safe: it's the only way the team can reach you.\n"
        "• What you write can still give you away (names, places, exact dates). Share what you're "
        "comfortable sharing.\n"
        f"• Your case is deleted **{retention} after it's closed**.\n"
        f"• You can send up to {per_hour} reports an hour."
    )
    embed.add_field(
        name="The limit of anonymity",
        value=(
            "Because the bot can't identify you, **it can't check on you**. "
            f"{crisis_sentence()} `/support` lists more help."
        ),
        inline=False,
    )
    if settings.reporting_url:
        embed.add_field(
            name="The university's official route",
            value=(
                f"You can also report through the university's own page: {settings.reporting_url}\n"
                "That route may ask who you are; this one never does."
            ),
            inline=False,
        )
    return embed


def case_embed(case: Case, *, for_staff: bool, title: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=title or f"Case {case.number}",
        description=reporter_text(case.body, EMBED_DESCRIPTION_LIMIT),
        colour=COLOUR if case.is_open else discord.Colour.light_grey(),
    )
    embed.add_field(name="Where", value=case.setting_label, inline=True)
    if case.happened_when:
        embed.add_field(
            name="Roughly when", value=reporter_text(case.happened_when, EMBED_FIELD_VALUE_LIMIT), inline=True
        )
    if case.characteristic_label:
        embed.add_field(name="Protected characteristic", value=case.characteristic_label, inline=True)
    if for_staff:
        wish = (
            f"A reply: use the Reply button on the case, or `/cases reply case:{case.number}`"
            if case.wants_reply
            else "Just to record it (they have no code, so a reply can't reach them)"
        )
        embed.add_field(name="The reporter would like", value=wish, inline=False)
    embed.add_field(name="Reported on", value=case.reported_on, inline=True)
    embed.add_field(name="Status", value="Open" if case.is_open else "Closed", inline=True)
    if not case.is_open and case.outcome:
        embed.add_field(name="Outcome", value=clip(case.outcome, EMBED_FIELD_VALUE_LIMIT), inline=False)
    if for_staff:
        embed.set_footer(
            text="Anonymous: Common Room keeps nothing that says who reported. Please handle with care."
        )
    return embed


def thread_pages(thread: CaseThread, *, for_staff: bool) -> list[list[discord.Embed]]:
    """The case and its conversation, oldest first, split into messages Discord accepts.

    Very long conversations keep the case and the latest messages, saying how many were left out.
    Every page is sent as its own private message (a reporter's answer button goes on the last),
    so this is not :class:`bot.ui.PagedView`, which shows one page at a time.
    """
    head = case_embed(thread.case, for_staff=for_staff)
    if thread.case.delete_at is not None:
        head.add_field(name="Deleted on", value=discord_time(thread.case.delete_at, "D"), inline=True)
    if not thread.messages:
        head.add_field(name="Messages", value="No messages yet.", inline=False)
    names = {"staff": "The welfare team", "reporter": "The reporter" if for_staff else "You"}
    pages: list[list[discord.Embed]] = []
    current, size = [head], len(head) + 100  # room for a footer note on the head
    for message in thread.messages:
        embed = discord.Embed(
            title=f"{names.get(message.author, message.author)} · {message.written_on}",
            description=(
                reporter_text(message.body, EMBED_DESCRIPTION_LIMIT)
                if message.author == "reporter"
                else clip(message.body, EMBED_DESCRIPTION_LIMIT)
            ),
            colour=discord.Colour.blurple() if message.author == "staff" else discord.Colour.light_grey(),
        )
        if len(current) >= MAX_EMBEDS or size + len(embed) > EMBED_TOTAL_LIMIT:
            pages.append(current)
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    pages.append(current)
    if len(pages) > MAX_PAGES:
        kept = pages[-(MAX_PAGES - 1) :]
        hidden = sum(len(page) for page in pages[1 : len(pages) - len(kept)]) + len(pages[0]) - 1
        note = f"{hidden} earlier message(s) not shown here."
        head.set_footer(text=f"{head.footer.text} {note}" if head.footer.text else note)
        pages = [[head], *kept]
    return pages


def case_note(thread: CaseThread) -> str:
    """What the reporter can do next with the case their code opened."""
    if not thread.case.is_open:
        return (
            "Your case is closed, so it can't take new messages. If something new has happened, "
            "use `/report new`."
        )
    if thread.answer_tag is not None:
        return "Your case is open. You can write to the welfare team below; they see it without your name."
    return ""


def receipt(case: Case, code: str | None, *, posted: bool) -> str:
    """The reporter's private receipt: the case number, the code (once), and the retention."""
    lines = [f"Thank you. Your report is saved as **case {case.number}**."]
    if not posted:
        lines.append("The welfare team will find it in their list of cases.")
    if code:
        lines += [
            "",
            "**Your private code** (shown only this once):",
            f"```\n{code}\n```",
            "Copy it somewhere safe that only you can open, such as a password manager or a private "
            "note. Use `/report check` with it to read replies and answer. Anyone with the code can "
            "read your case, so don't share it. If you lose it, nobody can recover it: the bot "
            "doesn't know it's yours.",
            "Replies don't notify you (the bot can't know who you are), so check back now and then.",
            "",
            "**To keep it**, the buttons below can help. **Download as a file** gives you a small text "
            "file that only you see. **Send it to me by DM** sends it to your direct messages with "
            "Common Room: Discord then holds it in your DMs, where anyone who can open your Discord "
            "account could read it, until you delete it with the button under it. Common Room keeps "
            "no copy either way.",
        ]
    else:
        lines += ["", "You asked for it to be recorded only, so there's no code and no reply will come."]
    lines += ["", f"Your case is deleted {months_words(case.retention_months)} after the team closes it."]
    return "\n".join(lines)


# The code and case number as the receipt above writes them, for the keep-the-code buttons,
# which read them back from the receipt they sit on (nothing about the code is stored anywhere).
_RECEIPT_CASE = re.compile(r"\*\*case (\d{1,19})\*\*")
_RECEIPT_CODE = re.compile(r"```\n([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})\n```")


def read_receipt(content: str) -> tuple[int, str] | None:
    """(case number, code) written in a receipt, or None if the message isn't one with a code."""
    case, code = _RECEIPT_CASE.search(content), _RECEIPT_CODE.search(content)
    if case is None or code is None:
        return None
    return int(case.group(1)), code.group(1)


def code_keepsake(server: str, number: int, code: str) -> str:
    """The text of the file or DM a reporter keeps their code in."""
    return "\n".join(
        [
            f"Your private code for case {number} on {server} (Common Room anonymous reports):",
            "",
            code,
            "",
            "Use /report check on that server with this code to read replies and answer.",
            "Anyone with the code can read your case, so keep it somewhere only you can open.",
            "Common Room keeps no copy: if you lose it, nobody can recover it.",
        ]
    )


# -- staff-channel notes -------------------------------------------------------------------


def new_case_embed(case: Case) -> discord.Embed:
    return case_embed(case, for_staff=True, title=f"Case {case.number}: new anonymous report")


def _note(title: str, text: str, colour: discord.Colour) -> discord.Embed:
    return discord.Embed(title=title, description=clip(text.strip(), EMBED_DESCRIPTION_LIMIT), colour=colour)


def answer_embed(case: Case, body: str) -> discord.Embed:
    embed = discord.Embed(
        title=f"Case {case.number}: new message from the reporter",
        description=reporter_text(body, EMBED_DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    embed.set_footer(
        text=f"Reply with /cases reply case:{case.number}. Read the whole case with /cases show."
    )
    return embed


def reply_embed(case: Case, text: str, *, by: str) -> discord.Embed:
    embed = _note(f"Case {case.number}: reply sent", text, discord.Colour.blurple())
    embed.add_field(name="Sent by", value=by, inline=False)
    return embed


def reopened_embed(case: Case, *, by: str) -> discord.Embed:
    embed = _note(
        f"Case {case.number}: reopened", "Its deletion date is cleared until it is closed again.", COLOUR
    )
    embed.add_field(name="Reopened by", value=by, inline=False)
    return embed


def closed_embed(case: Case, *, by: str) -> discord.Embed:
    assert case.delete_at is not None
    embed = _note(f"Case {case.number}: closed", case.outcome or "", discord.Colour.light_grey())
    embed.add_field(name="Closed by", value=by, inline=True)
    embed.add_field(name="Deleted on", value=discord_time(case.delete_at, "D"), inline=True)
    return embed


# -- /cases ----------------------------------------------------------------------------------


def summary_line(summary: CaseSummary) -> str:
    case = summary.case
    parts = [f"**Case {case.number}**", "open" if case.is_open else "closed", case.setting_label]
    parts.append(f"reported {case.reported_on}")
    parts.append(f"{summary.message_count} message(s)")
    parts.append("reply wanted" if case.wants_reply else "record only (no reply possible)")
    if summary.awaiting_staff:
        parts.append("**the reporter wrote last**")
    if case.delete_at is not None:
        parts.append(f"deleted {discord_time(case.delete_at, 'D')}")
    return " · ".join(parts)


def case_list_embed(summaries: Sequence[CaseSummary]) -> discord.Embed:
    """One embed listing the cases, newest first, cut with "…and N more" at Discord's limit."""
    lines = [summary_line(summary) for summary in summaries]
    text = ""
    for index, line in enumerate(lines):
        if len(text) + len(line) + 60 > EMBED_DESCRIPTION_LIMIT:
            text += f"…and {len(lines) - index} more."
            break
        text += line + "\n"
    embed = discord.Embed(title="Anonymous report cases", description=text, colour=COLOUR)
    embed.set_footer(text="Open one with the menu below (or /cases show). Reporters are never identified.")
    return embed


def case_options(summaries: Sequence[CaseSummary]) -> list[discord.SelectOption]:
    """The menu under the list: one option per case (Discord shows at most 25), newest first."""
    options = []
    for summary in list(summaries)[:SELECT_OPTIONS_LIMIT]:
        case = summary.case
        state = "open" if case.is_open else "closed"
        wish = "reply wanted" if case.wants_reply else "record only"
        waiting = ", the reporter wrote last" if summary.awaiting_staff else ""
        options.append(
            discord.SelectOption(
                label=clip(f"Case {case.number} ({state}, {wish}{waiting})", SELECT_LABEL_LIMIT),
                description=clip(f"{case.setting_label}, reported {case.reported_on}", SELECT_LABEL_LIMIT),
                value=str(case.number),
            )
        )
    return options


def staff_case_note(case: Case) -> str:
    """What an organiser can do with the case they opened."""
    if not case.is_open:
        return (
            f"Case {case.number} is closed. Reopen it if it needs more work; its deletion is then cancelled."
        )
    if not case.wants_reply:
        return (
            f"Case {case.number} is record only: the reporter has no code, so no reply can reach them. "
            "Close it with an outcome when it's dealt with."
        )
    return f"Reply to the reporter of case {case.number}, or close it with an outcome they can read."


def settings_text(settings: ReportSettings, intro: str) -> str:
    return "\n".join(
        [
            intro,
            f"• Official reporting page: {settings.reporting_url or 'not set'}",
            f"• Cases are deleted {months_words(settings.retention_months)} after closing "
            "(a change applies to cases reported from now on, since reporters are told the period).",
        ]
    )
