"""Signposts: the right welfare contact, one command away.

* ``/support`` (everyone): a private view, urgent help first, then a menu by need, each contact
  a compact card marked when it is independent of the medical school. Nothing is recorded about
  who looked, and nothing is logged with a member id.
* ``/signposts ...`` (organisers): keep the directory (modal forms), export/import it as TOML,
  post a persistent "Need support?" button, and schedule posts of the directory that pin
  themselves.

Other features show support with ``bot.get_cog("Signposts").support_payload(guild_id)``.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time, from_timestamp, to_timestamp
from bot.core import ORGANISER, CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.services.signposts import (
    CATEGORIES,
    CRISIS_FALLBACK,
    MAX_DESCRIPTION,
    MAX_HOURS,
    MAX_IMPORT_BYTES,
    MAX_NAME,
    Claim,
    Contact,
    ContactDraft,
    Schedule,
    SignpostService,
    format_reach,
    parse_reach,
    validate_contact,
)
from bot.ui import (
    CHOICE_NAME_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TOTAL_LIMIT,
    MODAL_TITLE_LIMIT,
    PIN,
    POST,
    SELECT_LABEL_LIMIT,
    clip,
    report_unexpected,
    report_user_error,
    require_bot_permissions,
    send_private,
)

log = logging.getLogger(__name__)

INDEPENDENT_MARK = "🛡️ independent of your medical school"
NOT_INDEPENDENT_MARK = "🏫 run by your university or medical school"
PRIVACY_LINE = "Only you can see this, and Common Room keeps no record of who looks."
OPEN_ID = "signposts:open"
NEED_ID = "signposts:need:{guild_id}"
REACH_EXAMPLE = "phone: 0300 123 3393\nweb: https://uni.ac.uk/support\nin person: Student Hub"
NEED_CHOICES = [app_commands.Choice(name=c.label, value=c.key) for c in CATEGORIES.values()]
URGENT_COLOUR = discord.Colour.red()
CARD_COLOUR = discord.Colour.teal()


def job_id(schedule_id: int) -> str:
    return f"signposts:schedule:{schedule_id}"


# -- rendering ---------------------------------------------------------------------------------


def reach_lines(contact: ContactDraft) -> list[str]:
    lines = []
    talk = [f"📞 {contact.phone}" if contact.phone else "", f"💬 Text {contact.text}" if contact.text else ""]
    online = [f"✉️ {contact.email}" if contact.email else "", f"🌐 {contact.web}" if contact.web else ""]
    for group in (talk, online):
        joined = " · ".join(part for part in group if part)
        if joined:
            lines.append(joined)
    if contact.in_person:
        lines.append(f"📍 {contact.in_person}")
    return lines


def card(contact: ContactDraft) -> tuple[str, str]:
    """A contact as an embed field: (name, value), within Discord's limits."""
    lines = [contact.description] if contact.description else []
    lines += reach_lines(contact)
    status = [f"🕒 {contact.hours}"]
    if contact.confidential:
        status.append("🔒 confidential")
    lines.append(" · ".join(status))
    lines.append(INDEPENDENT_MARK if contact.independent else NOT_INDEPENDENT_MARK)
    return clip(contact.name, 256), clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def compact_line(contact: ContactDraft, *, mark: bool = True) -> str:
    """A contact on one line, for the urgent block and public posts."""
    parts = [f"**{contact.name}**" + (" 🛡️" if mark and contact.independent else "")]
    if contact.phone:
        parts.append(f"📞 {contact.phone}")
    if contact.text:
        parts.append(f"💬 text {contact.text}")
    if not contact.phone and not contact.text:
        if contact.web:
            parts.append(f"🌐 {contact.web}")
        elif contact.email:
            parts.append(f"✉️ {contact.email}")
        elif contact.in_person:
            parts.append(f"📍 {contact.in_person}")
    parts.append(f"🕒 {contact.hours}")
    return clip(" · ".join(parts), 400)


def urgent_embed(contacts: list[Contact], *, full: bool = False) -> discord.Embed:
    urgent = [c for c in contacts if "urgent" in c.categories]
    embed = discord.Embed(title="🆘 Urgent help", colour=URGENT_COLOUR)
    if not urgent:
        embed.description = CRISIS_FALLBACK
        return embed
    intro = "**If you are in danger now or can't keep yourself safe, call 999 or go to A&E.**"
    if full:
        embed.description = intro
        _add_cards(embed, urgent, budget=EMBED_TOTAL_LIMIT // 2)
    else:
        embed.description = _lines_within(
            [intro, *(compact_line(c, mark=False) for c in urgent)], EMBED_DESCRIPTION_LIMIT
        )
    return embed


def _lines_within(lines: list[str], limit: int, more: str = "…and {n} more.") -> str:
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        note = more.format(n=len(lines) - index)
        if used + len(line) + 1 + len(note) + 1 > limit:
            out.append(note)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def _add_cards(embed: discord.Embed, contacts: list[Contact], *, budget: int) -> None:
    used = len(embed)
    for index, contact in enumerate(contacts):
        name, value = card(contact)
        remaining = len(contacts) - index
        if len(embed.fields) >= EMBED_FIELDS_LIMIT - 1 or used + len(name) + len(value) + 120 > budget:
            embed.add_field(
                name=f"…and {remaining} more",
                value="Choose a narrower need, or ask an organiser for the full list.",
                inline=False,
            )
            return
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)


def need_embed(need: str, contacts: list[Contact], budget: int) -> discord.Embed:
    category = CATEGORIES[need]
    chosen = [c for c in contacts if need in c.categories]
    embed = discord.Embed(title=f"{category.emoji} {category.label}", colour=CARD_COLOUR)
    if not chosen:
        embed.description = (
            f"{category.hint}.\nThere is no contact for this here yet. The urgent lines above are there any "
            "time, and an organiser can add local services with `/signposts add`."
        )
        return embed
    independent = sum(1 for c in chosen if c.independent)
    embed.description = f"{category.hint}.\n{independent} of {len(chosen)} marked {INDEPENDENT_MARK}."
    _add_cards(embed, chosen, budget=budget)
    embed.set_footer(text=PRIVACY_LINE)
    return embed


def intro_embed(contacts: list[Contact]) -> discord.Embed:
    counts = {key: sum(1 for c in contacts if key in c.categories) for key in CATEGORIES}
    lines = [
        "Choose what you need help with in the menu below; no forms, no referral.",
        "🛡️ marks contacts that are independent of your medical school.",
        "",
    ]
    lines += [
        f"{c.emoji} {c.label} ({counts[c.key]})"
        for c in CATEGORIES.values()
        if c.key != "urgent" and counts[c.key]
    ]
    embed = discord.Embed(title="Find support", description="\n".join(lines), colour=CARD_COLOUR)
    embed.set_footer(text=PRIVACY_LINE)
    return embed


def need_options(contacts: list[Contact], selected: str | None) -> list[discord.SelectOption]:
    options = []
    for category in CATEGORIES.values():
        count = sum(1 for c in contacts if category.key in c.categories)
        if category.key != "urgent" and count == 0:
            continue
        options.append(
            discord.SelectOption(
                label=clip(category.label, SELECT_LABEL_LIMIT),
                value=category.key,
                emoji=category.emoji,
                description=clip(f"{count} contact{'s' if count != 1 else ''} · {category.hint}", 100),
                default=category.key == selected,
            )
        )
    return options


def directory_embeds(contacts: list[Contact], category: str | None) -> list[discord.Embed]:
    """What a scheduled post shows: urgent help first, then the category or the whole directory."""
    embeds = [urgent_embed(contacts, full=category == "urgent")]
    if category == "urgent":
        return embeds
    budget = EMBED_TOTAL_LIMIT - len(embeds[0]) - 200
    if category is not None:
        embed = need_embed(category, contacts, budget)
        embed.set_footer(text="Press “Need support?” to see this privately, with every detail.")
        return [*embeds, embed]
    for key, info in CATEGORIES.items():
        chosen = [c for c in contacts if key in c.categories]
        if key == "urgent" or not chosen:
            continue
        if budget < 300:
            break
        text = _lines_within([compact_line(c) for c in chosen], min(EMBED_DESCRIPTION_LIMIT, budget - 100))
        embed = discord.Embed(title=f"{info.emoji} {info.label}", description=text, colour=CARD_COLOUR)
        budget -= len(embed)
        embeds.append(embed)
    embeds[-1].set_footer(
        text="🛡️ = independent of your medical school. Press “Need support?” to see every detail "
        "privately; nobody is told you looked."
    )
    return embeds[:10]


# -- persistent components ----------------------------------------------------------------------


def _cog(interaction: discord.Interaction[Any]) -> Signposts:
    cog = interaction.client.get_cog("Signposts")
    assert isinstance(cog, Signposts)
    return cog


async def _guarded(interaction: discord.Interaction[Any], where: str, action: Any) -> None:
    try:
        await action()
    except UserError as error:
        await report_user_error(interaction, error)
    except Exception as error:
        await report_unexpected(interaction, error, where)


class SupportButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"signposts:open"):
    """The "Need support?" button: anyone who presses it gets the private support view."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Need support?", style=discord.ButtonStyle.primary, emoji="💬", custom_id=OPEN_ID
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> SupportButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def show() -> None:
            if interaction.guild_id is None:
                raise UserError("This button works inside a server.")
            payload = await _cog(interaction).support_payload(interaction.guild_id)
            await send_private(interaction, **payload)

        await _guarded(interaction, "support button", show)


class NeedSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"signposts:need:(?P<guild_id>\d+)"
):
    """The menu by need in the private view; carries the server id so it also works in a DM."""

    def __init__(self, guild_id: int, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=NEED_ID.format(guild_id=guild_id),
                placeholder="What do you need help with?",
                options=options or [discord.SelectOption(label="Urgent help", value="urgent")],
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> NeedSelect:
        options = list(item.options) if isinstance(item, discord.ui.Select) else []
        return cls(int(match["guild_id"]), options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def show() -> None:
            values = self.item.values
            need = values[0] if values and values[0] in CATEGORIES else None
            payload = await _cog(interaction).support_payload(self.guild_id, need)
            await interaction.response.edit_message(**payload)

        await _guarded(interaction, "support menu", show)


def support_view(guild_id: int, contacts: list[Contact], need: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NeedSelect(guild_id, need_options(contacts, need)))
    return view


def button_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SupportButton())
    return view


# -- forms ---------------------------------------------------------------------------------------


FORM_ID = "signposts:form:{contact_id}:{independent:d}:{confidential:d}"
FORM = re.compile(r"signposts:form:(?P<contact_id>\d+):(?P<independent>[01]):(?P<confidential>[01])")
REMOVE_ID = "signposts:remove:{contact_id}"
REMOVE_FORM = re.compile(r"signposts:remove:(?P<contact_id>\d+)")


class StatelessModal(discord.ui.Modal):
    """A form whose submission is read by :meth:`Signposts.on_interaction` from its custom_id and
    values alone, so what an organiser typed is saved even if the bot restarted meanwhile."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None  # handled by the cog's listener


class ContactModal(StatelessModal):
    """Add or edit a contact: name, needs, description, how to reach it, opening hours."""

    def __init__(
        self, *, current: Contact | None, independent: bool, confidential: bool, needs: tuple[str, ...]
    ) -> None:
        title = "Add a support contact" if current is None else f"Edit {current.name}"
        custom_id = FORM_ID.format(
            contact_id=current.id if current else 0, independent=independent, confidential=confidential
        )
        super().__init__(title=clip(title, MODAL_TITLE_LIMIT), timeout=None, custom_id=custom_id)
        self.add_item(
            discord.ui.Label(
                text="Name",
                component=discord.ui.TextInput(
                    custom_id="name", max_length=MAX_NAME, default=current.name if current else None,
                    placeholder="University Wellbeing Service",
                ),
            )
        )  # fmt: skip
        needs_select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="needs",
            min_values=1,
            max_values=len(CATEGORIES),
            options=[
                discord.SelectOption(label=c.label, value=c.key, emoji=c.emoji, default=c.key in needs)
                for c in CATEGORIES.values()
            ],
        )
        self.add_item(discord.ui.Label(text="What it helps with", component=needs_select))
        self.add_item(
            discord.ui.Label(
                text="Description (optional)",
                component=discord.ui.TextInput(
                    custom_id="description", style=discord.TextStyle.paragraph, required=False,
                    max_length=MAX_DESCRIPTION, default=current.description if current else None,
                    placeholder="What it offers, in a sentence or two",
                ),
            )
        )  # fmt: skip
        self.add_item(
            discord.ui.Label(
                text="How to reach it",
                description="One per line: phone, text, email, web, in person",
                component=discord.ui.TextInput(
                    custom_id="reach", style=discord.TextStyle.paragraph, max_length=600,
                    default=format_reach(current) if current else None, placeholder=REACH_EXAMPLE,
                ),
            )
        )  # fmt: skip
        self.add_item(
            discord.ui.Label(
                text="Opening hours",
                component=discord.ui.TextInput(
                    custom_id="hours", max_length=MAX_HOURS, default=current.hours if current else None,
                    placeholder="Mon–Fri 9am–5pm; Sat 10:00–14:00 (term time)",
                ),
            )
        )  # fmt: skip


class RemoveModal(StatelessModal):
    def __init__(self, contact: Contact) -> None:
        super().__init__(
            title=clip(f"Remove {contact.name}?", MODAL_TITLE_LIMIT),
            timeout=None,
            custom_id=REMOVE_ID.format(contact_id=contact.id),
        )
        self.add_item(
            discord.ui.Label(
                text="Type the contact's name to remove it",
                description="Students will no longer see it in /support.",
                component=discord.ui.TextInput(
                    custom_id="confirm", max_length=MAX_NAME, placeholder=clip(contact.name, 100)
                ),
            )
        )


def modal_values(data: Any) -> dict[str, Any]:
    """Each control's value (text) or values (selects) from a modal submission, by custom_id."""
    found: dict[str, Any] = {}
    for component in data.get("components") or []:
        if component.get("type") == discord.ComponentType.label.value:
            leaves = [component.get("component") or {}]
        elif component.get("type") == discord.ComponentType.action_row.value:
            leaves = component.get("components") or []
        else:
            leaves = [component]
        for leaf in leaves:
            custom_id = leaf.get("custom_id")
            if custom_id is None:
                continue
            found[custom_id] = leaf["values"] if "values" in leaf else leaf.get("value") or ""
    return found


# -- the cog -------------------------------------------------------------------------------------


def _bot_can_post(channel: discord.TextChannel, *, pin: bool = False) -> None:
    require_bot_permissions(channel, POST + PIN if pin else POST, then="then try again. Nothing was saved.")


class Signposts(commands.Cog):
    """The support directory. Other features call :meth:`support_payload`."""

    signposts = app_commands.Group(
        name="signposts",
        description="Keep the support directory students see with /support (organisers)",
        default_permissions=discord.Permissions(manage_guild=True),
        extras=ORGANISER,
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = SignpostService(
            bot.db, bot.clock, [seed.model_dump() for seed in bot.settings.signposts]
        )

    async def cog_load(self) -> None:
        for schedule in await self.service.pending_schedules():
            self._arm(await self.service.skip_stale(schedule))

    async def cog_unload(self) -> None:
        for job in self.bot.scheduler.jobs():
            if job.id.startswith("signposts:"):
                self.bot.scheduler.cancel(job.id)

    # -- the shared hook -------------------------------------------------------------------------

    async def support_payload(self, guild_id: int, need: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``send_private``/``send``: urgent help first, then the need's
        contacts (or a menu of needs), with the menu to choose another need."""
        contacts = await self.service.contacts(guild_id)
        if need is not None and need not in CATEGORIES:
            need = None
        first = urgent_embed(contacts, full=need == "urgent")
        if need is None:
            second: discord.Embed | None = intro_embed(contacts)
        elif need == "urgent":
            first.set_footer(text=PRIVACY_LINE)
            second = None
        else:
            second = need_embed(need, contacts, EMBED_TOTAL_LIMIT - len(first) - 50)
        embeds = [first] if second is None else [first, second]
        return {"embeds": embeds, "view": support_view(guild_id, contacts, need)}

    # -- forms (stateless: read from the submission, so a restart loses nothing typed) -----------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        form, removal = FORM.fullmatch(custom_id), REMOVE_FORM.fullmatch(custom_id)
        if form is None and removal is None:
            return

        async def handle() -> None:
            guild_id = interaction.guild_id
            member = interaction.user
            # Modal submissions don't pass the command tree's check: check organisers here too.
            if guild_id is None or not isinstance(member, discord.Member):
                raise UserError("This form works inside a server.")
            if not is_organiser(member, await self.bot.guild_settings.get(guild_id)):
                raise UserError("Only organisers can change the support directory. Nothing was changed.")
            values = modal_values(data)
            if form is not None:
                await self._save_form(interaction, guild_id, form, values)
            elif removal is not None:
                await self._remove_form(interaction, guild_id, int(removal["contact_id"]), values)

        await _guarded(interaction, "signposts form", handle)

    async def _save_form(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        form: re.Match[str],
        values: dict[str, Any],
    ) -> None:
        needs = values.get("needs") or []
        data: dict[str, Any] = {
            "name": str(values.get("name", "")),
            "categories": list(needs) if isinstance(needs, list) else [str(needs)],
            "description": str(values.get("description", "")),
            "hours": str(values.get("hours", "")),
            "independent": form["independent"] == "1",
            "confidential": form["confidential"] == "1",
        }
        data.update(parse_reach(str(values.get("reach", ""))))
        draft = validate_contact(data)
        contact_id = int(form["contact_id"])
        if contact_id == 0:
            contact = await self.service.add(guild_id, draft)
            verb = "Added"
        else:
            contact = await self.service.update(guild_id, contact_id, draft)
            verb = "Saved"
        name, value = card(contact)
        embed = discord.Embed(title=name, description=value, colour=CARD_COLOUR)
        embed.set_footer(text="Shown under: " + ", ".join(CATEGORIES[k].label for k in contact.categories))
        await send_private(interaction, f"{verb}. This is how students will see it:", embed=embed)

    async def _remove_form(
        self, interaction: discord.Interaction[Any], guild_id: int, contact_id: int, values: dict[str, Any]
    ) -> None:
        contact = await self.service.get(guild_id, contact_id)
        if str(values.get("confirm", "")).strip().casefold() != contact.name.casefold():
            raise UserError(f"The name didn't match, so **{contact.name}** was kept. Nothing changed.")
        removed = await self.service.remove(guild_id, contact.id)
        await send_private(interaction, f"Removed **{removed.name}** from the directory.")

    # -- /support ----------------------------------------------------------------------------------

    @app_commands.command(name="support", description="Find the right support contact, privately")
    @app_commands.describe(need="What you need help with (you can also choose from the menu)")
    @app_commands.choices(need=NEED_CHOICES)
    async def support(self, interaction: discord.Interaction[CommonRoomBot], need: str | None = None) -> None:
        assert interaction.guild_id is not None
        payload = await self.support_payload(interaction.guild_id, need)
        await send_private(interaction, **payload)

    # -- directory ---------------------------------------------------------------------------------

    async def _contact_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.casefold().strip()
        contacts = await self.service.contacts(interaction.guild_id)
        matching = [c for c in contacts if needle in c.name.casefold()]
        return [
            app_commands.Choice(
                name=clip(
                    f"{c.name} ({', '.join(CATEGORIES[k].label for k in c.categories)})", CHOICE_NAME_LIMIT
                ),
                value=str(c.id),
            )
            for c in matching[:25]
        ]

    @signposts.command(name="add", description="Add a contact to the directory (opens a form)")
    @app_commands.describe(
        independent="Is it independent of the medical school? Students look for this.",
        confidential="Is what students tell it kept confidential?",
        need="The main thing it helps with (you can pick more in the form)",
    )
    @app_commands.choices(need=NEED_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        independent: bool,
        confidential: bool = True,
        need: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        modal = ContactModal(
            current=None,
            independent=independent,
            confidential=confidential,
            needs=(need,) if need else (),
        )
        await interaction.response.send_modal(modal)

    @signposts.command(name="edit", description="Change a contact in the directory (opens a form)")
    @app_commands.describe(
        contact="The contact to change",
        independent="Is it independent of the medical school? (unchanged if left out)",
        confidential="Is it confidential? (unchanged if left out)",
    )
    @app_commands.autocomplete(contact=_contact_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        contact: str,
        independent: bool | None = None,
        confidential: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        found = await self.service.find(interaction.guild_id, contact)
        modal = ContactModal(
            current=found,
            independent=found.independent if independent is None else independent,
            confidential=found.confidential if confidential is None else confidential,
            needs=found.categories,
        )
        await interaction.response.send_modal(modal)

    @signposts.command(name="remove", description="Remove a contact from the directory")
    @app_commands.describe(contact="The contact to remove")
    @app_commands.autocomplete(contact=_contact_autocomplete)
    async def remove(self, interaction: discord.Interaction[CommonRoomBot], contact: str) -> None:
        assert interaction.guild_id is not None
        found = await self.service.find(interaction.guild_id, contact)
        await interaction.response.send_modal(RemoveModal(found))

    @signposts.command(name="export", description="Download the directory as a TOML file")
    async def export(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        text = await self.service.export_toml(interaction.guild_id)
        count = len(await self.service.contacts(interaction.guild_id))
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="signposts.toml")
        await send_private(
            interaction,
            f"The directory ({count} contacts). Edit it and bring it back with `/signposts import`.",
            file=file,
        )

    @signposts.command(
        name="import", description="Load contacts from a TOML file (as /signposts export gives)"
    )
    @app_commands.describe(
        file="A .toml file with [[signposts]] entries",
        replace="Make the directory exactly the file (removes contacts not in it). Default: merge by name",
    )
    async def import_(
        self, interaction: discord.Interaction[CommonRoomBot], file: discord.Attachment, replace: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        if file.size > MAX_IMPORT_BYTES:
            raise UserError(f"That file is {file.size // 1024} KB; a directory file is at most 256 KB.")
        if not file.filename.lower().endswith(".toml"):
            raise UserError("Please attach a `.toml` file, like the one `/signposts export` gives.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            text = (await file.read()).decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(
                "That file isn't UTF-8 text. Save it as UTF-8 and try again; nothing changed."
            ) from None
        except discord.HTTPException:
            raise UserError("I couldn't download that file. Please attach it again.") from None
        result = await self.service.import_toml(interaction.guild_id, text, replace=replace)
        parts = [f"{result.added} added", f"{result.updated} updated", f"{result.unchanged} unchanged"]
        if replace:
            parts.append(f"{result.removed} removed")
        await send_private(interaction, f"Imported: {', '.join(parts)}. Check it with `/support`.")

    @signposts.command(
        name="button", description="Post a “Need support?” button that opens /support privately"
    )
    @app_commands.describe(
        channel="Where to post it (a welcome channel is a good place)", text="Text above it"
    )
    async def button(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        text: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        _bot_can_post(channel)
        embed = discord.Embed(
            title="Need support?",
            description=text
            or (
                "Press the button to see who can help: urgent help, wellbeing, reporting discrimination, "
                "money, disability, faith and more. Only you will see it, and nobody is told you looked."
            ),
            colour=CARD_COLOUR,
        )
        try:
            await channel.send(embed=embed, view=button_view())
        except discord.Forbidden:
            raise UserError(
                f"Discord didn't let me post in {channel.mention}. Check my permissions there and try again."
            ) from None
        await send_private(interaction, f"Posted the support button in {channel.mention}.")

    # -- schedules -------------------------------------------------------------------------------

    @signposts.command(
        name="schedule", description="Post the directory (or one need) to a channel on a schedule"
    )
    @app_commands.describe(
        channel="Where to post; the newest post is pinned and the previous one unpinned",
        repeat="For example: first Monday of each month",
        dates="Or given dates, for example: 6 Jan 2027, 28 Apr 2027",
        time="Time of day in the server's timezone (default 09:00)",
        need="Post only this need's contacts (default: the whole directory)",
    )
    @app_commands.choices(need=NEED_CHOICES)
    async def schedule(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        repeat: app_commands.Range[str, 1, 200] | None = None,
        dates: app_commands.Range[str, 1, 400] | None = None,
        time: app_commands.Range[str, 1, 10] = "09:00",
        need: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        _bot_can_post(channel, pin=True)
        config = await self.bot.guild_settings.get(interaction.guild_id)
        created = await self.service.create_schedule(
            interaction.guild_id,
            channel.id,
            category=need,
            repeat=repeat,
            dates=dates,
            time_of_day=time,
            timezone=config.timezone,
        )
        self._arm(created)
        assert created.next_run_at is not None
        await send_private(
            interaction,
            f"Scheduled #{created.id}: {created.describe()} in {channel.mention}. "
            f"First post {discord_time(created.next_run_at, 'F')} "
            f"({discord_time(created.next_run_at, 'R')}).",
        )

    @schedule.autocomplete("repeat")
    async def repeat_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        examples = [
            "first Monday of each month",
            "last Friday of each month",
            "every Monday",
            "every 2 weeks on Wednesday",
            "monthly on the 1st",
        ]
        shown = [e for e in examples if current.lower() in e] or ([current] if current else examples)
        return [app_commands.Choice(name=clip(e, CHOICE_NAME_LIMIT), value=e[:200]) for e in shown[:25]]

    @signposts.command(name="schedules", description="List scheduled signpost posts")
    async def schedules(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        found = await self.service.schedules(interaction.guild_id)
        if not found:
            await send_private(interaction, "No scheduled posts. Add one with `/signposts schedule`.")
            return
        lines = [self._schedule_line(s) for s in found]
        embed = discord.Embed(
            title="Scheduled signposts",
            description=_lines_within(lines, EMBED_DESCRIPTION_LIMIT),
            colour=CARD_COLOUR,
        )
        embed.set_footer(text="Cancel one with /signposts unschedule")
        await send_private(interaction, embed=embed)

    def _schedule_line(self, schedule: Schedule) -> str:
        line = f"**#{schedule.id}** {schedule.describe()} in <#{schedule.channel_id}>"
        if schedule.next_run_at is not None:
            line += f"\n  next: {discord_time(schedule.next_run_at, 'F')}"
        else:
            line += "\n  finished"
        if schedule.last_error:
            line += f"\n  ⚠️ {schedule.last_error}"
        return clip(line, 600)

    @signposts.command(name="unschedule", description="Cancel a scheduled signpost post")
    @app_commands.describe(schedule="The scheduled post to cancel")
    async def unschedule(self, interaction: discord.Interaction[CommonRoomBot], schedule: str) -> None:
        assert interaction.guild_id is not None
        cleaned = schedule.strip().lstrip("#")
        if not cleaned.isdigit():
            raise UserError("Pick a scheduled post from the list as you type.")
        cancelled = await self.service.cancel_schedule(interaction.guild_id, int(cleaned))
        self.bot.scheduler.cancel(job_id(cancelled.id))
        await send_private(
            interaction,
            f"Cancelled #{cancelled.id}. Posts already made stay where they are (unpin them if you like).",
        )

    @unschedule.autocomplete("schedule")
    async def schedule_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = await self.service.schedules(interaction.guild_id)
        return [
            app_commands.Choice(name=clip(f"#{s.id} {s.describe()}", CHOICE_NAME_LIMIT), value=str(s.id))
            for s in found
            if s.next_run_at is not None and current.lstrip("#") in f"{s.id} {s.describe()}"
        ][:25]

    # -- the scheduled job ---------------------------------------------------------------------------

    def _arm(self, schedule: Schedule) -> None:
        if schedule.next_run_at is None or schedule.cancelled:
            return
        now = self.bot.clock.now()
        when: datetime = max(schedule.next_run_at, now)
        self.bot.scheduler.at(
            job_id(schedule.id), when, self._run_schedule, schedule.id, to_timestamp(schedule.next_run_at)
        )

    async def _run_schedule(self, schedule_id: int, due_ts: int) -> None:
        try:
            claim = await self.service.claim_run(schedule_id, from_timestamp(due_ts))
        except Exception:
            log.exception("Could not claim scheduled signpost %s", schedule_id)
            return
        if claim is None:
            return
        try:
            await self._post(claim)
        except Exception:
            log.exception("Scheduled signpost %s failed", schedule_id)
            await self.service.record_failure(
                schedule_id, "Something went wrong posting; it will try next time."
            )
        finally:
            self._arm(claim.schedule)

    async def _post(self, claim: Claim) -> None:
        schedule = claim.schedule
        channel = self.bot.get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            await self.service.record_failure(
                schedule.id, "The channel is gone or I can't see it. Cancel this and schedule it again."
            )
            return
        contacts = await self.service.contacts(schedule.guild_id)
        try:
            message = await channel.send(
                embeds=directory_embeds(contacts, schedule.category), view=button_view()
            )
        except discord.HTTPException as error:
            log.warning("Scheduled signpost %s could not post (HTTP %s)", schedule.id, error.status)
            await self.service.record_failure(
                schedule.id,
                f"I couldn't post in #{channel.name}: check I can send messages and embed links there.",
            )
            return
        problem: str | None = None
        try:
            await message.pin(reason="Newest scheduled signpost")
        except discord.HTTPException:
            problem = f"Posted, but couldn't pin it: I need Pin Messages in #{channel.name}."
        if claim.previous_message_id and claim.previous_message_id != message.id:
            try:
                await channel.get_partial_message(claim.previous_message_id).unpin(
                    reason="A newer signpost is pinned"
                )
            except discord.NotFound:
                pass  # the previous post was deleted or already unpinned
            except discord.HTTPException:
                problem = (
                    problem or f"Couldn't unpin the previous post: I need Pin Messages in #{channel.name}."
                )
        await self.service.record_post(schedule.id, message.id, problem)


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(SupportButton, NeedSelect)
    await bot.add_cog(Signposts(bot))
