"""What attendees and organisers see of a workshop evaluation: pure functions from service values.

No Discord calls and no database. Comments are shown as attendees wrote them, with Markdown,
mentions and links made inert (:func:`bot.text.escape_markdown_for_staff`), in a shuffled list.
"""

from __future__ import annotations

import io
import re

import discord

from bot.clock import discord_time
from bot.services.event_evaluation_model import (
    STAGE_NAMES,
    AnswerContext,
    Configured,
    EvaluationResults,
    StageResult,
)
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

THANKS = (
    "Thank you, your answer is in. It is added to the totals together with other people's answers, "
    "so no one can tell it apart: nothing links it to you, not even for the people running the bot."
)
STRUGGLING = (
    " Some of your answers suggest things might be hard right now. If you'd like support, "
    "here is who you can reach, without going through anyone:"
)
SUPPORT_INTRO = (
    "Thank you for answering honestly. If things are hard at the moment, you don't have to wait "
    "or go through anyone to get help. These are free and confidential:"
)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def ask_dm(context: AnswerContext) -> str:
    """The DM asking an attendee, straight after an event or months later."""
    title = escape_markdown_for_staff(context.event_title, limit=200)
    count = len(context.questions)
    when = f" on {discord_time(context.event_start, 'D')}" if context.event_start else ""
    if context.stage == "after":
        opening = (
            f"Thank you for coming to **{title}**. Would you answer {count} short questions about it? "
            "It helps the organisers know whether their workshops help."
        )
    else:
        opening = (
            f"Some months ago you went to **{title}**{when}. Would you answer the same {count} questions "
            "again? It shows the organisers whether what it gave you has lasted."
        )
    comment = (
        " You can also leave a comment: organisers see comments only in a shuffled list, and only once "
        "enough people have answered. Your wording could still identify you, so leave out anything you'd "
        "rather not share."
        if context.free_text
        else ""
    )
    return clip(
        f"{opening}\n\nIt's anonymous: your answer is added to a count with other people's and never linked "
        f"to you, and organisers see results only once at least {context.threshold} people have answered."
        f"{comment} Open until {discord_time(context.closes_at, 'F')}. You don't have to answer.",
        MESSAGE_LIMIT,
    )


def configured_reply(configured: Configured, threshold: int) -> str:
    evaluation = configured.evaluation
    if not configured.events:
        months = evaluation.follow_up_months
        later = f"{months} month{_s(months)} after each event" if months else "off"
        comments = "on" if evaluation.free_text else "off"
        return (
            f"Saved: follow-up questions {later}, comments {comments}. This event has ended, so no one "
            "new is asked."
        )
    events = "this event" if configured.events == 1 else f"these {configured.events} events"
    later = (
        f"and again {evaluation.follow_up_months} month{_s(evaluation.follow_up_months)} later (the same "
        "questions, to the same people)"
        if evaluation.follow_up_months
        else "(no follow-up)"
    )
    questions = "\n".join(f"{i}. {q.text}" for i, q in enumerate(evaluation.questions, start=1))
    comment = " They may also leave a comment." if evaluation.free_text else ""
    return (
        f"Evaluation on for {events}. When each ends, everyone going then is asked by DM, anonymously, "
        f"{later}; in a series, each student is asked after the first session they attend.{comment} "
        f"Results (`/event evaluation`) appear once at least {threshold} answers are counted.\n{questions}"
    )


def _distribution(question: QuestionResult) -> str:
    lines = [f"`{clip(o.label, 40)}` {o.count} ({o.share * 100:.0f}%)" for o in question.options]
    if question.mean is not None:
        lines.append(f"Mean **{question.mean:.1f}** of 5 (from {question.rated} who chose a point)")
    return clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def _summary(stage: StageResult) -> str:
    name = STAGE_NAMES[stage.stage]
    if not stage.runs and not stage.open_runs:
        due = f" They are asked {discord_time(stage.next_due, 'D')}." if stage.next_due else ""
        return f"**{name}**: not asked yet.{due}"
    parts = [f"**{name}**: asked {stage.invited}"]
    if stage.unreachable:
        parts.append(f"{stage.unreachable} could not be reached (DMs closed or left the server)")
    parts.append(f"{stage.answered} answered")
    if stage.counted != stage.answered:
        parts.append(
            f"{stage.counted} counted (a group of fewer than 5 answering on its own is counted but never "
            "recorded)"
        )
    text = "; ".join(parts) + "."
    if stage.open_runs:
        text += f" {stage.open_runs} still open: answers count once they close."
    if stage.next_due:
        text += f" More follow-ups go out from {discord_time(stage.next_due, 'D')}."
    return text


def results_embeds(results: EvaluationResults) -> list[discord.Embed]:
    """``/event evaluation``: per stage the distributions (or why not), the change, comments."""
    scope = f" (series: {results.occurrences} sessions)" if results.series else ""
    embed = discord.Embed(
        title=clip(f"Evaluation: {results.title}{scope}", 256),
        description="\n".join(_summary(stage) for stage in results.stages),
        colour=COLOUR,
    )
    for stage in results.stages:
        name = STAGE_NAMES[stage.stage]
        if not stage.shown:
            if stage.runs:
                embed.add_field(
                    name=f"{name}: not shown",
                    value=(
                        f"{stage.answered} answered ({stage.counted} counted). Results appear once "
                        f"{results.threshold} answers are counted, so no one can be picked out."
                    ),
                    inline=False,
                )
            continue
        for question in stage.questions:
            embed.add_field(
                name=clip(f"{name} · {question.number}. {question.text}", EMBED_FIELD_NAME_LIMIT),
                value=_distribution(question),
                inline=False,
            )
    if results.changes:
        lines = [
            f"{c.number}. {clip(c.text, 60)}: {c.after:.1f} → {c.follow_up:.1f} ({c.delta:+.1f})"
            for c in results.changes
            if c.after is not None and c.follow_up is not None and c.delta is not None
        ]
        embed.add_field(
            name="Change in the mean (1 to 5), straight after → months later",
            value=clip(
                "\n".join(lines) + "\nNot necessarily the same people answered both times.",
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text="Counts only: no answer can be traced to anyone.")
    embeds = [embed]
    comments = comment_lines(results)
    if comments:
        text = clip("\n".join(comments), EMBED_DESCRIPTION_LIMIT)
        if len(text) + len(embed) + 40 <= EMBED_TOTAL_LIMIT:
            embeds.append(discord.Embed(title="Comments (shuffled)", description=text, colour=COLOUR))
    return embeds


def comment_lines(results: EvaluationResults, *, inert: bool = True) -> list[str]:
    """Every shown comment as a bullet, by stage (each stage's list shuffled); ``inert``: with
    Markdown, mentions and links made plain, for Discord (a text file shows them as typed)."""
    lines = []
    for stage in results.stages:
        for comment in stage.comments:
            text = " ".join(comment.split())
            text = escape_markdown_for_staff(text, limit=600) if inert else text
            lines.append(f"• ({STAGE_NAMES[stage.stage].lower()}) {text}")
    return lines


def comments_fit(results: EvaluationResults, embeds: list[discord.Embed]) -> bool:
    """Whether every comment is in the embeds (otherwise they go in a text file too)."""
    lines = comment_lines(results)
    return not lines or (len(embeds) > 1 and len("\n".join(lines)) <= EMBED_DESCRIPTION_LIMIT)


def evaluation_files(
    results: EvaluationResults, png: bytes | None, csv_text: str | None, comments: bool
) -> list[discord.File]:
    stem = re.sub(r"[^a-z0-9]+", "-", results.title.lower()).strip("-")[:40] or "event"
    files = []
    if png is not None:
        files.append(discord.File(io.BytesIO(png), filename=f"evaluation-{stem}.png", description="Chart"))
    if csv_text is not None:
        files.append(discord.File(io.BytesIO(csv_text.encode()), filename=f"evaluation-{stem}.csv"))
    if comments:
        text = "\n".join(comment_lines(results, inert=False))
        files.append(discord.File(io.BytesIO(text.encode()), filename=f"evaluation-{stem}-comments.txt"))
    return files
