"""The follow-up after "not yet" and the stalled count, through SimCord and the real bot (issue 17).

A mentee who answers "not yet" to the two-week check-in gets one gentle nudge by DM a week later,
with three buttons (message your mentor, ask for a different mentor, pause); organisers see how
many pairings are stalled, as counts, never who.
"""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
import simcord

from tests.conftest import BotFactory, World
from tests.mentoring.test_mentoring_e2e import FIRST, TWO_WEEKS, dms, message_text, offer, request, text_of
from tests.mentoring.test_restructure_e2e import old_card

DAY = 24 * 60 * 60
WEEK = 7 * DAY
NUDGE = "gentle follow-up"
OPTIONS = ["Message my mentor", "Ask for a different mentor", "Pause mentoring for now"]
ERROR = re.compile(r"Something went wrong")


@pytest.fixture
def mentor(world: World) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user("maya_mentor"))


def nudges(member: simcord.MemberActor) -> list[discord.Message]:
    return [m for m in dms(member) if NUDGE in message_text(m)]


def labels(message: discord.Message) -> list[str | None]:
    return [c.label for row in message.components for c in row.children]


def custom_ids(message: discord.Message) -> list[str | None]:
    return [c.custom_id for row in message.components for c in row.children]


async def checked_in(world: World, mentor: simcord.MemberActor) -> discord.Message:
    """Paired (introduced by DM); the two-week check-in has arrived, and it is midday in London."""
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    await world.env.advance_time(TWO_WEEKS + DAY // 2)  # the clock starts at midnight, 1 January
    checkin = dms(world.student)[-1]
    assert "check-in" in message_text(checkin)
    return checkin


async def not_yet(world: World, mentor: simcord.MemberActor) -> discord.Message:
    """The mentee answers "not yet"; returns the check-in (its buttons still work later)."""
    checkin = await checked_in(world, mentor)
    answered = await world.student.user.click(checkin, label="Not yet")
    assert answered.ephemeral and "No rush" in text_of(answered) and "in a week" in text_of(answered)
    return checkin


async def restart(world: World, make_bot: BotFactory) -> None:
    """The process is gone (its scheduler too); a new one starts from the database."""
    world.bot.scheduler.shutdown()
    await world.env.restart_bot(make_bot())


async def nudged(world: World, mentor: simcord.MemberActor) -> discord.Message:
    await not_yet(world, mentor)
    await world.env.advance_time(WEEK + 60)
    [nudge] = nudges(world.student)
    return nudge


async def test_not_yet_brings_exactly_one_kind_nudge_a_week_later_even_across_restarts(
    world: World, mentor: simcord.MemberActor, make_bot: BotFactory
) -> None:
    await not_yet(world, mentor)
    to_mentor = len(dms(mentor))
    await world.env.advance_time(3 * DAY)
    await restart(world, make_bot)  # down and up again while the nudge is owed
    await world.env.advance_time(4 * DAY - 60)
    assert nudges(world.student) == []  # not before the week is up

    await world.env.advance_time(120)

    [nudge] = nudges(world.student)
    shown = message_text(nudge)
    assert mentor.mention in shown and "nothing is expected of you" in shown
    assert "organisers only ever see totals" in shown
    assert labels(nudge) == OPTIONS
    assert all(i and i.startswith("mentor:nudge:1:") for i in custom_ids(nudge))
    assert len(dms(mentor)) == to_mentor  # the mentor is not nudged
    await restart(world, make_bot)
    await world.env.advance_time(2 * WEEK)
    assert len(nudges(world.student)) == 1  # never a second one
    pressed = await world.student.user.click(nudge, label="Message my mentor")  # after a restart
    assert pressed.ephemeral and mentor.mention in text_of(pressed)
    assert world.env.errors == []


async def test_a_mentors_not_yet_nudges_no_one(world: World, mentor: simcord.MemberActor) -> None:
    await checked_in(world, mentor)
    answered = await mentor.user.click(dms(mentor)[-1], label="Not yet")
    assert "No rush" in text_of(answered) and "in a week" not in text_of(answered)
    await world.env.advance_time(2 * WEEK)
    assert nudges(world.student) == [] and nudges(mentor) == []


async def test_met_in_between_means_no_nudge(world: World, mentor: simcord.MemberActor) -> None:
    checkin = await not_yet(world, mentor)
    await world.env.advance_time(2 * DAY)
    met = await world.student.user.click(checkin, label="We've met")
    assert "Wonderful" in text_of(met)

    await world.env.advance_time(WEEK)  # (past when it was due; ended items go 7 days later)

    assert nudges(world.student) == []
    [outcome] = await world.bot.db.fetchall(
        "SELECT status, outcome FROM outbox WHERE topic = 'mentoring.nudge'"
    )
    assert (outcome["status"], outcome["outcome"]) == ("dropped", "no longer needed")


async def test_an_ended_pairing_means_no_nudge(world: World, mentor: simcord.MemberActor) -> None:
    await not_yet(world, mentor)
    started = await mentor.slash(world.general, "mentor rematch")
    await mentor.click(started.response.message, label=f"End my pairing with {world.student.user.name}")
    assert "come to an end" in message_text(dms(world.student)[-1])

    await world.env.advance_time(2 * WEEK)

    assert nudges(world.student) == []


async def test_pausing_before_the_week_is_up_means_no_nudge(
    world: World, mentor: simcord.MemberActor
) -> None:
    await not_yet(world, mentor)
    await world.student.slash(world.general, "mentor pause")
    await world.env.advance_time(2 * WEEK)
    assert nudges(world.student) == []


async def test_message_my_mentor_says_where_and_how_by_dm(world: World, mentor: simcord.MemberActor) -> None:
    nudge = await nudged(world, mentor)

    pressed = await world.student.user.click(nudge, label="Message my mentor")

    shown = text_of(pressed)
    assert pressed.ephemeral and mentor.mention in shown and r"**maya\_mentor**" in shown
    assert "press their name and choose Message" in shown and "Would a 20-minute chat" in shown
    assert (await world.bot.db.fetchval("SELECT COUNT(*) FROM mentoring_matches WHERE ended_at IS NULL")) == 1


async def test_message_my_mentor_links_the_private_thread(world: World, mentor: simcord.MemberActor) -> None:
    intros = world.guild.create_text_channel("mentoring")
    await world.admin.slash(world.general, "mentor intro-channel", channel=intros)
    nudge = await nudged(world, mentor)
    [thread] = intros.threads
    assert thread.mention in message_text(nudge)

    pressed = await world.student.user.click(nudge, label="Message my mentor")

    assert thread.mention in text_of(pressed) and "only the two of you" in text_of(pressed)


async def test_message_my_mentor_when_they_left_the_server_offers_someone_new(
    world: World, mentor: simcord.MemberActor
) -> None:
    nudge = await nudged(world, mentor)
    world.guild.remove_member(mentor)

    pressed = await world.student.user.click(nudge, label="Message my mentor")

    assert "left this server" in text_of(pressed) and "Ask for a different mentor" in text_of(pressed)


async def test_ask_for_a_different_mentor_uses_the_rematch_path(
    world: World, mentor: simcord.MemberActor
) -> None:
    nudge = await nudged(world, mentor)
    second = world.guild.add_member(world.env.create_user("nia_next"))
    cog: Any = world.bot.get_cog("Mentoring")
    await cog.service.offer(world.guild.id, second.id, year=3, experiences=[], capacity=1, hello="")

    changed = await world.student.user.click(nudge, label="Ask for a different mentor")

    assert changed.ephemeral and "found you a different mentor" in text_of(changed)
    assert "come to an end" in message_text(dms(mentor)[-1])
    assert world.student.mention in message_text(dms(second)[-1])
    status = await world.student.slash(world.general, "mentor status")
    assert second.mention in text_of(status) and mentor.mention not in text_of(status)
    again = await world.student.user.click(nudge, label="Ask for a different mentor")
    assert "already ended" in text_of(again)  # a second press ends nothing else
    assert world.env.errors == []


async def test_pause_pauses_their_participation_and_keeps_the_pairing(
    world: World, mentor: simcord.MemberActor
) -> None:
    nudge = await nudged(world, mentor)

    paused = await world.student.user.click(nudge, label="Pause mentoring for now")

    assert paused.ephemeral and "Paused" in text_of(paused) and "/mentor pause" in text_of(paused)
    status = await world.student.slash(world.general, "mentor status")
    assert "Paused" in text_of(status) and mentor.mention in text_of(status)  # still paired
    overview = text_of(await world.admin.slash(world.general, "mentor overview"))
    assert "1 more resting (the mentee paused)" in overview and "0 stalled" in overview


@pytest.mark.parametrize("choice", ["message", "different", "pause"])
async def test_forged_ids_and_other_members_get_a_kind_refusal_and_nothing_changes(
    world: World, mentor: simcord.MemberActor, choice: str
) -> None:
    await not_yet(world, mentor)
    bystander = world.guild.add_member(world.env.create_user("bea_bystander"))
    forged = [(world.student, f"mentor:nudge:{i}:{choice}") for i in ("0", "9999999999999999999", "424242")]
    others = [(member, f"mentor:nudge:1:{choice}") for member in (mentor, bystander)]
    for member, custom_id in forged + others:
        card = await old_card(world, member, ("Press", custom_id))
        pressed = await member.user.click(card, custom_id=custom_id)
        shown = text_of(pressed)
        assert pressed.ephemeral and shown.strip() and not ERROR.search(shown), (custom_id, shown)
        assert mentor.mention not in shown and "20-minute" not in shown
        if member is not world.student:
            assert "meant for someone else" in shown
    db = world.bot.db
    assert await db.fetchval("SELECT COUNT(*) FROM mentoring_matches WHERE ended_at IS NULL") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM mentoring_profiles WHERE paused = 1") == 0
    assert world.env.errors == []


async def test_the_overview_counts_stalled_pairings_and_never_shows_a_member(
    world: World, mentor: simcord.MemberActor
) -> None:
    await not_yet(world, mentor)  # one stalled: "not yet", no "we've met" since
    # A second pairing whose check-in nobody answers; its mentor then leaves the server.
    quiet_mentor = world.guild.add_member(world.env.create_user("quinn_quiet"))
    quiet_mentee = world.guild.add_member(world.env.create_user("remy_quiet"))
    await offer(world, quiet_mentor, 3, [])
    await request(world, quiet_mentee, 2, [])
    await world.env.advance_time(TWO_WEEKS + WEEK + 60)
    world.guild.remove_member(quiet_mentor)

    shown = await world.admin.slash(world.general, "mentor overview")

    text = text_of(shown)
    assert shown.ephemeral and "Stalled pairings" in text
    assert "2 stalled: 1 answered “not yet” with no “we've met” since, 1 with no answer" in text
    assert "<@" not in text  # never a mention
    for member in (mentor, world.student, quiet_mentor, quiet_mentee):
        assert str(member.id) not in text and member.user.name not in text
    assert "a former member" not in text  # counts only: no one is named at all, even as gone

    refused = await world.student.slash(world.general, "mentor overview")
    assert refused.ephemeral and "is for organisers" in text_of(refused)
    assert "stalled" not in text_of(refused).lower()
    assert world.env.errors == []
