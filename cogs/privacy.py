"""/privacy: what the bot holds about you, a copy of it, and erasing it. All private.

Every feature reaches this only through :class:`bot.member_data.MemberData`, which its cog
implements.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections import defaultdict
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import to_timestamp
from bot.core import CommonRoomBot
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.member_data import MemberData
from bot.privacy import PERSONAL, Kind
from bot.ui import BaseView, clip, send_private
from bot.ui.replies import reader

log = logging.getLogger(__name__)

#: How long /privacy my-data works before it defers (Discord allows three seconds to answer).
EXPORT_WAIT = 1.5

ICO = "the Information Commissioner's Office (ico.org.uk/make-a-complaint, 0303 123 1113)"
ICO_WEBSITE = "ico.org.uk/make-a-complaint"
ICO_PHONE = "0303 123 1113"  # a number: a placeholder value, never in the catalogue

#: How each kind of personal data is named to a member.
KIND_SHOWN: dict[Kind, Message] = {
    Kind.MEMBER_ID: N_("member id"),
    Kind.PERSONAL_TEXT: N_("text a person wrote"),
    Kind.SENSITIVE: N_("special category data a person declared"),
    Kind.PSEUDONYMOUS: N_("keyed hash (unlinkable without the bot's secret key)"),
    Kind.LINKED: N_("a detail about you, stored with your id"),
}


def notice_markdown(controller_name: str, controller_contact: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """The full privacy notice, generated from the data inventory, in ``t``'s language."""
    controller = controller_name or t("the organisation running this server (ask an organiser)")
    contact = controller_contact or t("ask an organiser or a server admin")
    lines = [
        t("# Common Room privacy notice"),
        "",
        t(
            "**Who is responsible for your data:** {controller}. **Contact:** {contact}.",
            controller=controller,
            contact=contact,
        ),
        "",
        t(
            "**Lawful basis:** your consent. You choose to use each feature, and you can withdraw "
            "consent at any time by leaving (for example `/community leave`, `/mentor leave`) or "
            "with `/privacy forget-me`, which erases everything tied to you."
        ),
        "",
        t("## What is stored about you, why, and for how long"),
    ]
    by_feature: dict[str, list[Any]] = defaultdict(list)
    for item in PERSONAL:
        by_feature[item.feature].append(item)
    if not by_feature:
        lines.append(t("Nothing beyond what Discord itself holds."))
    for feature, items in sorted(by_feature.items()):
        lines += ["", f"### {t(feature)}"]
        for item in items:
            lines.append(
                t(
                    "- **{what}** ({kind}). Why: {purpose}. Kept: {retention}.",
                    what=t(item.what),
                    kind=t(KIND_SHOWN.get(item.kind, item.kind.value)),
                    purpose=t(item.purpose),
                    retention=t(item.retention),
                )
            )
    lines += [
        "",
        t("## What is never stored"),
        t("- Who is in an identity community: Discord holds that access, the bot keeps no list."),
        t(
            "- Who answered what in a pulse check: answers are counters only, written in batches of "
            "five or more, and results are shown only when enough people answered. (Discord itself "
            "receives your button press and form on their way to the bot.)"
        ),
        t(
            "- Who made a report: reports carry no id, name or exact time; a reply code is stored "
            "only as a hash."
        ),
        "",
        t("## Anonymous data that cannot be erased (and need not be)"),
        t(
            "Pulse check counters and reports hold nothing that links them to you, so there is "
            "nothing of yours to find in them. Reports are deleted on the server's retention schedule."
        ),
        "",
        t("## Who can see what"),
        t("- Only you see your replies from the bot, your RSVPs' details and your mentoring matches."),
        t(
            "- Organisers see counts and aggregates, the attendee list of events they run, and "
            "reports without any reporter identity."
        ),
        t("- Server administrators can see every channel, including identity-community channels."),
        "",
        t("## Your rights"),
        t("- Access: `/privacy my-data` sends you a file with everything stored about you."),
        t("- Erasure and withdrawal of consent: `/privacy forget-me`."),
        t(
            "- Complaint: you can complain to the Information Commissioner's Office ({website}, {phone}).",
            website=ICO_WEBSITE,
            phone=ICO_PHONE,
        ),
    ]
    return "\n".join(lines)


class ForgetMeView(BaseView):
    def __init__(self, cog: Privacy, member_id: int, t: Translator = SOURCE_TRANSLATOR) -> None:
        super().__init__(timeout=300)
        self.cog = cog
        self.member_id = member_id
        self.confirm.label = t("Erase everything about me")
        self.cancel.label = t("Cancel")

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.member_id

    @discord.ui.button(label="Erase everything about me", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[CommonRoomBot], button: discord.ui.Button[Any]
    ) -> None:
        t = await reader(interaction)
        await interaction.response.edit_message(content=t("Erasing…"), view=None)
        assert interaction.guild is not None
        removed = await self.cog.forget(interaction.guild, self.member_id)
        total = sum(removed.values())
        if total:
            detail = "\n".join(
                f"• {_erased_name(t, name)}: {count}" for name, count in sorted(removed.items()) if count
            )
            text = t("Done. I erased everything tied to you:\n{detail}", detail=detail)
        else:
            text = t("Done. There was nothing stored about you, so nothing needed erasing.")
        await interaction.followup.send(clip(text, 2000), ephemeral=True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[CommonRoomBot], button: discord.ui.Button[Any]
    ) -> None:
        t = await reader(interaction)
        await interaction.response.edit_message(content=t("Cancelled. Nothing was erased."), view=None)


def _erased_name(t: Translator, name: str) -> str:
    """ "Feature: what" from :meth:`Privacy.forget`, each part in ``t``'s language where the
    catalogue has it (a feature that marks its names with ``N_`` is translated here)."""
    feature, _, what = name.partition(": ")
    return f"{t(feature)}: {t(what)}" if what else t(feature)


OWED_TO_YOU = N_("Messages owed to you")
MESSAGES_OWED = N_("messages owed or sent")


class OwedMessages:
    """The outbox (core, not a feature): direct messages not yet delivered, and their traces."""

    personal_tables: ClassVar[frozenset[str]] = frozenset({"outbox"})

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        return {"messages": await self.bot.outbox.service.export_member(member_id)}

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        return {MESSAGES_OWED: await self.bot.outbox.service.forget_member(member_id)}


#: One JSON value on one line, by the json module's C encoder (dates and the like as text).
_one_line = json.JSONEncoder(ensure_ascii=False, default=str, separators=(", ", ": ")).encode


def readable_json(value: Any, indent: str = "") -> str:
    """JSON a person can read: objects and lists that hold others one entry per line, indented;
    each record (an object or list holding none) on one line. The standard pretty printer
    (``json.dumps(indent=...)``) runs in pure Python and took most of an export's time; this
    encodes record by record in C."""
    inner = indent + "  "
    if isinstance(value, dict) and any(isinstance(v, dict | list | tuple) for v in value.values()):
        entries = [f"{inner}{_one_line(str(key))}: {readable_json(v, inner)}" for key, v in value.items()]
        return "{\n" + ",\n".join(entries) + "\n" + indent + "}"
    if isinstance(value, list | tuple) and any(isinstance(v, dict | list | tuple) for v in value):
        return "[\n" + ",\n".join(inner + readable_json(v, inner) for v in value) + "\n" + indent + "]"
    return _one_line(value)


class Privacy(
    commands.GroupCog, group_name="privacy", group_description=N_("See, download or erase your data")
):
    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self._providers: tuple[tuple[tuple[str, commands.Cog], ...], list[tuple[str, MemberData]]] | None = (
            None
        )

    def providers(self) -> list[tuple[str, MemberData]]:
        """Every loaded feature that holds something about members, by cog name, and the outbox.

        Worked out again only when the set of loaded cogs changes (checking a runtime Protocol
        costs about half a millisecond a cog)."""
        loaded = tuple(sorted(self.bot.cogs.items()))
        if self._providers is None or self._providers[0] != loaded:
            found: list[tuple[str, MemberData]] = [
                (name, cog) for name, cog in loaded if isinstance(cog, MemberData)
            ]
            self._providers = (loaded, [*found, (OWED_TO_YOU, OwedMessages(self.bot))])
        return self._providers[1]

    async def export(
        self, guild_id: int, member_id: int, t: Translator = SOURCE_TRANSLATOR
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "about": t("Everything Common Room stores about you, from every feature."),
            "member_id": str(member_id),
            "server_id": str(guild_id),
            "generated_at": self.bot.clock.now().isoformat(timespec="seconds"),
            "features": {},
        }
        # Every feature at once: their reads interleave on the read-only connection and the
        # Discord look-up (community memberships live on Discord) overlaps them.
        providers = self.providers()
        exported = await asyncio.gather(*(f.export_member_data(guild_id, member_id) for _, f in providers))
        for (name, _), part in zip(providers, exported, strict=True):
            data["features"][name] = part
        return data

    async def forget(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        removed: dict[str, int] = {}
        for name, feature in self.providers():
            labels = getattr(feature, "erased_labels", {})  # bot.member_data: optional
            for what, count in (await feature.forget_member_data(guild, member_id)).items():
                key = f"{name}: {labels.get(what, what)}"
                removed[key] = removed.get(key, 0) + int(count)
        log.info("Erased a member's data on request (%d items)", sum(removed.values()))
        return removed

    @app_commands.command(
        name="notice", description=N_("What Common Room stores, why, for how long, and your rights")
    )
    async def notice(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        t = await self.bot.i18n.for_interaction(interaction)
        settings = self.bot.settings.privacy
        text = notice_markdown(settings.controller_name, settings.controller_contact, t)
        kinds = sorted({t(KIND_SHOWN.get(item.kind, item.kind.value)) for item in PERSONAL}) or [t("none")]
        lines = [
            t("The full notice is attached. In short:"),
            t(
                "• Everything personal is private to you, and you can erase it any time with "
                "`/privacy forget-me`."
            ),
            t(
                "• The bot never records who is in an identity community, who answered what in a "
                "pulse check, or who made a report."
            ),
            t("• Kinds of personal data held: {kinds}.", kinds=", ".join(kinds)),
            t("• Responsible: {controller}.", controller=settings.controller_name)
            if settings.controller_name
            else t("• Responsible: ask an organiser."),
        ]
        embed = discord.Embed(
            title=t("Your privacy in Common Room"),
            description=clip("\n".join(lines), 4096),
            colour=discord.Colour.teal(),
        )
        file = discord.File(io.BytesIO(text.encode()), filename="privacy-notice.md")
        await interaction.response.send_message(embed=embed, file=file, ephemeral=True)

    @app_commands.command(
        name="my-data", description=N_("Get a file with everything Common Room stores about you")
    )
    async def my_data(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        t = await self.bot.i18n.for_interaction(interaction)
        export = asyncio.ensure_future(self.export(interaction.guild_id, interaction.user.id, t))
        # Answer at once when the export is quick (the usual case); defer only if it is slow.
        done, _ = await asyncio.wait({export}, timeout=EXPORT_WAIT)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=True)
        data = await export
        payload = readable_json(data).encode()
        stamp = to_timestamp(self.bot.clock.now())
        file = discord.File(io.BytesIO(payload), filename=f"common-room-my-data-{stamp}.json")
        await send_private(interaction, t("Here is everything Common Room stores about you."), file=file)

    @app_commands.command(name="forget-me", description=N_("Erase everything Common Room stores about you"))
    async def forget_me(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        t = await self.bot.i18n.for_interaction(interaction)
        await interaction.response.send_message(
            t(
                "This erases everything Common Room stores about you on every feature: RSVPs, reminder "
                "settings, mentoring, and community access the bot gave you. It cannot be undone. "
                "Anonymous pulse counters and reports hold nothing linked to you, so they stay."
            ),
            view=ForgetMeView(self, interaction.user.id, t),
            ephemeral=True,
        )


async def setup(bot: CommonRoomBot) -> None:
    await bot.add_cog(Privacy(bot))
