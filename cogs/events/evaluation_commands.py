"""``/event evaluate`` and ``/event evaluation`` (issue #19): workshop evaluation.

A mixin of the Events cog (its subcommands live in one group). An organiser turns on "ask
attendees afterwards" for an event, or for it and the rest of its series; when the event ends,
each student going then gets a DM with a button opening an anonymous form, and months later the
same questions again. Organisers read the distributions, the change between the two, a chart
and a CSV, only when enough answers are counted. Discord glue only: the rules are in
:mod:`bot.services.event_evaluations`.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from babel.core import UnknownLocaleError
from babel.dates import format_datetime
from discord import app_commands
from discord.ext import commands

from bot.clock import from_timestamp
from bot.core import CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.feature import organiser_command
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.event_evaluation_model import (
    DEFAULT_FOLLOW_UP_MONTHS,
    MAX_FOLLOW_UP_MONTHS,
    STAGE_NAMES,
    results_csv,
)
from bot.services.event_evaluations import EvaluationService
from bot.ui import FormValues, parse_id, send_private, show_form, suggest, support_payload
from bot.ui.questions import COMMENT_ID, SUPPORT_INTRO, submitted_choices, thanks
from cogs.events.evaluation_jobs import EvaluationJobs
from cogs.events.evaluation_render import (
    comments_fit,
    configured_reply,
    evaluation_files,
    results_embeds,
    shown_questions,
    shown_words,
)
from cogs.events.evaluation_views import ANSWER_FORM, QUESTIONS_FORM, EvaluationForm, QuestionsForm
from cogs.events.views import SCOPES, SeriesScopeView

if TYPE_CHECKING:
    from bot.services.events import EventService

#: The tables this part keeps about members (the cog's ``personal_tables`` include them).
EVALUATION_TABLES = frozenset(
    {"event_evaluation_cohort", "event_evaluation_invited", "event_evaluation_asked", "pulse_texts"}
)
REWORD_LATER = N_(
    "To reword the questions, run `/event evaluate` again with `questions: True` (before the first "
    "session ends)."
)


class Evaluations(commands.Cog):
    """The workshop evaluation part of the Events cog (``self`` is the cog)."""

    bot: CommonRoomBot
    service: EventService
    evaluations: EvaluationService
    evaluation_jobs: EvaluationJobs

    def init_evaluations(self) -> None:
        self.evaluations = EvaluationService(self.bot.db, self.bot.clock, lambda: self.bot.secret_key)
        self.evaluation_jobs = EvaluationJobs(self.bot, self.evaluations)

    async def load_evaluations(self) -> None:
        """As the cog loads: route the forms, deliver the DMs, arm what the database says is due."""
        self.bot.forms.add(ANSWER_FORM, self.evaluation_form, where="modal event:eval-form")
        self.bot.forms.add(QUESTIONS_FORM, self.questions_form, where="modal event:eval-questions")
        self.evaluation_jobs.register()
        await self.evaluation_jobs.arm()

    async def evaluation_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Upcoming events, then evaluated ones that have happened (latest first)."""
        if interaction.guild is None:
            return []
        tz = ZoneInfo((await self.bot.guild_settings.get(interaction.guild.id)).timezone)
        t = await self.bot.i18n.for_interaction(interaction)
        upcoming = await self.service.upcoming(interaction.guild.id, counts=False)
        seen = {e.event_id for e in upcoming}
        options = [(e.event_id, e.title, e.start) for e in upcoming]
        options += [
            (event_id, title, from_timestamp(starts_at))
            for event_id, title, starts_at in await self.evaluations.evaluated_events(interaction.guild.id)
            if event_id not in seen
        ]
        return suggest(
            (
                (t("{title} · {when} (#{event_id})", title=title, when=_when(start, tz, t), event_id=i), i)
                for i, title, start in options
            ),
            current,
        )

    # -- organisers ------------------------------------------------------------------------

    @organiser_command(
        name="evaluate",
        description=N_("Ask attendees afterwards, anonymously, and months later (organisers)"),
    )
    @app_commands.describe(
        event=N_("The event (or a session of a series)"),
        ask=N_("True: ask attendees when it ends. False: stop asking (no more events, no follow-ups)"),
        follow_up_months=N_("Ask the same people again this many months later (default 6; 0: no follow-up)"),
        free_text=N_("Also offer an optional comment box (shown only in a shuffled list, above the minimum)"),
        scope=N_("For a series: just this session, or this and the rest (asked if left empty)"),
        questions=N_("Reword the questions (a form), before anyone is asked"),
    )
    @app_commands.rename(follow_up_months="follow-up-months", free_text="free-text")
    @app_commands.choices(scope=SCOPES)
    @app_commands.autocomplete(event=evaluation_autocomplete)
    async def evaluate(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        event: int,
        ask: bool = True,
        follow_up_months: app_commands.Range[int, 0, MAX_FOLLOW_UP_MONTHS] = DEFAULT_FOLLOW_UP_MONTHS,
        free_text: bool = False,
        scope: str | None = None,
        questions: bool = False,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        if not ask:
            off = await self.evaluations.turn_off(guild.id, event)
            await self.evaluation_jobs.arm()
            await send_private(
                interaction,
                t(
                    "Evaluation off: {events} event(s) will not be asked about, and {follow_ups}"
                    " follow-up(s) will not be sent (who was due one is forgotten). Questions open now stay"
                    " open until they close; results so far stay in `/event evaluation`.",
                    events=off.events,
                    follow_ups=off.follow_ups,
                ),
            )
            return
        existing = await self.evaluations.of_event(guild.id, event)
        if questions and existing is not None and existing.asked:
            raise UserError(
                "Attendees have already been asked these questions, so their wording is fixed (the answers "
                "straight after and months later must be to the same questions). Nothing was changed."
            )
        apply = partial(self._turn_on, event_id=event, months=follow_up_months, free_text=free_text)
        if scope is None and await self.service.later_in_series(await self.service.get(event, guild.id)):
            view = _scope_view(self, interaction.user.id, partial(apply, questions=False), t)
            await send_private(
                interaction,
                t(
                    "This event is part of a series. Ask the attendees of only this session, or of this one"
                    " and every later one (each student is asked after the first session they attend)?"
                ),
                view=view,
            )
            return
        await apply(interaction, scope or "this", questions=questions)

    async def _turn_on(
        self,
        interaction: discord.Interaction[Any],
        scope: str,
        *,
        event_id: int,
        months: int,
        free_text: bool,
        questions: bool,
    ) -> None:
        assert interaction.guild is not None
        configured = await self.evaluations.turn_on(
            interaction.guild.id, event_id, scope=scope, follow_up_months=months, free_text=free_text
        )
        await self.evaluation_jobs.arm()
        t = await self.bot.i18n.for_interaction(interaction)
        if questions and not interaction.response.is_done():
            await show_form(interaction, QuestionsForm(configured.evaluation, t))
            return
        threshold = await self.evaluations.threshold(interaction.guild.id)
        text = configured_reply(configured, threshold, t)
        await send_private(interaction, text + ("" if configured.evaluation.asked else " " + t(REWORD_LATER)))

    async def questions_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        """The rewording form (``event:eval-questions:<id>``): organisers only, checked here too."""
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise UserError("Evaluations are set up inside the server.")
        if not is_organiser(member, await self.bot.guild_settings.get(guild.id)):
            raise UserError("Only organisers can change an evaluation's questions.")
        evaluation_id = parse_id(match["evaluation_id"])
        evaluation = await self.evaluations.get(guild.id, evaluation_id)
        texts = [values.text(f"q{n}") for n in range(1, len(evaluation.questions) + 1)]
        updated = await self.evaluations.set_questions(guild.id, evaluation_id, texts)
        t = await self.bot.i18n.for_interaction(interaction)
        listed = "\n".join(f"{i}. {shown_words(q.text, t)}" for i, q in enumerate(updated.questions, start=1))
        await send_private(
            interaction, t("Saved. Attendees will be asked (1 to 5, or Prefer not to say):") + f"\n{listed}"
        )

    @organiser_command(
        name="evaluation", description=N_("An event's evaluation results (organisers, private)")
    )
    @app_commands.describe(
        event=N_("The event (or a session of a series)"),
        series=N_("Sum every session of its series"),
        chart=N_("Attach a chart (PNG) of the answers straight after and months later"),
        csv=N_("Attach a CSV of the counts (aggregates only)"),
    )
    @app_commands.autocomplete(event=evaluation_autocomplete)
    async def evaluation(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        event: int,
        series: bool = False,
        chart: bool = False,
        csv: bool = False,
    ) -> None:
        assert interaction.guild is not None
        results = await self.evaluations.results(interaction.guild.id, event, series=series)
        t = await self.bot.i18n.for_interaction(interaction)
        embeds = results_embeds(results, t)
        shown = [(t(STAGE_NAMES[s.stage]), s.questions) for s in results.stages if s.shown]
        note = ""
        if (chart or csv) and not shown:
            note = t(
                "Nothing to chart or export yet: results appear at {threshold} counted answers.",
                threshold=results.threshold,
            )
        png = None
        if chart and shown:
            await interaction.response.defer(ephemeral=True, thinking=True)
            from bot.services.pulse_chart import comparison_png  # matplotlib loads only when asked for

            title = t(
                "{title}: stages with at least {threshold} answers",
                title=results.title,
                threshold=results.threshold,
            )
            # The wording in the reader's language; the options as stored (the chart leaves one out).
            asked = shown_questions(results.evaluation.questions, t, options=False)
            png = await asyncio.to_thread(comparison_png, title, asked, shown)
        csv_text = results_csv(results) if csv and shown else None
        fit = comments_fit(results, embeds, t)
        files = evaluation_files(results, png, csv_text, comments=not fit, t=t)
        await send_private(interaction, note or None, embeds=embeds, files=files)

    # -- attendees -------------------------------------------------------------------------

    async def begin_evaluation(self, interaction: discord.Interaction[Any], run_id: int) -> None:
        """The DM's button: the anonymous form, if this member was asked and may still answer."""
        context = await self.evaluations.check_can_answer(run_id, interaction.user.id)
        t = await self._reader(interaction, context.guild_id)
        await show_form(interaction, EvaluationForm(context, t))

    async def _reader(self, interaction: discord.Interaction[Any], guild_id: int) -> Translator:
        """The attendee's language: the button and form are in a DM, so the server is the run's."""
        locale = None if interaction.locale is None else str(interaction.locale)
        return await self.bot.i18n.for_member(guild_id, interaction.user.id, locale)

    async def evaluation_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        """A submitted answer form: counted (anonymously), and support offered after a hard answer."""
        run_id = parse_id(match["run_id"])
        context = await self.evaluations.context(run_id)
        choices = submitted_choices(values, len(context.questions))
        outcome = await self.evaluations.answer(
            run_id, interaction.user.id, choices, values.optional_text(COMMENT_ID)
        )
        t = await self._reader(interaction, context.guild_id)
        if not outcome.concern:
            await send_private(interaction, thanks(t))
            return
        need = outcome.needs[0] if len(outcome.needs) == 1 else None
        payload = await support_payload(self.bot, context.guild_id, need, intro=t(SUPPORT_INTRO))
        await send_private(interaction, thanks(t, struggling=True), **payload)


def _when(start: datetime, tz: ZoneInfo, t: Translator = SOURCE_TRANSLATOR) -> str:
    local = start.astimezone(tz)
    try:
        return format_datetime(local, "EEE dd MMM yyyy HH:mm", locale=t.locale)
    except (UnknownLocaleError, ValueError):
        return local.strftime("%a %d %b %Y %H:%M")


#: What the series question says while it works, for "only this one" and "this and later".
ASKING = (
    N_("Asking the attendees of only this event…"),
    N_("Asking the attendees of this event and every later one in the series…"),
)


def _scope_view(cog: Any, owner_id: int, apply: Any, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return SeriesScopeView(
        cog, owner_id, apply, doing=ASKING, refusal=N_("Evaluations are for organisers."), t=t
    )
