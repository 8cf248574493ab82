"""What organisers and students see of a pulse check: pure functions from service values to embeds.

No Discord calls and no database: each takes what :mod:`bot.services.pulse` returns.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import discord

from bot.clock import discord_time
from bot.services.pulse import Pulse as PulseCheck
from bot.services.pulse import Run
from bot.services.pulse_results import RunResults, Trend, trend_csv
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT, clip

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
NO_PULSES = "No pulse checks yet. `/pulse template` sets up the belonging check-in in one step."


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def schedule_text(pulse: PulseCheck) -> str:
    hours = pulse.open_seconds / 3600
    when = f"opens {discord_time(pulse.next_run_at, 'F')}" if pulse.next_run_at else "no run scheduled"
    repeat = "once" if pulse.repeat == "once" else pulse.repeat
    return f"{repeat}, {when}, open {hours:g} h"


def audience_text(pulse: PulseCheck) -> str:
    return (
        "everyone on the server"
        if pulse.audience_channel_id is None
        else f"members of <#{pulse.audience_channel_id}>"
    )


def card_embed(
    pulse: PulseCheck, closes_at: datetime, threshold: int, *, closed_answers: int | None = None
) -> discord.Embed:
    """A run's card in the channel: open (how to answer) or closed (how many answered)."""
    lines = [f"**{i}.** {q.text}" for i, q in enumerate(pulse.questions, start=1)]
    embed = discord.Embed(title=pulse.title, description="\n".join(lines), colour=COLOUR)
    if closed_answers is None:
        embed.add_field(
            name="How to answer",
            value=(
                "Press **Answer**: the questions open privately, only you see them. Open until "
                f"{discord_time(closes_at, 'F')} ({discord_time(closes_at, 'R')}), "
                f"for {audience_text(pulse)}."
            ),
            inline=False,
        )
    else:
        embed.add_field(
            name="Closed",
            value=f"This check-in closed with {closed_answers} answer{_s(closed_answers)}. Thank you.",
            inline=False,
        )
    embed.add_field(
        name="Anonymous, by design",
        value=(
            "Your answer only adds one to a count: nothing links it to you, not even for the people who run "
            "the bot. That is also why you can answer once and can't change your answer: changing it would "
            "need the bot to remember what you said, and it deliberately doesn't. Results are shared only "
            f"after it closes, and only if at least {threshold} people answered."
        ),
        inline=False,
    )
    return embed


def closed_note(pulse: PulseCheck, closed: Run, threshold: int) -> str:
    """What the organisers' channel is told when a run closes."""
    enough = closed.answers >= threshold
    return (
        f"Run {closed.number} of **{pulse.title}** has closed with {closed.answers} "
        f"answer{_s(closed.answers)}. "
        + (
            "`/pulse results` shows them."
            if enough
            else f"That's under the {threshold} needed to show results safely, so they stay hidden."
        )
    )


def created_embed(pulse: PulseCheck, threshold: int) -> discord.Embed:
    """What an organiser sees after saving a pulse check."""
    embed = discord.Embed(title=f"Pulse check #{pulse.pulse_id}: {pulse.title}", colour=COLOUR)
    embed.add_field(
        name="Questions",
        value=clip(
            "\n".join(f"{i}. {q.text}" for i, q in enumerate(pulse.questions, 1)), EMBED_FIELD_VALUE_LIMIT
        ),
        inline=False,
    )
    embed.add_field(name="Schedule", value=schedule_text(pulse), inline=False)
    embed.add_field(
        name="Where",
        value=f"Posted in <#{pulse.channel_id}>, for {audience_text(pulse)}"
        + (f"; broken down by <#{pulse.breakdown_channel_id}>" if pulse.breakdown_channel_id else ""),
        inline=False,
    )
    embed.set_footer(text=f"Results appear after each run closes, with at least {threshold} answers.")
    return embed


def list_embed(pulses: list[PulseCheck], open_now: dict[int, Run], threshold: int) -> discord.Embed:
    """``/pulse list``: every pulse check, its schedule and any run open now."""
    lines = []
    for pulse in pulses:
        line = (
            f"**#{pulse.pulse_id} {pulse.title}** · {pulse.status} · {schedule_text(pulse)} · "
            f"{len(pulse.questions)} question{_s(len(pulse.questions))} · "
            f"{pulse.runs_made} run{_s(pulse.runs_made)} so far · for {audience_text(pulse)}"
        )
        running = open_now.get(pulse.pulse_id)
        if running is not None:
            line += (
                f"\n  ↳ run {running.number} is open until {discord_time(running.closes_at, 'f')} "
                "(results after it closes)"
            )
        lines.append(line)
    embed = discord.Embed(
        title="Pulse checks", description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT), colour=COLOUR
    )
    embed.set_footer(text=f"Results are shown only for closed runs with at least {threshold} answers.")
    return embed


def _question_lines(results: RunResults) -> list[tuple[str, str]]:
    fields = []
    for question in results.questions:
        lines = [f"`{clip(o.label, 40)}` {o.count} ({o.share * 100:.0f}%)" for o in question.options]
        if question.mean is not None:
            lines.append(f"Mean **{question.mean:.1f}** of 5 (from {question.rated} who chose a point)")
        fields.append((clip(f"{question.number}. {question.text}", 256), clip("\n".join(lines), 1024)))
    return fields


def results_embed(results: RunResults) -> discord.Embed:
    """``/pulse results``: a closed run's counts, or why they are not shown."""
    pulse, run = results.pulse, results.run
    # The audience is counted when a run opens, without the members intent, so it can be an
    # under-count (access through roles, people who joined later). Never show more than 100%.
    if run.audience_size and run.answers <= run.audience_size:
        audience = (
            f" from an audience of about {run.audience_size} ({run.answers / run.audience_size * 100:.0f}%)"
        )
    elif run.audience_size:
        audience = " (more than the audience counted when the run opened, so no percentage)"
    else:
        audience = ""
    embed = discord.Embed(
        title=clip(f"{pulse.title}: run {run.number}", 256),
        description=(
            f"Open {discord_time(run.opens_at, 'f')} to {discord_time(run.closes_at, 'f')}. "
            f"**{run.answers} answer{'s' if run.answers != 1 else ''}**{audience}."
        ),
        colour=COLOUR,
    )
    if not results.shown:
        embed.add_field(
            name="Not shown",
            value=(
                "There are not enough answers to show results safely: "
                f"{run.answers} of the {results.threshold} needed. With so few, someone could guess who "
                "said what."
            ),
            inline=False,
        )
        return embed
    for name, value in _question_lines(results):
        embed.add_field(name=name, value=value, inline=False)
    withheld = []
    for group in results.groups:
        where = f"<#{pulse.breakdown_channel_id}>"
        label = f"Members of {where}" if group.name == "in" else f"Not in {where}"
        if group.answers is None:
            withheld.append(f"{label}: not shown ({group.withheld_reason}).")
            continue
        lines = [f"{group.answers} answers"]
        for q in group.questions:
            summary = (
                f"mean {q.mean:.1f}"
                if q.mean is not None
                else ", ".join(f"{clip(o.label, 30)} {o.share * 100:.0f}%" for o in q.options)
            )
            lines.append(f"Q{q.number}: {summary}")
        embed.add_field(name=f"Breakdown: {label}", value=clip("\n".join(lines), 1024), inline=False)
    if withheld:
        embed.add_field(
            name="Breakdown withheld",
            value=clip(
                "\n".join(withheld) + "\nSmall groups are never shown, so no one can be picked out.", 1024
            ),
            inline=False,
        )
    embed.set_footer(text="Counts only: no answer can be traced to anyone.")
    return embed


def trend_note(trend: Trend) -> str:
    return (
        f"**{trend.pulse.title}**: {len(trend.points)} run(s) with at least {trend.threshold} answers"
        + (f"; {trend.withheld_runs} run(s) left out for having fewer." if trend.withheld_runs else ".")
        + " Scales show the mean (1 to 5); choices show each option's share of answers."
    )


def trend_files(trend: Trend, png: bytes) -> list[discord.File]:
    """The chart and the CSV of the aggregates, named after the pulse check."""
    stem = re.sub(r"[^a-z0-9]+", "-", trend.pulse.title.lower()).strip("-") or "pulse"
    return [
        discord.File(io.BytesIO(png), filename=f"{stem}-trend.png", description="Trend chart"),
        discord.File(io.BytesIO(trend_csv(trend).encode()), filename=f"{stem}-trend.csv"),
    ]
