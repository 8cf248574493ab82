"""Custom ids are untrusted (issue 16): forged or stale ids on the event card's buttons get a
kind private message, never an error id, never another server's event, and nothing changes.

Each id is posted on a message the bot sent, exactly as an old card would carry it, and pressed.
"""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest

from bot.ui import unstored_view
from tests.conftest import World

from .helpers import create, local, prepare

ERROR_ID = re.compile(r"Something went wrong")
OTHER_GUILD = 111111111111111111
# Zero, a 19-digit id over 2**63 (it fits the template), the largest id no row has, an id that
# was never used, and no id at all.
FORGED = ["0", "9999999999999999999", str(2**63 - 1), "424242", ""]


async def another_servers_event(world: World) -> int:
    """An event of another server (ids are global, so a forged id can name it)."""
    start = int(world.env.now().timestamp()) + 3 * 24 * 3600
    await world.bot.db.execute(
        "INSERT INTO events (guild_id, kind, title, description, starts_at, ends_at, place, created_at,"
        " updated_at) VALUES (?, 'social', 'Elsewhere social', 'Not here.', ?, ?, 'Far away', 0, 0)",
        (OTHER_GUILD, start, start + 7200),
    )
    return int(await world.bot.db.fetchval("SELECT event_id FROM events WHERE guild_id = ?", (OTHER_GUILD,)))


async def post_as_bot(world: World, custom_id: str) -> discord.Message:
    """A message the bot posted with one button carrying ``custom_id`` (as an old card would)."""
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send(
        "An old card", view=unstored_view(discord.ui.Button[Any](label="Press", custom_id=custom_id))
    )
    await world.env.settle()
    return message


@pytest.mark.parametrize("choice", ["going", "maybe", "no", "ics"])
async def test_forged_card_buttons_get_a_kind_private_answer(world: World, choice: str) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))  # this server's event 1 exists
    other = await another_servers_event(world)
    for forged in [*FORGED, str(other)]:
        custom_id = f"event:{choice}:{forged}"
        card = await post_as_bot(world, custom_id)
        pressed = await world.student.click(card, custom_id=custom_id)
        assert pressed.ephemeral and pressed.response is not None, custom_id
        shown = pressed.response.content
        assert shown.strip() and not ERROR_ID.search(shown), (custom_id, shown)
        assert "can't find that event" in shown, (custom_id, shown)
        assert "Elsewhere" not in shown and pressed.response.attachments == [], custom_id
    rsvps = await world.bot.db.fetchval("SELECT COUNT(*) FROM event_rsvps WHERE event_id = ?", (other,))
    assert rsvps == 0
    assert world.env.errors == []


async def test_a_real_id_on_an_old_card_still_works(world: World) -> None:
    """The strict parsing refuses only what is forged: this server's event answers as before."""
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    card = await post_as_bot(world, "event:going:1")
    pressed = await world.student.click(card, custom_id="event:going:1")
    assert pressed.ephemeral and "You're going" in pressed.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM event_rsvps WHERE event_id = 1") == 1


@pytest.mark.parametrize("command", ["event edit", "event cancel", "event attendees"])
async def test_forged_event_options_get_a_kind_private_answer(world: World, command: str) -> None:
    """The ``event`` option of organisers' commands is a number anyone could send: another
    server's event, zero, or the largest number Discord sends is "can't find", never an error id."""
    await prepare(world)
    other = await another_servers_event(world)
    extra = {"title": "Taken over"} if command == "event edit" else {}
    for forged in [0, -1, 2**53 - 1, other]:  # Discord sends integers within ±2**53
        result = await world.organiser.slash(world.general, command, event=forged, **extra)
        shown = result.response.content
        assert result.ephemeral and "can't find that event" in shown, (command, forged, shown)
    row = await world.bot.db.fetchone("SELECT title, status FROM events WHERE event_id = ?", (other,))
    assert tuple(row) == ("Elsewhere social", "scheduled")
    assert world.env.errors == []
