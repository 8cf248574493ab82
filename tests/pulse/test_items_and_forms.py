"""The Answer button and the answer form after the move to cogs/pulse/: the one error guard,
custom ids of cards posted before the restructure, and a form aimed at another server's run."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
import simcord

from bot.errors import UserError
from bot.ui import unstored_view
from cogs.pulse import Pulse
from tests.conftest import World, advance_to
from tests.pulse.test_e2e import answer, cards, counted, start_template

ERROR_REPLY = re.compile(r"Something went wrong.*\(error [0-9A-F]{6}\)")
FIRST_RUN = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


def pulse_cog(world: World) -> Pulse:
    cog = world.bot.get_cog("Pulse")
    assert isinstance(cog, Pulse)
    return cog


async def open_first_run(world: World) -> discord.Message:
    await start_template(world)
    await advance_to(world.env, FIRST_RUN)
    [card] = cards(world)
    return card


def forge(shown: simcord.InteractionResult, custom_id: str) -> None:
    """Send the open form back under another custom id, as a modified client could."""
    shown._interaction.modal["custom_id"] = custom_id


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(RuntimeError("the database went away"), ERROR_REPLY, id="unexpected: an error id"),
        pytest.param(
            UserError("This check-in is resting today."),
            re.compile(r"\AThis check-in is resting today\.\Z"),
            id="user error: the kind words alone",
        ),
    ],
)
async def test_an_error_on_the_answer_button_is_told_privately(
    world: World, monkeypatch: pytest.MonkeyPatch, error: Exception, expected: re.Pattern[str]
) -> None:
    card = await open_first_run(world)

    async def broken(run_id: int) -> Any:
        raise error

    monkeypatch.setattr(pulse_cog(world).service, "get_run", broken)
    pressed = await world.student.click(card, label="Answer")

    assert pressed.ephemeral and pressed.modal is None
    assert expected.search(pressed.response.content), pressed.response.content


async def test_an_unexpected_error_counting_a_form_gives_a_private_error_id(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = await open_first_run(world)
    shown = await world.student.click(card, label="Answer")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pulse_cog(world).service, "answer", broken)
    done = await world.student.submit_modal(shown, {"q1": ["3"], "q2": ["1"], "q3": ["3"]})

    assert done.ephemeral
    assert ERROR_REPLY.search(done.response.content), done.response.content


async def test_a_card_posted_with_the_old_custom_id_still_opens_the_form_and_counts(world: World) -> None:
    await open_first_run(world)
    run_id = await world.bot.db.fetchval("SELECT run_id FROM pulse_runs")
    assert run_id == 1
    # A card exactly as the bot posted them before the restructure: a plain button whose only
    # link to the run is this literal custom id.
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    old = discord.ui.Button[Any](label="Answer", emoji="📝", custom_id="pulse:answer:1")
    posted = await channel.send("An old card", view=unstored_view(old))

    shown = await world.student.click(posted, custom_id="pulse:answer:1")
    assert shown.modal is not None and shown.modal["custom_id"].startswith("pulse:form:1:")
    # A form drawn by the old layout had the same custom id shape.
    forge(shown, "pulse:form:1:123456789012345")
    done = await world.student.submit_modal(shown, {"q1": ["3"], "q2": ["1"], "q3": ["3"]})

    assert "Thank you" in done.response.content
    assert await counted(world) == 1
    assert world.env.errors == []


async def test_a_form_sent_for_another_servers_run_is_refused(world: World) -> None:
    card = await open_first_run(world)
    here = await world.bot.db.fetchval("SELECT run_id FROM pulse_runs")
    # A second server with its own pulse check, opened at the same time.
    other = world.env.create_guild("Other School")
    lounge = other.create_text_channel("lounge")
    visitor = other.add_member(world.env.create_user("vic_visitor"))
    cog = pulse_cog(world)
    title, questions = ("Elsewhere", (await cog.service.get_run(here))[0].questions)
    created = await cog.service.create(
        other.id,
        title=title,
        questions=questions,
        channel_id=lounge.id,
        first_run_local=datetime(2026, 1, 2, 11, 0),
    )
    assert created.next_run_at is not None
    await advance_to(world.env, created.next_run_at)
    await cog.jobs.open_job(created.pulse_id)  # what its scheduled job does
    await world.bot.outbox.drain()  # and the card it owes
    [elsewhere] = [m for m in lounge.history(viewer=visitor) if m.components]
    shown = await visitor.click(elsewhere, label="Answer")
    assert shown.modal is not None

    forge(shown, f"pulse:form:{here}:1")
    refused = await visitor.submit_modal(shown, {"q1": ["0"], "q2": ["0"], "q3": ["0"]})

    assert refused.ephemeral and "belongs to another server" in refused.response.content
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (here,)) == 0
    # This server's own students still answer as before.
    done = await answer(world, world.student, card, ["3", "1", "3"])
    assert "Thank you" in done.response.content
