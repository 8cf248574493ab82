"""/pulse: anonymous pulse checks. Organisers set them up and read results; students answer.

Discord glue only: the rules (anonymity, thresholds, schedules) live in
:mod:`bot.services.pulse`. Each run posts a card with a persistent Answer button
(:class:`AnswerButton`, a DynamicItem, so it works after a restart); answering happens in a
private modal. Nothing about an answer is logged or kept here.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
from datetime import datetime
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time
from bot.core import MANAGE_SERVER, ORGANISER, CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.services.pulse import (
    Pulse,
    PulseService,
    RunOpened,
    RunResults,
    Skipped,
    trend_csv,
)
from bot.services.pulse_model import (
    DEFAULT_OPEN_HOURS,
    MAX_OPEN_HOURS,
    Question,
    belonging_template,
    make_question,
    parse_start,
)
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    MODAL_TITLE_LIMIT,
    SELECT_LABEL_LIMIT,
    BaseModal,
    BaseView,
    clip,
    handle_interaction_error,
    report_user_error,
    require_bot_permissions,
    send_private,
)

log = logging.getLogger(__name__)

RepeatChoice = Literal["once", "daily", "weekly", "fortnightly", "monthly"]
KindChoice = Literal["scale", "choice"]
COLOUR = discord.Colour.teal()

NATIONAL_LINES = (
    ("Samaritans", "Call **116 123**, free, any time, day or night."),
    ("Shout", "Text **SHOUT** to **85258**, free, any time."),
    ("NHS 111", "Call **111** for urgent medical help that isn't an emergency."),
    ("Emergency", "Call **999** if you or someone else is in danger."),
)


def fallback_support() -> dict[str, Any]:
    embed = discord.Embed(
        title="Support, if you'd like it",
        description=(
            "Thank you for answering honestly. If things are hard at the moment, you don't have to wait "
            "or go through anyone to get help. These are free and confidential:"
        ),
        colour=discord.Colour.green(),
    )
    for name, value in NATIONAL_LINES:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text="Only you can see this. Nothing is recorded about who saw it.")
    return {"embeds": [embed]}


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _me(guild: discord.Guild) -> discord.Member:
    me = guild.me
    assert me is not None
    return me


def check_can_post(channel: discord.abc.GuildChannel) -> discord.TextChannel:
    if not isinstance(channel, discord.TextChannel):
        raise UserError("Pulse check cards go in a text channel. Choose a text channel.")
    require_bot_permissions(channel, then="or choose another channel. Nothing was saved.")
    return channel


def audience_size(guild: discord.Guild, channel_id: int | None) -> int | None:
    """About how many members can answer: the server, or those who can see a community's channel.

    Without the members intent the bot can't list members, so a community is counted from its
    channel's permission overwrites (members given access, and cached members of roles given access).
    """
    if channel_id is None:
        return guild.member_count
    channel = guild.get_channel(channel_id)
    if channel is None:
        return None
    if channel.permissions_for(guild.default_role).view_channel:
        return guild.member_count
    me = guild.me.id if guild.me is not None else None
    ids: set[int] = set()
    for target, overwrite in channel.overwrites.items():
        if overwrite.view_channel is not True:
            continue
        if isinstance(target, discord.Role):
            if not target.is_default():
                ids.update(m.id for m in target.members if not m.bot)
        elif target.id != me:
            ids.add(target.id)
    return len(ids)


def in_community(member: discord.Member, channel_id: int) -> bool | None:
    """Whether the member belongs to the community whose channel this is (None: channel gone)."""
    channel = member.guild.get_channel(channel_id)
    if channel is None:
        return None
    return channel.permissions_for(member).view_channel


def schedule_text(pulse: Pulse) -> str:
    hours = pulse.open_seconds / 3600
    when = f"opens {discord_time(pulse.next_run_at, 'F')}" if pulse.next_run_at else "no run scheduled"
    repeat = "once" if pulse.repeat == "once" else pulse.repeat
    return f"{repeat}, {when}, open {hours:g} h"


def audience_text(pulse: Pulse) -> str:
    return (
        "everyone on the server"
        if pulse.audience_channel_id is None
        else f"members of <#{pulse.audience_channel_id}>"
    )


def card_embed(
    pulse: Pulse, closes_at: datetime, threshold: int, *, closed_answers: int | None = None
) -> discord.Embed:
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


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pulse:answer:(?P<run_id>\d{1,19})"
):
    """The Answer button on a run's card. Works after a restart (the run id is in its custom id)."""

    def __init__(self, run_id: int, *, disabled: bool = False) -> None:
        self.run_id = run_id
        super().__init__(
            discord.ui.Button(
                label="Answer" if not disabled else "Closed",
                emoji="📝",
                style=discord.ButtonStyle.primary,
                custom_id=f"pulse:answer:{run_id}",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(int(match["run_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog(interaction).begin_answer(interaction, self.run_id)
        except UserError as error:
            await report_user_error(interaction, error)
        except Exception as error:
            await handle_interaction_error(interaction, error, "button pulse:answer")


def card_view(run_id: int, *, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(run_id, disabled=disabled))
    return view


def _cog(interaction: discord.Interaction[Any]) -> PulseCog:
    cog = interaction.client.get_cog("PulseCog")
    if not isinstance(cog, PulseCog):
        raise UserError("Pulse checks are not available right now. Please try again in a moment.")
    return cog


FORM_ID = re.compile(r"pulse:form:(?P<run_id>\d{1,19}):\d{1,15}")


class AnswerModal(BaseModal):
    """The private form: one select per question, custom ids ``q1``, ``q2``, ``q3``.

    Its submission is handled by :meth:`PulseCog.on_interaction` from the submitted values alone,
    not by this object, so a form that was open while the bot restarted still counts. Each form
    gets its own custom id (a random number, which metrics labels leave out): discord.py keeps
    open modals by custom id, and with a shared one a second student's open form would replace
    the first one's.
    """

    def __init__(self, pulse: Pulse, run_id: int) -> None:
        form = secrets.randbelow(10**15)
        super().__init__(
            title=clip(pulse.title, MODAL_TITLE_LIMIT), custom_id=f"pulse:form:{run_id}:{form}", timeout=1800
        )
        self.add_item(
            discord.ui.TextDisplay(
                "Only you see this form. Your answer is added to a count and never linked to you, so it "
                "can't be changed once sent."
            )
        )
        for number, question in enumerate(pulse.questions, start=1):
            select = discord.ui.Select[Any](
                custom_id=f"q{number}",
                placeholder="Choose an answer",
                options=[
                    discord.SelectOption(
                        label=clip(question.option_label(i), SELECT_LABEL_LIMIT), value=str(i)
                    )
                    for i in range(len(question.options))
                ],
                required=True,
            )
            self.add_item(
                discord.ui.Label(
                    text=f"Question {number}", description=clip(question.text, 100), component=select
                )
            )

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        """Nothing here: :meth:`PulseCog.on_interaction` counts the answer."""


def submitted_choices(data: Any, questions: int) -> list[int]:
    """The option chosen for each question, read from a modal submission's raw components."""
    values: dict[str, list[str]] = {}

    def walk(components: Any) -> None:
        for component in components or []:
            if not isinstance(component, dict):
                continue
            if "components" in component:
                walk(component["components"])
            if "component" in component:
                walk([component["component"]])
            custom_id = component.get("custom_id")
            if isinstance(custom_id, str) and isinstance(component.get("values"), list):
                values[custom_id] = [str(v) for v in component["values"]]

    walk((data or {}).get("components"))
    choices = []
    for number in range(1, questions + 1):
        chosen = values.get(f"q{number}") or []
        if len(chosen) != 1 or not chosen[0].isdigit():
            raise UserError('Please answer every question ("Prefer not to say" is fine where offered).')
        choices.append(int(chosen[0]))
    return choices


class ConfirmDelete(BaseView):
    def __init__(self, cog: PulseCog, guild_id: int, pulse_id: int) -> None:
        super().__init__(timeout=300)
        self.cog = cog
        self.guild_id = guild_id
        self.pulse_id = pulse_id

    @discord.ui.button(label="Delete it and its results", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        assert isinstance(interaction.user, discord.Member)
        config = await self.cog.bot.guild_settings.get(self.guild_id)
        if not is_organiser(interaction.user, config):
            raise UserError("Only organisers can delete pulse checks.")
        pulse, runs = await self.cog.service.delete(self.guild_id, self.pulse_id)
        self.cog.bot.scheduler.cancel(f"pulse:open:{pulse.pulse_id}")
        for run in runs:
            self.cog.bot.scheduler.cancel(f"pulse:close:{run.run_id}")
        await interaction.response.edit_message(
            content=f"Deleted **{pulse.title}**, its runs and their counts.", view=None
        )
        for run in runs:
            if run.status == "open" and run.message_id is not None:
                await self.cog.retire_card(
                    run.channel_id, run.message_id, "This check-in was withdrawn by the organisers."
                )

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="Kept. Nothing was deleted.", view=None)


@app_commands.default_permissions(manage_guild=True)
class PulseCog(
    commands.GroupCog,
    group_name="pulse",
    group_description="Anonymous pulse checks: set them up and read the results (organisers)",
    group_extras=ORGANISER,
):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = PulseService(bot.db, bot.clock, lambda: bot.secret_key, guilds=bot.guild_settings)

    # -- start-up: the database says what is due ------------------------------------------

    async def cog_load(self) -> None:
        for _guild_id, pulse_id, when in await self.service.due_pulses():
            self.arm_open(pulse_id, when)
        for run in await self.service.open_runs():
            self.arm_close(run.run_id, run.closes_at)
            if run.message_id is None:
                # Opened, but the bot stopped before its card was posted: post it now.
                self.bot.scheduler.at(
                    f"pulse:card:{run.run_id}", self.bot.clock.now(), self.card_job, run.run_id
                )

    async def card_job(self, run_id: int) -> None:
        try:
            await self.bot.wait_until_ready()
            pulse, run = await self.service.get_run(run_id)
            if run.status == "open" and run.message_id is None and run.closes_at > self.bot.clock.now():
                await self.post_card(RunOpened(pulse, run))
        except Exception:
            log.exception("Could not post the card of pulse run %s", run_id)

    def arm_open(self, pulse_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            f"pulse:open:{pulse_id}", max(when, self.bot.clock.now()), self.open_job, pulse_id
        )

    def arm_close(self, run_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            f"pulse:close:{run_id}", max(when, self.bot.clock.now()), self.close_job, run_id
        )

    async def open_job(self, pulse_id: int) -> None:
        try:
            await self.bot.wait_until_ready()
            pulse = await self._find(pulse_id)
            if pulse is None:
                return
            guild = self.bot.get_guild(pulse.guild_id)
            size = audience_size(guild, pulse.audience_channel_id) if guild is not None else None
            outcome = await self.service.open_run(pulse_id, audience_size=size)
            if isinstance(outcome, RunOpened):
                self.arm_close(outcome.run.run_id, outcome.run.closes_at)
                await self.post_card(outcome)
                pulse = outcome.pulse
            elif isinstance(outcome, Skipped):
                pulse = outcome.pulse
            if pulse.status == "active" and pulse.next_run_at is not None:
                self.arm_open(pulse.pulse_id, pulse.next_run_at)
        except Exception:
            log.exception("Could not open a run of pulse %s", pulse_id)

    async def _find(self, pulse_id: int) -> Pulse | None:
        row = await self.bot.db.fetchone("SELECT guild_id FROM pulses WHERE pulse_id = ?", (pulse_id,))
        if row is None:
            return None
        return await self.service.get(row["guild_id"], pulse_id)

    async def post_card(self, opened: RunOpened) -> None:
        pulse, run = opened.pulse, opened.run
        threshold = await self.service.threshold(pulse.guild_id)
        channel = self.bot.get_channel(run.channel_id)
        problem = None
        if not isinstance(channel, discord.TextChannel):
            problem = "its channel no longer exists"
        else:
            try:
                message = await channel.send(
                    embed=card_embed(pulse, run.closes_at, threshold),
                    view=card_view(run.run_id),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as error:
                problem = f"I couldn't post in {channel.mention} ({error.status})"
            else:
                await self.service.set_card(run.run_id, message.id)
                return
        log.warning("Could not post the card of pulse run %s: %s", run.run_id, problem)
        await self.tell_organisers(
            pulse.guild_id,
            f"Run {run.number} of the pulse check **{pulse.title}** opened, but {problem}, so no one can "
            "answer it. Check the channel and my permissions there.",
        )

    async def tell_organisers(self, guild_id: int, text: str) -> None:
        config = await self.bot.guild_settings.get(guild_id)
        channel_id = config.channel("organisers")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if isinstance(channel, discord.TextChannel):
            try:
                await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException:
                log.warning("Could not post to the organisers' channel of guild %s", guild_id)

    async def close_job(self, run_id: int) -> None:
        try:
            closed = await self.service.close_run(run_id)
            if closed is None:
                return
            await self.bot.wait_until_ready()
            pulse = await self._find(closed.pulse_id)
            if pulse is None:
                return
            threshold = await self.service.threshold(pulse.guild_id)
            if closed.message_id is not None:
                await self.retire_card(
                    closed.channel_id,
                    closed.message_id,
                    embed=card_embed(pulse, closed.closes_at, threshold, closed_answers=closed.answers),
                )
            enough = closed.answers >= threshold
            await self.tell_organisers(
                pulse.guild_id,
                f"Run {closed.number} of **{pulse.title}** has closed with {closed.answers} "
                f"answer{_s(closed.answers)}. "
                + (
                    "`/pulse results` shows them."
                    if enough
                    else f"That's under the {threshold} needed to show results safely, so they stay hidden."
                ),
            )
        except Exception:
            log.exception("Could not close pulse run %s", run_id)

    async def retire_card(
        self, channel_id: int, message_id: int, note: str | None = None, *, embed: discord.Embed | None = None
    ) -> None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            message = channel.get_partial_message(message_id)
            kwargs: dict[str, Any] = {"view": None}
            if embed is not None:
                kwargs["embed"] = embed
            if note is not None:
                kwargs["content"] = note
                kwargs["embeds"] = []
            await message.edit(**kwargs)
        except discord.HTTPException:
            log.warning("Could not update a pulse card (message %s)", message_id)

    # -- answering --------------------------------------------------------------------------

    async def _require_audience(self, member: discord.Member, pulse: Pulse) -> None:
        if pulse.audience_channel_id is None:
            return
        allowed = in_community(member, pulse.audience_channel_id)
        if allowed is None:
            raise UserError(
                "This check-in was for a community that no longer exists, so it can't take answers."
            )
        if not allowed:
            raise UserError(
                f"This check-in is just for members of <#{pulse.audience_channel_id}>, so it isn't open to "
                "you. Thank you for wanting to take part. If you'd like support with anything, `/support` "
                "is there for everyone."
            )

    async def begin_answer(self, interaction: discord.Interaction[Any], run_id: int) -> None:
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise UserError("Please answer inside the server.")
        pulse, run = await self.service.get_run(run_id)
        if interaction.guild_id != run.guild_id:
            raise UserError("This check-in belongs to another server.")
        await self._require_audience(member, pulse)
        await self.service.check_can_answer(run_id, member.id)
        await interaction.response.send_modal(AnswerModal(pulse, run_id))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Count a submitted answer form (see :class:`AnswerModal`)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        match = FORM_ID.fullmatch(str(data.get("custom_id", "")))
        if match is None:
            return
        try:
            await self.finish_answer(interaction, int(match["run_id"]))
        except UserError as error:
            await report_user_error(interaction, error)
        except Exception as error:
            await handle_interaction_error(interaction, error, "modal pulse:form")

    async def finish_answer(self, interaction: discord.Interaction[Any], run_id: int) -> None:
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise UserError("Please answer inside the server.")
        pulse, _run = await self.service.get_run(run_id)
        choices = submitted_choices(interaction.data, len(pulse.questions))
        await self._require_audience(member, pulse)
        in_group = False
        if pulse.breakdown_channel_id is not None:
            in_group = bool(in_community(member, pulse.breakdown_channel_id))
        outcome = await self.service.answer(run_id, member.id, choices, in_group=in_group)
        thanks = (
            "Thank you, your answer is counted. It's anonymous: it only added one to a count, and nothing "
            "links it to you."
        )
        if not outcome.concern:
            await send_private(interaction, thanks)
            return
        # One need: its contacts; several: the overview. Urgent help comes first either way.
        need = outcome.needs[0] if len(outcome.needs) == 1 else None
        payload = await self.support_payload(run_id_guild(interaction), need)
        await send_private(
            interaction,
            thanks + " Some of your answers suggest things might be hard right now. If you'd like support, "
            "here is who you can reach, without going through anyone:",
            **payload,
        )

    async def support_payload(self, guild_id: int, need: str | None) -> dict[str, Any]:
        cog = self.bot.get_cog("Signposts")
        provider = getattr(cog, "support_payload", None)
        if provider is not None:
            try:
                payload = await provider(guild_id, need)
                if isinstance(payload, dict) and payload:
                    return payload
            except Exception:
                log.exception("The signposts directory could not be shown; showing national lines")
        return fallback_support()

    # -- privacy (found by name by the /privacy cog) ------------------------------------------

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
        needle = current.lower().strip()
        pulses = await self.service.all(interaction.guild_id)
        found = [p for p in pulses if needle in p.title.lower() or needle == str(p.pulse_id)]
        return [
            app_commands.Choice(name=clip(f"#{p.pulse_id} {p.title} ({p.status})", 100), value=p.pulse_id)
            for p in reversed(found[-25:])
        ]

    async def _channels(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        audience: discord.TextChannel | None,
        breakdown: discord.TextChannel | None,
    ) -> None:
        check_can_post(channel)
        if audience is not None and breakdown is not None and audience.id == breakdown.id:
            raise UserError(
                "The breakdown community is the audience itself; choose another community, or none."
            )

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
        await self._created(interaction, pulse)

    async def _created(self, interaction: discord.Interaction[CommonRoomBot], pulse: Pulse) -> None:
        if pulse.next_run_at is not None:
            self.arm_open(pulse.pulse_id, pulse.next_run_at)
        threshold = await self.service.threshold(pulse.guild_id)
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
        await send_private(interaction, "Saved. Here's what students will be asked:", embed=embed)

    @app_commands.command(name="create", description="Set up a pulse check: up to 3 questions on a schedule")
    @app_commands.describe(
        title="A short title, shown on the card",
        channel="Where each run's card is posted",
        start="When the first run opens, in server time (e.g. Monday 10:00)",
        q1="Question 1 (up to 100 characters)",
        q1_type="scale: 1 to 5; choice: up to 5 options",
        q1_options="Choice: options separated by ; — Scale: the two end labels, e.g. Not at all; Very much",
        q2="Question 2 (optional)",
        q2_type="scale or choice",
        q2_options="Options or end labels, separated by ;",
        q3="Question 3 (optional)",
        q3_type="scale or choice",
        q3_options="Options or end labels, separated by ;",
        repeat="Once, or repeating at the same server time",
        open_hours=f"How long each run takes answers (default {DEFAULT_OPEN_HOURS})",
        audience="Only members of this community's channel can answer (default: everyone)",
        breakdown="Also count answers from this community separately (shown only when safe)",
        prefer_not_to_say="Offer 'Prefer not to say' on every question (default yes)",
        offer_support="Show support privately after low wellbeing answers (default yes)",
    )
    async def create(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        title: app_commands.Range[str, 1, 80],
        channel: discord.TextChannel,
        start: app_commands.Range[str, 1, 100],
        q1: app_commands.Range[str, 1, 200],
        q1_type: KindChoice,
        q1_options: str | None = None,
        q2: app_commands.Range[str, 1, 200] | None = None,
        q2_type: KindChoice = "scale",
        q2_options: str | None = None,
        q3: app_commands.Range[str, 1, 200] | None = None,
        q3_type: KindChoice = "scale",
        q3_options: str | None = None,
        repeat: RepeatChoice = "once",
        open_hours: app_commands.Range[int, 1, MAX_OPEN_HOURS] = DEFAULT_OPEN_HOURS,
        audience: discord.TextChannel | None = None,
        breakdown: discord.TextChannel | None = None,
        prefer_not_to_say: bool = True,
        offer_support: bool = True,
    ) -> None:
        assert interaction.guild is not None
        await self._channels(interaction, channel, audience, breakdown)
        questions: list[Question] = []
        for number, (text, kind, options) in enumerate(
            ((q1, q1_type, q1_options), (q2, q2_type, q2_options), (q3, q3_type, q3_options)), start=1
        ):
            if text is None:
                if options:
                    raise UserError(f"You gave options for question {number} but no question {number}.")
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

    @app_commands.command(name="template", description="Set up the ready-made belonging check-in")
    @app_commands.describe(
        channel="Where each run's card is posted",
        start="When the first run opens, in server time (e.g. Monday 10:00)",
        repeat="How often (default weekly)",
        open_hours=f"How long each run takes answers (default {DEFAULT_OPEN_HOURS})",
        audience="Only members of this community's channel can answer (default: everyone)",
        breakdown="Also count answers from this community separately (shown only when safe)",
    )
    async def template(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        start: app_commands.Range[str, 1, 100],
        repeat: RepeatChoice = "weekly",
        open_hours: app_commands.Range[int, 1, MAX_OPEN_HOURS] = DEFAULT_OPEN_HOURS,
        audience: discord.TextChannel | None = None,
        breakdown: discord.TextChannel | None = None,
    ) -> None:
        assert interaction.guild is not None
        await self._channels(interaction, channel, audience, breakdown)
        title, questions = belonging_template()
        await self._schedule(
            interaction, title, questions, channel, start, repeat, open_hours, audience, breakdown
        )

    @app_commands.command(name="list", description="The server's pulse checks and when they next run")
    async def list_(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        pulses = await self.service.all(interaction.guild.id)
        if not pulses:
            await send_private(
                interaction,
                "No pulse checks yet. `/pulse template` sets up the belonging check-in in one step.",
            )
            return
        lines = []
        open_now = await self.service.open_runs_by_pulse(interaction.guild.id)
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
        threshold = await self.service.threshold(interaction.guild.id)
        embed.set_footer(text=f"Results are shown only for closed runs with at least {threshold} answers.")
        await send_private(interaction, embed=embed)

    @app_commands.command(name="pause", description="Stop a pulse check from posting new runs")
    @app_commands.describe(pulse="The pulse check")
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def pause(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        paused = await self.service.pause(interaction.guild.id, pulse)
        self.bot.scheduler.cancel(f"pulse:open:{paused.pulse_id}")
        await send_private(
            interaction,
            f"Paused **{paused.title}**. No new runs will be posted until you `/pulse resume` it; a run that "
            "is open now stays open until it closes.",
        )

    @app_commands.command(name="resume", description="Start a paused pulse check again")
    @app_commands.describe(pulse="The pulse check")
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def resume(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        resumed = await self.service.resume(interaction.guild.id, pulse)
        if resumed.next_run_at is not None:
            self.arm_open(resumed.pulse_id, resumed.next_run_at)
        await send_private(interaction, f"Resumed **{resumed.title}**: {schedule_text(resumed)}.")

    @app_commands.command(name="delete", description="Delete a pulse check and all its results")
    @app_commands.describe(pulse="The pulse check")
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def delete(self, interaction: discord.Interaction[CommonRoomBot], pulse: int) -> None:
        assert interaction.guild is not None
        found = await self.service.get(interaction.guild.id, pulse)
        await send_private(
            interaction,
            f"Delete **{found.title}** with all {found.runs_made} run(s) and their results? "
            "This can't be undone.",
            view=ConfirmDelete(self, interaction.guild.id, found.pulse_id),
        )

    @app_commands.command(name="results", description="Counts and percentages of a closed run")
    @app_commands.describe(pulse="The pulse check", run="Run number (default: the latest closed run)")
    @app_commands.autocomplete(pulse=pulse_autocomplete)
    async def results(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        pulse: int,
        run: app_commands.Range[int, 1, 100000] | None = None,
    ) -> None:
        assert interaction.guild is not None
        results = await self.service.results(interaction.guild.id, pulse, run)
        await send_private(interaction, embed=results_embed(results))

    @app_commands.command(name="trend", description="A chart of each question across runs, with a CSV")
    @app_commands.describe(
        pulse="The pulse check", post_to="Show it only to you, or post it in the organisers' channel"
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
                f"No closed run of **{trend.pulse.title}** has the {trend.threshold} answers needed to show "
                "results safely yet, so there is nothing to chart."
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
        from bot.services.pulse_chart import trend_png

        png = await asyncio.to_thread(trend_png, trend)
        csv_text = trend_csv(trend)
        stem = re.sub(r"[^a-z0-9]+", "-", trend.pulse.title.lower()).strip("-") or "pulse"
        files = [
            discord.File(io.BytesIO(png), filename=f"{stem}-trend.png", description="Trend chart"),
            discord.File(io.BytesIO(csv_text.encode()), filename=f"{stem}-trend.csv"),
        ]
        note = (
            f"**{trend.pulse.title}**: {len(trend.points)} run(s) with at least {trend.threshold} answers"
            + (f"; {trend.withheld_runs} run(s) left out for having fewer." if trend.withheld_runs else ".")
            + " Scales show the mean (1 to 5); choices show each option's share of answers."
        )
        if target is None:
            await interaction.followup.send(note, files=files, ephemeral=True)
            return
        await target.send(note, files=files, allowed_mentions=discord.AllowedMentions.none())
        await interaction.followup.send(f"Posted in {target.mention}.", ephemeral=True)

    @app_commands.command(
        name="threshold",
        description="Fewest answers before results are shown (5 or more)",
        extras=MANAGE_SERVER,
    )
    @app_commands.describe(minimum="At least 5; 10 is the default")
    async def threshold(
        self, interaction: discord.Interaction[CommonRoomBot], minimum: app_commands.Range[int, 1, 100]
    ) -> None:
        assert interaction.guild is not None
        value = await self.service.set_threshold(interaction.guild.id, minimum)
        await send_private(
            interaction, f"Done. Results are now shown only for runs with at least {value} answers."
        )


def run_id_guild(interaction: discord.Interaction[Any]) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


def _question_lines(results: RunResults, questions: list[Any]) -> list[tuple[str, str]]:
    fields = []
    for question in questions:
        lines = [f"`{clip(o.label, 40)}` {o.count} ({o.share * 100:.0f}%)" for o in question.options]
        if question.mean is not None:
            lines.append(f"Mean **{question.mean:.1f}** of 5 (from {question.rated} who chose a point)")
        fields.append((clip(f"{question.number}. {question.text}", 256), clip("\n".join(lines), 1024)))
    return fields


def results_embed(results: RunResults) -> discord.Embed:
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
    for name, value in _question_lines(results, results.questions):
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


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(AnswerButton)
    await bot.add_cog(PulseCog(bot))
