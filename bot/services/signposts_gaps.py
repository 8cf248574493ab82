"""No dead-end needs: what a need with no local contact shows, and how often students looked.

When a student chooses a need in ``/support`` and the server's directory has no contact for it,
they still get something to act on: the national lines that fit the need (from the one source
of crisis lines, :mod:`bot.support`) and their students' union advice centre (the server's own,
if its directory has one). And the organisers learn that the need was looked up, so the
directory gets filled: :class:`UnmetNeeds` keeps one counter per server, need and week.

Member data (privacy inventory)
-------------------------------
None. ``signpost_unmet_needs`` holds a server id, a need, the first day of a week and a count:
no member id, no channel, no time finer than the week (and the table has no rowid, so not even
the order in which rows were first written). A look-up for a need that has a contact is never
counted, and neither is anything a forged or unknown need names. Weeks older than
:data:`RETAIN_WEEKS` are deleted by :meth:`UnmetNeeds.prune` (daily, from the feature's jobs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.db import Database
from bot.services.signposts_contacts import CATEGORIES, Contact
from bot.support import CRISIS_LINES

#: How many weeks of counts are kept (the current week included) and shown to organisers.
RETAIN_WEEKS = 26

#: The national lines (by name, from :mod:`bot.support`) that fit a need. A need not listed, or
#: whose lines :mod:`bot.support` no longer has, gets the general urgent-help lines instead
#: (:func:`fitting_lines`); a phone number is never written here.
FITTING_LINES: dict[str, tuple[str, ...]] = {
    "wellbeing": ("Samaritans", "Shout", "NHS 111"),
}

#: Needs that can be counted: every need but urgent help, which always shows lines.
COUNTED_NEEDS = frozenset(key for key in CATEGORIES if key != "urgent")

_WORDS = re.compile(r"[a-z]+")
_UNION_WORDS = frozenset({"union", "su", "guild", "students"})


def fitting_lines(need: str) -> tuple[tuple[str, ...], bool]:
    """The names of the :mod:`bot.support` lines to show for ``need``, and whether they fit it
    specifically (``False``: no line fits, so these are the general urgent-help lines)."""
    known = {line.name for line in CRISIS_LINES}
    chosen = tuple(name for name in FITTING_LINES.get(need, ()) if name in known)
    if chosen:
        return chosen, True
    return tuple(line.name for line in CRISIS_LINES), False


def advice_centre(contacts: Iterable[Contact]) -> Contact | None:
    """The server's students' union advice centre, if its directory has one: the first contact
    whose name says so ("Students' Union Advice Centre", "SU Advice", "Guild Advice Service")."""
    for contact in contacts:
        words = set(_WORDS.findall(contact.name.casefold()))
        if "advice" in words and words & _UNION_WORDS:
            return contact
    return None


def unmet(contacts: Iterable[Contact], need: str | None) -> bool:
    """Whether ``need`` is a need that can be counted and no contact in ``contacts`` helps with it."""
    return need in COUNTED_NEEDS and not any(need in contact.categories for contact in contacts)


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week ``moment`` falls in."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class WeekCount:
    week_start: date
    count: int


@dataclass(frozen=True, slots=True)
class UnmetNeed:
    """How often one need was looked up with no local contact, by week (oldest first)."""

    need: str
    weeks: tuple[WeekCount, ...]

    @property
    def total(self) -> int:
        return sum(week.count for week in self.weeks)


_COUNT = (
    "INSERT INTO signpost_unmet_needs (guild_id, need, week_start, count) VALUES (?, ?, ?, 1)"
    " ON CONFLICT (guild_id, need, week_start) DO UPDATE SET count = count + 1"
)


class UnmetNeeds:
    """Counts of needs looked up with no local contact: per server, need and week, nothing else."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(self, guild_id: int, need: str) -> bool:
        """Count one look-up of ``need`` this week (one statement, group-committed). Anything but
        a need that can be counted is ignored; returns whether it was counted."""
        if need not in COUNTED_NEEDS:
            return False
        params = (guild_id, need, week_start(self.clock.now()).isoformat())
        await self.db.grouped(lambda tx: tx.execute(_COUNT, params))
        return True

    async def counts(self, guild_id: int) -> list[UnmetNeed]:
        """The server's counts for the weeks kept, the most looked-up need first."""
        since = week_start(self.clock.now()) - timedelta(weeks=RETAIN_WEEKS - 1)
        rows = await self.db.fetchall(
            "SELECT need, week_start, count FROM signpost_unmet_needs"
            " WHERE guild_id = ? AND week_start >= ? ORDER BY week_start",
            (guild_id, since.isoformat()),
        )
        weeks: dict[str, list[WeekCount]] = {}
        for row in rows:
            if row["need"] in COUNTED_NEEDS:
                weeks.setdefault(row["need"], []).append(
                    WeekCount(date.fromisoformat(row["week_start"]), int(row["count"]))
                )
        order = list(CATEGORIES)
        found = [UnmetNeed(need, tuple(counted)) for need, counted in weeks.items()]
        return sorted(found, key=lambda item: (-item.total, order.index(item.need)))

    async def prune(self) -> int:
        """Delete the weeks older than :data:`RETAIN_WEEKS`; returns how many rows went."""
        cutoff = week_start(self.clock.now()) - timedelta(weeks=RETAIN_WEEKS - 1)
        return await self.db.execute(
            "DELETE FROM signpost_unmet_needs WHERE week_start < ?", (cutoff.isoformat(),)
        )
