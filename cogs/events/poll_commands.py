"""``/event find-time`` (issue #19): the command, and what the card's menu and buttons do.

A mixin of the Events cog (its subcommands live in one group): organisers propose 2 to 10
times; students say privately which they could make; the card and the organisers see counts
only. When the poll closes, the organisers' channel gets the ranking with a button per time,
which opens the ``/event create`` form filled in; creating the event tells, by one DM each, the
students who said they could make that time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import ORGANISER, CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.i18n import N_
from bot.services.event_polls import TOGGLE, EventPollService, Poll, PollSlot
from bot.services.events import EventDraft
from bot.services.recurrence import to_local
from bot.ui import POST, require_bot_permissions, send_private
from cogs.events.poll_jobs import PollJobs
from cogs.events.poll_render import NO_TIMES, slot_label
from cogs.events.views import CreateModal, NewEvent

if TYPE_CHECKING:
    from bot.services.events import EventService

organiser_command = partial(app_commands.command, extras=ORGANISER)


class FindTime(commands.Cog):
    """The find-a-time part of the Events cog (``self`` is the cog)."""

    bot: CommonRoomBot
    service: EventService
    polls: EventPollService
    poll_jobs: PollJobs
    _find_community: Callable[[discord.Guild, str], Awaitable[discord.TextChannel]]  # the cog's

    @organiser_command(
        name="find-time", description=N_("Ask students which times they could make (organisers)")
    )
    @app_commands.rename(online_link="online-link")
    @app_commands.describe(
        title=N_("What it's for, e.g. Study skills workshop"),
        times=N_("2 to 10 times, separated by semicolons, e.g. Mon 18:00; Tue 12:30; Thu 17:00"),
        closes=N_("When answers close (before the first time), e.g. Friday 17:00"),
        kind=N_("Would it be a social or a workshop"),
        place=N_("Where it would be (room, building)"),
        online_link=N_("Or a link to join online"),
        community=N_("Only for this community: its channel (the card goes there)"),
    )
    async def find_time(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        title: app_commands.Range[str, 1, 100],
        times: app_commands.Range[str, 1, 1000],
        closes: app_commands.Range[str, 1, 100],
        kind: Literal["social", "workshop"] = "workshop",
        place: app_commands.Range[str, 1, 200] | None = None,
        online_link: app_commands.Range[str, 1, 500] | None = None,
        community: str | None = None,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        config = await self.bot.guild_settings.get(guild.id)
        if config.channel("organisers") is None:
            raise UserError(
                "When the poll closes I post the counts for organisers, so I need the organisers' "
                "channel first. A server admin can choose it with `/setup channel purpose:organisers`."
            )
        community_id = None
        if community:
            target = await self._find_community(guild, community)
            community_id = target.id
        else:
            announcements = config.channel("announcements")
            found = guild.get_channel(announcements) if announcements else None
            if not isinstance(found, discord.TextChannel):
                raise UserError(
                    "I don't know where to post the poll yet. A server admin can choose the channel with "
                    "`/setup channel purpose:announcements`."
                )
            target = found
        require_bot_permissions(target, POST)
        poll = await self.polls.create(
            guild.id,
            interaction.user.id,
            title=title,
            slots=times,
            closes=closes,
            tz=config.timezone,
            kind=kind,
            place=place,
            online_link=online_link,
            community_channel_id=community_id,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            message = await target.send(
                **await self.poll_jobs.card_kwargs(poll), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException:
            await self.polls.delete(poll.poll_id)
            raise UserError(
                "I couldn't post the poll in {channel}, so I haven't saved it. Check that I can send"
                " messages and embed links there, then try again.",
                channel=target.mention,
            ) from None
        await self.polls.card_posted(poll.poll_id, target.id, message.id)
        self.poll_jobs.arm_close(poll.poll_id, poll.closes_at)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t(
                "Posted in {channel}: {url}. Answers close {closes}; then the organisers' channel gets the"
                " counts and a button to create the event at the best time.",
                channel=target.mention,
                url=message.jump_url,
                closes=f"<t:{poll.closes_at}:F>",
            ),
        )

    # -- the card ----------------------------------------------------------------------------

    def _may_answer(
        self, interaction: discord.Interaction[Any]
    ) -> tuple[discord.Member, Callable[[Poll], None]]:
        """The presser, and the check the service runs on the poll inside the write: a community's
        poll is answered only by those who can see that community."""
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise UserError("Polls work inside the server.")

        def check(poll: Poll) -> None:
            if poll.community_channel_id is not None:
                channel = guild.get_channel(poll.community_channel_id)
                if channel is None or not channel.permissions_for(member).view_channel:
                    raise UserError("This poll is for members of a community.")

        return member, check

    async def poll_choose(
        self, interaction: discord.Interaction[Any], poll_id: int, slots: list[int]
    ) -> None:
        member, check = self._may_answer(interaction)
        guild_id = member.guild.id
        saved = await self.polls.choose(poll_id, guild_id, member.id, slots, check=check)
        tz = (await self.bot.guild_settings.get(guild_id)).timezone
        t = await self.bot.i18n.for_interaction(interaction)
        chosen = [
            slot_label(PollSlot(number, start), tz, t)
            for number, start in enumerate(saved.starts)
            if number in saved.mine.slots
        ]
        said = ", ".join(chosen) if chosen else t(NO_TIMES)
        await send_private(
            interaction,
            t(
                "Saved privately: you could make {times}. You can change it until the poll closes"
                " {closes}; only counts are shown.",
                times=said,
                closes=f"<t:{saved.closes_at}:R>",
            ),
        )
        self.poll_jobs.redraw_soon(poll_id)

    async def poll_commitments(self, interaction: discord.Interaction[Any], poll_id: int) -> None:
        member, check = self._may_answer(interaction)
        saved = await self.polls.choose(poll_id, member.guild.id, member.id, committed=TOGGLE, check=check)
        t = await self.bot.i18n.for_interaction(interaction)
        text = (
            t(
                "Noted privately: caring or work commitments limit when you can come. When the poll"
                " closes, organisers see only how many of those who can make each time have such"
                " commitments, and only once five or more people have said so. Press again to undo."
            )
            if saved.mine.committed
            else t("Undone: you're no longer counted as having caring or work commitments.")
        )
        await send_private(interaction, text)
        self.poll_jobs.redraw_soon(poll_id)  # a first answer may be this tick: the card counts it

    # -- the organisers' buttons ----------------------------------------------------------------

    @asynccontextmanager
    async def poll_claimed(self, poll: tuple[int, int] | None, guild_id: int) -> AsyncIterator[None]:
        """Around creating an event from a find-a-time poll (``(poll id, slot)``; None: not from a
        poll): the poll is claimed first, so a second organiser pressing at the same moment is
        refused before anything is created, and it is given back if creating fails."""
        if poll is None:
            yield
            return
        await self.polls.claim(poll[0], guild_id, poll[1])
        try:
            yield
        except BaseException:
            await self.polls.release(poll[0])
            raise

    async def poll_pick(self, interaction: discord.Interaction[Any], poll_id: int, slot: int) -> None:
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise UserError("Polls work inside the server.")
        config = await self.bot.guild_settings.get(guild.id)
        if not is_organiser(member, config):  # checked on every press, on the server side
            raise UserError("Only organisers can create an event from a poll.")
        poll = await self.polls.get(poll_id, guild.id)
        if poll.is_open:
            raise UserError("This poll is still open. Wait until it closes, so everyone can answer.")
        if poll.status == "decided":
            raise UserError("An event was already created from this poll.")
        if not 0 <= slot < len(poll.slots):
            raise UserError("That time isn't one of this poll's.")
        start = to_local(poll.slots[slot].start, config.timezone).strftime("%Y-%m-%d %H:%M")
        draft = EventDraft(
            kind=poll.kind,
            title=poll.title,
            start=start,
            place=poll.place,
            online_link=poll.online_link,
            community_channel_id=poll.community_channel_id,
            alcohol_free=False,
        )
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_modal(
            CreateModal(self, NewEvent(draft, config.timezone, poll=(poll_id, slot)), t)  # type: ignore[arg-type]
        )
