"""/mentor: peer mentoring, older-year mentors matched with younger-year students by shared experience.

Everything a student does here is private: ephemeral replies, selects and a form; introductions
in a private thread (in the channel organisers chose) or by DM; check-ins by DM. Organisers see
counts only. The service (``bot/services/mentoring.py``) owns the data and the rules; the
pictures are in ``render.py``, the buttons and forms in ``views.py``, the scheduled work and
what it sends in ``jobs.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import ORGANISER, CommonRoomBot
from bot.errors import UserError
from bot.feature import FeatureCog
from bot.i18n import N_, Message, Translator
from bot.services.mentoring import MentoringService
from bot.services.mentoring_model import Match
from bot.services.mentoring_schedule import WEEKDAYS
from bot.ui import PRIVATE_THREADS, ConfirmView, require_bot_permissions, send_private, support_payload
from bot.ui.names import FORMER_MEMBER
from cogs.mentoring import render
from cogs.mentoring.jobs import MentoringJobs
from cogs.mentoring.views import FLOW_TIMEOUT, ExperiencesModal, SignupView, checkin_view, rematch_view

#: What ``/privacy forget-me`` says it erased, by the service's names for it.
ERASED: dict[str, Message] = {
    "mentoring_declarations": N_("experiences you shared for mentoring"),
    "mentoring_profiles": N_("mentoring sign-ups"),
    "mentoring_matches": N_("mentoring pairings"),
    "mentoring_pair_history": N_("records of past pairings"),
}


class Mentoring(FeatureCog[MentoringJobs], commands.Cog):
    erased_labels: ClassVar[dict[str, Message]] = ERASED
    personal_tables: ClassVar[frozenset[str]] = frozenset(
        {"mentoring_declarations", "mentoring_matches", "mentoring_pair_history", "mentoring_profiles"}
    )

    mentor = app_commands.Group(
        name="mentor", description=N_("Peer mentoring: older-year mentors who share your experience")
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = MentoringService(bot.db, bot.clock, bot.secret_key)
        self.jobs = MentoringJobs(bot, self.service)

    # -- start-up: re-arm what the database says must happen -----------------------------------
    # (FeatureCog.cog_load arms it as the cog loads; on_ready arms it again once connected.)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Jobs that came due while the bot was down fire at start, before Discord is connected;
        # they step aside then, and are armed again here, now that channels and users resolve.
        await self.jobs.rearm()

    # -- students -------------------------------------------------------------------------

    async def _open_signup(self, interaction: discord.Interaction[CommonRoomBot], role: str) -> None:
        assert interaction.guild_id is not None
        experiences, existing = await self.service.signup_start(
            interaction.guild_id, interaction.user.id, "mentor" if role == "offer" else "mentee"
        )
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            render.signup_intro(role, existing, t),
            view=SignupView(role, interaction.user.id, experiences, existing, t),
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
        places = await self.jobs.after_run(result.new_matches)
        mine = [m for m in result.new_matches if member_id in (m.mentor_id, m.mentee_id)]
        t = await self.bot.i18n.for_interaction(interaction)
        if view.role == "offer":
            text_out = render.offer_saved(view.capacity, [places.get(m.id) for m in mine], t)
        else:
            text_out = render.request_saved(
                bool(mine), places.get(mine[0].id) if mine else None, result.waiting.get(member_id), t
            )
        await send_private(interaction, text_out)

    @mentor.command(name="offer", description=N_("Offer to mentor a student in a younger year"))
    async def offer(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        await self._open_signup(interaction, "offer")

    @mentor.command(
        name="request", description=N_("Ask for a mentor from an older year who shares your experience")
    )
    async def request(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        await self._open_signup(interaction, "request")

    @mentor.command(name="status", description=N_("Your mentoring: sign-ups, pairings and what happens next"))
    async def status(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        t = await self.bot.i18n.for_interaction(interaction)
        if not status.profiles and not status.matches:
            await send_private(interaction, t(render.NOT_SIGNED_UP))
            return
        embed, due = render.status_embed(status, interaction.user.id, status.labels, t)
        kwargs: dict[str, Any] = {"embed": embed}
        if due is not None:
            kwargs["view"] = checkin_view(due[0].id, due[1], t)
        await send_private(interaction, **kwargs)

    @mentor.command(
        name="pause", description=N_("Take a break from mentoring, or resume (pairings you have continue)")
    )
    async def pause(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        paused = await self.service.set_paused(interaction.guild_id, interaction.user.id)
        t = await self.bot.i18n.for_interaction(interaction)
        if paused:
            await send_private(
                interaction,
                t(
                    "Paused. I won't pair you with anyone new until you run `/mentor pause` again. "
                    "Pairings you already have carry on; `/mentor rematch` or `/mentor leave` if you'd "
                    "like to end one."
                ),
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.run_matching(interaction.guild_id)
        await self.jobs.after_run(result.new_matches)
        mine = [m for m in result.new_matches if interaction.user.id in (m.mentor_id, m.mentee_id)]
        back = [t("Welcome back: you're active again.")]
        if mine:
            back.append(t("You've been paired already: check your messages."))
        elif interaction.user.id in result.waiting:
            back.append(render.waiting(result.waiting[interaction.user.id], t))
        await send_private(interaction, " ".join(back))

    @mentor.command(name="leave", description=N_("Stop mentoring and delete everything you told me for it"))
    async def leave(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        if not status.profiles and not status.matches:
            raise UserError("You aren't signed up for mentoring, so there's nothing to delete.")
        t = await self.bot.i18n.for_interaction(interaction)
        confirm = ConfirmView(
            interaction.user.id,
            self.leave_confirmed,
            confirm_label=t("Yes, delete my mentoring data"),
            cancel_label=t("Cancel"),
            cancelled=t("Cancelled. Nothing was changed."),
            confirm_id="mentor:leave:confirm",
            timeout=FLOW_TIMEOUT,
        )
        await send_private(interaction, render.leave_prompt(len(status.matches), t), view=confirm)

    async def leave_confirmed(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        left = await self.service.leave(interaction.guild_id, interaction.user.id)
        for thread_id in left.thread_ids:
            await self.jobs.clear_introduction(thread_id)
        result = await self.service.run_matching(interaction.guild_id)
        await self.jobs.after_run(result.new_matches)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, render.left(sum(left.removed.values()), t))

    @mentor.command(
        name="rematch", description=N_("End a pairing that isn't working; mentees get a different mentor")
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
        t = await self.bot.i18n.for_interaction(interaction)
        choices: list[tuple[Match, str]] = []
        for m in status.matches:
            if m.mentee_id == me:
                choices.append((m, t("Find me a different mentor")))
            else:
                name = await self.bot.names.name(m.guild_id, m.mentee_id, unknown=t("your mentee"), raw=True)
                choices.append((m, t("End my pairing with {name}", name=name)))
        await send_private(
            interaction,
            t(
                "Pairings don't always click, and that's fine. Ending one tells the other person gently, "
                "without a reason. You'll never be paired with them again; a mentee goes back to waiting "
                "and I look for someone new straight away."
            ),
            view=rematch_view(choices),
        )

    async def rematch(self, interaction: discord.Interaction[Any], match_id: int) -> None:
        me = interaction.user.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.service.end_match(match_id, me, "rematch")
        await self._finish_ending(interaction, ended.match, me)

    async def _finish_ending(self, interaction: discord.Interaction[Any], m: Match, me: int) -> None:
        # The partner's notice was promised with the ending; after_run kicks the sender.
        result = await self.service.run_matching(m.guild_id)
        await self.jobs.after_run(result.new_matches)
        found = [n for n in result.new_matches if n.mentee_id == me]
        place = None
        if found:
            fresh = await self.service.get_match(found[0].id)
            place = f"<#{fresh.thread_id}>" if fresh.thread_id else "dm"
        # Also pressed in a DM (a check-in, the nudge): the language is the member's on that server.
        t = await self.bot.i18n.for_member(m.guild_id, me, str(interaction.locale))
        text = render.ending_done(m.mentee_id == me, bool(found), place, result.waiting.get(me), t)
        await send_private(interaction, text)

    async def _in_dm(
        self, interaction: discord.Interaction[Any], t: Translator, action: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``action`` for a button pressed in a DM, where Discord names no server: a refusal
        is shown in ``t`` (the member's language on the pairing's server), not the guard's guess."""
        try:
            await action()
        except UserError as error:
            await send_private(interaction, error.translated(t))

    async def checkin_answered(
        self, interaction: discord.Interaction[Any], match_id: int, answer: str
    ) -> None:
        me = interaction.user.id
        m = await self.service.get_match(match_id)
        # A check-in is answered in its DM: the member's language is looked up on the pairing's server.
        t = await self.bot.i18n.for_member(m.guild_id, me, str(interaction.locale))
        await self._in_dm(interaction, t, lambda: self._checkin_answered(interaction, m, answer, t))

    async def _checkin_answered(
        self, interaction: discord.Interaction[Any], m: Match, answer: str, t: Translator
    ) -> None:
        me, match_id = interaction.user.id, m.id
        m.role_of(me)  # NotFound if it isn't theirs
        if answer == "wrong":
            await self.service.record_checkin(match_id, me, answer)
            payload = dict(await support_payload(self.bot, m.guild_id, t=t))
            await send_private(interaction, t(render.SOMETHING_WRONG), **payload)
            return
        if answer == "different":
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await self.service.record_checkin(match_id, me, answer)
            if result.ended:
                await self._finish_ending(interaction, result.match, me)
            else:
                await send_private(
                    interaction, t("That pairing had already ended. `/mentor status` shows where you are.")
                )
            return
        config = await self.bot.guild_settings.get(m.guild_id)
        result = await self.service.record_checkin(match_id, me, answer, timezone=config.timezone)
        if result.nudged:  # promised now (never promise a second one the outbox would not send)
            self.bot.outbox.kick()  # the nudge a week on: the sender arms its wake-up for it
            await send_private(interaction, render.not_yet_mentee(t))
            return
        await send_private(interaction, t(render.ANSWER_REPLIES[answer]))

    async def nudge_chosen(self, interaction: discord.Interaction[Any], match_id: int, choice: str) -> None:
        """One of the follow-up nudge's buttons (the presser must be the pairing's mentee)."""
        me = interaction.user.id
        m = await self.service.nudged_pairing(match_id, me)
        t = await self.bot.i18n.for_member(m.guild_id, me, str(interaction.locale))  # pressed in a DM
        await self._in_dm(interaction, t, lambda: self._nudge_chosen(interaction, m, choice, t))

    async def _nudge_chosen(
        self, interaction: discord.Interaction[Any], m: Match, choice: str, t: Translator
    ) -> None:
        me = interaction.user.id
        if choice == "message":
            name = await self.bot.names.name(m.guild_id, m.mentor_id, unknown="")
            await send_private(interaction, render.nudge_message(m, name, name == FORMER_MEMBER, t))
        elif choice == "different":
            await self.rematch(interaction, m.id)  # the same path as /mentor rematch
        else:
            await self.service.pause_after_nudge(m.id, me)
            await send_private(interaction, t(render.NUDGE_PAUSED))

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
        """Erase the member's mentoring data, and what the bot disclosed on Discord about them:
        the introductions are deleted from their threads, partners are told their pairing ended,
        and mentees who lost their mentor (matched again by the service) are introduced."""
        forgotten = await self.service.forget(member_id)
        for thread_id in forgotten.thread_ids:
            await self.jobs.clear_introduction(thread_id)
        await self.jobs.after_run(forgotten.new_matches)
        return forgotten.counts

    # -- organisers ---------------------------------------------------------------------

    @mentor.command(
        name="experiences",
        description=N_("Edit the experiences students can declare (organisers)"),
        extras=ORGANISER,
    )
    async def experiences(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        current = await self.service.experiences(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_modal(ExperiencesModal(current, t))

    async def experiences_saved(self, interaction: discord.Interaction[Any], text: str) -> None:
        assert interaction.guild_id is not None
        change = await self.service.set_experiences(interaction.guild_id, text)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, render.experiences_saved(change, t))

    @mentor.command(
        name="schedule", description=N_("When matching runs automatically (organisers)"), extras=ORGANISER
    )
    @app_commands.describe(
        frequency=N_("How often to match waiting students (matching also runs whenever someone asks)"),
        time=N_("Server time, 24-hour, for example 09:00"),
        weekday=N_("For weekly matching: which day"),
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
        self.jobs.arm_run(interaction.guild_id, schedule.next_run_at)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, render.schedule_saved(frequency, time, config.timezone, schedule, t))

    @mentor.command(
        name="intro-channel",
        description=N_("Where private introduction threads open (organisers)"),
        extras=ORGANISER,
    )
    @app_commands.describe(channel=N_("A channel students can see; leave empty to introduce by DM instead"))
    async def intro_channel(
        self, interaction: discord.Interaction[CommonRoomBot], channel: discord.TextChannel | None = None
    ) -> None:
        assert interaction.guild is not None
        t = await self.bot.i18n.for_interaction(interaction)
        if channel is None:
            await self.service.set_intro_channel(interaction.guild.id, None)
            await send_private(interaction, t("Introductions will be sent by DM to each person."))
            return
        require_bot_permissions(channel, PRIVATE_THREADS, doing="open private threads in")
        await self.service.set_intro_channel(interaction.guild.id, channel.id)
        await send_private(
            interaction,
            t(
                "Introductions will open as private threads in {channel}, visible only to the two "
                "people (and, as Discord works, to anyone with Manage Threads there: keep that to a few). "
                "If a thread can't be opened, I'll introduce them by DM.",
                channel=channel.mention,
            ),
        )

    @mentor.command(
        name="overview",
        description=N_("How mentoring is going, in counts only (organisers)"),
        extras=ORGANISER,
    )
    async def overview(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        o = await self.service.overview(interaction.guild_id)
        schedule = await self.service.schedule(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, embed=render.overview_embed(o, schedule, t))
