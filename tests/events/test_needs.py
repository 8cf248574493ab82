"""Needs, privately, when it matters (issue 17): organisers can ask people going about access and
dietary needs; a student's answer is seen by that event's organisers only, is in /privacy
my-data, goes with forget-me, with Can't go, and 7 days after the event ends."""

from __future__ import annotations

import json
import re
from typing import Any

import discord
import simcord

from bot.ui import unstored_view
from tests.conftest import World

from .helpers import (
    button_labels,
    cards,
    create,
    dms,
    everything_public,
    fields,
    form_default,
    local,
    prepare,
    replies,
    said,
    shown_text,
)

NEED = "Step-free access please, and halal food"
ASK = "Tell the organisers about a need"
CHANGE = "See or change what I told them"
ERROR_ID = re.compile(r"Something went wrong")


async def asking_event(world: World, **options: Any) -> discord.Message:
    """The server set up and an event whose organisers ask about needs; its card."""
    await prepare(world)
    await create(world, start=local(world, 3, 18), **{"ask-needs": True}, **options)
    [card] = cards(world.general, world.student)
    return card


async def share(
    world: World, member: simcord.MemberActor, card: discord.Message, need: str
) -> simcord.InteractionResult:
    """Going, then the needs form filled in with ``need``: the form's answer."""
    going = await member.click(card, label="Going")
    labels = button_labels(going.response)
    assert labels in ([ASK], [CHANGE]), labels
    shown = await member.click(going.response.message, label=labels[0])
    assert shown.modal is not None
    return await member.submit_modal(shown, {"need": need})


async def stored_needs(world: World) -> list[tuple[int, str | None]]:
    rows = await world.bot.db.fetchall("SELECT member_id, need FROM event_rsvps ORDER BY seq")
    return [(r["member_id"], r["need"]) for r in rows]


async def attendees_text(world: World, event: int = 1) -> str:
    result = await world.organiser.slash(world.general, "event attendees", event=event)
    assert all(message.ephemeral for message in replies(result))
    return shown_text(result)


async def test_no_needs_form_unless_the_organisers_ask(world: World) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    [card] = cards(world.general, world.student)
    assert "Access and dietary needs" not in fields(card)
    going = await world.student.click(card, label="Going")
    assert going.ephemeral and going.response.components == []
    assert "organisers ask" not in going.response.content
    # A form for an event that doesn't ask is refused kindly (a button kept from elsewhere).
    pressed = await world.student.click(
        await bot_message_with(world, "event:need:1"), custom_id="event:need:1"
    )
    assert pressed.modal is None and "aren't asking about needs" in pressed.response.content
    assert world.env.errors == []


async def test_going_offers_the_form_privately_and_the_organisers_see_the_need(world: World) -> None:
    card = await asking_event(world, capacity=1)
    assert "tell the organisers privately" in fields(card)["Access and dietary needs"]
    going = await world.student.click(card, label="Going")
    assert going.ephemeral and button_labels(going.response) == [ASK]
    assert "only this event's organisers will see it" in going.response.content
    shown = await world.student.click(going.response.message, label=ASK)
    assert shown.modal is not None and form_default(shown, "need") is None
    saved = await world.student.submit_modal(shown, {"need": NEED})
    assert saved.ephemeral and "only they will" in said(saved)
    assert await stored_needs(world) == [(world.student.id, NEED)]

    # Someone joining the waiting list is asked too, and their form starts empty.
    third = world.guild.add_member(world.env.create_user("tia_third"))
    waiting = await third.click(card, label="Going")
    assert "waiting list" in waiting.response.content and button_labels(waiting.response) == [ASK]
    theirs = await third.click(waiting.response.message, label=ASK)
    assert form_default(theirs, "need") is None

    # Pressing Going again offers to change it; the form is filled in with what they wrote.
    again = await world.student.click(card, label="Going")
    assert button_labels(again.response) == [CHANGE]
    refill = await world.student.click(again.response.message, label=CHANGE)
    assert form_default(refill, "need") == NEED
    await world.student.submit_modal(refill, {"need": "Step-free access\u200b please"})
    assert await stored_needs(world) == [(world.student.id, "Step-free access please"), (third.id, None)]

    listed = await attendees_text(world)
    assert "sam\\\\_student · *needs:* Step-free access please" in listed
    assert "1 shared a need" in listed and "<@" not in listed
    assert world.env.errors == []


async def test_a_need_never_reaches_other_students_or_anything_public(world: World) -> None:
    card = await asking_event(world)
    await share(world, world.student, card, NEED)
    other = world.guild.add_member(world.env.create_user("oli_other"))
    seen = [
        shown_text(await other.click(card, label="Going")),
        shown_text(await other.slash(world.general, "event list")),
        shown_text(await other.slash(world.general, "event mine")),
        shown_text(await world.student.slash(world.general, "event list")),
        everything_public(world.general, other),
        everything_public(world.general, world.organiser),
    ]
    # An edit tells everyone going: the notice says nothing about anyone's needs.
    await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    await world.env.settle()
    seen += dms(world.student) + dms(other)
    assert any("has changed" in text for text in dms(other))
    for text in seen:
        assert "Step-free access please" not in text and "halal food" not in text
    # A student can't read the attendee list, with or without the register.
    for options in ({}, {"csv": True}):
        refused = await other.slash(world.general, "event attendees", event=1, **options)
        assert "for organisers" in refused.response.content and refused.response.attachments == []
    assert world.env.errors == []


async def test_cant_go_deletes_the_need(world: World) -> None:
    card = await asking_event(world)
    await share(world, world.student, card, NEED)
    maybe = await world.student.click(card, label="Maybe")  # Maybe keeps it: they may still come
    assert "deleted" not in maybe.response.content
    assert await stored_needs(world) == [(world.student.id, NEED)]
    cant = await world.student.click(card, label="Can't go")
    assert cant.ephemeral and "about your needs has been deleted" in cant.response.content
    assert cant.response.components == []
    assert await stored_needs(world) == [(world.student.id, None)]
    assert "Step-free" not in await attendees_text(world)
    # Going again starts afresh.
    going = await world.student.click(card, label="Going")
    assert button_labels(going.response) == [ASK]
    shown = await world.student.click(going.response.message, label=ASK)
    assert form_default(shown, "need") is None


async def test_an_empty_form_removes_the_need(world: World) -> None:
    card = await asking_event(world)
    await share(world, world.student, card, NEED)
    cleared = await share(world, world.student, card, "   ")
    assert "no longer see a need from you" in said(cleared)
    assert await stored_needs(world) == [(world.student.id, None)]


async def test_needs_are_in_my_data_and_forget_me_erases_them(world: World) -> None:
    card = await asking_event(world)
    await share(world, world.student, card, NEED)
    result = await world.student.slash(world.general, "privacy my-data")
    [reply] = replies(result)
    data = json.loads(await reply.attachments[0].read())
    [rsvp] = data["features"]["Events"]["event_rsvps"]
    assert rsvp["status"] == "going" and rsvp["need_shared_with_organisers"] == NEED

    asked = await world.student.slash(world.general, "privacy forget-me")
    erased = await world.student.click(asked.response.message, label="Erase everything about me")
    summary = " ".join(m.content for m in erased.followups)
    assert "needs shared with organisers: 1" in summary
    assert await stored_needs(world) == []
    assert NEED not in await attendees_text(world)


async def test_a_need_is_deleted_7_days_after_the_event_ends(world: World) -> None:
    card = await asking_event(world)
    await share(world, world.student, card, NEED)
    event = await world.bot.get_cog("Events").service.get(1)  # type: ignore[union-attr]
    # Six days after the end: still there (the event may need following up).
    await world.env.advance_time((event.end - world.env.now()).total_seconds() + 6 * 24 * 3600)
    assert await stored_needs(world) == [(world.student.id, NEED)]
    # The daily retention job after the seventh day clears it; the RSVP itself is kept longer.
    await world.env.advance_time(2 * 24 * 3600)
    assert await stored_needs(world) == [(world.student.id, None)]
    assert NEED not in await attendees_text(world)


async def test_turning_asking_on_later_sends_no_dm_and_offers_the_form_on_the_next_press(
    world: World,
) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    edited = await world.organiser.slash(world.general, "event edit", event=1, **{"ask-needs": True})
    assert "haven't sent any DMs" in said(edited) and "asked privately" in said(edited)
    await world.env.settle()
    assert dms(world.student) == []
    [card] = cards(world.general, world.student)
    assert "Access and dietary needs" in fields(card)
    again = await world.student.click(card, label="Going")
    assert button_labels(again.response) == [ASK]
    # Turned off again: what was shared stays for the organisers, and can still be changed.
    await share(world, world.student, card, NEED)
    off = await world.organiser.slash(world.general, "event edit", event=1, **{"ask-needs": False})
    assert "no longer asked" in said(off)
    assert NEED in (await attendees_text(world)).replace("\\", "")
    going = await world.student.click(card, label="Going")
    assert button_labels(going.response) == [CHANGE]
    assert world.env.errors == []


# -- custom ids are untrusted -----------------------------------------------------------------

OTHER_GUILD = 111111111111111111


async def bot_message_with(world: World, custom_id: str) -> discord.Message:
    """A message the bot posted with one button carrying ``custom_id``."""
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send(
        "An old reply", view=unstored_view(discord.ui.Button[Any](label="Press", custom_id=custom_id))
    )
    await world.env.settle()
    return message


async def test_forged_need_buttons_are_answered_kindly(world: World) -> None:
    card = await asking_event(world)
    start = int(world.env.now().timestamp()) + 3 * 24 * 3600
    await world.bot.db.execute(
        "INSERT INTO events (guild_id, kind, title, starts_at, ends_at, place, ask_needs, created_at,"
        " updated_at) VALUES (?, 'social', 'Elsewhere social', ?, ?, 'Far away', 1, 0, 0)",
        (OTHER_GUILD, start, start + 7200),
    )
    other = int(await world.bot.db.fetchval("SELECT event_id FROM events WHERE guild_id = ?", (OTHER_GUILD,)))
    expected = {
        "0": "can't find that event",
        "9999999999999999999": "can't find that event",
        str(2**63 - 1): "can't find that event",
        "424242": "can't find that event",
        "": "can't find that event",
        str(other): "can't find that event",
        "1": "Press **Going** on the event card first",  # this server's event, but no reply yet
    }
    for forged, says in expected.items():
        custom_id = f"event:need:{forged}"
        pressed = await world.student.click(await bot_message_with(world, custom_id), custom_id=custom_id)
        assert pressed.modal is None and pressed.ephemeral, custom_id
        shown = pressed.response.content
        assert says in shown and not ERROR_ID.search(shown), (custom_id, shown)
        assert "Elsewhere" not in shown
    # Someone else's Going doesn't open my form onto their answer.
    await share(world, world.organiser, card, "Their own need")
    pressed = await world.student.click(
        await bot_message_with(world, "event:need:1"), custom_id="event:need:1"
    )
    assert pressed.modal is None and "Press **Going**" in pressed.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM event_rsvps WHERE event_id = ?", (other,)) == 0
    assert world.env.errors == []


async def test_a_form_sent_after_the_student_said_cant_go_saves_nothing(world: World) -> None:
    card = await asking_event(world)
    going = await world.student.click(card, label="Going")
    shown = await world.student.click(going.response.message, label=ASK)
    await world.student.click(card, label="Can't go")
    late = await world.student.submit_modal(shown, {"need": NEED})
    assert late.ephemeral and "Press **Going** on the event card first" in said(late)
    assert await stored_needs(world) == [(world.student.id, None)]
    assert world.env.errors == []
