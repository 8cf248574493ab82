"""Reminders and card posts are armed an hour ahead, by one window job (issue #15).

Start-up on a database with a term's reminders must not create one scheduler job per stored
reminder; every reminder must still fire on time, measured on the virtual clock.
"""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import BotFactory, World

from .helpers import cards, create, dms, local, prepare


def reminder_jobs(world: World) -> list[str]:
    return [job.id for job in world.bot.scheduler.jobs() if job.id.startswith("event-")]


async def test_only_the_next_hour_is_armed_and_each_reminder_fires_within_a_second(
    world: World, make_bot: BotFactory
) -> None:
    await prepare(world)
    # A weekly series of four: eight reminders stored, none due within the hour.
    await create(world, start=local(world, 3, 18), repeat="weekly", times=4)
    [card, *_] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    service = world.bot.get_cog("Events").service  # type: ignore[union-attr]
    pending = await service.pending_reminders()
    assert len(pending) == 8
    assert reminder_jobs(world) == ["event-window"]  # nothing armed yet but the window job

    # After a restart too: the window job, and nothing a week away.
    world.bot.scheduler.shutdown()
    await world.env.restart_bot(make_bot())
    await world.env.settle()
    assert reminder_jobs(world) == ["event-window"]

    first = min(r.due_at for r in pending if r.event_id == card_event_id(card))
    due = world.env.now().fromtimestamp(first, tz=world.env.now().tzinfo)
    await world.env.advance_time((due - world.env.now()).total_seconds() - 1)
    assert not any("Reminder" in t for t in dms(world.student))
    await world.env.advance_time(1)
    await world.env.settle()
    reminders = [m for m in world.student.user.dm_channel.history() if "Reminder" in m.content]
    assert len(reminders) == 1
    assert abs(reminders[0].created_at - due) <= timedelta(seconds=1)


def card_event_id(card: object) -> int:
    # The Going button's custom id is ``event:going:<id>``.
    for row in card.components:  # type: ignore[attr-defined]
        for component in row.to_dict()["components"]:
            if component.get("custom_id", "").startswith("event:going:"):
                return int(component["custom_id"].rsplit(":", 1)[1])
    raise AssertionError("no Going button")
