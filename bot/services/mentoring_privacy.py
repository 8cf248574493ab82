"""Mentoring and ``/privacy``: everything stored about one member, exported or erased.

What is stored, and why (tables holding a member id or personal free text)
---------------------------------------------------------------------------
* ``mentoring_profiles``: ``member_id``, ``role`` (mentor/mentee), ``year``, ``capacity``,
  ``require_shared``, ``paused``, ``created_at``, ``waiting_since`` and ``note`` (free text: a
  mentor's hello, or what a mentee would like help with; shown only to the people they are
  paired with). Purpose: matching and introductions. Kept while the member takes part; deleted
  by ``/mentor leave`` and by forgetting the member.
* ``mentoring_declarations``: ``member_id`` with each ``experience_key`` they declared
  (sensitive). Purpose: matching only; never logged; organisers never see it, not even as counts
  per experience. Deleted with the profile (leave, forget), and when the server removes that
  experience from its list.
* ``mentoring_matches``: ``mentor_id``, ``mentee_id``, ``shared`` (the experience keys both
  declared), times, ``thread_id`` of the private introduction thread, and each person's check-in
  answer. Purpose: introductions, check-ins, ``/mentor status``. Kept until either person
  leaves mentoring (or is forgotten), then deleted.
* ``mentoring_pair_history``: ``mentor_hash``, ``mentee_hash``: HMAC-SHA256 of (guild, member)
  under the bot's key, which lives outside the database. Purpose: never pair the same two
  people twice, even after one leaves and comes back. Not reversible from the database alone;
  kept after ``/mentor leave``; erased when the member is forgotten.

Not member data: ``mentoring_settings`` and ``mentoring_experiences`` (server settings), and
``mentoring_checkin_counts`` (anonymous counters of check-in answers, no member id).

The follow-up nudge a week after a mentee's "not yet" (issue 17) adds no column: it is an outbox
item (``outbox.recipient_id`` and a payload holding only the pairing's id), exported and erased
with the outbox's own rows, and decided from ``mentee_checkin`` and ``paused`` when it falls due.
The organisers' stalled count is computed on request and never stored.

No Discord here; the service (:mod:`bot.services.mentoring`) calls these inside its transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.clock import from_timestamp
from bot.db import Database, Tx

MemberHash = Callable[[int, int], str]  # (guild id, member id) -> keyed hash
HISTORY_GUILDS = "SELECT DISTINCT guild_id FROM mentoring_pair_history"


async def export_member(db: Database, member_id: int, member_hash: MemberHash) -> dict[str, Any]:
    """Everything stored about the member's mentoring, on every server, as plain JSON: two reads
    (what is stored by id, then the keyed pair history of each server it names)."""
    profiles, declarations, matches, experiences, guilds = await db.read_many(
        ("SELECT * FROM mentoring_profiles WHERE member_id = ? ORDER BY guild_id, role", (member_id,)),
        (
            "SELECT d.guild_id, d.role, d.experience_key, e.label FROM mentoring_declarations d"
            " LEFT JOIN mentoring_experiences e ON e.guild_id = d.guild_id AND e.key = d.experience_key"
            " WHERE d.member_id = ? ORDER BY d.guild_id, d.role, d.experience_key",
            (member_id,),
        ),
        (
            "SELECT * FROM mentoring_matches WHERE mentor_id = ? OR mentee_id = ? ORDER BY id",
            (member_id, member_id),
        ),
        ("SELECT guild_id, key, label FROM mentoring_experiences", ()),
        (HISTORY_GUILDS, ()),
    )
    label_of = {(r["guild_id"], r["key"]): r["label"] for r in experiences}
    digests = [(int(r[0]), member_hash(int(r[0]), member_id)) for r in guilds]
    counts = await db.read_many(
        *(
            (
                "SELECT COUNT(*) FROM mentoring_pair_history WHERE guild_id = ?"
                " AND (mentor_hash = ? OR mentee_hash = ?)",
                (guild_id, digest, digest),
            )
            for guild_id, digest in digests
        )
    )
    history = sum(int(rows[0][0] or 0) for rows in counts)

    def when(value: int | None) -> str | None:
        return None if value is None else from_timestamp(value).isoformat()

    return {
        "profiles": [
            {
                "guild_id": r["guild_id"],
                "role": r["role"],
                "year": r["year"],
                "capacity": r["capacity"],
                "only_match_on_shared_experience": bool(r["require_shared"]),
                "note": r["note"],
                "paused": bool(r["paused"]),
                "signed_up_at": when(r["created_at"]),
                "waiting_since": when(r["waiting_since"]),
                "experiences": [
                    d["label"] or d["experience_key"]
                    for d in declarations
                    if d["guild_id"] == r["guild_id"] and d["role"] == r["role"]
                ],
            }
            for r in profiles
        ],
        "pairings": [
            {
                "guild_id": r["guild_id"],
                "your_role": "mentor" if r["mentor_id"] == member_id else "mentee",
                "partner_id": r["mentee_id"] if r["mentor_id"] == member_id else r["mentor_id"],
                "shared_experiences": [
                    label_of.get((r["guild_id"], k), k) for k in r["shared"].split(",") if k
                ],
                "paired_at": when(r["created_at"]),
                "introduction_thread_id": r["thread_id"],
                "your_checkin_answer": r["mentor_checkin"]
                if r["mentor_id"] == member_id
                else r["mentee_checkin"],
                "ended_at": when(r["ended_at"]),
            }
            for r in matches
        ],
        "past_pairs_remembered_as_keyed_hashes": history,
    }


async def erase_member(tx: Tx, member_id: int, member_hash: MemberHash) -> dict[str, int]:
    """Delete the member's rows from every personal table; returns how many of each."""
    counts = {
        "mentoring_declarations": (
            await tx.execute("DELETE FROM mentoring_declarations WHERE member_id = ?", (member_id,))
        ).rowcount,
        "mentoring_profiles": (
            await tx.execute("DELETE FROM mentoring_profiles WHERE member_id = ?", (member_id,))
        ).rowcount,
        "mentoring_matches": (
            await tx.execute(
                "DELETE FROM mentoring_matches WHERE mentor_id = ? OR mentee_id = ?", (member_id, member_id)
            )
        ).rowcount,
    }
    history = 0
    for guild_id in await _history_guilds(tx):
        digest = member_hash(guild_id, member_id)
        history += (
            await tx.execute(
                "DELETE FROM mentoring_pair_history"
                " WHERE guild_id = ? AND (mentor_hash = ? OR mentee_hash = ?)",
                (guild_id, digest, digest),
            )
        ).rowcount
    counts["mentoring_pair_history"] = history
    return counts


async def _history_guilds(tx: Tx) -> list[int]:
    return [int(r[0]) for r in await tx.fetchall(HISTORY_GUILDS)]
