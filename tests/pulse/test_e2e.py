"""Pulse checks end to end through SimCord: what organisers and students see, with time advanced.

SimCord's virtual clock starts on 1 January 2026 (UTC, which is London time in winter).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest

from bot.secrets import keyed_hash
from tests.conftest import BotFactory, World, advance_to, open_command_to
from tests.pulse.test_service import every_value

HOUR = 3600
DAY = 24 * HOUR


async def organiser_role_set(world: World) -> None:
    """An admin makes the organiser an organiser and lets them see /pulse in the client."""
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await open_command_to(world, "pulse", world.organiser)


def members_only_channel(world: World, name: str, *who: Any) -> Any:
    """A text channel hidden from everyone but ``who`` (members, roles), like a community's."""
    overwrites = {world.guild.default_role: discord.PermissionOverwrite(view_channel=False)}
    overwrites.update({target: discord.PermissionOverwrite(view_channel=True) for target in who})
    return world.guild.create_text_channel(name, overwrites=overwrites)


async def organisers_ready(world: World) -> discord.abc.GuildChannel:
    await organiser_role_set(world)
    me = world.guild.me
    assert me is not None
    private = members_only_channel(world, "organisers", world.organiser_role, world.admin, me)
    await world.admin.slash(world.general, "setup channel", purpose="organisers", channel=private)
    return private


def cards(world: World, viewer=None) -> list[discord.Message]:  # type: ignore[no-untyped-def]
    return [m for m in world.general.history(viewer=viewer or world.student) if m.embeds and m.components]


async def counted(world: World, run_id: int = 1) -> int:
    """Answers a run holds: written to the file, plus those still waiting in memory to be written
    together with others (bot.services.pulse_pool)."""
    cog: Any = world.env.bot.get_cog("Pulse")
    stored = await world.env.bot.db.fetchval("SELECT answers FROM pulse_runs WHERE run_id = ?", (run_id,))
    return int(stored) + cog.service.pool.size(run_id)


async def answer(world: World, member, card: discord.Message, values: list[str]):  # type: ignore[no-untyped-def]
    shown = await member.click(card, label="Answer")
    assert shown.modal is not None, shown.response.content if shown.response else shown
    return await member.submit_modal(shown, {f"q{i}": [v] for i, v in enumerate(values, start=1)})


async def start_template(world: World, start: str = "2 Jan 2026 10:00", **options) -> None:  # type: ignore[no-untyped-def]
    await organiser_role_set(world)
    result = await world.organiser.slash(
        world.general, "pulse template", channel=world.general, start=start, **options
    )
    assert result.ephemeral
    assert "Saved" in result.response.content, result.response.content


async def first_card(world: World) -> discord.Message:
    """The belonging template set up to open on 2 January at 10:00, that time reached: the first
    run's card, as a student sees it."""
    await start_template(world)
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    return card


async def restart_with_the_card_unsaved(world: World, make_bot: BotFactory, *, owed: str) -> None:
    """Restart the bot as if it had stopped before the open run's card id was saved: the run has
    no message id and the outbox's card item is ``owed`` ('pending': not sent; 'sending': maybe)."""
    await world.bot.db.execute("UPDATE pulse_runs SET message_id = NULL")
    await world.bot.db.execute(
        "UPDATE outbox SET status = ?, ended_at = NULL WHERE topic = 'pulse.card'", (owed,)
    )
    world.bot.scheduler.shutdown()
    await world.env.restart_bot(make_bot())
    await world.env.settle()


async def test_a_run_posts_a_card_and_a_student_answers_privately_once(world: World) -> None:
    await organisers_ready(world)
    await start_template(world)
    assert cards(world) == []  # nothing until the scheduled time

    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    embed = card.embeds[0]
    assert embed.title == "Belonging check-in"
    explained = " ".join(f.value for f in embed.fields)
    assert "can't change your answer" in explained and "remember what you said" in explained

    shown = await world.student.click(card, label="Answer")
    assert shown.modal is not None
    done = await world.student.submit_modal(shown, {"q1": ["3"], "q2": ["1"], "q3": ["4"]})
    assert done.ephemeral
    assert "Thank you" in done.response.content and "nothing links it to you" in done.response.content
    assert done.response.embeds == []  # a content answer: no support shown

    again = await world.student.click(card, label="Answer")
    assert again.ephemeral and again.modal is None
    assert "already answered" in again.response.content and "can't be changed" in again.response.content
    # Nothing about answering appears in the channel for anyone else.
    bystander = world.guild.add_member(world.env.create_user("bea_bystander"))
    assert [m.id for m in world.general.history(viewer=bystander)] == [card.id]
    assert world.env.errors == []


@pytest.mark.parametrize(
    ("values", "struggling"),
    [(["0", "1", "3"], True), (["4", "0", "4"], True), (["3", "1", "3"], False), (["5", "2", "5"], False)],
)
async def test_struggling_answers_show_support_privately_and_content_ones_do_not(
    world: World, values: list[str], struggling: bool
) -> None:
    card = await first_card(world)

    done = await answer(world, world.student, card, values)

    assert done.ephemeral
    text = done.response.content + " ".join(
        (e.title or "") + (e.description or "") + " ".join(f.value for f in e.fields)
        for e in done.response.embeds
    )
    if struggling:
        assert done.response.embeds, "support should be shown at once"
        assert "support" in done.response.content
        assert any(number in text for number in ("116 123", "85258", "999"))
    else:
        assert done.response.embeds == []
        assert "116 123" not in text


async def test_only_the_audience_can_answer_others_get_a_kind_message(world: World) -> None:
    outsider = world.guild.add_member(world.env.create_user("ola_outsider"))
    community = members_only_channel(world, "care-leavers", world.student, world.organiser)
    await organiser_role_set(world)
    await start_template(world, audience=community)
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)

    refused = await outsider.click(card, label="Answer")
    assert refused.ephemeral and refused.modal is None
    assert "isn't open to you" in refused.response.content and "Thank you" in refused.response.content

    member = await answer(world, world.student, card, ["3", "1", "3"])
    assert "Thank you" in member.response.content
    # The audience is counted from the community channel: the two members given access.
    assert await world.bot.db.fetchval("SELECT audience_size FROM pulse_runs") == 2
    assert world.env.errors == []


async def test_a_restart_keeps_the_one_answer_rule_and_the_run_closes_on_time(
    world: World, make_bot: BotFactory
) -> None:
    private = await organisers_ready(world)
    card = await first_card(world)
    students = [world.student, *(world.guild.add_member(world.env.create_user(f"s{i}")) for i in range(9))]
    for student in students:
        await answer(world, student, card, ["3", "1", "3"])
    # Ten answers reached the threshold: five, chosen at random, were written together; five wait
    # in memory and are lost in the restart.
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs") == 5

    await world.env.restart_bot(make_bot())

    refused = 0
    for student in students:
        again = await student.click(card, label="Answer")
        if again.modal is None:
            assert "already answered" in again.response.content
            refused += 1
        else:  # an answer lost with the pool: answering again counts it, once
            await student.submit_modal(again, {"q1": ["3"], "q2": ["1"], "q3": ["3"]})
    assert refused == 5
    twice = await world.student.click(card, label="Answer")
    assert twice.modal is None and "already answered" in twice.response.content
    await advance_to(world.env, datetime(2026, 1, 4, 9, 59, tzinfo=UTC))
    assert cards(world)[0].components  # still open one minute before closing
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    closed = world.general.history(viewer=world.student)[0]
    assert closed.components == []
    assert "closed with 10 answers" in " ".join(f.value for f in closed.embeds[0].fields)
    note = private.history(viewer=world.organiser)[-1]
    assert "closed with 10 answers" in note.content
    # After close nothing records who answered.
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM pulse_answered") == 0
    late = await world.env.bot.db.fetchval("SELECT status FROM pulse_runs")
    assert late == "closed"


async def test_a_run_under_the_threshold_keeps_only_how_many_answered(world: World) -> None:
    private = await organisers_ready(world)
    card = await first_card(world)
    await answer(world, world.student, card, ["3", "1", "3"])
    again = await world.student.click(card, label="Answer")
    assert "already answered" in again.response.content  # the pool keeps the one-answer rule
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    closed = world.general.history(viewer=world.student)[0]
    assert "closed with 1 answer" in " ".join(f.value for f in closed.embeds[0].fields)
    note = private.history(viewer=world.organiser)[-1]
    assert "closed with 1 answer." in note.content and "under the 10 needed" in note.content
    # What the student chose never reached the file: every counter is still zero.
    assert await world.bot.db.fetchval("SELECT SUM(count) FROM pulse_counts") == 0
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs") == 1


@pytest.mark.parametrize(
    ("start", "posts"),
    [
        pytest.param(
            "12 Oct 2026 10:00",
            # The clocks go back on Sunday 25 October: 10:00 in London is 09:00 UTC, then 10:00 UTC.
            [
                datetime(2026, 10, 12, 9, 0, tzinfo=UTC),
                datetime(2026, 10, 19, 9, 0, tzinfo=UTC),
                datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
            ],
            id="october",
        ),
        pytest.param(
            "22 Mar 2027 10:00",
            # The clocks go forward on Sunday 28 March: 10:00 in London is 10:00 UTC, then 09:00 UTC.
            [datetime(2027, 3, 22, 10, 0, tzinfo=UTC), datetime(2027, 3, 29, 9, 0, tzinfo=UTC)],
            id="march",
        ),
    ],
)
async def test_a_weekly_pulse_posts_at_server_time_across_the_clock_changes(
    world: World, start: str, posts: list[datetime]
) -> None:
    await start_template(world, start=start, repeat="weekly", open_hours=48)

    for count, when in enumerate(posts, start=1):  # nothing a minute early, the card on the minute
        await advance_to(world.env, when - timedelta(minutes=1))
        assert len(world.general.history(viewer=world.student)) == count - 1, when
        await advance_to(world.env, when)
        assert len(world.general.history(viewer=world.student)) == count, when
    last = world.general.history(viewer=world.student)[-1]
    assert last.created_at == posts[-1]


async def test_linkage_after_twenty_answers_no_member_in_the_database_file(world: World) -> None:
    card = await first_card(world)
    members = [world.guild.add_member(world.env.create_user(f"student_{i:02d}")) for i in range(20)]
    for i, member in enumerate(members):
        await answer(world, member, card, [str(i % 5), str(i % 3), str((i + 2) % 5)])
    ids = {m.id for m in members}
    path = world.bot.db.path

    values = every_value(path)
    assert not [(t, c) for t, c, v in values if v in ids or str(v) in {str(i) for i in ids}]
    run_id = await world.bot.db.fetchval("SELECT run_id FROM pulse_runs")
    tokens = {v for t, c, v in values if (t, c) == ("pulse_answered", "token")}
    # Only the bot's secret key (outside the database) recomputes them; they are written in
    # batches of five, so fifteen are stored and five still wait in memory.
    every_token = {bytes.fromhex(keyed_hash(world.bot.secret_key, "pulse-answered", run_id, m)) for m in ids}
    assert tokens < every_token and len(tokens) == 15
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs") == 15

    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs") == 20
    assert not [v for t, c, v in every_value(path) if t == "pulse_answered"]
    raw = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert not any(token in raw for token in every_token)


async def test_results_and_trend_for_organisers(world: World) -> None:
    private = await organisers_ready(world)
    await start_template(world, repeat="weekly")
    students = [world.guild.add_member(world.env.create_user(f"s{i}")) for i in range(10)]

    # Week 1: 9 answers, withheld. Week 2: 10 answers, shown.
    for week, count in ((0, 9), (1, 10)):
        await advance_to(world.env, datetime(2026, 1, 2 + 7 * week, 10, 0, tzinfo=UTC))
        card = cards(world)[-1]
        for member in students[:count]:
            await answer(world, member, card, ["3" if week else "1", "1", "4"])
        early = await world.organiser.slash(world.general, "pulse results", pulse=1, run=week + 1)
        assert "still open" in early.response.content
        await advance_to(world.env, datetime(2026, 1, 4 + 7 * week, 10, 0, tzinfo=UTC))

    withheld = await world.organiser.slash(world.general, "pulse results", pulse=1, run=1)
    assert withheld.ephemeral
    assert "not enough answers to show results safely" in withheld.response.embeds[0].fields[0].value
    shown = await world.organiser.slash(world.general, "pulse results", pulse=1)
    embed = shown.response.embeds[0]
    assert "run 2" in embed.title and "10 answers" in embed.description
    # The audience is counted from Discord's guild data when the run opens (no members intent):
    # here that count is below the 10 who answered, so no share over 100% is shown.
    members = world.bot.get_guild(world.guild.id).member_count  # type: ignore[union-attr]
    assert members is not None and members < 10
    assert "so no percentage" in embed.description and "%)" not in embed.description
    first = embed.fields[0]
    assert "connected" in first.name and "`4` 10 (100%)" in first.value and "Mean **4.0**" in first.value

    trend = await world.organiser.slash(world.general, "pulse trend", pulse=1)
    reply = trend.followups[-1] if trend.followups else trend.response  # the deferred reply
    assert reply.ephemeral
    assert sorted(a.filename for a in reply.attachments) == [
        "belonging-check-in-trend.csv",
        "belonging-check-in-trend.png",
    ]
    assert "1 run(s) left out" in reply.content

    posted = await world.organiser.slash(world.general, "pulse trend", pulse=1, post_to="organisers")
    assert "Posted in" in (posted.followups[-1] if posted.followups else posted.response).content
    assert len(private.history(viewer=world.organiser)[-1].attachments) == 2
    assert world.env.errors == []


async def test_pulse_is_for_organisers_checked_on_the_server_side(world: World) -> None:
    payload = next(c for c in world.bot.tree.get_commands() if c.name == "pulse").to_dict(world.bot.tree)
    assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value

    await open_command_to(world, "pulse", world.student, world.organiser)
    refused = await world.student.slash(
        world.general, "pulse template", channel=world.general, start="2 Jan 10:00"
    )
    assert refused.ephemeral and "is for organisers" in refused.response.content
    # The organiser role isn't configured yet, so the organiser is refused too.
    refused = await world.organiser.slash(world.general, "pulse list")
    assert "is for organisers" in refused.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM pulses") == 0

    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    listed = await world.organiser.slash(world.general, "pulse list")
    assert "No pulse checks yet" in listed.response.content
    # Lowering the threshold needs Manage Server.
    refused = await world.organiser.slash(world.general, "pulse threshold", minimum=5)
    assert "Manage Server" in refused.response.content
    too_low = await world.admin.slash(world.general, "pulse threshold", minimum=4)
    assert too_low.ephemeral and "at least 5" in too_low.response.content
    done = await world.admin.slash(world.general, "pulse threshold", minimum=6)
    assert "at least 6 answers" in done.response.content
    assert world.env.errors == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"q1": "x" * 101, "q1_type": "scale"}, "keep it to 100"),
        ({"q1": "Which?", "q1_type": "choice", "q1_options": "a; b; c; d; e; f"}, "the most is 5"),
        ({"q1": "Which?", "q1_type": "choice", "q1_options": "only"}, "at least two options"),
        ({"q1": "How?", "q1_type": "scale", "start": "1 Dec 2025 10:00"}, "never fires"),
        ({"q1": "How?", "q1_type": "scale", "start": "whenever"}, "couldn't read"),
        (
            {"q1": "How?", "q1_type": "scale", "repeat": "daily", "open_hours": 30},
            "close before the next run",
        ),
    ],
)
async def test_bad_input_gets_a_clear_private_message_and_saves_nothing(
    world: World, options: dict[str, object], expected: str
) -> None:
    await organiser_role_set(world)
    arguments: dict[str, object] = {
        "title": "Check-in",
        "channel": world.general,
        "start": "5 Jan 2026 10:00",
    }
    arguments.update(options)
    result = await world.organiser.slash(world.general, "pulse create", **arguments)
    assert result.ephemeral
    assert expected in result.response.content, result.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM pulses") == 0
    assert world.env.errors == []


async def test_a_channel_the_bot_cannot_post_in_is_refused(world: World) -> None:
    await organiser_role_set(world)
    me = world.guild.me
    assert me is not None
    closed = world.guild.create_text_channel(
        "read-only", overwrites={me: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await world.organiser.slash(
        world.general, "pulse template", channel=closed, start="5 Jan 2026 10:00"
    )
    assert "I can't post in" in result.response.content and "Send Messages" in result.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM pulses") == 0


async def test_create_pause_resume_delete(world: World) -> None:
    await organiser_role_set(world)
    created = await world.organiser.slash(
        world.general,
        "pulse create",
        title="Placement week",
        channel=world.general,
        start="5 Jan 2026 10:00",
        q1="How ready do you feel for placement?",
        q1_type="scale",
        q1_options="Not ready; Very ready",
        q2="Which day suits a drop-in?",
        q2_type="choice",
        q2_options="Monday; Wednesday; Friday",
        repeat="weekly",
    )
    assert "Saved" in created.response.content
    choices = await world.organiser.autocomplete(world.general, "pulse pause", "pulse", "place")
    assert [c["value"] for c in choices] == [1]

    paused = await world.organiser.slash(world.general, "pulse pause", pulse=1)
    assert "Paused" in paused.response.content
    await advance_to(world.env, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert cards(world) == []  # paused: nothing posted

    await advance_to(world.env, datetime(2026, 1, 6, 12, 0, tzinfo=UTC))
    resumed = await world.organiser.slash(world.general, "pulse resume", pulse=1)
    assert "Resumed" in resumed.response.content
    await advance_to(world.env, datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    shown = await world.student.click(card, label="Answer")
    assert shown.modal is not None

    listed = await world.organiser.slash(world.general, "pulse list")
    description = listed.response.embeds[0].description
    assert "Placement week" in description and "run 1 is open until" in description
    assert "weekly" in description and "1 run so far" in description

    asked = await world.organiser.slash(world.general, "pulse delete", pulse=1)
    confirmed = await world.organiser.click(asked.response.message, label="Delete it and its results")
    assert "Deleted" in confirmed.response.content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM pulse_counts") == 0
    [withdrawn] = [m for m in world.general.history(viewer=world.student) if not m.flags.ephemeral]
    assert withdrawn.components == [] and "withdrawn" in withdrawn.content
    gone = await world.organiser.slash(world.general, "pulse results", pulse=1)
    assert gone.ephemeral and "can't find that pulse check" in gone.response.content
    assert world.env.errors == []


async def test_without_the_signposts_directory_national_lines_are_shown(world: World) -> None:
    await world.bot.remove_cog("Signposts")
    card = await first_card(world)

    done = await answer(world, world.student, card, ["0", "0", "0"])

    assert done.ephemeral
    fields = {f.name: f.value for f in done.response.embeds[0].fields}
    assert "116 123" in fields["Samaritans"] and "85258" in fields["Shout"]
    assert "111" in fields["NHS 111"] and "999" in fields["Emergency"]


async def test_a_card_that_cannot_be_posted_is_reported_to_organisers(world: World) -> None:
    private = await organisers_ready(world)
    await start_template(world)
    world.env.inject_error("POST", f"/channels/{world.general.id}/messages", status=403, code=50013, times=1)
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))

    assert cards(world) == []
    note = private.history(viewer=world.organiser)[-1]
    assert "no one can answer it" in note.content and "permissions" in note.content
    # The run still closes on time, and the next step of the schedule is unaffected.
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    assert await world.bot.db.fetchval("SELECT status FROM pulse_runs") == "closed"


async def test_two_students_with_the_form_open_at_once_are_both_counted(world: World) -> None:
    card = await first_card(world)
    other = world.guild.add_member(world.env.create_user("tia_student"))

    first = await world.student.click(card, label="Answer")
    second = await other.click(card, label="Answer")
    done_first = await world.student.submit_modal(first, {"q1": ["4"], "q2": ["1"], "q3": ["4"]})
    done_second = await other.submit_modal(second, {"q1": ["2"], "q2": ["1"], "q3": ["2"]})

    assert "Thank you" in done_first.response.content
    assert "Thank you" in done_second.response.content
    assert await counted(world) == 2
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    assert await world.bot.db.fetchval("SELECT answers FROM pulse_runs") == 2


async def test_my_data_says_pulse_keeps_nothing_about_a_student(world: World) -> None:
    card = await first_card(world)
    await answer(world, world.student, card, ["3", "1", "3"])
    cog = world.bot.get_cog("Pulse")
    assert cog is not None
    exported = await cog.export_member_data(world.guild.id, world.student.id)  # type: ignore[attr-defined]
    assert list(exported) == ["about"] and "anonymous" in exported["about"]
    assert await cog.forget_member_data(None, world.student.id) == {}  # type: ignore[attr-defined]


async def test_a_form_open_during_a_restart_still_counts_once(world: World, make_bot: BotFactory) -> None:
    card = await first_card(world)
    shown = await world.student.click(card, label="Answer")
    twice = await world.student.click(card, label="Answer")  # two forms open, as with two devices

    await world.env.restart_bot(make_bot())

    done = await world.student.submit_modal(shown, {"q1": ["4"], "q2": ["1"], "q3": ["4"]})
    assert "Thank you" in done.response.content
    refused = await world.student.submit_modal(twice, {"q1": ["0"], "q2": ["0"], "q3": ["0"]})
    assert "already answered" in refused.response.content
    assert await counted(world) == 1
    # Metrics label the form by its kind only: no run or form number.
    keys = [s.key for s in world.env.bot.timings.summary()]
    assert "modal:pulse:form" in keys


@pytest.mark.parametrize("outside", [3, 12])
async def test_a_community_breakdown_is_shown_only_when_no_group_can_be_worked_out(
    world: World, outside: int
) -> None:
    members = [world.guild.add_member(world.env.create_user(f"m{i:02d}")) for i in range(10 + outside)]
    community = members_only_channel(world, "first-gen", world.organiser, *members[:10])
    await start_template(world, breakdown=community)
    await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    [card] = cards(world)
    for i, member in enumerate(members):
        await answer(world, member, card, ["4" if i < 10 else "0", "1", "4"])
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))

    shown = await world.organiser.slash(world.general, "pulse results", pulse=1)

    embed = shown.response.embeds[0]
    assert f"{10 + outside} answers" in embed.description
    fields = {f.name: f.value for f in embed.fields}
    if outside == 3:
        # Showing the community's 10 would reveal the other 3 by subtraction from the total.
        assert not [name for name in fields if name.startswith("Breakdown:")]
        withheld = fields["Breakdown withheld"]
        assert f"Members of {community.mention}: not shown (could be worked out by subtracting" in withheld
        assert f"Not in {community.mention}: not shown (fewer than 10 answers)" in withheld
        first = embed.fields[0].value
        assert "`5 · Very connected` 10 (77%)" in first and "`1 · Not at all connected` 3 (23%)" in first
    else:
        assert "Breakdown withheld" not in fields
        inside = fields[f"Breakdown: Members of {community.mention}"]
        assert inside.startswith("10 answers") and "Q1: mean 5.0" in inside
        rest = fields[f"Breakdown: Not in {community.mention}"]
        assert rest.startswith("12 answers") and "Q1: mean 1.0" in rest


async def test_a_card_owed_when_the_bot_stopped_is_posted_after_the_restart(
    world: World, make_bot: BotFactory
) -> None:
    card = await first_card(world)
    # As if the bot had stopped between opening the run and posting its card: the card was
    # never sent, and the outbox still owes it.
    channel: Any = world.bot.get_channel(world.general.id)
    await channel.get_partial_message(card.id).delete()
    await restart_with_the_card_unsaved(world, make_bot, owed="pending")

    [posted] = cards(world)
    assert posted.id != card.id
    assert await world.env.bot.db.fetchval("SELECT message_id FROM pulse_runs") == posted.id
    done = await answer(world, world.student, posted, ["3", "1", "3"])
    assert "Thank you" in done.response.content


async def test_a_crash_between_posting_a_card_and_saving_it_never_posts_two(
    world: World, make_bot: BotFactory
) -> None:
    card = await first_card(world)
    # As if the bot died after Discord accepted the card and before its id was saved.
    await restart_with_the_card_unsaved(world, make_bot, owed="sending")

    assert [m.id for m in cards(world)] == [card.id]  # found and adopted, not posted again
    assert await world.env.bot.db.fetchval("SELECT message_id FROM pulse_runs") == card.id


async def test_nothing_about_an_answer_is_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    await start_template(world)
    with caplog.at_level(logging.DEBUG):
        await advance_to(world.env, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
        [card] = cards(world)
        await answer(world, world.student, card, ["0", "0", "0"])
        await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))
    ours = [r.getMessage() for r in caplog.records if r.name.split(".")[0] in {"bot", "cogs"}]
    assert any("Closed pulse run" in m for m in ours)  # the run's life is logged...
    for message in ours:  # ...never who answered or what
        assert str(world.student.id) not in message and world.student.name not in message
        assert "Not at all connected" not in message and "Prefer not" not in message


async def test_organisers_are_told_once_if_the_log_can_never_be_emptied(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = await organisers_ready(world)
    await start_template(world)
    cog: Any = world.bot.get_cog("Pulse")
    tries: list[int] = []

    async def busy() -> bool:
        tries.append(1)
        return False

    monkeypatch.setattr(cog.service, "truncate_wal", busy)
    await advance_to(world.env, datetime(2026, 1, 4, 10, 0, tzinfo=UTC))  # opened and closed
    assert len(tries) == 1
    await world.env.advance_time(3 * HOUR)
    assert len(tries) == 5  # the first try and four more, spaced out
    said = [m.content for m in private.history(viewer=world.organiser) if "write-ahead log" in m.content]
    assert len(said) == 1 and "never one person's answer" in said[0]
