"""Joining and leaving, end to end: what each person can see, and what is (not) recorded."""

from __future__ import annotations

import logging
import sqlite3

import discord
import pytest

from tests.communities.conftest import Stage, text_of


def stored_values(stage: Stage) -> list[object]:
    """Every value in every table of the bot's database file."""
    conn = sqlite3.connect(stage.world.bot.settings.database.path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [value for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for value in row]
    finally:
        conn.close()


async def test_identity_join_mine_leave_gives_access_without_a_role_or_a_record(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    w = stage.world
    other = w.guild.add_member(w.env.create_user("nia_not_a_member"))
    community = await stage.create(
        "LGBTQ+ Medics", "identity", "For LGBTQ+ students and allies.", welcome_note="Say hi in the channel!"
    )
    assert community.channel_id is not None
    roles_before = stage.role_ids(w.student)
    assert not stage.can_view(w.student, community.channel_id)

    joined = await w.student.slash(w.general, "community join", name="lgbtq+ medics")
    assert joined.ephemeral
    assert "Welcome to **LGBTQ+ Medics**" in text_of(joined)
    assert "Say hi in the channel!" in text_of(joined)  # the welcome note, privately
    assert stage.can_view(w.student, community.channel_id)
    assert stage.can_send(w.student, community.channel_id)
    assert not stage.can_view(other, community.channel_id)
    assert stage.role_ids(w.student) == roles_before  # no role, so nothing on the profile

    mine = await w.student.slash(w.general, "community mine")
    assert mine.ephemeral and "LGBTQ+ Medics" in text_of(mine)
    theirs = await other.slash(w.general, "community mine")
    assert "haven't joined any" in text_of(theirs)

    # Nothing in the database names the member, and no log line pairs them with the community.
    assert w.student.id not in stored_values(stage)
    assert str(w.student.id) not in " ".join(str(v) for v in stored_values(stage))
    for record in caplog.records:
        message = record.getMessage()
        assert not (str(w.student.id) in message and "LGBTQ" in message), message

    left = await w.student.slash(w.general, "community leave", name="LGBTQ+ Medics")
    assert left.ephemeral and "You've left" in text_of(left)
    assert not stage.can_view(w.student, community.channel_id)
    assert stage.role_ids(w.student) == roles_before
    assert "haven't joined any" in text_of(await w.student.slash(w.general, "community mine"))

    # Nothing was posted anywhere public, and the organisers were not told who joined.
    assert [m for m in w.general.history() if m.author.bot and not m.flags.ephemeral] == []
    assert stage.organiser_posts() == []
    assert w.env.errors == []


async def test_interest_join_mine_leave_uses_the_role(stage: Stage) -> None:
    w = stage.world
    other = w.guild.add_member(w.env.create_user("nia_not_a_member"))
    community = await stage.create("Running Club", "interest", "Easy 5k runs on Sunday mornings.", emoji="🏃")
    assert community.channel_id is not None and community.role_id is not None

    joined = await w.student.slash(w.general, "community join", name="Running Club")
    assert joined.ephemeral and "Welcome to" in text_of(joined)
    assert community.role_id in stage.role_ids(w.student)
    assert stage.can_view(w.student, community.channel_id)
    assert not stage.can_view(other, community.channel_id)
    assert "Running Club" in text_of(await w.student.slash(w.general, "community mine"))

    left = await w.student.slash(w.general, "community leave", name="Running Club")
    assert "You've left" in text_of(left)
    assert community.role_id not in stage.role_ids(w.student)
    assert not stage.can_view(w.student, community.channel_id)
    assert "haven't joined any" in text_of(await w.student.slash(w.general, "community mine"))


@pytest.mark.parametrize("kind", ["identity", "interest"])
async def test_joining_twice_or_leaving_when_not_in_gets_a_friendly_answer(stage: Stage, kind: str) -> None:
    w = stage.world
    await stage.create("Carers", kind, "Students who look after someone.")

    not_in = await w.student.slash(w.general, "community leave", name="Carers")
    assert "You're not in **Carers**" in text_of(not_in)

    await w.student.slash(w.general, "community join", name="Carers")
    requests_before = len(w.env.http_requests)
    again = await w.student.slash(w.general, "community join", name="Carers")
    assert again.ephemeral and "already in **Carers**" in text_of(again)
    changes = [
        r for r in w.env.http_requests[requests_before:] if "/permissions/" in r.path or "/roles/" in r.path
    ]
    assert changes == []  # the second join changed nothing on Discord
    assert w.env.errors == []


async def test_fifty_students_join_one_after_another_each_once(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("First in Family", "identity", "First in your family at university.")
    assert community.channel_id is not None
    students = [w.guild.add_member(w.env.create_user(f"student_{n:02d}")) for n in range(50)]
    for student in students:
        result = await student.slash(w.general, "community join", name="First in Family")
        assert "Welcome to" in text_of(result)
    assert all(stage.can_view(s, community.channel_id) for s in students)

    channel = w.env.backend.get_channel(community.channel_id)
    member_overwrites = [o for o in channel.overwrites if o.target_id in {s.id for s in students}]
    assert len(member_overwrites) == 50  # one each, no duplicates

    requests_before = len(w.env.http_requests)
    again = await students[7].slash(w.general, "community join", name="First in Family")
    assert "already in" in text_of(again)
    assert not [r for r in w.env.http_requests[requests_before:] if "/permissions/" in r.path]
    assert len(w.env.backend.get_channel(community.channel_id).overwrites) == len(channel.overwrites)

    # The count is shown now there are at least five members.
    listing = await w.student.slash(w.general, "community list")
    assert "50 members" in text_of(listing)


async def test_identity_count_is_hidden_below_five(stage: Stage) -> None:
    w = stage.world
    await stage.create("Care Leavers", "identity", "Students who grew up in care.")
    for n in range(4):
        member = w.guild.add_member(w.env.create_user(f"cl_{n}"))
        await member.slash(w.general, "community join", name="Care Leavers")
    listing = text_of(await w.student.slash(w.general, "community list"))
    assert "Fewer than 5 members" in listing and "4 members" not in listing


async def test_unknown_community_gets_a_kind_pointer(stage: Stage) -> None:
    w = stage.world
    result = await w.student.slash(w.general, "community join", name="Chess")
    assert result.ephemeral
    assert "couldn't find a community called `Chess`" in text_of(result)
    assert "/community list" in text_of(result)
    assert w.env.errors == []


async def test_autocomplete_offers_open_communities_and_your_own_to_leave(stage: Stage) -> None:
    w = stage.world
    await stage.create("Muslim Medics", "identity", "Muslim students.")
    await stage.create("Mature Students", "identity", "Came to medicine later.")
    offered = await w.student.autocomplete(w.general, "community join", "name", "m")
    assert {c["value"] for c in offered} == {"Muslim Medics", "Mature Students"}
    await w.student.slash(w.general, "community join", name="Mature Students")
    leaving = await w.student.autocomplete(w.general, "community leave", "name", "")
    assert [c["value"] for c in leaving] == ["Mature Students"]


async def test_forget_member_removes_the_access_the_bot_granted(stage: Stage) -> None:
    w = stage.world
    identity = await stage.create("Estranged Students", "identity", "Studying without family support.")
    interest = await stage.create("Cooking", "interest", "Cheap, tasty, halal-friendly cooking.")
    await w.student.slash(w.general, "community join", name="Estranged Students")
    await w.student.slash(w.general, "community join", name="Cooking")
    cog = w.bot.get_cog("Communities")
    guild = w.bot.get_guild(w.guild.id)
    assert cog is not None and guild is not None

    exported = await cog.export_member_data(w.guild.id, w.student.id)  # type: ignore[attr-defined]
    assert {c["community"] for c in exported["communities"]["you_are_in_on_discord"]} == {
        "Estranged Students",
        "Cooking",
    }
    removed = await cog.forget_member(guild, w.student.id)  # type: ignore[attr-defined]
    await w.env.settle()
    assert removed == 2
    assert identity.channel_id is not None and interest.role_id is not None
    assert not stage.can_view(w.student, identity.channel_id)
    assert interest.role_id not in stage.role_ids(w.student)


async def test_a_member_a_moderator_kept_out_cannot_undo_it_by_joining(stage: Stage) -> None:
    from simcord.backend.models import Overwrite
    from simcord.enums import OverwriteType

    w = stage.world
    community = await stage.create("Black Medics", "identity", "Black students.")
    assert community.channel_id is not None
    deny = discord.Permissions(view_channel=True).value
    w.env.backend.set_overwrite(
        community.channel_id, Overwrite(target_id=w.student.id, type=OverwriteType.MEMBER, allow=0, deny=deny)
    )
    await w.env.settle()
    refused = await w.student.slash(w.general, "community join", name="Black Medics")
    assert "talk to an organiser" in text_of(refused)
    assert not stage.can_view(w.student, community.channel_id)
    left = await w.student.slash(w.general, "community leave", name="Black Medics")
    assert "not in" in text_of(left)
    kept = [
        o for o in w.env.backend.get_channel(community.channel_id).overwrites if o.target_id == w.student.id
    ]
    assert [(o.allow, o.deny) for o in kept] == [(0, deny)]  # the moderator's decision stands
    assert w.env.errors == []
