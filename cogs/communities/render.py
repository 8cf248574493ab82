"""Communities as people see them: embeds and texts built from :class:`Community`, nothing else."""

from __future__ import annotations

import discord

from bot.services.communities import Community
from bot.ui import EMBED_DESCRIPTION_LIMIT, SELECT_OPTIONS_LIMIT, clip, paginate

PANEL_ROWS = 5  # a message holds at most five select menus
LIST_PAGE_LIMIT = 3800  # characters per /community list page (an embed description holds 4096)
COUNT_FLOOR = 5  # identity communities show no member count below this

KIND_LINES = {
    "identity": (
        "Identity community: joining adds no role and doesn't show on your profile. Only members "
        "(and server admins) can see its channel, and Common Room keeps no list of who joined."
    ),
    "interest": "Interest community: joining gives you its role, which shows on your profile like any role.",
}


def community_line(community: Community) -> str:
    return f"**{discord.utils.escape_markdown(community.label)}**"


def panel_embed(communities: list[Community]) -> discord.Embed:
    embed = discord.Embed(
        title="Communities",
        description=(
            "Find people who share your experience or your interests. Choose a community below to "
            "read what it's about and join or leave it.\n\n"
            "🔒 Only you see what you choose: nothing is posted here and no one is told. Identity "
            "communities add no role to your profile, and Common Room keeps no list of who is in them."
        ),
        colour=discord.Colour.teal(),
    )
    shown = SELECT_OPTIONS_LIMIT * PANEL_ROWS
    if len(communities) > shown:
        embed.set_footer(
            text=f"Showing {shown} of {len(communities)} communities: /community list shows all."
        )
    return embed


def card_embed(community: Community, *, member: bool) -> discord.Embed:
    embed = discord.Embed(
        title=clip(community.label, 256),
        description=clip(community.description, EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.teal(),
    )
    embed.add_field(name="Privacy", value=KIND_LINES[community.kind], inline=False)
    embed.add_field(name="You", value="You're a member." if member else "You're not a member.", inline=False)
    return embed


def count_text(community: Community, count: int | None) -> str | None:
    """How many members to show: identity communities hide small numbers."""
    if count is None:
        return None
    if community.is_identity:
        return f"{count} members" if count >= COUNT_FLOOR else "Fewer than 5 members"
    return f"{count} members"


def list_entry(community: Community, count: str | None, problems: dict[str, str] | None) -> str:
    """One community in /community list; ``problems`` only for organisers."""
    description = discord.utils.escape_markdown(community.description)
    line = f"{community_line(community)} · {community.kind}\n{description}"
    if count:
        line += f"\n{count}"
    if problems is not None:
        line += "\nHealth: " + ("✅ all good" if not problems else "⚠️ " + " ".join(problems.values()))
    return line


def archived_entry(archived: list[Community]) -> str:
    return "**Archived** (hidden from students): " + ", ".join(c.name for c in archived)


def list_pages(lines: list[str]) -> list[discord.Embed]:
    """One embed per page; each is sent as its own private message (Discord caps the text of all
    embeds in one message at 6000 characters)."""
    pages = paginate([clip(line, LIST_PAGE_LIMIT) for line in lines], LIST_PAGE_LIMIT)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(
            title="Communities" if len(pages) == 1 else f"Communities ({number}/{len(pages)})",
            description=page,
            colour=discord.Colour.teal(),
        )
        if number == len(pages):
            embed.set_footer(
                text="Join with /community join. Joining is private: nothing is posted or announced."
            )
        embeds.append(embed)
    return embeds


def mine_text(entries: list[tuple[Community, str | None]]) -> str:
    """``/community mine``: each community with its channel's mention (None if it is gone)."""
    if not entries:
        return "You haven't joined any communities yet. `/community list` shows them; joining is private."
    lines = [f"{community_line(c)} · {c.kind} · {where or '(channel unavailable)'}" for c, where in entries]
    return (
        "Your communities (only you can see this):\n"
        + "\n".join(lines)
        + "\n\nLeave any with `/community leave`."
    )


def welcome_text(community: Community, channel_mention: str) -> str:
    text = (
        f"Welcome to {community_line(community)}! Its channel is {channel_mention}. "
        "Nothing was announced: only you can see this message."
    )
    if community.is_identity:
        text += " This doesn't show on your profile."
    if community.welcome_note:
        text += f"\n\n>>> {community.welcome_note}"
    return text


def created_text(
    community: Community, channel_mention: str, role_name: str | None, category: str, *, tip: bool
) -> str:
    privacy = (
        "Membership won't show on anyone's profile, and Common Room keeps no list of members."
        if community.is_identity
        else f"Members get the **{role_name or community.name}** role, which opens the channel."
    )
    text = (
        f"Created {community_line(community)} ({community.kind}) with the private channel "
        f"{channel_mention} "
        f"under **{category}**. Only members, the bot and server admins can see it. {privacy}\n"
        "Students can join with `/community join` or from a panel (`/community panel`)."
    )
    if tip:
        text += (
            "\nTip: choose an organisers channel (`/setup channel`) so I can tell you if this "
            "community's channel or role breaks."
        )
    return text


def archived_text(community: Community, where: str, readers: str, removed: int) -> str:
    detail = (
        f"{removed} member{'s' if removed != 1 else ''} lost access; Common Room kept no list of them."
        if community.is_identity
        else "Members keep the role (you can delete it in Server Settings), but it no longer opens "
        "the channel."
    )
    return (
        f"Archived {community_line(community)}: it's no longer listed and can't be joined. {where} is "
        f"kept, read-only, for history ({readers} can read it). {detail} "
        "`/community restore` reopens it."
    )


def restored_text(community: Community, notes: list[str], *, was_archived: bool) -> str:
    first = (
        f"Restored {community_line(community)}: it's listed again and open to join."
        if was_archived
        else f"Checked {community_line(community)}."
    )
    notes = list(notes)
    if was_archived and community.is_identity:
        notes.append("Previous members need to join again: Common Room keeps no list of who was in it.")
    if not notes:
        notes.append("Nothing needed fixing.")
    return first + "\n" + "\n".join(f"• {n}" for n in notes)
