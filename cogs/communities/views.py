"""The panel's menus, a community card's Join / Leave button, and the edit form.

The menus and buttons are persistent: their custom ids (``community:panel:<page>``,
``community:join:<id>``, ``community:leave:<id>``) are on panels posted long ago and must keep
working. The edit form is stateless: its custom id (``community:edit:<id>``) carries the
community, so a form opened before a restart still saves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.errors import UserError
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice
from bot.services.communities import DESCRIPTION_MAX, EMOJI_MAX, NAME_MAX, WELCOME_MAX, Community
from bot.ui import (
    ID,
    MODAL_TITLE_LIMIT,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    TEXT_INPUT_LABEL_LIMIT,
    PersistentItem,
    RowButton,
    StatelessModal,
    clip,
    cog_of,
    parse_id,
    unstored_view,
)
from cogs.communities.render import ENGLISH, PANEL_ROWS, kind_title

if TYPE_CHECKING:
    from cogs.communities.commands import Communities

SELECT_DESCRIPTION_LIMIT = 100
SELECT_PLACEHOLDER_LIMIT = 150
NO_COMMUNITIES = N_("No communities yet")
CHOOSE = N_("Choose a community…")
EDIT_FORM = rf"community:edit:(?P<id>{ID})"


def communities_cog(interaction: discord.Interaction[Any]) -> Communities:
    from cogs.communities.commands import Communities  # the cog imports this module

    return cog_of(interaction, Communities)


class PanelSelect(PersistentItem[discord.ui.Select[Any]], template=r"community:panel:(?P<page>[0-9]{1,2})"):
    """A page of the panel's menu. The chosen value is a community id."""

    where = "community panel"

    def __init__(
        self, page: int, options: list[discord.SelectOption] | None = None, voice: Voice = ENGLISH
    ) -> None:
        disabled = not options
        empty = voice.label(NO_COMMUNITIES, SELECT_LABEL_LIMIT)
        super().__init__(
            discord.ui.Select(
                custom_id=f"community:panel:{page}",
                placeholder=empty if disabled else voice.label(CHOOSE, SELECT_PLACEHOLDER_LIMIT),
                options=options or [discord.SelectOption(label=empty, value="0")],
                min_values=1,
                max_values=1,
                disabled=disabled,
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["page"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        if not values or not values[0].isdigit() or values[0] == "0":
            raise UserError("Please choose a community from the menu.")
        await communities_cog(interaction).show_card(interaction, parse_id(values[0]))


class _CardButton(RowButton, template=r"(?!)"):
    """Join or Leave on a community's private card."""

    join: bool

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await communities_cog(interaction).card_action(interaction, self.row_id, join=self.join)


class JoinButton(_CardButton, template=rf"community:join:(?P<id>{ID})"):
    join = True
    where = "community join button"
    prefix = "community:join"
    label = "Join"
    style = discord.ButtonStyle.success


class LeaveButton(_CardButton, template=rf"community:leave:(?P<id>{ID})"):
    join = False
    where = "community leave button"
    prefix = "community:leave"
    label = "Leave"


def panel_view(communities: list[Community], voice: Voice = ENGLISH) -> discord.ui.View:
    """The panel's menus in the server's voice, drawn only (never kept in memory: the items are
    handled by custom id)."""
    pages = [
        communities[i : i + SELECT_OPTIONS_LIMIT] for i in range(0, len(communities), SELECT_OPTIONS_LIMIT)
    ]
    if not pages:
        return unstored_view(PanelSelect(0, voice=voice))
    menus = [
        PanelSelect(
            number,
            [
                discord.SelectOption(
                    label=clip(c.name, SELECT_LABEL_LIMIT),
                    value=str(c.id),
                    description=clip(
                        " / ".join(kind_title(c, t) for t in voice.translators) + f" · {c.description}",
                        SELECT_DESCRIPTION_LIMIT,
                    ),
                    emoji=c.emoji or None,
                )
                for c in page
            ],
            voice,
        )
        for number, page in enumerate(pages[:PANEL_ROWS])
    ]
    return unstored_view(*menus)


def card_view(community_id: int, *, member: bool, t: Translator = SOURCE_TRANSLATOR) -> discord.ui.View:
    if member:
        return unstored_view(LeaveButton(community_id, label=t.pgettext("button", "Leave")))
    return unstored_view(JoinButton(community_id, label=t.pgettext("button", "Join")))


def edit_form(community: Community, t: Translator = SOURCE_TRANSLATOR) -> StatelessModal:
    """The edit form, filled in with the community as it is; handled by ``community:edit:<id>``."""
    form = StatelessModal(
        title=clip(t("Edit {name}", name=community.name), MODAL_TITLE_LIMIT),
        custom_id=f"community:edit:{community.id}",
        timeout=900,
    )
    fields: list[discord.ui.TextInput[Any]] = [
        discord.ui.TextInput(
            label=clip(t("Name"), TEXT_INPUT_LABEL_LIMIT),
            custom_id="name",
            default=community.name,
            min_length=2,
            max_length=NAME_MAX,
        ),
        discord.ui.TextInput(
            label=clip(t("Description"), TEXT_INPUT_LABEL_LIMIT),
            custom_id="description",
            style=discord.TextStyle.paragraph,
            default=community.description,
            max_length=DESCRIPTION_MAX,
        ),
        discord.ui.TextInput(
            label=clip(t("Emoji (optional)"), TEXT_INPUT_LABEL_LIMIT),
            custom_id="emoji",
            default=community.emoji or "",
            required=False,
            max_length=EMOJI_MAX,
        ),
        discord.ui.TextInput(
            label=clip(t("Welcome note, shown privately (optional)"), TEXT_INPUT_LABEL_LIMIT),
            custom_id="welcome",
            style=discord.TextStyle.paragraph,
            default=community.welcome_note or "",
            required=False,
            max_length=WELCOME_MAX,
        ),
    ]
    for field in fields:
        form.add_item(field)
    return form
