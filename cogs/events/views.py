"""The event card's persistent buttons, the create form, the needs form and the series question.

The card's buttons are :class:`~bot.ui.PersistentItem` s: the custom id (``event:going:12``)
carries the event id, so cards posted long ago keep working after a restart. So does the
button in a Going reply that opens the needs form (``event:need:12``); the form itself is
stateless (``event:need-form:12``, handled by the cog through ``bot.forms``), so what a
student typed survives a restart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.clock import to_timestamp
from bot.core import is_organiser
from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator, Voice
from bot.services.events import LIMITS, NEED_LIMIT, EventDraft, EventInfo, NeedForm
from bot.services.events_ics import calendar_bytes
from bot.ui import (
    BUTTON_LABEL_LIMIT,
    ID,
    MODAL_TITLE_LIMIT,
    TEXT_INPUT_LABEL_LIMIT,
    BaseModal,
    OwnedView,
    PersistentItem,
    StatelessModal,
    clip,
    cog_of,
    parse_id,
    send_private,
    show_form,
    unstored_view,
)
from cogs.events.render import ENGLISH, NEED_CHANGE_LABEL, NEED_LABEL, rsvp_reply

if TYPE_CHECKING:
    from cogs.events.commands import Events

CHOICES = ("going", "maybe", "no", "ics")
CHOICE_LABELS: dict[str, Message] = {
    "going": N_("Going"),
    "maybe": N_("Maybe"),
    "no": N_("Can't go"),
    "ics": N_("Add to calendar"),
}
CHOICE_STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.primary,
    "no": discord.ButtonStyle.secondary,
    "ics": discord.ButtonStyle.secondary,
}


def check_can_join(guild: discord.Guild, member: discord.Member, event: EventInfo) -> None:
    """A community's event is for those who can see the community's channel."""
    if event.community_channel_id is None:
        return
    channel = guild.get_channel(event.community_channel_id)
    if channel is None or not channel.permissions_for(member).view_channel:
        raise UserError(
            "This event is for members of a community. If you'd like to join it, `/community` shows "
            "the communities you can join privately."
        )


class EventButton(
    PersistentItem[discord.ui.Button[Any]],
    # The id is optional only so a truncated id ("event:going:") is answered kindly, not left as
    # "This interaction failed"; every id the bot posts has one.
    template=rf"event:(?P<choice>going|maybe|no|ics):(?P<event_id>{ID})?",
):
    """Going / Maybe / Can't go / Add to calendar on an event card.

    The custom id is untrusted: the event id is parsed strictly (:func:`~bot.ui.parse_id`: 0 when
    missing, malformed or out of range) and the event must be one of this server's, or the
    presser is told kindly that it can't be found.
    """

    where = "event button"

    def __init__(self, event_id: int, choice: str, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=CHOICE_LABELS[choice] if label is None else label,
                style=CHOICE_STYLES[choice],
                emoji="📅" if choice == "ics" else None,
                custom_id=f"event:{choice}:{event_id}",
            )
        )
        self.event_id = event_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EventButton:
        return cls(parse_id(match["event_id"] or ""), match["choice"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.events.commands import Events  # the cog imports this module

        cog = cog_of(interaction, Events)
        member = interaction.user
        if interaction.guild is None or not isinstance(member, discord.Member):
            raise UserError("Events work inside the server.")
        guild = interaction.guild
        if self.choice == "ics":
            event = await cog.service.get(self.event_id, guild.id)
            check_can_join(guild, member, event)
            t = await cog.bot.i18n.for_interaction(interaction)
            data = calendar_bytes([event], to_timestamp(cog.bot.clock.now()), name=event.title, t=t)
            await send_private(
                interaction,
                t(
                    "Here's a calendar file: open it to add the event to your calendar. Only you can"
                    " see this."
                ),
                file=discord.File(io.BytesIO(data), filename=f"event-{event.event_id}.ics"),
            )
            return
        choice = "not_going" if self.choice == "no" else self.choice
        outcome = await cog.service.rsvp(
            self.event_id,
            member.id,
            choice,
            guild.id,
            check=lambda event: check_can_join(guild, member, event),
        )
        t = await cog.bot.i18n.for_interaction(interaction)
        if outcome.offer_need_form:  # only the presser sees it: the reply is private
            await send_private(
                interaction, rsvp_reply(outcome, t), view=need_view(self.event_id, outcome.has_need, t)
            )
        else:
            await send_private(interaction, rsvp_reply(outcome, t))
        if outcome.promoted:
            cog.bot.outbox.kick()  # whoever moved up is owed a DM (written with the change)
        cog.jobs.refresh_soon(self.event_id)


class NeedButton(
    PersistentItem[discord.ui.Button[Any]],
    # Optional id for the same reason as EventButton's: a truncated id is answered kindly.
    template=rf"event:need:(?P<event_id>{ID})?",
):
    """In a Going (or waiting list) reply: opens the needs form, filled in with what the presser
    shared so far. The custom id is untrusted: the event must be this server's, and the presser
    must have replied to it (the service checks both, and answers kindly otherwise)."""

    where = "event needs button"

    def __init__(self, event_id: int, *, has_need: bool = False, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(t(NEED_CHANGE_LABEL if has_need else NEED_LABEL), BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.primary,
                custom_id=f"event:need:{event_id}",
            )
        )
        self.event_id = event_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> NeedButton:
        return cls(parse_id(match["event_id"] or ""))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.events.commands import Events  # the cog imports this module

        cog = cog_of(interaction, Events)
        if interaction.guild is None:
            raise UserError("Events work inside the server.")
        form = await cog.service.need_form(self.event_id, interaction.guild.id, interaction.user.id)
        t = await cog.bot.i18n.for_interaction(interaction)
        await show_form(interaction, need_modal(form, t))


def need_view(event_id: int, has_need: bool, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    return unstored_view(NeedButton(event_id, has_need=has_need, t=t))


#: The needs form's custom id (``event:need-form:<event id>``), routed to the cog's handler.
NEED_FORM = rf"event:need-form:(?P<event_id>{ID})"


def need_modal(form: NeedForm, t: Translator = SOURCE_TRANSLATOR) -> StatelessModal:
    """The needs form for one event, filled in with what this member shared so far."""
    modal = StatelessModal(
        title=clip(t("Needs: {title}", title=form.event.title), MODAL_TITLE_LIMIT),
        custom_id=f"event:need-form:{form.event.event_id}",
        timeout=900,
    )
    modal.add_item(
        discord.ui.TextInput(
            label=clip(t("What should the organisers know?"), TEXT_INPUT_LABEL_LIMIT),
            custom_id="need",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=NEED_LIMIT,
            default=form.need or None,
            placeholder=clip(
                t("e.g. step-free access, a quiet space, halal food. Only organisers see this."), 100
            ),
        )
    )
    return modal


#: For a command on an occurrence of a series: only it, or it and every later one.
SCOPES = [
    app_commands.Choice(name=N_("Just this event"), value="this"),
    app_commands.Choice(name=N_("This and the rest of the series"), value="rest"),
]
#: What the series question says while it works, for "only this one" and "this and later".
EDITING_REFUSED = N_("Editing events is for organisers. Nothing was changed.")
CHANGING = (N_("Changing only this event…"), N_("Changing this event and every later one in the series…"))


class SeriesScopeView(OwnedView):
    """An organiser command on an occurrence of a series (``/event edit``, ``/event evaluate``):
    only this one, or it and every later one? Private, for the organiser who asked; ``apply``
    (the interaction, then ``"this"`` or ``"rest"``) runs when they choose."""

    def __init__(
        self,
        cog: Events,
        owner_id: int,
        apply: Callable[[discord.Interaction[Any], str], Awaitable[None]],
        *,
        doing: tuple[Message, Message] = CHANGING,
        refusal: Message = EDITING_REFUSED,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> None:
        super().__init__(owner_id, timeout=15 * 60)
        self.cog, self.apply, self.doing, self.refusal, self.t = cog, apply, doing, refusal, t
        self.only_this.label = clip(t("Only this one"), BUTTON_LABEL_LIMIT)
        self.this_and_later.label = clip(t("This and every later one"), BUTTON_LABEL_LIMIT)

    async def _choose(self, interaction: discord.Interaction[Any], scope: str, doing: str) -> None:
        self.stop()
        # Checked again on the server side: the organiser role may have gone since they asked.
        config = await self.cog.bot.guild_settings.get(interaction.guild_id or 0)
        if not isinstance(interaction.user, discord.Member) or not is_organiser(interaction.user, config):
            raise UserError(self.refusal)
        await interaction.response.edit_message(content=self.t(doing), view=None)
        await self.apply(interaction, scope)

    @discord.ui.button(label="Only this one", style=discord.ButtonStyle.primary)
    async def only_this(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._choose(interaction, "this", self.doing[0])

    @discord.ui.button(label="This and every later one", style=discord.ButtonStyle.secondary)
    async def this_and_later(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._choose(interaction, "rest", self.doing[1])


def card_view(event: EventInfo, voice: Voice = ENGLISH) -> discord.ui.View | None:
    """The card's buttons (none once the event is cancelled), labelled in the server's voice
    ("Dod / Going" when bilingual); their custom ids never change."""
    if event.cancelled:
        return None
    return unstored_view(
        *(
            EventButton(event.event_id, choice, voice.label(CHOICE_LABELS[choice], BUTTON_LABEL_LIMIT))
            for choice in CHOICES
        )
    )


@dataclass(slots=True)
class NewEvent:
    """An ``/event create`` waiting for its form: what was typed, and how it repeats."""

    draft: EventDraft
    tz: str
    repeat: str | None = None
    until: str | None = None
    count: int | None = None
    poll: tuple[int, int] | None = None  # (poll id, time) when created from a find-a-time poll


def _text_input(
    label: str, name: str, *, paragraph: bool = False, placeholder: str | None = None
) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=clip(label, TEXT_INPUT_LABEL_LIMIT),
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        required=False,
        max_length=LIMITS[name],
        custom_id=name,
        placeholder=None if placeholder is None else clip(placeholder, 100),
    )


#: The create form's title, one whole phrase for each kind of event.
CREATE_TITLE: dict[str, Message] = {
    "social": N_("New alcohol-free social"),
    "workshop": N_("New alcohol-free workshop"),
}


class CreateModal(BaseModal):
    """The long text of ``/event create``, and the organiser's alcohol-free confirmation."""

    def __init__(self, cog: Events, new: NewEvent, t: Translator = SOURCE_TRANSLATOR) -> None:
        title = CREATE_TITLE.get(new.draft.kind)
        super().__init__(
            title=clip(t(title) if title else f"New alcohol-free {new.draft.kind}", MODAL_TITLE_LIMIT),
            timeout=15 * 60,
        )
        self.cog, self.new = cog, new
        self.description = _text_input(
            t("Description"),
            "description",
            paragraph=True,
            placeholder=t("What happens, who it's for, what to bring"),
        )
        self.facilitators = _text_input(
            t("Facilitators (graduates, role models)"), "facilitators", paragraph=True
        )
        self.theme = _text_input(
            t("Theme (for workshops)"), "theme", placeholder=t("e.g. Difficult conversations")
        )
        self.alcohol_free: discord.ui.Checkbox[Any] = discord.ui.Checkbox(custom_id="alcohol_free")
        self.add_item(self.description)
        self.add_item(self.facilitators)
        self.add_item(self.theme)
        self.add_item(
            discord.ui.Label(
                text=clip(t("This event is alcohol-free"), TEXT_INPUT_LABEL_LIMIT),
                description=clip(t("No drinking at or around it, so everyone can come."), 100),
                component=self.alcohol_free,
            )
        )

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        draft = self.new.draft
        draft.description = self.description.value or ""
        draft.facilitators = self.facilitators.value or None
        draft.theme = self.theme.value or None
        draft.alcohol_free = bool(self.alcohol_free.value)
        await self.cog.finish_create(interaction, self.new)
