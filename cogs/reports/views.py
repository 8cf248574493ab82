"""The report buttons and forms.

The buttons are persistent (:class:`bot.ui.PersistentItem`): their custom ids (``report:begin``,
``report:support``, ``report:answer:{case_id}:{tag}``) carry all they need, so they work after a
restart and on messages shown long ago, and every error goes through the one guard.

The forms are stateless (:class:`bot.ui.StatelessModal`): they only draw the form and are never
kept in memory; the cog registers a route per form id with ``bot.forms`` and reads the
submission from the interaction. So a form opened before the bot restarts still works when it
is sent, and nothing a student wrote is lost to a restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord

from bot.services.reports import BODY_MAX, CHARACTERISTICS, MESSAGE_MAX, SETTINGS, WHEN_MAX, WISHES
from bot.ui import (
    ID,
    PersistentItem,
    StatelessModal,
    cog_of,
    parse_id,
    send_private,
    show_form,
    support_payload,
)

REPORT_FORM_ID = "report:form"
CODE_FORM_ID = "report:code-form"
ANSWER_FORM = rf"report:answer-form:(?P<case_id>{ID}):(?P<tag>\d{{1,40}})"

# Which signposts to show with a report (the directory's discrimination contacts).
NEED = "discrimination"


# -- the forms ---------------------------------------------------------------------------


def _choose(custom_id: str, choices: Mapping[str, str], *, optional: bool = False) -> discord.ui.Select[Any]:
    """One choice from ``choices`` (value -> label); ``optional`` lets it be left empty."""
    options = [discord.SelectOption(label=label, value=value) for value, label in choices.items()]
    if optional:
        return discord.ui.Select(
            custom_id=custom_id,
            placeholder="Optional: choose one, or leave empty",
            options=options,
            required=False,
            min_values=0,
            max_values=1,
        )
    return discord.ui.Select(custom_id=custom_id, placeholder="Choose one", options=options, required=True)


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

    def __init__(self) -> None:
        super().__init__(title="Report what happened", custom_id=REPORT_FORM_ID)
        what = _write(
            "report:what",
            BODY_MAX,
            "What happened, in your own words. Leave out anything that could identify you.",
        )
        where = _choose("report:where", SETTINGS)
        when = _write(
            "report:when",
            WHEN_MAX,
            "For example: last week, in October, during my first placement",
            short=True,
            required=False,
        )
        characteristic = _choose("report:characteristic", CHARACTERISTICS, optional=True)
        wish = _choose("report:wish", WISHES)
        self.add_item(discord.ui.Label(text="What happened?", component=what))
        self.add_item(discord.ui.Label(text="Where did it happen?", component=where))
        self.add_item(discord.ui.Label(text="Roughly when? (optional)", component=when))
        self.add_item(
            discord.ui.Label(
                text="Protected characteristic? (optional)",
                description="Was it about age, disability, race, religion, sex, sexuality, or similar?",
                component=characteristic,
            )
        )
        self.add_item(discord.ui.Label(text="What would you like?", component=wish))


class AnswerForm(StatelessModal):
    """The reporter's message on their case; the custom id carries the case and its tag."""

    def __init__(self, case_id: int, tag: str) -> None:
        super().__init__(title="Write to the welfare team", custom_id=f"report:answer-form:{case_id}:{tag}")
        text = _write(
            "report:answer-text", MESSAGE_MAX, "Your message. It's added to your case without your name."
        )
        self.add_item(discord.ui.Label(text="Your message", component=text))


class CodeForm(StatelessModal):
    """Asks for the code, for members who'd rather not type it into a command."""

    def __init__(self) -> None:
        super().__init__(title="Open your case", custom_id=CODE_FORM_ID)
        code = _write("report:code", 100, "ABCD-EFGH-…", short=True)
        self.add_item(
            discord.ui.Label(
                text="Your private code",
                description="The code you were given when you reported",
                component=code,
            )
        )


# -- the buttons -------------------------------------------------------------------------


class BeginReport(PersistentItem[discord.ui.Button[Any]], template=r"report:begin"):
    """The "Continue" button under the explanation: the form, unless the rate limit is reached."""

    where = "report begin"

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Continue to the form", style=discord.ButtonStyle.primary, custom_id="report:begin"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BeginReport:
        return cls()

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.reports.commands import Reports  # the cog imports this module

        cog_of(interaction, Reports).check_rate(interaction)
        await show_form(interaction, ReportForm())


class ReportSupport(PersistentItem[discord.ui.Button[Any]], template=r"report:support"):
    """Other routes and support (the signpost directory's discrimination contacts), privately."""

    where = "report support"

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Other ways to report, and support",
                style=discord.ButtonStyle.secondary,
                custom_id="report:support",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportSupport:
        return cls()

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        support = await support_payload(interaction.client, interaction.guild_id, NEED)
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

    def __init__(self, case_id: int, tag: str) -> None:
        self.case_id = case_id
        self.tag = tag
        super().__init__(
            discord.ui.Button(
                label="Write a message",
                style=discord.ButtonStyle.primary,
                custom_id=f"report:answer:{case_id}:{tag}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerCase:
        return cls(parse_id(match["case_id"]), match["tag"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        """The form, only for an open case of this server whose tag is right (the id is untrusted)."""
        from cogs.reports.commands import Reports  # the cog imports this module

        await cog_of(interaction, Reports).check_answerable(interaction, self.case_id, self.tag)
        await show_form(interaction, AnswerForm(self.case_id, self.tag))
