"""/language: the language Common Room uses with you. Any member; private (issue #18).

Your own choice wins over the server's (``/setup language``); with neither, Discord's language
for your app where Common Room has a catalogue for it, otherwise English (:mod:`bot.i18n`). The
choice is personal data: it is in ``/privacy my-data`` and ``/privacy forget-me`` erases it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CommonRoomBot
from bot.i18n import N_, UNREVIEWED_NOTICE, Message, Translator, Why
from bot.services.language import SOURCE, WELSH
from bot.ui import send_private

#: The choice that removes a member's own language (the server's applies again).
SERVER_CHOICE = "server"

CHOSEN: dict[str, Message] = {
    WELSH: N_(
        "Done. Common Room will answer you in Welsh on this server. Change it any time with `/language`."
    ),
    SOURCE: N_(
        "Done. Common Room will answer you in English on this server. Change it any time with `/language`."
    ),
}
FOLLOWING_SERVER = N_("Done. Your own choice is removed: Common Room follows this server's language again.")
ANSWERS_IN: dict[str, Message] = {
    WELSH: N_("Common Room answers you in Welsh here."),
    SOURCE: N_("Common Room answers you in English here."),
}
ANSWERS_IN_THIS = N_("Common Room answers you in this language here.")
WHY: dict[Why, Message] = {
    "member": N_("You chose it with `/language`."),
    "server": N_("It is this server's language, chosen by its admins."),
    "discord": N_("It is the language of your Discord app."),
    "default": N_("English is the default until you choose a language."),
}
HOW_TO_CHANGE = N_("To change it, use `/language` and choose Cymraeg, English or this server's language.")


def language_reply(t: Translator, why: Why, changed: str | None) -> str:
    """What /language says: what changed (if anything), the language now, and why."""
    lines = []
    if changed == SERVER_CHOICE:
        lines.append(t(FOLLOWING_SERVER))
    elif changed is not None:
        lines.append(t(CHOSEN.get(t.locale, ANSWERS_IN_THIS)))
    if changed is None or changed == SERVER_CHOICE:
        lines.append(f"{t(ANSWERS_IN.get(t.locale, ANSWERS_IN_THIS))} {t(WHY[why])}")
    if changed is None:
        lines.append(t(HOW_TO_CHANGE))
    if not t.reviewed:
        lines.append(f"_{t(UNREVIEWED_NOTICE)}_")
    return "\n".join(lines)


class Language(commands.Cog):
    """Holds a member's own language choice, so /privacy reaches it (MemberData)."""

    personal_tables: ClassVar[frozenset[str]] = frozenset({"member_languages"})

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot

    @app_commands.command(name="language", description=N_("Choose the language Common Room uses with you"))
    @app_commands.describe(language=N_("Cymraeg, English, or this server's language"))
    @app_commands.choices(
        language=[
            # Each language's name in itself, so a reader finds their own.
            app_commands.Choice(name="Cymraeg", value=WELSH),
            app_commands.Choice(name="English", value=SOURCE),
            app_commands.Choice(name=N_("This server's language"), value=SERVER_CHOICE),
        ]
    )
    async def language(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        i18n = self.bot.i18n
        changed = None if language is None else language.value
        if changed is not None:
            own = None if changed == SERVER_CHOICE else changed
            await i18n.languages.set_member(interaction.guild_id, interaction.user.id, own)
        resolved = await i18n.resolve(interaction.guild_id, interaction.user.id, str(interaction.locale))
        t = i18n.translator(resolved.locale)
        await send_private(interaction, language_reply(t, resolved.why, changed))

    # -- privacy (MemberData) -----------------------------------------------------------------

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        return await self.bot.i18n.languages.export_member(guild_id, member_id)

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        return {N_("your language choice"): await self.bot.i18n.languages.forget_member(guild.id, member_id)}


async def setup(bot: CommonRoomBot) -> None:
    await bot.add_cog(Language(bot))
