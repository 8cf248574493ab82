"""Communities as people see them: embeds and texts built from :class:`Community`, nothing else.

Every function takes the reader's :class:`~bot.i18n.Translator` (English when not given); the
panel, a post in a channel, takes the server's :class:`~bot.i18n.Voice`.
"""

from __future__ import annotations

import discord

from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator, Voice
from bot.services.communities import Community
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, SELECT_OPTIONS_LIMIT, clip, paginate

PANEL_ROWS = 5  # a message holds at most five select menus
LIST_PAGE_LIMIT = 3800  # characters per /community list page (an embed description holds 4096)
COUNT_FLOOR = 5  # identity communities show no member count below this
EMBED_FOOTER_LIMIT = 2048
ENGLISH = Voice((SOURCE_TRANSLATOR,))

KIND_LINES: dict[str, Message] = {
    "identity": N_(
        "Identity community: joining adds no role and doesn't show on your profile. Only members "
        "(and server admins) can see its channel, and Common Room keeps no list of who joined."
    ),
    "interest": N_(
        "Interest community: joining gives you its role, which shows on your profile like any role."
    ),
}
#: The kind of a community as a word ("identity", "interest"), in lists and menus.
KIND_NAMES: dict[str, Message] = {
    # Translators: the kind of community (lower case, after the community's name in a list).
    "identity": N_("identity"),
    # Translators: the kind of community (lower case, after the community's name in a list).
    "interest": N_("interest"),
}
KIND_TITLES: dict[str, Message] = {
    # Translators: the kind of community, at the start of a menu entry.
    "identity": N_("Identity"),
    # Translators: the kind of community, at the start of a menu entry.
    "interest": N_("Interest"),
}
PANEL_TITLE = N_("Communities")
PANEL_TEXT = N_(
    "Find people who share your experience or your interests. Choose a community below to "
    "read what it's about and join or leave it.\n\n"
    "🔒 Only you see what you choose: nothing is posted here and no one is told. Identity "
    "communities add no role to your profile, and Common Room keeps no list of who is in them."
)


def kind_name(community: Community, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(KIND_NAMES[community.kind])


def kind_title(community: Community, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(KIND_TITLES[community.kind])


def community_line(community: Community) -> str:
    return f"**{discord.utils.escape_markdown(community.label)}**"


def panel_embed(communities: list[Community], voice: Voice = ENGLISH) -> discord.Embed:
    embed = discord.Embed(
        title=voice.label(PANEL_TITLE, EMBED_TITLE_LIMIT),
        description=voice.text(lambda t: t(PANEL_TEXT), EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    shown = SELECT_OPTIONS_LIMIT * PANEL_ROWS
    if len(communities) > shown:
        embed.set_footer(
            text=voice.text(
                lambda t: t(
                    "Showing {shown} of {total} communities: /community list shows all.",
                    shown=shown,
                    total=len(communities),
                ),
                EMBED_FOOTER_LIMIT,
            )
        )
    return embed


def card_embed(community: Community, *, member: bool, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = discord.Embed(
        title=clip(community.label, 256),
        description=clip(community.description, EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    embed.add_field(name=t("Privacy"), value=t(KIND_LINES[community.kind]), inline=False)
    embed.add_field(
        # Translators: a field heading on a community's card, above "You're a member."
        name=t("You"),
        value=t("You're a member.") if member else t("You're not a member."),
        inline=False,
    )
    return embed


def count_text(community: Community, count: int | None, t: Translator = SOURCE_TRANSLATOR) -> str | None:
    """How many members to show: identity communities hide small numbers."""
    if count is None:
        return None
    if community.is_identity and count < COUNT_FLOOR:
        return t("Fewer than {floor} members", floor=COUNT_FLOOR)
    return t.ngettext("{n} member", "{n} members", count)


def list_entry(
    community: Community,
    count: str | None,
    problems: dict[str, str] | None,
    t: Translator = SOURCE_TRANSLATOR,
) -> str:
    """One community in /community list; ``problems`` only for organisers."""
    description = discord.utils.escape_markdown(community.description)
    line = f"{community_line(community)} · {kind_name(community, t)}\n{description}"
    if count:
        line += f"\n{count}"
    if problems is not None:
        line += "\n" + (
            t("Health: ✅ all good")
            if not problems
            else t("Health: ⚠️ {problems}", problems=" ".join(problems.values()))
        )
    return line


def archived_entry(archived: list[Community], t: Translator = SOURCE_TRANSLATOR) -> str:
    return t("**Archived** (hidden from students): {names}", names=", ".join(c.name for c in archived))


def list_pages(lines: list[str], t: Translator = SOURCE_TRANSLATOR) -> list[discord.Embed]:
    """One embed per page; each is sent as its own private message (Discord caps the text of all
    embeds in one message at 6000 characters)."""
    pages = paginate([clip(line, LIST_PAGE_LIMIT) for line in lines], LIST_PAGE_LIMIT)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(
            title=t(PANEL_TITLE)
            if len(pages) == 1
            else t("Communities ({number}/{pages})", number=number, pages=len(pages)),
            description=page,
            colour=discord.Colour.teal(),
        )
        if number == len(pages):
            embed.set_footer(
                text=t("Join with /community join. Joining is private: nothing is posted or announced.")
            )
        embeds.append(embed)
    return embeds


def mine_text(entries: list[tuple[Community, str | None]], t: Translator = SOURCE_TRANSLATOR) -> str:
    """``/community mine``: each community with its channel's mention (None if it is gone)."""
    if not entries:
        return t("You haven't joined any communities yet. `/community list` shows them; joining is private.")
    lines = [
        f"{community_line(c)} · {kind_name(c, t)} · {where or t('(channel unavailable)')}"
        for c, where in entries
    ]
    return t(
        "Your communities (only you can see this):\n{lines}\n\nLeave any with `/community leave`.",
        lines="\n".join(lines),
    )


def welcome_text(community: Community, channel_mention: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    values = {"community": community_line(community), "channel": channel_mention}
    if community.is_identity:
        text = t(
            "Welcome to {community}! Its channel is {channel}. Nothing was announced: only you can see "
            "this message. This doesn't show on your profile.",
            **values,
        )
    else:
        text = t(
            "Welcome to {community}! Its channel is {channel}. Nothing was announced: only you can see "
            "this message.",
            **values,
        )
    if community.welcome_note:
        text += f"\n\n>>> {community.welcome_note}"
    return text


def created_text(
    community: Community,
    channel_mention: str,
    role_name: str | None,
    category: str,
    *,
    tip: bool,
    t: Translator = SOURCE_TRANSLATOR,
) -> str:
    values = {"community": community_line(community), "channel": channel_mention, "category": category}
    if community.is_identity:
        text = t(
            "Created {community} (identity) with the private channel {channel} under **{category}**. "
            "Only members, the bot and server admins can see it. Membership won't show on anyone's "
            "profile, and Common Room keeps no list of members.",
            **values,
        )
    else:
        text = t(
            "Created {community} (interest) with the private channel {channel} under **{category}**. "
            "Only members, the bot and server admins can see it. Members get the **{role}** role, which "
            "opens the channel.",
            role=role_name or community.name,
            **values,
        )
    text += "\n" + t("Students can join with `/community join` or from a panel (`/community panel`).")
    if tip:
        text += "\n" + t(
            "Tip: choose an organisers channel (`/setup channel`) so I can tell you if this "
            "community's channel or role breaks."
        )
    return text


def archived_text(
    community: Community, where: str | None, readers: str, removed: int, t: Translator = SOURCE_TRANSLATOR
) -> str:
    """``where`` is the channel's mention, or None when the channel was already deleted;
    ``readers`` says who can still read it (translated)."""
    detail = (
        t.ngettext(
            "{n} member lost access; Common Room kept no list of them.",
            "{n} members lost access; Common Room kept no list of them.",
            removed,
        )
        if community.is_identity
        else t(
            "Members keep the role (you can delete it in Server Settings), but it no longer opens "
            "the channel."
        )
    )
    values = {"community": community_line(community), "readers": readers, "detail": detail}
    if where is None:
        return t(
            "Archived {community}: it's no longer listed and can't be joined. Its channel (already "
            "deleted) is kept, read-only, for history ({readers} can read it). {detail} "
            "`/community restore` reopens it.",
            **values,
        )
    return t(
        "Archived {community}: it's no longer listed and can't be joined. {where} is kept, read-only, "
        "for history ({readers} can read it). {detail} `/community restore` reopens it.",
        where=where,
        **values,
    )


def archive_readers(has_organiser_role: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    """Who can still read an archived community's channel (in brackets, mid-sentence)."""
    if has_organiser_role:
        # Translators: "(organisers and server admins can read it)"
        return t("organisers and server admins")
    # Translators: "(server admins can read it)"
    return t("server admins")


def restored_text(
    community: Community, notes: list[str], *, was_archived: bool, t: Translator = SOURCE_TRANSLATOR
) -> str:
    first = (
        t("Restored {community}: it's listed again and open to join.", community=community_line(community))
        if was_archived
        else t("Checked {community}.", community=community_line(community))
    )
    notes = list(notes)
    if was_archived and community.is_identity:
        notes.append(t("Previous members need to join again: Common Room keeps no list of who was in it."))
    if not notes:
        notes.append(t("Nothing needed fixing."))
    return first + "\n" + "\n".join(f"• {n}" for n in notes)
