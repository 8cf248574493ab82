"""The mentoring package after the restructure: the one error guard on its buttons, and buttons
posted with the old layout's literal custom ids still handled."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
import simcord

from bot.errors import UserError
from tests.conftest import World
from tests.mentoring.test_mentoring_e2e import FIRST, TWO_WEEKS, dms, message_text, offer, request, text_of

ERROR_REPLY = re.compile(r"Something went wrong.*\(error [0-9A-F]{6}\)", re.DOTALL)


@pytest.fixture
def mentor(world: World) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user("maya_mentor"))


async def paired_and_checked_in(world: World, mentor: simcord.MemberActor) -> discord.Message:
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    await world.env.advance_time(TWO_WEEKS + 60)
    checkin = dms(world.student)[-1]
    assert "check-in" in message_text(checkin)
    return checkin


async def old_card(world: World, member: simcord.MemberActor, *buttons: tuple[str, str]) -> discord.Message:
    """A DM from the bot carrying buttons with exactly these (label, custom id) pairs, as cards
    sent before the restructure carry them."""
    view = discord.ui.View(timeout=None)
    for label, custom_id in buttons:
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id))
    view.stop()  # not kept in memory: only the registered persistent items can answer
    user = await world.bot.fetch_user(member.id)
    await user.send("An older mentoring message", view=view)
    return dms(member)[-1]


async def press_while_checkins_fail(
    world: World,
    mentor: simcord.MemberActor,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    label: str,
) -> simcord.InteractionResult:
    """The student presses ``label`` on a check-in while recording check-ins raises ``error``."""
    checkin = await paired_and_checked_in(world, mentor)
    cog: Any = world.bot.get_cog("Mentoring")

    async def failing(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(cog.service, "record_checkin", failing)
    return await world.student.user.click(checkin, label=label)


async def test_an_unexpected_error_in_a_checkin_button_gets_a_private_error_id(
    world: World, mentor: simcord.MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    pressed = await press_while_checkins_fail(
        world, mentor, monkeypatch, RuntimeError("database on fire"), "We've met"
    )

    assert pressed.ephemeral
    assert ERROR_REPLY.search(text_of(pressed)), text_of(pressed)
    assert "database on fire" not in text_of(pressed)


async def test_a_user_error_in_a_checkin_button_gets_the_kind_private_message(
    world: World, mentor: simcord.MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = UserError("Please try that again in a moment.")
    pressed = await press_while_checkins_fail(world, mentor, monkeypatch, refusal, "Not yet")

    assert pressed.ephemeral and pressed.response.content == "Please try that again in a moment."
    assert world.env.errors == []


async def test_checkin_and_rematch_buttons_with_the_old_literal_custom_ids_still_work(
    world: World, mentor: simcord.MemberActor
) -> None:
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    [made] = await world.bot.db.fetchall("SELECT id FROM mentoring_matches")
    assert made["id"] == 1  # the literal ids below name this pairing

    card = await old_card(world, world.student, ("We've met", "mentor:checkin:1:met"))
    met = await world.student.user.click(card, custom_id="mentor:checkin:1:met")
    assert met.ephemeral and "Wonderful" in met.response.content

    # Someone else pressing a forwarded rematch button is refused kindly; nothing ends.
    bystander = world.guild.add_member(world.env.create_user("bea_bystander"))
    stray = await old_card(world, bystander, ("Find me a different mentor", "mentor:rematch:1"))
    refused = await bystander.user.click(stray, custom_id="mentor:rematch:1")
    assert refused.ephemeral and "isn't yours" in text_of(refused)

    card = await old_card(world, world.student, ("Find me a different mentor", "mentor:rematch:1"))
    ended = await world.student.user.click(card, custom_id="mentor:rematch:1")
    assert ended.ephemeral and "has ended" in text_of(ended)
    assert "come to an end" in message_text(dms(mentor)[-1])
    assert world.env.errors == []


async def test_the_leave_confirm_button_keeps_its_custom_id_and_a_cancel_changes_nothing(
    world: World, mentor: simcord.MemberActor
) -> None:
    await offer(world, mentor, 4, [FIRST])
    started = await mentor.slash(world.general, "mentor leave")
    prompt = started.response.message
    ids = [c.custom_id for row in prompt.components for c in row.children]
    assert "mentor:leave:confirm" in ids

    cancelled = await mentor.click(prompt, label="Cancel")
    assert "Nothing was changed" in text_of(cancelled)
    status = await mentor.slash(world.general, "mentor status")
    assert "Mentoring others" in text_of(status)

    again = await mentor.slash(world.general, "mentor leave")
    done = await mentor.click(again.response.message, custom_id="mentor:leave:confirm")
    assert "deleted" in text_of(done)
