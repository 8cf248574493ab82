"""Pulse check results: what a closed run's counters say, shown only when safe, and the trend CSV.

Pure values and computation: :class:`bot.services.pulse.PulseService` reads the counters and
decides what may be shown (the minimum number of answers, safe breakdowns); this module turns
counts into shares and means, and a trend into a spreadsheet-safe CSV. No database, no Discord.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.pulse_model import Question

if TYPE_CHECKING:
    from bot.services.pulse import Pulse, Run


@dataclass(frozen=True, slots=True)
class OptionResult:
    label: str
    count: int
    share: float  # of everyone who answered the run (0..1)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    number: int
    text: str
    kind: str
    options: list[OptionResult]
    mean: float | None  # scales: mean of the points chosen (Prefer not to say left out)
    rated: int  # scales: how many chose a point


@dataclass(frozen=True, slots=True)
class GroupResult:
    name: str
    answers: int | None  # None when withheld
    questions: list[QuestionResult] = field(default_factory=list)
    withheld_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RunResults:
    pulse: Pulse
    run: Run
    threshold: int
    shown: bool
    reason: str | None
    questions: list[QuestionResult]
    groups: list[GroupResult]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_number: int
    opened: datetime
    answers: int
    audience_size: int | None
    questions: list[QuestionResult]


@dataclass(frozen=True, slots=True)
class Trend:
    pulse: Pulse
    threshold: int
    points: list[TrendPoint]
    withheld_runs: int


def question_results(
    questions: list[Question], cells: dict[tuple[int, int], int], answers: int
) -> list[QuestionResult]:
    results = []
    for q, question in enumerate(questions):
        options = []
        total_points = 0
        rated = 0
        for o in range(len(question.options)):
            count = cells.get((q, o), 0)
            options.append(OptionResult(question.option_label(o), count, count / answers if answers else 0.0))
            if question.kind == "scale" and question.options[o].isdigit():
                total_points += int(question.options[o]) * count
                rated += count
        mean = (total_points / rated) if (question.kind == "scale" and rated) else None
        results.append(QuestionResult(q + 1, question.text, question.kind, options, mean, rated))
    return results


def _cell(text: str) -> str:
    """Organiser text made safe for spreadsheets: never read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    """Aggregates as CSV, every text made safe for spreadsheets (never read as a formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) if isinstance(value, str) else value for value in row])
    return buffer.getvalue()


def trend_csv(trend: Trend) -> str:
    """The trend's aggregates as CSV: one row per run, question and option."""
    return write_csv(
        [
            "run",
            "opened_utc",
            "answers",
            "audience_size",
            "question_number",
            "question",
            "option",
            "count",
            "share_percent",
            "mean",
        ],
        (
            [
                point.run_number,
                point.opened.strftime("%Y-%m-%d %H:%M"),
                point.answers,
                "" if point.audience_size is None else point.audience_size,
                question.number,
                question.text,
                option.label,
                option.count,
                f"{option.share * 100:.1f}",
                "" if question.mean is None else f"{question.mean:.2f}",
            ]
            for point in trend.points
            for question in point.questions
            for option in question.options
        ),
    )
