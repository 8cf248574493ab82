"""Property-based tests of the matching rules (hypothesis): for any sign-ups, the rules hold."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.mentoring_matching import MenteeAsk, MentorSlot, eligible, match

EXPERIENCES = ["first-gen", "carer", "lgbtq", "faith", "mature", "commuter"]
experience_sets = st.frozensets(st.sampled_from(EXPERIENCES), max_size=4)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[MentorSlot], list[MenteeAsk], set[tuple[int, int]]]:
    mentor_ids = draw(st.lists(st.integers(1, 40), unique=True, max_size=8))
    # Ids overlap on purpose: a person can be both a mentor and a mentee.
    mentee_ids = draw(st.lists(st.integers(20, 70), unique=True, max_size=12))
    mentors = [
        MentorSlot(
            member_id=i,
            year=draw(st.integers(1, 7)),
            capacity_left=draw(st.integers(0, 3)),
            experiences=draw(experience_sets),
            current_mentees=draw(st.integers(0, 2)),
        )
        for i in mentor_ids
    ]
    mentees = [
        MenteeAsk(
            member_id=i,
            year=draw(st.integers(1, 7)),
            experiences=draw(experience_sets),
            waiting_since=draw(st.integers(0, 10)),
            require_shared=draw(st.booleans()),
        )
        for i in mentee_ids
    ]
    pairs = [(m, e) for m in mentor_ids for e in mentee_ids]
    forbidden = set(draw(st.lists(st.sampled_from(pairs), max_size=10))) if pairs else set()
    return mentors, mentees, forbidden


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_every_rule_holds(world: tuple[list[MentorSlot], list[MenteeAsk], set[tuple[int, int]]]) -> None:
    mentors, mentees, forbidden = world
    by_mentor = {m.member_id: m for m in mentors}
    by_mentee = {e.member_id: e for e in mentees}

    result = match(mentors, mentees, forbidden)

    # Never pairs equal or lower years.
    for p in result:
        assert by_mentor[p.mentor_id].year > by_mentee[p.mentee_id].year
        assert p.mentor_id != p.mentee_id
    # Never exceeds capacity.
    load = Counter(p.mentor_id for p in result)
    for mentor_id, taken in load.items():
        assert taken <= by_mentor[mentor_id].capacity_left
    # Never repeats a pair (from history) and never pairs anyone twice in one run.
    assert not {(p.mentor_id, p.mentee_id) for p in result} & forbidden
    assert len({p.mentee_id for p in result}) == len(result)
    # Explainable: the shared list is exactly what both declared.
    for p in result:
        assert set(p.shared) == by_mentor[p.mentor_id].experiences & by_mentee[p.mentee_id].experiences
        if by_mentee[p.mentee_id].require_shared:
            assert p.shared
    # Always prefers more shared experiences: no mentor with room left shares more with a matched mentee.
    for p in result:
        mentee = by_mentee[p.mentee_id]
        for other in mentors:
            if load[other.member_id] < other.capacity_left and eligible(other, mentee, forbidden):
                assert len(other.experiences & mentee.experiences) <= len(p.shared)
    # Nobody eligible is left waiting while an eligible mentor still has room.
    matched = {p.mentee_id for p in result}
    for mentee in mentees:
        if mentee.member_id in matched:
            continue
        for other in mentors:
            assert not (load[other.member_id] < other.capacity_left and eligible(other, mentee, forbidden))


@settings(max_examples=200, deadline=None)
@given(worlds(), st.randoms())
def test_same_input_gives_the_same_matches_in_any_order(
    world: tuple[list[MentorSlot], list[MenteeAsk], set[tuple[int, int]]], rnd: object
) -> None:
    mentors, mentees, forbidden = world
    first = match(mentors, mentees, forbidden)
    shuffled_mentors, shuffled_mentees = list(mentors), list(mentees)
    rnd.shuffle(shuffled_mentors)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_mentees)  # type: ignore[attr-defined]
    assert match(shuffled_mentors, shuffled_mentees, list(forbidden)) == first


def test_longest_waiting_mentee_is_served_first() -> None:
    mentor = MentorSlot(1, 4, 1, frozenset({"carer"}))
    early = MenteeAsk(10, 1, frozenset(), waiting_since=5)
    late = MenteeAsk(11, 1, frozenset({"carer"}), waiting_since=9)
    [pairing] = match([mentor], [late, early])
    assert pairing.mentee_id == 10 and pairing.shared == ()


def test_ties_go_to_the_less_busy_then_closest_year() -> None:
    mentee = MenteeAsk(10, 2, frozenset({"faith"}))
    busy = MentorSlot(1, 3, 2, frozenset({"faith"}), current_mentees=1)
    far = MentorSlot(2, 6, 1, frozenset({"faith"}))
    near = MentorSlot(3, 4, 1, frozenset({"faith"}))
    [pairing] = match([busy, far, near], [mentee])
    assert pairing.mentor_id == 3
