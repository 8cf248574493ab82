"""The Answer button on a run's card and the private answer form.

The button is persistent (its custom id ``pulse:answer:{run_id}`` carries the run), so cards
posted long ago keep working after a restart. The form is stateless: its submission
(``pulse:form:{run_id}:{form}``) is counted by the cog's form route from the submitted values
alone, so a form open while the bot restarted still counts. Nothing about an answer is kept here.
"""

from __future__ import annotations

import secrets
from typing import Any

import discord

from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice
from bot.services.pulse import Pulse as PulseCheck
from bot.ui import BUTTON_LABEL_LIMIT, ID, MODAL_TITLE_LIMIT, RowButton, clip, cog_of
from bot.ui.questions import QuestionForm, submitted_choices

__all__ = ["FORM_ROUTE", "AnswerButton", "AnswerModal", "card_view", "submitted_choices"]

#: A submitted answer form: the run, then a random number per form (see :class:`AnswerModal`).
FORM_ROUTE = rf"pulse:form:(?P<run_id>{ID}):\d{{1,15}}"
# Translators: the button on a pulse check's card that opens its private form.
ANSWER = N_("Answer")


class AnswerButton(RowButton, template=rf"pulse:answer:(?P<id>{ID})"):
    """The Answer button on a run's card. Works after a restart (the run id is in its custom id)."""

    where = "button pulse:answer"
    prefix = "pulse:answer"
    label = ANSWER
    emoji = "📝"
    style = discord.ButtonStyle.primary

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.pulse.commands import Pulse  # the cog's module imports this one

        await cog_of(interaction, Pulse).begin_answer(interaction, self.row_id)


def card_view(run_id: int, voice: Voice | None = None) -> discord.ui.View:
    """The card's Answer button, labelled in the server's voice (its custom id never changes)."""
    view = discord.ui.View(timeout=None)
    label = voice.label(ANSWER, BUTTON_LABEL_LIMIT) if voice is not None else None
    view.add_item(AnswerButton(run_id, label=label))
    return view


class AnswerModal(QuestionForm):
    """The private form: one select per question, custom ids ``q1``, ``q2``, ``q3``.

    Each form gets its own custom id (a random number, which metrics labels leave out): a
    student may have two open (two devices), and each must be answerable on its own.
    """

    def __init__(self, pulse: PulseCheck, run_id: int, t: Translator = SOURCE_TRANSLATOR) -> None:
        form = secrets.randbelow(10**15)
        super().__init__(
            title=clip(t(pulse.title), MODAL_TITLE_LIMIT),
            custom_id=f"pulse:form:{run_id}:{form}",
            questions=pulse.questions,
            note=t(
                "Only you see this form. Your answer is added to a count and never linked to you, so it "
                "can't be changed once sent."
            ),
            t=t,
        )
