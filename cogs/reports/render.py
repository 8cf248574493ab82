"""What reports look like: the explanation, cases, their conversation and staff notes.

Pure functions from the service's dataclasses to embeds and text. The reporter never appears:
no author, mention, avatar or timestamp field (Discord stamps the bot's own message, which says
when the bot posted, not who reported).

What a reporter wrote is always shown inert (:func:`bot.text.escape_markdown_for_staff`): no
Markdown, mention or link works, and every link shows where it really goes, so an anonymous
``[click here to verify](https://…)`` can't become a disguised link in the staff channel.

Every function takes the reader's :class:`~bot.i18n.Translator` ``t`` (English by default): the
reporter's or the organiser's own language for private replies, and :func:`voice_translator`
(the server's language, both when bilingual) for the posts in the staff channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.clock import discord_time
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice
from bot.services.reports import Case, CaseSummary, CaseThread, ReportSettings
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


class VoiceTranslator(Translator):
    """The server's voice as one translator, for the staff channel's embeds: each string in every
    language of the voice, Welsh first (" / " between short ones, a blank line between long ones)."""

    __slots__ = ("voice",)

    def __init__(self, voice: Voice) -> None:
        primary = voice.primary
        super().__init__(primary.locale, primary._translations, reviewed=primary.reviewed)
        self.voice = voice

    def _join(self, parts: list[str]) -> str:
        unique = list(dict.fromkeys(parts))
        short = all(len(part) <= 60 and "\n" not in part for part in unique)
        return (" / " if short else "\n\n").join(unique)

    def __call__(self, message: str, /, **values: object) -> str:
        return self._join([t(message, **values) for t in self.voice.translators])

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self._join([t.ngettext(singular, plural, n, **values) for t in self.voice.translators])

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        return self._join([t.pgettext(context, message, **values) for t in self.voice.translators])


def voice_translator(voice: Voice) -> Translator:
    """One language's translator, or both joined when the server is bilingual."""
    return VoiceTranslator(voice) if voice.bilingual else voice.primary


def reporter_text(text: str, limit: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What a reporter wrote, with Markdown, mentions and links inert, within ``limit``."""
    return escape_markdown_for_staff(text, limit=limit) or t("(empty)")


def wait_minutes(seconds: float) -> int:
    return max(1, int(-(-seconds // 60)))


def rate_message(limit: int, wait: float, t: Translator = SOURCE_TRANSLATOR) -> str:
    return " ".join(
        [
            t.ngettext(
                "You've sent {n} report in the last hour, which is the most this server takes from "
                "one person in an hour.",
                "You've sent {n} reports in the last hour, which is the most this server takes from "
                "one person in an hour.",
                limit,
            ),
            t.ngettext(
                "You can report again in {n} minute.",
                "You can report again in {n} minutes.",
                wait_minutes(wait),
            ),
            crisis_sentence(t),
        ]
    )


def explanation(
    settings: ReportSettings, *, per_hour: int, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    embed = discord.Embed(title=t("Before you report: what anonymous means here"), colour=COLOUR)
    points = [
        t(
            "Your report goes to the welfare team **without your name, username or picture**: they see "
            "what you write and your choices. Common Room stores the day, never the time (their channel "
            "does show when the bot posted it)."
        ),
        t(
            "Common Room keeps **no record of who reported**. Nobody running it can find out from the "
            "bot, not even the server's admins."
        ),
        t(
            "If you'd like a reply, you'll get a **private code**. With it you can read replies and "
            "answer, using `/report check`. Keep it safe: it's the only way the team can reach you."
        ),
        t(
            "What you write can still give you away (names, places, exact dates). Share what you're "
            "comfortable sharing."
        ),
        t.ngettext(
            "Your case is deleted **{n} month after it's closed**.",
            "Your case is deleted **{n} months after it's closed**.",
            settings.retention_months,
        ),
        t.ngettext(
            "You can send up to {n} report an hour.", "You can send up to {n} reports an hour.", per_hour
        ),
    ]
    embed.description = "\n".join(f"• {point}" for point in points)
    embed.add_field(
        name=t("The limit of anonymity"),
        value=" ".join(
            [
                t("Because the bot can't identify you, **it can't check on you**."),
                crisis_sentence(t),
                t("`/support` lists more help."),
            ]
        ),
        inline=False,
    )
    if settings.reporting_url:
        embed.add_field(
            name=t("The university's official route"),
            value=t(
                "You can also report through the university's own page: {url}\n"
                "That route may ask who you are; this one never does.",
                url=settings.reporting_url,
            ),
            inline=False,
        )
    return embed


def case_embed(
    case: Case, *, for_staff: bool, title: str | None = None, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    embed = discord.Embed(
        title=title or t("Case {number}", number=case.number),
        description=reporter_text(case.body, EMBED_DESCRIPTION_LIMIT, t),
        colour=COLOUR if case.is_open else discord.Colour.light_grey(),
    )
    embed.add_field(name=t("Where"), value=t(case.setting_label), inline=True)
    if case.happened_when:
        embed.add_field(
            name=t("Roughly when"),
            value=reporter_text(case.happened_when, EMBED_FIELD_VALUE_LIMIT, t),
            inline=True,
        )
    if case.characteristic_label:
        embed.add_field(name=t("Protected characteristic"), value=t(case.characteristic_label), inline=True)
    if for_staff:
        wish = (
            t(
                "A reply: use the Reply button on the case, or `/cases reply case:{number}`",
                number=case.number,
            )
            if case.wants_reply
            else t("Just to record it (they have no code, so a reply can't reach them)")
        )
        embed.add_field(name=t("The reporter would like"), value=wish, inline=False)
    embed.add_field(name=t("Reported on"), value=case.reported_on, inline=True)
    embed.add_field(name=t("Status"), value=t("Open") if case.is_open else t("Closed"), inline=True)
    if not case.is_open and case.outcome:
        embed.add_field(name=t("Outcome"), value=clip(case.outcome, EMBED_FIELD_VALUE_LIMIT), inline=False)
    if for_staff:
        embed.set_footer(
            text=t("Anonymous: Common Room keeps nothing that says who reported. Please handle with care.")
        )
    return embed


def thread_pages(
    thread: CaseThread, *, for_staff: bool, t: Translator = SOURCE_TRANSLATOR
) -> list[list[discord.Embed]]:
    """The case and its conversation, oldest first, split into messages Discord accepts.

    Very long conversations keep the case and the latest messages, saying how many were left out.
    Every page is sent as its own private message (a reporter's answer button goes on the last),
    so this is not :class:`bot.ui.PagedView`, which shows one page at a time.
    """
    head = case_embed(thread.case, for_staff=for_staff, t=t)
    if thread.case.delete_at is not None:
        head.add_field(name=t("Deleted on"), value=discord_time(thread.case.delete_at, "D"), inline=True)
    if not thread.messages:
        head.add_field(name=t("Messages"), value=t("No messages yet."), inline=False)
    pages: list[list[discord.Embed]] = []
    current, size = [head], len(head) + 200  # room for a footer note on the head
    for message in thread.messages:
        if message.author == "staff":
            title = t("The welfare team · {day}", day=message.written_on)
        elif for_staff:
            title = t("The reporter · {day}", day=message.written_on)
        else:
            title = t("You · {day}", day=message.written_on)
        embed = discord.Embed(
            title=title,
            description=(
                reporter_text(message.body, EMBED_DESCRIPTION_LIMIT, t)
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
        # The English keeps "message(s)" for both forms; other languages have their own plurals.
        note = t.ngettext(
            "{n} earlier message(s) not shown here.", "{n} earlier message(s) not shown here.", hidden
        )
        head.set_footer(text=f"{head.footer.text} {note}" if head.footer.text else note)
        pages = [[head], *kept]
    return pages


def case_note(thread: CaseThread, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What the reporter can do next with the case their code opened."""
    if not thread.case.is_open:
        return t(
            "Your case is closed, so it can't take new messages. If something new has happened, "
            "use `/report new`."
        )
    if thread.answer_tag is not None:
        return t("Your case is open. You can write to the welfare team below; they see it without your name.")
    return ""


def receipt(case: Case, code: str | None, *, posted: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The reporter's private receipt: the case number, the code (once), and the retention."""
    # Translators: keep the number in bold (**…**): the buttons under the receipt read it back.
    lines = [t("Thank you. Your report is saved as **case {number}**.", number=case.number)]
    if not posted:
        lines.append(t("The welfare team will find it in their list of cases."))
    if code:
        lines += [
            "",
            # Translators: keep the code block (```) exactly as it is.
            t("**Your private code** (shown only this once):\n```\n{code}\n```", code=code),
            t(
                "Copy it somewhere safe that only you can open, such as a password manager or a private "
                "note. Use `/report check` with it to read replies and answer. Anyone with the code can "
                "read your case, so don't share it. If you lose it, nobody can recover it: the bot "
                "doesn't know it's yours."
            ),
            t("Replies don't notify you (the bot can't know who you are), so check back now and then."),
            "",
            t(
                "**To keep it**, the buttons below can help. **Download as a file** gives you a small text "
                "file that only you see. **Send it to me by DM** sends it to your direct messages with "
                "Common Room: Discord then holds it in your DMs, where anyone who can open your Discord "
                "account could read it, until you delete it with the button under it. Common Room keeps "
                "no copy either way."
            ),
        ]
    else:
        lines += ["", t("You asked for it to be recorded only, so there's no code and no reply will come.")]
    lines += [
        "",
        t.ngettext(
            "Your case is deleted {n} month after the team closes it.",
            "Your case is deleted {n} months after the team closes it.",
            case.retention_months,
        ),
    ]
    return "\n".join(lines)


# The code and case number as the receipt above writes them, for the keep-the-code buttons,
# which read them back from the receipt they sit on (nothing about the code is stored anywhere).
# The case number is the first number in bold, in whichever language the receipt is written.
_RECEIPT_CASE = re.compile(r"\*\*[^*\n\d]{0,40}?(\d{1,19})[^*\n\d]{0,40}?\*\*")
_RECEIPT_CODE = re.compile(r"```\n([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})\n```")


def read_receipt(content: str) -> tuple[int, str] | None:
    """(case number, code) written in a receipt, or None if the message isn't one with a code."""
    case, code = _RECEIPT_CASE.search(content), _RECEIPT_CODE.search(content)
    if case is None or code is None:
        return None
    return int(case.group(1)), code.group(1)


KEEPSAKE_HEAD = N_("Your private code for case {number} on {server} (Common Room anonymous reports):")


def code_keepsake(server: str, number: int, code: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The text of the file or DM a reporter keeps their code in."""
    return "\n".join(
        [
            t(KEEPSAKE_HEAD, number=number, server=server),
            "",
            code,
            "",
            t("Use /report check on that server with this code to read replies and answer."),
            t("Anyone with the code can read your case, so keep it somewhere only you can open."),
            t("Common Room keeps no copy: if you lose it, nobody can recover it."),
        ]
    )


def keepsake_language(content: str, translators: Sequence[Translator]) -> Translator | None:
    """Which of ``translators`` wrote a keepsake (the DM with a code names no server, so the
    reader's language is read from the DM itself); None if none of them did."""
    for t in translators:
        head = t(KEEPSAKE_HEAD, number="\0", server="\0").split("\0")[0]
        if head and content.startswith(head):
            return t
    return None


# -- staff-channel notes (in the server's voice: voice_translator) ------------------------------


def new_case_embed(case: Case, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    return case_embed(
        case, for_staff=True, title=t("Case {number}: new anonymous report", number=case.number), t=t
    )


def _note(title: str, text: str, colour: discord.Colour) -> discord.Embed:
    return discord.Embed(title=title, description=clip(text.strip(), EMBED_DESCRIPTION_LIMIT), colour=colour)


def answer_embed(case: Case, body: str, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = discord.Embed(
        title=t("Case {number}: new message from the reporter", number=case.number),
        description=reporter_text(body, EMBED_DESCRIPTION_LIMIT, t),
        colour=COLOUR,
    )
    embed.set_footer(
        text=t(
            "Reply with /cases reply case:{number}. Read the whole case with /cases show.", number=case.number
        )
    )
    return embed


def reply_embed(case: Case, text: str, *, by: str, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = _note(t("Case {number}: reply sent", number=case.number), text, discord.Colour.blurple())
    embed.add_field(name=t("Sent by"), value=by, inline=False)
    return embed


def reopened_embed(case: Case, *, by: str, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = _note(
        t("Case {number}: reopened", number=case.number),
        t("Its deletion date is cleared until it is closed again."),
        COLOUR,
    )
    embed.add_field(name=t("Reopened by"), value=by, inline=False)
    return embed


def closed_embed(case: Case, *, by: str, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    assert case.delete_at is not None
    embed = _note(
        t("Case {number}: closed", number=case.number), case.outcome or "", discord.Colour.light_grey()
    )
    embed.add_field(name=t("Closed by"), value=by, inline=True)
    embed.add_field(name=t("Deleted on"), value=discord_time(case.delete_at, "D"), inline=True)
    return embed


# -- /cases ----------------------------------------------------------------------------------


def summary_line(summary: CaseSummary, t: Translator = SOURCE_TRANSLATOR) -> str:
    case = summary.case
    parts = [
        t("**Case {number}**", number=case.number),
        t("open") if case.is_open else t("closed"),
        t(case.setting_label),
        t("reported {day}", day=case.reported_on),
        t.ngettext("{n} message(s)", "{n} message(s)", summary.message_count),
        t("reply wanted") if case.wants_reply else t("record only (no reply possible)"),
    ]
    if summary.awaiting_staff:
        parts.append(t("**the reporter wrote last**"))
    if case.delete_at is not None:
        parts.append(t("deleted {date}", date=discord_time(case.delete_at, "D")))
    return " · ".join(parts)


def case_list_embed(summaries: Sequence[CaseSummary], t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    """One embed listing the cases, newest first, cut with "…and N more" at Discord's limit."""
    lines = [summary_line(summary, t) for summary in summaries]
    text = ""
    for index, line in enumerate(lines):
        more = t("…and {n} more.", n=len(lines) - index)
        if len(text) + len(line) + max(60, len(more) + 2) > EMBED_DESCRIPTION_LIMIT:
            text += more
            break
        text += line + "\n"
    embed = discord.Embed(title=t("Anonymous report cases"), description=text, colour=COLOUR)
    embed.set_footer(text=t("Open one with the menu below (or /cases show). Reporters are never identified."))
    return embed


def case_options(
    summaries: Sequence[CaseSummary], t: Translator = SOURCE_TRANSLATOR
) -> list[discord.SelectOption]:
    """The menu under the list: one option per case (Discord shows at most 25), newest first."""
    options = []
    for summary in list(summaries)[:SELECT_OPTIONS_LIMIT]:
        case = summary.case
        state = [
            t("open") if case.is_open else t("closed"),
            t("reply wanted") if case.wants_reply else t("record only"),
        ]
        if summary.awaiting_staff:
            state.append(t("the reporter wrote last"))
        name = t("Case {number}", number=case.number)
        label = f"{name} ({', '.join(state)})"
        options.append(
            discord.SelectOption(
                label=clip(label, SELECT_LABEL_LIMIT),
                description=clip(
                    t("{where}, reported {day}", where=t(case.setting_label), day=case.reported_on),
                    SELECT_LABEL_LIMIT,
                ),
                value=str(case.number),
            )
        )
    return options


def staff_case_note(case: Case, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What an organiser can do with the case they opened."""
    if not case.is_open:
        return t(
            "Case {number} is closed. Reopen it if it needs more work; its deletion is then cancelled.",
            number=case.number,
        )
    if not case.wants_reply:
        return t(
            "Case {number} is record only: the reporter has no code, so no reply can reach them. "
            "Close it with an outcome when it's dealt with.",
            number=case.number,
        )
    return t(
        "Reply to the reporter of case {number}, or close it with an outcome they can read.",
        number=case.number,
    )


#: How /cases settings starts its answer.
SETTINGS_NOW = N_("Current settings for reports:")
SETTINGS_SAVED = N_("Saved.")


def settings_text(settings: ReportSettings, intro: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """``intro`` is one of :data:`SETTINGS_NOW` and :data:`SETTINGS_SAVED` (translated here)."""
    page = (
        t("• Official reporting page: {url}", url=settings.reporting_url)
        if settings.reporting_url
        else t("• Official reporting page: not set")
    )
    return "\n".join(
        [
            t(intro),
            page,
            t.ngettext(
                "• Cases are deleted {n} month after closing (a change applies to cases reported from now "
                "on, since reporters are told the period).",
                "• Cases are deleted {n} months after closing (a change applies to cases reported from now "
                "on, since reporters are told the period).",
                settings.retention_months,
            ),
        ]
    )
