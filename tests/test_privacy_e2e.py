"""/privacy for a student who has used every feature: see it all, take it, erase it."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from bot import Settings
from tests.conftest import World
from tests.events.helpers import cards, create, local, prepare
from tests.mentoring.test_mentoring_e2e import FIRST, offer, request


def tables_holding(path: Path, value: int) -> list[str]:
    """Every table.column of the database file holding ``value`` (as a number or as text)."""
    conn = sqlite3.connect(path)
    try:
        found = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                query = f'SELECT 1 FROM "{table}" WHERE "{column}" = ? OR CAST("{column}" AS TEXT) LIKE ?'
                hit = conn.execute(query + " LIMIT 1", (value, f"%{value}%")).fetchone()
                if hit:
                    found.append(f"{table}.{column}")
        return found
    finally:
        conn.close()


async def use_every_feature(world: World) -> Any:
    student = world.student
    await prepare(world)  # announcements channel for event cards
    for name, kind, description in (
        ("First Gen Medics", "identity", "First in family"),
        ("Climbing", "interest", "Bouldering on Fridays"),
    ):
        await world.admin.slash(
            world.general, "community create", name=name, kind=kind, description=description
        )
        await student.slash(world.general, "community join", name=name)

    await create(world, start=local(world, 3, 18))
    [card] = cards(world.general, student)
    going = await student.click(card, label="Going")
    assert going.response.content.startswith("You're going")
    await student.slash(world.general, "event reminders", state="off")

    mentor = world.guild.add_member(world.env.create_user("maya_mentor"))
    await offer(world, mentor, 4, [FIRST])
    await request(world, student, 1, [FIRST], help_with="Settling in")
    return card


async def test_my_data_has_everything_and_forget_me_erases_every_trace(
    world: World, settings: Settings
) -> None:
    await use_every_feature(world)
    student = world.student
    database = settings.database.path
    assert tables_holding(database, student.id), "the student should have data stored before erasure"

    result = await student.slash(world.general, "privacy my-data")
    [reply] = [*([result.response] if result.response else []), *result.followups]
    assert reply.ephemeral
    [attachment] = reply.attachments
    data = json.loads(await attachment.read())
    features = data["features"]
    assert {"Communities", "Events", "Mentoring"} <= set(features)
    dumped = json.dumps(features)
    assert "First Gen Medics" in dumped and "Climbing" in dumped  # community access, read from Discord
    assert "going" in dumped  # the RSVP
    assert "Settling in" in dumped and "First in family at university" in dumped  # mentoring

    asked = await student.slash(world.general, "privacy forget-me")
    assert asked.ephemeral
    erased = await student.click(asked.response.message, label="Erase everything about me")
    summary = " ".join(m.content for m in erased.followups)
    assert "erased everything" in summary
    # Said in words a student reads, never the database's names for things.
    assert "• Events: replies to events: 1" in summary and "• Mentoring: mentoring sign-ups: 1" in summary
    assert "Communities: community access removed on Discord: 2" in summary
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", summary), summary

    assert tables_holding(database, student.id) == []
    channels = {name: handle for name, handle in world.guild.channels.items()}
    identity = next(h for n, h in channels.items() if n.startswith("first-gen"))
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    member = await guild.fetch_member(student.id)
    assert not guild.get_channel(identity.id).permissions_for(member).view_channel  # type: ignore[union-attr]
    assert all(role.name != "Climbing" for role in member.roles)

    status = await student.slash(world.general, "event mine")
    assert (
        "Board games"
        not in json.dumps([e.to_dict() for e in status.response.embeds]) + status.response.content
    )


async def test_forget_me_can_be_cancelled(world: World) -> None:
    asked = await world.student.slash(world.general, "privacy forget-me")
    cancelled = await world.student.click(asked.response.message, label="Cancel")
    assert "Nothing was erased" in cancelled.response.content


async def test_the_notice_is_private_and_names_the_controller(world: World) -> None:
    result = await world.student.slash(world.general, "privacy notice")
    assert result.ephemeral
    [attachment] = result.response.attachments
    text = (await attachment.read()).decode()
    assert "Lawful basis" in text and "ico.org.uk" in text
    assert "Pulse checks" in text and "until the run closes" in text
