"""What organisers and students see of a pulse check: pure functions from service values to embeds.

No Discord calls and no database: each takes what :mod:`bot.services.pulse` returns. Private
replies take the reader's :class:`~bot.i18n.Translator`; posts in a channel (a run's card, the note
at close) take the server's :class:`~bot.i18n.Voice`. A pulse check's own words (its title,
questions and options) are shown through the translator too: an organiser's words are not in the
catalogue and stay as typed, while the ready-made check-in's and "Prefer not to say" are.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime

import discord

from bot.clock import discord_time
from bot.i18n import (
    BILINGUAL_SEPARATOR,
    N_,
    SOURCE_TRANSLATOR,
    Message,
    Translator,
    Voice,
    join_languages,
)
from bot.services.pulse import Pulse as PulseCheck
from bot.services.pulse import Run
from bot.services.pulse_model import BY_SUBTRACTION, FEWER_THAN, NO_ANSWERS, NOT_ENOUGH_OVERALL
from bot.services.pulse_results import RunResults, Trend, trend_csv
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    clip,
)
from bot.ui.questions import option_label

COLOUR = discord.Colour.teal()
#: English, for callers that don't give a voice.
ENGLISH = Voice((SOURCE_TRANSLATOR,))

NO_PULSES = N_("No pulse checks yet. `/pulse template` sets up the belonging check-in in one step.")
# Translators: {when} is a date and time; {hours} a number of hours.
SCHEDULE: dict[str, tuple[Message, Message]] = {
    "once": (N_("once, opens {when}, open {hours} h"), N_("once, no run scheduled, open {hours} h")),
    "daily": (N_("daily, opens {when}, open {hours} h"), N_("daily, no run scheduled, open {hours} h")),
    "weekly": (N_("weekly, opens {when}, open {hours} h"), N_("weekly, no run scheduled, open {hours} h")),
    "fortnightly": (
        N_("fortnightly, opens {when}, open {hours} h"),
        N_("fortnightly, no run scheduled, open {hours} h"),
    ),
    "monthly": (N_("monthly, opens {when}, open {hours} h"), N_("monthly, no run scheduled, open {hours} h")),
}
HOW_TO_ANSWER = N_("How to answer")
CLOSED = N_("Closed")
ANONYMOUS = N_("Anonymous, by design")
STATUS: dict[str, Message] = {"active": N_("active"), "paused": N_("paused"), "finished": N_("finished")}
#: Why a group of a breakdown is withheld, as :func:`bot.services.pulse_model.safe_partition` says.
WITHHELD = (NOT_ENOUGH_OVERALL, NO_ANSWERS, BY_SUBTRACTION)


def schedule_text(pulse: PulseCheck, t: Translator = SOURCE_TRANSLATOR) -> str:
    hours = f"{pulse.open_seconds / 3600:g}"
    scheduled, unscheduled = SCHEDULE.get(pulse.repeat, SCHEDULE["once"])
    if pulse.next_run_at:
        return t(scheduled, when=discord_time(pulse.next_run_at, "F"), hours=hours)
    return t(unscheduled, hours=hours)


def audience_text(pulse: PulseCheck, t: Translator = SOURCE_TRANSLATOR) -> str:
    if pulse.audience_channel_id is None:
        return t("everyone on the server")
    return t("members of {channel}", channel=f"<#{pulse.audience_channel_id}>")


def _voiced(
    voice: Voice, draw: Callable[[Translator], str], limit: int, separator: str = BILINGUAL_SEPARATOR
) -> str:
    """``draw`` in each of the voice's languages, the same text only once (an organiser's own
    words read the same in both), within ``limit``."""
    return join_languages(list(dict.fromkeys(draw(t) for t in voice.translators)), limit, separator)


def card_embed(
    pulse: PulseCheck,
    closes_at: datetime,
    threshold: int,
    *,
    closed_answers: int | None = None,
    voice: Voice = ENGLISH,
) -> discord.Embed:
    """A run's card in the channel, in the server's voice: open (how to answer) or closed (how
    many answered)."""
    title = _voiced(voice, lambda t: t(pulse.title), EMBED_TITLE_LIMIT, " / ")

    def questions(t: Translator) -> str:
        return "\n".join(f"**{i}.** {t(q.text)}" for i, q in enumerate(pulse.questions, start=1))

    embed = discord.Embed(
        title=title, description=_voiced(voice, questions, EMBED_DESCRIPTION_LIMIT), colour=COLOUR
    )
    if closed_answers is None:
        embed.add_field(
            name=voice.label(HOW_TO_ANSWER, EMBED_FIELD_NAME_LIMIT),
            value=voice.text(
                lambda t: t(
                    "Press **Answer**: the questions open privately, only you see them. Open until "
                    "{when} ({relative}), for {audience}.",
                    when=discord_time(closes_at, "F"),
                    relative=discord_time(closes_at, "R"),
                    audience=audience_text(pulse, t),
                ),
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    else:
        embed.add_field(
            name=voice.label(CLOSED, EMBED_FIELD_NAME_LIMIT),
            value=voice.text(
                lambda t: t.ngettext(
                    "This check-in closed with {n} answer. Thank you.",
                    "This check-in closed with {n} answers. Thank you.",
                    closed_answers,
                ),
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    embed.add_field(
        name=voice.label(ANONYMOUS, EMBED_FIELD_NAME_LIMIT),
        value=voice.text(
            lambda t: t(
                "Your answer only adds one to a count: nothing links it to you, not even for the people "
                "who run the bot. That is also why you can answer once and can't change your answer: "
                "changing it would need the bot to remember what you said, and it deliberately doesn't. "
                "Results are shared only after it closes, and only if at least {threshold} people answered.",
                threshold=threshold,
            ),
            EMBED_FIELD_VALUE_LIMIT,
        ),
        inline=False,
    )
    return embed


def closed_note(pulse: PulseCheck, closed: Run, threshold: int, voice: Voice = ENGLISH) -> str:
    """What the organisers' channel is told when a run closes (the server's voice)."""
    enough = closed.answers >= threshold

    def draw(t: Translator) -> str:
        first = t.ngettext(
            "Run {number} of **{title}** has closed with {n} answer.",
            "Run {number} of **{title}** has closed with {n} answers.",
            closed.answers,
            number=closed.number,
            title=t(pulse.title),
        )
        then = (
            t("`/pulse results` shows them.")
            if enough
            else t(
                "That's under the {threshold} needed to show results safely, so they stay hidden.",
                threshold=threshold,
            )
        )
        return f"{first} {then}"

    return voice.text(draw)


def created_embed(pulse: PulseCheck, threshold: int, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    """What an organiser sees after saving a pulse check."""
    embed = discord.Embed(
        title=clip(
            t("Pulse check #{id}: {title}", id=pulse.pulse_id, title=t(pulse.title)), EMBED_TITLE_LIMIT
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name=t("Questions"),
        value=clip(
            "\n".join(f"{i}. {t(q.text)}" for i, q in enumerate(pulse.questions, 1)), EMBED_FIELD_VALUE_LIMIT
        ),
        inline=False,
    )
    embed.add_field(name=t("Schedule"), value=schedule_text(pulse, t), inline=False)
    where = (
        t(
            "Posted in {channel}, for {audience}; broken down by {breakdown}",
            channel=f"<#{pulse.channel_id}>",
            audience=audience_text(pulse, t),
            breakdown=f"<#{pulse.breakdown_channel_id}>",
        )
        if pulse.breakdown_channel_id
        else t(
            "Posted in {channel}, for {audience}",
            channel=f"<#{pulse.channel_id}>",
            audience=audience_text(pulse, t),
        )
    )
    embed.add_field(name=t("Where"), value=clip(where, EMBED_FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(
        text=t(
            "Results appear after each run closes, with at least {threshold} answers.", threshold=threshold
        )
    )
    return embed


def list_embed(
    pulses: list[PulseCheck], open_now: dict[int, Run], threshold: int, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """``/pulse list``: every pulse check, its schedule and any run open now."""
    lines = []
    for pulse in pulses:
        line = " · ".join(
            [
                f"**#{pulse.pulse_id} {t(pulse.title)}**",
                t(STATUS[pulse.status]) if pulse.status in STATUS else pulse.status,
                schedule_text(pulse, t),
                t.ngettext("{n} question", "{n} questions", len(pulse.questions)),
                t.ngettext("{n} run so far", "{n} runs so far", pulse.runs_made),
                t("for {audience}", audience=audience_text(pulse, t)),
            ]
        )
        running = open_now.get(pulse.pulse_id)
        if running is not None:
            line += "\n  ↳ " + t(
                "run {number} is open until {when} (results after it closes)",
                number=running.number,
                when=discord_time(running.closes_at, "f"),
            )
        lines.append(line)
    embed = discord.Embed(
        title=t("Pulse checks"), description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT), colour=COLOUR
    )
    embed.set_footer(
        text=t(
            "Results are shown only for closed runs with at least {threshold} answers.", threshold=threshold
        )
    )
    return embed


def _label(pulse: PulseCheck, number: int, index: int, fallback: str, t: Translator) -> str:
    """An option's label in ``t``'s language (the pulse check's question ``number``, option ``index``)."""
    if 0 < number <= len(pulse.questions) and index < len(pulse.questions[number - 1].options):
        return option_label(pulse.questions[number - 1], index, t)
    return t(fallback)


def _question_lines(results: RunResults, t: Translator) -> list[tuple[str, str]]:
    fields = []
    for question in results.questions:
        labels = [
            _label(results.pulse, question.number, i, o.label, t) for i, o in enumerate(question.options)
        ]
        lines = [
            f"`{clip(label, 40)}` {o.count} ({o.share * 100:.0f}%)"
            for label, o in zip(labels, question.options, strict=True)
        ]
        if question.mean is not None:
            lines.append(
                t.ngettext(
                    "Mean **{mean}** of 5 (from {n} who chose a point)",
                    "Mean **{mean}** of 5 (from {n} who chose a point)",
                    question.rated,
                    mean=f"{question.mean:.1f}",
                )
            )
        fields.append(
            (
                clip(f"{question.number}. {t(question.text)}", EMBED_FIELD_NAME_LIMIT),
                clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT),
            )
        )
    return fields


def _withheld_reason(t: Translator, reason: str | None, threshold: int) -> str:
    for known in WITHHELD:
        if reason == known:
            return t(known)
    if reason == FEWER_THAN.format(threshold=threshold):
        return t(FEWER_THAN, threshold=threshold)
    return reason or ""


def results_embed(results: RunResults, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    """``/pulse results``: a closed run's counts, or why they are not shown."""
    pulse, run = results.pulse, results.run
    # The audience is counted when a run opens, without the members intent, so it can be an
    # under-count (access through roles, people who joined later). Never show more than 100%.
    if run.audience_size and run.answers <= run.audience_size:
        description = t.ngettext(
            "Open {opens} to {closes}. **{n} answer** from an audience of about {size} ({share}%).",
            "Open {opens} to {closes}. **{n} answers** from an audience of about {size} ({share}%).",
            run.answers,
            opens=discord_time(run.opens_at, "f"),
            closes=discord_time(run.closes_at, "f"),
            size=run.audience_size,
            share=f"{run.answers / run.audience_size * 100:.0f}",
        )
    elif run.audience_size:
        description = t.ngettext(
            "Open {opens} to {closes}. **{n} answer** (more than the audience counted when the run "
            "opened, so no percentage).",
            "Open {opens} to {closes}. **{n} answers** (more than the audience counted when the run "
            "opened, so no percentage).",
            run.answers,
            opens=discord_time(run.opens_at, "f"),
            closes=discord_time(run.closes_at, "f"),
        )
    else:
        description = t.ngettext(
            "Open {opens} to {closes}. **{n} answer**.",
            "Open {opens} to {closes}. **{n} answers**.",
            run.answers,
            opens=discord_time(run.opens_at, "f"),
            closes=discord_time(run.closes_at, "f"),
        )
    embed = discord.Embed(
        title=clip(t("{title}: run {number}", title=t(pulse.title), number=run.number), EMBED_TITLE_LIMIT),
        description=description,
        colour=COLOUR,
    )
    if not results.shown:
        embed.add_field(
            name=t("Not shown"),
            value=t(
                "There are not enough answers to show results safely: {n} of the {threshold} needed. With "
                "so few, someone could guess who said what.",
                n=run.answers,
                threshold=results.threshold,
            ),
            inline=False,
        )
        return embed
    for name, value in _question_lines(results, t):
        embed.add_field(name=name, value=value, inline=False)
    withheld = []
    for group in results.groups:
        where = f"<#{pulse.breakdown_channel_id}>"
        inside = group.name == "in"
        if group.answers is None:
            reason = _withheld_reason(t, group.withheld_reason, results.threshold)
            withheld.append(
                t("Members of {channel}: not shown ({reason}).", channel=where, reason=reason)
                if inside
                else t("Not in {channel}: not shown ({reason}).", channel=where, reason=reason)
            )
            continue
        lines = [t.ngettext("{n} answer", "{n} answers", group.answers)]
        for q in group.questions:
            summary = (
                t("mean {mean}", mean=f"{q.mean:.1f}")
                if q.mean is not None
                else ", ".join(
                    f"{clip(_label(pulse, q.number, i, o.label, t), 30)} {o.share * 100:.0f}%"
                    for i, o in enumerate(q.options)
                )
            )
            lines.append(t("Q{number}: {summary}", number=q.number, summary=summary))
        name = (
            t("Breakdown: Members of {channel}", channel=where)
            if inside
            else t("Breakdown: Not in {channel}", channel=where)
        )
        embed.add_field(name=name, value=clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT), inline=False)
    if withheld:
        embed.add_field(
            name=t("Breakdown withheld"),
            value=clip(
                "\n".join([*withheld, t("Small groups are never shown, so no one can be picked out.")]),
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text=t("Counts only: no answer can be traced to anyone."))
    return embed


def trend_note(trend: Trend, t: Translator = SOURCE_TRANSLATOR) -> str:
    first = t(
        "**{title}**: {n} run(s) with at least {threshold} answers",
        title=t(trend.pulse.title),
        n=len(trend.points),
        threshold=trend.threshold,
    )
    left_out = (
        t("; {n} run(s) left out for having fewer.", n=trend.withheld_runs) if trend.withheld_runs else "."
    )
    return (
        first
        + left_out
        + " "
        + t("Scales show the mean (1 to 5); choices show each option's share of answers.")
    )


def trend_files(trend: Trend, png: bytes, t: Translator = SOURCE_TRANSLATOR) -> list[discord.File]:
    """The chart and the CSV of the aggregates, named after the pulse check."""
    stem = re.sub(r"[^a-z0-9]+", "-", trend.pulse.title.lower()).strip("-") or "pulse"
    return [
        discord.File(io.BytesIO(png), filename=f"{stem}-trend.png", description=t("Trend chart")),
        discord.File(io.BytesIO(trend_csv(trend).encode()), filename=f"{stem}-trend.csv"),
    ]
