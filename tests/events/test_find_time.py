"""Find a time (issue #19) end to end through SimCord: private choices, counts only, the
organisers' ranking, creating the event at a time, and one DM to each who could make it."""

from __future__ import annotations

from datetime import timedelta

import discord

from tests.conftest import World, organisers_channel

from .helpers import dms, local, prepare


def poll_card(world: World) -> discord.Message:
    [card] = [
        m
        for m in world.general.history(viewer=world.student)
        if m.embeds and (m.embeds[0].title or "").startswith("Find a time")
    ]
    return card


def everything(message: discord.Message) -> str:
    return message.content + " ".join(str(e.to_dict()) for e in message.embeds)


async def posted_buttons(world: World, content: str, *buttons: tuple[str, str]) -> discord.Message:
    """A message in #general with buttons of these (label, custom id): a copied or forged card,
    kept nowhere in memory, so only the registered persistent items can answer it."""
    view = discord.ui.View(timeout=None)
    for label, custom_id in buttons:
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id))
    view.stop()
    await world.bot.get_partial_messageable(world.general.id).send(content, view=view)
    [message] = [m for m in world.general.history(viewer=world.student) if m.content == content]
    return message


async def test_students_choose_privately_organisers_see_counts_and_the_event_tells_those_who_can(
    world: World,
) -> None:
    await prepare(world)
    organisers = await organisers_channel(world)
    second = world.guild.add_member(world.env.create_user("priya_second"))
    third = world.guild.add_member(world.env.create_user("tomos_third"))
    times = "; ".join(local(world, d, 18) for d in (5, 6, 8))
    made = await world.organiser.slash(
        world.general,
        "event find-time",
        title="Study skills",
        times=times,
        closes=local(world, 3, 17),
        place="Library room 4",
    )
    assert made.ephemeral and "Posted" in made.response.content, made.response.content
    card = poll_card(world)

    chose = await world.student.select(card, ["0", "2"], custom_id=f"event:poll:{1}")
    assert chose.ephemeral and "Saved privately" in chose.response.content
    await second.select(card, ["2"], custom_id="event:poll:1")
    await second.click(card, label="I have caring or work commitments")
    await third.select(card, ["0"], custom_id="event:poll:1")
    card = poll_card(world)
    shown = everything(card)
    assert "3 answered" in shown and [f.value for f in card.embeds[0].fields] == [
        "2 people can come",
        "0 people can come",
        "2 people can come",
    ]
    # The public card never counts commitments: a count that changed the moment one person pressed
    # would point at them.
    assert "of them with caring or work commitments" not in shown
    for person in (world.student, second, third):  # counts only: nobody is named or mentioned
        assert person.user.name not in shown and str(person.id) not in shown

    # A student can't create the event from the ranking, and nothing is posted before it closes.
    assert not [m for m in organisers.history(viewer=world.organiser) if m.embeds]
    await world.env.advance_time(timedelta(days=3, hours=17).total_seconds())
    [ranking] = [m for m in organisers.history(viewer=world.organiser) if m.embeds]
    assert "Find a time closed" in (ranking.embeds[0].title or "")
    # A tie (two people each) goes to the time the person with commitments can make: the third
    # time first, then the first. With fewer than five saying so, their count itself isn't shown.
    ranked = ranking.embeds[0].description
    first, third_time = card.embeds[0].fields[0].name, card.embeds[0].fields[2].name
    assert ranked.index(third_time) < ranked.index(first) < ranked.index("0 people")
    assert "of them with caring or work commitments" not in ranked and "isn't shown" in ranked
    # A student can't see that channel; given the same button elsewhere, the press is refused.
    message = await posted_buttons(world, "copied", ("Pick", "event:poll-pick:1:0"))
    refused = await world.student.click(message, label="Pick")
    assert refused.ephemeral and "Only organisers" in refused.response.content

    # The organiser picks the top time: the create form, filled in, then one DM to each who can
    # (someone whose DMs are closed is counted, not retried).
    world.env.inject_error(
        "POST", f"/channels/{second.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )
    shown_form = await world.organiser.click(ranking, label=ranking.components[0].children[0].label)
    assert shown_form.modal is not None
    done = await world.organiser.submit_modal(
        shown_form, {"description": "Notes and tips.", "alcohol_free": True}
    )
    assert "I told 1 of the 2 students" in done.response.content, done.response.content
    assert "1 couldn't be reached" in done.response.content
    assert sum("Study skills" in t and "a time you said you could make" in t for t in dms(world.student)) == 1
    assert not any("Study skills" in t for t in dms(second))
    assert not any("Study skills" in t for t in dms(third))
    again = await world.organiser.click(ranking, label=ranking.components[0].children[1].label)
    assert again.ephemeral and "already" in again.response.content
    assert world.env.errors == []


async def test_forged_poll_ids_and_bad_times_are_answered_kindly(world: World) -> None:
    await prepare(world)
    await organisers_channel(world)
    bad = await world.organiser.slash(
        world.general,
        "event find-time",
        title="Study skills",
        times=local(world, 5, 18),
        closes=local(world, 3, 17),
        place="Library room 4",
    )
    assert bad.ephemeral and "at least 2" in bad.response.content
    late = await world.organiser.slash(
        world.general,
        "event find-time",
        title="Study skills",
        times=f"{local(world, 5, 18)}; {local(world, 6, 18)}",
        closes=local(world, 7, 17),
        place="Room 1",
    )
    assert late.ephemeral and "close after the first" in late.response.content
    refused = await world.student.slash(world.general, "event find-time", title="x", times="a; b", closes="c")
    assert refused.ephemeral and "organiser" in refused.response.content.lower()
    # A card the bot never posted, with forged ids: kind answers, nothing stored.
    message = await posted_buttons(
        world, "forged", ("Care", "event:poll-care:999"), ("Pick", "event:poll-pick:999:99")
    )
    care = await world.student.click(message, label="Care")
    assert care.ephemeral and "can't find that poll" in care.response.content
    pick = await world.organiser.click(message, label="Pick")
    assert pick.ephemeral and "can't find that poll" in pick.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM event_poll_choices") == 0
    assert world.env.errors == []
