"""Peer mentoring end to end through SimCord: what each person sees, and nobody else."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord

from bot.services.mentoring import slug
from tests.conftest import BotFactory, World

FIRST = slug("First in family at university")
CARER = slug("Young carer or carer")
FAITH = slug("Faith")
LGBTQ = slug("LGBTQ+")
TWO_WEEKS = 14 * 24 * 60 * 60


def replies(result: Any) -> list[Any]:
    out = [result.response] if result.response is not None else []
    return out + list(result.followups)


def text_of(result: Any) -> str:
    parts = []
    for reply in replies(result):
        parts.append(reply.content or "")
        for embed in reply.embeds:
            parts.append(embed.title or "")
            parts.append(embed.description or "")
            parts.extend(f"{f.name} {f.value}" for f in embed.fields)
            parts.append(embed.footer.text or "")
    return "\n".join(parts)


def message_text(message: discord.Message) -> str:
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


async def offer(
    world: World,
    member: simcord.MemberActor,
    year: int,
    experiences: list[str],
    capacity: int = 1,
    hello: str = "Hi! Happy to chat about anything.",
) -> Any:
    started = await member.slash(world.general, "mentor offer")
    assert started.ephemeral
    prompt = started.response.message
    await member.select(prompt, [str(year)], custom_id="mentor:offer:year")
    await member.select(prompt, experiences, custom_id="mentor:offer:experiences")
    await member.select(prompt, [str(capacity)], custom_id="mentor:offer:capacity")
    shown = await member.click(prompt, label="Continue")
    assert shown.modal is not None
    return await member.submit_modal(shown, {"text": hello})


async def request(
    world: World,
    member: simcord.MemberActor,
    year: int,
    experiences: list[str],
    *,
    only_shared: bool = False,
    help_with: str = "Settling in and finding my people",
) -> Any:
    started = await member.slash(world.general, "mentor request")
    prompt = started.response.message
    await member.select(prompt, [str(year)], custom_id="mentor:request:year")
    await member.select(prompt, experiences, custom_id="mentor:request:experiences")
    await member.select(prompt, ["shared" if only_shared else "any"], custom_id="mentor:request:shared")
    shown = await member.click(prompt, label="Continue")
    return await member.submit_modal(shown, {"text": help_with})


def dms(member: simcord.MemberActor) -> list[discord.Message]:
    return member.user.dm_channel.history()


@pytest.fixture
def mentor(world: World) -> simcord.MemberActor:
    return world.guild.add_member(world.env.create_user("maya_mentor"))


async def test_offer_request_match_and_private_introduction_naming_only_shared_experiences(
    world: World, mentor: simcord.MemberActor
) -> None:
    offered = await offer(world, mentor, 4, [FIRST, CARER, FAITH], hello="Year 4, happy to talk placements")
    assert all(r.ephemeral for r in replies(offered))
    assert "introduce you privately" in text_of(offered)

    asked = await request(world, world.student, 1, [FIRST, LGBTQ], help_with="Settling in")

    assert all(r.ephemeral for r in replies(asked))
    assert "you have a mentor" in text_of(asked) and "by DM" in text_of(asked)
    [to_mentee] = dms(world.student)
    [to_mentor] = dms(mentor)
    mentee_sees, mentor_sees = message_text(to_mentee), message_text(to_mentor)
    assert mentor.mention in mentee_sees and world.student.mention in mentor_sees
    assert r"**maya\_mentor**" in mentee_sees and r"**sam\_student**" in mentor_sees  # names, escaped
    for seen in (mentee_sees, mentor_sees):
        assert "You both said: **First in family at university**" in seen
        # Nothing else either person declared is disclosed.
        for private in ("Faith", "Young carer", "LGBTQ+"):
            assert private not in seen
    assert "happy to talk placements" in mentee_sees  # the mentor's hello, meant for mentees
    assert "Settling in" in mentor_sees  # what the mentee said they'd like help with
    assert "Year 4" not in mentor_sees
    # No public trace anywhere.
    assert world.general.history(viewer=world.admin) == []


async def test_introduction_in_a_private_thread_when_organisers_choose_a_channel(
    world: World, mentor: simcord.MemberActor
) -> None:
    intros = world.guild.create_text_channel("mentoring")
    chosen = await world.admin.slash(world.general, "mentor intro-channel", channel=intros)
    assert chosen.ephemeral and "private threads" in chosen.response.content
    await offer(world, mentor, 3, [FIRST, FAITH])

    asked = await request(world, world.student, 2, [FIRST, CARER])

    [thread] = intros.threads
    assert thread.mention in text_of(asked)
    [intro] = thread.history(viewer=world.student)
    assert mentor.mention in intro.content and world.student.mention in intro.content
    assert "You both said: **First in family at university**" in intro.content
    assert "Faith" not in intro.content and "Young carer" not in intro.content
    bystander = world.guild.add_member(world.env.create_user("bea_bystander"))
    with pytest.raises(simcord.SetupError):
        thread.history(viewer=bystander)
    # Whatever the parent channel shows (SimCord adds a "thread created" notice), it names nobody.
    for seen in intros.history(viewer=bystander):
        assert mentor.mention not in message_text(seen) and world.student.mention not in message_text(seen)
        assert str(mentor.id) not in message_text(seen) and "First in family" not in message_text(seen)
    assert dms(world.student) == []


async def test_mentee_with_no_older_mentor_is_told_honestly_and_kept_waiting(
    world: World, mentor: simcord.MemberActor
) -> None:
    await offer(world, mentor, 2, [FIRST])
    asked = await request(world, world.student, 3, [FIRST])

    assert "isn't a mentor in a year above yours" in text_of(asked)
    status = await world.student.slash(world.general, "mentor status")
    assert "Waiting since" in text_of(status) and "year above yours" in text_of(status)

    older = world.guild.add_member(world.env.create_user("omar_older"))
    await offer(world, older, 5, [])
    assert older.mention in message_text(dms(world.student)[-1])


async def test_bad_input_gets_a_kind_private_message(world: World, mentor: simcord.MemberActor) -> None:
    started = await mentor.slash(world.general, "mentor offer")
    nothing_chosen = await mentor.click(started.response.message, label="Continue")
    assert nothing_chosen.ephemeral and "choose your year" in nothing_chosen.response.content

    first_year = await offer(world, mentor, 1, [])
    assert "no year below Year 1" in text_of(first_year)
    status = await mentor.slash(world.general, "mentor status")
    assert "haven't signed up" in status.response.content

    started = await world.student.slash(world.general, "mentor request")
    prompt = started.response.message
    await world.student.select(prompt, ["1"], custom_id="mentor:request:year")
    await world.student.select(prompt, ["shared"], custom_id="mentor:request:shared")
    empty = await world.student.click(prompt, label="Continue")
    assert "didn't choose any" in empty.response.content

    await world.student.select(prompt, ["any"], custom_id="mentor:request:shared")
    shown = await world.student.click(prompt, label="Continue")
    # The modal refuses over-long text in the client (max_length), before anything is sent; the
    # service refuses it too (tests/mentoring/test_service.py).
    with pytest.raises(simcord.SetupError, match="max_length"):
        await world.student.submit_modal(shown, {"text": "x" * 501})
    assert world.env.errors == []


async def test_checkin_after_two_virtual_weeks_and_its_answers(
    world: World, mentor: simcord.MemberActor, make_bot: BotFactory
) -> None:
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    await world.env.advance_time(TWO_WEEKS - 60)
    assert len(dms(world.student)) == 1  # just the introduction so far

    await world.env.advance_time(120)

    checkin = dms(world.student)[-1]
    assert "check-in" in message_text(checkin)
    assert "check-in" in message_text(dms(mentor)[-1])
    labels = [c.label for row in checkin.components for c in row.children]
    assert labels == ["We've met", "Not yet", "I'd like a different mentor", "Something's wrong"]
    mentor_labels = [c.label for row in dms(mentor)[-1].components for c in row.children]
    assert "I'd like to end this pairing" in mentor_labels

    # The buttons still work after a restart.
    await world.env.restart_bot(make_bot())
    met = await world.student.user.click(checkin, label="We've met")
    assert met.ephemeral and "Wonderful" in met.response.content

    wrong = await world.student.user.click(checkin, label="Something's wrong")
    shown = text_of(wrong)
    assert "/report new" in shown and ("116 123" in shown or "Samaritans" in shown)

    overview = await world.admin.slash(world.general, "mentor overview")
    assert "1 we've met" in text_of(overview) and "1 something's wrong" in text_of(overview)


async def test_checkin_different_mentor_rematches_and_never_repeats_the_pair(
    world: World, mentor: simcord.MemberActor
) -> None:
    await offer(world, mentor, 4, [FIRST, FAITH])
    await request(world, world.student, 1, [FIRST, FAITH])
    second = world.guild.add_member(world.env.create_user("nia_next"))
    await offer(world, second, 3, [])  # shares nothing; only chosen once the first pair ends
    assert dms(second) == []

    await world.env.advance_time(TWO_WEEKS + 60)
    checkin = dms(world.student)[-1]
    changed = await world.student.user.click(checkin, label="I'd like a different mentor")

    assert "found you a different mentor" in text_of(changed)
    assert world.student.mention in message_text(dms(second)[-1])
    assert "come to an end" in message_text(dms(mentor)[-1])
    # The first mentor, free again, is never offered the same mentee.
    status = await world.student.slash(world.general, "mentor status")
    assert second.mention in text_of(status) and mentor.mention not in text_of(status)


async def test_rematch_command_finds_someone_new(world: World, mentor: simcord.MemberActor) -> None:
    await offer(world, mentor, 4, [])
    await request(world, world.student, 1, [])
    started = await world.student.slash(world.general, "mentor rematch")
    done = await world.student.click(started.response.message, label="Find me a different mentor")
    assert "has ended" in text_of(done) and "I'll keep your request" in text_of(done)
    assert "come to an end" in message_text(dms(mentor)[-1])

    nobody = await mentor.slash(world.general, "mentor rematch")
    assert "don't have a pairing" in nobody.response.content


async def test_leave_deletes_the_data_and_tells_the_partner(
    world: World, mentor: simcord.MemberActor
) -> None:
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST], help_with="exam stress")
    db = world.bot.db

    started = await world.student.slash(world.general, "mentor leave")
    assert "deletes" in started.response.content
    done = await world.student.click(started.response.message, label="Yes, delete my mentoring data")

    assert "deleted" in text_of(done)
    for table, columns in (
        ("mentoring_profiles", ("member_id",)),
        ("mentoring_declarations", ("member_id",)),
        ("mentoring_matches", ("mentor_id", "mentee_id")),
    ):
        for column in columns:
            found = await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (world.student.id,))
            assert found == 0, (table, column)
    assert await db.fetchval("SELECT COUNT(*) FROM mentoring_profiles WHERE note LIKE '%exam%'") == 0
    assert "come to an end" in message_text(dms(mentor)[-1])
    status = await world.student.slash(world.general, "mentor status")
    assert "haven't signed up" in status.response.content


async def test_pause_and_resume(world: World, mentor: simcord.MemberActor) -> None:
    await offer(world, mentor, 4, [])
    paused = await mentor.slash(world.general, "mentor pause")
    assert "Paused" in paused.response.content
    asked = await request(world, world.student, 1, [])
    assert "Your request is saved" in text_of(asked)
    resumed = await mentor.slash(world.general, "mentor pause")
    assert "paired already" in text_of(resumed)
    assert mentor.mention in message_text(dms(world.student)[-1])


async def test_organiser_overview_shows_counts_only(world: World, mentor: simcord.MemberActor) -> None:
    await offer(world, mentor, 4, [FIRST, LGBTQ], capacity=2)
    await request(world, world.student, 1, [LGBTQ])
    waiting = world.guild.add_member(world.env.create_user("wes_waiting"))
    await request(world, waiting, 5, [FAITH])

    shown = await world.admin.slash(world.general, "mentor overview")

    assert shown.ephemeral
    text = text_of(shown)
    assert "1 active, 0 paused" in text and "2 in all, 1 taken, 1 free" in text
    assert "1 waiting" in text and "1 have no mentor in an older year" in text
    for secret in (
        "LGBTQ",
        "Faith",
        "First in family",
        mentor.mention,
        world.student.mention,
        waiting.mention,
        "maya",
        "sam",
        "wes",
    ):
        assert secret not in text


async def test_organiser_commands_are_refused_to_students_on_the_server_side(world: World) -> None:
    for command, options in (
        ("mentor overview", {}),
        ("mentor schedule", {"frequency": "daily"}),
        ("mentor experiences", {}),
    ):
        refused = await world.student.slash(world.general, command, **options)
        assert refused.ephemeral and "is for organisers" in refused.response.content
    assert world.env.errors == []
    assert await world.bot.db.fetchval("SELECT next_run_at FROM mentoring_settings") is None


async def test_organiser_edits_the_experience_list(world: World, mentor: simcord.MemberActor) -> None:
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    shown = await world.organiser.slash(world.general, "mentor experiences")
    assert shown.modal is not None
    saved = await world.organiser.submit_modal(
        shown, {"experiences": "First in family at university\nParent"}
    )
    assert "2 experiences" in text_of(saved) and "Added: Parent" in text_of(saved)

    started = await mentor.slash(world.general, "mentor offer")
    menu = next(
        c
        for row in started.response.message.components
        for c in row.children
        if c.custom_id == "mentor:offer:experiences"
    )
    assert [o.label for o in menu.options] == ["First in family at university", "Parent"]


async def test_scheduled_matching_runs_in_virtual_time_and_survives_a_restart(
    world: World, mentor: simcord.MemberActor, make_bot: BotFactory
) -> None:
    set_up = await world.admin.slash(world.general, "mentor schedule", frequency="daily", time="09:00")
    assert "Next run" in set_up.response.content
    await request(world, world.student, 1, [])
    cog: Any = world.bot.get_cog("Mentoring")
    # A mentor signed up through the service (no run on sign-up): only the schedule can pair them.
    await cog.service.offer(world.guild.id, mentor.id, year=3, experiences=[], capacity=1, hello="")

    await world.env.restart_bot(make_bot())
    assert world.env.bot.scheduler.get(f"mentoring:run:{world.guild.id}") is not None
    await world.env.advance_time(24 * 60 * 60)

    assert mentor.mention in message_text(dms(world.student)[-1])
    assert world.env.bot.scheduler.get(f"mentoring:run:{world.guild.id}") is not None  # re-armed


async def test_a_thread_that_cannot_be_opened_falls_back_to_dms(
    world: World, mentor: simcord.MemberActor
) -> None:
    intros = world.guild.create_text_channel("mentoring")
    await world.admin.slash(world.general, "mentor intro-channel", channel=intros)
    world.env.inject_error("POST", f"/channels/{intros.id}/threads", status=403, code=50013, times=None)
    await offer(world, mentor, 4, [FIRST])

    asked = await request(world, world.student, 1, [FIRST])

    assert "by DM" in text_of(asked)
    assert intros.threads == []
    assert mentor.mention in message_text(dms(world.student)[-1])
    assert world.env.errors == []


async def test_closed_dms_still_leave_the_pairing_and_checkin_in_status(
    world: World, mentor: simcord.MemberActor
) -> None:
    closed = world.student.user.dm_channel
    world.env.inject_error("POST", f"/channels/{closed.id}/messages", status=403, code=50007, times=None)
    await offer(world, mentor, 4, [FIRST, FAITH])
    await request(world, world.student, 1, [FIRST])
    await world.env.advance_time(TWO_WEEKS + 60)

    status = await world.student.slash(world.general, "mentor status")

    shown = text_of(status)
    assert mentor.mention in shown and "You both said: **First in family at university**" in shown
    assert "Faith" not in shown
    answered = await world.student.click(status.response.message, label="Not yet")
    assert "No rush" in answered.response.content
    assert world.env.errors == []


async def test_introductions_interrupted_by_a_restart_are_sent_after_it(
    world: World, mentor: simcord.MemberActor, make_bot: BotFactory
) -> None:
    await request(world, world.student, 1, [])
    cog: Any = world.bot.get_cog("Mentoring")
    await cog.service.offer(world.guild.id, mentor.id, year=3, experiences=[], capacity=1, hello="")
    # Paired, then the bot stopped before introducing them.
    [_made] = (await cog.service.run_matching(world.guild.id)).new_matches
    assert dms(world.student) == []

    await world.env.restart_bot(make_bot())

    assert mentor.mention in message_text(dms(world.student)[-1])
    assert world.student.mention in message_text(dms(mentor)[-1])
    await world.env.restart_bot(make_bot())
    await world.env.advance_time(60)
    assert len(dms(world.student)) == 1  # never twice


async def test_leaving_clears_the_introduction_from_the_private_thread(
    world: World, mentor: simcord.MemberActor
) -> None:
    intros = world.guild.create_text_channel("mentoring")
    await world.admin.slash(world.general, "mentor intro-channel", channel=intros)
    await offer(world, mentor, 4, [FIRST], hello="Ask me anything")
    await request(world, world.student, 1, [FIRST])
    [thread] = intros.threads
    await world.student.send(thread, "Hi Maya, thanks!")

    started = await mentor.slash(world.general, "mentor leave")
    await mentor.click(started.response.message, label="Yes, delete my mentoring data")

    left = [m.content for m in thread.history(viewer=world.student)]
    assert left == ["Hi Maya, thanks!"]  # the bot's disclosure is gone; their own words stay
    assert world.env.errors == []


async def test_forget_member_erases_data_and_the_introduction_and_rematches_the_partner(
    world: World, mentor: simcord.MemberActor
) -> None:
    intros = world.guild.create_text_channel("mentoring")
    await world.admin.slash(world.general, "mentor intro-channel", channel=intros)
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    other = world.guild.add_member(world.env.create_user("otto_other"))
    await offer(world, other, 3, [])
    [thread] = intros.threads
    cog: Any = world.bot.get_cog("Mentoring")

    counts = await cog.forget_member(mentor.id)
    await world.bot.outbox.drain()  # called from outside the bot's world: wait for what it owes

    assert counts["mentoring_profiles"] == 1 and counts["mentoring_pair_history"] == 1
    assert await cog.export_member(mentor.id) == {
        "profiles": [],
        "pairings": [],
        "past_pairs_remembered_as_keyed_hashes": 0,
    }
    assert thread.history(viewer=world.student) == []
    assert "come to an end" in message_text(dms(world.student)[0])
    status = await world.student.slash(world.general, "mentor status")
    assert other.mention in text_of(status)
