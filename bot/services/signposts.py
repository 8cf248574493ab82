"""Signposts: each server's directory of welfare contacts, and scheduled posts of it.

Students reach the directory with one command and no gate; organisers keep it. The directory
is seeded from the ``[[signposts]]`` contacts in the config file (UK national services) the first
time a server's directory is used; each seed is given to a server once, so an organiser's edit
or removal of a seeded contact is never undone, and a seed added to the config later still
reaches existing servers.

What a contact is and how each is checked: :mod:`bot.services.signposts_contacts`. When posts
are due: :mod:`bot.services.signposts_schedule`.

Member data (privacy inventory)
-------------------------------
None. The tables below hold no member id and no text a student typed:

* ``signposts``: contacts organisers publish (names, numbers, links, hours). Public information
  about services, kept until an organiser removes it.
* ``signpost_seeds_applied``: which configured seeds a server has received (server id, seed name).
* ``signpost_schedules``: scheduled posts (server, channel, rule, the last pinned message id).
* ``signpost_unmet_needs``: how many times a need with no local contact was looked up, per server,
  need and week (counts only; :mod:`bot.services.signposts_gaps`).

Who opened ``/support`` or pressed "Need support?" is never stored or logged, so
:meth:`SignpostService.export_member` returns nothing and :meth:`SignpostService.forget_member`
removes nothing.
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

import tomli_w

from bot.clock import Clock, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.services.outbox import enqueue
from bot.services.recurrence import to_local
from bot.services.rows import from_row, optional_time
from bot.services.server_cache import ServerCache
from bot.services.signposts_contacts import CATEGORIES, Contact, ContactDraft, category_key, validate_contact
from bot.services.signposts_gaps import UnmetNeeds
from bot.services.signposts_schedule import (
    MAX_SCHEDULES,
    Schedule,
    check_rule_spacing,
    next_post,
    parse_dates,
    parse_repeat,
    parse_time_of_day,
)

log = logging.getLogger(__name__)

MAX_CONTACTS = 100
MAX_IMPORT_BYTES = 256 * 1024


# -- seeds, export and import ---------------------------------------------------------------


class ImportProblems(UserError):
    """Every contact of a file that could not be used, each problem translated on its own."""

    SHOWN = 8

    def __init__(self, problems: list[tuple[str, UserError]]) -> None:
        self.problems = problems  # (where: "signposts[3] (Nightline)", what is wrong)
        super().__init__(
            self.translated(lambda message, **values: message.format(**values) if values else message)
        )

    def translated(self, t: Callable[..., str]) -> str:
        shown = "\n".join(f"• {where}: {error.translated(t)}" for where, error in self.problems[: self.SHOWN])
        more = len(self.problems) - self.SHOWN
        text = t("Nothing was imported; please fix these and try again:") + "\n" + shown
        if more > 0:
            text += "\n" + t("…and {n} more.", n=more)
        return text


def _seed_problems(
    seeds: Iterable[Mapping[str, Any]],
) -> tuple[list[ContactDraft], list[tuple[str, UserError]]]:
    good: list[ContactDraft] = []
    problems: list[tuple[str, UserError]] = []
    names: set[str] = set()
    for index, seed in enumerate(seeds):
        data = {k: v for k, v in seed.items() if not (v is None or (k == "hours" and v == ""))}
        try:
            draft = validate_contact(data)
        except UserError as error:
            name = seed.get("name")
            problems.append((f"signposts[{index}] ({name})" if name else f"signposts[{index}]", error))
            continue
        if draft.name.casefold() in names:
            problems.append(
                (f"signposts[{index}] ({draft.name})", UserError("the same name appears twice; keep one."))
            )
            continue
        names.add(draft.name.casefold())
        good.append(draft)
    return good, problems


def validate_seeds(seeds: Iterable[Mapping[str, Any]]) -> tuple[list[ContactDraft], list[str]]:
    """Validated seed contacts, and one readable problem per seed that could not be used (English,
    for the config check and the log)."""
    good, problems = _seed_problems(seeds)
    return good, [f"{where}: {error.message}" for where, error in problems]


def dump_toml(drafts: Sequence[ContactDraft]) -> str:
    header = (
        "# Common Room signpost directory. Edit and import with /signposts import,\n"
        "# or paste into config.toml to seed new servers.\n"
        f"# Needs: {', '.join(CATEGORIES)}\n\n"
    )
    return header + tomli_w.dumps({"signposts": [d.as_dict() for d in drafts]})


def parse_toml(text: str) -> list[ContactDraft]:
    """Contacts from an export (or a config file's [[signposts]]); raises UserError on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            "That file is not valid TOML ({error}). Fix it and try again; nothing was changed.",
            error=str(error),
        ) from None
    entries = data.get("signposts")
    extra = sorted(set(data) - {"signposts"})
    if extra or not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UserError(
            "I expected a file like the one `/signposts export` gives: a list of `[[signposts]]` tables. "
            "Nothing was changed."
        )
    if len(entries) > MAX_CONTACTS:
        raise UserError(
            "That file has {n} contacts; a directory holds at most {limit}.",
            n=len(entries),
            limit=MAX_CONTACTS,
        )
    drafts, problems = _seed_problems(entries)
    if problems:
        raise ImportProblems(problems)
    return drafts


# -- the service ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """A scheduled post this caller claimed; the post itself is owed in the outbox (``POST_TOPIC``)."""

    schedule: Schedule
    due: datetime
    previous_message_id: int | None


@dataclass
class _SeedState:
    drafts: list[ContactDraft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


#: The outbox topic of scheduled directory posts (key ``signposts.post:{schedule_id}:{due}``).
POST_TOPIC = "signposts.post"


def post_marker(schedule_id: int, due_ts: int) -> str:
    """What a scheduled post carries in its last embed's footer, unique to that post (the button's
    custom id, ``signposts:open``, is shared by every post). Language-neutral: the footer shows it
    after a translated "Ref." (a post made before this read "Ref. S…", which still carries it)."""
    return f"S{schedule_id}-{due_ts}"


T = TypeVar("T")


class _Directory:
    """One server's directory as read from the database, and what callers derived from it."""

    __slots__ = ("contacts", "derived", "seeds")

    def __init__(self, contacts: tuple[Contact, ...], seeds: _SeedState) -> None:
        self.contacts = contacts
        self.derived: dict[Hashable, Any] = {}
        self.seeds = seeds  # the configured seeds it was read after giving the server


class _DirectoryCache(ServerCache[_Directory]):
    """Directories per server, shared by every service on the database; every write below
    invalidates it (see :mod:`bot.services.server_cache`)."""


class SignpostService:
    # A post that could not happen on time (the bot was off) is still made if at most this late;
    # older ones are skipped, so a restart never floods a channel with stale posts.
    LATE_GRACE = timedelta(hours=6)

    def __init__(self, db: Database, clock: Clock, seeds: Iterable[Mapping[str, Any]] = ()) -> None:
        self.db = db
        self.clock = clock
        self._cache = _DirectoryCache.shared(db)
        self.unmet = UnmetNeeds(db, clock)  # needs looked up with no local contact (counts only)
        drafts, problems = validate_seeds(seeds)
        self._seeds = _SeedState(drafts, problems)
        for problem in problems:
            log.error("Config: a seeded signpost was skipped: %s", problem)

    @property
    def seed_problems(self) -> list[str]:
        return list(self._seeds.problems)

    @property
    def seeds(self) -> list[ContactDraft]:
        return list(self._seeds.drafts)

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    # -- directory ---------------------------------------------------------------------

    async def ensure_seeded(self, guild_id: int) -> int:
        """Give the server any configured seed it has never had; returns how many were added."""
        if not self._seeds.drafts:
            return 0
        applied_rows = await self.db.fetchall(
            "SELECT seed_key FROM signpost_seeds_applied WHERE guild_id = ?", (guild_id,)
        )
        applied = {row["seed_key"] for row in applied_rows}
        pending = [d for d in self._seeds.drafts if d.name.casefold() not in applied]
        if not pending:
            return 0
        added = 0
        now = self._now()
        async with self.db.transaction() as tx:
            for draft in pending:
                key = draft.name.casefold()
                claimed = await tx.execute(
                    "INSERT INTO signpost_seeds_applied (guild_id, seed_key, applied_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (guild_id, key, now),
                )
                if claimed.rowcount == 0:
                    continue
                exists = await tx.fetchval(
                    "SELECT 1 FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, key)
                )
                count = await tx.fetchval("SELECT COUNT(*) FROM signposts WHERE guild_id = ?", (guild_id,))
                if exists or int(count) >= MAX_CONTACTS:
                    continue
                await self._insert(tx, guild_id, draft, now)
                added += 1
        if added:
            self._cache.invalidate(guild_id)
        return added

    async def _insert(
        self, tx: Tx, guild_id: int, draft: ContactDraft, now: int, position: int | None = None
    ) -> int:
        if position is None:
            position = int(
                await tx.fetchval(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM signposts WHERE guild_id = ?", (guild_id,)
                )
            )
        result = await tx.execute(
            "INSERT INTO signposts (guild_id, name, name_key, categories, description, phone, sms, email,"
            " web, in_person, hours, confidential, independent, position, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, *_row_values(draft), position, now, now),
        )
        assert result.lastrowid is not None
        return result.lastrowid

    async def contacts(self, guild_id: int, need: str | None = None) -> list[Contact]:
        """The server's directory in order (seeded first if new), optionally one need only."""
        found = list((await self._directory(guild_id)).contacts)
        if need is not None:
            found = [c for c in found if need in c.categories]
        return found

    async def derived(self, guild_id: int, key: Hashable, build: Callable[[list[Contact]], T]) -> T:
        """``build(contacts)`` for the server's directory, kept with it until the directory changes
        (``/support`` keeps its rendered embeds here). ``build`` must be pure; callers must not
        change what it returns."""
        found = await self.contacts(guild_id)
        # No await since contacts() returned: the entry in memory (if any) is the one it read.
        directory = self._cache.entries.get(guild_id)
        if directory is None or directory.seeds is not self._seeds:  # a write came while reading
            return build(found)
        try:
            value: T = directory.derived[key]
        except KeyError:
            value = directory.derived[key] = build(found)
        return value

    async def _directory(self, guild_id: int) -> _Directory:
        """From memory; else seeded, read in order, and kept unless a write came while reading."""
        cached = self._cache.entries.get(guild_id)
        if cached is not None and (cached.seeds is self._seeds or not self._seeds.drafts):
            return cached
        await self.ensure_seeded(guild_id)
        generation = self._cache.generation(guild_id)
        rows = await self.db.fetchall(
            "SELECT * FROM signposts WHERE guild_id = ? ORDER BY position, id", (guild_id,)
        )
        directory = _Directory(tuple(_contact(row) for row in rows), self._seeds)
        self._cache.keep(guild_id, directory, generation)
        return directory

    async def get(self, guild_id: int, contact_id: int) -> Contact:
        row = await self.db.fetchone(
            "SELECT * FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id)
        )
        if row is None:
            raise NotFound(
                "I can't find that contact any more; someone may have removed it. Check `/support`."
            )
        return _contact(row)

    async def find(self, guild_id: int, query: str) -> Contact:
        """A contact by id (from autocomplete) or by exact name."""
        cleaned = query.strip()
        if cleaned.isdigit():
            row = await self.db.fetchone(
                "SELECT * FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, int(cleaned))
            )
            if row is not None:
                return _contact(row)
        row = await self.db.fetchone(
            "SELECT * FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, cleaned.casefold())
        )
        if row is None:
            raise NotFound(
                "There is no contact called `{name}` here. Pick one from the list as you type.",
                name=cleaned[:60],
            )
        return _contact(row)

    async def add(self, guild_id: int, draft: ContactDraft) -> Contact:
        await self.ensure_seeded(guild_id)
        now = self._now()
        async with self.db.transaction() as tx:
            count = int(await tx.fetchval("SELECT COUNT(*) FROM signposts WHERE guild_id = ?", (guild_id,)))
            if count >= MAX_CONTACTS:
                raise UserError(
                    "The directory already has {limit} contacts; remove one before adding another.",
                    limit=MAX_CONTACTS,
                )
            await self._check_name_free(tx, guild_id, draft.name)
            contact_id = await self._insert(tx, guild_id, draft, now)
        self._cache.invalidate(guild_id)
        return await self.get(guild_id, contact_id)

    async def _check_name_free(self, tx: Tx, guild_id: int, name: str, except_id: int | None = None) -> None:
        other = await tx.fetchval(
            "SELECT id FROM signposts WHERE guild_id = ? AND name_key = ?", (guild_id, name.casefold())
        )
        if other is not None and other != except_id:
            raise UserError(
                "There is already a contact called **{name}**. Choose another name, or edit that one.",
                name=name,
            )

    async def update(self, guild_id: int, contact_id: int, draft: ContactDraft) -> Contact:
        now = self._now()
        async with self.db.transaction() as tx:
            exists = await tx.fetchval(
                "SELECT 1 FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id)
            )
            if not exists:
                raise NotFound("That contact was removed while you were editing it; nothing was saved.")
            await self._check_name_free(tx, guild_id, draft.name, except_id=contact_id)
            await tx.execute(
                "UPDATE signposts SET name = ?, name_key = ?, categories = ?, description = ?, phone = ?,"
                " sms = ?, email = ?, web = ?, in_person = ?, hours = ?, confidential = ?, independent = ?,"
                " updated_at = ?"
                " WHERE guild_id = ? AND id = ?",
                (*_row_values(draft), now, guild_id, contact_id),
            )
        self._cache.invalidate(guild_id)
        return await self.get(guild_id, contact_id)

    async def remove(self, guild_id: int, contact_id: int) -> Contact:
        contact = await self.get(guild_id, contact_id)
        await self.db.execute("DELETE FROM signposts WHERE guild_id = ? AND id = ?", (guild_id, contact_id))
        self._cache.invalidate(guild_id)
        return contact

    async def export_toml(self, guild_id: int) -> str:
        return dump_toml([c.draft() for c in await self.contacts(guild_id)])

    async def import_toml(self, guild_id: int, text: str, *, replace: bool) -> ImportResult:
        """Merge (same name: updated; new: added) or replace the directory; all or nothing."""
        drafts = parse_toml(text)
        await self.ensure_seeded(guild_id)
        now = self._now()
        added = updated = removed = unchanged = 0
        async with self.db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM signposts WHERE guild_id = ?", (guild_id,))
            existing = {row["name_key"]: _contact(row) for row in rows}
            incoming = {d.name.casefold() for d in drafts}
            if replace:
                for key, contact in existing.items():
                    if key not in incoming:
                        await tx.execute("DELETE FROM signposts WHERE id = ?", (contact.id,))
                        removed += 1
                total = len(drafts)
            else:
                total = len(existing) + len(incoming - set(existing))
            if total > MAX_CONTACTS:
                raise UserError(
                    "That would make {n} contacts; a directory holds at most {limit}. Nothing was changed.",
                    n=total,
                    limit=MAX_CONTACTS,
                )
            for index, draft in enumerate(drafts, start=1):
                key = draft.name.casefold()
                current = existing.get(key)
                if current is None:
                    await self._insert(tx, guild_id, draft, now, position=index if replace else None)
                    added += 1
                    continue
                same = current.draft() == draft and (not replace or current.position == index)
                if same:
                    unchanged += 1
                    continue
                await tx.execute(
                    "UPDATE signposts SET name = ?, name_key = ?, categories = ?, description = ?, phone = ?,"
                    " sms = ?, email = ?, web = ?, in_person = ?, hours = ?, confidential = ?,"
                    " independent = ?, updated_at = ?, position = ? WHERE id = ?",
                    (*_row_values(draft), now, index if replace else current.position, current.id),
                )
                if current.draft() == draft:
                    unchanged += 1
                else:
                    updated += 1
        self._cache.invalidate(guild_id)
        return ImportResult(added=added, updated=updated, removed=removed, unchanged=unchanged)

    # -- schedules ----------------------------------------------------------------------

    async def create_schedule(
        self,
        guild_id: int,
        channel_id: int,
        *,
        category: str | None,
        repeat: str | None,
        dates: str | None,
        time_of_day: str,
        timezone: str,
    ) -> Schedule:
        if category is not None:
            category = category_key(category)
        if bool(repeat and repeat.strip()) == bool(dates and dates.strip()):
            raise UserError(
                "Give either `repeat` (for example `first Monday of each month`) or `dates` (for example "
                "`6 Jan 2027, 28 Apr 2027`), not both and not neither."
            )
        clock_time = parse_time_of_day(time_of_day)
        now = self.clock.now()
        anchor = to_local(now, timezone).date().isoformat()
        rule: str | None = None
        date_list: list[str] = []
        if repeat and repeat.strip():
            rule = parse_repeat(repeat)
            check_rule_spacing(rule, clock_time, anchor)
        else:
            assert dates is not None
            date_list = parse_dates(dates, timezone, now)
        first = next_post(
            rule=rule, dates=date_list, time_of_day=clock_time, timezone=timezone, anchor=anchor, after=now
        )
        if first is None:
            raise UserError("Those dates and time are all in the past. Choose a time after now.")
        async with self.db.transaction() as tx:
            active = int(
                await tx.fetchval(
                    "SELECT COUNT(*) FROM signpost_schedules WHERE guild_id = ? AND next_run_at IS NOT NULL",
                    (guild_id,),
                )
            )
            if active >= MAX_SCHEDULES:
                raise UserError(
                    "This server already has {limit} scheduled posts. Cancel one with "
                    "`/signposts unschedule` first.",
                    limit=MAX_SCHEDULES,
                )
            result = await tx.execute(
                "INSERT INTO signpost_schedules (guild_id, channel_id, category, rule, dates, time_of_day,"
                " timezone, anchor, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    category,
                    rule,
                    json.dumps(date_list) if not rule else None,
                    clock_time,
                    timezone,
                    anchor,
                    to_timestamp(first),
                    to_timestamp(now),
                ),
            )
        assert result.lastrowid is not None
        return await self.schedule(guild_id, result.lastrowid)

    async def schedule(self, guild_id: int, schedule_id: int) -> Schedule:
        row = await self.db.fetchone(
            "SELECT * FROM signpost_schedules WHERE guild_id = ? AND id = ?", (guild_id, schedule_id)
        )
        if row is None:
            raise NotFound("I can't find that scheduled post. `/signposts schedules` lists them.")
        return _schedule(row)

    async def schedules(self, guild_id: int) -> list[Schedule]:
        rows = await self.db.fetchall(
            "SELECT * FROM signpost_schedules WHERE guild_id = ? AND cancelled_at IS NULL"
            " ORDER BY next_run_at IS NULL, next_run_at, id",
            (guild_id,),
        )
        return [_schedule(row) for row in rows]

    async def cancel_schedule(self, guild_id: int, schedule_id: int) -> Schedule:
        now = self._now()
        changed = await self.db.execute(
            "UPDATE signpost_schedules SET next_run_at = NULL, cancelled_at = ?"
            " WHERE guild_id = ? AND id = ? AND cancelled_at IS NULL",
            (now, guild_id, schedule_id),
        )
        if not changed:
            raise NotFound("That scheduled post doesn't exist or was already cancelled.")
        return await self.schedule(guild_id, schedule_id)

    async def pending_schedules(self) -> list[Schedule]:
        """Every schedule with a post still to make (for re-arming at start)."""
        rows = await self.db.fetchall(
            "SELECT * FROM signpost_schedules WHERE next_run_at IS NOT NULL ORDER BY next_run_at"
        )
        return [_schedule(row) for row in rows]

    async def skip_stale(self, schedule: Schedule) -> Schedule:
        """If a post is overdue beyond the grace period, move it to the next occurrence after now."""
        now = self.clock.now()
        if schedule.next_run_at is None or now - schedule.next_run_at <= self.LATE_GRACE:
            return schedule
        following = schedule.following(now)
        await self.db.execute(
            "UPDATE signpost_schedules SET next_run_at = ?, last_error = ? WHERE id = ? AND next_run_at = ?",
            (
                to_timestamp(following) if following else None,
                "A post was skipped because the bot was offline when it was due.",
                schedule.id,
                to_timestamp(schedule.next_run_at),
            ),
        )
        return replace(schedule, next_run_at=following)

    async def claim_run(self, schedule_id: int, due: datetime) -> Claim | None:
        """Take the post due at ``due``: moves the schedule on in the same transaction, so the
        post is made at most once however many times the job is armed or the bot restarts."""
        now = self.clock.now()
        due_ts = to_timestamp(due)
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM signpost_schedules WHERE id = ? AND next_run_at = ? AND cancelled_at IS NULL",
                (schedule_id, due_ts),
            )
            if row is None or due_ts > to_timestamp(now):
                return None
            schedule = _schedule(row)
            following = schedule.following(max(now, due))
            result = await tx.execute(
                "UPDATE signpost_schedules SET next_run_at = ?, last_run_at = ?, last_error = NULL"
                " WHERE id = ? AND next_run_at = ?",
                (to_timestamp(following) if following else None, due_ts, schedule_id, due_ts),
            )
            if result.rowcount != 1:
                return None
            # The post is owed from this commit on: the outbox delivers it, and finds it by its
            # marker if the bot died between posting it and recording it (docs/outbox.md).
            await enqueue(
                tx,
                now,
                guild_id=schedule.guild_id,
                key=f"{POST_TOPIC}:{schedule_id}:{due_ts}",
                topic=POST_TOPIC,
                channel_id=schedule.channel_id,
                payload={"schedule_id": schedule_id, "due": due_ts},
                marker=post_marker(schedule_id, due_ts),
                not_after=max(now, due) + self.LATE_GRACE,
            )
        updated = replace(schedule, next_run_at=following, last_run_at=due)
        return Claim(updated, due, schedule.last_message_id)

    async def record_post(self, schedule_id: int, message_id: int, problem: str | None = None) -> None:
        await self.db.execute(
            "UPDATE signpost_schedules SET last_message_id = ?, last_error = ? WHERE id = ?",
            (message_id, problem, schedule_id),
        )

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        """A schedule by id, cancelled or not (None once it is deleted)."""
        row = await self.db.fetchone("SELECT * FROM signpost_schedules WHERE id = ?", (schedule_id,))
        return None if row is None else _schedule(row)

    async def record_failure(self, schedule_id: int, problem: str) -> None:
        await self.db.execute(
            "UPDATE signpost_schedules SET last_error = ? WHERE id = ?", (problem, schedule_id)
        )

    # -- privacy (issue #9) ---------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Signposts store nothing about members: who looked at support is never recorded."""
        return {}

    async def forget_member(self, member_id: int) -> dict[str, int]:
        return {}


def _row_values(draft: ContactDraft) -> tuple[Any, ...]:
    return (
        draft.name,
        draft.name.casefold(),
        json.dumps(list(draft.categories)),
        draft.description,
        draft.phone,
        draft.text,
        draft.email,
        draft.web,
        draft.in_person,
        draft.hours,
        int(draft.confidential),
        int(draft.independent),
    )


def _contact(row: Any) -> Contact:
    return from_row(
        Contact,
        row,
        categories=tuple(json.loads(row["categories"])),
        text=row["sms"],
        confidential=bool(row["confidential"]),
        independent=bool(row["independent"]),
    )


def _schedule(row: Any) -> Schedule:
    return from_row(
        Schedule,
        row,
        dates=tuple(json.loads(row["dates"])) if row["dates"] else (),
        next_run_at=optional_time(row["next_run_at"]),
        last_run_at=optional_time(row["last_run_at"]),
        cancelled=row["cancelled_at"] is not None,
    )
