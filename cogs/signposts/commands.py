"""Signposts: the right welfare contact, one command away.

* ``/support`` (everyone): a private view, urgent help first, then a menu by need, each contact
  a compact card marked when it is independent of the medical school. A need with no local
  contact is never a dead end: it shows the national lines that fit it and the students' union
  advice centre, and is counted for organisers (server, need and week only). Nothing is recorded
  about who looked, and nothing is logged with a member id.
* ``/signposts ...`` (organisers): keep the directory (forms), export/import it as TOML, post a
  persistent "Need support?" button, schedule posts of the directory that pin themselves, and
  see which needs students looked up with no local contact (``/signposts gaps``, counts only).

Other features show support with :func:`bot.ui.support_payload`, which reaches this cog through
:class:`bot.ui.SupportDirectory` (:meth:`Signposts.directory_support`).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time
from bot.core import CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.feature import FeatureCog, organiser_group
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator
from bot.services.signposts import MAX_IMPORT_BYTES, SignpostService
from bot.services.signposts_contacts import CATEGORIES, Contact, parse_reach, validate_contact
from bot.services.signposts_gaps import unmet
from bot.ui import (
    PIN,
    POST,
    FormRouter,
    FormValues,
    parse_id,
    require_bot_permissions,
    send_private,
    show_form,
    suggest,
)
from cogs.signposts.jobs import ScheduledPosts
from cogs.signposts.render import (
    button_embed,
    need_options,
    saved_embed,
    schedules_embed,
    support_embeds,
    unmet_embed,
)
from cogs.signposts.views import (
    FORM_PATTERN,
    REMOVE_PATTERN,
    ContactModal,
    RemoveModal,
    button_view,
    support_view,
)

log = logging.getLogger(__name__)

UNKNOWN_NEED = N_(
    "I don't know that need, so here is everything: urgent help first, then choose what you "
    "need help with from the menu."
)
NEED_CHOICES = [app_commands.Choice(name=c.label, value=c.key) for c in CATEGORIES.values()]
ADD_OPTIONS = {
    "independent": N_("Is it independent of the medical school? Students look for this."),
    "confidential": N_("Is what students tell it kept confidential?"),
    "need": N_("The main thing it helps with (you can pick more in the form)"),
}
EDIT_OPTIONS = {
    "contact": N_("The contact to change"),
    "independent": N_("Is it independent of the medical school? (unchanged if left out)"),
    "confidential": N_("Is it confidential? (unchanged if left out)"),
}
REPEAT_EXAMPLES = [
    "first Monday of each month",
    "last Friday of each month",
    "every Monday",
    "every 2 weeks on Wednesday",
    "monthly on the 1st",
]


def _bot_can_post(channel: discord.TextChannel, *, pin: bool = False) -> None:
    require_bot_permissions(channel, POST + PIN if pin else POST, then="then try again. Nothing was saved.")


def _needs(contact: Contact, t: Translator) -> str:
    return ", ".join(t(CATEGORIES[k].label) for k in contact.categories)


class Signposts(FeatureCog[ScheduledPosts], commands.Cog):
    """The support directory; other features reach it through :meth:`directory_support`."""

    signposts = organiser_group(
        name="signposts", description=N_("Keep the support directory students see with /support (organisers)")
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = SignpostService(
            bot.db, bot.clock, [seed.model_dump() for seed in bot.settings.signposts]
        )
        self.jobs = ScheduledPosts(bot, self.service)

    def add_forms(self, forms: FormRouter) -> None:
        forms.add(FORM_PATTERN, self._save_form, where="signposts form")
        forms.add(REMOVE_PATTERN, self._remove_form, where="signposts remove form")

    # -- bot.ui.SupportDirectory -------------------------------------------------------------------

    async def directory_support(
        self, guild_id: int, need: str | None = None, t: Translator = SOURCE_TRANSLATOR
    ) -> dict[str, Any]:
        """Keyword arguments for ``send_private``/``send``: urgent help first, then the need's
        contacts (or a menu of needs), with the menu to choose another need; in the reader's
        language ``t``."""
        payload, _unmet = await self._support(guild_id, need, t)
        return payload

    async def _support(
        self, guild_id: int, need: str | None, t: Translator = SOURCE_TRANSLATOR
    ) -> tuple[dict[str, Any], bool]:
        """The payload, and whether ``need`` is one with no local contact (so worth counting)."""
        if need is not None and need not in CATEGORIES:
            need = None
        # Rendered once per server, need and language, kept with the cached directory until it
        # changes; each reply gets its own copies (an embed or view is never shared between messages).
        embeds, options, no_contact = await self.service.derived(
            guild_id,
            ("support", need, t.locale),
            lambda found: (
                tuple(support_embeds(found, need, t)),
                tuple(need_options(found, need, t)),
                unmet(found, need),
            ),
        )
        payload = {
            "embeds": [embed.copy() for embed in embeds],
            "view": support_view(guild_id, list(options), t),
        }
        return payload, no_contact

    async def student_support(
        self,
        guild_id: int,
        need: str | None,
        respond: Callable[..., Awaitable[Any]],
        *,
        count: bool = True,
        t: Translator = SOURCE_TRANSLATOR,
    ) -> None:
        """A student's look-up (``/support``, the menu): answered with ``respond(**payload)`` first;
        then, if the need has no local contact, counted for organisers (server, need, this week:
        never who, never when). A need with a contact costs no write at all."""
        payload, no_contact = await self._support(guild_id, need, t)
        await respond(**payload)
        if not (count and no_contact and need is not None):
            return
        try:
            await self.service.unmet.record(guild_id, need)
        except Exception:  # the student has their answer; a lost count must not become an error
            log.exception("Could not count a need looked up with no local contact")

    # -- forms (stateless: read from the submission, so a restart loses nothing typed) -----------

    async def _organiser_guild(self, interaction: discord.Interaction[Any]) -> int:
        """The server of a form submission by an organiser (forms skip the command tree's check)."""
        guild_id = interaction.guild_id
        member = interaction.user
        if guild_id is None or not isinstance(member, discord.Member):
            raise UserError("This form works inside a server.")
        if not is_organiser(member, await self.bot.guild_settings.get(guild_id)):
            raise UserError("Only organisers can change the support directory. Nothing was changed.")
        return guild_id

    async def _save_form(
        self, interaction: discord.Interaction[Any], form: re.Match[str], values: FormValues
    ) -> None:
        guild_id = await self._organiser_guild(interaction)
        data: dict[str, Any] = {
            "name": values.text("name"),
            "categories": values.choices("needs"),
            "description": values.text("description"),
            "hours": values.text("hours"),
            "independent": form["independent"] == "1",
            "confidential": form["confidential"] == "1",
        }
        data.update(parse_reach(values.text("reach")))
        draft = validate_contact(data)
        contact_id = parse_id(form["contact_id"])  # untrusted: 0 if out of range
        if contact_id == 0 and form["contact_id"] != "0":
            raise UserError("That form is out of date. Open it again with `/signposts edit`.")
        t = await self.bot.i18n.for_interaction(interaction)
        if contact_id == 0:
            contact = await self.service.add(guild_id, draft)
            done = t("Added. This is how students will see it:")
        else:
            contact = await self.service.update(guild_id, contact_id, draft)
            done = t("Saved. This is how students will see it:")
        await send_private(interaction, done, embed=saved_embed(contact, t))

    async def _remove_form(
        self, interaction: discord.Interaction[Any], form: re.Match[str], values: FormValues
    ) -> None:
        guild_id = await self._organiser_guild(interaction)
        contact = await self.service.get(guild_id, parse_id(form["contact_id"]))
        if values.text("confirm").strip().casefold() != contact.name.casefold():
            raise UserError(
                "The name didn't match, so **{name}** was kept. Nothing changed.", name=contact.name
            )
        removed = await self.service.remove(guild_id, contact.id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, t("Removed **{name}** from the directory.", name=removed.name))

    # -- /support ----------------------------------------------------------------------------------

    @app_commands.command(name="support", description=N_("Find the right support contact, privately"))
    @app_commands.describe(need=N_("What you need help with (you can also choose from the menu)"))
    @app_commands.choices(need=NEED_CHOICES)
    async def support(self, interaction: discord.Interaction[CommonRoomBot], need: str | None = None) -> None:
        assert interaction.guild_id is not None
        t = await self.bot.i18n.for_interaction(interaction)
        if need is not None and need not in CATEGORIES:
            # Not one of the choices (a forged or outdated client): never echoed, never counted,
            # and the student still gets urgent help and every need.
            await send_private(
                interaction, t(UNKNOWN_NEED), **await self.directory_support(interaction.guild_id, t=t)
            )
            return
        await self.student_support(interaction.guild_id, need, partial(send_private, interaction), t=t)

    # -- directory ---------------------------------------------------------------------------------

    async def _contact_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.casefold().strip()
        contacts = await self.service.contacts(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        labelled = (
            (f"{c.name} ({_needs(c, t)})", str(c.id)) for c in contacts if needle in c.name.casefold()
        )
        return suggest(labelled, "")  # matched on the name only, not the needs in the label

    async def _find(self, interaction: discord.Interaction[CommonRoomBot], contact: str) -> Contact:
        assert interaction.guild_id is not None
        return await self.service.find(interaction.guild_id, contact)

    @signposts.command(name="add", description=N_("Add a contact to the directory (opens a form)"))
    @app_commands.describe(**ADD_OPTIONS)
    @app_commands.choices(need=NEED_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        independent: bool,
        confidential: bool = True,
        need: str | None = None,
    ) -> None:
        needs = (need,) if need else ()
        t = await self.bot.i18n.for_interaction(interaction)
        form = ContactModal(
            current=None, independent=independent, confidential=confidential, needs=needs, t=t
        )
        await show_form(interaction, form)

    @signposts.command(name="edit", description=N_("Change a contact in the directory (opens a form)"))
    @app_commands.describe(**EDIT_OPTIONS)
    @app_commands.autocomplete(contact=_contact_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        contact: str,
        independent: bool | None = None,
        confidential: bool | None = None,
    ) -> None:
        found = await self._find(interaction, contact)
        t = await self.bot.i18n.for_interaction(interaction)
        form = ContactModal(
            current=found,
            independent=found.independent if independent is None else independent,
            confidential=found.confidential if confidential is None else confidential,
            needs=found.categories,
            t=t,
        )
        await show_form(interaction, form)

    @signposts.command(name="remove", description=N_("Remove a contact from the directory"))
    @app_commands.describe(contact=N_("The contact to remove"))
    @app_commands.autocomplete(contact=_contact_autocomplete)
    async def remove(self, interaction: discord.Interaction[CommonRoomBot], contact: str) -> None:
        found = await self._find(interaction, contact)
        t = await self.bot.i18n.for_interaction(interaction)
        await show_form(interaction, RemoveModal(found, t))

    @signposts.command(name="export", description=N_("Download the directory as a TOML file"))
    async def export(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        text = await self.service.export_toml(interaction.guild_id)
        count = len(await self.service.contacts(interaction.guild_id))
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="signposts.toml")
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t.ngettext(
                "The directory ({n} contact). Edit it and bring it back with `/signposts import`.",
                "The directory ({n} contacts). Edit it and bring it back with `/signposts import`.",
                count,
            ),
            file=file,
        )

    @signposts.command(
        name="import", description=N_("Load contacts from a TOML file (as /signposts export gives)")
    )
    @app_commands.describe(
        file=N_("A .toml file with [[signposts]] entries"),
        replace=N_(
            "Make the directory exactly the file (removes contacts not in it). Default: merge by name"
        ),
    )
    async def import_(
        self, interaction: discord.Interaction[CommonRoomBot], file: discord.Attachment, replace: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        if file.size > MAX_IMPORT_BYTES:
            raise UserError(
                "That file is {size} KB; a directory file is at most {limit} KB.",
                size=file.size // 1024,
                limit=MAX_IMPORT_BYTES // 1024,
            )
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
        t = await self.bot.i18n.for_interaction(interaction)
        counts = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
        if replace:
            done = t(
                "Imported: {added} added, {updated} updated, {unchanged} unchanged, {removed} removed. "
                "Check it with `/support`.",
                removed=result.removed,
                **counts,
            )
        else:
            done = t(
                "Imported: {added} added, {updated} updated, {unchanged} unchanged. "
                "Check it with `/support`.",
                **counts,
            )
        await send_private(interaction, done)

    @signposts.command(
        name="button", description=N_("Post a “Need support?” button that opens /support privately")
    )
    @app_commands.describe(
        channel=N_("Where to post it (a welcome channel is a good place)"), text=N_("Text above it")
    )
    async def button(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        channel: discord.TextChannel,
        text: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        _bot_can_post(channel)
        voice = await self.bot.i18n.for_guild(channel.guild.id)
        try:
            await channel.send(embed=button_embed(text, voice), view=button_view(voice))
        except discord.Forbidden:
            raise UserError(
                "Discord didn't let me post in {channel}. Check my permissions there and try again.",
                channel=channel.mention,
            ) from None
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, t("Posted the support button in {channel}.", channel=channel.mention))

    @signposts.command(
        name="gaps", description=N_("Which needs students looked up with no local contact (counts by week)")
    )
    async def gaps(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        counts = await self.service.unmet.counts(interaction.guild_id)
        contacts = await self.service.contacts(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(interaction, embed=unmet_embed(counts, contacts, t))

    # -- schedules -------------------------------------------------------------------------------

    @signposts.command(
        name="schedule", description=N_("Post the directory (or one need) to a channel on a schedule")
    )
    @app_commands.describe(
        channel=N_("Where to post; the newest post is pinned and the previous one unpinned"),
        repeat=N_("For example: first Monday of each month"),
        dates=N_("Or given dates, for example: 6 Jan 2027, 28 Apr 2027"),
        time=N_("Time of day in the server's timezone (default 09:00)"),
        need=N_("Post only this need's contacts (default: the whole directory)"),
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
        self.jobs.arm(created)
        assert created.next_run_at is not None
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t(
                "Scheduled #{id}: {what} in {channel}. First post {when} ({relative}).",
                id=created.id,
                what=created.describe(t),
                channel=channel.mention,
                when=discord_time(created.next_run_at, "F"),
                relative=discord_time(created.next_run_at, "R"),
            ),
        )

    @schedule.autocomplete("repeat")
    async def repeat_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        examples = REPEAT_EXAMPLES
        shown = [e for e in examples if current.lower() in e] or ([current] if current else examples)
        return suggest(((e, e[:200]) for e in shown), "")

    @signposts.command(name="schedules", description=N_("List scheduled signpost posts"))
    async def schedules(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        found = await self.service.schedules(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        if not found:
            await send_private(interaction, t("No scheduled posts. Add one with `/signposts schedule`."))
            return
        await send_private(interaction, embed=schedules_embed(found, t))

    @signposts.command(name="unschedule", description=N_("Cancel a scheduled signpost post"))
    @app_commands.describe(schedule=N_("The scheduled post to cancel"))
    async def unschedule(self, interaction: discord.Interaction[CommonRoomBot], schedule: str) -> None:
        assert interaction.guild_id is not None
        cleaned = schedule.strip().lstrip("#")
        if not cleaned.isdigit():
            raise UserError("Pick a scheduled post from the list as you type.")
        cancelled = await self.service.cancel_schedule(interaction.guild_id, int(cleaned))
        self.jobs.cancel(cancelled.id)
        t = await self.bot.i18n.for_interaction(interaction)
        await send_private(
            interaction,
            t(
                "Cancelled #{id}. Posts already made stay where they are (unpin them if you like).",
                id=cancelled.id,
            ),
        )

    @unschedule.autocomplete("schedule")
    async def schedule_autocomplete(
        self, interaction: discord.Interaction[CommonRoomBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = await self.service.schedules(interaction.guild_id)
        t = await self.bot.i18n.for_interaction(interaction)
        return suggest(
            (
                (f"#{s.id} {s.describe(t)}", str(s.id))
                for s in found
                if s.next_run_at is not None and current.lstrip("#") in f"{s.id} {s.describe(t)}"
            ),
            "",
        )
