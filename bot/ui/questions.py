"""The anonymous answer form: one menu per question, and an optional comment box.

Used by pulse checks and event evaluations alike (their answers are counted the same way, see
:mod:`bot.services.pulse`). The form is stateless (:class:`~bot.ui.forms.StatelessModal`): its
submission is read from its custom id and values alone, so a form open while the bot restarts
still counts. Every value is untrusted: :func:`submitted_choices` accepts exactly one digit string
per question, and the service checks each against the question's options.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.pulse_model import SCALE_POINTS, Question
from bot.text import SELECT_LABEL_LIMIT, TEXT_INPUT_LABEL_LIMIT
from bot.ui.forms import FormValues, StatelessModal
from bot.ui.replies import clip

#: Discord shows at most five components in a form.
FORM_COMPONENTS_LIMIT = 5
#: A label's description (where each question is shown) holds at most 100 characters.
LABEL_DESCRIPTION_LIMIT = 100
COMMENT_ID = "comment"
ANSWER_EVERY_QUESTION = N_('Please answer every question ("Prefer not to say" is fine where offered).')


def option_label(question: Question, index: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What a member sees for an option, in ``t``'s language where the words are the catalogue's
    ("Prefer not to say", the ready-made check-in's); an organiser's own words stay as typed."""
    label = t(question.options[index])
    if question.kind == "scale" and index < SCALE_POINTS:
        if index == 0 and question.low_label:
            return f"{label} · {t(question.low_label)}"
        if index == SCALE_POINTS - 1 and question.high_label:
            return f"{label} · {t(question.high_label)}"
    return label


class QuestionForm(StatelessModal):
    """One select per question (custom ids ``q1``, ``q2``, …), a note first when there is room,
    and, with ``comment`` (its label and description), an optional paragraph (``comment``).
    ``note``, ``title`` and ``comment`` are shown as given (translate them before); the rest is in
    ``t``'s language, the reader's."""

    def __init__(
        self,
        *,
        title: str,
        custom_id: str,
        questions: Sequence[Question],
        note: str | None = None,
        comment: tuple[str, str] | None = None,
        comment_limit: int = 500,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> None:
        super().__init__(title=title, custom_id=custom_id)
        used = len(questions) + (comment is not None)
        if used > FORM_COMPONENTS_LIMIT:
            raise ValueError(f"a form holds {FORM_COMPONENTS_LIMIT} components, not {used}")
        if note is not None and used < FORM_COMPONENTS_LIMIT:
            self.add_item(discord.ui.TextDisplay(note))
        for number, question in enumerate(questions, start=1):
            select = discord.ui.Select[Any](
                custom_id=f"q{number}",
                placeholder=t("Choose an answer"),
                options=[
                    discord.SelectOption(
                        label=clip(option_label(question, i, t), SELECT_LABEL_LIMIT), value=str(i)
                    )
                    for i in range(len(question.options))
                ],
                required=True,
            )
            self.add_item(
                discord.ui.Label(
                    text=clip(t("Question {number}", number=number), TEXT_INPUT_LABEL_LIMIT),
                    description=clip(t(question.text), LABEL_DESCRIPTION_LIMIT),
                    component=select,
                )
            )
        if comment is not None:
            label, description = comment
            box = discord.ui.TextInput[Any](
                custom_id=COMMENT_ID,
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=comment_limit,
            )
            self.add_item(
                discord.ui.Label(
                    text=clip(label, TEXT_INPUT_LABEL_LIMIT),
                    description=clip(description, LABEL_DESCRIPTION_LIMIT),
                    component=box,
                )
            )


def submitted_choices(values: FormValues, questions: int) -> list[int]:
    """The option chosen for each question: exactly one value, all digits, per question."""
    choices = []
    for number in range(1, questions + 1):
        chosen = values.choices(f"q{number}")
        if len(chosen) != 1 or not chosen[0].isdecimal():
            raise UserError(ANSWER_EVERY_QUESTION)
        choices.append(int(chosen[0]))
    return choices


# What a student reads once their answer is in (pulse checks and event evaluations alike).
THANKS = N_(
    "Thank you, your answer is in. It is added to the totals together with other people's answers, "
    "so no one can tell it apart: nothing links it to you, not even for the people running the bot."
)
STRUGGLING = N_(
    "Some of your answers suggest things might be hard right now. If you'd like support, "
    "here is who you can reach, without going through anyone:"
)
SUPPORT_INTRO = N_(
    "Thank you for answering honestly. If things are hard at the moment, you don't have to wait "
    "or go through anyone to get help. These are free and confidential:"
)


def thanks(t: Translator = SOURCE_TRANSLATOR, *, struggling: bool = False) -> str:
    """What a student is told once their answer is in (and, if it suggests things are hard, that
    support follows)."""
    return f"{t(THANKS)} {t(STRUGGLING)}" if struggling else t(THANKS)
