"""Matching mentees with mentors: a pure, deterministic, explainable algorithm.

Rules, in order of strength:

1. A mentor's year is strictly above the mentee's.
2. A mentor never takes more mentees than the capacity left to them.
3. The same two people are never paired twice (``forbidden`` pairs), nor a person with themself.
4. A mentee who asked for a shared experience (``require_shared``) is only matched with a mentor
   who shares at least one of the experiences they named.
5. Among the mentors allowed for a mentee, the one sharing the most experiences with them wins.

Mentees are served longest-waiting first (then by id), so nobody is overtaken by someone who
asked later. Ties between mentors are broken by: fewer mentees already, the closest year above
the mentee's, then the mentor's id, so the same input always gives the same matches. Each match
carries the experiences the two share: that is the whole explanation ("you both said: ...").

Because mentors only lose capacity as the run goes on, a matched mentee never ends up with a
mentor sharing fewer experiences than another mentor who still had room at the end of the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class MentorSlot:
    member_id: int
    year: int
    capacity_left: int
    experiences: frozenset[str] = field(default_factory=frozenset)
    current_mentees: int = 0


@dataclass(frozen=True, slots=True)
class MenteeAsk:
    member_id: int
    year: int
    experiences: frozenset[str] = field(default_factory=frozenset)
    waiting_since: int = 0
    require_shared: bool = False


@dataclass(frozen=True, slots=True)
class Pairing:
    mentor_id: int
    mentee_id: int
    shared: tuple[str, ...]


def eligible(
    mentor: MentorSlot, mentee: MenteeAsk, forbidden: frozenset[tuple[int, int]] | set[tuple[int, int]]
) -> bool:
    """Whether ``mentor`` may ever be paired with ``mentee`` (capacity aside)."""
    if mentor.member_id == mentee.member_id:
        return False
    if mentor.year <= mentee.year:
        return False
    if (mentor.member_id, mentee.member_id) in forbidden:
        return False
    return not (mentee.require_shared and not (mentor.experiences & mentee.experiences))


def match(
    mentors: Iterable[MentorSlot],
    mentees: Iterable[MenteeAsk],
    forbidden: Iterable[tuple[int, int]] = (),
) -> list[Pairing]:
    """Pair as many waiting mentees as the rules allow. Pure: same input, same output."""
    banned = frozenset(forbidden)
    pool = sorted(mentors, key=lambda m: m.member_id)
    left = {m.member_id: max(0, m.capacity_left) for m in pool}
    load = {m.member_id: max(0, m.current_mentees) for m in pool}
    taken: set[int] = set()
    result: list[Pairing] = []
    for mentee in sorted(mentees, key=lambda e: (e.waiting_since, e.member_id)):
        if mentee.member_id in taken:
            continue
        best: tuple[tuple[int, int, int, int], MentorSlot] | None = None
        for mentor in pool:
            if left[mentor.member_id] <= 0 or not eligible(mentor, mentee, banned):
                continue
            shared = len(mentor.experiences & mentee.experiences)
            rank = (-shared, load[mentor.member_id], mentor.year - mentee.year, mentor.member_id)
            if best is None or rank < best[0]:
                best = (rank, mentor)
        if best is None:
            continue
        chosen = best[1]
        left[chosen.member_id] -= 1
        load[chosen.member_id] += 1
        taken.add(mentee.member_id)
        result.append(
            Pairing(
                chosen.member_id, mentee.member_id, tuple(sorted(chosen.experiences & mentee.experiences))
            )
        )
    return result


def why_waiting(
    mentors: Iterable[MentorSlot], mentee: MenteeAsk, forbidden: Iterable[tuple[int, int]] = ()
) -> str:
    """Why ``mentee`` has no mentor yet, as a code: ``no_older``, ``full`` or ``no_shared``.

    Codes, not names: the reason never reveals who the mentors are or what they declared.
    """
    older = [m for m in mentors if m.year > mentee.year and m.member_id != mentee.member_id]
    return waiting_reason(
        older={m.member_id for m in older},
        sharing={m.member_id for m in older if m.experiences & mentee.experiences},
        former={mentor for mentor, e in forbidden if e == mentee.member_id},
        require_shared=mentee.require_shared,
    )


def waiting_reason(*, older: set[int], sharing: set[int], former: set[int], require_shared: bool) -> str:
    """The rule of :func:`why_waiting`, from the mentors older than the mentee (not paused, not
    the mentee), those of them sharing an experience with the mentee, and the mentee's former
    mentors (never matched again)."""
    if not older:
        return "no_older"
    fresh = older - former
    if require_shared and fresh and not fresh & sharing:
        return "no_shared"
    return "full"
