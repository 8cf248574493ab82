"""The directory's buttons, menu and forms.

* "Need support?" (``signposts:open``) and the menu by need (``signposts:need:{guild_id}``) are
  persistent: cards posted long ago keep working after restarts.
* The contact forms are stateless: their custom ids (``signposts:form:{contact_id}:{independent}:
  {confidential}``, ``signposts:remove:{contact_id}``) carry what the submission needs, and the
  cog's form routes read it, so what an organiser typed is saved even if the bot restarted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice
from bot.services.signposts_contacts import (
    CATEGORIES,
    MAX_DESCRIPTION,
    MAX_HOURS,
    MAX_NAME,
    Contact,
    format_reach,
)
from bot.ui import (
    ID,
    MODAL_TITLE_LIMIT,
    SELECT_LABEL_LIMIT,
    TEXT_INPUT_LABEL_LIMIT,
    PersistentItem,
    StatelessModal,
    clip,
    cog_of,
    parse_id,
    send_private,
    unstored_view,
)
from cogs.signposts.render import BUTTON_TITLE, ENGLISH

if TYPE_CHECKING:
    from cogs.signposts.commands import Signposts

OPEN_ID = "signposts:open"
NEED_ID = "signposts:need:{guild_id}"
FORM_ID = "signposts:form:{contact_id}:{independent:d}:{confidential:d}"
FORM_PATTERN = rf"signposts:form:(?P<contact_id>{ID}):(?P<independent>[01]):(?P<confidential>[01])"
REMOVE_ID = "signposts:remove:{contact_id}"
REMOVE_PATTERN = rf"signposts:remove:(?P<contact_id>{ID})"
# Translators: an example in a form box; keep the words before each colon in English (the bot reads them).
REACH_EXAMPLE = N_("phone: {phone}\nweb: https://uni.ac.uk/support\nin person: Student Hub")
EXAMPLE_PHONE = "0300 123 3393"
PLACEHOLDER_LIMIT = 100  # a text box's placeholder
SELECT_PLACEHOLDER_LIMIT = 150
LABEL_DESCRIPTION_LIMIT = 100


def _directory(interaction: discord.Interaction[Any]) -> Signposts:
    from cogs.signposts.commands import Signposts  # the cog module imports this one

    return cog_of(interaction, Signposts)


class SupportButton(PersistentItem[discord.ui.Button[Any]], template=re.escape(OPEN_ID)):
    """The "Need support?" button: anyone who presses it gets the private support view."""

    where = "support button"

    def __init__(self, label: str = BUTTON_TITLE) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.primary, emoji="💬", custom_id=OPEN_ID)
        )

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild_id is None:
            raise UserError("This button works inside a server.")
        t = await interaction.client.i18n.for_interaction(interaction)
        payload = await _directory(interaction).directory_support(interaction.guild_id, t=t)
        await send_private(interaction, **payload)


class NeedSelect(PersistentItem[discord.ui.Select[Any]], template=rf"signposts:need:(?P<guild_id>{ID})"):
    """The menu by need in the private view; carries the server id so it also works in a DM."""

    where = "support menu"

    def __init__(
        self, guild_id: int, options: list[discord.SelectOption], t: Translator = SOURCE_TRANSLATOR
    ) -> None:
        urgent = CATEGORIES["urgent"].label
        super().__init__(
            discord.ui.Select(
                custom_id=NEED_ID.format(guild_id=guild_id),
                placeholder=clip(t("What do you need help with?"), SELECT_PLACEHOLDER_LIMIT),
                options=options
                or [discord.SelectOption(label=clip(t(urgent), SELECT_LABEL_LIMIT), value="urgent")],
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NeedSelect:
        options = list(item.options) if isinstance(item, discord.ui.Select) else []
        return cls(parse_id(match["guild_id"]), options)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        need = values[0] if values and values[0] in CATEGORIES else None
        # Counted only for the server it was chosen in (or, in a DM, the one named by the menu the
        # bot sent there): a menu naming another server counts nowhere.
        count = interaction.guild_id in (None, self.guild_id)
        # The reader's language on the menu's server (it also works in a DM, where there is none).
        t = await interaction.client.i18n.for_member(
            self.guild_id, interaction.user.id, str(interaction.locale) if interaction.locale else None
        )
        await _directory(interaction).student_support(
            self.guild_id, need, interaction.response.edit_message, count=count, t=t
        )


def support_view(
    guild_id: int, options: list[discord.SelectOption], t: Translator = SOURCE_TRANSLATOR
) -> discord.ui.View:
    """The needs menu under /support (``options`` from :func:`need_options`, drawn once per
    directory, need and language)."""
    return unstored_view(NeedSelect(guild_id, options, t))


def button_view(voice: Voice = ENGLISH) -> discord.ui.View:
    """The persistent "Need support?" button, labelled in the server's voice when posted."""
    return unstored_view(SupportButton(voice.label(BUTTON_TITLE)))


def _text_field(
    label: str,
    custom_id: str,
    max_length: int,
    default: str | None,
    placeholder: str,
    *,
    paragraph: bool = False,
    required: bool = True,
    description: str | None = None,
) -> discord.ui.Label[Any]:
    """A labelled text box of a form."""
    box: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        required=required,
        max_length=max_length,
        default=default,
        placeholder=clip(placeholder, PLACEHOLDER_LIMIT),
    )
    return discord.ui.Label(
        text=clip(label, TEXT_INPUT_LABEL_LIMIT),
        description=clip(description, LABEL_DESCRIPTION_LIMIT) if description else None,
        component=box,
    )


class ContactModal(StatelessModal):
    """Add or edit a contact: name, needs, description, how to reach it, opening hours."""

    def __init__(
        self,
        *,
        current: Contact | None,
        independent: bool,
        confidential: bool,
        needs: tuple[str, ...],
        t: Translator = SOURCE_TRANSLATOR,
    ) -> None:
        title = t("Add a support contact") if current is None else t("Edit {name}", name=current.name)
        custom_id = FORM_ID.format(
            contact_id=current.id if current else 0, independent=independent, confidential=confidential
        )
        super().__init__(title=clip(title, MODAL_TITLE_LIMIT), timeout=None, custom_id=custom_id)
        self.add_item(
            _text_field(
                t("Name"),
                "name",
                MAX_NAME,
                current.name if current else None,
                t("University Wellbeing Service"),
            )
        )
        needs_select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="needs",
            min_values=1,
            max_values=len(CATEGORIES),
            options=[
                discord.SelectOption(
                    label=clip(t(c.label), SELECT_LABEL_LIMIT),
                    value=c.key,
                    emoji=c.emoji,
                    default=c.key in needs,
                )
                for c in CATEGORIES.values()
            ],
        )
        self.add_item(
            discord.ui.Label(
                text=clip(t("What it helps with"), TEXT_INPUT_LABEL_LIMIT), component=needs_select
            )
        )
        description = current.description if current else None
        self.add_item(
            _text_field(
                t("Description (optional)"), "description", MAX_DESCRIPTION, description,
                t("What it offers, in a sentence or two"), paragraph=True, required=False,
            )
        )  # fmt: skip
        self.add_item(
            _text_field(
                t("How to reach it"), "reach", 600, format_reach(current) if current else None,
                t(REACH_EXAMPLE, phone=EXAMPLE_PHONE), paragraph=True,
                # Translators: keep the kinds in English: the bot reads them at the start of each line.
                description=t("One per line: phone, text, email, web, in person"),
            )
        )  # fmt: skip
        self.add_item(
            _text_field(
                t("Opening hours"), "hours", MAX_HOURS, current.hours if current else None,
                # Translators: an example; the bot reads opening hours written in English only.
                t("Mon–Fri 9am–5pm; Sat 10:00–14:00 (term time)"),
            )
        )  # fmt: skip


class RemoveModal(StatelessModal):
    """Remove a contact: the organiser types its name to confirm."""

    def __init__(self, contact: Contact, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(
            title=clip(t("Remove {name}?", name=contact.name), MODAL_TITLE_LIMIT),
            timeout=None,
            custom_id=REMOVE_ID.format(contact_id=contact.id),
        )
        self.add_item(
            _text_field(
                t("Type the contact's name to remove it"), "confirm", MAX_NAME, None, clip(contact.name, 100),
                description=t("Students will no longer see it in /support."),
            )
        )  # fmt: skip
