"""Workshop evaluation (issue #19): the button in the DM, the anonymous answer form, and the
organisers' form for rewording the questions.

The button is persistent (``event:eval:{run}``), so a DM sent months ago works after restarts;
its id is untrusted (parsed with :func:`~bot.ui.parse_id`; the service checks the run is an
evaluation's, still open, and that the presser was asked it). Both forms are stateless
(``event:eval-form:{run}:{n}``, ``event:eval-questions:{evaluation}``): their submissions are read
from the custom id and values alone. Nothing about an answer is kept here.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.event_evaluation_model import COMMENT_MAX, AnswerContext, Evaluation
from bot.services.pulse_model import QUESTION_MAX
from bot.ui import ID, MODAL_TITLE_LIMIT, RowButton, StatelessModal, clip, cog_of, unstored_view
from bot.ui.questions import QuestionForm
from cogs.events.evaluation_render import shown_questions, shown_words

if TYPE_CHECKING:
    from cogs.events.commands import Events

#: A submitted answer form: the run, then a random number per form (two devices, two forms).
ANSWER_FORM = rf"event:eval-form:(?P<run_id>{ID}):\d{{1,15}}"
#: The organisers' rewording form: the evaluation.
QUESTIONS_FORM = rf"event:eval-questions:(?P<evaluation_id>{ID})"


def events_cog(interaction: discord.Interaction[Any]) -> Events:
    from cogs.events.commands import Events  # the cog imports this module

    return cog_of(interaction, Events)


class EvalButton(RowButton, template=rf"event:eval:(?P<id>{ID})"):
    """In the DM asking an attendee: opens the anonymous form (checked for this presser)."""

    where = "button event:eval"
    prefix = "event:eval"
    label = N_("Answer anonymously")
    emoji = "📝"
    style = discord.ButtonStyle.primary

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await events_cog(interaction).begin_evaluation(interaction, self.row_id)


def ask_view(run_id: int, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    """The DM's button, labelled in the recipient's language (its custom id never changes)."""
    return unstored_view(EvalButton(run_id, label=t(EvalButton.label)))


class EvaluationForm(QuestionForm):
    """One menu per question, and a comment box when the organisers asked for comments."""

    def __init__(self, context: AnswerContext, t: Translator = SOURCE_TRANSLATOR) -> None:
        comment = (
            (
                t("Anything else? (optional)"),
                t(
                    "Organisers see comments only in a shuffled list, once enough answered. Your words "
                    "could identify you."
                ),
            )
            if context.free_text
            else None
        )
        super().__init__(
            title=clip(t("About: {title}", title=context.event_title), MODAL_TITLE_LIMIT),
            custom_id=f"event:eval-form:{context.run_id}:{secrets.randbelow(10**15)}",
            # The wording as the reader reads it; the answers are read against the stored questions.
            questions=shown_questions(context.questions, t),
            note=t(
                "Only you see this form. Your answer is added to a count with other people's and never "
                "linked to you, so it can't be changed once sent."
            ),
            comment=comment,
            comment_limit=COMMENT_MAX,
        )


class QuestionsForm(StatelessModal):
    """The questions' wording, filled in with the current one (scales and labels stay)."""

    def __init__(self, evaluation: Evaluation, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            title=clip(t("Evaluation questions"), MODAL_TITLE_LIMIT),
            custom_id=f"event:eval-questions:{evaluation.evaluation_id}",
        )
        for number, question in enumerate(evaluation.questions, start=1):
            self.add_item(
                discord.ui.Label(
                    text=clip(t("Question {number}", number=number), 45),
                    description=clip(
                        t(
                            "Answered 1 ({low}) to 5 ({high})",
                            low=shown_words(question.low_label, t),
                            high=shown_words(question.high_label, t),
                        ),
                        100,
                    ),
                    component=discord.ui.TextInput[Any](
                        custom_id=f"q{number}",
                        default=question.text,
                        max_length=QUESTION_MAX,
                        required=True,
                    ),
                )
            )
