"""/setup's words and pages, as pure functions (the cog is cogs/setup/commands.py): what a server's
configuration looks like, what is missing and what each missing piece stops working, the guided
set-up's two pages, and the note posted when the bot joins."""

from __future__ import annotations

from typing import Literal

import discord

from bot.i18n import N_, SOURCE_TRANSLATOR, UNREVIEWED_NOTICE, Message, Translator
from bot.services.guilds import CHANNEL_PURPOSES, GuildConfig
from bot.services.language import BILINGUAL, SOURCE, WELSH, ServerLanguages

Purpose = Literal["announcements", "organisers", "welcome", "reports"]

JOIN_TOPIC = "setup.join"
PURPOSE_PATTERN = "|".join(CHANNEL_PURPOSES)
# The timezones offered in the guided set-up's menu; /setup timezone takes any other.
TIMEZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Athens",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Australia/Sydney",
    "America/New_York",
    "America/Toronto",
    "UTC",
)

# Each purpose's lines, one whole sentence each (the purpose names stay in English: they are
# what an admin chooses in `/setup channel`).
# Translators: {channel} is a channel, or "not set".
CHANNEL_LINE: dict[str, Message] = {
    "announcements": N_("**announcements**: {channel}, where event cards and pulse checks are posted"),
    "organisers": N_(
        "**organisers**: {channel}, private channel where organisers get health alerts and summaries"
    ),
    "welcome": N_("**welcome**: {channel}, where new students land; a good place for the support button"),
    "reports": N_(
        "**reports**: {channel}, private channel where anonymous reports arrive (falls back to organisers)"
    ),
}
# What each missing piece stops working (shown by /setup show and the guided set-up).
MISSING_ROLE = N_(
    "**Organiser role**: Only members with Manage Server count as organisers, so nobody else can run "
    "events, cases, mentoring or pulse checks."
)
MISSING_CHANNEL: dict[str, Message] = {
    "announcements": N_(
        "**announcements channel**: Event cards and pulse checks have no default channel: each one "
        "needs a channel chosen."
    ),
    "organisers": N_(
        "**organisers channel**: Health alerts (a channel the bot can't post in, DMs that failed) and "
        "summaries reach nobody, and reports have nowhere to fall back to."
    ),
    "welcome": N_(
        "**welcome channel**: New students have no set starting point for the support button and "
        "welcome notes."
    ),
    "reports": N_(
        "**reports channel**: New reports go to the organisers' channel instead (or, with neither set, "
        "only to /cases list)."
    ),
}
# The guided set-up's line for each channel ({channel} is "#name" or "not set").
WIZARD_CHANNEL: dict[str, Message] = {
    "announcements": N_("• announcements channel: {channel}"),
    "organisers": N_("• organisers channel: {channel}"),
    "welcome": N_("• welcome channel: {channel}"),
    "reports": N_("• reports channel: {channel}"),
}
CHANNEL_PLACEHOLDER: dict[str, Message] = {
    "announcements": N_("The announcements channel…"),
    "organisers": N_("The organisers channel…"),
    "welcome": N_("The welcome channel…"),
    "reports": N_("The reports channel…"),
}
# A channel chosen in the guided set-up ({channel} is "#name").
WIZARD_SAVED: dict[str, Message] = {
    "announcements": N_("Saved: {channel} is the announcements channel."),
    "organisers": N_("Saved: {channel} is the organisers channel."),
    "welcome": N_("Saved: {channel} is the welcome channel."),
    "reports": N_("Saved: {channel} is the reports channel."),
}
WIZARD_PUBLIC: dict[str, Message] = {
    "organisers": N_(
        "Warning: everyone on the server can see {channel}. The organisers channel should be private "
        "to organisers: remove View Channel from @everyone there."
    ),
    "reports": N_(
        "Warning: everyone on the server can see {channel}. The reports channel should be private to "
        "organisers: remove View Channel from @everyone there."
    ),
}
# A channel chosen with /setup channel ({channel} is the channel's mention).
COMMAND_SAVED: dict[str, Message] = {
    "announcements": N_("Done. {channel} is now the **announcements** channel."),
    "organisers": N_("Done. {channel} is now the **organisers** channel."),
    "welcome": N_("Done. {channel} is now the **welcome** channel."),
    "reports": N_("Done. {channel} is now the **reports** channel."),
}
COMMAND_PUBLIC: dict[str, Message] = {
    "organisers": N_(
        "⚠️ Everyone on the server can see {channel}. The organisers channel should be private to "
        "organisers: remove View Channel from @everyone there."
    ),
    "reports": N_(
        "⚠️ Everyone on the server can see {channel}. The reports channel should be private to "
        "organisers: remove View Channel from @everyone there."
    ),
}
NOT_SET = N_("not set")
# /setup language (issue #18): what the server's language now means, in the admin's language.
LANGUAGE_SET: dict[str, Message] = {
    SOURCE: N_(
        "Done. Common Room now posts in English on this server, and answers in English everyone who "
        "hasn't chosen a language with `/language`."
    ),
    WELSH: N_(
        "Done. Common Room now posts in Welsh on this server, and answers in Welsh everyone who "
        "hasn't chosen a language with `/language`."
    ),
    BILINGUAL: N_(
        "Done. Common Room now posts in Welsh and English on this server, Welsh first. Private replies "
        "are in the language each member chooses with `/language` (English until they choose)."
    ),
}
LANGUAGE_NOW: dict[str | None, Message] = {
    None: N_(
        "This server has no language chosen yet: posts are in English, and each member gets replies in "
        "the language they choose with `/language` (English until they choose)."
    ),
    SOURCE: N_(
        "This server's language is English: posts are in English, and so are replies to everyone who "
        "hasn't chosen a language with `/language`."
    ),
    WELSH: N_(
        "This server's language is Welsh: posts are in Welsh, and so are replies to everyone who "
        "hasn't chosen a language with `/language`."
    ),
    BILINGUAL: N_(
        "This server is bilingual: posts are in Welsh and English, Welsh first. Private replies are in "
        "the language each member chooses with `/language` (English until they choose)."
    ),
}
LANGUAGE_CHANGE = N_("To change it, use `/setup language`.")


def language_reply(t: Translator, languages: ServerLanguages, changed: bool) -> str:
    """What /setup language says: the server's language and what it means, and who keeps their own."""
    server = languages.server
    lines = [
        t(
            LANGUAGE_SET[server]
            if changed and server in LANGUAGE_SET
            else LANGUAGE_NOW.get(server, LANGUAGE_NOW[None])
        )
    ]
    own = len(languages.members)
    if own:
        lines.append(
            t.ngettext(
                "{n} member has chosen their own language with `/language` and keeps it.",
                "{n} members have chosen their own language with `/language` and keep it.",
                own,
            )
        )
    if not changed:
        lines.append(t(LANGUAGE_CHANGE))
    if not t.reviewed:
        lines.append(f"_{t(UNREVIEWED_NOTICE)}_")
    return "\n".join(lines)


JOIN_NOTE = N_(
    "Hello! I'm Common Room. Next step for a server admin: run `/setup start` to choose the "
    "organiser role, channels and timezone (it takes a minute, and only you see it)."
)


def _english(purpose: str, table: dict[str, Message], fallback: str) -> str:
    """The catalogue's sentence for ``purpose`` (a purpose added later without one: ``fallback``,
    English only, with its braces kept literal)."""
    found = table.get(purpose)
    if found is not None:
        return found
    return fallback.replace("{", "{{").replace("}", "}}").replace("{{channel}}", "{channel}")


def render_config(
    guild: discord.Guild, config: GuildConfig, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    embed = discord.Embed(title=t("Common Room settings for this server"), colour=discord.Colour.teal())
    role = guild.get_role(config.organiser_role_id) if config.organiser_role_id else None
    embed.add_field(
        name=t("Organiser role"),
        value=role.mention if role else t("Not set (members with Manage Server are organisers)"),
        inline=False,
    )
    embed.add_field(name=t("Timezone"), value=f"`{config.timezone}`", inline=False)
    lines = []
    for purpose, meaning in CHANNEL_PURPOSES.items():
        channel_id = config.channel(purpose)
        where = f"<#{channel_id}>" if channel_id else t(NOT_SET)
        line = _english(purpose, CHANNEL_LINE, f"**{purpose}**: {{channel}}, {meaning}")
        lines.append(t(line, channel=where))
    embed.add_field(name=t("Channels"), value="\n".join(lines), inline=False)
    missing = missing_pieces(config, t)
    embed.add_field(
        name=t("Still missing") if missing else t("Complete"),
        value="\n".join(f"• {line}" for line in missing) if missing else t("Everything is set up."),
        inline=False,
    )
    return embed


def missing_pieces(config: GuildConfig, t: Translator = SOURCE_TRANSLATOR) -> list[str]:
    """What is not set yet, each with what it stops working (empty when set up)."""
    found = [] if config.organiser_role_id else [t(MISSING_ROLE)]
    found += [
        t(_english(purpose, MISSING_CHANNEL, f"**{purpose} channel**: {meaning}"))
        for purpose, meaning in CHANNEL_PURPOSES.items()
        if config.channel(purpose) is None
    ]
    return found


def wizard_text(
    guild: discord.Guild, config: GuildConfig, page: int, note: str = "", t: Translator = SOURCE_TRANSLATOR
) -> str:
    """The guided set-up's message: where the admin is, what is set, what is left (``note`` is
    shown as given: translate it before)."""
    role = guild.get_role(config.organiser_role_id) if config.organiser_role_id else None
    lines = [
        t(
            "**Setting up Common Room** (step {page} of 2). Each choice is saved as you make it.",
            page=page,
        ),
        t("• Organiser role: {role}", role=role.name) if role else t("• Organiser role: not set"),
        t("• Timezone: {timezone}", timezone=config.timezone),
    ]
    for purpose in CHANNEL_PURPOSES:
        channel = guild.get_channel(config.channel(purpose) or 0)
        line = _english(purpose, WIZARD_CHANNEL, f"• {purpose} channel: {{channel}}")
        lines.append(t(line, channel=f"#{channel.name}" if channel else t(NOT_SET)))
    if page == 1:
        lines.append(
            "\n"
            + t(
                "Choose the role whose members are organisers, and the server's timezone (another "
                "timezone: `/setup timezone`). Then press **Next: channels**."
            )
        )
    else:
        lines.append(
            "\n"
            + t("Choose a channel for each purpose. The organisers and reports channels should be private.")
        )
    missing = missing_pieces(config, t)
    lines.append(
        "\n"
        + (
            t("Still missing: {n}. `/setup show` says what each one stops working.", n=len(missing))
            if missing
            else t("Everything is set up.")
        )
    )
    if note:
        lines.append(f"\n{note}")
    return "\n".join(lines)
