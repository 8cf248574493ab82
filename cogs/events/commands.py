"""/event: alcohol-free socials and workshop series. Slash commands and autocomplete.

Each command validates what was typed, asks :class:`~bot.services.events.EventService`, and
shows the result with :mod:`cogs.events.render`. Cards and their buttons are in
:mod:`cogs.events.views`; reminders, card posts and the Events tab mirror in
:mod:`cogs.events.jobs`.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import to_timestamp
from bot.core import ORGANISER, CommonRoomBot
from bot.errors import UserError
from bot.i18n import N_, Message
from bot.services.communities import CommunityService, channel_slug
from bot.services.event_polls import EventPollService, decided_key
from bot.services.events import (
    ChangeOutcome,
    EventChanges,
    EventDraft,
    EventService,
    card_key,
    parse_reminder_hours,
    plan_starts,
)
from bot.services.events_ics import calendar_bytes
from bot.text import clean_text
from bot.ui import (
    POST,
    FormValues,
    PagedView,
    clip,
    parse_id,
    require_bot_permissions,
    send_pages,
    send_private,
    suggest,
)
from cogs.events.evaluation_commands import EVALUATION_TABLES, Evaluations
from cogs.events.jobs import EventJobs
from cogs.events.poll_commands import FindTime
from cogs.events.poll_jobs import PollJobs
from cogs.events.poll_render import poll_told
from cogs.events.render import ERASED, PAGE_SIZE, choice_name, list_page, mine_embed, need_saved
from cogs.events.render_attendees import attendee_pages, attendees_embed, register_csv, register_note
from cogs.events.render_organisers import (
    cancelled_reply,
    created_reply,
    edited_reply,
    series_question,
    settings_reply,
)
from cogs.events.views import NEED_FORM, SCOPES, CreateModal, NewEvent, SeriesScopeView

# A channel mention or id, in ASCII digits (never longer than an id: no typed number overflows).
_MENTION = re.compile(r"<#([0-9]{1,19})>")
_CHANNEL_ID = re.compile(r"([0-9]{1,19})")
# An outbox item still on its way (Discord said "later", or it hasn't been tried yet).
OWED = ("pending", "sending")
# A subcommand only organisers can run (the command tree checks ``extras``).
organiser_command = partial(app_commands.command, extras=ORGANISER)
#: The register lists at most this many people (each name may be a look-up at Discord).
REGISTER_LIMIT = 2000
ABOUT = N_("Alcohol-free socials and workshops")
NO_CARD_CHANNEL = N_(
    "I don't know where to post event cards yet. A server admin can choose the channel with "
    "`/setup channel purpose:announcements`."
)


class Events(FindTime, Evaluations, commands.GroupCog, group_name="event", group_description=ABOUT):
    erased_labels: ClassVar[dict[str, Message]] = ERASED
    personal_tables: ClassVar[frozenset[str]] = frozenset(
        {
            "event_rsvps",
            "event_reminder_optouts",
            "event_series",
            "events",
            "event_polls",
            "event_poll_choices",
        }
        | EVALUATION_TABLES
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = EventService(bot.db, bot.clock)
        self.communities = CommunityService(bot.db, bot.clock)
        self.jobs = EventJobs(bot, self.service)
        self.polls = EventPollService(bot.db, bot.clock)
        self.poll_jobs = PollJobs(bot, self.polls, self.service)
        self.init_evaluations()

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """For /privacy my-data: RSVPs (with any need shared with organisers), reminder preferences
        and find-a-time answers."""
        return {
            **await self.service.export_member(member_id),
            "find_a_time": await self.polls.export_member(member_id),
            "evaluation_follow_ups": await self.evaluations.export_member(member_id),
        }

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """For /privacy forget-me: RSVPs and needs shared (the waiting list moves up) and reminder
        preferences."""
        counts = await self.service.forget_member(member_id)
        counts["polls"] = await self.polls.forget_member(member_id)
        counts["evaluations"] = await self.evaluations.forget_member(member_id)
        self.bot.outbox.kick()  # whoever moved up into their place is owed a DM
        return counts

    async def cog_load(self) -> None:
        self.bot.forms.add(NEED_FORM, self.submit_need, where="event needs form")
        self.jobs.register()
        self.poll_jobs.register()
        await self.jobs.rearm()
        await self.poll_jobs.rearm()
        await self.load_evaluations()

    async def cog_unload(self) -> None:
        self.bot.forms.remove_owner(self)
        self.jobs.unregister()
        self.poll_jobs.unregister()
        self.evaluation_jobs.unregister()
        await self.evaluations.writes_done()  # as the pulse cog's unload

    # -- helpers ---------------------------------------------------------------------------

    async def _tz(self, guild_id: int) -> str:
        return (await self.bot.guild_settings.get(guild_id)).timezone

    async def _find_community(self, guild: discord.Guild, text: str) -> discord.TextChannel:
        """A community's channel, by mention, id, community name or channel name."""
        cleaned = clean_text(text, field=N_("The community"), multiline=False)
        match = _MENTION.fullmatch(cleaned) or _CHANNEL_ID.fullmatch(cleaned)
        channel: Any = None
        if match:
            channel = guild.get_channel(parse_id(match[1]))
        else:
            name = cleaned.lstrip("#").strip()
            try:
                community = await self.communities.find(guild.id, name)
            except UserError:
                community = None
            if community is not None and community.channel_id is not None:
                channel = guild.get_channel(community.channel_id)
            if channel is None:
                slug = channel_slug(name)
                channel = next((c for c in guild.text_channels if c.name.lower() == slug), None)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                "I can't find a community channel called `{name}`. Give the channel's name (for example"
                " `#faith-and-belief`) or leave `community` empty for an event open to everyone.",
                name=clip(cleaned, 60),
            )
        return channel

    # -- autocomplete ----------------------------------------------------------------------

    async def event_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        tz = await self._tz(interaction.guild.id)
        t = await self.bot.i18n.for_interaction(interaction)
        upcoming = await self.service.upcoming(interaction.guild.id, counts=False)
        return suggest(((choice_name(e, tz, t), e.event_id) for e in upcoming), current)

    # -- commands: organisers --------------------------------------------------------------

    @organiser_command(
        name="create", description=N_("Schedule an alcohol-free social or workshop (organisers)")
    )
    @app_commands.describe(
        kind=N_("A social or a workshop"),
        title=N_("A short title"),
        start=N_("Date and time in the server's timezone, e.g. 3 Dec 18:30 or tomorrow 6pm"),
        duration=N_("How long, e.g. 2h or 90 min (default 2h)"),
        end=N_("Or an end time instead of a duration, e.g. 20:30"),
        place=N_("Where (room, building)"),
        online_link=N_("A link to join online"),
        capacity=N_("Most people who can come (empty: no limit)"),
        cost=N_("Free, or an amount"),
        food=N_("Food offered, e.g. halal, vegetarian, vegan"),
        accessibility=N_("e.g. step-free, quiet space, captions"),
        community=N_("Only for this community: its channel (the card goes there)"),
        repeat=N_("Make it a series"),
        times=N_("For a series: how many times"),
        until=N_("For a series: the last date, e.g. 17 Dec"),
        ask_needs=N_("Ask attendees about access and dietary needs (privately, only organisers see them)"),
    )
    @app_commands.rename(online_link="online-link", ask_needs="ask-needs")
    async def create(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        kind: Literal["social", "workshop"],
        title: app_commands.Range[str, 1, 100],
        start: str,
        duration: str | None = None,
        end: str | None = None,
        place: str | None = None,
        online_link: str | None = None,
        capacity: int | None = None,
        cost: str | None = None,
        food: str | None = None,
        accessibility: str | None = None,
        community: str | None = None,
        repeat: Literal["weekly", "fortnightly", "monthly"] | None = None,
        times: app_commands.Range[int, 2, 60] | None = None,
        until: str | None = None,
        ask_needs: bool = False,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        config = await self.bot.guild_settings.get(guild.id)
        community_id = None
        if community:
            channel = await self._find_community(guild, community)
            require_bot_permissions(channel, POST)
            community_id = channel.id
        elif config.channel("announcements") is None:
            raise UserError(NO_CARD_CHANNEL)
        draft = EventDraft(
            kind=kind,
            title=title,
            start=start,
            duration=duration,
            end=end,
            place=place,
            online_link=online_link,
            cost=cost,
            food=food,
            accessibility=accessibility,
            capacity=capacity,
            community_channel_id=community_id,
            alcohol_free=True,
            ask_needs=ask_needs,
        )
        # Check everything typed so far (the series too) before asking for the long text.
        first_start, _ = self.service.validate(replace(draft), config.timezone)
        plan_starts(
            first_start, config.timezone, self.bot.clock.now(), repeat=repeat, until=until, count=times
        )
        draft.alcohol_free = False
        new = NewEvent(draft, config.timezone, repeat, until, times)
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_modal(CreateModal(self, new, t))

    async def finish_create(self, interaction: discord.Interaction[Any], new: NewEvent) -> None:
        guild = interaction.guild
        assert guild is not None
        # Validate before deferring so a refusal is a direct private reply.
        self.service.validate(replace(new.draft), new.tz)
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.bot.guild_settings.get(guild.id)
        card_channel_id = new.draft.community_channel_id or config.channel("announcements")
        if card_channel_id is None:
            raise UserError(NO_CARD_CHANNEL)
        async with self.poll_claimed(new.poll, guild.id):  # a second organiser is refused first
            events = await self.service.create(
                guild.id,
                interaction.user.id,
                new.draft,
                new.tz,
                repeat=new.repeat,
                until=new.until,
                count=new.count,
                card_channel_id=card_channel_id,
            )
            first = events[0]
            # The first card is owed with the event; wait a moment for it, so that if I can't post in
            # the channel at all, nothing is saved and the organiser is told why.
            self.jobs.creating.add(first.event_id)
            try:
                key = card_key(first.event_id)
                card = (await self.jobs.deliver([key])).get(key)
            finally:
                self.jobs.creating.discard(first.event_id)
            if card == "failed":
                await self.service.delete_unposted([e.event_id for e in events])
                raise UserError(
                    "I couldn't post the event card, so I haven't saved the event. Check that I can send"
                    " messages and embed links in the announcements (or community) channel, then try again."
                )
            t = await self.bot.i18n.for_interaction(interaction)
            problems = await self.jobs.created(events, t)
            shown = await self.service.get(first.event_id)
            text = created_reply(events, shown, new.repeat, card_channel_id, t)
            if new.poll is not None:  # from a find-a-time poll: tell those who could make this time
                told = await self.polls.decide(new.poll[0], guild.id, new.poll[1], event_id=first.event_id)
                outcomes = await self.jobs.deliver([decided_key(new.poll[0], member) for member in told])
                text += "\n" + poll_told(list(outcomes.values()), t)
        if problems:
            text += "\n" + " ".join(sorted(problems))
        await send_private(interaction, text)

    @organiser_command(name="edit", description=N_("Change an event's time, place or details (organisers)"))
    @app_commands.describe(
        event=N_("The event to change"),
        start=N_("New date and time, e.g. 3 Dec 18:30"),
        duration=N_("New length, e.g. 2h"),
        place=N_("New place (- to remove)"),
        online_link=N_("New online link (- to remove)"),
        capacity=N_("New capacity"),
        no_limit=N_("Remove the capacity limit"),
        description=N_("New description (- to remove)"),
        cost=N_("New cost (- for free)"),
        food=N_("Food (- to remove)"),
        accessibility=N_("Accessibility (- to remove)"),
        facilitators=N_("Facilitators (- to remove)"),
        theme=N_("Theme (- to remove)"),
        title=N_("New title"),
        ask_needs=N_("Ask attendees about access and dietary needs (privately, only organisers see them)"),
        scope=N_("For a series: just this event, or this and every later one (asked if left empty)"),
    )
    @app_commands.rename(online_link="online-link", no_limit="no-limit", ask_needs="ask-needs")
    @app_commands.choices(scope=SCOPES)
    @app_commands.autocomplete(event=event_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        event: int,
        start: str | None = None,
        duration: str | None = None,
        place: str | None = None,
        online_link: str | None = None,
        capacity: int | None = None,
        no_limit: bool = False,
        description: str | None = None,
        cost: str | None = None,
        food: str | None = None,
        accessibility: str | None = None,
        facilitators: str | None = None,
        theme: str | None = None,
        title: str | None = None,
        ask_needs: bool | None = None,
        scope: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        changes = EventChanges(
            title=title,
            start=start,
            duration=duration,
            place=place,
            online_link=online_link,
            description=description,
            cost=cost,
            food=food,
            accessibility=accessibility,
            facilitators=facilitators,
            theme=theme,
            capacity=capacity,
            remove_capacity=no_limit,
            ask_needs=ask_needs,
        )
        tz = await self._tz(interaction.guild.id)
        if scope is None:
            # An occurrence of a series: check the change, then ask how far it goes (privately).
            later = await self.service.check_edit(event, interaction.guild.id, changes, tz)
            if later:
                t = await self.bot.i18n.for_interaction(interaction)
                view = SeriesScopeView(
                    self,
                    interaction.user.id,
                    lambda i, scope: self.apply_edit(i, event, changes, tz, scope),
                    t=t,
                )
                await send_private(interaction, series_question(event, later, t), view=view)
                return
        await self.apply_edit(interaction, event, changes, tz, scope or "this")

    async def apply_edit(
        self, interaction: discord.Interaction[Any], event_id: int, changes: EventChanges, tz: str, scope: str
    ) -> None:
        """Save an edit (of one event, or this and every later one in its series), then redraw
        the cards and the Events tab, re-arm reminders and say how many were told."""
        assert interaction.guild is not None
        outcomes = await self.service.edit_occurrences(event_id, interaction.guild.id, changes, tz, scope)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self.bot.i18n.for_interaction(interaction)
        problem = None
        for outcome in outcomes:
            if outcome.time_changed:
                self.jobs.rescheduled(outcome)
            await self.jobs.refresh_card(outcome.event)
            problem = await self.jobs.mirror(outcome.event, t) or problem
        await self.evaluation_jobs.arm()  # an evaluated event may end at another time now
        # The notices were owed with the change; wait a moment to say how many have arrived.
        notices = [key for outcome in outcomes for key in outcome.notices]
        status = await self.jobs.deliver(notices)
        told_keys = [key for outcome in outcomes for key in _notice_keys(outcome)]
        told = sum(status.get(key) == "delivered" for key in told_keys)
        owed = sum(status.get(key) in OWED for key in told_keys)
        await send_private(interaction, edited_reply(outcomes, told, owed, problem, changes.ask_needs, t))

    @organiser_command(
        name="cancel", description=N_("Cancel an event, or the rest of its series (organisers)")
    )
    @app_commands.describe(
        event=N_("The event to cancel"), scope=N_("Just this event, or this and every later one")
    )
    @app_commands.choices(
        scope=[
            app_commands.Choice(name=N_("Just this event"), value="this"),
            app_commands.Choice(name=N_("This and the rest of the series"), value="rest"),
        ]
    )
    @app_commands.autocomplete(event=event_autocomplete)
    async def cancel(
        self, interaction: discord.Interaction[CommonRoomBot], event: int, scope: str = "this"
    ) -> None:
        assert interaction.guild is not None
        outcomes = await self.service.cancel(event, interaction.guild.id, scope)
        await interaction.response.defer(ephemeral=True, thinking=True)
        notices: list[str] = []
        for outcome in outcomes:
            await self.jobs.cancelled(outcome)
            notices += outcome.notices
        # The notices were owed with the cancellation; wait a moment to say how many have arrived.
        status = await self.jobs.deliver(notices)
        told = sum(status.get(key) == "delivered" for key in notices)
        owed = sum(status.get(key) in OWED for key in notices)
        t = await self.bot.i18n.for_interaction(interaction)
        reply = cancelled_reply(len(outcomes), told, len(notices), owed, t)
        await send_private(interaction, reply)

    @organiser_command(
        name="attendees", description=N_("Who is going, waiting or maybe (organisers, private)")
    )
    @app_commands.describe(
        event=N_("The event"),
        csv=N_("Attach a register (CSV: name, status, waiting-list place, needs shared), only for you"),
    )
    @app_commands.autocomplete(event=event_autocomplete)
    async def attendees(
        self, interaction: discord.Interaction[CommonRoomBot], event: int, csv: bool = False
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        info, people = await self.service.attendees(event, guild.id)
        # Names may be looked up at Discord (a few at a time): answer "thinking" first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self.bot.i18n.for_interaction(interaction)
        if csv:
            listed = people.people[:REGISTER_LIMIT]
            names = await self.bot.names.names(guild.id, [p.member_id for p in listed], raw=True, t=t)
            data = register_csv(listed, names, t)  # in memory only, never stored
            await send_private(
                interaction,
                register_note(info, people, len(listed), t),
                file=discord.File(io.BytesIO(data), filename=f"register-{info.event_id}.csv"),
            )
            return
        pages = attendee_pages(people)

        async def page(index: int) -> discord.Embed:
            shown = pages[index]
            names = await self.bot.names.names(guild.id, [p.member_id for p in shown.people], t=t)
            return attendees_embed(info, people, shown, names, index, len(pages), t)

        await send_pages(interaction, PagedView(page, len(pages)))

    async def submit_need(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        """The needs form (``event:need-form:<id>``): what a student going tells the organisers."""
        if interaction.guild is None:
            raise UserError("Events work inside the server.")
        event_id = parse_id(match["event_id"])
        need = await self.service.set_need(
            event_id, interaction.guild.id, interaction.user.id, values.text("need")
        )
        event = await self.service.get(event_id, interaction.guild.id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, need_saved(event, need, t))

    @organiser_command(
        name="settings", description=N_("Reminder times, Maybe reminders, Events tab mirror (organisers)")
    )
    @app_commands.describe(
        reminder_hours=N_("Hours before each event to remind, comma separated (default 24, 1)"),
        remind_maybe=N_("Also remind people who said Maybe"),
        mirror=N_("Also list events in Discord's Events tab"),
    )
    @app_commands.rename(reminder_hours="reminder-hours", remind_maybe="remind-maybe")
    async def settings_command(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        reminder_hours: str | None = None,
        remind_maybe: bool | None = None,
        mirror: bool | None = None,
    ) -> None:
        assert interaction.guild is not None
        hours = None if reminder_hours is None else parse_reminder_hours(reminder_hours)
        settings = await self.service.update_settings(
            interaction.guild.id, lead_hours=hours, remind_maybe=remind_maybe, mirror=mirror
        )
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction, settings_reply(settings.lead_times, settings.remind_maybe, settings.mirror, t)
        )

    # -- commands: everyone ----------------------------------------------------------------

    @app_commands.command(name="list", description=N_("Upcoming alcohol-free events (only you see this)"))
    async def list_events(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild = interaction.guild
        assert guild is not None and isinstance(interaction.user, discord.Member)
        member = interaction.user
        # Which events this member may see (a community's are for those who see its channel),
        # then each page is read whole only when it is shown.
        allowed: dict[int | None, bool] = {None: True}
        visible = []
        for event_id, channel_id in await self.service.upcoming_scopes(guild.id):
            if channel_id not in allowed:
                channel = guild.get_channel(channel_id or 0)
                allowed[channel_id] = channel is not None and channel.permissions_for(member).view_channel
            if allowed[channel_id]:
                visible.append(event_id)
        t = await self.bot.i18n.for_interaction(interaction)
        if not visible:
            await send_private(
                interaction,
                t("Nothing is scheduled yet. Organisers post new events in the announcements channel."),
            )
            return
        pages = [visible[i : i + PAGE_SIZE] for i in range(0, len(visible), PAGE_SIZE)]

        async def page(index: int) -> discord.Embed:
            events = await self.service.events(guild.id, pages[index])
            return list_page(guild.id, events, index, len(pages), t)

        await send_pages(interaction, PagedView(page, len(pages)))

    @app_commands.command(
        name="mine", description=N_("My upcoming events and my place in each (only you see this)")
    )
    async def mine(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        # Cancelled events stay listed (as cancelled) so someone whose DMs are closed still finds out.
        mine = await self.service.my_events(interaction.guild.id, interaction.user.id)
        t = await self.bot.i18n.for_interaction(interaction)
        if not mine.items:
            await send_private(
                interaction, t("You haven't replied to any upcoming events. `/event list` shows what's on.")
            )
            return
        await send_private(interaction, embed=mine_embed(mine.items, mine.reminders_on, t))

    @app_commands.command(
        name="calendar", description=N_("A calendar file with every upcoming event you're going to")
    )
    async def calendar(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        events = await self.service.going_events(interaction.guild.id, interaction.user.id)
        if not events:
            raise UserError(
                "You aren't going to any upcoming events yet. Press Going on an event card first."
            )
        t = await self.bot.i18n.for_interaction(interaction)
        data = calendar_bytes(events, to_timestamp(self.bot.clock.now()), t=t)
        await send_private(
            interaction,
            t.ngettext(
                "Your {n} upcoming event, as a calendar file. Only you can see this.",
                "Your {n} upcoming events, as a calendar file. Only you can see this.",
                len(events),
            ),
            file=discord.File(io.BytesIO(data), filename="common-room-events.ics"),
        )

    @app_commands.command(name="reminders", description=N_("Turn event reminder DMs on or off for you"))
    async def reminders(
        self, interaction: discord.Interaction[CommonRoomBot], state: Literal["on", "off"]
    ) -> None:
        assert interaction.guild is not None
        await self.service.set_reminders(interaction.guild.id, interaction.user.id, state == "on")
        t = await self.bot.i18n.for_interaction(interaction)
        if state == "on":
            text = t("Reminders are on: I'll DM you before events you're going to.")
        else:
            text = t("Reminders are off. You won't get reminder DMs; `/event mine` still shows your events.")
        await send_private(interaction, text)


def _notice_keys(outcome: ChangeOutcome) -> list[str]:
    """The change notices of an edit (the rest of its keys are waiting-list places)."""
    return outcome.notices[: len(outcome.notify)]
