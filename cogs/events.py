"""/event: alcohol-free socials and workshop series. Discord glue around bot.services.events.

* Cards are posted in the announcements channel (or a community's channel) with persistent
  buttons (``DynamicItem``: the custom_id carries the event id, so they work after a restart).
  Cards show counts only; names are for organisers (``/event attendees``, private).
* Reminders, card posts for later occurrences of a series, and everything else that must
  happen later are stored in the database and re-armed in ``cog_load``.
* Each occurrence is mirrored as a Discord scheduled event (unless the server turned it off,
  or the event is restricted to a community: the Events tab is visible to the whole server).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time, from_timestamp, to_timestamp
from bot.core import ORGANISER, CommonRoomBot
from bot.errors import UserError
from bot.services.communities import channel_slug
from bot.services.events import (
    LIMITS,
    ChangeOutcome,
    EventChanges,
    EventDraft,
    EventInfo,
    EventService,
    MyEvent,
)
from bot.services.events_dates import describe_rule
from bot.services.events_ics import calendar_bytes
from bot.ui import (
    AUTOCOMPLETE_CHOICES_LIMIT,
    CHOICE_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    BaseModal,
    BaseView,
    clip,
    handle_interaction_error,
    report_user_error,
    send_private,
)

log = logging.getLogger(__name__)

# Later occurrences of a series get their card this long before they start (RSVPs open then).
CARD_WINDOW = timedelta(days=14)
CARD_RETRY = timedelta(minutes=15)
PAGE_SIZE = 5
ALCOHOL_FREE_NOTE = "🥤 Alcohol-free, always."
KIND_LABEL = {"social": "Social", "workshop": "Workshop"}
CHOICE_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Can't go", "ics": "Add to calendar"}
_MENTION = re.compile(r"^<#(\d+)>$")


# -- rendering -------------------------------------------------------------------------------


def places_line(event: EventInfo) -> str:
    if event.capacity is None:
        return "No limit"
    if event.spaces_left:
        return f"{event.spaces_left} of {event.capacity} left"
    waiting = f", {event.waiting} on the waiting list" if event.waiting else ""
    return f"Full{waiting}. Press Going to join the waiting list."


def render_card(event: EventInfo, *, series_rule: str | None = None) -> discord.Embed:
    """The public card: details and counts, never names."""
    cancelled = event.cancelled
    title = f"{'Cancelled: ' if cancelled else ''}{event.title}"
    description = f"**{KIND_LABEL.get(event.kind, event.kind)}** · {ALCOHOL_FREE_NOTE}"
    if event.description:
        description += f"\n\n{event.description}"
    embed = discord.Embed(
        title=clip(title, 256),
        description=description,
        colour=discord.Colour.dark_grey() if cancelled else discord.Colour.teal(),
    )
    when = (
        f"{discord_time(event.start, 'F')} ({discord_time(event.start, 'R')})\n"
        f"until {discord_time(event.end, 't')}"
    )
    embed.add_field(name="When", value=when, inline=False)
    where = [w for w in (event.place, event.online_link and f"Online: {event.online_link}") if w]
    embed.add_field(name="Where", value="\n".join(where) or "To be confirmed", inline=False)
    for label, value in event.details():
        if label == "Alcohol-free":
            continue
        embed.add_field(
            name=label, value=clip(value, EMBED_FIELD_VALUE_LIMIT), inline=label != "Facilitators"
        )
    if not cancelled:
        embed.add_field(name="Places", value=places_line(event), inline=True)
        embed.add_field(name="Replies", value=f"Going {event.going} · Maybe {event.maybe}", inline=True)
    if event.community_channel_id:
        embed.add_field(
            name="Who can come", value=f"Members of <#{event.community_channel_id}>", inline=False
        )
    footer = f"Event {event.event_id}"
    if series_rule:
        footer += f" · part of a {describe_rule(series_rule)} series"
    footer += " · Your reply is private: only organisers see names."
    embed.set_footer(text=footer)
    return embed


def status_words(item: MyEvent) -> str:
    if item.event.cancelled:
        return "Cancelled by the organisers"
    if item.status == "going":
        return "Going (moved up from the waiting list)" if item.promoted else "Going"
    if item.status == "waiting":
        return f"Waiting list, number {item.waiting_position}"
    return "Maybe"


def short_when(event: EventInfo) -> str:
    return f"{discord_time(event.start, 'f')} ({discord_time(event.start, 'R')})"


# -- persistent buttons ----------------------------------------------------------------------


class EventButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"event:(?P<choice>going|maybe|no|ics):(?P<event_id>\d+)",
):
    def __init__(self, event_id: int, choice: str) -> None:
        style = {
            "going": discord.ButtonStyle.success,
            "maybe": discord.ButtonStyle.primary,
            "no": discord.ButtonStyle.secondary,
            "ics": discord.ButtonStyle.secondary,
        }[choice]
        emoji = "📅" if choice == "ics" else None
        super().__init__(
            discord.ui.Button(
                label=CHOICE_LABELS[choice], style=style, emoji=emoji, custom_id=f"event:{choice}:{event_id}"
            )
        )
        self.event_id = event_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EventButton:
        return cls(int(match["event_id"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = interaction.client.get_cog("Events")
            if not isinstance(cog, Events):
                raise UserError("Events are not available right now. Please try again in a minute.")
            await cog.on_button(interaction, self.event_id, self.choice)
        except UserError as error:
            await report_user_error(interaction, error)
        except Exception as error:
            await handle_interaction_error(interaction, error, "event button")


def card_view(event: EventInfo) -> discord.ui.View | None:
    if event.cancelled:
        return None
    view = discord.ui.View(timeout=None)
    for choice in ("going", "maybe", "no", "ics"):
        view.add_item(EventButton(event.event_id, choice))
    return view


# -- create modal ----------------------------------------------------------------------------


class CreateModal(BaseModal):
    def __init__(
        self,
        cog: Events,
        draft: EventDraft,
        tz: str,
        repeat: str | None,
        until: str | None,
        count: int | None,
    ) -> None:
        super().__init__(title="New alcohol-free " + draft.kind, timeout=15 * 60)
        self.cog, self.draft, self.tz = cog, draft, tz
        self.repeat, self.until, self.count = repeat, until, count
        self.description: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Description",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=LIMITS["description"],
            custom_id="description",
            placeholder="What happens, who it's for, what to bring",
        )
        self.facilitators: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Facilitators (graduates, role models)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=LIMITS["facilitators"],
            custom_id="facilitators",
        )
        self.theme: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Theme (for workshops)",
            required=False,
            max_length=LIMITS["theme"],
            custom_id="theme",
            placeholder="e.g. Difficult conversations",
        )
        self.alcohol_free: discord.ui.Checkbox[Any] = discord.ui.Checkbox(custom_id="alcohol_free")
        self.add_item(self.description)
        self.add_item(self.facilitators)
        self.add_item(self.theme)
        self.add_item(
            discord.ui.Label(
                text="This event is alcohol-free",
                description="No drinking at or around it, so everyone can come.",
                component=self.alcohol_free,
            )
        )

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        self.draft.description = self.description.value or ""
        self.draft.facilitators = self.facilitators.value or None
        self.draft.theme = self.theme.value or None
        self.draft.alcohol_free = bool(self.alcohol_free.value)
        await self.cog.finish_create(interaction, self.draft, self.tz, self.repeat, self.until, self.count)


# -- paging ----------------------------------------------------------------------------------


class ListView(BaseView):
    def __init__(self, pages: list[discord.Embed]) -> None:
        super().__init__(timeout=600)
        self.pages = pages
        self.page = 0
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page = max(0, self.page - 1)
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page = min(len(self.pages) - 1, self.page + 1)
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)


# -- the cog ---------------------------------------------------------------------------------


class Events(commands.GroupCog, group_name="event", group_description="Alcohol-free socials and workshops"):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = EventService(bot.db, bot.clock)

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """For /privacy my-data: RSVPs and reminder preferences."""
        return await self.service.export_member(member_id)

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """For /privacy forget-me: RSVPs (the waiting list moves up) and reminder preferences."""
        return await self.service.forget_member(member_id)

    async def cog_load(self) -> None:
        """Re-arm everything the database says must still happen."""
        now = self.bot.clock.now()
        for reminder in await self.service.pending_reminders():
            self._arm_reminder(reminder.event_id, reminder.lead_seconds, reminder.due_at)
        rows = await self.bot.db.fetchall(
            "SELECT event_id, starts_at FROM events WHERE status = 'scheduled' AND message_id IS NULL AND"
            " starts_at > ?",
            (to_timestamp(now),),
        )
        for row in rows:
            self._arm_card(row["event_id"], row["starts_at"])

    def _arm_reminder(self, event_id: int, lead: int, due_at: int) -> None:
        when = max(from_timestamp(due_at), self.bot.clock.now())
        self.bot.scheduler.at(f"event-reminder:{event_id}:{lead}", when, self._reminder_job, event_id, lead)

    def _arm_card(self, event_id: int, starts_at: int) -> None:
        when = max(from_timestamp(starts_at) - CARD_WINDOW, self.bot.clock.now())
        self.bot.scheduler.at(f"event-card:{event_id}", when, self._card_job, event_id)

    def _disarm(self, event_id: int) -> None:
        for job in self.bot.scheduler.jobs():
            if job.id.startswith(f"event-reminder:{event_id}:") or job.id == f"event-card:{event_id}":
                self.bot.scheduler.cancel(job.id)

    # -- helpers ---------------------------------------------------------------------------

    async def _tz(self, guild_id: int) -> str:
        return (await self.bot.guild_settings.get(guild_id)).timezone

    async def _find_community(self, guild: discord.Guild, text: str) -> discord.TextChannel:
        """A community's channel, by mention, id, community name or channel name."""
        cleaned = text.strip()
        match = _MENTION.match(cleaned)
        channel: Any = None
        if match or cleaned.isdigit():
            channel = guild.get_channel(int(match[1] if match else cleaned))
        else:
            name = cleaned.lstrip("#").strip()
            service = getattr(self.bot.get_cog("Communities"), "service", None)
            if service is not None:
                try:
                    community = await service.find(guild.id, name)
                except UserError:
                    community = None
                if community is not None and community.channel_id is not None:
                    channel = guild.get_channel(community.channel_id)
            if channel is None:
                slug = channel_slug(name)
                channel = next((c for c in guild.text_channels if c.name.lower() == slug), None)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                f"I can't find a community channel called `{clip(cleaned, 60)}`. Give the channel's name "
                "(for example `#faith-and-belief`) or leave `community` empty for an event open to everyone."
            )
        return channel

    async def _series_rule(self, event: EventInfo) -> str | None:
        if event.series_id is None:
            return None
        value = await self.bot.db.fetchval(
            "SELECT rule FROM event_series WHERE series_id = ?", (event.series_id,)
        )
        return None if value is None else str(value)

    async def _card_kwargs(self, event: EventInfo) -> dict[str, Any]:
        return {
            "embed": render_card(event, series_rule=await self._series_rule(event)),
            "view": card_view(event),
        }

    async def refresh_card(self, event: EventInfo) -> None:
        if event.channel_id is None or event.message_id is None:
            return
        message = self.bot.get_partial_messageable(event.channel_id).get_partial_message(event.message_id)
        try:
            await message.edit(**await self._card_kwargs(event))
        except discord.HTTPException as error:
            log.warning("Could not update the card of event %s (HTTP %s)", event.event_id, error.status)

    async def post_card(self, event: EventInfo) -> bool:
        if event.channel_id is not None or event.cancelled:
            return True
        config = await self.bot.guild_settings.get(event.guild_id)
        channel_id = event.community_channel_id or config.channel("announcements")
        if channel_id is None:
            return False
        channel = self.bot.get_partial_messageable(channel_id, guild_id=event.guild_id)
        try:
            message = await channel.send(**await self._card_kwargs(event))
        except discord.HTTPException as error:
            log.warning("Could not post the card of event %s (HTTP %s)", event.event_id, error.status)
            return False
        await self.service.set_card(event.event_id, channel_id, message.id)
        return True

    async def _card_job(self, event_id: int) -> None:
        try:
            event = await self.service.get(event_id)
        except UserError:
            return
        if event.status != "scheduled" or event.message_id is not None or event.start <= self.bot.clock.now():
            return
        if not await self.post_card(event):
            self._retry_card(event_id)

    def _retry_card(self, event_id: int) -> None:
        """Try again later (a restart also re-arms it from the database)."""
        when = self.bot.clock.now() + CARD_RETRY
        self.bot.scheduler.at(f"event-card:{event_id}", when, self._card_job, event_id)

    async def dm(self, member_id: int, content: str, **kwargs: Any) -> bool:
        """A private message; False if their DMs are closed (never an error)."""
        try:
            channel = await self.bot.create_dm(discord.Object(id=member_id))
            await channel.send(clip(content, 2000), allowed_mentions=discord.AllowedMentions.none(), **kwargs)
        except discord.HTTPException:
            return False
        return True

    async def tell_promoted(self, event: EventInfo, promoted: list[int]) -> None:
        for member_id in promoted:
            delivered = await self.dm(
                member_id,
                f"Good news: a place opened up at **{event.title}** ({short_when(event)}), and it's yours. "
                "You're going. If you can't make it after all, press **Can't go** on the event card so the "
                "next person gets the place.",
            )
            await self.service.record_promotion_dm(event.event_id, member_id, delivered)

    # -- mirror in Discord's Events tab ----------------------------------------------------

    async def mirror(self, event: EventInfo) -> str | None:
        """Create, update or cancel the scheduled event in step. Returns a problem to report, or None."""
        settings = await self.service.settings(event.guild_id)
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return None
        try:
            if event.scheduled_event_id is not None:
                existing = await guild.fetch_scheduled_event(event.scheduled_event_id)
                if event.cancelled:
                    await existing.cancel()
                else:
                    await existing.edit(**self._mirror_fields(event))
                return None
            if not settings.mirror or event.community_channel_id is not None or event.cancelled:
                return None
            created = await guild.create_scheduled_event(
                privacy_level=discord.PrivacyLevel.guild_only, **self._mirror_fields(event)
            )
        except discord.NotFound:
            await self.service.set_mirror(event.event_id, None)
            return None
        except discord.HTTPException as error:
            log.warning("Could not mirror event %s in the Events tab (HTTP %s)", event.event_id, error.status)
            return "I couldn't add it to the server's Events tab (I need the Manage Events permission)."
        await self.service.set_mirror(event.event_id, created.id)
        return None

    @staticmethod
    def _mirror_fields(event: EventInfo) -> dict[str, Any]:
        details = "; ".join(f"{label}: {value}" for label, value in event.details())
        description = clip(f"{event.description}\n\n{details}".strip(), 1000)
        return {
            "name": clip(event.title, 100),
            "start_time": event.start,
            "end_time": event.end,
            "entity_type": discord.EntityType.external,
            "location": clip(event.place or event.online_link or "Online", 100),
            "description": description,
        }

    # -- reminders -------------------------------------------------------------------------

    async def _reminder_job(self, event_id: int, lead: int) -> None:
        claim = await self.service.claim_reminder(event_id, lead)
        if claim is None or claim.outcome not in ("sent", "late"):
            return
        event = claim.event
        late = (
            "\n*(This reminder is late: Common Room was offline for a while. Sorry!)*"
            if claim.outcome == "late"
            else ""
        )
        where = event.place or ""
        if event.online_link:
            where = f"{where} · online: {event.online_link}" if where else f"online: {event.online_link}"
        content = (
            f"Reminder: **{event.title}** starts {discord_time(event.start, 'R')} "
            f"({discord_time(event.start, 'f')}). {where}\n{ALCOHOL_FREE_NOTE}"
            " If you can't come any more, press **Can't go** on the card so someone else can have your place."
            " Turn these off with `/event reminders off`." + late
        )
        sent = 0
        for member_id in claim.recipients:
            sent += await self.dm(member_id, content)
        log.info(
            "Event %s reminder (%s s before): %d of %d delivered", event_id, lead, sent, len(claim.recipients)
        )

    # -- buttons ---------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction[Any], event_id: int, choice: str) -> None:
        member = interaction.user
        if interaction.guild is None or not isinstance(member, discord.Member):
            raise UserError("Events work inside the server.")
        event = await self.service.get(event_id, interaction.guild.id)
        self._check_can_join(interaction.guild, member, event)
        if choice == "ics":
            data = calendar_bytes([event], to_timestamp(self.bot.clock.now()), name=event.title)
            await send_private(
                interaction,
                "Here's a calendar file: open it to add the event to your calendar. Only you can see this.",
                file=discord.File(io.BytesIO(data), filename=f"event-{event.event_id}.ics"),
            )
            return
        outcome = await self.service.rsvp(event_id, member.id, "not_going" if choice == "no" else choice)
        event = outcome.event
        if outcome.status == "going":
            message = f"You're going to **{event.title}**, {short_when(event)}. See you there!"
            if outcome.previous != "going":
                message += " I'll remind you by DM beforehand (turn that off with `/event reminders off`)."
        elif outcome.status == "waiting":
            message = (
                f"**{event.title}** is full, so you're on the waiting list: number"
                f" {outcome.waiting_position}. "
                "If a place frees up it's yours automatically, and I'll DM you. `/event mine` shows where"
                " you are."
            )
        elif outcome.status == "maybe":
            message = f"Noted as maybe for **{event.title}**. Press Going when you know."
        else:
            message = f"Thanks for letting us know you can't go to **{event.title}**."
            if outcome.previous in ("going", "waiting"):
                message += " Your place has been freed for someone else."
        await send_private(interaction, message)
        await self.refresh_card(event)
        if outcome.promoted:
            await self.tell_promoted(event, outcome.promoted)

    @staticmethod
    def _check_can_join(guild: discord.Guild, member: discord.Member, event: EventInfo) -> None:
        if event.community_channel_id is None:
            return
        channel = guild.get_channel(event.community_channel_id)
        if channel is None or not channel.permissions_for(member).view_channel:
            raise UserError(
                "This event is for members of a community. If you'd like to join it, `/community` shows "
                "the communities you can join privately."
            )

    # -- autocomplete ----------------------------------------------------------------------

    async def event_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        tz = await self._tz(interaction.guild.id)
        from zoneinfo import ZoneInfo

        needle = current.strip().lower()
        choices = []
        for event in await self.service.upcoming(interaction.guild.id):
            local = event.start.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")
            name = f"{event.title} · {local} (#{event.event_id})"
            if needle and needle not in name.lower():
                continue
            choices.append(app_commands.Choice(name=clip(name, CHOICE_NAME_LIMIT), value=event.event_id))
            if len(choices) >= AUTOCOMPLETE_CHOICES_LIMIT:
                break
        return choices

    # -- commands: organisers --------------------------------------------------------------

    @app_commands.command(
        name="create",
        description="Schedule an alcohol-free social or workshop (organisers)",
        extras=ORGANISER,
    )
    @app_commands.describe(
        kind="A social or a workshop",
        title="A short title",
        start="Date and time in the server's timezone, e.g. 3 Dec 18:30 or tomorrow 6pm",
        duration="How long, e.g. 2h or 90 min (default 2h)",
        end="Or an end time instead of a duration, e.g. 20:30",
        place="Where (room, building)",
        online_link="A link to join online",
        capacity="Most people who can come (empty: no limit)",
        cost="Free, or an amount",
        food="Food offered, e.g. halal, vegetarian, vegan",
        accessibility="e.g. step-free, quiet space, captions",
        community="Only for this community: its channel (the card goes there)",
        repeat="Make it a series",
        times="For a series: how many times",
        until="For a series: the last date, e.g. 17 Dec",
    )
    @app_commands.rename(online_link="online-link")
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
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        config = await self.bot.guild_settings.get(guild.id)
        community_id = None
        if community:
            channel = await self._find_community(guild, community)
            mine = channel.permissions_for(guild.me)
            if not (mine.view_channel and mine.send_messages and mine.embed_links):
                raise UserError(
                    f"I can't post in {channel.mention}: I need View Channel, Send Messages and Embed Links "
                    "there. A server admin can add my role to the channel, then try again."
                )
            community_id = channel.id
        elif config.channel("announcements") is None:
            raise UserError(
                "I don't know where to post event cards yet. A server admin can choose the channel with "
                "`/setup channel purpose:announcements`."
            )
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
        )
        # Check everything typed so far before asking for the long text.
        self.service.validate(replace(draft), config.timezone)
        if (until or times) and not repeat:
            raise UserError(
                "`until` and `times` are for a series: choose how it repeats too (weekly, fortnightly...)."
            )
        draft.alcohol_free = False
        await interaction.response.send_modal(CreateModal(self, draft, config.timezone, repeat, until, times))

    async def finish_create(
        self,
        interaction: discord.Interaction[Any],
        draft: EventDraft,
        tz: str,
        repeat: str | None,
        until: str | None,
        count: int | None,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        # Validate before deferring so a refusal is a direct private reply.
        self.service.validate(replace(draft), tz)
        await interaction.response.defer(ephemeral=True, thinking=True)
        events = await self.service.create(
            guild.id, interaction.user.id, draft, tz, repeat=repeat, until=until, count=count
        )
        first = events[0]
        if not await self.post_card(first):
            await self.service.delete_unposted([e.event_id for e in events])
            raise UserError(
                "I couldn't post the event card, so I haven't saved the event. Check that I can send"
                " messages "
                "and embed links in the announcements (or community) channel, then try again."
            )
        problems = set()
        now = self.bot.clock.now()
        for event in events:
            for reminder in await self._reminders_of(event.event_id):
                self._arm_reminder(event.event_id, reminder[0], reminder[1])
            if event.event_id != first.event_id:
                if event.start - CARD_WINDOW <= now:
                    if not await self.post_card(event):
                        self._retry_card(event.event_id)
                else:
                    self._arm_card(event.event_id, event.starts_at)
            problem = await self.mirror(await self.service.get(event.event_id))
            if problem:
                problems.add(problem)
        first = await self.service.get(first.event_id)
        where = f"<#{first.channel_id}>"
        if len(events) == 1:
            text = f"Done: **{first.title}** is posted in {where}, {short_when(first)}."
        else:
            text = (
                f"Done: a {repeat} series of {len(events)} events, **{first.title}**, from"
                f" {short_when(first)} "
                f"to {short_when(events[-1])}. The first card is in {where}; each later card is posted two"
                " weeks "
                "before its date, so students can reply to each occurrence separately."
            )
        if problems:
            text += "\n" + " ".join(sorted(problems))
        await send_private(interaction, text)

    async def _reminders_of(self, event_id: int) -> list[tuple[int, int]]:
        rows = await self.bot.db.fetchall(
            "SELECT lead_seconds, due_at FROM event_reminders WHERE event_id = ? AND status = 'pending'",
            (event_id,),
        )
        return [(r["lead_seconds"], r["due_at"]) for r in rows]

    @app_commands.command(
        name="edit", description="Change an event's time, place or details (organisers)", extras=ORGANISER
    )
    @app_commands.describe(
        event="The event to change",
        start="New date and time, e.g. 3 Dec 18:30",
        duration="New length, e.g. 2h",
        place="New place (- to remove)",
        online_link="New online link (- to remove)",
        capacity="New capacity",
        no_limit="Remove the capacity limit",
        description="New description (- to remove)",
        cost="New cost (- for free)",
        food="Food (- to remove)",
        accessibility="Accessibility (- to remove)",
        facilitators="Facilitators (- to remove)",
        theme="Theme (- to remove)",
        title="New title",
    )
    @app_commands.rename(online_link="online-link", no_limit="no-limit")
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
        )
        tz = await self._tz(interaction.guild.id)
        outcome = await self.service.edit(event, interaction.guild.id, changes, tz)
        await interaction.response.defer(ephemeral=True, thinking=True)
        updated = outcome.event
        if outcome.time_changed:
            self._disarm(updated.event_id)
            for lead, due in outcome.reminders:
                self._arm_reminder(updated.event_id, lead, due)
            if updated.message_id is None:
                self._arm_card(updated.event_id, updated.starts_at)
        await self.refresh_card(updated)
        problem = await self.mirror(updated)
        what = "time" if outcome.time_changed else "details"
        told = await self._tell(
            outcome.notify,
            f"**{updated.title}** has changed ({what}). It's now {short_when(updated)}"
            f"{', at ' + updated.place if updated.place else ''}"
            f"{', online: ' + updated.online_link if updated.online_link else ''}. "
            "Your place is kept. If you can't come any more, press **Can't go** on the event card.",
        )
        await self.tell_promoted(updated, outcome.promoted)
        text = (
            f"Saved. The card is updated and I told {told} of {len(outcome.notify)} people going or "
            "waiting by DM."
        )
        if outcome.promoted:
            text += f" {len(outcome.promoted)} moved up from the waiting list."
        await send_private(interaction, text + (f"\n{problem}" if problem else ""))

    async def _tell(self, member_ids: list[int], content: str) -> int:
        delivered = 0
        for member_id in member_ids:
            delivered += await self.dm(member_id, content)
        return delivered

    @app_commands.command(
        name="cancel", description="Cancel an event, or the rest of its series (organisers)", extras=ORGANISER
    )
    @app_commands.describe(event="The event to cancel", scope="Just this event, or this and every later one")
    @app_commands.choices(
        scope=[
            app_commands.Choice(name="Just this event", value="this"),
            app_commands.Choice(name="This and the rest of the series", value="rest"),
        ]
    )
    @app_commands.autocomplete(event=event_autocomplete)
    async def cancel(
        self, interaction: discord.Interaction[CommonRoomBot], event: int, scope: str = "this"
    ) -> None:
        assert interaction.guild is not None
        outcomes = await self.service.cancel(event, interaction.guild.id, scope)
        await interaction.response.defer(ephemeral=True, thinking=True)
        told = 0
        notified = 0
        for outcome in outcomes:
            told += await self._cancelled(outcome)
            notified += len(outcome.notify)
        names = "1 event" if len(outcomes) == 1 else f"{len(outcomes)} events"
        await send_private(
            interaction,
            f"Cancelled {names}. The cards say so, the Events tab follows, and I told {told} of {notified} "
            "people going or waiting by DM.",
        )

    async def _cancelled(self, outcome: ChangeOutcome) -> int:
        event = outcome.event
        self._disarm(event.event_id)
        await self.refresh_card(event)
        await self.mirror(event)
        return await self._tell(
            outcome.notify,
            f"**{event.title}** on {discord_time(event.start, 'f')} has been cancelled. Sorry! "
            "`/event list` shows what else is coming up.",
        )

    @app_commands.command(
        name="attendees", description="Who is going, waiting or maybe (organisers, private)", extras=ORGANISER
    )
    @app_commands.describe(event="The event")
    @app_commands.autocomplete(event=event_autocomplete)
    async def attendees(self, interaction: discord.Interaction[CommonRoomBot], event: int) -> None:
        assert interaction.guild is not None
        info, people = await self.service.attendees(event, interaction.guild.id)
        embed = discord.Embed(
            title=clip(f"Who's coming: {info.title}", 256),
            description=f"{short_when(info)} · {places_line(info)}\nOnly you can see this.",
            colour=discord.Colour.teal(),
        )
        for label, ids in (
            ("Going", people.going),
            ("Waiting list, in order", people.waiting),
            ("Maybe", people.maybe),
        ):
            lines = [
                f"{i}. <@{m}>" if label.startswith("Waiting") else f"<@{m}>" for i, m in enumerate(ids, 1)
            ]
            value = clip(", ".join(lines) if not label.startswith("Waiting") else "\n".join(lines), 1024)
            embed.add_field(name=f"{label} ({len(ids)})", value=value or "Nobody yet", inline=False)
        await send_private(interaction, embed=embed)

    @app_commands.command(
        name="settings",
        description="Reminder times, Maybe reminders, Events tab mirror (organisers)",
        extras=ORGANISER,
    )
    @app_commands.describe(
        reminder_hours="Hours before each event to remind, comma separated (default 24, 1)",
        remind_maybe="Also remind people who said Maybe",
        mirror="Also list events in Discord's Events tab",
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
        hours = None
        if reminder_hours is not None:
            try:
                hours = [float(h) for h in reminder_hours.replace(";", ",").split(",") if h.strip()]
            except ValueError:
                raise UserError(
                    "Give reminder times as hours, separated by commas, for example `24, 1`."
                ) from None
        settings = await self.service.update_settings(
            interaction.guild.id, lead_hours=hours, remind_maybe=remind_maybe, mirror=mirror
        )
        leads = ", ".join(f"{s / 3600:g} h" for s in settings.lead_times) or "none"
        await send_private(
            interaction,
            f"Event settings: reminders {leads} before (for new and edited events); Maybe "
            f"{'included' if settings.remind_maybe else 'not included'}; Events tab "
            f"{'on' if settings.mirror else 'off'}.",
        )

    # -- commands: everyone ----------------------------------------------------------------

    @app_commands.command(name="list", description="Upcoming alcohol-free events (only you see this)")
    async def list_events(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        guild = interaction.guild
        assert guild is not None and isinstance(interaction.user, discord.Member)
        member = interaction.user
        visible = []
        for event in await self.service.upcoming(guild.id):
            try:
                self._check_can_join(guild, member, event)
            except UserError:
                continue
            visible.append(event)
        if not visible:
            await send_private(
                interaction,
                "Nothing is scheduled yet. Organisers post new events in the announcements channel.",
            )
            return
        pages = []
        total = (len(visible) + PAGE_SIZE - 1) // PAGE_SIZE
        for start in range(0, len(visible), PAGE_SIZE):
            embed = discord.Embed(title="Coming up (all alcohol-free)", colour=discord.Colour.teal())
            for event in visible[start : start + PAGE_SIZE]:
                where = event.place or "Online"
                card = (
                    f" · [card](https://discord.com/channels/{guild.id}/{event.channel_id}/{event.message_id})"
                    if event.message_id
                    else " · replies open two weeks before"
                )
                embed.add_field(
                    name=clip(f"{event.title} ({KIND_LABEL.get(event.kind, event.kind)})", 256),
                    value=clip(f"{short_when(event)} · {where} · {places_line(event)}{card}", 1024),
                    inline=False,
                )
            embed.set_footer(text=f"Page {start // PAGE_SIZE + 1} of {total}")
            pages.append(embed)
        if len(pages) == 1:
            await send_private(interaction, embed=pages[0])
        else:
            await send_private(interaction, embed=pages[0], view=ListView(pages))

    @app_commands.command(
        name="mine", description="My upcoming events and my place in each (only you see this)"
    )
    async def mine(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        # Cancelled events stay listed (as cancelled) so someone whose DMs are closed still finds out.
        items = await self.service.mine(interaction.guild.id, interaction.user.id)
        if not items:
            await send_private(
                interaction, "You haven't replied to any upcoming events. `/event list` shows what's on."
            )
            return
        embed = discord.Embed(title="Your upcoming events", colour=discord.Colour.teal())
        for item in items[:25]:
            note = ""
            if item.promoted and item.promotion_dm == "failed":
                note = "\nA place opened up for you (I couldn't DM you, so here's the news)."
            embed.add_field(
                name=clip(item.event.title, 256),
                value=clip(f"{short_when(item.event)} · **{status_words(item)}**{note}", 1024),
                inline=False,
            )
        on = await self.service.reminders_on(interaction.guild.id, interaction.user.id)
        embed.set_footer(text=f"Reminders by DM: {'on' if on else 'off'} (/event reminders)")
        await send_private(interaction, embed=embed)

    @app_commands.command(
        name="calendar", description="A calendar file with every upcoming event you're going to"
    )
    async def calendar(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild is not None
        events = await self.service.going_events(interaction.guild.id, interaction.user.id)
        if not events:
            raise UserError(
                "You aren't going to any upcoming events yet. Press Going on an event card first."
            )
        data = calendar_bytes(events, to_timestamp(self.bot.clock.now()))
        await send_private(
            interaction,
            f"Your {len(events)} upcoming event{'s' if len(events) != 1 else ''}, as a calendar file. Only"
            " you can see this.",
            file=discord.File(io.BytesIO(data), filename="common-room-events.ics"),
        )

    @app_commands.command(name="reminders", description="Turn event reminder DMs on or off for you")
    async def reminders(
        self, interaction: discord.Interaction[CommonRoomBot], state: Literal["on", "off"]
    ) -> None:
        assert interaction.guild is not None
        await self.service.set_reminders(interaction.guild.id, interaction.user.id, state == "on")
        if state == "on":
            text = "Reminders are on: I'll DM you before events you're going to."
        else:
            text = "Reminders are off. You won't get reminder DMs; `/event mine` still shows your events."
        await send_private(interaction, text)


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(EventButton)
    await bot.add_cog(Events(bot))
