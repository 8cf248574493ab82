"""/mentor: peer mentoring, older-year mentors matched with younger-year students by shared experience.

Everything a student does here is private: ephemeral replies, selects and a modal; introductions
in a private thread (in the channel organisers chose) or by DM; check-ins by DM. Organisers see
counts only. The service (``bot/services/mentoring.py``) owns the data and the rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time, from_timestamp
from bot.core import ORGANISER, CommonRoomBot
from bot.errors import UserError
from bot.services.mentoring import (
    HELLO_LIMIT,
    HELP_LIMIT,
    MAX_CAPACITY,
    MAX_YEAR,
    MIN_CAPACITY,
    MIN_YEAR,
    WEEKDAYS,
    Experience,
    Match,
    MentoringService,
    Profile,
)
from bot.ui import (
    BUTTON_LABEL_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    PRIVATE_THREADS,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    TEXT_INPUT_VALUE_LIMIT,
    BaseModal,
    BaseView,
    clip,
    handle_interaction_error,
    report_user_error,
    require_bot_permissions,
    send_private,
)

log = logging.getLogger(__name__)

COLOUR = discord.Colour.teal()
FLOW_TIMEOUT = 20 * 60
CRISIS_LINES = (
    "If anyone's life is at risk, **call 999** now.\n"
    "**Samaritans**: call 116 123, any time, free.\n"
    "**Shout**: text SHOUT to 85258, any time.\n"
    "**NHS 111**: urgent health advice, any time."
)
ICEBREAKERS = (
    "What's one thing you wish someone had told you in your first term?",
    "What's a place on or near campus where you feel at ease?",
    "What has surprised you most about studying medicine so far?",
    "What do you do to switch off after a long day?",
    "What's one small win from this week?",
    "Which part of the course are you most looking forward to, or most unsure about?",
)
WAITING_REASONS = {
    "no_older": (
        "There isn't a mentor in a year above yours yet. Mentors are always from an older year, so "
        "I'll keep your request and match you as soon as one signs up."
    ),
    "no_shared": (
        "None of the mentors in older years with space right now shares an experience you chose. "
        "I'll keep your request and match you as soon as someone does. If you'd be happy with any "
        "older-year mentor, run `/mentor request` again and choose that."
    ),
    "full": (
        "Every mentor in an older year is full or was already paired with you before. I'll keep your "
        "request and match you as soon as a place opens."
    ),
    "paused": "Your request is paused, so I won't match you. Run `/mentor pause` again to resume.",
}
ANSWER_REPLIES = {
    "met": "Wonderful, thank you for letting me know. I hope the conversations keep going well.",
    "not_yet": (
        "No rush, and no pressure. A short hello in your introduction is a good start; suggesting one "
        "time to talk often helps. If it doesn't work out, you can ask for a change any time with "
        "`/mentor rematch`."
    ),
}


def _cog(interaction: discord.Interaction[Any]) -> Mentoring:
    cog = interaction.client.get_cog("Mentoring")
    assert isinstance(cog, Mentoring)
    return cog


def guarded(
    func: Callable[[discord.Interaction[Any]], Awaitable[None]], where: str
) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
    """For DynamicItem callbacks: a UserError is a private reply, anything else an error id."""

    async def run(interaction: discord.Interaction[Any]) -> None:
        try:
            await func(interaction)
        except UserError as error:
            await report_user_error(interaction, error)
        except Exception as error:
            await handle_interaction_error(interaction, error, where)

    return run


def experience_list(keys: tuple[str, ...] | list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(k, k.replace("-", " ")) for k in keys)


def explain(shared: tuple[str, ...], labels: dict[str, str]) -> str:
    if shared:
        return f"You both said: **{experience_list(shared, labels)}**."
    return "You didn't name an experience in common; you were paired across years, as you asked."


def year_options(selected: int | None) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=f"Year {y}", value=str(y), default=selected == y)
        for y in range(MIN_YEAR, MAX_YEAR + 1)
    ]


def experience_options(experiences: list[Experience], chosen: tuple[str, ...]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=clip(e.label, SELECT_LABEL_LIMIT), value=e.key, default=e.key in chosen)
        for e in experiences[:SELECT_OPTIONS_LIMIT]
    ]


# -- signing up: selects, then a modal for the free text -----------------------------------------


class SignupView(BaseView):
    """Year and experiences (and capacity, or what matters), then Continue opens the modal."""

    def __init__(
        self, role: str, owner_id: int, experiences: list[Experience], existing: Profile | None
    ) -> None:
        super().__init__(timeout=FLOW_TIMEOUT)
        self.role = role
        self.owner_id = owner_id
        self.existing = existing
        self.year: int | None = existing.year if existing else None
        self.chosen: list[str] = list(existing.experiences) if existing else []
        self.capacity: int | None = existing.capacity if existing else None
        self.require_shared: bool = existing.require_shared if existing else False
        prefix = f"mentor:{role}"

        year = discord.ui.Select[SignupView](
            custom_id=f"{prefix}:year",
            placeholder="Your year of study",
            options=year_options(self.year),
            row=0,
        )
        year.callback = self._on_year  # type: ignore[method-assign]
        self.add_item(year)
        if experiences:
            placeholder = (
                "Experiences you're willing to share (optional)"
                if role == "offer"
                else "Shared experiences that matter to you (optional)"
            )
            exp = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:experiences",
                placeholder=placeholder,
                min_values=0,
                max_values=min(len(experiences), SELECT_OPTIONS_LIMIT),
                options=experience_options(experiences, tuple(self.chosen)),
                row=1,
            )
            exp.callback = self._on_experiences  # type: ignore[method-assign]
            self.add_item(exp)
        if role == "offer":
            cap = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:capacity",
                placeholder="How many students you could mentor",
                options=[
                    discord.SelectOption(
                        label=f"{n} student{'s' if n > 1 else ''}", value=str(n), default=self.capacity == n
                    )
                    for n in range(MIN_CAPACITY, MAX_CAPACITY + 1)
                ],
                row=2,
            )
            cap.callback = self._on_capacity  # type: ignore[method-assign]
            self.add_item(cap)
        else:
            need = discord.ui.Select[SignupView](
                custom_id=f"{prefix}:shared",
                placeholder="Who would you be happy with?",
                options=[
                    discord.SelectOption(
                        label="Anyone from an older year",
                        value="any",
                        description="Shared experiences are preferred, not required",
                        default=not self.require_shared,
                    ),
                    discord.SelectOption(
                        label="Only someone who shares an experience I chose",
                        value="shared",
                        description="You may wait longer",
                        default=self.require_shared,
                    ),
                ],
                row=2,
            )
            need.callback = self._on_shared  # type: ignore[method-assign]
            self.add_item(need)
        go = discord.ui.Button[SignupView](
            label="Continue", style=discord.ButtonStyle.primary, custom_id=f"{prefix}:continue", row=3
        )
        go.callback = self._on_continue  # type: ignore[method-assign]
        self.add_item(go)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id

    @staticmethod
    def _values(interaction: discord.Interaction[Any]) -> list[str]:
        data: Any = interaction.data or {}
        return [str(v) for v in data.get("values", [])]

    async def _on_year(self, interaction: discord.Interaction[Any]) -> None:
        self.year = int(self._values(interaction)[0])
        await interaction.response.defer()

    async def _on_experiences(self, interaction: discord.Interaction[Any]) -> None:
        self.chosen = self._values(interaction)
        await interaction.response.defer()

    async def _on_capacity(self, interaction: discord.Interaction[Any]) -> None:
        self.capacity = int(self._values(interaction)[0])
        await interaction.response.defer()

    async def _on_shared(self, interaction: discord.Interaction[Any]) -> None:
        self.require_shared = self._values(interaction)[0] == "shared"
        await interaction.response.defer()

    async def _on_continue(self, interaction: discord.Interaction[Any]) -> None:
        if self.year is None:
            raise UserError("Please choose your year of study first, then press Continue.")
        if self.role == "offer" and self.capacity is None:
            raise UserError("Please choose how many students you could mentor (1 to 3), then press Continue.")
        if self.role == "request" and self.require_shared and not self.chosen:
            raise UserError(
                "You asked for someone who shares an experience, but didn't choose any. Choose at least one "
                "experience, or choose “Anyone from an older year”."
            )
        await interaction.response.send_modal(SignupModal(self))


class SignupModal(BaseModal):
    def __init__(self, view: SignupView) -> None:
        offering = view.role == "offer"
        super().__init__(title="Offer to mentor" if offering else "Ask for a mentor", timeout=FLOW_TIMEOUT)
        self.view = view
        self.text = discord.ui.TextInput[SignupModal](
            custom_id="text",
            label="A short hello (your mentees see it)" if offering else "What would you like help with?",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=HELLO_LIMIT if offering else HELP_LIMIT,
            default=view.existing.note if view.existing else None,
            placeholder=(
                "Who you are, what you're happy to talk about"
                if offering
                else "Optional. Only your mentor will see it, e.g. settling in, placements, exams"
            ),
        )
        self.add_item(self.text)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).finish_signup(interaction, self.view, self.text.value or "")


# -- organisers: the list of experiences --------------------------------------------------------


class ExperiencesModal(BaseModal, title="Experiences students can declare"):
    def __init__(self, current: list[Experience]) -> None:
        super().__init__(timeout=FLOW_TIMEOUT)
        self.text = discord.ui.TextInput[ExperiencesModal](
            custom_id="experiences",
            label="One per line (at most 25)",
            style=discord.TextStyle.paragraph,
            max_length=TEXT_INPUT_VALUE_LIMIT,
            default="\n".join(e.label for e in current),
        )
        self.add_item(self.text)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        cog = _cog(interaction)
        change = await cog.service.set_experiences(interaction.guild_id, self.text.value)
        lines = [f"Saved. Students now choose from {len(change.experiences)} experiences."]
        if change.added:
            lines.append(f"Added: {', '.join(change.added)}.")
        if change.removed:
            lines.append(
                f"Removed: {', '.join(change.removed)}. Anyone who had declared a removed experience "
                "no longer has it on their sign-up; current pairings are not changed."
            )
        await send_private(interaction, "\n".join(lines))


# -- rematch and leave ---------------------------------------------------------------------


class RematchView(BaseView):
    def __init__(self, owner_id: int, choices: list[tuple[Match, str]]) -> None:
        super().__init__(timeout=FLOW_TIMEOUT)
        self.owner_id = owner_id
        for m, label in choices[:SELECT_OPTIONS_LIMIT]:
            button = discord.ui.Button[RematchView](
                label=clip(label, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=f"mentor:rematch:{m.id}",
            )
            button.callback = self._make(m.id)  # type: ignore[method-assign,assignment]
            self.add_item(button)

    def _make(self, match_id: int) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            await _cog(interaction).rematch(interaction, match_id)

        return callback

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id


class LeaveView(BaseView):
    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=FLOW_TIMEOUT)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(
        label="Yes, delete my mentoring data",
        style=discord.ButtonStyle.danger,
        custom_id="mentor:leave:confirm",
    )
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[LeaveView]
    ) -> None:
        await _cog(interaction).leave_confirmed(interaction)


# -- the two-week check-in: DM buttons that work after a restart ---------------------------


class CheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mentor:checkin:(?P<match_id>\d{1,19}):(?P<answer>met|not_yet|different|wrong)",
):
    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "met": ("We've met", discord.ButtonStyle.success),
        "not_yet": ("Not yet", discord.ButtonStyle.secondary),
        "different": ("I'd like a different mentor", discord.ButtonStyle.secondary),
        "wrong": ("Something's wrong", discord.ButtonStyle.danger),
    }

    def __init__(self, match_id: int, answer: str, role: str = "mentee") -> None:
        self.match_id = match_id
        self.answer = answer
        label, style = self.LABELS[answer]
        if answer == "different" and role == "mentor":
            label = "I'd like to end this pairing"
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"mentor:checkin:{match_id}:{answer}")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CheckinButton:
        return cls(int(match["match_id"]), match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def run(inner: discord.Interaction[Any]) -> None:
            await _cog(inner).checkin_answered(inner, self.match_id, self.answer)

        await guarded(run, "mentoring check-in")(interaction)


def checkin_view(match_id: int, role: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in ("met", "not_yet", "different", "wrong"):
        view.add_item(CheckinButton(match_id, answer, role))
    return view


# -- the cog -----------------------------------------------------------------------------


class Mentoring(commands.Cog):
    mentor = app_commands.Group(
        name="mentor", description="Peer mentoring: older-year mentors who share your experience"
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = MentoringService(bot.db, bot.clock, bot.secret_key)

    # -- start-up: re-arm what the database says must happen -----------------------------------

    async def cog_load(self) -> None:
        await self._rearm()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Jobs that came due while the bot was down fire at start, before Discord is connected;
        # they step aside then, and are armed again here, now that channels and users resolve.
        await self._rearm()

    async def _rearm(self) -> None:
        for schedule in await self.service.schedules():
            self._arm_run(schedule.guild_id, schedule.next_run_at)
        soon = self.bot.clock.now()
        for pending in await self.service.pending_intros():
            self.bot.scheduler.at(f"mentoring:intro:{pending.id}", soon, self._intro_job, pending.id)
        for pending in await self.service.pending_checkins():
            self._arm_checkin(pending)

    def _arm_run(self, guild_id: int, when: int | None) -> None:
        job_id = f"mentoring:run:{guild_id}"
        if when is None:
            self.bot.scheduler.cancel(job_id)
        else:
            self.bot.scheduler.at(job_id, from_timestamp(when), self._scheduled_run, guild_id)

    def _arm_checkin(self, m: Match) -> None:
        self.bot.scheduler.at(
            f"mentoring:checkin:{m.id}", from_timestamp(m.checkin_due_at), self._checkin_job, m.id
        )

    async def _scheduled_run(self, guild_id: int) -> None:
        if not self.bot.is_ready():
            return  # due while the bot was down: on_ready re-arms it once Discord is connected
        try:
            if not await self.service.scheduled_run_due(guild_id):
                return
            config = await self.bot.guild_settings.get(guild_id)
            result = await self.service.run_matching(guild_id, scheduled_timezone=config.timezone)
            await self._after_run(result.new_matches)
        except Exception:
            log.exception("Scheduled mentoring run failed in guild %s", guild_id)
        finally:
            schedule = await self.service.schedule(guild_id)
            self._arm_run(guild_id, schedule.next_run_at)

    async def _intro_job(self, match_id: int) -> None:
        if not self.bot.is_ready():
            return  # threads need the channel cache: on_ready re-arms it
        try:
            m = await self.service.get_match(match_id)
        except UserError:
            return
        await self.introduce(m)

    async def _checkin_job(self, match_id: int) -> None:
        if not self.bot.is_ready():
            return  # on_ready re-arms it
        claimed = await self.service.claim_checkin(match_id)
        if claimed is None:
            return
        labels = await self.service.labels(claimed.guild_id)
        for member_id, role in ((claimed.mentor_id, "mentor"), (claimed.mentee_id, "mentee")):
            partner = claimed.mentee_id if role == "mentor" else claimed.mentor_id
            embed = discord.Embed(
                title="Mentoring: a quick, private check-in",
                description=(
                    f"It's been two weeks since you were introduced to <@{partner}> "
                    f"as your {'mentee' if role == 'mentor' else 'mentor'}. How is it going? "
                    "Only you see your answer; organisers only ever see totals."
                ),
                colour=COLOUR,
            )
            embed.add_field(name="What you share", value=explain(claimed.shared, labels), inline=False)
            await self._dm(member_id, embed=embed, view=checkin_view(claimed.id, role))

    # -- delivery -------------------------------------------------------------------------

    async def _dm(self, member_id: int, **kwargs: Any) -> bool:
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        try:
            user = self.bot.get_user(member_id) or await self.bot.fetch_user(member_id)
            await user.send(**kwargs)
        except discord.HTTPException as error:
            log.info("Could not DM a mentoring message (HTTP %s)", error.status)
            return False
        return True

    async def _after_run(self, matches: list[Match]) -> None:
        for m in matches:
            self._arm_checkin(m)
            await self.introduce(m)

    async def introduce(self, m: Match) -> str | None:
        """Introduce the pair privately, once. Returns the thread mention, "dm", or None."""
        claimed = await self.service.claim_intro(m.id)
        if claimed is None:
            return None
        labels = await self.service.labels(m.guild_id)
        mentor_profile = (await self.service.status(m.guild_id, m.mentor_id)).profiles.get("mentor")
        mentee_profile = (await self.service.status(m.guild_id, m.mentee_id)).profiles.get("mentee")
        hello = mentor_profile.note if mentor_profile else ""
        help_with = mentee_profile.note if mentee_profile else ""
        icebreaker = ICEBREAKERS[m.id % len(ICEBREAKERS)]
        schedule = await self.service.schedule(m.guild_id)
        if schedule.intro_channel_id is not None:
            thread = await self._thread_intro(
                m, schedule.intro_channel_id, labels, hello, help_with, icebreaker
            )
            if thread is not None:
                return thread
        guild = self.bot.get_guild(m.guild_id)
        for member_id, role in ((m.mentor_id, "mentor"), (m.mentee_id, "mentee")):
            partner = m.mentee_id if role == "mentor" else m.mentor_id
            name = discord.utils.escape_markdown(await self._name(guild, partner, "them"))
            embed = discord.Embed(
                title="Mentoring: meet your " + ("mentee" if role == "mentor" else "mentor"),
                description=(
                    f"You've been paired with **{name}** (<@{partner}>)"
                    + (
                        " who asked for a mentor from an older year."
                        if role == "mentor"
                        else " from an older year, who offered to mentor."
                    )
                    + f"\n\n{explain(m.shared, labels)}\nNothing else either of you declared is shared."
                ),
                colour=COLOUR,
            )
            note = help_with if role == "mentor" else hello
            if note:
                embed.add_field(
                    name="What they'd like help with" if role == "mentor" else "Their hello",
                    value=clip(note, EMBED_FIELD_VALUE_LIMIT),
                    inline=False,
                )
            embed.add_field(name="To get started", value=icebreaker, inline=False)
            embed.set_footer(
                text="Send them a message to say hello. In two weeks I'll check in with you privately."
            )
            await self._dm(member_id, embed=embed)
        return "dm"

    async def _thread_intro(
        self, m: Match, channel_id: int, labels: dict[str, str], hello: str, help_with: str, icebreaker: str
    ) -> str | None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            # A private thread is only usable by people who can see its channel.
            for member_id in (m.mentor_id, m.mentee_id):
                member = channel.guild.get_member(member_id) or await channel.guild.fetch_member(member_id)
                if not channel.permissions_for(member).view_channel:
                    return None
            thread = await channel.create_thread(
                name="Mentoring introduction",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            for member_id in (m.mentor_id, m.mentee_id):
                await thread.add_user(discord.Object(member_id))
            lines = [
                f"<@{m.mentee_id}>, meet <@{m.mentor_id}>: they're from an older year and offered to mentor. "
                f"<@{m.mentor_id}>, <@{m.mentee_id}> asked for a mentor.",
                "",
                explain(m.shared, labels) + " Nothing else either of you declared is shared.",
            ]
            if hello:
                lines += ["", f"**Hello from your mentor:** {hello}"]
            if help_with:
                lines += ["", f"**What they'd like help with:** {help_with}"]
            lines += [
                "",
                f"**To get started:** {icebreaker}",
                "",
                "This thread is private to the two of you. "
                "In two weeks I'll check in with each of you by DM.",
            ]
            await thread.send(
                clip("\n".join(lines), MESSAGE_LIMIT),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(m.mentor_id), discord.Object(m.mentee_id)],
                ),
            )
        except discord.HTTPException as error:
            log.warning(
                "Could not open a private mentoring thread in channel %s (HTTP %s)", channel_id, error.status
            )
            return None
        await self.service.set_thread(m.id, thread.id)
        return thread.mention

    # -- students -------------------------------------------------------------------------

    async def _open_signup(self, interaction: discord.Interaction[CommonRoomBot], role: str) -> None:
        assert interaction.guild_id is not None
        experiences = await self.service.experiences(interaction.guild_id)
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        existing = status.profiles.get("mentor" if role == "offer" else "mentee")
        if role == "request" and any(m.mentee_id == interaction.user.id for m in status.matches):
            raise UserError(
                "You already have a mentor. `/mentor status` shows who; if it isn't working out, "
                "`/mentor rematch` finds you someone else."
            )
        if role == "offer":
            intro = (
                "**Offer to mentor a student in a younger year.**\n"
                "Choose your year, the experiences you're willing to share (only the ones you have in common "
                "with a mentee are ever shown to them), and how many students you could mentor. Then press "
                "Continue to write a short hello."
            )
        else:
            intro = (
                "**Ask for a mentor from an older year.**\n"
                "Choose your year and, if you like, experiences that matter to you: a mentor who shares them "
                "is preferred. Your mentor only learns the experiences you have in common. Then press "
                "Continue to say what you'd like help with."
            )
        if existing is not None:
            intro += "\nYou've signed up before: your choices are filled in, and saving replaces them."
        await send_private(
            interaction, intro, view=SignupView(role, interaction.user.id, experiences, existing)
        )

    async def finish_signup(self, interaction: discord.Interaction[Any], view: SignupView, text: str) -> None:
        assert interaction.guild_id is not None and view.year is not None
        guild_id, member_id = interaction.guild_id, interaction.user.id
        if view.role == "offer":
            await self.service.offer(
                guild_id,
                member_id,
                year=view.year,
                experiences=view.chosen,
                capacity=view.capacity or 0,
                hello=text,
            )
        else:
            await self.service.request(
                guild_id,
                member_id,
                year=view.year,
                experiences=view.chosen,
                require_shared=view.require_shared,
                help_with=text,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.run_matching(guild_id)
        mine = [m for m in result.new_matches if member_id in (m.mentor_id, m.mentee_id)]
        where: dict[int, str | None] = {}
        for m in result.new_matches:
            self._arm_checkin(m)
            where[m.id] = await self.introduce(m)
        if view.role == "offer":
            text_out = (
                f"Thank you for offering to mentor (up to {view.capacity}). "
                + (
                    f"You've been paired with {len(mine)} student{'s' if len(mine) > 1 else ''} already: "
                    + ", ".join(self._where(where.get(m.id)) for m in mine)
                    + "."
                    if mine
                    else "I'll introduce you privately as soon as a student in a younger year "
                    "asks for a mentor."
                )
                + " `/mentor status` shows where things are; `/mentor pause` takes a break."
            )
        elif mine:
            text_out = (
                f"Good news: you have a mentor. I've introduced you {self._where(where.get(mine[0].id))}."
            )
        else:
            reason = result.waiting.get(member_id, "full")
            text_out = "Your request is saved. " + WAITING_REASONS[reason]
        await send_private(interaction, text_out)

    @staticmethod
    def _where(place: str | None) -> str:
        if place is None or place == "dm":
            return "by DM (check your messages)"
        return f"in a private thread: {place}"

    @mentor.command(name="offer", description="Offer to mentor a student in a younger year")
    async def offer(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        await self._open_signup(interaction, "offer")

    @mentor.command(
        name="request", description="Ask for a mentor from an older year who shares your experience"
    )
    async def request(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        await self._open_signup(interaction, "request")

    @mentor.command(name="status", description="Your mentoring: sign-ups, pairings and what happens next")
    async def status(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        if not status.profiles and not status.matches:
            await send_private(
                interaction,
                "You haven't signed up for mentoring. `/mentor request` asks for a mentor from an older "
                "year; "
                "`/mentor offer` offers to mentor a younger student.",
            )
            return
        labels = await self.service.labels(interaction.guild_id)
        me = interaction.user.id
        embed = discord.Embed(title="Your mentoring (only you can see this)", colour=COLOUR)
        for role, profile in status.profiles.items():
            lines = [f"Year {profile.year}"]
            if profile.experiences:
                lines.append(f"Experiences: {experience_list(profile.experiences, labels)}")
            if role == "mentor":
                taking = sum(1 for m in status.matches if m.mentor_id == me)
                lines.append(f"Mentees: {taking} of {profile.capacity}")
            elif not any(m.mentee_id == me for m in status.matches):
                if profile.waiting_since and not profile.paused:
                    lines.append(f"Waiting since {discord_time(from_timestamp(profile.waiting_since), 'D')}")
                if status.waiting_reason:
                    lines.append(WAITING_REASONS[status.waiting_reason])
            if profile.paused:
                lines.append("⏸️ Paused: `/mentor pause` resumes.")
            embed.add_field(
                name="Mentoring others" if role == "mentor" else "Your request for a mentor",
                value=clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT),
                inline=False,
            )
        due = []
        for m in status.matches:
            role = m.role_of(me)
            partner = m.partner_of(me)
            place = f" · <#{m.thread_id}>" if m.thread_id else ""
            embed.add_field(
                name="Your mentor" if role == "mentee" else "Your mentee",
                value=clip(
                    f"<@{partner}>, since {discord_time(from_timestamp(m.created_at), 'D')}{place}\n"
                    + explain(m.shared, labels),
                    EMBED_FIELD_VALUE_LIMIT,
                ),
                inline=False,
            )
            if (
                m.checkin_sent_at is not None
                and (m.mentor_checkin if role == "mentor" else m.mentee_checkin) is None
            ):
                due.append((m, role))
        kwargs: dict[str, Any] = {"embed": embed}
        if due:
            m, role = due[0]
            embed.set_footer(text="Your two-week check-in is waiting: answer with the buttons below.")
            kwargs["view"] = checkin_view(m.id, role)
        await send_private(interaction, **kwargs)

    @mentor.command(
        name="pause", description="Take a break from mentoring, or resume (pairings you have continue)"
    )
    async def pause(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        paused = await self.service.set_paused(interaction.guild_id, interaction.user.id)
        if paused:
            await send_private(
                interaction,
                "Paused. I won't pair you with anyone new until you run `/mentor pause` again. Pairings you "
                "already have carry on; `/mentor rematch` or `/mentor leave` if you'd like to end one.",
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.run_matching(interaction.guild_id)
        await self._after_run(result.new_matches)
        mine = [m for m in result.new_matches if interaction.user.id in (m.mentor_id, m.mentee_id)]
        extra = " You've been paired already: check your messages." if mine else ""
        if not mine and interaction.user.id in result.waiting:
            extra = " " + WAITING_REASONS[result.waiting[interaction.user.id]]
        await send_private(interaction, "Welcome back: you're active again." + extra)

    @mentor.command(name="leave", description="Stop mentoring and delete everything you told me for it")
    async def leave(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        if not status.profiles and not status.matches:
            raise UserError("You aren't signed up for mentoring, so there's nothing to delete.")
        pairings = len(status.matches)
        active = f" ({pairings} active now; each person is told gently that it has ended)" if pairings else ""
        await send_private(
            interaction,
            "This deletes your mentoring sign-ups, the experiences you declared, your notes and your "
            f"pairings{active}. "
            "Only an unreadable fingerprint stays, so you're never paired with the same person twice. "
            "You can sign up again any time.",
            view=LeaveView(interaction.user.id),
        )

    async def leave_confirmed(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        left = await self.service.leave(interaction.guild_id, interaction.user.id)
        for m in left.ended:
            await self._tell_partner_ended(m, interaction.user.id)
        for thread_id in left.thread_ids:
            await self._clear_introduction(thread_id)
        result = await self.service.run_matching(interaction.guild_id)
        await self._after_run(result.new_matches)
        total = sum(left.removed.values())
        await send_private(
            interaction,
            f"Done: your mentoring data is deleted ({total} record{'s' if total != 1 else ''}). "
            "Thank you for taking part. `/mentor request` or `/mentor offer` if you'd ever like to "
            "come back.",
        )

    # -- privacy (issue 9) ----------------------------------------------------------------------

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """For /privacy my-data."""
        return await self.export_member(member_id)

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """For /privacy forget-me: the cog's erasure, which also tidies what Discord shows."""
        return await self.forget_member(member_id)

    async def export_member(self, member_id: int) -> dict[str, Any]:
        return await self.service.export_member(member_id)

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Erase the member's mentoring data, and what the bot disclosed on Discord about them.

        Besides the service's erasure: the bot's introductions are deleted from their threads,
        partners are told their pairing ended, and mentees who lost their mentor are matched again.
        """
        exported = await self.service.export_member(member_id)
        active = []
        for pairing in exported["pairings"]:
            if pairing["ended_at"] is None:
                active.append((pairing["guild_id"], pairing["partner_id"], pairing["your_role"]))
        counts = await self.service.forget_member(member_id)
        threads = {p["introduction_thread_id"] for p in exported["pairings"] if p["introduction_thread_id"]}
        for thread_id in sorted(threads):
            await self._clear_introduction(thread_id)
        for guild_id, partner, my_role in active:
            mentor, mentee = (member_id, partner) if my_role == "mentor" else (partner, member_id)
            ended = Match(0, guild_id, mentor, mentee, (), 0, None, None, 0, None, None, None, 0, "forgotten")
            await self._tell_partner_ended(ended, member_id)
        for guild_id in sorted({guild_id for guild_id, _, _ in active}):
            result = await self.service.run_matching(guild_id)
            await self._after_run(result.new_matches)
        return counts

    async def _clear_introduction(self, thread_id: int) -> None:
        """Delete the bot's introduction (shared experiences, notes) from a thread and close it.

        What the two people wrote to each other stays theirs; only what the bot disclosed goes.
        """
        try:
            thread = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            if not isinstance(thread, discord.Thread):
                return
            me = self.bot.user
            async for message in thread.history(limit=20, oldest_first=True):
                if me is not None and message.author.id == me.id:
                    await message.delete()
            await thread.edit(archived=True, locked=True)
        except discord.HTTPException as error:
            log.warning("Could not clear a mentoring introduction thread (HTTP %s)", error.status)

    async def _tell_partner_ended(self, m: Match, by_member_id: int) -> None:
        partner = m.partner_of(by_member_id)
        if partner == m.mentee_id:
            text = (
                f"Your mentoring pairing with <@{by_member_id}> has come to an end. Nothing you did caused "
                "this on our side, and it happens. I'll look for another mentor for you and introduce you "
                "privately; `/mentor status` shows where things are."
            )
        else:
            text = (
                f"Your mentoring pairing with <@{by_member_id}> has come to an end. Thank you for your time "
                "with them. Your place is free again for someone new."
            )
        await self._dm(partner, content=text)

    @mentor.command(
        name="rematch", description="End a pairing that isn't working; mentees get a different mentor"
    )
    async def rematch_command(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        me = interaction.user.id
        status = await self.service.status(interaction.guild_id, me)
        if not status.matches:
            raise UserError(
                "You don't have a pairing right now. `/mentor status` shows where things are; "
                "`/mentor request` asks for a mentor."
            )
        choices: list[tuple[Match, str]] = []
        for m in status.matches:
            if m.mentee_id == me:
                choices.append((m, "Find me a different mentor"))
            else:
                name = await self._name(interaction.guild, m.mentee_id, "your mentee")
                choices.append((m, f"End my pairing with {name}"))
        await send_private(
            interaction,
            "Pairings don't always click, and that's fine. Ending one tells the other person gently, "
            "without a reason. You'll never be paired with them again; a mentee goes back to waiting "
            "and I look for someone new straight away.",
            view=RematchView(me, choices),
        )

    async def _name(self, guild: discord.Guild | None, member_id: int, fallback: str) -> str:
        if guild is not None:
            member = guild.get_member(member_id)
            if member is None:
                try:
                    member = await guild.fetch_member(member_id)
                except discord.HTTPException:
                    member = None
            if member is not None:
                return member.display_name
        return fallback

    async def rematch(self, interaction: discord.Interaction[Any], match_id: int) -> None:
        me = interaction.user.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.service.end_match(match_id, me, "rematch")
        await self._finish_ending(interaction, ended.match, me)

    async def _finish_ending(self, interaction: discord.Interaction[Any], m: Match, me: int) -> None:
        await self._tell_partner_ended(m, me)
        result = await self.service.run_matching(m.guild_id)
        await self._after_run(result.new_matches)
        if m.mentee_id == me:
            found = [n for n in result.new_matches if n.mentee_id == me]
            if found:
                place = self._where(await self._place(found[0]))
                text = f"Done. I've found you a different mentor and introduced you {place}."
            else:
                reason = result.waiting.get(me, "full")
                text = "Done: that pairing has ended. " + WAITING_REASONS[reason]
        else:
            text = "Done: that pairing has ended, and your place is free for someone new."
        await send_private(interaction, text)

    async def _place(self, m: Match) -> str:
        fresh = await self.service.get_match(m.id)
        return f"<#{fresh.thread_id}>" if fresh.thread_id else "dm"

    async def checkin_answered(
        self, interaction: discord.Interaction[Any], match_id: int, answer: str
    ) -> None:
        me = interaction.user.id
        m = await self.service.get_match(match_id)
        m.role_of(me)  # NotFound if it isn't theirs
        if answer == "wrong":
            await self.service.record_checkin(match_id, me, answer)
            await send_private(interaction, **await self.support_payload(m.guild_id))
            return
        if answer == "different":
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await self.service.record_checkin(match_id, me, answer)
            if result.ended:
                await self._finish_ending(interaction, result.match, me)
            else:
                await send_private(
                    interaction, "That pairing had already ended. `/mentor status` shows where you are."
                )
            return
        await self.service.record_checkin(match_id, me, answer)
        await send_private(interaction, ANSWER_REPLIES[answer])

    async def support_payload(self, guild_id: int) -> dict[str, Any]:
        intro = (
            "I'm sorry something's wrong. You don't have to explain it to me. Here is who can help. "
            "To tell the welfare team what happened, anonymously, use `/report new`. To end the pairing, "
            "use `/mentor rematch`: the other person isn't told why."
        )
        signposts = self.bot.get_cog("Signposts")
        if signposts is not None and hasattr(signposts, "support_payload"):
            try:
                payload: dict[str, Any] = dict(await signposts.support_payload(guild_id))
            except Exception:
                log.exception("Signposts could not give a support payload")
            else:
                embeds = [e for e in payload.get("embeds", []) if isinstance(e, discord.Embed)]
                if embeds:
                    payload["content"] = intro
                    return payload
        return {
            "content": intro,
            "embeds": [discord.Embed(title="Support, any time", description=CRISIS_LINES, colour=COLOUR)],
        }

    # -- organisers ---------------------------------------------------------------------

    @mentor.command(
        name="experiences",
        description="Edit the experiences students can declare (organisers)",
        extras=ORGANISER,
    )
    async def experiences(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        current = await self.service.experiences(interaction.guild_id)
        await interaction.response.send_modal(ExperiencesModal(current))

    @mentor.command(
        name="schedule", description="When matching runs automatically (organisers)", extras=ORGANISER
    )
    @app_commands.describe(
        frequency="How often to match waiting students (matching also runs whenever someone asks)",
        time="Server time, 24-hour, for example 09:00",
        weekday="For weekly matching: which day",
    )
    async def schedule(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        frequency: Literal["off", "daily", "weekly"],
        time: str = "09:00",
        weekday: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.guild_settings.get(interaction.guild_id)
        schedule = await self.service.set_schedule(
            interaction.guild_id,
            frequency,
            time_text=time,
            weekday=WEEKDAYS.index(weekday) if weekday else None,
            timezone=config.timezone,
        )
        self._arm_run(interaction.guild_id, schedule.next_run_at)
        if schedule.next_run_at is None:
            text = (
                "Scheduled matching is off. Matching still runs whenever a student asks for a mentor "
                "or a mentor signs up."
            )
        else:
            text = (
                f"Matching will run {frequency} at {time} ({config.timezone})"
                + (f" on {WEEKDAYS[schedule.weekday or 0]}s" if frequency == "weekly" else "")
                + f". Next run: {discord_time(from_timestamp(schedule.next_run_at))}."
            )
        await send_private(interaction, text)

    @mentor.command(
        name="intro-channel",
        description="Where private introduction threads open (organisers)",
        extras=ORGANISER,
    )
    @app_commands.describe(channel="A channel students can see; leave empty to introduce by DM instead")
    async def intro_channel(
        self, interaction: discord.Interaction[CommonRoomBot], channel: discord.TextChannel | None = None
    ) -> None:
        assert interaction.guild is not None
        if channel is None:
            await self.service.set_intro_channel(interaction.guild.id, None)
            await send_private(interaction, "Introductions will be sent by DM to each person.")
            return
        require_bot_permissions(channel, PRIVATE_THREADS, doing="open private threads in")
        await self.service.set_intro_channel(interaction.guild.id, channel.id)
        await send_private(
            interaction,
            f"Introductions will open as private threads in {channel.mention}, visible only to the two "
            "people (and, as Discord works, to anyone with Manage Threads there: keep that to a few). "
            "If a thread can't be opened, I'll introduce them by DM.",
        )

    @mentor.command(
        name="overview", description="How mentoring is going, in counts only (organisers)", extras=ORGANISER
    )
    async def overview(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        o = await self.service.overview(interaction.guild_id)
        schedule = await self.service.schedule(interaction.guild_id)
        embed = discord.Embed(
            title="Mentoring overview",
            description="Counts only: who declared what is never shown, to anyone.",
            colour=COLOUR,
        )
        embed.add_field(
            name="Mentors",
            value=f"{o.mentors_active} active, {o.mentors_paused} paused\n"
            f"Places: {o.capacity_total} in all, {o.capacity_used} taken, {o.capacity_free} free",
            inline=False,
        )
        bands = ", ".join(f"{label}: {n}" for label, n in o.waiting_bands.items())
        waiting = f"{o.mentees_waiting} waiting ({bands})"
        if o.longest_wait_days is not None:
            waiting += f"\nLongest wait: {o.longest_wait_days} day{'s' if o.longest_wait_days != 1 else ''}"
        if o.waiting_without_older_mentor:
            no_older = o.waiting_without_older_mentor
            waiting += f"\n{no_older} have no mentor in an older year yet: recruit older mentors"
        waiting += f"\n{o.mentees_paused} paused"
        embed.add_field(name="Students asking for a mentor", value=waiting, inline=False)
        embed.add_field(
            name="Pairings", value=f"{o.pairings_active} active, {o.pairings_ended} ended", inline=False
        )
        names = {
            "met": "we've met",
            "not_yet": "not yet",
            "different": "asked for a change",
            "wrong": "something's wrong",
        }
        answers = ", ".join(f"{o.checkins.get(k, 0)} {label}" for k, label in names.items())
        embed.add_field(name="Two-week check-ins", value=answers, inline=False)
        when = (
            discord_time(from_timestamp(schedule.next_run_at))
            if schedule.next_run_at
            else "off (runs when someone signs up)"
        )
        where = f"private threads in <#{schedule.intro_channel_id}>" if schedule.intro_channel_id else "DMs"
        embed.add_field(
            name="Settings", value=f"Next scheduled matching: {when}\nIntroductions: {where}", inline=False
        )
        await send_private(interaction, embed=embed)


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(CheckinButton)
    await bot.add_cog(Mentoring(bot))
