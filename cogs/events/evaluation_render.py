"""What attendees and organisers see of a workshop evaluation: pure functions from service values.

No Discord calls and no database. Comments are shown as attendees wrote them, with Markdown,
mentions and links made inert (:func:`bot.text.escape_markdown_for_staff`), in a shuffled list.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from functools import cache

import discord

from bot.clock import discord_time
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.event_evaluation_model import (
    STAGE_NAMES,
    AnswerContext,
    Configured,
    EvaluationResults,
    StageResult,
    default_words,
)
from bot.services.pulse_model import PREFER_NOT, Question
from bot.services.pulse_results import QuestionResult
from bot.text import escape_markdown_for_staff
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    clip,
)

COLOUR = discord.Colour.teal()

#: The answer option pulse checks and evaluations share (bot.services.pulse_model.PREFER_NOT).
PREFER_NOT_SHOWN = N_("Prefer not to say")


@cache
def _defaults() -> frozenset[str]:
    return default_words()


def shown_words(text: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """A question's wording or scale label: the default ones in ``t``'s language, an organiser's
    own wording as they wrote it."""
    if text == PREFER_NOT:
        return t(PREFER_NOT_SHOWN)
    return t(text) if text in _defaults() else text


def shown_option(label: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """An option as results list it ("1 · Not at all confident", "Prefer not to say")."""
    point, sep, words = label.partition(" · ")
    return f"{point}{sep}{shown_words(words, t)}" if sep else shown_words(label, t)


def shown_questions(
    questions: list[Question], t: Translator = SOURCE_TRANSLATOR, *, options: bool = True
) -> list[Question]:
    """The questions as a reader sees them (for the answer form and the chart): default wording
    translated; with ``options``, the "Prefer not to say" option too. The service never reads these."""
    return [
        replace(
            q,
            text=shown_words(q.text, t),
            low_label=shown_words(q.low_label, t) if q.low_label else "",
            high_label=shown_words(q.high_label, t) if q.high_label else "",
            options=tuple(shown_words(o, t) for o in q.options) if options else q.options,
        )
        for q in questions
    ]


def ask_dm(context: AnswerContext, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The DM asking an attendee, straight after an event or months later."""
    title = escape_markdown_for_staff(context.event_title, limit=200)
    count = len(context.questions)
    if context.stage == "after":
        opening = t.ngettext(
            "Thank you for coming to **{title}**. Would you answer {n} short question about it? It helps"
            " the organisers know whether their workshops help.",
            "Thank you for coming to **{title}**. Would you answer {n} short questions about it? It helps"
            " the organisers know whether their workshops help.",
            count,
            title=title,
        )
    elif context.event_start:
        opening = t.ngettext(
            "Some months ago you went to **{title}** on {date}. Would you answer the same {n} question"
            " again? It shows the organisers whether what it gave you has lasted.",
            "Some months ago you went to **{title}** on {date}. Would you answer the same {n} questions"
            " again? It shows the organisers whether what it gave you has lasted.",
            count,
            title=title,
            date=discord_time(context.event_start, "D"),
        )
    else:
        opening = t.ngettext(
            "Some months ago you went to **{title}**. Would you answer the same {n} question again? It"
            " shows the organisers whether what it gave you has lasted.",
            "Some months ago you went to **{title}**. Would you answer the same {n} questions again? It"
            " shows the organisers whether what it gave you has lasted.",
            count,
            title=title,
        )
    parts = [
        t(
            "It's anonymous: your answer is added to a count with other people's and never linked to you,"
            " and organisers see results only once at least {threshold} people have answered.",
            threshold=context.threshold,
        )
    ]
    if context.free_text:
        parts.append(
            t(
                "You can also leave a comment: organisers see comments only in a shuffled list, and only"
                " once enough people have answered. Your wording could still identify you, so leave out"
                " anything you'd rather not share."
            )
        )
    parts.append(
        t(
            "Open until {closes}. You don't have to answer.",
            closes=discord_time(context.closes_at, "F"),
        )
    )
    return clip(f"{opening}\n\n{' '.join(parts)}", MESSAGE_LIMIT)


def configured_reply(configured: Configured, threshold: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    evaluation = configured.evaluation
    months = evaluation.follow_up_months
    if not configured.events:
        if months and evaluation.free_text:
            return t.ngettext(
                "Saved: follow-up questions {n} month after each event, comments on. This event has"
                " ended, so no one new is asked.",
                "Saved: follow-up questions {n} months after each event, comments on. This event has"
                " ended, so no one new is asked.",
                months,
            )
        if months:
            return t.ngettext(
                "Saved: follow-up questions {n} month after each event, comments off. This event has"
                " ended, so no one new is asked.",
                "Saved: follow-up questions {n} months after each event, comments off. This event has"
                " ended, so no one new is asked.",
                months,
            )
        if evaluation.free_text:
            return t(
                "Saved: follow-up questions off, comments on. This event has ended, so no one new is asked."
            )
        return t(
            "Saved: follow-up questions off, comments off. This event has ended, so no one new is asked."
        )
    if months:
        later = t.ngettext(
            "and again {n} month later (the same questions, to the same people)",
            "and again {n} months later (the same questions, to the same people)",
            months,
        )
    else:
        later = t("(no follow-up)")
    text = t.ngettext(
        "Evaluation on for this event. When it ends, everyone going then is asked by DM, anonymously,"
        " {later}; in a series, each student is asked after the first session they attend.",
        "Evaluation on for these {n} events. When each ends, everyone going then is asked by DM,"
        " anonymously, {later}; in a series, each student is asked after the first session they attend.",
        configured.events,
        later=later,
    )
    if evaluation.free_text:
        text += " " + t("They may also leave a comment.")
    if configured.identity and months:
        text += " " + t(
            "No follow-up is sent after an event in an identity community: keeping who went for months "
            "would keep who is in that community. Attendees are still asked straight after."
        )
    text += " " + t(
        "Results (`/event evaluation`) appear once at least {threshold} answers are counted.",
        threshold=threshold,
    )
    questions = "\n".join(
        f"{i}. {shown_words(q.text, t)}" for i, q in enumerate(evaluation.questions, start=1)
    )
    return f"{text}\n{questions}"


def _distribution(question: QuestionResult, t: Translator) -> str:
    lines = [
        t(
            "`{option}` {count} ({percent}%)",
            option=clip(shown_option(o.label, t), 40),
            count=o.count,
            percent=f"{o.share * 100:.0f}",
        )
        for o in question.options
    ]
    if question.mean is not None:
        lines.append(
            t(
                "Mean **{mean}** of 5 (from {rated} who chose a point)",
                mean=f"{question.mean:.1f}",
                rated=question.rated,
            )
        )
    return clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def _summary(stage: StageResult, t: Translator) -> str:
    name = t(STAGE_NAMES[stage.stage])
    if not stage.runs and not stage.open_runs:
        if stage.next_due:
            return t(
                "**{stage}**: not asked yet. They are asked {date}.",
                stage=name,
                date=discord_time(stage.next_due, "D"),
            )
        return t("**{stage}**: not asked yet.", stage=name)
    parts = [t("**{stage}**: asked {invited}", stage=name, invited=stage.invited)]
    if stage.unreachable:
        parts.append(t("{n} could not be reached (DMs closed or left the server)", n=stage.unreachable))
    parts.append(t("{n} answered", n=stage.answered))
    if stage.counted != stage.answered:
        parts.append(
            t(
                "{n} counted (a group of fewer than 5 answering on its own is counted but never recorded)",
                n=stage.counted,
            )
        )
    text = "; ".join(parts) + "."
    if stage.open_runs:
        text += " " + t("{n} still open: answers count once they close.", n=stage.open_runs)
    if stage.next_due:
        text += " " + t("More follow-ups go out from {date}.", date=discord_time(stage.next_due, "D"))
    return text


def results_embeds(results: EvaluationResults, t: Translator = SOURCE_TRANSLATOR) -> list[discord.Embed]:
    """``/event evaluation``: per stage the distributions (or why not), the change, comments."""
    if results.series:
        title = t("Evaluation: {title} (series: {n} sessions)", title=results.title, n=results.occurrences)
    else:
        title = t("Evaluation: {title}", title=results.title)
    embed = discord.Embed(
        title=clip(title, 256),
        description="\n".join(_summary(stage, t) for stage in results.stages),
        colour=COLOUR,
    )
    for stage in results.stages:
        name = t(STAGE_NAMES[stage.stage])
        if not stage.shown:
            if stage.runs:
                embed.add_field(
                    name=t("{stage}: not shown", stage=name),
                    value=t(
                        "{answered} answered ({counted} counted). Results appear once {threshold} answers"
                        " are counted, so no one can be picked out.",
                        answered=stage.answered,
                        counted=stage.counted,
                        threshold=results.threshold,
                    ),
                    inline=False,
                )
            continue
        for question in stage.questions:
            embed.add_field(
                name=clip(
                    t(
                        "{stage} · {number}. {question}",
                        stage=name,
                        number=question.number,
                        question=shown_words(question.text, t),
                    ),
                    EMBED_FIELD_NAME_LIMIT,
                ),
                value=_distribution(question, t),
                inline=False,
            )
    if results.changes:
        lines = [
            t(
                "{number}. {question}: {after} → {later} ({change})",
                number=c.number,
                question=clip(shown_words(c.text, t), 60),
                after=f"{c.after:.1f}",
                later=f"{c.follow_up:.1f}",
                change=f"{c.delta:+.1f}",
            )
            for c in results.changes
            if c.after is not None and c.follow_up is not None and c.delta is not None
        ]
        embed.add_field(
            name=t("Change in the mean (1 to 5), straight after → months later"),
            value=clip(
                "\n".join([*lines, t("Not necessarily the same people answered both times.")]),
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text=t("Counts only: no answer can be traced to anyone."))
    embeds = [embed]
    comments = comment_lines(results, t=t)
    if comments:
        text = clip("\n".join(comments), EMBED_DESCRIPTION_LIMIT)
        if len(text) + len(embed) + 60 <= EMBED_TOTAL_LIMIT:
            embeds.append(discord.Embed(title=t("Comments (shuffled)"), description=text, colour=COLOUR))
    return embeds


#: How a comment is marked in the list, one whole phrase for each stage.
COMMENT_STAGE = {"after": N_("straight after"), "follow_up": N_("months later")}


def comment_lines(
    results: EvaluationResults, *, inert: bool = True, t: Translator = SOURCE_TRANSLATOR
) -> list[str]:
    """Every shown comment as a bullet, by stage (each stage's list shuffled); ``inert``: with
    Markdown, mentions and links made plain, for Discord (a text file shows them as typed)."""
    lines = []
    for stage in results.stages:
        for comment in stage.comments:
            text = " ".join(comment.split())
            text = escape_markdown_for_staff(text, limit=600) if inert else text
            lines.append(t("• ({stage}) {comment}", stage=t(COMMENT_STAGE[stage.stage]), comment=text))
    return lines


def comments_fit(
    results: EvaluationResults, embeds: list[discord.Embed], t: Translator = SOURCE_TRANSLATOR
) -> bool:
    """Whether every comment is in the embeds (otherwise they go in a text file too)."""
    lines = comment_lines(results, t=t)
    return not lines or (len(embeds) > 1 and len("\n".join(lines)) <= EMBED_DESCRIPTION_LIMIT)


def evaluation_files(
    results: EvaluationResults,
    png: bytes | None,
    csv_text: str | None,
    comments: bool,
    t: Translator = SOURCE_TRANSLATOR,
) -> list[discord.File]:
    stem = re.sub(r"[^a-z0-9]+", "-", results.title.lower()).strip("-")[:40] or "event"
    files = []
    if png is not None:
        files.append(discord.File(io.BytesIO(png), filename=f"evaluation-{stem}.png", description=t("Chart")))
    if csv_text is not None:
        files.append(discord.File(io.BytesIO(csv_text.encode()), filename=f"evaluation-{stem}.csv"))
    if comments:
        text = "\n".join(comment_lines(results, inert=False, t=t))
        files.append(discord.File(io.BytesIO(text.encode()), filename=f"evaluation-{stem}-comments.txt"))
    return files
