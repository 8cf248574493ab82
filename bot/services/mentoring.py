"""Peer mentoring: older-year mentors matched with younger-year mentees by shared experiences.

No Discord here: the cog (``cogs/mentoring/``) renders what this service returns. The pieces:

* :mod:`bot.services.mentoring_model`: limits, default experiences and the records returned;
* :mod:`bot.services.mentoring_matching`: the pure matching algorithm;
* :mod:`bot.services.mentoring_schedule`: when scheduled matching runs (local wall-clock time);
* :mod:`bot.services.mentoring_followup`: the nudge a week after a mentee's "not yet", and the
  organisers' count of stalled pairings;
* :mod:`bot.services.mentoring_privacy`: what is stored about a member, exported or erased.

Nothing in this module logs a declared experience, a note or a check-in answer next to a member.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_
from bot.secrets import keyed_hash
from bot.services.mentoring_followup import NUDGE_TOPIC, nudge_due, promise_nudge, stalled
from bot.services.mentoring_matching import MenteeAsk, MentorSlot, Pairing, match, waiting_reason, why_waiting
from bot.services.mentoring_model import (
    CHECKIN_AFTER,
    CHECKIN_ANSWERS,
    DEFAULT_EXPERIENCES,
    EXPERIENCE_LABEL_LIMIT,
    HELLO_LIMIT,
    HELP_LIMIT,
    MAX_CAPACITY,
    MAX_EXPERIENCES,
    MAX_YEAR,
    MIN_CAPACITY,
    MIN_YEAR,
    WAIT_BANDS,
    CheckinResult,
    Ended,
    Experience,
    ExperienceChange,
    Forgotten,
    LeaveResult,
    Match,
    MemberStatus,
    Overview,
    Profile,
    RunResult,
    Schedule,
    clean_free_text,
    experience_lines,
    match_from_row,
    slug,
)
from bot.services.mentoring_privacy import erase_member, export_member
from bot.services.mentoring_schedule import FREQUENCIES, next_run, parse_minute
from bot.services.outbox import enqueue
from bot.services.rows import from_row

__all__ = ["DEFAULT_EXPERIENCES", "NUDGE_TOPIC", "MentoringService", "next_run", "slug"]

# Outbox topics (docs/outbox.md): every message mentoring sends on its own is promised in the
# transaction of the change that creates it, and delivered by bot/outbox.py.
INTRO_TOPIC = "mentoring.intro"  # a DM introduction, to each of the two
THREAD_TOPIC = "mentoring.thread"  # the introduction posted in the pair's private thread
CHECKIN_TOPIC = "mentoring.checkin"  # the two-week check-in DM, to each of the two
ENDED_TOPIC = "mentoring.ended"  # "your pairing has come to an end", to the other person
# NUDGE_TOPIC ("mentoring.nudge"): a week after a mentee's "not yet", a gentle follow-up to them.

log = logging.getLogger(__name__)

ALREADY_MATCHED = N_(
    "You already have a mentor. `/mentor status` shows who; if it isn't working out, "
    "`/mentor rematch` finds you someone else."
)


#: A member's profiles on a server, each with ``keys``: its experiences, comma-separated.
_PROFILES = (
    "SELECT p.*, (SELECT group_concat(experience_key, ',') FROM mentoring_declarations d"
    " WHERE d.guild_id = p.guild_id AND d.member_id = p.member_id AND d.role = p.role) AS keys"
    " FROM mentoring_profiles p WHERE p.guild_id = ? AND p.member_id = ?"
)


def _profile_from_row(row: Any) -> Profile:
    """A profile from a row of :data:`_PROFILES` (its experiences in key order)."""
    return from_row(
        Profile,
        row,
        require_shared=bool(row["require_shared"]),
        paused=bool(row["paused"]),
        experiences=tuple(sorted(key for key in (row["keys"] or "").split(",") if key)),
    )


#: The server's experiences, in the order organisers set them.
_EXPERIENCES = "SELECT key, label FROM mentoring_experiences WHERE guild_id = ? ORDER BY position"


class MentoringService:
    def __init__(self, db: Database, clock: Clock, secret_key: bytes) -> None:
        self.db = db
        self.clock = clock
        self._key = secret_key

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    def member_hash(self, guild_id: int, member_id: int) -> str:
        return keyed_hash(self._key, "mentoring-member", guild_id, member_id)

    # -- the server's list of experiences -----------------------------------------------

    async def experiences(self, guild_id: int) -> list[Experience]:
        # Read first (every /mentor status shows labels): the write transaction, and its fsync,
        # only for a server whose list was never set, to store the defaults once.
        rows = await self.db.fetchall(_EXPERIENCES, (guild_id,))
        if rows:
            return [Experience(r["key"], r["label"]) for r in rows]
        async with self.db.transaction() as tx:
            return await self._experiences(tx, guild_id)

    async def _experiences(self, tx: Tx, guild_id: int) -> list[Experience]:
        rows = await tx.fetchall(_EXPERIENCES, (guild_id,))
        if rows:
            return [Experience(r["key"], r["label"]) for r in rows]
        # set_experiences never leaves the list empty, so no rows means never set: use the defaults.
        await self._ensure_settings(tx, guild_id)
        defaults = [Experience(slug(label), label) for label in DEFAULT_EXPERIENCES]
        await tx.executemany(
            "INSERT INTO mentoring_experiences (guild_id, key, label, position) VALUES (?, ?, ?, ?)",
            [(guild_id, e.key, e.label, i) for i, e in enumerate(defaults)],
        )
        return defaults

    async def _ensure_settings(self, tx: Tx, guild_id: int) -> None:
        await tx.execute(
            "INSERT INTO mentoring_settings (guild_id, updated_at) VALUES (?, ?)"
            " ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, self._now()),
        )

    async def labels(self, guild_id: int) -> dict[str, str]:
        return {e.key: e.label for e in await self.experiences(guild_id)}

    async def set_experiences(self, guild_id: int, text_or_labels: str | list[str]) -> ExperienceChange:
        """Replace the server's list (one experience per line). Removed ones vanish from profiles."""
        labels: list[str] = []
        seen: set[str] = set()
        for label in experience_lines(text_or_labels):
            if not label:
                continue
            if len(label) > EXPERIENCE_LABEL_LIMIT:
                raise UserError(
                    "“{start}…” is {n} characters; keep each experience to {limit}. Nothing was changed.",
                    start=label[:40],
                    n=len(label),
                    limit=EXPERIENCE_LABEL_LIMIT,
                )
            key = slug(label)
            if key in seen:
                continue
            seen.add(key)
            labels.append(label)
        if not labels:
            raise UserError(
                "The list is empty. Write at least one experience, one per line. Nothing was changed."
            )
        if len(labels) > MAX_EXPERIENCES:
            raise UserError(
                "That's {n} experiences; the sign-up menu can show at most {limit}. "
                "Merge or remove a few. Nothing was changed.",
                n=len(labels),
                limit=MAX_EXPERIENCES,
            )
        async with self.db.transaction() as tx:
            before = await self._experiences(tx, guild_id)
            old = {e.key: e.label for e in before}
            new = [Experience(slug(label), label) for label in labels]
            new_keys = {e.key for e in new}
            removed = [label for key, label in old.items() if key not in new_keys]
            added = [e.label for e in new if e.key not in old]
            await tx.execute("DELETE FROM mentoring_experiences WHERE guild_id = ?", (guild_id,))
            await tx.executemany(
                "INSERT INTO mentoring_experiences (guild_id, key, label, position) VALUES (?, ?, ?, ?)",
                [(guild_id, e.key, e.label, i) for i, e in enumerate(new)],
            )
            gone = [key for key in old if key not in new_keys]
            if gone:
                marks = ",".join("?" * len(gone))
                await tx.execute(
                    f"DELETE FROM mentoring_declarations WHERE guild_id = ? AND experience_key IN ({marks})",
                    (guild_id, *gone),
                )
            await self._ensure_settings(tx, guild_id)
        return ExperienceChange(added, removed, new)

    async def _check_keys(self, tx: Tx, guild_id: int, keys: list[str]) -> tuple[str, ...]:
        known = {e.key for e in await self._experiences(tx, guild_id)}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise UserError(
                "One of the experiences you chose is no longer on this server's list (an organiser may "
                "have just changed it). Please start again with `/mentor offer` or `/mentor request`."
            )
        return tuple(sorted(set(keys)))

    # -- signing up ---------------------------------------------------------------------

    @staticmethod
    def _check_year(year: int) -> None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise UserError(
                "Year of study must be between {low} and {high}. Please choose your year again.",
                low=MIN_YEAR,
                high=MAX_YEAR,
            )

    @staticmethod
    def _check_text(text: str, limit: int, what: str) -> str:
        return clean_free_text(text, limit, what)

    async def offer(
        self, guild_id: int, member_id: int, *, year: int, experiences: list[str], capacity: int, hello: str
    ) -> Profile:
        self._check_year(year)
        if year <= MIN_YEAR:
            raise UserError(
                "Mentors are paired with students in younger years, and there is no year below Year 1 yet. "
                "Thank you for offering! You can ask for a mentor yourself with `/mentor request`."
            )
        if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
            raise UserError(
                "You can mentor between {low} and {high} students at once. Please choose again.",
                low=MIN_CAPACITY,
                high=MAX_CAPACITY,
            )
        hello = self._check_text(hello, HELLO_LIMIT, "hello")
        async with self.db.transaction() as tx:
            keys = await self._check_keys(tx, guild_id, experiences)
            await self._save_profile(
                tx, guild_id, member_id, "mentor", year, capacity, False, hello, keys, None
            )
            return await self._profile(tx, guild_id, member_id, "mentor")  # type: ignore[return-value]

    async def request(
        self,
        guild_id: int,
        member_id: int,
        *,
        year: int,
        experiences: list[str],
        require_shared: bool,
        help_with: str,
    ) -> Profile:
        self._check_year(year)
        help_with = self._check_text(help_with, HELP_LIMIT, "help")
        if require_shared and not experiences:
            require_shared = False
        async with self.db.transaction() as tx:
            if await self._active_match(tx, guild_id, member_id, "mentee") is not None:
                raise UserError(ALREADY_MATCHED)
            keys = await self._check_keys(tx, guild_id, experiences)
            existing = await self._profile(tx, guild_id, member_id, "mentee")
            since = existing.waiting_since if existing and existing.waiting_since else self._now()
            await self._save_profile(
                tx, guild_id, member_id, "mentee", year, None, require_shared, help_with, keys, since
            )
            return await self._profile(tx, guild_id, member_id, "mentee")  # type: ignore[return-value]

    async def signup_start(
        self, guild_id: int, member_id: int, role: str
    ) -> tuple[list[Experience], Profile | None]:
        """What a sign-up starts from: the server's experiences and the member's earlier sign-up
        as ``role`` (mentor or mentee). A mentee who already has a mentor is sent to rematch."""
        async with self.db.transaction() as tx:
            if role == "mentee" and await self._active_match(tx, guild_id, member_id, "mentee") is not None:
                raise UserError(ALREADY_MATCHED)
            return await self._experiences(tx, guild_id), await self._profile(tx, guild_id, member_id, role)

    async def _save_profile(
        self,
        tx: Tx,
        guild_id: int,
        member_id: int,
        role: str,
        year: int,
        capacity: int | None,
        require_shared: bool,
        note: str,
        keys: tuple[str, ...],
        waiting_since: int | None,
    ) -> None:
        await self._ensure_settings(tx, guild_id)
        await tx.execute(
            "INSERT INTO mentoring_profiles (guild_id, member_id, role, year, capacity, require_shared, note,"
            " paused, created_at, waiting_since) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
            " ON CONFLICT (guild_id, member_id, role) DO UPDATE SET year = excluded.year,"
            " capacity = excluded.capacity, require_shared = excluded.require_shared, note = excluded.note,"
            " waiting_since = excluded.waiting_since",
            (
                guild_id,
                member_id,
                role,
                year,
                capacity,
                int(require_shared),
                note,
                self._now(),
                waiting_since,
            ),
        )
        await tx.execute(
            "DELETE FROM mentoring_declarations WHERE guild_id = ? AND member_id = ? AND role = ?",
            (guild_id, member_id, role),
        )
        await tx.executemany(
            "INSERT INTO mentoring_declarations (guild_id, member_id, role, experience_key)"
            " VALUES (?, ?, ?, ?)",
            [(guild_id, member_id, role, key) for key in keys],
        )

    async def _profile(self, tx: Tx, guild_id: int, member_id: int, role: str) -> Profile | None:
        row = await tx.fetchone(_PROFILES + " AND p.role = ?", (guild_id, member_id, role))
        return None if row is None else _profile_from_row(row)

    async def _active_match(self, tx: Tx, guild_id: int, member_id: int, role: str) -> Match | None:
        column = "mentor_id" if role == "mentor" else "mentee_id"
        row = await tx.fetchone(
            f"SELECT * FROM mentoring_matches WHERE guild_id = ? AND {column} = ? AND ended_at IS NULL"
            " ORDER BY id LIMIT 1",
            (guild_id, member_id),
        )
        return None if row is None else match_from_row(row)

    # -- matching -----------------------------------------------------------------------

    async def _inputs(
        self, tx: Tx, guild_id: int
    ) -> tuple[list[MentorSlot], list[MenteeAsk], set[tuple[int, int]], dict[int, bool]]:
        profiles = await tx.fetchall("SELECT * FROM mentoring_profiles WHERE guild_id = ?", (guild_id,))
        declared: dict[tuple[int, str], set[str]] = {}
        for row in await tx.fetchall(
            "SELECT member_id, role, experience_key FROM mentoring_declarations WHERE guild_id = ?",
            (guild_id,),
        ):
            declared.setdefault((row["member_id"], row["role"]), set()).add(row["experience_key"])
        active = await tx.fetchall(
            "SELECT mentor_id, mentee_id FROM mentoring_matches WHERE guild_id = ? AND ended_at IS NULL",
            (guild_id,),
        )
        load = Counter(r["mentor_id"] for r in active)
        matched_mentees = {r["mentee_id"] for r in active}
        mentors: list[MentorSlot] = []
        mentees: list[MenteeAsk] = []
        paused: dict[int, bool] = {}
        for row in profiles:
            exp = frozenset(declared.get((row["member_id"], row["role"]), set()))
            if row["role"] == "mentor":
                if row["paused"]:
                    continue
                mentors.append(
                    MentorSlot(
                        row["member_id"],
                        row["year"],
                        max(0, (row["capacity"] or 0) - load[row["member_id"]]),
                        exp,
                        load[row["member_id"]],
                    )
                )
            elif row["member_id"] not in matched_mentees:
                paused[row["member_id"]] = bool(row["paused"])
                if row["paused"]:
                    continue
                mentees.append(
                    MenteeAsk(
                        row["member_id"],
                        row["year"],
                        exp,
                        row["waiting_since"] or 0,
                        bool(row["require_shared"]),
                    )
                )
        forbidden = await self._forbidden(tx, guild_id, mentors, mentees)
        return mentors, mentees, forbidden, paused

    async def _forbidden(
        self, tx: Tx, guild_id: int, mentors: list[MentorSlot], mentees: list[MenteeAsk]
    ) -> set[tuple[int, int]]:
        if not mentors or not mentees:
            return set()
        by_hash_mentor = {self.member_hash(guild_id, m.member_id): m.member_id for m in mentors}
        by_hash_mentee = {self.member_hash(guild_id, e.member_id): e.member_id for e in mentees}
        rows = await tx.fetchall(
            "SELECT mentor_hash, mentee_hash FROM mentoring_pair_history WHERE guild_id = ?", (guild_id,)
        )
        return {
            (by_hash_mentor[r["mentor_hash"]], by_hash_mentee[r["mentee_hash"]])
            for r in rows
            if r["mentor_hash"] in by_hash_mentor and r["mentee_hash"] in by_hash_mentee
        }

    async def run_matching(self, guild_id: int, *, scheduled_timezone: str | None = None) -> RunResult:
        """Match every waiting mentee the rules allow, in one transaction.

        With ``scheduled_timezone`` this is the scheduled run: it also moves the schedule on, in
        the same transaction, so a restart neither skips nor repeats it.
        """
        now = self._now()
        async with self.db.transaction() as tx:
            mentors, mentees, forbidden, paused = await self._inputs(tx, guild_id)
            pairings = match(mentors, mentees, forbidden)
            created: list[Match] = []
            for pairing in pairings:
                created.append(await self._create_match(tx, guild_id, pairing, now))
            matched = {p.mentee_id for p in pairings}
            # Capacity left after this run, so the reasons given to those still waiting are honest.
            used = Counter(p.mentor_id for p in pairings)
            after = [
                MentorSlot(m.member_id, m.year, m.capacity_left - used[m.member_id], m.experiences)
                for m in mentors
            ]
            waiting: dict[int, str] = {}
            for mentee in mentees:
                if mentee.member_id not in matched:
                    waiting[mentee.member_id] = why_waiting(after, mentee, forbidden)
            for member_id, is_paused in paused.items():
                if is_paused:
                    waiting[member_id] = "paused"
            if scheduled_timezone is not None:
                await self._advance_schedule(tx, guild_id, scheduled_timezone)
        log.info(
            "Mentoring run in guild %s: %d new pairings, %d waiting", guild_id, len(created), len(waiting)
        )
        return RunResult(created, waiting)

    async def _create_match(self, tx: Tx, guild_id: int, pairing: Pairing, now: int) -> Match:
        due = now + int(CHECKIN_AFTER.total_seconds())
        result = await tx.execute(
            "INSERT INTO mentoring_matches"
            " (guild_id, mentor_id, mentee_id, shared, created_at, checkin_due_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, pairing.mentor_id, pairing.mentee_id, ",".join(pairing.shared), now, due),
        )
        await tx.execute(
            "INSERT INTO mentoring_pair_history (guild_id, mentor_hash, mentee_hash) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                guild_id,
                self.member_hash(guild_id, pairing.mentor_id),
                self.member_hash(guild_id, pairing.mentee_id),
            ),
        )
        match_id = result.lastrowid
        assert match_id is not None
        pair = (pairing.mentor_id, pairing.mentee_id)
        await self._promise_dms(tx, CHECKIN_TOPIC, match_id, guild_id, pair, not_before=from_timestamp(due))
        channel_id = await tx.fetchval(
            "SELECT intro_channel_id FROM mentoring_settings WHERE guild_id = ?", (guild_id,)
        )
        if channel_id is None:
            # Introduced by DM: promised here, with the pairing itself.
            await self._promise_dm_intros(tx, match_id, guild_id, pair)
            await tx.execute("UPDATE mentoring_matches SET intro_sent_at = ? WHERE id = ?", (now, match_id))
        row = await tx.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        assert row is not None
        return match_from_row(row)

    async def _promise_dm_intros(
        self, tx: Tx, match_id: int, guild_id: int, members: tuple[int, int]
    ) -> None:
        await self._promise_dms(tx, INTRO_TOPIC, match_id, guild_id, members)

    async def _promise_dms(
        self,
        tx: Tx,
        topic: str,
        match_id: int,
        guild_id: int,
        members: tuple[int, int],
        *,
        not_before: datetime | None = None,
    ) -> None:
        """Owe each of the pair a DM about their pairing, in the caller's transaction."""
        now = self.clock.now()  # both are owed from the same moment
        for member_id in members:
            await enqueue(
                tx,
                now,
                guild_id=guild_id,
                key=f"{topic}:{match_id}",
                topic=topic,
                recipient_id=member_id,
                payload={"match_id": match_id},
                not_before=not_before,
            )

    async def _promise_ended_notice(self, tx: Tx, m: Match, by_member_id: int) -> None:
        """Tell the other person their pairing ended (the DM is owed from this commit on)."""
        partner = m.partner_of(by_member_id)
        await enqueue(
            tx,
            self.clock.now(),
            guild_id=m.guild_id,
            key=f"{ENDED_TOPIC}:{m.id}",
            topic=ENDED_TOPIC,
            recipient_id=partner,
            payload={"match_id": m.id, "to_mentee": partner == m.mentee_id},
        )

    # -- status, pause, leave, rematch ------------------------------------------------------

    async def status(self, guild_id: int, member_id: int) -> MemberStatus:
        """``/mentor status``: my profiles (with their experiences), my active pairings and the
        server's experience labels: three statements read together in one trip (no write
        transaction: it is a view of where things stand, nothing is decided from it); why I'm
        waiting only if I am."""
        rows, matched, experiences = await self.db.read_many(
            (_PROFILES, (guild_id, member_id)),
            (
                "SELECT * FROM mentoring_matches WHERE guild_id = ? AND ended_at IS NULL"
                " AND (mentor_id = ? OR mentee_id = ?) ORDER BY id",
                (guild_id, member_id, member_id),
            ),
            (_EXPERIENCES, (guild_id,)),
        )
        profiles = {row["role"]: _profile_from_row(row) for row in rows}
        matches = [match_from_row(r) for r in matched]
        if not profiles and not matches:
            return MemberStatus(profiles, matches)
        reason = None
        mentee = profiles.get("mentee")
        if mentee is not None and not any(m.mentee_id == member_id for m in matches):
            if mentee.paused:
                reason = "paused"
            else:
                reason = await self._why_waiting(guild_id, mentee)
        # A server whose list was never set stores its defaults once (labels() writes them).
        labels = {r["key"]: r["label"] for r in experiences} or await self.labels(guild_id)
        return MemberStatus(profiles, matches, reason, labels)

    async def _why_waiting(self, guild_id: int, mentee: Profile) -> str:
        """Why ``mentee`` (not paused, not paired) waits (:func:`waiting_reason`), from the ids of
        the mentors that could matter to them, in one trip, without reading the server's pool."""
        me = mentee.member_id
        older = (
            "FROM mentoring_profiles m WHERE m.guild_id = ? AND m.role = 'mentor' AND m.paused = 0"
            " AND m.member_id != ? AND m.year > ?"
        )
        older_rows, sharing_rows, history = await self.db.read_many(
            (f"SELECT m.member_id {older}", (guild_id, me, mentee.year)),
            (
                f"SELECT m.member_id {older} AND EXISTS (SELECT 1 FROM mentoring_declarations d"
                " JOIN mentoring_declarations mine ON mine.guild_id = d.guild_id AND mine.member_id = ?"
                " AND mine.role = 'mentee' AND mine.experience_key = d.experience_key"
                " WHERE d.guild_id = m.guild_id AND d.member_id = m.member_id AND d.role = 'mentor')",
                (guild_id, me, mentee.year, me),
            ),
            (
                "SELECT mentor_hash FROM mentoring_pair_history WHERE guild_id = ? AND mentee_hash = ?",
                (guild_id, self.member_hash(guild_id, me)),
            ),
        )
        older_ids = {r[0] for r in older_rows}
        before = {r[0] for r in history}
        former = {m for m in older_ids if self.member_hash(guild_id, m) in before} if before else set()
        return waiting_reason(
            older=older_ids,
            sharing={r[0] for r in sharing_rows},
            former=former,
            require_shared=mentee.require_shared,
        )

    async def set_paused(self, guild_id: int, member_id: int, paused: bool | None = None) -> bool:
        """Pause (or resume) every role the member has; returns whether they are now paused."""
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT paused FROM mentoring_profiles WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
            if not rows:
                raise NotFound(
                    "You haven't signed up for mentoring yet. Use `/mentor offer` to mentor, or "
                    "`/mentor request` to ask for a mentor."
                )
            target = (not all(r["paused"] for r in rows)) if paused is None else paused
            await tx.execute(
                "UPDATE mentoring_profiles SET paused = ? WHERE guild_id = ? AND member_id = ?",
                (int(target), guild_id, member_id),
            )
            if not target:
                await tx.execute(
                    "UPDATE mentoring_profiles SET waiting_since = ? WHERE guild_id = ? AND member_id = ?"
                    " AND role = 'mentee'",
                    (self._now(), guild_id, member_id),
                )
        return target

    async def leave(self, guild_id: int, member_id: int) -> LeaveResult:
        """Delete everything about the member's mentoring on this server.

        Their partners' pairings end; mentees who lose their mentor go back to waiting. Only the
        keyed pair history stays, so the same pair is never made again.
        """
        now = self._now()
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM mentoring_matches WHERE guild_id = ? AND (mentor_id = ? OR mentee_id = ?)",
                (guild_id, member_id, member_id),
            )
            ended = [match_from_row(r) for r in rows if r["ended_at"] is None]
            for m in ended:
                if m.mentor_id == member_id:
                    await self._requeue(tx, guild_id, m.mentee_id, now)
                await self._promise_ended_notice(tx, m, member_id)
            removed = {
                "mentoring_declarations": (
                    await tx.execute(
                        "DELETE FROM mentoring_declarations WHERE guild_id = ? AND member_id = ?",
                        (guild_id, member_id),
                    )
                ).rowcount,
                "mentoring_profiles": (
                    await tx.execute(
                        "DELETE FROM mentoring_profiles WHERE guild_id = ? AND member_id = ?",
                        (guild_id, member_id),
                    )
                ).rowcount,
                "mentoring_matches": (
                    await tx.execute(
                        "DELETE FROM mentoring_matches"
                        " WHERE guild_id = ? AND (mentor_id = ? OR mentee_id = ?)",
                        (guild_id, member_id, member_id),
                    )
                ).rowcount,
            }
        ended = [replace(m, ended_at=now, end_reason="left") for m in ended]  # what partners are told
        threads = sorted({r["thread_id"] for r in rows if r["thread_id"] is not None})
        return LeaveResult(removed, ended, threads)

    async def _requeue(self, tx: Tx, guild_id: int, mentee_id: int, now: int) -> None:
        await tx.execute(
            "UPDATE mentoring_profiles SET waiting_since = ?"
            " WHERE guild_id = ? AND member_id = ? AND role = 'mentee'",
            (now, guild_id, mentee_id),
        )

    async def get_match(self, match_id: int) -> Match:
        row = await self.db.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        if row is None:
            raise NotFound("That pairing has ended and its details were deleted.")
        return match_from_row(row)

    async def end_match(self, match_id: int, by_member_id: int, reason: str) -> Ended:
        """End a pairing at one person's wish. The mentee goes back to waiting (never the same pair)."""
        now = self._now()
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
            if row is None:
                raise NotFound("That pairing has ended and its details were deleted.")
            current = match_from_row(row)
            current.role_of(by_member_id)
            if not current.active:
                raise UserError("That pairing has already ended. `/mentor status` shows where you are now.")
            await tx.execute(
                "UPDATE mentoring_matches SET ended_at = ?, end_reason = ? WHERE id = ?",
                (now, reason, match_id),
            )
            await self._requeue(tx, current.guild_id, current.mentee_id, now)
            await self._promise_ended_notice(tx, current, by_member_id)
            row = await tx.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        assert row is not None
        return Ended(match_from_row(row), requeued_mentee=True)

    # -- introductions and check-ins ----------------------------------------------------------

    async def pending_intros(self) -> list[Match]:
        """Active pairings not introduced yet: those waiting for their private thread."""
        rows = await self.db.fetchall(
            "SELECT * FROM mentoring_matches WHERE intro_sent_at IS NULL AND ended_at IS NULL ORDER BY id"
        )
        return [match_from_row(r) for r in rows]

    async def intro_by_thread(self, match_id: int, thread_id: int, marker: str) -> bool:
        """The pair's private thread is open: record it and promise the introduction posted in it,
        in one transaction. False if the pairing was already introduced or has ended."""
        now = self._now()
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "UPDATE mentoring_matches SET intro_sent_at = ?, thread_id = ?"
                " WHERE id = ? AND intro_sent_at IS NULL AND ended_at IS NULL",
                (now, thread_id, match_id),
            )
            if result.rowcount == 0:
                return False
            guild_id = await tx.fetchval("SELECT guild_id FROM mentoring_matches WHERE id = ?", (match_id,))
            await enqueue(
                tx,
                self.clock.now(),
                guild_id=int(guild_id),
                key=f"{THREAD_TOPIC}:{match_id}",
                topic=THREAD_TOPIC,
                channel_id=thread_id,
                payload={"match_id": match_id},
                marker=marker,
            )
        return True

    async def intro_by_dm(self, match_id: int, *, fallback: bool = False) -> bool:
        """Introduce the pair by DM: record it and promise both DMs in one transaction.

        ``fallback``: the thread's introduction could not be posted; the DMs are owed even though
        the pairing is already marked introduced. False if the pairing has ended (or, without
        ``fallback``, was already introduced).
        """
        now = self._now()
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM mentoring_matches WHERE id = ? AND ended_at IS NULL", (match_id,)
            )
            if row is None or (row["intro_sent_at"] is not None and not fallback):
                return False
            m = match_from_row(row)
            await tx.execute(
                "UPDATE mentoring_matches SET intro_sent_at = COALESCE(intro_sent_at, ?) WHERE id = ?",
                (now, match_id),
            )
            await self._promise_dm_intros(tx, match_id, m.guild_id, (m.mentor_id, m.mentee_id))
        return True

    async def active_match(self, match_id: int) -> Match | None:
        """The pairing if it still exists and has not ended (what a message about it needs)."""
        row = await self.db.fetchone(
            "SELECT * FROM mentoring_matches WHERE id = ? AND ended_at IS NULL", (match_id,)
        )
        return None if row is None else match_from_row(row)

    async def find_match(self, match_id: int) -> Match | None:
        row = await self.db.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        return None if row is None else match_from_row(row)

    async def checkin_going_out(self, match_id: int) -> Match | None:
        """The check-in of an active pairing is being sent: mark it (so ``/mentor status`` offers
        its buttons even if the DM can't be delivered). None if the pairing has ended."""
        now = self._now()
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE mentoring_matches SET checkin_sent_at = COALESCE(checkin_sent_at, ?)"
                " WHERE id = ? AND ended_at IS NULL",
                (now, match_id),
            )
            row = await tx.fetchone(
                "SELECT * FROM mentoring_matches WHERE id = ? AND ended_at IS NULL", (match_id,)
            )
        return None if row is None else match_from_row(row)

    async def record_checkin(
        self, match_id: int, member_id: int, answer: str, *, timezone: str = "UTC"
    ) -> CheckinResult:
        """Record one person's check-in answer. A mentee's "not yet" also promises them a gentle
        nudge a week later (``timezone``: the server's, for "a week later" in local time)."""
        if answer not in CHECKIN_ANSWERS:
            raise UserError("I didn't recognise that answer. Please use one of the buttons.")
        now = self._now()
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
            if row is None:
                raise NotFound(
                    "That pairing has ended and its details were deleted, so there's nothing to check in on."
                )
            current = match_from_row(row)
            role = current.role_of(member_id)
            column = "mentor_checkin" if role == "mentor" else "mentee_checkin"
            previous = row[column]
            await tx.execute(f"UPDATE mentoring_matches SET {column} = ? WHERE id = ?", (answer, match_id))
            if previous != answer:
                await tx.execute(
                    "INSERT INTO mentoring_checkin_counts (guild_id, answer, count) VALUES (?, ?, 1)"
                    " ON CONFLICT (guild_id, answer) DO UPDATE SET count = count + 1",
                    (current.guild_id, answer),
                )
            ended = False
            if answer == "different" and current.active:
                await tx.execute(
                    "UPDATE mentoring_matches SET ended_at = ?, end_reason = ? WHERE id = ?",
                    (now, f"{role}_asked", match_id),
                )
                await self._requeue(tx, current.guild_id, current.mentee_id, now)
                await self._promise_ended_notice(tx, current, member_id)
                ended = True
            nudged = False
            if answer == "not_yet" and role == "mentee" and current.active:
                nudged = await promise_nudge(tx, self.clock.now(), current, timezone)
            row = await tx.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        assert row is not None
        return CheckinResult(match_from_row(row), answer, ended, nudged)

    # -- the follow-up after "not yet" ------------------------------------------------------------

    async def nudge_due(self, match_id: int, member_id: int) -> Match | None:
        """The pairing if the nudge to ``member_id`` is still worth sending now (see
        :func:`bot.services.mentoring_followup.nudge_due`); None to drop it."""
        async with self.db.read(snapshot=False) as tx:  # one statement
            return await nudge_due(tx, match_id, member_id)

    async def nudged_pairing(self, match_id: int, member_id: int) -> Match:
        """The pairing a nudge's button is about, checked to be ``member_id``'s as its mentee
        (custom ids are untrusted: a forged or forwarded one gets a kind refusal)."""
        row = await self.db.fetchone("SELECT * FROM mentoring_matches WHERE id = ?", (match_id,))
        if row is None:
            raise NotFound(
                "That pairing has ended and its details were deleted, so there's nothing to do here. "
                "`/mentor status` shows where you are now."
            )
        m = match_from_row(row)
        if m.mentee_id != member_id:
            raise NotFound(
                "That message was meant for someone else, so I can't act on it for you. "
                "`/mentor status` shows your own mentoring."
            )
        return m

    async def pause_after_nudge(self, match_id: int, member_id: int) -> Match:
        """The mentee chose "pause" on their nudge: pause their mentoring (as ``/mentor pause``:
        no new pairings, no more nudges); their pairing itself carries on."""
        m = await self.nudged_pairing(match_id, member_id)
        await self.set_paused(m.guild_id, member_id, True)
        return m

    # -- schedule and settings -------------------------------------------------------------

    async def schedule(self, guild_id: int) -> Schedule:
        async with self.db.transaction() as tx:
            await self._ensure_settings(tx, guild_id)
            row = await tx.fetchone("SELECT * FROM mentoring_settings WHERE guild_id = ?", (guild_id,))
        assert row is not None
        return _schedule_from_row(row)

    async def schedules(self) -> list[Schedule]:
        """Every server's armed schedule (at start-up): one read, not a transaction per server."""
        rows = await self.db.fetchall("SELECT * FROM mentoring_settings WHERE next_run_at IS NOT NULL")
        return [_schedule_from_row(row) for row in rows]

    async def set_schedule(
        self,
        guild_id: int,
        frequency: str,
        *,
        time_text: str = "09:00",
        weekday: int | None = None,
        timezone: str,
    ) -> Schedule:
        if frequency not in FREQUENCIES:
            raise UserError("Choose how often matching runs: off, daily or weekly.")
        if frequency == "off":
            minute: int | None = None
            weekday = None
            upcoming: int | None = None
        else:
            minute = parse_minute(time_text)
            if frequency == "weekly":
                weekday = 0 if weekday is None else weekday
                if not 0 <= weekday <= 6:
                    raise UserError("Choose a day of the week.")
            else:
                weekday = None
            upcoming = to_timestamp(next_run(frequency, weekday, minute, timezone, self.clock.now()))
        async with self.db.transaction() as tx:
            await self._ensure_settings(tx, guild_id)
            await tx.execute(
                "UPDATE mentoring_settings SET schedule_freq = ?, schedule_weekday = ?, schedule_minute = ?,"
                " next_run_at = ?, updated_at = ? WHERE guild_id = ?",
                (None if frequency == "off" else frequency, weekday, minute, upcoming, self._now(), guild_id),
            )
        return await self.schedule(guild_id)

    async def _advance_schedule(self, tx: Tx, guild_id: int, timezone: str) -> None:
        row = await tx.fetchone("SELECT * FROM mentoring_settings WHERE guild_id = ?", (guild_id,))
        if row is None or row["schedule_freq"] is None:
            return
        upcoming = next_run(
            row["schedule_freq"], row["schedule_weekday"], row["schedule_minute"], timezone, self.clock.now()
        )
        await tx.execute(
            "UPDATE mentoring_settings SET next_run_at = ? WHERE guild_id = ?",
            (to_timestamp(upcoming), guild_id),
        )

    async def scheduled_run_due(self, guild_id: int) -> bool:
        due = await self.db.fetchval(
            "SELECT next_run_at FROM mentoring_settings WHERE guild_id = ?", (guild_id,)
        )
        return due is not None and int(due) <= self._now()

    async def set_intro_channel(self, guild_id: int, channel_id: int | None) -> Schedule:
        async with self.db.transaction() as tx:
            await self._ensure_settings(tx, guild_id)
            await tx.execute(
                "UPDATE mentoring_settings SET intro_channel_id = ?, updated_at = ? WHERE guild_id = ?",
                (channel_id, self._now(), guild_id),
            )
        return await self.schedule(guild_id)

    # -- organisers: counts only ---------------------------------------------------------------

    async def overview(self, guild_id: int) -> Overview:
        now = self._now()
        async with self.db.transaction() as tx:
            mentors, mentees, forbidden, paused = await self._inputs(tx, guild_id)
            mentor_rows = await tx.fetchall(
                "SELECT paused, capacity FROM mentoring_profiles WHERE guild_id = ? AND role = 'mentor'",
                (guild_id,),
            )
            used = await tx.fetchval(
                "SELECT COUNT(*) FROM mentoring_matches m JOIN mentoring_profiles p"
                " ON p.guild_id = m.guild_id"
                " AND p.member_id = m.mentor_id AND p.role = 'mentor' AND p.paused = 0"
                " WHERE m.guild_id = ? AND m.ended_at IS NULL",
                (guild_id,),
            )
            active = await tx.fetchval(
                "SELECT COUNT(*) FROM mentoring_matches WHERE guild_id = ? AND ended_at IS NULL", (guild_id,)
            )
            ended = await tx.fetchval(
                "SELECT COUNT(*) FROM mentoring_matches WHERE guild_id = ? AND ended_at IS NOT NULL",
                (guild_id,),
            )
            checkins = {
                r["answer"]: r["count"]
                for r in await tx.fetchall(
                    "SELECT answer, count FROM mentoring_checkin_counts WHERE guild_id = ?", (guild_id,)
                )
            }
            stuck = await stalled(tx, guild_id, now)
        bands: dict[str, int] = dict.fromkeys((label for label, _ in WAIT_BANDS), 0)
        longest: int | None = None
        for mentee in mentees:
            days = max(0, now - mentee.waiting_since) // 86400
            longest = days if longest is None else max(longest, days)
            for label, limit in WAIT_BANDS:
                if limit is None or days < limit:
                    bands[label] += 1
                    break
        no_older = sum(1 for e in mentees if why_waiting(mentors, e, forbidden) == "no_older")
        return Overview(
            mentors_active=sum(1 for r in mentor_rows if not r["paused"]),
            mentors_paused=sum(1 for r in mentor_rows if r["paused"]),
            capacity_total=sum(r["capacity"] or 0 for r in mentor_rows if not r["paused"]),
            capacity_used=int(used or 0),
            mentees_waiting=len(mentees),
            mentees_paused=sum(1 for p in paused.values() if p),
            waiting_bands=bands,
            longest_wait_days=longest,
            waiting_without_older_mentor=no_older,
            pairings_active=int(active or 0),
            pairings_ended=int(ended or 0),
            checkins=checkins,
            stalled_not_yet=stuck.not_yet,
            stalled_no_answer=stuck.no_answer,
            stalled_resting=stuck.resting,
        )

    # -- privacy (issue 9) ---------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Everything stored about the member's mentoring, on every server, as plain JSON."""
        return await export_member(self.db, member_id, self.member_hash)

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Erase the member's mentoring data everywhere, including the keyed pair history."""
        return (await self._erase(member_id))[0]

    async def forget(self, member_id: int) -> Forgotten:
        """Erase the member (as :meth:`forget_member`), then match again on every server where
        a pairing of theirs was active, so a mentee who lost their mentor is not left waiting.

        Returns what the cog must still do on Discord: tell each partner, clear the introduction
        threads, introduce the new pairs.
        """
        counts, ended, thread_ids = await self._erase(member_id)
        new_matches: list[Match] = []
        for guild_id in sorted({m.guild_id for m in ended}):
            new_matches += (await self.run_matching(guild_id)).new_matches
        return Forgotten(counts, ended, thread_ids, new_matches)

    async def _erase(self, member_id: int) -> tuple[dict[str, int], list[Match], list[int]]:
        now = self._now()
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM mentoring_matches WHERE mentor_id = ? OR mentee_id = ? ORDER BY id",
                (member_id, member_id),
            )
            ended = [match_from_row(r) for r in rows if r["ended_at"] is None]
            for m in ended:
                if m.mentor_id == member_id:
                    await self._requeue(tx, m.guild_id, m.mentee_id, now)
                await self._promise_ended_notice(tx, m, member_id)
            counts = await erase_member(tx, member_id, self.member_hash)
        threads = sorted({r["thread_id"] for r in rows if r["thread_id"] is not None})
        return counts, [replace(m, ended_at=now, end_reason="forgotten") for m in ended], threads


def _schedule_from_row(row: Any) -> Schedule:
    return Schedule(
        row["guild_id"],
        row["schedule_freq"] or "off",
        row["schedule_weekday"],
        row["schedule_minute"],
        row["next_run_at"],
        row["intro_channel_id"],
    )
