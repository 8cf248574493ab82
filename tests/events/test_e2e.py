"""The events feature through SimCord: what organisers and students see, with time advanced."""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
import simcord

from tests.conftest import BotFactory, World, open_command_to

from .helpers import (
    cards,
    create,
    dms,
    everything_public,
    fields,
    local,
    local_dt,
    new_event_card,
    prepare,
    said,
)


async def test_create_posts_a_card_with_the_details_and_counts(world: World) -> None:
    await prepare(world)
    start = local(world, 3, 18, 30)
    done = await create(
        world,
        start=start,
        duration="2h",
        capacity=20,
        cost="Free",
        food="halal, vegetarian",
        accessibility="step-free, quiet room",
        **{"online-link": "https://meet.example/x"},
    )
    assert done.ephemeral and "Done" in said(done)
    [card] = cards(world.general, world.student)
    embed = card.embeds[0]
    assert embed.title == "Board games and chai"
    assert "Alcohol-free" in embed.description
    f = fields(card)
    ts = int(local_dt(start).timestamp())
    assert f"<t:{ts}:F>" in f["When"] and f"<t:{ts}:R>" in f["When"]
    assert f["Food"] == "halal, vegetarian"
    assert f["Accessibility"] == "step-free, quiet room"
    assert f["Online option"] == "Yes, you can join online"
    assert f["Places"] == "20 of 20 left"
    labels = [c["label"] for row in card.components for c in row.to_dict()["components"]]
    assert labels == ["Going", "Maybe", "Can't go", "Add to calendar"]

    going = await world.student.click(card, label="Going")
    assert going.ephemeral and "You're going" in going.response.content
    [card] = cards(world.general, world.student)
    assert fields(card)["Places"] == "19 of 20 left"
    assert fields(card)["Replies"] == "Going 1 · Maybe 0"
    assert world.env.errors == []


async def test_students_cannot_create_even_if_an_admin_shows_them_the_command(world: World) -> None:
    await prepare(world)
    await open_command_to(world, "event", world.student)
    result = await world.student.slash(
        world.general, "event create", kind="social", title="Mine", start=local(world, 2, 18), place="Here"
    )
    assert result.modal is None
    assert result.ephemeral and "for organisers" in result.response.content
    assert cards(world.general, world.admin) == []
    attendees = await world.student.slash(world.general, "event attendees", event=1)
    assert "for organisers" in attendees.response.content


async def test_the_organiser_must_confirm_alcohol_free(world: World) -> None:
    await prepare(world)
    result = await create(world, start=local(world, 3, 18), modal={"alcohol_free": False})
    assert result.ephemeral and "alcohol-free" in result.response.content
    assert cards(world.general, world.admin) == []


async def test_bad_input_gets_a_kind_private_message_and_nothing_is_saved(world: World) -> None:
    await prepare(world)
    cases = [
        ({"start": "someday soon-ish"}, "3 Dec 18:30"),
        ({"start": local(world, -1, 18)}, "already passed"),
        ({"start": local(world, 2, 18), "end": local(world, 2, 17)}, "end is before the start"),
        ({"start": local(world, 2, 18), "duration": "13h"}, "up to 12 hours"),
        ({"start": local(world, 2, 18), "capacity": 0}, "at least 1"),
        ({"start": local(world, 2, 18), "community": "no-such-place"}, "can't find a community"),
        ({"start": local(world, 2, 18), "repeat": "weekly", "until": "2030-01-01"}, "up to a year"),
    ]
    for options, says in cases:
        result = await create(world, **options)
        assert result.modal is None, options
        assert result.ephemeral and says in result.response.content, (options, result.response.content)
    too_long = await create(world, start=local(world, 2, 18), food="x" * 201)
    assert too_long.modal is None and "the limit is 200" in too_long.response.content
    assert cards(world.general, world.admin) == []
    assert world.env.errors == []


async def test_capacity_two_three_students_waiting_list_and_promotion_dm(world: World) -> None:
    await prepare(world)
    third = world.guild.add_member(world.env.create_user("tia_third"))
    await create(world, start=local(world, 4, 18), capacity=2)
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    await world.organiser.click(card, label="Going")
    waiting = await third.click(card, label="Going")
    assert "waiting list: number 1" in waiting.response.content
    [card] = cards(world.general, world.student)
    assert fields(card)["Places"].startswith("Full, 1 on the waiting list")

    mine = await third.slash(world.general, "event mine")
    assert "Waiting list, number 1" in str(mine.response.embeds[0].to_dict())

    await world.student.click(card, label="Can't go")
    await world.env.settle()
    assert any("a place opened up" in text for text in dms(third))
    mine = await third.slash(world.general, "event mine")
    assert "Going (moved up from the waiting list)" in str(mine.response.embeds[0].to_dict())
    [card] = cards(world.general, world.student)
    assert fields(card)["Replies"] == "Going 2 · Maybe 0"


async def test_promotion_with_closed_dms_shows_in_event_mine(world: World) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=1)
    await world.organiser.click(card, label="Going")
    await world.student.click(card, label="Going")
    world.env.inject_error(
        "POST", f"/channels/{world.student.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )
    await world.organiser.click(card, label="Can't go")
    mine = await world.student.slash(world.general, "event mine")
    text = str(mine.response.embeds[0].to_dict())
    assert "couldn't DM you" in text and "Going" in text
    assert world.env.errors == []


async def test_attendee_names_never_appear_in_public_but_organisers_see_them(world: World) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=1)
    await world.student.click(card, label="Going")
    await world.admin.click(card, label="Going")
    await world.organiser.click(card, label="Maybe")
    public = everything_public(world.general, world.organiser)
    for member in (world.student, world.admin):
        assert str(member.id) not in public and member.name not in public

    result = await world.organiser.slash(world.general, "event attendees", event=1)
    assert result.ephemeral
    [page] = [*([result.response] if result.response else []), *result.followups]
    assert page.ephemeral
    text = page.embeds[0].description
    # Display names as plain text (issue 17), never mentions or raw ids.
    assert "**Going (1)**\nsam\\_student" in text
    assert "**Waiting list, in order (1)**\n1. ada\\_admin" in text
    assert "**Maybe (1)**\nolu\\_organiser" in text
    assert "<@" not in str(page.embeds[0].to_dict()) and str(world.student.id) not in text
    # The organiser's private list is not in the channel for others either.
    assert str(world.student.id) not in everything_public(world.general, world.admin)


async def test_add_to_calendar_is_private_and_parses_with_the_right_times(world: World) -> None:
    await prepare(world)
    start = local(world, 5, 18, 30)
    await create(world, start=start, duration="90 min")
    [card] = cards(world.general, world.student)
    result = await world.student.click(card, label="Add to calendar")
    assert result.ephemeral
    [attachment] = result.response.attachments
    assert attachment.filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(await attachment.read())
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == local_dt(start)
    assert vevent.decoded("dtend") == local_dt(start) + timedelta(minutes=90)
    assert "alcohol-free" in str(vevent.get("summary"))

    await world.student.click(card, label="Going")
    mine = await world.student.slash(world.general, "event calendar")
    assert mine.ephemeral
    whole = icalendar.Calendar.from_ical(await mine.response.attachments[0].read())
    assert len(whole.walk("VEVENT")) == 1


async def test_reminders_arrive_at_the_right_times_and_respect_the_off_switch(world: World) -> None:
    await prepare(world)
    third = world.guild.add_member(world.env.create_user("tia_third"))
    await create(world, start=local(world, 3, 18))
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    await third.click(card, label="Going")
    off = await third.slash(world.general, "event reminders", state="off")
    assert off.ephemeral and "off" in off.response.content
    event = await world.bot.get_cog("Events").service.get(1)  # type: ignore[union-attr]

    await world.env.advance_time((event.start - world.env.now()).total_seconds() - 24 * 3600 - 60)
    assert not any("Reminder" in t for t in dms(world.student))
    await world.env.advance_time(120)
    assert sum("Reminder" in t for t in dms(world.student)) == 1
    await world.env.advance_time(23 * 3600)
    assert sum("Reminder" in t for t in dms(world.student)) == 2
    assert not any("late" in t for t in dms(world.student))
    assert not any("Reminder" in t for t in dms(third))


async def test_a_restart_between_creation_and_reminder_gives_exactly_one(
    world: World, make_bot: BotFactory
) -> None:
    card = await new_event_card(world, start=local(world, 3, 18))
    await world.student.click(card, label="Going")
    await world.env.restart_bot(make_bot())
    await world.env.advance_time(3 * 24 * 3600 + 17.5 * 3600)
    assert sum("Reminder" in t for t in dms(world.student)) == 2  # 24 h and 1 h, once each
    await world.env.restart_bot(make_bot())
    await world.env.advance_time(3600)
    assert sum("Reminder" in t for t in dms(world.student)) == 2
    # Buttons still work after a restart (persistent components).
    result = await world.student.click(card, label="Maybe")
    assert "started" in result.response.content


async def test_a_reminder_missed_in_downtime_is_sent_late_once_or_not_at_all(
    world: World, make_bot: BotFactory
) -> None:
    card = await new_event_card(world, start=local(world, 3, 18))
    await world.student.click(card, label="Going")
    event = await world.bot.get_cog("Events").service.get(1)  # type: ignore[union-attr]
    # The bot goes down 25 h before the start and is back 23 h before it.
    await world.env.advance_time((event.start - world.env.now()).total_seconds() - 25 * 3600)
    world.bot.scheduler.shutdown()
    await world.env.advance_time(2 * 3600)
    await world.env.restart_bot(make_bot())
    await world.env.settle()
    reminders = [t for t in dms(world.student) if "Reminder" in t]
    assert len(reminders) == 1 and "late" in reminders[0]
    # Down again over the start: the 1 h reminder is skipped, not sent after the event began.
    world.bot.scheduler.shutdown()
    await world.env.advance_time(23 * 3600 + 60)
    await world.env.restart_bot(make_bot())
    await world.env.advance_time(3600)
    assert len([t for t in dms(world.student) if "Reminder" in t]) == 1


async def test_fortnightly_series_keeps_18_00_local_across_the_clock_change(world: World) -> None:
    await prepare(world)
    # SimCord starts in 2026 or later; choose the next October so the series crosses the change.
    today = world.env.now().astimezone(local_dt("2026-01-01 00:00").tzinfo)
    year = today.year if today.month < 10 else today.year + 1
    done = await create(
        world,
        kind="workshop",
        title="Managing stress",
        start=f"{year}-10-13 18:00",
        repeat="fortnightly",
        times=4,
        modal={"facilitators": "Dr Okafor (graduate)", "theme": "Managing stress"},
    )
    assert "series of 4" in said(done)
    service = world.bot.get_cog("Events").service  # type: ignore[union-attr]
    events = await service.upcoming(world.guild.id)
    local_times = [e.start.astimezone(local_dt("2026-01-01 00:00").tzinfo).strftime("%H:%M") for e in events]
    assert local_times == ["18:00"] * 4
    assert events[0].start.hour != events[2].start.hour  # UTC moves, local time does not
    scheduled = world.env.backend.get_guild(world.guild.id).scheduled_events
    assert len(scheduled) == 4


async def test_edit_and_cancel_notify_going_and_waiting_and_the_mirror_follows(world: World) -> None:
    await prepare(world)
    third = world.guild.add_member(world.env.create_user("tia_third"))
    maybe = world.guild.add_member(world.env.create_user("max_maybe"))
    await create(world, start=local(world, 4, 18), capacity=1)
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Going")
    await third.click(card, label="Going")
    await maybe.click(card, label="Maybe")
    guild = world.env.backend.get_guild(world.guild.id)
    [mirror] = guild.scheduled_events.values()
    assert mirror.name == "Board games and chai"

    new_start = local(world, 5, 19)
    edited = await world.organiser.slash(
        world.general, "event edit", event=1, start=new_start, place="Library"
    )
    assert "told 2 of 2" in said(edited)
    assert any("has changed" in t and "Library" in t for t in dms(world.student))
    assert any("has changed" in t for t in dms(third))
    assert not any("has changed" in t for t in dms(maybe))
    [card] = cards(world.general, world.student)
    assert f"<t:{int(local_dt(new_start).timestamp())}:F>" in fields(card)["When"]
    assert fields(card)["Where"] == "Library"
    assert mirror.entity_metadata == {"location": "Library"}
    assert mirror.scheduled_start_time.startswith(
        local_dt(new_start).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )

    cancelled = await world.organiser.slash(world.general, "event cancel", event=1)
    assert cancelled.ephemeral
    assert any("has been cancelled" in t for t in dms(world.student))
    assert any("has been cancelled" in t for t in dms(third))
    assert not any("cancelled" in t for t in dms(maybe))
    [card] = cards(world.general, world.student)
    assert card.embeds[0].title.startswith("Cancelled")
    assert card.components == []
    assert mirror.status == 4  # cancelled in the Events tab
    mine = await third.slash(world.general, "event mine")
    assert "Cancelled by the organisers" in str(mine.response.embeds[0].to_dict())
    assert world.env.errors == []


async def test_mirror_can_be_switched_off(world: World) -> None:
    await prepare(world)
    result = await world.organiser.slash(world.general, "event settings", mirror=False)
    assert "Events tab off" in result.response.content
    await create(world, start=local(world, 4, 18))
    assert world.env.backend.get_guild(world.guild.id).scheduled_events == {}


async def test_community_events_post_in_its_channel_and_only_its_members_can_reply(world: World) -> None:
    await prepare(world)
    import discord

    member_role = world.guild.create_role("Faith community")
    channel = world.guild.create_text_channel(
        "faith-and-belief",
        overwrites={
            world.guild.default_role: discord.PermissionOverwrite(view_channel=False),
            member_role: discord.PermissionOverwrite(view_channel=True),
            world.guild.roles["TestBot"]: discord.PermissionOverwrite(view_channel=True),
        },
    )
    insider = world.guild.add_member(world.env.create_user("ines_insider"), roles=[member_role])
    await create(world, start=local(world, 4, 18), community="#faith-and-belief")
    assert cards(world.general, world.admin) == []
    [card] = cards(channel, insider)
    assert (await insider.click(card, label="Going")).response.content.startswith("You're going")
    # The Events tab is visible to the whole server, so community events are not mirrored there.
    assert world.env.backend.get_guild(world.guild.id).scheduled_events == {}
    # A student who can't see the channel doesn't see the event in /event list either.
    listed = await world.student.slash(world.general, "event list")
    assert "Nothing is scheduled" in listed.response.content
    listed = await insider.slash(world.general, "event list")
    assert "Board games" in str(listed.response.embeds[0].to_dict())


async def test_event_list_is_paged(world: World) -> None:
    await prepare(world)
    for day in range(1, 8):
        await create(world, title=f"Social {day}", start=local(world, day, 18))
    result = await world.student.slash(world.general, "event list")
    first = result.response.embeds[0]
    assert first.footer.text == "Page 1 of 2" and len(first.fields) == 5
    message = result.response.message
    page_two = await world.student.click(message, label="Next")
    assert page_two.response.embeds[0].footer.text == "Page 2 of 2"
    assert "Social 6" in page_two.response.embeds[0].fields[0].name


async def test_an_announcements_channel_is_needed_first(world: World) -> None:
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    result = await create(world, start=local(world, 4, 18))
    assert "/setup channel" in result.response.content
    assert isinstance(world.env, simcord.Env)


async def test_series_cards_open_two_weeks_ahead_and_cancel_the_rest(world: World) -> None:
    await prepare(world)
    student_events = world.student
    done = await create(world, title="Weekly walk", start=local(world, 3, 18), repeat="weekly", times=4)
    assert "series of 4" in said(done)
    # Occurrences within two weeks have their card; later ones get it two weeks before.
    assert len(cards(world.general, student_events)) == 2
    # The third is on day 17 at 18:00, so its card is due on day 3 at 18:00.
    await world.env.advance_time(3 * 24 * 3600 + 17 * 3600)
    assert len(cards(world.general, student_events)) == 2
    await world.env.advance_time(3600 + 60)
    assert len(cards(world.general, student_events)) == 3
    listed = await world.student.slash(world.general, "event list")
    assert "replies open two weeks before" in str(listed.response.embeds[0].to_dict())

    second = cards(world.general, student_events)[1]
    await world.student.click(second, label="Going")
    result = await world.organiser.slash(world.general, "event cancel", event=2, scope="rest")
    assert "Cancelled 3 events" in said(result)
    titles = [c.embeds[0].title for c in cards(world.general, student_events)]
    assert titles[1:] == ["Cancelled: Weekly walk", "Cancelled: Weekly walk"]
    assert not titles[0].startswith("Cancelled")
    await world.env.advance_time(14 * 24 * 3600)
    assert len(cards(world.general, student_events)) == 3  # the cancelled fourth is never posted
    assert sum("has been cancelled" in t for t in dms(world.student)) == 1
    statuses = sorted(e.status for e in world.env.backend.get_guild(world.guild.id).scheduled_events.values())
    assert statuses.count(4) == 3


async def test_per_server_lead_times_and_maybe_reminders(world: World) -> None:
    await prepare(world)
    result = await world.organiser.slash(
        world.general, "event settings", **{"reminder-hours": "2", "remind-maybe": True}
    )
    assert "reminders 2 h before" in result.response.content and "Maybe included" in result.response.content
    await create(world, start=local(world, 2, 18))
    [card] = cards(world.general, world.student)
    await world.student.click(card, label="Maybe")
    # Day 2 at 16:00 is the only reminder.
    await world.env.advance_time(2 * 24 * 3600 + 16 * 3600 - 60)
    assert dms(world.student) == []
    await world.env.advance_time(120)
    assert sum("Reminder" in t for t in dms(world.student)) == 1
    bad = await world.organiser.slash(world.general, "event settings", **{"reminder-hours": "soon"})
    assert "hours" in bad.response.content and world.env.errors == []


async def test_event_autocomplete_and_empty_states(world: World) -> None:
    await prepare(world)
    mine = await world.student.slash(world.general, "event mine")
    assert mine.ephemeral and "haven't replied" in mine.response.content
    calendar = await world.student.slash(world.general, "event calendar")
    assert calendar.ephemeral and "Press Going" in calendar.response.content
    await create(world, title="Chai and chat", start=local(world, 2, 18))
    await create(world, title="Managing stress", kind="workshop", start=local(world, 3, 18))
    choices = await world.organiser.autocomplete(world.general, "event attendees", "event", "stress")
    assert [c["value"] for c in choices] == [2]
    assert "Managing stress" in choices[0]["name"]
    nothing = await world.organiser.slash(world.general, "event edit", event=1)
    assert "what to change" in nothing.response.content
    gone = await world.organiser.slash(world.general, "event attendees", event=99)
    assert "can't find" in gone.response.content
    assert world.env.errors == []


async def test_a_failing_events_tab_does_not_lose_the_event(world: World) -> None:
    await prepare(world)
    world.env.inject_error("POST", "/guilds/*/scheduled-events", status=403, code=50013, times=None)
    done = await create(world, start=local(world, 2, 18))
    assert "Done" in said(done) and "Manage Events" in said(done)
    assert len(cards(world.general, world.student)) == 1
    assert world.env.errors == []


async def test_a_card_that_cannot_be_posted_saves_nothing(world: World) -> None:
    await prepare(world)
    world.env.inject_error(
        "POST", f"/channels/{world.general.id}/messages", status=403, code=50013, times=None
    )
    done = await create(world, start=local(world, 2, 18))
    assert "haven't saved the event" in said(done)
    listed = await world.student.slash(world.general, "event list")
    assert "Nothing is scheduled" in listed.response.content
    assert world.env.errors == []
