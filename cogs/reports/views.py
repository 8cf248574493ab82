"""The report buttons and forms.

The buttons are persistent (:class:`bot.ui.PersistentItem`): their custom ids (``report:begin``,
``report:support``, ``report:answer:{case_id}:{tag}``; for organisers ``cases:open``,
``cases:reply:{number}``, ``cases:close:{number}``, ``cases:reopen:{number}``; for keeping a
code ``report:keep:file``, ``report:keep:dm``, ``report:keep:forget``) carry all they need, so
they work after a restart and on messages shown long ago, and every error goes through the one
guard.

The forms are stateless (:class:`bot.ui.StatelessModal`): they only draw the form and are never
kept in memory; the cog registers a route per form id with ``bot.forms`` and reads the
submission from the interaction. So a form opened before the bot restarts still works when it
is sent, and nothing a student wrote is lost to a restart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.services.language import SOURCE
from bot.services.reports import (
    BODY_MAX,
    CHARACTERISTICS,
    MESSAGE_MAX,
    OUTCOME_MAX,
    SETTINGS,
    WHEN_MAX,
    WISHES,
)
from bot.text import BUTTON_LABEL_LIMIT
from bot.ui import (
    ID,
    SELECT_LABEL_LIMIT,
    PersistentItem,
    RowButton,
    StatelessModal,
    clip,
    cog_of,
    parse_id,
    send_private,
    show_form,
    support_payload,
    unstored_view,
)
from cogs.reports.render import code_keepsake, keepsake_language, read_receipt

if TYPE_CHECKING:
    from cogs.reports.commands import Reports

REPORT_FORM_ID = "report:form"
CODE_FORM_ID = "report:code-form"
ANSWER_FORM = rf"report:answer-form:(?P<case_id>{ID}):(?P<tag>\d{{1,40}})"

# Which signposts to show with a report (the directory's discrimination contacts).
NEED = "discrimination"


# -- the forms ---------------------------------------------------------------------------


def _choose(
    custom_id: str, choices: Mapping[str, str], t: Translator, *, optional: bool = False
) -> discord.ui.Select[Any]:
    """One choice from ``choices`` (value -> label); ``optional`` lets it be left empty."""
    options = [
        discord.SelectOption(label=clip(t(label), SELECT_LABEL_LIMIT), value=value)
        for value, label in choices.items()
    ]
    if optional:
        return discord.ui.Select(
            custom_id=custom_id,
            placeholder=t("Optional: choose one, or leave empty"),
            options=options,
            required=False,
            min_values=0,
            max_values=1,
        )
    return discord.ui.Select(custom_id=custom_id, placeholder=t("Choose one"), options=options, required=True)


def _write(
    custom_id: str, max_length: int, placeholder: str, *, short: bool = False, required: bool = True
) -> discord.ui.TextInput[Any]:
    """A text box: a paragraph unless ``short``."""
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.short if short else discord.TextStyle.paragraph,
        max_length=max_length,
        required=required,
        placeholder=placeholder,
    )


class ReportForm(StatelessModal):
    """The report form: what, where, roughly when, characteristic, and what they'd like."""

    def __init__(self, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(title=t("Report what happened"), custom_id=REPORT_FORM_ID)
        what = _write(
            "report:what",
            BODY_MAX,
            t("What happened, in your own words. Leave out anything that could identify you."),
        )
        where = _choose("report:where", SETTINGS, t)
        when = _write(
            "report:when",
            WHEN_MAX,
            t("For example: last week, in October, during my first placement"),
            short=True,
            required=False,
        )
        characteristic = _choose("report:characteristic", CHARACTERISTICS, t, optional=True)
        wish = _choose("report:wish", WISHES, t)
        self.add_item(discord.ui.Label(text=t("What happened?"), component=what))
        self.add_item(discord.ui.Label(text=t("Where did it happen?"), component=where))
        self.add_item(discord.ui.Label(text=t("Roughly when? (optional)"), component=when))
        self.add_item(
            discord.ui.Label(
                text=t("Protected characteristic? (optional)"),
                description=t("Was it about age, disability, race, religion, sex, sexuality, or similar?"),
                component=characteristic,
            )
        )
        self.add_item(discord.ui.Label(text=t("What would you like?"), component=wish))


class AnswerForm(StatelessModal):
    """The reporter's message on their case; the custom id carries the case and its tag."""

    def __init__(self, case_id: int, tag: str, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            title=t("Write to the welfare team"), custom_id=f"report:answer-form:{case_id}:{tag}"
        )
        text = _write(
            "report:answer-text", MESSAGE_MAX, t("Your message. It's added to your case without your name.")
        )
        self.add_item(discord.ui.Label(text=t("Your message"), component=text))


class CodeForm(StatelessModal):
    """Asks for the code, for members who'd rather not type it into a command."""

    def __init__(self, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(title=t("Open your case"), custom_id=CODE_FORM_ID)
        code = _write("report:code", 100, "ABCD-EFGH-…", short=True)
        self.add_item(
            discord.ui.Label(
                text=t("Your private code"),
                description=t("The code you were given when you reported"),
                component=code,
            )
        )


# -- the buttons -------------------------------------------------------------------------


class _FixedButton(PersistentItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A button whose custom id is a fixed string (``fixed_id``, the same as its template)."""

    fixed_id: ClassVar[str]
    label: ClassVar[Message]  # marked with N_, drawn in the reader's language
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary

    def __init__(self, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(t(self.label), BUTTON_LABEL_LIMIT), style=self.style, custom_id=self.fixed_id
            )
        )


class BeginReport(_FixedButton, template=r"report:begin"):
    """The "Continue" button under the explanation: the form, unless the rate limit is reached."""

    where = "report begin"

    fixed_id = "report:begin"
    label = N_("Continue to the form")
    style = discord.ButtonStyle.primary

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.reports.commands import Reports  # the cog imports this module

        cog = cog_of(interaction, Reports)
        t = await cog.bot.i18n.for_interaction(interaction)
        if await cog.refused_by_rate(interaction, t):
            return
        await show_form(interaction, ReportForm(t))


class ReportSupport(_FixedButton, template=r"report:support"):
    """Other routes and support (the signpost directory's discrimination contacts), privately."""

    where = "report support"

    fixed_id = "report:support"
    label = N_("Other ways to report, and support")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.reports.commands import Reports  # the cog imports this module

        assert interaction.guild_id is not None
        t = await cog_of(interaction, Reports).bot.i18n.for_interaction(interaction)
        support = await support_payload(interaction.client, interaction.guild_id, NEED, t=t)
        await send_private(interaction, **support)


class AnswerCase(
    PersistentItem[discord.ui.Button[Any]],
    template=rf"report:answer:(?P<case_id>{ID}):(?P<tag>\d{{1,40}})",
):
    """The "Write a message" button shown with a case opened by its code.

    Its custom id carries the case and a keyed tag that only opening the case with its code
    produces; nothing in it says which member holds the code.
    """

    where = "report answer"

    def __init__(self, case_id: int, tag: str, t: Translator = SOURCE_TRANSLATOR) -> None:
        self.case_id = case_id
        self.tag = tag
        super().__init__(
            discord.ui.Button(
                label=t("Write a message"),
                style=discord.ButtonStyle.primary,
                custom_id=f"report:answer:{case_id}:{tag}",
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["case_id"]), match["tag"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        """The form, only for an open case of this server whose tag is right (the id is untrusted)."""
        from cogs.reports.commands import Reports  # the cog imports this module

        cog = cog_of(interaction, Reports)
        await cog.check_answerable(interaction, self.case_id, self.tag)
        t = await cog.bot.i18n.for_interaction(interaction)
        await show_form(interaction, AnswerForm(self.case_id, self.tag, t))


# -- case handling by organisers ------------------------------------------------------------
#
# Every one of these re-checks on the server side that the member is an organiser
# (:meth:`cogs.reports.commands.Reports.require_organiser`): a custom id is untrusted, and a
# button can reach someone who isn't staff (a forwarded screenshot is harmless, but a crafted
# interaction isn't). The custom ids carry the case *number* of this server, never anything
# about the reporter.

CASE_REPLY_FORM = rf"cases:reply-form:(?P<number>{ID})"
CASE_CLOSE_FORM = rf"cases:close-form:(?P<number>{ID})"


def _cases_cog(interaction: discord.Interaction[Any]) -> Reports:
    from cogs.reports.commands import Reports  # the cog imports this module

    return cog_of(interaction, Reports)


class OpenCaseSelect(PersistentItem[discord.ui.Select[Any]], template=r"cases:open"):
    """The menu under ``/cases list``: each option's value is a case number of this server."""

    where = "cases open"

    def __init__(
        self, options: list[discord.SelectOption] | None = None, t: Translator = SOURCE_TRANSLATOR
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="cases:open",
                placeholder=t("Open a case…"),
                options=options or [discord.SelectOption(label=t("No cases"), value="0")],
                min_values=1,
                max_values=1,
                disabled=not options,
            )
        )

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cases_cog(interaction)
        await cog.require_organiser(interaction)
        values = self.item.values
        number = parse_id(values[0]) if values and values[0].isdecimal() else 0
        await cog.show_staff_case(interaction, number)


class _CaseButton(RowButton, template=r"(?!)"):
    """A button on a case opened by an organiser; the custom id carries the case number."""

    @property
    def number(self) -> int:
        return self.row_id

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cases_cog(interaction)
        await cog.require_organiser(interaction)
        await self.act(cog, interaction)

    async def act(self, cog: Reports, interaction: discord.Interaction[Any]) -> None:
        """What the button does, once the member is known to be an organiser here."""
        raise NotImplementedError


class ReplyToCase(_CaseButton, template=rf"cases:reply:(?P<id>{ID})"):
    where = "cases reply button"
    prefix = "cases:reply"
    label = N_("Reply")
    style = discord.ButtonStyle.primary

    async def act(self, cog: Reports, interaction: discord.Interaction[Any]) -> None:
        await cog.check_repliable(interaction, self.number)
        t = await cog.bot.i18n.for_interaction(interaction)
        await show_form(interaction, CaseReplyForm(self.number, t))


class CloseCase(_CaseButton, template=rf"cases:close:(?P<id>{ID})"):
    where = "cases close button"
    prefix = "cases:close"
    label = N_("Close")

    async def act(self, cog: Reports, interaction: discord.Interaction[Any]) -> None:
        await cog.check_closable(interaction, self.number)
        t = await cog.bot.i18n.for_interaction(interaction)
        await show_form(interaction, CaseCloseForm(self.number, t))


class ReopenCase(_CaseButton, template=rf"cases:reopen:(?P<id>{ID})"):
    where = "cases reopen button"
    prefix = "cases:reopen"
    label = N_("Reopen")

    async def act(self, cog: Reports, interaction: discord.Interaction[Any]) -> None:
        await cog.reopen_case(interaction, self.number)


class CaseReplyForm(StatelessModal):
    """An organiser's reply; the reporter reads it with their code."""

    def __init__(self, number: int, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            title=t("Reply on case {number}", number=number), custom_id=f"cases:reply-form:{number}"
        )
        text = _write(
            "cases:reply-text",
            MESSAGE_MAX,
            t("The reporter sees this as from the welfare team, not from you."),
        )
        self.add_item(discord.ui.Label(text=t("Your reply"), component=text))


class CaseCloseForm(StatelessModal):
    """The outcome of a case, which the reporter can read with their code."""

    def __init__(self, number: int, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            title=t("Close case {number}", number=number), custom_id=f"cases:close-form:{number}"
        )
        text = _write(
            "cases:outcome", OUTCOME_MAX, t("What happened as a result. The reporter can read this.")
        )
        self.add_item(discord.ui.Label(text=t("Outcome"), component=text))


def case_actions(
    number: int, *, is_open: bool, wants_reply: bool, t: Translator = SOURCE_TRANSLATOR
) -> discord.ui.View:
    """Reply (when the reporter can read one) and Close on an open case; Reopen on a closed one."""
    if not is_open:
        return unstored_view(ReopenCase(number, label=t(ReopenCase.label)))
    items: list[discord.ui.Item[Any]] = (
        [ReplyToCase(number, label=t(ReplyToCase.label))] if wants_reply else []
    )
    return unstored_view(*items, CloseCase(number, label=t(CloseCase.label)))


def case_menu(options: list[discord.SelectOption], t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return unstored_view(OpenCaseSelect(options, t))


# -- keeping a report code ----------------------------------------------------------------
#
# The code is never stored, and these buttons carry nothing that reveals it: their custom ids
# are fixed strings. The code is read back from the private receipt the button sits on (Discord
# sends the message with the press; only the reporter can see that message), so the bot keeps
# the code neither in its database nor in memory, and the buttons still work after a restart.


def _receipt_of(interaction: discord.Interaction[Any]) -> tuple[int, str]:
    found = read_receipt(interaction.message.content if interaction.message is not None else "")
    if found is None:
        raise UserError(
            "I can't find a code on that message any more. If you still have it, copy it from the "
            "message where it was shown."
        )
    return found


def _server_name(interaction: discord.Interaction[Any], t: Translator) -> str:
    return interaction.guild.name if interaction.guild is not None else t("your server")


async def _reader(interaction: discord.Interaction[Any]) -> Translator:
    """The presser's language (English when the reports feature isn't running)."""
    from cogs.reports.commands import Reports  # the cog imports this module

    return await cog_of(interaction, Reports).bot.i18n.for_interaction(interaction)


class KeepCodeFile(_FixedButton, template=r"report:keep:file"):
    """A small private text file with the code, made on the spot and never kept."""

    where = "report keep file"

    fixed_id = "report:keep:file"
    label = N_("Download as a file")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        number, code = _receipt_of(interaction)
        t = await _reader(interaction)
        text = code_keepsake(_server_name(interaction, t), number, code, t)
        await send_private(
            interaction,
            t("Here is your code as a file, only for you. Save it somewhere only you can open."),
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename=f"report-code-case-{number}.txt"),
        )


class KeepCodeDM(_FixedButton, template=r"report:keep:dm"):
    """The code in the reporter's DMs (they were told Discord then holds it there)."""

    where = "report keep dm"

    fixed_id = "report:keep:dm"
    label = N_("Send it to me by DM")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        number, code = _receipt_of(interaction)
        t = await _reader(interaction)  # the DM goes to the presser: their language
        text = code_keepsake(_server_name(interaction, t), number, code, t)
        # Sent now, in answer to the press, never through the outbox: a promise there would
        # write the code to the database.
        try:
            await interaction.user.send(text, view=unstored_view(ForgetCodeDM(t)))
        except discord.Forbidden:
            raise UserError(
                "I couldn't send you a DM: your settings don't allow messages from this server's "
                "apps. Use **Download as a file** instead."
            ) from None
        await send_private(
            interaction,
            t(
                "Sent to your DMs with Common Room. Discord keeps it there until you delete it with the "
                "button under it; Common Room keeps no copy."
            ),
        )


class ForgetCodeDM(_FixedButton, template=r"report:keep:forget"):
    """Under the DM with the code: members can't delete the bot's DMs themselves, so this does."""

    where = "report keep forget"

    fixed_id = "report:keep:forget"
    label = N_("Delete this message")
    style = discord.ButtonStyle.danger

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        message = interaction.message
        if message is None or message.author.id != interaction.client.user.id or message.guild is not None:
            raise UserError("This button only deletes the DM with your code that it sits under.")
        await message.delete()
        t = _dm_language(interaction, message.content)
        await send_private(interaction, t("Deleted. The code is no longer in your DMs with Common Room."))


def _dm_language(interaction: discord.Interaction[Any], content: str) -> Translator:
    """The language the keepsake DM was written in (a DM names no server to look the reader up on)."""
    from cogs.reports.commands import Reports  # the cog imports this module

    i18n = cog_of(interaction, Reports).bot.i18n
    translators = [
        i18n.translator(locale)
        for locale in sorted(i18n.catalogues.locales, key=lambda locale: locale == SOURCE)
    ]
    return keepsake_language(content, translators) or SOURCE_TRANSLATOR


def keep_code_view(t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return unstored_view(KeepCodeFile(t), KeepCodeDM(t))
