"""Workshop evaluation (issue #19): the questions, and what results say. Plain values, no database.

The default questions follow the themes of the research's own evaluation of its workshops
(surveys straight after them and six months later found a lasting rise in self-efficacy and
belonging): confidence, belonging, having met people to turn to, and usefulness. Each is a
1 to 5 scale with "Prefer not to say". Organisers may reword them before anyone is asked; after
that the wording is fixed, so "after" and "months later" answer the same questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import UserError
from bot.i18n import N_, Message
from bot.services.pulse_model import PREFER_NOT, QUESTION_MAX, Question
from bot.services.pulse_results import QuestionResult, write_csv
from bot.text import clean_text

STAGES = ("after", "follow_up")
STAGE_NAMES: dict[str, Message] = {"after": N_("Straight after"), "follow_up": N_("Months later")}
#: How long attendees have to answer each time they are asked.
OPEN_DAYS = 7
DEFAULT_FOLLOW_UP_MONTHS = 6
MAX_FOLLOW_UP_MONTHS = 24
#: An optional comment is at most this long (bot.services.pulse.TEXT_MAX).
COMMENT_MAX = 500
TITLE_MAX = 80

_POINTS = ("1", "2", "3", "4", "5", PREFER_NOT)


def default_questions() -> list[Question]:
    """Confidence, belonging, people to turn to, usefulness: 1 to 5, difficult end at 1. A low
    answer to the first two offers support privately (as pulse checks do)."""
    return [
        Question(
            N_("How confident do you feel about handling the challenges of your studies?"),
            "scale",
            _POINTS,
            N_("Not at all confident"),
            N_("Very confident"),
            (0, 1),
        ),
        Question(
            N_("How much do you feel you belong at university?"),
            "scale",
            _POINTS,
            N_("Not at all"),
            N_("Very much"),
            (0, 1),
        ),
        Question(
            N_("I met people I could turn to."),
            "scale",
            _POINTS,
            N_("Strongly disagree"),
            N_("Strongly agree"),
            (),
        ),
        Question(
            N_("How useful has this workshop been to you?"),
            "scale",
            _POINTS,
            N_("Not at all useful"),
            N_("Very useful"),
            (),
        ),
    ]


def default_words() -> frozenset[str]:
    """The default questions' wording and scale labels (marked for the catalogue): shown in the
    reader's language where an evaluation still uses them as they are."""
    return frozenset(
        word for q in default_questions() for word in (q.text, q.low_label, q.high_label) if word
    )


def reworded(questions: list[Question], texts: list[str]) -> list[Question]:
    """The questions with new wording (scales and labels kept); a UserError says what to change."""
    if len(texts) != len(questions):
        raise UserError("Give all {n} questions (leave a question as it is to keep it).", n=len(questions))
    changed = []
    for number, (question, text) in enumerate(zip(questions, texts, strict=True), start=1):
        where = f"Question {number}"
        cleaned = " ".join(clean_text(text, field=where, multiline=False).split())
        if not cleaned:
            raise UserError(
                "Question {number} is empty. Write the question, or leave its old wording.", number=number
            )
        if len(cleaned) > QUESTION_MAX:
            raise UserError(
                "Question {number} is {n} characters long; please keep it to {limit} so it fits in"
                " Discord's answer form.",
                number=number,
                n=len(cleaned),
                limit=QUESTION_MAX,
            )
        changed.append(
            Question(
                cleaned,
                question.kind,
                question.options,
                question.low_label,
                question.high_label,
                question.concern,
            )
        )
    return changed


def validate_months(months: int) -> int:
    if not 0 <= months <= MAX_FOLLOW_UP_MONTHS:
        raise UserError(
            "The follow-up can be from 1 to {most} months later (0: no follow-up); {months} is outside"
            " that. The research asked again after {default}.",
            most=MAX_FOLLOW_UP_MONTHS,
            months=months,
            default=DEFAULT_FOLLOW_UP_MONTHS,
        )
    return months


def clean_comment(text: str | None) -> str | None:
    """An attendee's optional comment as stored: cleaned, bounded; None when empty."""
    cleaned = clean_text(text or "", field=N_("Your comment"), limit=COMMENT_MAX)
    return cleaned or None


@dataclass(frozen=True, slots=True)
class Evaluation:
    evaluation_id: int
    guild_id: int
    pulse_id: int
    title: str
    questions: list[Question]
    free_text: bool
    follow_up_months: int
    status: str  # 'on' or 'off'
    asked: bool  # someone was asked already: the wording is fixed

    @property
    def on(self) -> bool:
        return self.status == "on"


@dataclass(frozen=True, slots=True)
class Configured:
    """What ``/event evaluate`` did: the evaluation, and the events it now asks about."""

    evaluation: Evaluation
    events: int
    started: bool  # a new evaluation (not one already on this event or series)
    identity: bool = False  # in an identity community's channel: no one is kept for a follow-up


@dataclass(frozen=True, slots=True)
class Asked:
    """A run just opened: its attendees are owed a DM each."""

    run_id: int
    evaluation_id: int
    event_id: int
    stage: str
    invited: int
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What the answer form needs: the questions, whether a comment is asked for, the event."""

    run_id: int
    guild_id: int
    stage: str
    event_title: str
    event_start: datetime | None
    questions: list[Question]
    free_text: bool
    closes_at: datetime
    threshold: int


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage ('after' or 'follow_up') summed over the runs shown (closed ones only)."""

    stage: str
    runs: int  # closed runs summed
    open_runs: int  # still taking answers: not counted yet
    invited: int
    answered: int
    counted: int  # answers whose choices were written (a group of fewer than k counts only)
    unreachable: int
    shown: bool
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # shuffled; only when shown
    next_due: datetime | None = None  # a follow-up still to come


@dataclass(frozen=True, slots=True)
class Change:
    """A scale question's mean straight after and months later (both stages shown)."""

    number: int
    text: str
    after: float | None
    follow_up: float | None

    @property
    def delta(self) -> float | None:
        if self.after is None or self.follow_up is None:
            return None
        return self.follow_up - self.after


@dataclass(frozen=True, slots=True)
class EvaluationResults:
    evaluation: Evaluation
    title: str  # the event's (or series') title
    series: bool  # summed over the occurrences of a series
    occurrences: int
    threshold: int
    after: StageResult
    follow_up: StageResult
    changes: list[Change]

    @property
    def stages(self) -> list[StageResult]:
        return [self.after, self.follow_up]


def changes_between(after: StageResult, follow_up: StageResult) -> list[Change]:
    """Per scale question, the mean after and later: only when both stages are shown."""
    if not (after.shown and follow_up.shown):
        return []
    return [
        Change(a.number, a.text, a.mean, b.mean)
        for a, b in zip(after.questions, follow_up.questions, strict=True)
        if a.kind == "scale"
    ]


def results_csv(results: EvaluationResults) -> str:
    """The shown stages' aggregates as CSV: one row per stage, question and option (no comments,
    nothing per person)."""
    return write_csv(
        [
            "stage",
            "times_asked",
            "asked",
            "answered",
            "counted",
            "question_number",
            "question",
            "option",
            "count",
            "share_percent",
            "mean",
        ],
        (
            [
                STAGE_NAMES[stage.stage],
                stage.runs,
                stage.invited,
                stage.answered,
                stage.counted,
                question.number,
                question.text,
                option.label,
                option.count,
                round(option.share * 100, 1),
                "" if question.mean is None else round(question.mean, 2),
            ]
            for stage in results.stages
            if stage.shown
            for question in stage.questions
            for option in question.options
        ),
    )
