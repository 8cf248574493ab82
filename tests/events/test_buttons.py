"""The event card's buttons: errors go through the one guard, and custom ids posted by the old
single-module cog (``event:{choice}:{id}``) keep working after the restructure and a restart."""

from __future__ import annotations

import re

import discord
import pytest
import simcord

from bot.errors import UserError
from bot.services.events import EventService
from tests.conftest import BotFactory, World

from .helpers import cards, create, fields, local, new_event_card, prepare


async def click_while_replies_fail(
    world: World, monkeypatch: pytest.MonkeyPatch, error: Exception, label: str
) -> simcord.InteractionResult:
    """A student presses ``label`` on a new event's card while recording replies raises ``error``."""
    card = await new_event_card(world, start=local(world, 3, 18))

    async def failing(self: EventService, *args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(EventService, "rsvp", failing)
    return await world.student.click(card, label=label)


async def test_an_unexpected_error_on_a_card_button_gets_an_error_id(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    crash = RuntimeError("the database fell over")
    result = await click_while_replies_fail(world, monkeypatch, crash, "Going")
    assert result.ephemeral
    assert result.response.content.startswith("Something went wrong")
    found = re.search(r"\(error ([0-9A-F]{6})\)", result.response.content)
    assert found is not None
    # Logged once, with the same id and the traceback, for an admin to find from a screenshot.
    [logged] = [r for r in caplog.records if r.name == "bot.errors" and found[1] in r.getMessage()]
    assert "event button" in logged.getMessage() and logged.exc_info is not None


async def test_a_user_error_on_a_card_button_is_a_kind_private_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = UserError("This event is not taking replies just now. Try again later.")
    result = await click_while_replies_fail(world, monkeypatch, refusal, "Maybe")
    assert result.ephemeral
    assert result.response.content == "This event is not taking replies just now. Try again later."
    assert world.env.errors == []


async def test_old_custom_ids_still_work_after_a_restart(world: World, make_bot: BotFactory) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    # A card exactly as the old cog drew it: four buttons with these literal custom ids.
    old = discord.ui.View(timeout=None)
    for label, custom_id in (
        ("Going", "event:going:1"),
        ("Maybe", "event:maybe:1"),
        ("Can't go", "event:no:1"),
        ("Add to calendar", "event:ics:1"),
    ):
        old.add_item(discord.ui.Button(label=label, custom_id=custom_id))
    old.stop()  # nothing kept in memory: only the registered persistent item can answer
    await world.bot.get_partial_messageable(world.general.id).send("An old card", view=old)
    await world.env.restart_bot(make_bot())

    [message] = [m for m in world.general.history(viewer=world.student) if m.content == "An old card"]
    going = await world.student.click(message, custom_id="event:going:1")
    assert going.ephemeral and going.response.content.startswith("You're going")
    [card] = cards(world.general, world.student)
    assert fields(card)["Replies"] == "Going 1 · Maybe 0"
    maybe = await world.student.click(message, custom_id="event:maybe:1")
    assert maybe.response.content.startswith("Noted as maybe")
    no = await world.student.click(message, custom_id="event:no:1")
    assert "can't go" in no.response.content
    ics = await world.student.click(message, custom_id="event:ics:1")
    assert ics.ephemeral and "calendar file" in ics.response.content
    # The current card draws the same ids.
    ids = [c["custom_id"] for row in card.components for c in row.to_dict()["components"]]
    assert ids == ["event:going:1", "event:maybe:1", "event:no:1", "event:ics:1"]
    assert world.env.errors == []
