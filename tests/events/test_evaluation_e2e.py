"""Workshop evaluation (issue #19) end to end through SimCord: an organiser turns it on, the
workshop ends, attendees are asked by DM and answer anonymously through the button and form,
results are withheld below the threshold and exact above it, and six months later (the clock
advanced, the bot restarted in between) the same attendees are asked again. Someone whose DMs
are closed, or who left, is counted, not retried; forged ids and non-organisers are refused.

SimCord's virtual clock starts on 1 January 2026 (UTC, which is London time in winter).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

import discord
import simcord
from dateutil.relativedelta import relativedelta

from bot.clock import from_timestamp
from tests.conftest import BotFactory, World, advance_to

from .helpers import cards, create, local, prepare, shown_text

ANSWER = "Answer anonymously"
ERROR = re.compile(r"Something went wrong")


def asked(member: simcord.MemberActor) -> list[discord.Message]:
    """The bot's DMs to this member that ask them an evaluation's questions."""
    return [m for m in member.user.dm_channel.history() if "It's anonymous" in (m.content or "")]


async def answer(member: simcord.MemberActor, dm: discord.Message, choice: str = "3", **extra: Any) -> Any:
    shown = await member.user.click(dm, label=ANSWER)
    assert shown.modal is not None, shown.response.content if shown.response else shown
    return await member.user.submit_modal(shown, {**{f"q{n}": [choice] for n in range(1, 5)}, **extra})


async def results(world: World, **options: Any) -> simcord.InteractionResult:
    shown = await world.organiser.slash(world.general, "event evaluation", event=1, **options)
    assert shown.ephemeral
    return shown


def described(result: simcord.InteractionResult) -> str:
    return shown_text(result)


async def old_dm(world: World, member: simcord.MemberActor, custom_id: str) -> discord.Message:
    """A DM from the bot with a button carrying ``custom_id`` (forged, or kept from long ago)."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Press", custom_id=custom_id))
    view.stop()  # not kept in memory: only the registered persistent items can answer
    user = await world.bot.fetch_user(member.id)
    await user.send("An older message", view=view)
    return member.user.dm_channel.history()[-1]


async def test_asked_after_the_workshop_and_six_months_later_withheld_then_exact(
    world: World, make_bot: BotFactory
) -> None:
    await prepare(world)
    await create(world, kind="workshop", title="Managing stress", start=local(world, 1, 18))
    [card] = cards(world.general, world.student)
    people = [world.student] + [
        world.guild.add_member(world.env.create_user(f"student_{n}")) for n in range(11)
    ]
    for person in people:
        await person.click(card, label="Going")
    closed, leaver = people[10], people[11]
    world.env.inject_error(
        "POST", f"/channels/{closed.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )

    refused = await world.student.slash(world.general, "event evaluate", event=1)
    assert refused.ephemeral and "for organisers" in refused.response.content
    on = await world.organiser.slash(world.general, "event evaluate", event=1, **{"free-text": True})
    assert on.ephemeral and "Evaluation on for this event" in on.response.content, on.response.content
    assert "6 months later" in on.response.content

    world.guild.remove_member(leaver)
    end = from_timestamp(await _event_end(world))
    await advance_to(world.env, end - timedelta(minutes=1))
    assert not asked(world.student)  # nothing before it ends
    await advance_to(world.env, end + timedelta(minutes=1))
    for person in people[:10]:
        assert len(asked(person)) == 1, person.user.name
    dm = asked(world.student)[0]
    assert "Managing stress" in dm.content and "never linked to you" in dm.content
    assert "could still identify you" in dm.content  # the comment box was asked for

    # Eight answer through the button and form; each once.
    done = await answer(world.student, dm, "0", comment="I met someone from my year who gets it")
    assert done.ephemeral and "Thank you" in done.response.content
    assert done.response.embeds  # a low confidence answer: support, shown only to them
    shown = await people[1].user.click(asked(people[1])[0], label=ANSWER)
    shown._interaction.modal["custom_id"] = "event:eval-form:424242:1"  # as a modified client could
    forged = await people[1].user.submit_modal(shown, {f"q{n}": ["3"] for n in range(1, 5)})
    assert forged.ephemeral and "can't find those questions" in forged.response.content
    for person in people[1:8]:
        thanked = await answer(person, asked(person)[0], "3")
        assert thanked.ephemeral and "nothing links it to you" in thanked.response.content
    again = await world.student.user.click(dm, label=ANSWER)
    assert again.ephemeral and again.modal is None and "already answered" in again.response.content
    stranger = world.guild.add_member(world.env.create_user("not_there"))
    real = await old_dm(world, stranger, "event:eval:1")
    pressed = await stranger.user.click(real, custom_id="event:eval:1")
    assert pressed.ephemeral and "for the people who went" in pressed.response.content

    # Closed a week later: eight answered, under the server's ten, so nothing is shown.
    await advance_to(world.env, end + timedelta(days=7, minutes=2))
    withheld = described(await results(world))
    assert "8 answered" in withheld and "appear once 10" in withheld, withheld
    assert "2 could not be reached" in withheld
    assert "I met someone" not in withheld and "(13%)" not in withheld

    # The bot restarts; then the server's minimum is five: the same answers, exact counts.
    world.bot.scheduler.shutdown()
    await world.env.restart_bot(make_bot())
    await world.env.settle()
    mine = await world.student.slash(world.general, "privacy my-data")
    [reply] = [*([mine.response] if mine.response else []), *mine.followups]
    events = json.loads(await reply.attachments[0].read())["features"]["Events"]
    [due] = events["evaluation_follow_ups"]
    assert due["event"] == "Managing stress" and "Nothing records whether or what you answered" in due["note"]
    await world.admin.slash(world.general, "pulse threshold", minimum=5)
    exact = await results(world, chart=True, csv=True)
    text = described(exact)
    assert "`1 · Not at all confident` 1 (12%)" in text and "`4` 7 (88%)" in text, text
    assert "I met someone from my year who gets it" in text  # in the shuffled list of comments
    reply = exact.followups[-1] if exact.followups else exact.response  # the deferred reply
    files = {a.filename: a for a in reply.attachments}
    assert {"evaluation-managing-stress.png", "evaluation-managing-stress.csv"} <= set(files)
    rows = list(csv.DictReader(io.StringIO((await files["evaluation-managing-stress.csv"].read()).decode())))
    assert {(r["option"], r["count"]) for r in rows if r["question_number"] == "1"} >= {("4", "7")}
    assert not any("someone" in value for row in rows for value in row.values())  # no comments

    # Six months after it ended: the same ten reachable people, the same questions, once.
    follow_up = end + relativedelta(months=6)
    await advance_to(world.env, follow_up - timedelta(minutes=1))
    assert len(asked(world.student)) == 1
    await advance_to(world.env, follow_up + timedelta(minutes=1))
    for person in people[:10]:
        assert len(asked(person)) == 2, person.user.name
    assert "Some months ago you went to" in asked(world.student)[1].content
    for person in people[:6]:
        await answer(person, asked(person)[1], "4")
    await advance_to(world.env, follow_up + timedelta(days=7, minutes=2))
    both = described(await results(world))
    assert "Months later · 1. How confident" in both and "`5 · Very confident` 6 (100%)" in both, both
    assert "Change in the mean" in both and "3.6 → 5.0 (+1.4)" in both  # confidence: (1 + 7 × 4) / 8
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM event_evaluation_cohort") == 0
    assert world.env.errors == []


async def _event_end(world: World) -> int:
    return int(await world.bot.db.fetchval("SELECT ends_at FROM events WHERE event_id = 1"))


async def test_forged_ids_strangers_and_a_series_are_answered_kindly(world: World) -> None:
    await prepare(world)
    await create(
        world, kind="workshop", title="Study skills", start=local(world, 2, 17), repeat="weekly", times=2
    )
    refused = await world.student.slash(world.general, "event evaluation", event=1)
    assert refused.ephemeral and "for organisers" in refused.response.content
    # A session of a series: the organiser is asked how far it goes, then rewords a question.
    asked_scope = await world.organiser.slash(world.general, "event evaluate", event=1)
    assert asked_scope.ephemeral and "part of a series" in asked_scope.response.content
    chose = await world.organiser.click(asked_scope.response, label="This and every later one")
    assert "Evaluation on for these 2 events" in described(chose), described(chose)
    form = await world.organiser.slash(world.general, "event evaluate", event=2, questions=True, scope="rest")
    assert form.modal is not None
    saved = await world.organiser.submit_modal(
        form,
        {
            "q1": "How sure of yourself do you feel about your studies?",
            "q2": "How much do you feel you belong?",
            "q3": "I met people I could turn to.",
            "q4": "How useful was it?",
        },
    )
    assert saved.ephemeral and "How sure of yourself" in saved.response.content
    none = described(await results(world))
    assert "not asked yet" in none

    # Forged and stale ids: a kind private answer, nothing counted, no error.
    for forged in ("0", "9999999999999999999", "424242", "1"):
        custom_id = f"event:eval:{forged}"
        message = await old_dm(world, world.student, custom_id)
        pressed = await world.student.user.click(message, custom_id=custom_id)
        assert pressed.ephemeral and pressed.modal is None, custom_id
        assert pressed.response.content.strip() and not ERROR.search(pressed.response.content)
    assert await world.bot.db.fetchval("SELECT COALESCE(SUM(answers), 0) FROM pulse_runs") == 0
    assert world.env.errors == []
