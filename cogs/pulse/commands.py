"""/pulse: anonymous pulse checks. Organisers set them up and read results; students answer.

Discord glue only: the rules (anonymity, thresholds, schedules) live in :mod:`bot.services.pulse`.
Each run posts a card with a persistent Answer button (:mod:`cogs.pulse.views`); answering happens
in a private form whose submission this cog's form route counts. Nothing about an answer is logged
or kept here. Scheduled work is in :mod:`cogs.pulse.jobs`, embeds in :mod:`cogs.pulse.render`.
"""

from __future__ import annotations

import asyncio
import functools
import re
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import MANAGE_SERVER, ORGANISER, CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.feature import FeatureCog
from bot.i18n import N_
from bot.services.pulse import Pulse as PulseCheck
from bot.services.pulse import PulseService, Run
from bot.services.pulse_model import (
    DEFAULT_OPEN_HOURS,
    MAX_OPEN_HOURS,
    Kind,
    Question,
    Repeat,
    belonging_template,
    make_question,
    parse_start,
)
from bot.ui import (
    ConfirmView,
    FormRouter,
    FormValues,
    parse_id,
    require_bot_permissions,
    send_private,
    show_form,
    suggest,
    support_payload,
)
from bot.ui.questions import SUPPORT_INTRO, thanks
from cogs.pulse.jobs import PulseJobs
from cogs.pulse.render import (
    NO_PULSES,
    created_embed,
    list_embed,
    results_embed,
    schedule_text,
    trend_files,
    trend_note,
)
from cogs.pulse.views import FORM_ROUTE, AnswerModal, submitted_choices

#: What /pulse create and /pulse template ask alike: where, when, for how long, for whom.
SCHEDULE_OPTIONS = {
    "channel": N_("Where each run's card is posted"),
    "start": N_("When the first run opens, in server time (e.g. Monday 10:00)"),
    "open_hours": N_("How long each run takes answers (default 48)"),
    "audience": N_("Only members of this community's channel can answer (default: everyone)"),
    "breakdown": N_("Also count answers from this community separately (shown only when safe)"),
}
assert DEFAULT_OPEN_HOURS == 48, "say the new default in the open_hours description"

#: What /pulse create asks about its three questions; the optional second and third alike.
QUESTION_OPTIONS = {
    "q1": N_("Question 1 (up to 100 characters)"),
    "q1_type": N_("scale: 1 to 5; choice: up to 5 options"),
    "q1_options": N_(
        "Choice: options separated by ; — Scale: the two end labels, e.g. Not at all; Very much"
    ),
    "q2": N_("Question 2 (optional)"),
    "q3": N_("Question 3 (optional)"),
    **{f"q{n}_type": N_("scale or choice") for n in (2, 3)},
    **{f"q{n}_options": N_("Options or end labels, separated by ;") for n in (2, 3)},
}


def check_can_post(channel: discord.abc.GuildChannel) -> discord.TextChannel:
    if not isinstance(channel, discord.TextChannel):
        raise UserError("Pulse check cards go in a text channel. Choose a text channel.")
    require_bot_permissions(channel, then="or choose another channel. Nothing was saved.")
    return channel


def check_channels(
    channel: discord.TextChannel, audience: discord.TextChannel | None, breakdown: discord.TextChannel | None
) -> None:
    """Before anything else is read: the bot can post the cards, and the breakdown is another community."""
    check_can_post(channel)
    if audience is not None and breakdown is not None and audience.id == breakdown.id:
        raise UserError("The breakdown community is the audience itself; choose another community, or none.")


def in_community(member: discord.Member, channel_id: int) -> bool | None:
    """Whether the member belongs to the community whose channel this is (None: channel gone)."""
    channel = member.guild.get_channel(channel_id)
    if channel is None:
        return None
    return channel.permissions_for(member).view_channel


def require_audience(member: discord.Member, pulse: PulseCheck) -> None:
    if pulse.audience_channel_id is None:
        return
    allowed = in_community(member, pulse.audience_channel_id)
    if allowed is None:
        raise UserError("This check-in was for a community that no longer exists, so it can't take answers.")
    if not allowed:
        raise UserError(
            "This check-in is just for members of {channel}, so it isn't open to you. Thank you for "
            "wanting to take part. If you'd like support with anything, `/support` is there for everyone.",
            channel=f"<#{pulse.audience_channel_id}>",
        )


@app_commands.default_permissions(manage_guild=True)
class Pulse(
    FeatureCog[PulseJobs],
    commands.GroupCog,
    group_name="pulse",
    group_description=N_("Anonymous pulse checks: set them up and read the results (organisers)"),
    group_extras=ORGANISER,
):
    #: Pulse answers are anonymous counters; the only member-derived rows are the keyed
    #: "already answered" tokens of open runs (see :mod:`bot.services.pulse`).
    personal_tables: ClassVar[frozenset[str]] = frozenset({"pulse_answered"})

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = PulseService(bot.db, bot.clock, lambda: bot.secret_key, guilds=bot.guild_settings)
        self.jobs = PulseJobs(bot, self.service)

    def add_forms(self, forms: FormRouter) -> None:
        forms.add(FORM_ROUTE, self.answer_form, where="modal pulse:form")

    async def cog_unload(self) -> None:
        # A batch being written reaches the file before the database closes (what is still
        # pooled goes with the process, as docs/pulse.md says).
        await self.service.writes_done()

    # -- answering --------------------------------------------------------------------------

    async def _answerable(
        self, interaction: discord.Interaction[Any], run_id: int
    ) -> tuple[discord.Member, PulseCheck, Run]:
        """The run, if it belongs to this server and this member is in its audience."""
        if not isinstance(interaction.user, discord.Member):
            raise UserError("Please answer inside the server.")
        pulse, run = await self.service.get_run(run_id)
        if interaction.guild_id != run.guild_id:
            raise UserError("This check-in belongs to another server.")
        require_audience(interaction.user, pulse)
        return interaction.user, pulse, run

    async def begin_answer(self, interaction: discord.Interaction[Any], run_id: int) -> None:
        """The Answer button: open the private form, if this member may answer."""
        member, pulse, _run = await self._answerable(interaction, run_id)
        await self.service.check_can_answer(run_id, member.id)
        t = await self.bot.i18n.for_interaction(interaction)
        await show_form(interaction, AnswerModal(pulse, run_id, t))

    async def answer_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        """A submitted answer form: count it, and offer support after a struggling answer."""
        run_id = parse_id(match["run_id"])
        member, pulse, run = await self._answerable(interaction, run_id)
        choices = submitted_choices(values, len(pulse.questions))
        in_group = False
        if pulse.breakdown_channel_id is not None:
            in_group = bool(in_community(member, pulse.breakdown_channel_id))
        outcome = await self.service.answer(run_id, member.id, choices, in_group=in_group)
        t = await self.bot.i18n.for_interaction(interaction)
        if not outcome.concern:
            await send_private(interaction, thanks(t))
            return
        # One need: its contacts; several: the overview. Urgent help comes first either way.
        need = outcome.needs[0] if len(outcome.needs) == 1 else None
        payload = await support_payload(self.bot, run.guild_id, need, intro=t(SUPPORT_INTRO), t=t)
        await send_private(interaction, thanks(t, struggling=True), **payload)

    # -- privacy (MemberData) -----------------------------------------------------------------

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """Nothing: pulse answers are anonymous counters, never linked to a member."""
        data = await self.service.export_member(member_id)
        data["about"] = (
            "Pulse check answers are stored only as anonymous counts, so nothing here is about you. "
            "While a check-in is open the bot keeps a scrambled marker so you can answer only once; "
            "it can't be linked to you without the bot's secret key and is deleted when the check-in closes."
        )
        return data

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """Nothing to erase (see :meth:`bot.services.pulse.PulseService.forget_member`)."""
        return await self.service.forget_member(member_id)

    # -- organiser commands -----------------------------------------------------------------

    async def pulse_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        pulses = await self.service.all(interaction.guild_id)
        newest_first = reversed(pulses)
        return suggest(((f"#{p.pulse_id} {p.title} ({p.status})", p.pulse_id) for p in newest_first), current)

    async def _schedule(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        title: str,
        questions: list[Question],
        channel: discord.TextChannel,
        start: str,
        repeat: str,
        open_hours: int,
        audience: discord.TextChannel | None,
        breakdown: discord.TextChannel | None,
        offer_support: bool = True,
    ) -> None:
        """Save a pulse check starting at ``start`` (server time), arm it, and tell the organiser."""
        assert interaction.guild is not None
        tz = await self.service.timezone(interaction.guild.id)
        pulse = await self.service.create(
            interaction.guild.id,
            title=title,
            questions=questions,
            channel_id=channel.id,
            first_run_local=parse_start(start, tz, self.bot.clock.now()),
            repeat=repeat,
            open_hours=open_hours,
            audience_channel_id=audience.id if audience else None,
            breakdown_channel_id=breakdown.id if breakdown else None,
            offer_support=offer_support,
        )
        if pulse.next_run_at is not None:
            self.jobs.arm_open(pulse.pulse_id, pulse.next_run_at)
        threshold = await self.service.threshold(pulse.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t("Saved. Here's what students will be asked:"),
            embed=created_embed(pulse, threshold, t),
        )

    @app_commands.command(
        name="create", description=N_("Set up a pulse check: up to 3 questions on a schedule")
    )
    @app_commands.describe(
        title=N_("A short title, shown on the card"),
        **SCHEDULE_OPTIONS,
        **QUESTION_OPTIONS,
        repeat=N_("Once, or repeating at the same server time"),
        prefer_not_to_say=N_("Offer 'Prefer not to say' on every question (default yes)"),
        offer_support=N_("Show support privately after low wellbeing answers (default yes)"),
    )
    async def create(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        title: app_commands.Range[str, 1, 80],
        channel: discord.TextChannel,
        start: app_commands.Range[str, 1, 100],
        q1: app_commands.Range[str, 1, 200],
        q1_type: Kind,
        q1_options: str | None = None,
        q2: app_commands.Range[str, 1, 200] | None = None,
        q2_type: Kind = "scale",
        q2_options: str | None = None,
        q3: app_commands.Range[str, 1, 200] | None = None,
        q3_type: Kind = "scale",
        q3_options: str | None = None,
        repeat: Repeat = "once",
        open_hours: app_commands.Range[int, 1, MAX_OPEN_HOURS] = DEFAULT_OPEN_HOURS,
        audience: discord.TextChannel | None = None,
        breakdown: discord.TextChannel | None = None,
        prefer_not_to_say: bool = True,
        offer_support: bool = True,
    ) -> None:
        check_channels(channel, audience, breakdown)
        questions: list[Question] = []
        for number, (text, kind, options) in enumerate(
            ((q1, q1_type, q1_options), (q2, q2_type, q2_options), (q3, q3_type, q3_options)), start=1
        ):
            if text is None:
                if options:
                    raise UserError(
                        "You gave options for question {number} but no question {number}.", number=number
                    )
                continue
            questions.append(
                make_question(
                    len(questions) + 1,
                    text,
                    kind,
                    options,
                    prefer_not=prefer_not_to_say,
                    offer_support=offer_support,
                )
            )
        await self._schedule(
            interaction,
            title,
            questions,
            channel,
            start,
            repeat,
            open_hours,
            audience,
            breakdown,
            offer_support,
        )

    @app_commands.command(name="template", description=N_("Set up the ready-made belonging check-in"))
    @app_commands.describe(**SCHEDULE_OPTIONS, repeat=N_("How often (default weekly)"))
    async def template(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        start: app_commands.Range[str, 1, 100],
        repeat: Repeat = "weekly",
        open_hours: app_commands.Range[int, 1, MAX_OPEN_HOURS] = DEFAULT_OPEN_HOURS,
        audience: discord.TextChannel | None = None,
        breakdown: discord.TextChannel | None = None,
    ) -> None:
        check_channels(channel, audience, breakdown)
        title, questions = belonging_template()
        await self._schedule(
            interaction, title, questions, channel, start, repeat, open_hours, audience, breakdown
        )

    @app_commands.command(name="list", description=N_("The server's pulse checks and when they next run"))
    async def list_(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        pulses = await self.service.all(interaction.guild.id)
        if not pulses:
            await send_private(interaction, t(NO_PULSES))
            return
        open_now = await self.service.open_runs_by_pulse(interaction.guild.id)
        threshold = await self.service.threshold(interaction.guild.id)
        await send_private(interaction, embed=list_embed(pulses, open_now, threshold, t))

    @app_commands.command(name="pause", description=N_("Stop a pulse check from posting new runs"))
    @app_commands.describe(pulse=N_("The pulse check"))
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def pause(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        paused = await self.service.pause(interaction.guild.id, pulse)
        self.jobs.cancel(paused.pulse_id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t(
                "Paused **{title}**. No new runs will be posted until you `/pulse resume` it; a run that "
                "is open now stays open until it closes.",
                title=t(paused.title),
            ),
        )

    @app_commands.command(name="resume", description=N_("Start a paused pulse check again"))
    @app_commands.describe(pulse=N_("The pulse check"))
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def resume(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        resumed = await self.service.resume(interaction.guild.id, pulse)
        if resumed.next_run_at is not None:
            self.jobs.arm_open(resumed.pulse_id, resumed.next_run_at)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t("Resumed **{title}**: {schedule}.", title=t(resumed.title), schedule=schedule_text(resumed, t)),
        )

    @app_commands.command(name="delete", description=N_("Delete a pulse check and all its results"))
    @app_commands.describe(pulse=N_("The pulse check"))
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def delete(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        found = await self.service.get(interaction.guild.id, pulse)
        t = await self.bot.i18n.for_interaction(interaction)
        confirm = ConfirmView(
            interaction.user.id,
            functools.partial(self._delete_confirmed, guild_id=interaction.guild.id, pulse_id=found.pulse_id),
            confirm_label=t("Delete it and its results"),
            cancel_label=t("Keep it"),
            cancelled=t("Kept. Nothing was deleted."),
        )
        await send_private(
            interaction,
            t(
                "Delete **{title}** with all {n} run(s) and their results? This can't be undone.",
                title=t(found.title),
                n=found.runs_made,
            ),
            view=confirm,
        )

    async def _delete_confirmed(
        self, interaction: discord.Interaction[Any], *, guild_id: int, pulse_id: int
    ) -> None:
        assert isinstance(interaction.user, discord.Member)
        config = await self.bot.guild_settings.get(guild_id)
        if not is_organiser(interaction.user, config):
            raise UserError("Only organisers can delete pulse checks.")
        pulse, runs = await self.service.delete(guild_id, pulse_id)
        self.jobs.cancel(pulse.pulse_id, runs)
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.edit_message(
            content=t("Deleted **{title}**, its runs and their counts.", title=t(pulse.title)), view=None
        )
        await self.jobs.withdraw_cards(runs)

    @app_commands.command(name="results", description=N_("Counts and percentages of a closed run"))
    @app_commands.describe(pulse=N_("The pulse check"), run=N_("Run number (default: the latest closed run)"))
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def results(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        pulse: int,
        run: app_commands.Range[int, 1, 100000] | None = None,
    ) -> None:
        assert interaction.guild is not None
        results = await self.service.results(interaction.guild.id, pulse, run)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, embed=results_embed(results, t))

    @app_commands.command(name="trend", description=N_("A chart of each question across runs, with a CSV"))
    @app_commands.describe(
        pulse=N_("The pulse check"), post_to=N_("Show it only to you, or post it in the organisers' channel")
    )
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def trend(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        pulse: int,
        post_to: Literal["me", "organisers"] = "me",
    ) -> None:
        assert interaction.guild is not None
        trend = await self.service.trend(interaction.guild.id, pulse)
        if not trend.points:
            raise UserError(
                "No closed run of **{title}** has the {threshold} answers needed to show results safely yet, "
                "so there is nothing to chart.",
                title=trend.pulse.title,
                threshold=trend.threshold,
            )
        target: discord.TextChannel | None = None
        if post_to == "organisers":
            config = await self.bot.guild_settings.get(interaction.guild.id)
            channel_id = config.channel("organisers")
            found = interaction.guild.get_channel(channel_id) if channel_id else None
            if not isinstance(found, discord.TextChannel):
                raise UserError(
                    "There's no organisers' channel yet. A server admin can choose one with "
                    "`/setup channel purpose:organisers`, or use `post_to: me`."
                )
            target = check_can_post(found)
        await interaction.response.defer(ephemeral=True, thinking=True)
        from bot.services.pulse_chart import trend_png  # matplotlib loads only when a chart is asked for

        t = await self.bot.i18n.for_interaction(interaction)
        if target is None:
            png = await asyncio.to_thread(trend_png, trend, t)
            await interaction.followup.send(
                trend_note(trend, t), files=trend_files(trend, png, t), ephemeral=True
            )
            return
        # A post in the organisers' channel: the server's voice (the chart in its first language).
        voice = await self.bot.i18n.for_guild(interaction.guild.id)
        png = await asyncio.to_thread(trend_png, trend, voice.primary)
        await target.send(
            voice.text(lambda each: trend_note(trend, each)),
            files=trend_files(trend, png, voice.primary),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        await interaction.followup.send(t("Posted in {channel}.", channel=target.mention), ephemeral=True)

    @app_commands.command(
        name="threshold",
        description=N_("Fewest answers before results are shown (5 or more)"),
        extras=MANAGE_SERVER,
    )
    @app_commands.describe(minimum=N_("At least 5; 10 is the default"))
    async def threshold(
        self, interaction: discord.Interaction[CommonRoomBot], minimum: app_commands.Range[int, 1, 100]
    ) -> None:
        assert interaction.guild is not None
        value = await self.service.set_threshold(interaction.guild.id, minimum)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction, t("Done. Results are now shown only for runs with at least {n} answers.", n=value)
        )
