"""Trend charts for pulse checks: one panel per question, drawn with matplotlib (Agg, no display).

It uses matplotlib's object API (a :class:`~matplotlib.figure.Figure` per chart, no pyplot global
state), so charts can be drawn in a worker thread while the bot keeps answering.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.i18n import SOURCE_TRANSLATOR, Translator
from bot.services.pulse_model import PREFER_NOT, Question
from bot.services.pulse_results import QuestionResult, Trend


def trend_png(trend: Trend, t: Translator = SOURCE_TRANSLATOR) -> bytes:
    """A PNG: for each question, the mean per run (scales, 1 to 5) or each option's share (choices),
    its words in ``t``'s language."""
    questions = trend.pulse.questions
    figure = Figure(figsize=(8, 2.8 * len(questions)))
    axes = figure.subplots(len(questions), 1, squeeze=False)
    runs = [point.run_number for point in trend.points]
    labels = [f"#{p.run_number}\n{p.opened:%d %b}" for p in trend.points]
    for index, question in enumerate(questions):
        ax = axes[index][0]
        ax.set_title(f"Q{index + 1}. {t(question.text)}", fontsize=10, loc="left")
        if question.kind == "scale":
            means = [p.questions[index].mean for p in trend.points]
            xs = [r for r, m in zip(runs, means, strict=True) if m is not None]
            ys = [m for m in means if m is not None]
            ax.plot(xs, ys, marker="o", color="#1b7f79")
            ax.set_ylim(1, 5)
            ax.set_ylabel(t("mean (1 to 5)"))
        else:
            for o, option in enumerate(question.options):
                if option == PREFER_NOT:
                    continue
                shares = [p.questions[index].options[o].share * 100 for p in trend.points]
                ax.plot(runs, shares, marker="o", label=t(option))
            ax.set_ylim(0, 100)
            ax.set_ylabel(t("% of answers"))
            ax.legend(fontsize=8, loc="upper right")
        ax.set_xticks(runs, labels, fontsize=8)
        ax.grid(alpha=0.3)
    figure.suptitle(
        t(
            "{title}: runs with at least {threshold} answers",
            title=t(trend.pulse.title),
            threshold=trend.threshold,
        ),
        fontsize=11,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def comparison_png(
    title: str,
    questions: list[Question],
    groups: list[tuple[str, list[QuestionResult]]],
    t: Translator = SOURCE_TRANSLATOR,
) -> bytes:
    """A PNG comparing answer distributions: for each question, each option's share of answers
    (Prefer not to say left out) in every group side by side, with each group's mean for scales.
    Event evaluations compare "straight after" with "months later" this way. ``title`` and the
    groups' names are shown as given (translate them before); the rest is in ``t``'s language."""
    figure = Figure(figsize=(8, 2.8 * len(questions)))
    axes = figure.subplots(len(questions), 1, squeeze=False)
    colours = ["#1b7f79", "#d98c1f", "#5b6abf"]
    for index, question in enumerate(questions):
        ax = axes[index][0]
        ax.set_title(f"Q{index + 1}. {t(question.text)}", fontsize=10, loc="left")
        options = [o for o, label in enumerate(question.options) if label != PREFER_NOT]
        width = 0.8 / max(1, len(groups))
        for g, (name, results) in enumerate(groups):
            result = results[index]
            shares = [result.options[o].share * 100 for o in options]
            label = (
                name
                if result.mean is None
                else t("{name} (mean {mean})", name=name, mean=f"{result.mean:.1f}")
            )
            xs = [o + (g - (len(groups) - 1) / 2) * width for o in range(len(options))]
            ax.bar(xs, shares, width=width, label=label, color=colours[g % len(colours)])
        ax.set_xticks(range(len(options)), [t(question.options[o]) for o in options], fontsize=8)
        ax.set_ylim(0, 100)
        ax.set_ylabel(t("% of answers"))
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3, axis="y")
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
