"""Events through the outbox, under SimCord: Discord failing (503, 500, 429, 403) and the bot
crashing in the middle of sending reminders, waiting-list places, notices and cards.

A crash is a BaseException raised from inside the bot (nothing in the bot catches it), then a
restart with a fresh bot on the same database, as after the process was killed.
"""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord

import bot.outbox
from bot.services.events import EventService
from cogs.events import Events
from tests.conftest import BotFactory, World
from tests.outbox.helpers import crash_after_delivering, crash_on, crashed

from .helpers import cards, create, fields, local, new_event_card, prepare, said


@pytest.fixture(autouse=True)
def steady_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries 10 minutes apart (the real back-off starts at a few seconds and is tested in
    tests/outbox): no retry falls due in the middle of a test's own interactions, where
    SimCord would fire it on the wall clock."""
    monkeypatch.setattr(bot.outbox, "backoff", lambda attempts, rng=None: 600.0)


def dms(member: simcord.MemberActor) -> list[str]:
    channel = member.user.dm_channel
    return [] if channel is None else [m.content for m in channel.history()]


def count(member: simcord.MemberActor, words: str) -> int:
    return sum(words in text for text in dms(member))


def cog(world: World) -> Events:
    found = world.bot.get_cog("Events")
    assert isinstance(found, Events)
    return found


async def dm_path(world: World, member: simcord.MemberActor) -> str:
    channel = await world.bot.create_dm(discord.Object(id=member.id))
    return f"/channels/{channel.id}/messages"


def students(world: World, n: int, prefix: str = "student") -> list[simcord.MemberActor]:
    return [world.guild.add_member(world.env.create_user(f"{prefix}{i}")) for i in range(n)]


async def going_to_a_new_event(world: World, n: int, **options: Any) -> list[simcord.MemberActor]:
    """``n`` new students who all pressed Going on a new event's card."""
    card = await new_event_card(world, **options)
    going = students(world, n)
    for member in going:
        await member.click(card, label="Going")
    return going


async def restart(world: World, make_bot: BotFactory) -> None:
    """The process is gone: nothing of the old bot runs any more (its scheduler included)."""
    world.bot.scheduler.shutdown()
    await world.env.restart_bot(make_bot())


async def each_told_once_after_restart(
    world: World, make_bot: BotFactory, members: list[simcord.MemberActor], words: str
) -> list[int]:
    """After the crash and a restart, every member has the message, at most one of them twice
    (the one Discord accepted just before the crash); how many each has."""
    assert crashed(world.env)
    await restart(world, make_bot)
    await world.env.advance_time(60)
    counts = [count(m, words) for m in members]
    assert min(counts) == 1, "every member got the message"
    assert sum(counts) <= len(members) + 1, "one crash repeats at most one message"
    return counts


async def until_start(world: World, hours_before: float) -> None:
    """Advance to ``hours_before`` the start of event 1, plus a minute."""
    event = await cog(world).service.get(1)
    seconds = (event.start - world.env.now()).total_seconds() - hours_before * 3600 + 60
    await world.env.advance_time(seconds)


async def wait_a_while(world: World, hours: int = 3) -> None:
    for _ in range(hours * 4):
        await world.env.advance_time(15 * 60)


# -- reminders ---------------------------------------------------------------------------------


async def test_a_reminder_to_40_with_a_crash_mid_send_reaches_everyone_once_after_restart(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    forty = await going_to_a_new_event(world, 40, start=local(world, 3, 18))
    crash_after_delivering(monkeypatch, world.bot.outbox.service, 17)
    await until_start(world, 24)
    assert sum(count(s, "Reminder") for s in forty) == 18

    counts = await each_told_once_after_restart(world, make_bot, forty, "Reminder")
    # The reminder job does not run again after the restart (it was queued, with its DMs).
    await restart(world, make_bot)
    await world.env.advance_time(3600)
    assert [count(s, "Reminder") for s in forty] == counts


async def test_reminders_survive_503_500_and_429_and_closed_dms_are_not_retried(world: World) -> None:
    card = await new_event_card(world, start=local(world, 3, 18))
    flaky, broken, limited, closed, fine = students(world, 5)
    for member in (flaky, broken, limited, closed, fine):
        await member.click(card, label="Going")
    world.env.inject_error("POST", await dm_path(world, flaky), status=503, times=6)
    world.env.inject_error(
        "POST", await dm_path(world, broken), status=500, times=8
    )  # > discord.py's retries
    world.env.inject_error("POST", await dm_path(world, limited), status=429, times=3)
    closed_path = await dm_path(world, closed)
    world.env.inject_error("POST", closed_path, status=403, code=50007, times=None)
    await until_start(world, 24)
    assert count(fine, "Reminder") == 1
    await wait_a_while(world)
    for member in (flaky, broken, limited, fine):
        assert count(member, "Reminder") == 1, member.name
    assert count(closed, "Reminder") == 0
    tries = [r for r in world.env.http_requests if r.method == "POST" and r.path == closed_path]
    assert len(tries) == 1
    item = await world.bot.outbox.service.by_key("events.reminder:1:86400", closed.id)
    assert item is not None and (item.status, item.outcome) == ("failed", "dms-closed")


async def test_a_reminder_whose_event_started_before_it_could_be_sent_is_dropped(world: World) -> None:
    await prepare(world)
    await world.organiser.slash(world.general, "event settings", **{"reminder-hours": "0.25"})
    await create(world, start=local(world, 2, 18))
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    world.env.inject_error("POST", await dm_path(world, world.student), status=503, times=30)
    await until_start(world, 0.25)
    assert count(world.student, "Reminder") == 0
    await wait_a_while(world, hours=2)  # Discord recovers (30 refusals) well after the start
    assert count(world.student, "Reminder") == 0
    item = await world.bot.outbox.service.by_key("events.reminder:1:900", world.student.id)
    assert item is not None and (item.status, item.outcome) == ("dropped", "too late to matter")


async def test_a_reminder_for_someone_who_said_cant_go_since_is_not_sent(world: World) -> None:
    card = await new_event_card(world, start=local(world, 3, 18))
    await world.student.click(card, label="Going")
    world.env.inject_error("POST", await dm_path(world, world.student), status=503, times=6)
    await until_start(world, 24)  # refused, and retried with back-off: minutes go by
    assert count(world.student, "Reminder") == 0
    await world.student.click(card, label="Can't go")
    await wait_a_while(world, hours=1)
    assert count(world.student, "Reminder") == 0
    item = await world.bot.outbox.service.by_key("events.reminder:1:86400", world.student.id)
    assert item is not None and (item.status, item.outcome) == ("dropped", "no longer needed")


# -- waiting-list places -----------------------------------------------------------------------


async def full_event_with_a_waiting_student(world: World) -> discord.Message:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=1)
    await world.organiser.click(card, label="Going")
    await world.student.click(card, label="Going")
    return card


async def test_a_promotion_dm_refused_with_503s_is_delivered_after_recovery(world: World) -> None:
    card = await full_event_with_a_waiting_student(world)
    path = await dm_path(world, world.student)
    world.env.inject_error("POST", path, status=503, times=5)
    await world.organiser.click(card, label="Can't go")
    assert count(world.student, "a place opened up") == 0
    mine = await world.student.slash(world.general, "event mine")
    text = str(mine.response.embeds[0].to_dict())
    assert "Going (moved up from the waiting list)" in text and "couldn't DM you" not in text
    await wait_a_while(world)
    assert count(world.student, "a place opened up") == 1
    tries = [r for r in world.env.http_requests if r.method == "POST" and r.path == path]
    assert len(tries) == 6
    mine = await world.student.slash(world.general, "event mine")
    assert "couldn't DM you" not in str(mine.response.embeds[0].to_dict())


async def test_a_promotion_dm_with_closed_dms_shows_in_event_mine_after_a_restart(
    world: World, make_bot: BotFactory
) -> None:
    card = await full_event_with_a_waiting_student(world)
    world.env.inject_error("POST", await dm_path(world, world.student), status=403, code=50007, times=None)
    await world.organiser.click(card, label="Can't go")
    await world.env.settle()
    await restart(world, make_bot)
    mine = await world.student.slash(world.general, "event mine")
    text = str(mine.response.embeds[0].to_dict())
    assert "couldn't DM you" in text and "Going" in text
    assert world.env.errors == []


async def test_a_crash_while_telling_people_they_moved_up_tells_each_once(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=2)
    await world.student.click(card, label="Going")
    await world.organiser.click(card, label="Going")
    waiting = students(world, 6, "waiting")
    for member in waiting:
        await member.click(card, label="Going")
    crash_after_delivering(monkeypatch, world.bot.outbox.service, 2)
    raised = await world.organiser.slash(world.general, "event edit", event=1, capacity=8)
    assert raised is not None
    await each_told_once_after_restart(world, make_bot, waiting, "a place opened up")


# -- edit and cancel notices -------------------------------------------------------------------


async def test_edit_and_cancel_notices_get_through_503_429_and_report_the_rest_as_on_their_way(
    world: World,
) -> None:
    card = await new_event_card(world, start=local(world, 4, 18))
    flaky, limited, closed = students(world, 3)
    for member in (world.student, flaky, limited, closed):
        await member.click(card, label="Going")
    world.env.inject_error("POST", await dm_path(world, flaky), status=503, times=2)
    world.env.inject_error("POST", await dm_path(world, limited), status=429, times=1)
    world.env.inject_error("POST", await dm_path(world, closed), status=403, code=50007, times=None)
    edited = await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    assert "told 1 of 4" in said(edited) and "The other 2 people will get it" in said(edited)
    await wait_a_while(world, hours=1)
    for member in (world.student, flaky, limited):
        assert count(member, "has changed") == 1, member.name
    assert count(closed, "has changed") == 0

    world.env.inject_error("POST", await dm_path(world, flaky), status=503, times=1)
    cancelled = await world.organiser.slash(world.general, "event cancel", event=1)
    assert "told 2 of 4" in said(cancelled) and "The other 1 person" in said(cancelled)
    await wait_a_while(world, hours=1)
    for member in (world.student, flaky, limited):
        assert count(member, "has been cancelled") == 1, member.name
    # A change notice still owed when the event is cancelled is dropped: the cancellation says it.
    assert count(closed, "has been cancelled") == 0


async def test_a_crash_while_sending_cancel_notices_tells_each_once(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    going = await going_to_a_new_event(world, 8, start=local(world, 4, 18))
    crash_after_delivering(monkeypatch, world.bot.outbox.service, 3)
    await world.organiser.slash(world.general, "event cancel", event=1)
    await each_told_once_after_restart(world, make_bot, going, "has been cancelled")


async def test_a_notice_owed_before_a_crash_is_sent_after_the_restart(
    world: World, make_bot: BotFactory
) -> None:
    card = await new_event_card(world, start=local(world, 4, 18))
    await world.student.click(card, label="Going")
    world.env.inject_error("POST", await dm_path(world, world.student), status=503, times=1)
    edited = await world.organiser.slash(world.general, "event edit", event=1, place="Library")
    assert "told 0 of 1" in said(edited)
    await restart(world, make_bot)  # the retry was armed in the old bot's memory only
    await world.env.advance_time(11 * 60)
    assert count(world.student, "has changed") == 1


# -- cards -------------------------------------------------------------------------------------


async def weekly_series(world: World) -> None:
    await prepare(world)
    await create(world, title="Weekly walk", start=local(world, 3, 18), repeat="weekly", times=4)
    assert len(cards(world.general, world.student)) == 2


async def to_third_card(world: World) -> None:
    """The third occurrence's card falls due on day 3 at 18:00 (two weeks before it)."""
    await world.env.advance_time(3 * 24 * 3600 + 18 * 3600 + 60)


async def test_no_duplicate_card_after_a_crash_between_posting_and_saving(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await weekly_series(world)
    crash_on(monkeypatch, cog(world).service, "set_card")
    await to_third_card(world)
    assert len(cards(world.general, world.student)) == 3
    assert crashed(world.env)
    assert (await cog(world).service.get(3)).message_id is None

    await restart(world, make_bot)
    await world.env.advance_time(3600)
    posted = cards(world.general, world.student)
    assert len(posted) == 3
    event = await cog(world).service.get(3)
    assert event.message_id == posted[2].id
    # The adopted card works: replies land on it.
    await world.student.click(posted[2], label="Going")
    assert fields(cards(world.general, world.student)[2])["Replies"] == "Going 1 · Maybe 0"


async def test_no_duplicate_first_card_after_a_crash_between_posting_and_saving(
    world: World, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await prepare(world)
    crash_on(monkeypatch, EventService, "set_card")
    await create(world, start=local(world, 3, 18))
    assert len(cards(world.general, world.student)) == 1
    assert crashed(world.env)
    monkeypatch.undo()
    await restart(world, make_bot)
    await world.env.advance_time(60)
    [card] = cards(world.general, world.student)
    assert (await cog(world).service.get(1)).message_id == card.id


async def test_a_card_refused_with_503_is_posted_later_once(world: World) -> None:
    await weekly_series(world)
    world.env.inject_error("POST", f"/channels/{world.general.id}/messages", status=503, times=6)
    await to_third_card(world)
    assert len(cards(world.general, world.student)) == 2
    await wait_a_while(world, hours=1)
    posted = cards(world.general, world.student)
    assert len(posted) == 3
    assert (await cog(world).service.get(3)).message_id == posted[2].id


async def test_a_first_card_refused_with_503_is_saved_and_posted_when_discord_recovers(world: World) -> None:
    await prepare(world)
    world.env.inject_error("POST", f"/channels/{world.general.id}/messages", status=503, times=2)
    done = await create(world, start=local(world, 3, 18))
    assert "Saved" in said(done) and "in a moment" in said(done)
    await wait_a_while(world, hours=1)
    [card] = cards(world.general, world.student)
    assert (await cog(world).service.get(1)).message_id == card.id


async def test_a_card_the_bot_may_not_post_alerts_organisers_once_and_is_posted_once_fixed(
    world: World,
) -> None:
    staff = world.guild.create_text_channel("organisers")
    await world.admin.slash(world.general, "setup channel", purpose="organisers", channel=staff)
    await weekly_series(world)
    path = f"/channels/{world.general.id}/messages"
    world.env.inject_error("POST", path, status=403, code=50013, times=3)
    await to_third_card(world)  # the third card is refused ...
    await world.env.advance_time(7 * 24 * 3600)  # ... and the fourth, then retried every 15 min
    alerts = [
        m.content for m in staff.history(viewer=world.admin) if "couldn't post an event card" in m.content
    ]
    assert len(alerts) == 1
    posted = cards(world.general, world.student)
    assert len(posted) == 4
    service = cog(world).service
    assert [(await service.get(i)).message_id for i in (3, 4)] == [posted[2].id, posted[3].id]


async def test_a_cancelled_event_s_owed_card_is_never_posted(world: World) -> None:
    await weekly_series(world)
    world.env.inject_error("POST", f"/channels/{world.general.id}/messages", status=503, times=6)
    await to_third_card(world)
    await world.organiser.slash(world.general, "event cancel", event=3)
    await wait_a_while(world, hours=1)
    assert len(cards(world.general, world.student)) == 2
    item = await world.bot.outbox.service.by_key("events.card:3:0")
    assert item is not None and (item.status, item.outcome) == ("dropped", "no longer needed")


async def test_forget_me_moves_the_waiting_list_up_and_tells_them(world: World) -> None:
    card = await full_event_with_a_waiting_student(world)
    asked = await world.organiser.slash(world.general, "privacy forget-me")
    await world.organiser.click(asked.response.message, label="Erase everything about me")
    await world.env.settle()
    assert count(world.student, "a place opened up") == 1
    [card] = cards(world.general, world.student)
    assert card is not None
