"""Mentoring's buttons, menus and forms.

Signing up is a private conversation kept in memory (selects, then a form for the free text).
The two-week check-in buttons, the rematch buttons and the follow-up nudge's buttons are
persistent: their custom ids (``mentor:checkin:{match_id}:{answer}``, ``mentor:rematch:{match_id}``,
``mentor:nudge:{match_id}:{choice}``) carry the pairing, so buttons sent weeks ago keep working
after a restart. Custom ids are untrusted: the cog checks the presser is part of the pairing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.services.mentoring_followup import NUDGE_CHOICES
from bot.services.mentoring_model import (
    HELLO_LIMIT,
    HELP_LIMIT,
    MAX_CAPACITY,
    MAX_YEAR,
    MIN_CAPACITY,
    MIN_YEAR,
    Experience,
    Match,
    Profile,
)
from bot.text import BUTTON_LABEL_LIMIT
from bot.ui import (
    ID,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    TEXT_INPUT_VALUE_LIMIT,
    BaseModal,
    OwnedView,
    PersistentItem,
    RowButton,
    clip,
    cog_of,
    parse_id,
    unstored_view,
)

if TYPE_CHECKING:
    from cogs.mentoring.commands import Mentoring

FLOW_TIMEOUT = 20 * 60


def mentoring(interaction: discord.Interaction[Any]) -> Mentoring:
    """The running Mentoring cog (imported here, not at the top: the cog imports these views)."""
    from cogs.mentoring.commands import Mentoring

    return cog_of(interaction, Mentoring)


# -- signing up: selects, then a form for the free text ------------------------------------------


def year_options(selected: int | None, t: Translator = SOURCE_TRANSLATOR) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=t("Year {year}", year=y), value=str(y), default=selected == y)
        for y in range(MIN_YEAR, MAX_YEAR + 1)
    ]


def experience_options(experiences: list[Experience], chosen: tuple[str, ...]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=clip(e.label, SELECT_LABEL_LIMIT), value=e.key, default=e.key in chosen)
        for e in experiences[:SELECT_OPTIONS_LIMIT]
    ]


class SignupView(OwnedView):
    """Year and experiences (and capacity, or what matters), then Continue opens the form."""

    def __init__(
        self,
        role: str,
        owner_id: int,
        experiences: list[Experience],
        existing: Profile | None,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> None:
        super().__init__(owner_id, timeout=FLOW_TIMEOUT)
        self.t = t  # the member's language, for the form that follows
        self.role = role
        self.existing = existing
        self.year: int | None = existing.year if existing else None
        self.chosen: list[str] = list(existing.experiences) if existing else []
        self.capacity: int | None = existing.capacity if existing else None
        self.require_shared: bool = existing.require_shared if existing else False
        prefix = f"mentor:{role}"

        year = discord.ui.Select[SignupView](
            custom_id=f"{prefix}:year",
            placeholder=t("Your year of study"),
            options=year_options(self.year, t),
            row=0,
        )
        year.callback = self._on_year  # type: ignore[method-assign]
        self.add_item(year)
        if experiences:
            placeholder = (
                t("Experiences you're willing to share (optional)")
                if role == "offer"
                else t("Shared experiences that matter to you (optional)")
            )
            exp = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:experiences",
                placeholder=placeholder,
                min_values=0,
                max_values=min(len(experiences), SELECT_OPTIONS_LIMIT),
                options=experience_options(experiences, tuple(self.chosen)),
                row=1,
            )
            exp.callback = self._on_experiences  # type: ignore[method-assign]
            self.add_item(exp)
        if role == "offer":
            cap = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:capacity",
                placeholder=t("How many students you could mentor"),
                options=[
                    discord.SelectOption(
                        label=t.ngettext("{n} student", "{n} students", n),
                        value=str(n),
                        default=self.capacity == n,
                    )
                    for n in range(MIN_CAPACITY, MAX_CAPACITY + 1)
                ],
                row=2,
            )
            cap.callback = self._on_capacity  # type: ignore[method-assign]
            self.add_item(cap)
        else:
            need = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:shared",
                placeholder=t("Who would you be happy with?"),
                options=[
                    discord.SelectOption(
                        label=t("Anyone from an older year"),
                        value="any",
                        description=t("Shared experiences are preferred, not required"),
                        default=not self.require_shared,
                    ),
                    discord.SelectOption(
                        label=t("Only someone who shares an experience I chose"),
                        value="shared",
                        description=t("You may wait longer"),
                        default=self.require_shared,
                    ),
                ],
                row=2,
            )
            need.callback = self._on_shared  # type: ignore[method-assign]
            self.add_item(need)
        go = discord.ui.Button[SignupView](
            label=t("Continue"), style=discord.ButtonStyle.primary, custom_id=f"{prefix}:continue", row=3
        )
        go.callback = self._on_continue  # type: ignore[method-assign]
        self.add_item(go)

    @staticmethod
    def _values(interaction: discord.Interaction[Any]) -> list[str]:
        data: Any = interaction.data or {}
        return [str(v) for v in data.get("values", [])]

    async def _on_year(self, interaction: discord.Interaction[Any]) -> None:
        self.year = int(self._values(interaction)[0])
        await interaction.response.defer()

    async def _on_experiences(self, interaction: discord.Interaction[Any]) -> None:
        self.chosen = self._values(interaction)
        await interaction.response.defer()

    async def _on_capacity(self, interaction: discord.Interaction[Any]) -> None:
        self.capacity = int(self._values(interaction)[0])
        await interaction.response.defer()

    async def _on_shared(self, interaction: discord.Interaction[Any]) -> None:
        self.require_shared = self._values(interaction)[0] == "shared"
        await interaction.response.defer()

    async def _on_continue(self, interaction: discord.Interaction[Any]) -> None:
        if self.year is None:
            raise UserError("Please choose your year of study first, then press Continue.")
        if self.role == "offer" and self.capacity is None:
            raise UserError("Please choose how many students you could mentor (1 to 3), then press Continue.")
        if self.role == "request" and self.require_shared and not self.chosen:
            raise UserError(
                "You asked for someone who shares an experience, but didn't choose any. Choose at least one "
                "experience, or choose “Anyone from an older year”."
            )
        await interaction.response.send_modal(SignupModal(self))


class SignupModal(BaseModal):
    def __init__(self, view: SignupView) -> None:
        offering = view.role == "offer"
        t = view.t
        super().__init__(
            title=t("Offer to mentor") if offering else t("Ask for a mentor"), timeout=FLOW_TIMEOUT
        )
        self.view = view
        self.text = discord.ui.TextInput[SignupModal](
            custom_id="text",
            label=t("A short hello (your mentees see it)")
            if offering
            else t("What would you like help with?"),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=HELLO_LIMIT if offering else HELP_LIMIT,
            default=view.existing.note if view.existing else None,
            placeholder=(
                t("Who you are, what you're happy to talk about")
                if offering
                else t("Optional. Only your mentor will see it, e.g. settling in, placements, exams")
            ),
        )
        self.add_item(self.text)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await mentoring(interaction).finish_signup(interaction, self.view, self.text.value or "")


# -- organisers: the list of experiences --------------------------------------------------------


class ExperiencesModal(BaseModal):
    def __init__(self, current: list[Experience], t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(title=t("Experiences students can declare"), timeout=FLOW_TIMEOUT)
        self.text = discord.ui.TextInput[ExperiencesModal](
            custom_id="experiences",
            label=t("One per line (at most 25)"),
            style=discord.TextStyle.paragraph,
            max_length=TEXT_INPUT_VALUE_LIMIT,
            default="\n".join(e.label for e in current),
        )
        self.add_item(self.text)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await mentoring(interaction).experiences_saved(interaction, self.text.value)


# -- persistent: rematch and the two-week check-in --------------------------------------------------


class RematchButton(RowButton, template=rf"mentor:rematch:(?P<id>{ID})"):
    """End one pairing (the service checks it is the presser's)."""

    where = "mentoring rematch"
    prefix = "mentor:rematch"
    label = N_("End this pairing")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await mentoring(interaction).rematch(interaction, self.row_id)


def rematch_view(choices: list[tuple[Match, str]]) -> discord.ui.View:
    return unstored_view(*(RematchButton(m.id, label=label) for m, label in choices[:SELECT_OPTIONS_LIMIT]))


class CheckinButton(
    PersistentItem[discord.ui.Button[Any]],
    template=rf"mentor:checkin:(?P<match_id>{ID}):(?P<answer>met|not_yet|different|wrong)",
):
    where = "mentoring check-in"
    LABELS: ClassVar[dict[str, tuple[Message, discord.ButtonStyle]]] = {
        "met": (N_("We've met"), discord.ButtonStyle.success),
        "not_yet": (N_("Not yet"), discord.ButtonStyle.secondary),
        "different": (N_("I'd like a different mentor"), discord.ButtonStyle.secondary),
        "wrong": (N_("Something's wrong"), discord.ButtonStyle.danger),
    }
    MENTOR_ENDS: ClassVar[Message] = N_("I'd like to end this pairing")

    def __init__(
        self, match_id: int, answer: str, role: str = "mentee", t: Translator = SOURCE_TRANSLATOR
    ) -> None:
        self.match_id = match_id
        self.answer = answer
        label, style = self.LABELS[answer]
        if answer == "different" and role == "mentor":
            label = self.MENTOR_ENDS
        super().__init__(
            discord.ui.Button(
                label=clip(t(label), BUTTON_LABEL_LIMIT),
                style=style,
                custom_id=f"mentor:checkin:{match_id}:{answer}",
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["match_id"]), match["answer"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await mentoring(interaction).checkin_answered(interaction, self.match_id, self.answer)


def checkin_view(match_id: int, role: str, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return unstored_view(*(CheckinButton(match_id, answer, role, t) for answer in CheckinButton.LABELS))


# -- persistent: the follow-up nudge a week after a mentee's "not yet" ------------------------------


class NudgeButton(
    PersistentItem[discord.ui.Button[Any]],
    template=rf"mentor:nudge:(?P<match_id>{ID}):(?P<choice>message|different|pause)",
):
    """One of the nudge's three options (the cog checks the presser is the pairing's mentee)."""

    where = "mentoring follow-up"
    LABELS: ClassVar[dict[str, tuple[Message, discord.ButtonStyle]]] = {
        "message": (N_("Message my mentor"), discord.ButtonStyle.primary),
        "different": (N_("Ask for a different mentor"), discord.ButtonStyle.secondary),
        "pause": (N_("Pause mentoring for now"), discord.ButtonStyle.secondary),
    }

    def __init__(self, match_id: int, choice: str, t: Translator = SOURCE_TRANSLATOR) -> None:
        self.match_id = match_id
        self.choice = choice
        label, style = self.LABELS[choice]
        super().__init__(
            discord.ui.Button(
                label=clip(t(label), BUTTON_LABEL_LIMIT),
                style=style,
                custom_id=f"mentor:nudge:{match_id}:{choice}",
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(parse_id(match["match_id"]), match["choice"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await mentoring(interaction).nudge_chosen(interaction, self.match_id, self.choice)


def nudge_view(match_id: int, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return unstored_view(*(NudgeButton(match_id, choice, t) for choice in NUDGE_CHOICES))
