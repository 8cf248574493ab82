"""Find a time (issue #19): candidate slots, private choices, counts only.

An organiser proposes 2 to 10 slots (typed like ``/event create``'s start, in the server's
timezone) and a closing time no later than the first slot. Each student says privately which
slots they could make, and may tick "I have caring or work commitments that limit when I can
come"; they can change their answer until the poll closes. Everyone sees counts only: per slot,
how many can come and how many of those have commitments. What each student chose is kept until
the poll closes plus :data:`CHOICES_KEPT_DAYS` days (``bot/privacy.py``; the daily retention job
deletes it), because when the organiser creates the event at a slot, the students who could make
it are told by DM (through the outbox, promised in the same transaction).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_
from bot.services.events import clean_field, validate_link
from bot.services.events_dates import parse_when
from bot.services.outbox import enqueue, stored_key
from bot.services.rows import from_row
from bot.text import clean_text

MIN_SLOTS = 2
MAX_SLOTS = 10
TITLE_MAX = 100
CHOICES_KEPT_DAYS = 7
#: Counts of people with caring or work commitments are shown (to organisers, at close) only once
#: at least this many answerers ticked it: the pulse checks' smallest batch (k), so a count of one
#: or two can't point at a person.
COMMITTED_SHOWN = 5
#: What ``choose(committed=...)`` does to the commitments tick.
TOGGLE = "toggle"
#: The outbox topic of "the event is on, at a time you said you could make".
DECIDED_TOPIC = "events.poll_decided"
#: The outbox topic of the ranking posted to the organisers' channel when a poll closes.
CLOSED_TOPIC = "events.poll_closed"
#: Slots are typed separated by semicolons or new lines (a comma belongs to dates: "Mon, 3 Dec").
_SEPARATORS = re.compile(r"[;\n|]+")
NOT_FOUND = N_("I can't find that poll. It may have been removed.")


@dataclass(frozen=True, slots=True)
class PollSlot:
    slot: int
    starts_at: int
    can: int = 0  # how many said they could make it
    committed: int = 0  # how many of those have caring or work commitments

    @property
    def start(self) -> datetime:
        return from_timestamp(self.starts_at)


@dataclass(frozen=True, slots=True)
class Poll:
    poll_id: int
    guild_id: int
    created_by: int
    title: str
    kind: str
    place: str | None
    online_link: str | None
    community_channel_id: int | None
    channel_id: int | None
    message_id: int | None
    closes_at: int
    status: str
    chosen: int | None
    slots: tuple[PollSlot, ...]
    answered: int = 0  # how many students answered (any slot, or none)
    committed: int = 0  # how many of them ticked "caring or work commitments"

    @property
    def commitments_shown(self) -> bool:
        """Whether counts of people with commitments may be shown: only once at least
        :data:`COMMITTED_SHOWN` answerers ticked it, so no count can single one person out."""
        return self.committed >= COMMITTED_SHOWN

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def start_closing(self) -> datetime:
        """When answers close."""
        return from_timestamp(self.closes_at)

    def ranking(self) -> list[PollSlot]:
        """Slots, most can come first; then most of those with commitments; then earliest."""
        return sorted(self.slots, key=lambda s: (-s.can, -s.committed, s.starts_at))


@dataclass(frozen=True, slots=True)
class MyChoice:
    slots: frozenset[int]
    committed: bool


@dataclass(frozen=True, slots=True)
class ChoiceSaved:
    """A student's answer as saved, with the poll's times (to say back which they chose)."""

    mine: MyChoice
    starts: tuple[int, ...]  # each slot's start (UTC seconds), by slot number
    closes_at: int


def parse_slots(text: str, tz: str, now: datetime) -> list[datetime]:
    """2 to 10 distinct future slots from one line typed by an organiser, in time order."""
    cleaned = clean_text(text or "", field=N_("The slots"), multiline=True)
    parts = [part.strip() for part in _SEPARATORS.split(cleaned) if part.strip()]
    if len(parts) < MIN_SLOTS:
        raise UserError(
            "Give at least {n} times to choose from, separated by semicolons, for example"
            " `Mon 18:00; Tue 12:30; Thu 17:00`.",
            n=MIN_SLOTS,
        )
    if len(parts) > MAX_SLOTS:
        raise UserError(
            "That's {n} times; please offer at most {limit} so the choice stays easy.",
            n=len(parts),
            limit=MAX_SLOTS,
        )
    starts: list[datetime] = []
    for number, part in enumerate(parts, start=1):
        start = parse_when(part, tz, now, what="time", number=number)
        if start <= now:
            raise UserError(
                "Time number {number} (`{text}`) is in the past. Please choose a later one.",
                number=number,
                text=part[:40],
            )
        if start in starts:
            raise UserError(
                "Time number {number} (`{text}`) is the same as an earlier one; list each once.",
                number=number,
                text=part[:40],
            )
        starts.append(start)
    return sorted(starts)


def _slot_numbers(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.isdecimal())


def decided_key(poll_id: int, member_id: int) -> str:
    """The stored outbox key of one student's "it's on" DM (one per poll and person)."""
    return stored_key(f"{DECIDED_TOPIC}:{poll_id}", member_id)


class EventPollService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> int:
        return to_timestamp(self.clock.now())

    # -- organisers ----------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        organiser_id: int,
        *,
        title: str,
        slots: str,
        closes: str,
        tz: str,
        kind: str = "workshop",
        place: str | None = None,
        online_link: str | None = None,
        community_channel_id: int | None = None,
    ) -> Poll:
        now = self.clock.now()
        name = " ".join(clean_text(title or "", field=N_("The title"), multiline=False).split())
        if not name:
            raise UserError("Give the poll a short title, for example `Study skills workshop`.")
        if len(name) > TITLE_MAX:
            raise UserError(
                "The title is {n} characters long; please keep it to {limit}.", n=len(name), limit=TITLE_MAX
            )
        if kind not in ("social", "workshop"):
            raise UserError("Choose whether it would be a social or a workshop.")
        place = clean_field("place", place)
        online_link = validate_link(clean_field("online_link", online_link))
        if not place and not online_link:
            raise UserError(
                "Where would it be? Give a place, an online link, or both, so the event can be made."
            )
        starts = parse_slots(slots, tz, now)
        closing = parse_when(closes, tz, now, what="closing time")
        if closing <= now:
            raise UserError("The closing time is in the past. Choose when students should have answered by.")
        if closing > starts[0]:
            raise UserError(
                "The poll would close after the first time on offer. Close it before {when}, or drop"
                " that time.",
                when=f"<t:{to_timestamp(starts[0])}:f>",
            )
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "INSERT INTO event_polls (guild_id, created_by, title, kind, place, online_link,"
                " community_channel_id, closes_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    organiser_id,
                    name,
                    kind,
                    place,
                    online_link,
                    community_channel_id,
                    to_timestamp(closing),
                    self._now(),
                ),
            )
            poll_id = int(result.lastrowid or 0)
            await tx.executemany(
                "INSERT INTO event_poll_slots (poll_id, slot, starts_at) VALUES (?, ?, ?)",
                [(poll_id, i, to_timestamp(start)) for i, start in enumerate(starts)],
            )
            return await self._poll(tx, poll_id, guild_id)

    async def delete(self, poll_id: int) -> None:
        """Forget a poll whose card could not be posted (its slots and answers go with it)."""
        await self.db.execute("DELETE FROM event_polls WHERE poll_id = ?", (poll_id,))

    async def card_posted(self, poll_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE event_polls SET channel_id = ?, message_id = ? WHERE poll_id = ?",
            (channel_id, message_id, poll_id),
        )

    async def close(self, poll_id: int, organisers_channel_id: int | None) -> Poll | None:
        """Close a poll whose time has come (once; None if it was closed already or isn't due),
        and owe the organisers' channel the ranking, in the same transaction."""
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "UPDATE event_polls SET status = 'closed' WHERE poll_id = ? AND status = 'open' AND"
                " closes_at <= ?",
                (poll_id, self._now()),
            )
            if result.rowcount == 0:
                return None
            poll = await self._poll(tx, poll_id)
            if organisers_channel_id is not None:
                await enqueue(
                    tx,
                    self.clock.now(),
                    guild_id=poll.guild_id,
                    key=f"{CLOSED_TOPIC}:{poll_id}",
                    topic=CLOSED_TOPIC,
                    channel_id=organisers_channel_id,
                    payload={"poll_id": poll_id},
                )
            return poll

    async def due_to_close(self) -> list[tuple[int, int]]:
        """(poll_id, closes_at) of every open poll (to arm their closing at start-up)."""
        rows = await self.db.fetchall(
            "SELECT poll_id, closes_at FROM event_polls WHERE status = 'open' ORDER BY closes_at"
        )
        return [(row[0], row[1]) for row in rows]

    async def claim(self, poll_id: int, guild_id: int, slot: int) -> None:
        """Before an organiser's event is created from a closed poll: claim the poll for ``slot``,
        so a second organiser pressing at the same moment is refused before anything is created.
        :meth:`decide` completes the claim; :meth:`release` gives it back if creating fails."""
        async with self.db.transaction() as tx:
            poll = await self._poll(tx, poll_id, guild_id)
            if poll.status == "open":
                raise UserError("This poll is still open. Wait until it closes, so everyone can answer.")
            if poll.status == "decided":
                raise UserError("An event was already created from this poll.")
            if poll.chosen is not None:
                raise UserError(
                    "Another organiser is creating the event from this poll right now. Nothing was changed."
                )
            if not 0 <= slot < len(poll.slots):
                raise UserError("That time isn't one of this poll's. Choose one from the ranking.")
            await tx.execute("UPDATE event_polls SET chosen = ? WHERE poll_id = ?", (slot, poll_id))

    async def release(self, poll_id: int) -> None:
        """Creating the event failed: the poll can be chosen from again."""
        await self.db.execute(
            "UPDATE event_polls SET chosen = NULL WHERE poll_id = ? AND status = 'closed'", (poll_id,)
        )

    async def release_interrupted(self) -> int:
        """At start-up: claims left by creations a restart cut short (a creation runs within one
        interaction, so none is in progress now). Returns how many polls can be chosen from again."""
        return await self.db.execute(
            "UPDATE event_polls SET chosen = NULL WHERE status = 'closed' AND chosen IS NOT NULL"
        )

    async def decide(self, poll_id: int, guild_id: int, slot: int, *, event_id: int) -> list[int]:
        """The event was created at ``slot`` (claimed with :meth:`claim`): owe each student who could
        make it one DM (in this transaction); returns who. Decided once."""
        async with self.db.transaction() as tx:
            poll = await self._poll(tx, poll_id, guild_id)
            if poll.status != "closed" or poll.chosen != slot:
                raise UserError("An event was already created from this poll.")
            await tx.execute(
                "UPDATE event_polls SET status = 'decided', chosen = ? WHERE poll_id = ?", (slot, poll_id)
            )
            rows = await tx.fetchall(
                "SELECT member_id, slots FROM event_poll_choices WHERE poll_id = ? ORDER BY member_id",
                (poll_id,),
            )
            told = [row["member_id"] for row in rows if slot in _slot_numbers(row["slots"])]
            start = poll.slots[slot].start
            for member_id in told:
                await enqueue(
                    tx,
                    self.clock.now(),
                    guild_id=guild_id,
                    key=f"{DECIDED_TOPIC}:{poll_id}",
                    topic=DECIDED_TOPIC,
                    recipient_id=member_id,
                    payload={"poll_id": poll_id, "event_id": event_id},
                    not_after=start,
                )
            return told

    # -- students ------------------------------------------------------------------------

    async def choose(
        self,
        poll_id: int,
        guild_id: int,
        member_id: int,
        slots: Sequence[int] | None = None,
        *,
        committed: bool | str | None = None,
        check: Callable[[Poll], None] | None = None,
    ) -> ChoiceSaved:
        """Save which slots a student could make (None: unchanged) and/or their commitments tick
        (True, False, :data:`TOGGLE`, or None: unchanged). ``check`` (e.g. may this member see a
        community's poll?) runs on the poll inside the write and may refuse it.

        A press is one grouped write (bursts share commits): the poll and its times in one read,
        then one upsert that returns the answer as saved. The counts are not read (the card is
        redrawn off the presser's path)."""
        tick = TOGGLE if committed == TOGGLE else (None if committed is None else int(bool(committed)))

        async def work(tx: Tx) -> ChoiceSaved:
            poll = await self._head(tx, poll_id, guild_id)
            if not poll.is_open or poll.closes_at <= self._now():
                raise UserError("This poll has closed, so answers can't change any more. Thank you!")
            if slots is not None and not all(isinstance(s, int) and 0 <= s < len(poll.slots) for s in slots):
                raise UserError("That isn't one of the times on offer. Choose from the list on the card.")
            if check is not None:
                check(poll)
            chosen = None if slots is None else ",".join(str(slot) for slot in sorted(set(slots)))
            [row] = await tx.fetchall(
                "INSERT INTO event_poll_choices (poll_id, member_id, slots, committed, updated_at)"
                " VALUES (?1, ?2, COALESCE(?3, ''),"
                " CASE WHEN ?4 = 'toggle' THEN 1 ELSE COALESCE(?4, 0) END, ?5)"
                " ON CONFLICT (poll_id, member_id) DO UPDATE SET slots = COALESCE(?3, slots),"
                " committed = CASE WHEN ?4 = 'toggle' THEN 1 - committed ELSE COALESCE(?4, committed) END,"
                " updated_at = excluded.updated_at RETURNING slots, committed",
                (poll_id, member_id, chosen, tick, self._now()),
            )
            return ChoiceSaved(
                MyChoice(_slot_numbers(row["slots"]), bool(row["committed"])),
                tuple(slot.starts_at for slot in poll.slots),
                poll.closes_at,
            )

        return await self.db.grouped(work)

    async def my_choice(self, poll_id: int, member_id: int) -> MyChoice:
        row = await self.db.fetchone(
            "SELECT slots, committed FROM event_poll_choices WHERE poll_id = ? AND member_id = ?",
            (poll_id, member_id),
        )
        if row is None:
            return MyChoice(frozenset(), False)
        return MyChoice(_slot_numbers(row["slots"]), bool(row["committed"]))

    async def get(self, poll_id: int, guild_id: int | None = None) -> Poll:
        async with self.db.read() as tx:
            return await self._poll(tx, poll_id, guild_id)

    async def _head(self, tx: Tx, poll_id: int, guild_id: int) -> Poll:
        """A poll and its times in one statement, without its counts (left at 0)."""
        valid = isinstance(poll_id, int) and 0 < poll_id < 2**63
        row = (
            await tx.fetchone(
                "SELECT p.*, (SELECT group_concat(starts_at, ',') FROM event_poll_slots s"
                " WHERE s.poll_id = p.poll_id) AS starts FROM event_polls p WHERE p.poll_id = ?",
                (poll_id,),
            )
            if valid
            else None
        )
        if row is None or row["guild_id"] != guild_id:
            raise NotFound(NOT_FOUND)
        # Slot numbers are in time order (parse_slots sorts them, and no two are the same).
        starts = sorted(int(start) for start in (row["starts"] or "").split(",") if start)
        slots = tuple(PollSlot(i, start) for i, start in enumerate(starts))
        return from_row(Poll, row, slots=slots, answered=0, committed=0)

    async def _poll(self, tx: Tx, poll_id: int, guild_id: int | None = None) -> Poll:
        valid = isinstance(poll_id, int) and 0 < poll_id < 2**63
        row = await tx.fetchone("SELECT * FROM event_polls WHERE poll_id = ?", (poll_id,)) if valid else None
        if row is None or (guild_id is not None and row["guild_id"] != guild_id):
            raise NotFound(NOT_FOUND)
        starts = await tx.fetchall(
            "SELECT slot, starts_at FROM event_poll_slots WHERE poll_id = ? ORDER BY slot", (poll_id,)
        )
        choices = await tx.fetchall(
            "SELECT slots, committed FROM event_poll_choices WHERE poll_id = ?", (poll_id,)
        )
        can = [0] * len(starts)
        committed = [0] * len(starts)
        for choice in choices:
            for slot in _slot_numbers(choice["slots"]):
                if slot < len(starts):
                    can[slot] += 1
                    committed[slot] += int(choice["committed"])
        return from_row(
            Poll,
            row,
            slots=tuple(
                PollSlot(s["slot"], s["starts_at"], can[s["slot"]], committed[s["slot"]]) for s in starts
            ),
            answered=len(choices),
            committed=sum(int(choice["committed"]) for choice in choices),
        )

    # -- privacy -------------------------------------------------------------------------

    async def export_member(self, member_id: int) -> list[dict[str, object]]:
        rows = await self.db.fetchall(
            "SELECT p.title, p.closes_at, c.slots, c.committed, c.updated_at FROM event_poll_choices c"
            " JOIN event_polls p ON p.poll_id = c.poll_id WHERE c.member_id = ? ORDER BY p.poll_id",
            (member_id,),
        )
        return [
            {
                "poll": row["title"],
                "closes": from_timestamp(row["closes_at"]).isoformat(),
                "times you could make (slot numbers)": sorted(_slot_numbers(row["slots"])),
                "caring or work commitments": bool(row["committed"]),
                "updated": from_timestamp(row["updated_at"]).isoformat(),
            }
            for row in rows
        ]

    async def forget_member(self, member_id: int) -> int:
        """Erase a member's answers, and their name on polls they started (the polls stay)."""
        async with self.db.transaction() as tx:
            answers = await tx.execute("DELETE FROM event_poll_choices WHERE member_id = ?", (member_id,))
            started = await tx.execute(
                "UPDATE event_polls SET created_by = 0 WHERE created_by = ?", (member_id,)
            )
        return answers.rowcount + started.rowcount
