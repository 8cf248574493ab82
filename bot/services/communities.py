"""Opt-in communities: the definitions organisers create, and the rules for them.

A community is an identity or interest space with its own private Discord channel. This module
stores what a community *is* (name, kind, description, where its channel and role are); it never
stores who is *in* one. Membership lives in Discord only:

* interest communities: a Discord role that opens the channel (visible on profiles, like any
  role: fine for sport, music, cooking...);
* identity communities: no role. Each member gets a permission overwrite on the private channel,
  which does not show on their server profile. The bot reads Discord's state to answer "which
  communities am I in?".

Privacy inventory (for the privacy feature, issue 9)
----------------------------------------------------
No table here holds a member id or personal free text:

* ``communities``: guild id, the organiser-written name, description, emoji and welcome note,
  the channel and role ids, timestamps. Kept until an organiser archives (kept, unlisted) the
  community; no member data.
* ``community_panels``: where the join panels were posted (guild, channel, message ids). Kept
  until the panel message is deleted.
* ``community_health_reports``: which health problems (stable codes such as
  ``channel_missing``) were already reported to organisers, per community. Removed when the
  problem is fixed.

So :meth:`CommunityService.export_member` and :meth:`CommunityService.forget_member` have
nothing to return or erase from the database. Access the bot granted on Discord (a member
overwrite on an identity channel, an interest role) is removed by the cog's
``Communities.forget_member(guild, member_id)``.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.i18n import N_
from bot.services.rows import from_row, optional_time
from bot.services.server_cache import ServerCache
from bot.text import clean_text

Kind = Literal["identity", "interest"]

NAME_MIN = 2
NAME_MAX = 50
DESCRIPTION_MAX = 300
WELCOME_MAX = 1000
EMOJI_MAX = 64
NAME_PUNCTUATION = " -&+'.,()!?/"
# Problems learnt from a refusal by Discord (not visible to a health check).
EVENT_PROBLEMS = frozenset({"discord_forbidden", "discord_full"})
# Discord's custom emoji markup: <:name:id> or <a:name:id>.
CUSTOM_EMOJI = re.compile(r"<a?:[A-Za-z0-9_]{2,32}:[0-9]{15,25}>")


@dataclass(frozen=True, slots=True)
class Community:
    id: int
    guild_id: int
    name: str
    slug: str
    kind: Kind
    description: str
    emoji: str | None
    welcome_note: str | None
    channel_id: int | None
    role_id: int | None
    archived_at: datetime | None
    created_at: datetime

    @property
    def is_identity(self) -> bool:
        return self.kind == "identity"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def label(self) -> str:
        """The name with its emoji, for lists and menus (custom emoji left out: they need markup)."""
        if self.emoji and not self.emoji.startswith("<"):
            return f"{self.emoji} {self.name}"
        return self.name


@dataclass(frozen=True, slots=True)
class Panel:
    message_id: int
    guild_id: int
    channel_id: int


# -- validation ---------------------------------------------------------------------------


def clean_spaces(text: str) -> str:
    return " ".join(text.split())


def channel_slug(name: str) -> str:
    """The text-channel form of a name, as Discord shows it: ``Black Medics UK`` -> ``black-medics-uk``."""
    text = unicodedata.normalize("NFKC", name).lower()
    out: list[str] = []
    for char in text:
        if char.isalnum() or char == "_":
            out.append(char)
        elif char.isspace() or char in "-/.&+":
            out.append("-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


def validate_name(name: str) -> str:
    name = clean_spaces(
        unicodedata.normalize("NFKC", clean_text(name, field=N_("The name"), multiline=False))
    )
    if len(name) < NAME_MIN or len(name) > NAME_MAX:
        raise UserError(
            "A community name needs {min} to {max} characters (that one has {n}). "
            "Try a short name people will recognise, for example `Black Medics` or `Running Club`.",
            min=NAME_MIN,
            max=NAME_MAX,
            n=len(name),
        )
    bad = sorted({c for c in name if not (c.isalnum() or c in NAME_PUNCTUATION)})
    if bad:
        shown = " ".join(f"`{c}`" for c in bad[:5] if c != "`")
        if "`" in bad[:5]:
            raise UserError(
                "Discord won't accept a backtick in a channel name. Use letters, numbers, spaces and "
                "simple punctuation ({punctuation}); put an emoji in the `emoji` option instead.",
                punctuation=NAME_PUNCTUATION.strip(),
            )
        raise UserError(
            "Discord won't accept {characters} in a channel name. Use letters, numbers, spaces and "
            "simple punctuation ({punctuation}); put an emoji in the `emoji` option instead.",
            characters=shown,
            punctuation=NAME_PUNCTUATION.strip(),
        )
    if len(channel_slug(name)) < NAME_MIN:
        raise UserError("A community name needs at least two letters or numbers. Please try another name.")
    return name


def validate_kind(kind: str) -> Kind:
    value = clean_text(kind, field=N_("The kind"), multiline=False).lower()
    if value == "identity":
        return "identity"
    if value == "interest":
        return "interest"
    raise UserError(
        "A community is either `identity` (membership stays private) or `interest` (uses a role)."
    )


def validate_description(description: str) -> str:
    description = clean_text(description, field=N_("The description"))
    if not description:
        raise UserError("Please add a short description so students know what the community is for.")
    if len(description) > DESCRIPTION_MAX:
        raise UserError(
            "The description is {n} characters; please keep it to {limit} "
            "(a sentence or two). Put longer words in the welcome note.",
            n=len(description),
            limit=DESCRIPTION_MAX,
        )
    return description


def validate_welcome(note: str | None) -> str | None:
    note = clean_text(note or "", field=N_("The welcome note"))
    if not note:
        return None
    if len(note) > WELCOME_MAX:
        raise UserError(
            "The welcome note is {n} characters; please keep it to {limit}.", n=len(note), limit=WELCOME_MAX
        )
    return note


def validate_emoji(emoji: str | None) -> str | None:
    emoji = clean_text(emoji or "", field=N_("The emoji"), multiline=False)
    if not emoji:
        return None
    if CUSTOM_EMOJI.fullmatch(emoji):
        return emoji
    is_unicode_emoji = (
        len(emoji) <= 10
        and not any(c.isspace() or (c.isascii() and c.isalnum()) for c in emoji)
        and any(unicodedata.category(c) == "So" for c in emoji)
    )
    if not is_unicode_emoji:
        raise UserError("The emoji should be a single emoji, like 🌈 or 🏃, or a server emoji.")
    return emoji


# -- the service --------------------------------------------------------------------------

_COLUMNS = (
    "id, guild_id, name, slug, kind, description, emoji, welcome_note, channel_id, role_id,"
    " archived_at, created_at"
)


def _row(row: sqlite3.Row) -> Community:
    return from_row(
        Community,
        row,
        archived_at=optional_time(row["archived_at"]),
        created_at=from_timestamp(row["created_at"]),
    )


class _ListedCommunities(ServerCache[list["Community"]]):
    """Each server's communities that have a channel (live and archived), by name: what
    /community list, the panels, the autocompletes and a member's data export read on every use.
    Every write to a community that has a channel invalidates its server's entry (rows without
    one, half-made, are never listed)."""


class CommunityService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._listed = _ListedCommunities.shared(db)

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    # -- creating ----------------------------------------------------------------------

    async def reserve(
        self,
        guild_id: int,
        *,
        name: str,
        kind: str,
        description: str,
        emoji: str | None = None,
        welcome_note: str | None = None,
    ) -> Community:
        """Claim the name for a new community (its Discord channel is made next).

        The row exists without a channel until :meth:`attach`; it is not listed and cannot be
        joined. If making the channel fails, :meth:`discard` removes it.
        """
        clean = validate_name(name)
        values = (
            guild_id,
            clean,
            channel_slug(clean),
            validate_kind(kind),
            validate_description(description),
            validate_emoji(emoji),
            validate_welcome(welcome_note),
        )
        now = self._now()
        async with self.db.transaction() as tx:
            await self._refuse_duplicate(tx, guild_id, clean, exclude=None)
            result = await tx.execute(
                "INSERT INTO communities (guild_id, name, slug, kind, description, emoji, welcome_note,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, now, now),
            )
            row = await tx.fetchone(f"SELECT {_COLUMNS} FROM communities WHERE id = ?", (result.lastrowid,))
        assert row is not None  # no channel yet: not live, so no cached list changes
        return _row(row)

    async def attach(self, community_id: int, *, channel_id: int, role_id: int | None) -> Community:
        """Record the Discord channel (and role) made for a community: it is now live."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE communities SET channel_id = ?, role_id = ?, updated_at = ? WHERE id = ?",
                (channel_id, role_id, self._now(), community_id),
            )
            row = await tx.fetchone(f"SELECT {_COLUMNS} FROM communities WHERE id = ?", (community_id,))
        if row is None:
            raise NotFound("That community no longer exists.")
        self._listed.invalidate(row["guild_id"])  # it is live now
        return _row(row)

    async def discard(self, community_id: int) -> None:
        """Forget a community whose creation did not complete."""
        await self.db.execute("DELETE FROM communities WHERE id = ? AND channel_id IS NULL", (community_id,))

    async def discard_unfinished(self) -> list[Community]:
        """Remove communities left half-created by a crash (no channel recorded); returns them."""
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(f"SELECT {_COLUMNS} FROM communities WHERE channel_id IS NULL")
            await tx.execute("DELETE FROM communities WHERE channel_id IS NULL")
        return [_row(r) for r in rows]

    async def _refuse_duplicate(self, tx: Any, guild_id: int, name: str, *, exclude: int | None) -> None:
        row = await tx.fetchone(
            "SELECT name, archived_at FROM communities WHERE guild_id = ? AND slug = ? AND id IS NOT ?",
            (guild_id, channel_slug(name), exclude),
        )
        if row is None:
            return
        same = row["name"].casefold() == name.casefold()
        if row["archived_at"] is not None:
            if same:
                raise UserError(
                    "A community called **{name}** already exists (archived: `/community restore` brings "
                    "it back). Please choose a different name.",
                    name=name,
                )
            raise UserError(
                "A community called **{name}** is too close to the existing community **{existing}** "
                "(archived: `/community restore` brings it back). Please choose a different name.",
                name=name,
                existing=row["name"],
            )
        if same:
            raise UserError(
                "A community called **{name}** already exists. Please choose a different name.", name=name
            )
        raise UserError(
            "A community called **{name}** is too close to the existing community **{existing}**. "
            "Please choose a different name.",
            name=name,
            existing=row["name"],
        )

    # -- reading -----------------------------------------------------------------------

    async def get(self, guild_id: int, community_id: int) -> Community:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM communities WHERE id = ? AND guild_id = ? AND channel_id IS NOT NULL",
            (community_id, guild_id),
        )
        if row is None:
            raise NotFound("That community doesn't exist any more. `/community list` shows the current ones.")
        return _row(row)

    async def by_channel(self, channel_id: int) -> Community | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM communities WHERE channel_id = ?", (channel_id,)
        )
        return _row(row) if row is not None else None

    async def list_communities(self, guild_id: int, *, archived: bool | None = False) -> list[Community]:
        """A server's communities, by name: live ones, archived ones (``archived=True``) or both
        (``None``)."""
        every = self._listed.entries.get(guild_id)
        if every is None:
            generation = self._listed.generation(guild_id)
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM communities WHERE guild_id = ? AND channel_id IS NOT NULL"
                " ORDER BY name COLLATE NOCASE",
                (guild_id,),
            )
            every = [_row(r) for r in rows]
            self._listed.keep(guild_id, every, generation)
        if archived is None:
            return list(every)
        return [c for c in every if c.is_archived == archived]

    async def find(self, guild_id: int, name: str, *, archived: bool | None = False) -> Community:
        """The community a person named (case and spacing don't matter)."""
        wanted = clean_spaces(name)
        candidates = await self.list_communities(guild_id, archived=None)
        slug = channel_slug(wanted)
        for community in candidates:
            if community.name.casefold() == wanted.casefold() or (slug and community.slug == slug):
                if archived is False and community.is_archived:
                    raise NotFound(
                        "**{name}** has been archived, so it can't be joined. "
                        "`/community list` shows the communities that are open.",
                        name=community.name,
                    )
                if archived is True and not community.is_archived:
                    raise NotFound("**{name}** is not archived.", name=community.name)
                return community
        if not wanted[:60]:
            raise NotFound(
                "I couldn't find a community called `(empty)`. Pick one from the suggestions, or see "
                "`/community list`."
            )
        raise NotFound(
            "I couldn't find a community called `{name}`. Pick one from the suggestions, or see "
            "`/community list`.",
            name=wanted[:60],
        )

    async def search(self, guild_id: int, current: str, *, archived: bool | None = False) -> list[Community]:
        needle = current.casefold().strip()
        return [
            c for c in await self.list_communities(guild_id, archived=archived) if needle in c.name.casefold()
        ]

    # -- changing ----------------------------------------------------------------------

    async def check_update(
        self,
        guild_id: int,
        community_id: int,
        *,
        name: str,
        description: str,
        emoji: str | None,
        welcome_note: str | None,
    ) -> Community:
        """Validate an edit without saving it: the community as it would be."""
        current = await self.get(guild_id, community_id)
        clean = validate_name(name)
        async with self.db.read() as tx:
            await self._refuse_duplicate(tx, guild_id, clean, exclude=community_id)
        return Community(
            id=current.id,
            guild_id=guild_id,
            name=clean,
            slug=channel_slug(clean),
            kind=current.kind,
            description=validate_description(description),
            emoji=validate_emoji(emoji),
            welcome_note=validate_welcome(welcome_note),
            channel_id=current.channel_id,
            role_id=current.role_id,
            archived_at=current.archived_at,
            created_at=current.created_at,
        )

    async def update(self, changed: Community) -> Community:
        """Save an edit checked with :meth:`check_update` (re-checking the name, atomically)."""
        async with self.db.transaction() as tx:
            await self._refuse_duplicate(tx, changed.guild_id, changed.name, exclude=changed.id)
            result = await tx.execute(
                "UPDATE communities SET name = ?, slug = ?, description = ?, emoji = ?, welcome_note = ?,"
                " updated_at = ? WHERE id = ? AND guild_id = ?",
                (
                    changed.name,
                    changed.slug,
                    changed.description,
                    changed.emoji,
                    changed.welcome_note,
                    self._now(),
                    changed.id,
                    changed.guild_id,
                ),
            )
            if result.rowcount != 1:
                raise NotFound("That community doesn't exist any more.")
        self._listed.invalidate(changed.guild_id)
        return await self.get(changed.guild_id, changed.id)

    async def set_archived(self, guild_id: int, community_id: int, archived: bool) -> Community:
        now = self._now()
        await self.db.execute(
            "UPDATE communities SET archived_at = ?, updated_at = ? WHERE id = ? AND guild_id = ?",
            (now if archived else None, now, community_id, guild_id),
        )
        self._listed.invalidate(guild_id)
        return await self.get(guild_id, community_id)

    async def set_discord_ids(
        self, guild_id: int, community_id: int, *, channel_id: int, role_id: int | None
    ) -> None:
        """Point a community at a re-made channel or role (after a repair)."""
        await self.db.execute(
            "UPDATE communities SET channel_id = ?, role_id = ?, updated_at = ? WHERE id = ?",
            (channel_id, role_id, self._now(), community_id),
        )
        self._listed.invalidate(guild_id)

    # -- panels ------------------------------------------------------------------------

    async def add_panel(self, guild_id: int, channel_id: int, message_id: int) -> Panel:
        await self.db.execute(
            "INSERT INTO community_panels (message_id, guild_id, channel_id, created_at) VALUES (?, ?, ?, ?)",
            (message_id, guild_id, channel_id, self._now()),
        )
        return Panel(message_id, guild_id, channel_id)

    async def panels(self, guild_id: int) -> list[Panel]:
        rows = await self.db.fetchall(
            "SELECT message_id, guild_id, channel_id FROM community_panels WHERE guild_id = ?"
            " ORDER BY message_id",
            (guild_id,),
        )
        return [Panel(r["message_id"], r["guild_id"], r["channel_id"]) for r in rows]

    async def remove_panel(self, message_id: int) -> None:
        await self.db.execute("DELETE FROM community_panels WHERE message_id = ?", (message_id,))

    # -- health reports ----------------------------------------------------------------

    async def unreported(self, guild_id: int, problems: dict[int, set[str]]) -> dict[int, set[str]]:
        """Of the problems found now (community id -> problem codes), those not yet reported.

        Problems reported before and now gone are forgotten, so a recurrence is reported again.
        Codes in :data:`EVENT_PROBLEMS` come from a refusal by Discord, which a check cannot see:
        they stay until :meth:`clear_event_problems` (the next change that works).
        """
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT r.community_id, r.problem FROM community_health_reports r"
                " JOIN communities c ON c.id = r.community_id WHERE c.guild_id = ?",
                (guild_id,),
            )
            stored: dict[int, set[str]] = {}
            for row in rows:
                stored.setdefault(row["community_id"], set()).add(row["problem"])
            gone = [
                (community_id, problem)
                for community_id, codes in stored.items()
                for problem in codes
                if problem not in problems.get(community_id, set()) and problem not in EVENT_PROBLEMS
            ]
            if gone:
                await tx.executemany(
                    "DELETE FROM community_health_reports WHERE community_id = ? AND problem = ?", gone
                )
        fresh = {cid: codes - stored.get(cid, set()) for cid, codes in problems.items()}
        return {cid: codes for cid, codes in fresh.items() if codes}

    async def mark_reported(self, reported: dict[int, set[str]]) -> None:
        now = self._now()
        rows = [(cid, problem, now) for cid, codes in reported.items() for problem in sorted(codes)]
        if not rows:
            return
        async with self.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO community_health_reports (community_id, problem, reported_at) VALUES (?, ?, ?)"
                " ON CONFLICT (community_id, problem) DO NOTHING",
                rows,
            )

    async def clear_event_problems(self, community_id: int) -> None:
        """A change for this community just worked: forget Discord's earlier refusals of it."""
        codes = await self.reported(community_id) & EVENT_PROBLEMS
        if codes:
            async with self.db.transaction() as tx:
                await tx.executemany(
                    "DELETE FROM community_health_reports WHERE community_id = ? AND problem = ?",
                    [(community_id, code) for code in sorted(codes)],
                )

    async def reported(self, community_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT problem FROM community_health_reports WHERE community_id = ?", (community_id,)
        )
        return {r["problem"] for r in rows}

    # -- privacy (issue 9) -------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Everything these tables hold about a member: nothing, by design (see the module docstring)."""
        return {
            "communities": {
                "stored_about_you": [],
                "note": (
                    "Common Room stores no list of who is in a community. Interest communities are "
                    "Discord roles; identity communities are private channel permissions on Discord."
                ),
            }
        }

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Nothing to erase in the database (no member ids are stored); Discord access is the cog's job."""
        return {"community_rows": 0}
