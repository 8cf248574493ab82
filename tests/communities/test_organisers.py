"""Organisers: create, edit, archive, restore; server-side checks; bad input and Discord faults."""

from __future__ import annotations

import discord
import pytest

from tests.communities.conftest import Stage, text_of
from tests.conftest import World


def channel_names(world: World) -> set[str]:
    return {c.name for c in world.env.backend.channels.values() if c.guild_id == world.guild.id}


def role_names(world: World) -> set[str]:
    return {r.name for r in world.env.backend.get_guild(world.guild.id).roles.values()}


def bot_role_id(world: World) -> int:
    roles = world.env.backend.get_guild(world.guild.id).roles.values()
    return next(r.id for r in roles if r.managed)


async def test_create_makes_a_private_channel_under_communities(stage: Stage) -> None:
    w = stage.world
    result = await w.organiser.slash(
        w.general, "community create", name="Black Medics", kind="identity", description="Black students."
    )
    assert result.ephemeral
    community = await stage.service.find(w.guild.id, "Black Medics")
    assert community.channel_id is not None and community.role_id is None
    channel = w.env.backend.get_channel(community.channel_id)
    assert channel.name == "black-medics"
    parent = w.env.backend.get_channel(channel.parent_id)
    assert parent.name == "Communities"
    # Hidden from everyone (even organisers), open to the bot.
    assert not stage.can_view(w.student, channel.id)
    assert not stage.can_view(w.organiser, channel.id)
    me = w.bot.get_guild(w.guild.id).me  # type: ignore[union-attr]
    assert discord.Permissions(w.env.backend.compute_permissions(w.guild.id, me.id, channel.id)).view_channel

    # A second community reuses the category.
    await stage.create("Disabled Students", "identity", "Disabled and chronically ill students.")
    categories = [c for c in w.env.backend.channels.values() if c.name == "Communities"]
    assert len(categories) == 1


async def test_organiser_commands_are_refused_for_a_student_on_the_server_side(stage: Stage) -> None:
    w = stage.world
    await stage.create("Faith Society", "interest", "All faiths welcome.")
    before = channel_names(w)
    for command, options in [
        ("community create", {"name": "Sneaky", "kind": "interest", "description": "x"}),
        ("community archive", {"name": "Faith Society"}),
        ("community restore", {"name": "Faith Society"}),
        ("community edit", {"name": "Faith Society"}),
        ("community panel", {"channel": w.general}),
    ]:
        result = await w.student.slash(w.general, command, **options)
        assert result.ephemeral
        assert "is for organisers" in text_of(result), command
        assert result.modal is None
    assert channel_names(w) == before
    assert (await stage.service.find(w.guild.id, "Faith Society")).archived_at is None
    assert w.env.errors == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A" * 51, "2 to 50 characters"),
        ("x", "2 to 50 characters"),
        ("Queer @ Med", "won't accept `@`"),
        ("Chess #1", "won't accept `#`"),
        ("---", "at least two letters or numbers"),
    ],
)
async def test_bad_names_get_a_clear_message_and_create_nothing(
    stage: Stage, name: str, expected: str
) -> None:
    w = stage.world
    before = channel_names(w)
    result = await w.organiser.slash(
        w.general, "community create", name=name, kind="identity", description="d"
    )
    assert result.ephemeral and expected in text_of(result)
    assert channel_names(w) == before
    assert await stage.service.list_communities(w.guild.id, archived=None) == []
    assert w.env.errors == []


async def test_duplicate_names_are_refused_case_insensitively(stage: Stage) -> None:
    w = stage.world
    await stage.create("Women in Surgery", "interest", "Surgical careers.")
    before = (channel_names(w), role_names(w))
    for name in ("women in surgery", "WOMEN  IN  SURGERY", "Women-in-Surgery"):
        result = await w.organiser.slash(
            w.general, "community create", name=name, kind="interest", description="d"
        )
        assert "Please choose a different name" in text_of(result), name
    assert (channel_names(w), role_names(w)) == before


async def test_missing_manage_roles_is_named_for_the_organiser_and_the_student(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Refugee Students", "identity", "Sanctuary scholars and refugees.")
    permissions = discord.Permissions.all()
    permissions.administrator = False
    permissions.manage_roles = False
    w.env.backend.edit_role(w.guild.id, bot_role_id(w), {"permissions": permissions.value})
    await w.env.settle()

    created = await w.organiser.slash(
        w.general, "community create", name="Chess", kind="interest", description="d"
    )
    assert "**Manage Roles**" in text_of(created) and "Server Settings › Roles" in text_of(created)
    assert "chess" not in channel_names(w)

    joined = await w.student.slash(w.general, "community join", name="Refugee Students")
    assert joined.ephemeral
    assert "because of a setting on this server" in text_of(joined)
    assert "Nothing was changed" in text_of(joined)
    assert community.channel_id is not None and not stage.can_view(w.student, community.channel_id)
    posts = stage.organiser_posts()
    assert len(posts) == 1 and "**Manage Roles**" in posts[0].embeds[0].description
    assert str(w.student.id) not in posts[0].embeds[0].description  # organisers aren't told who
    # A second student hitting the same problem does not repeat the alert.
    other = w.guild.add_member(w.env.create_user("second"))
    await other.slash(w.general, "community join", name="Refugee Students")
    assert len(stage.organiser_posts()) == 1


async def test_a_community_role_above_the_bot_is_named_with_the_fix(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Rowing", "interest", "Early mornings on the river.")
    assert community.role_id is not None
    w.env.backend.reorder_roles(w.guild.id, [{"id": community.role_id, "position": 99}])
    await w.env.settle()
    result = await w.student.slash(w.general, "community join", name="Rowing")
    assert "setting on this server" in text_of(result)
    assert community.role_id not in w.env.backend.get_member(w.guild.id, w.student.id).role_ids
    alert = stage.organiser_posts()[-1].embeds[0].description
    assert "drag **" in alert and "above **Rowing**" in alert


async def test_a_discord_error_while_creating_leaves_no_partial_state(stage: Stage) -> None:
    w = stage.world
    before = (channel_names(w), role_names(w))
    w.env.inject_error("POST", "/guilds/*/channels", status=500)
    result = await w.organiser.slash(
        w.general, "community create", name="Climbing", kind="interest", description="Bouldering on Tuesdays."
    )
    assert "Nothing was created or changed" in text_of(result)
    assert (channel_names(w), role_names(w)) == before  # the role made first was removed again
    assert await stage.service.list_communities(w.guild.id, archived=None) == []
    # And trying again works.
    await stage.create("Climbing", "interest", "Bouldering on Tuesdays.")
    assert w.env.errors == []


async def test_a_discord_error_while_joining_changes_nothing(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Estranged", "identity", "No family support.")
    w.env.inject_error("PUT", "/channels/*/permissions/*", status=500)
    result = await w.student.slash(w.general, "community join", name="Estranged")
    assert "Nothing was changed" in text_of(result) and "try again" in text_of(result)
    assert community.channel_id is not None and not stage.can_view(w.student, community.channel_id)
    assert "Welcome" in text_of(await w.student.slash(w.general, "community join", name="Estranged"))
    assert w.env.errors == []


async def test_edit_through_the_modal_renames_channel_and_role(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Netball", "interest", "Casual netball.")
    shown = await w.organiser.slash(w.general, "community edit", name="Netball")
    assert shown.modal is not None
    saved = await w.organiser.submit_modal(
        shown,
        {
            "name": "Netball Club",
            "description": "Casual netball, all levels.",
            "emoji": "🏐",
            "welcome": "Hi!",
        },
    )
    assert "Saved" in text_of(saved)
    assert community.channel_id is not None and community.role_id is not None
    assert w.env.backend.get_channel(community.channel_id).name == "netball-club"
    assert w.env.backend.get_role(w.guild.id, community.role_id).name == "Netball Club"
    edited = await stage.service.find(w.guild.id, "Netball Club")
    assert (edited.emoji, edited.welcome_note) == ("🏐", "Hi!")


async def test_edit_with_bad_input_keeps_everything(stage: Stage) -> None:
    w = stage.world
    await stage.create("Netball", "interest", "Casual netball.")
    await stage.create("Hockey", "interest", "Hockey.")
    shown = await w.organiser.slash(w.general, "community edit", name="Netball")
    refused = await w.organiser.submit_modal(
        shown, {"name": "hockey", "description": "x", "emoji": "", "welcome": ""}
    )
    assert "already exists" in text_of(refused)
    shown = await w.organiser.slash(w.general, "community edit", name="Netball")
    refused = await w.organiser.submit_modal(
        shown, {"name": "Netball", "description": "x", "emoji": "ball", "welcome": ""}
    )
    assert "single emoji" in text_of(refused)
    kept = await stage.service.find(w.guild.id, "Netball")
    assert kept.description == "Casual netball." and kept.emoji is None
    assert w.env.errors == []


async def test_archive_removes_access_keeps_history_read_only_and_restore_reopens(stage: Stage) -> None:
    w = stage.world
    channel_id = await stage.joined_by_student("Mature Students", "identity", "Came to medicine later.")
    assert stage.can_view(w.student, channel_id)

    archived = await w.organiser.slash(w.general, "community archive", name="Mature Students")
    assert "Archived **Mature Students**" in text_of(archived) and "1 member lost access" in text_of(archived)
    assert not stage.can_view(w.student, channel_id)
    assert w.env.backend.get_channel(channel_id) is not None  # kept for history
    # Organisers can read it, but nobody can post.
    assert stage.can_view(w.organiser, channel_id)
    assert not stage.can_send(w.organiser, channel_id)
    assert "Mature Students" not in text_of(await w.student.slash(w.general, "community list"))
    refused = await w.student.slash(w.general, "community join", name="Mature Students")
    assert "has been archived" in text_of(refused)
    assert "Archived" in text_of(await w.organiser.slash(w.general, "community list"))

    restored = await w.organiser.slash(w.general, "community restore", name="Mature Students")
    assert "Restored" in text_of(restored) and "need to join again" in text_of(restored)
    assert not stage.can_view(w.organiser, channel_id)
    assert "Mature Students" in text_of(await w.student.slash(w.general, "community list"))
    await w.student.slash(w.general, "community join", name="Mature Students")
    assert stage.can_view(w.student, channel_id) and stage.can_send(w.student, channel_id)
    assert w.env.errors == []


async def test_archiving_an_interest_community_and_restoring_returns_role_holders(stage: Stage) -> None:
    w = stage.world
    channel_id = await stage.joined_by_student("Choir", "interest", "Sing together.")
    await w.organiser.slash(w.general, "community archive", name="Choir")
    assert not stage.can_view(w.student, channel_id)
    await w.organiser.slash(w.general, "community restore", name="Choir")
    assert stage.can_view(w.student, channel_id)


async def test_a_discord_error_while_archiving_leaves_the_community_as_it_was(stage: Stage) -> None:
    w = stage.world
    channel_id = await stage.joined_by_student("Carers", "identity", "Young carers.")
    w.env.inject_error("PATCH", "/channels/*", status=500)
    result = await w.organiser.slash(w.general, "community archive", name="Carers")
    assert "Nothing was created or changed" in text_of(result)
    assert (await stage.service.find(w.guild.id, "Carers")).archived_at is None
    assert stage.can_view(w.student, channel_id)
    assert "Carers" in text_of(await w.student.slash(w.general, "community list"))
    assert w.env.errors == []


async def test_missing_manage_channels_is_named_before_anything_is_made(stage: Stage) -> None:
    w = stage.world
    permissions = discord.Permissions.all()
    permissions.administrator = False
    permissions.manage_channels = False
    w.env.backend.edit_role(w.guild.id, bot_role_id(w), {"permissions": permissions.value})
    await w.env.settle()
    before = (channel_names(w), role_names(w))
    result = await w.organiser.slash(
        w.general, "community create", name="Chess", kind="interest", description="d"
    )
    assert "**Manage Channels**" in text_of(result) and "**Manage Roles**" not in text_of(result)
    assert (channel_names(w), role_names(w)) == before
    assert await stage.service.list_communities(w.guild.id, archived=None) == []


async def test_a_full_communities_category_overflows_into_a_second_one(stage: Stage) -> None:
    w = stage.world
    category = w.guild.create_category("Communities")
    for n in range(50):  # Discord allows 50 channels in a category
        w.guild.create_text_channel(f"old-{n}", category=category)
    await w.env.settle()
    community = await stage.create("Chess", "interest", "Chess club.")
    assert community.channel_id is not None
    parent = w.env.backend.get_channel(w.env.backend.get_channel(community.channel_id).parent_id)
    assert parent.name == "Communities 2"


async def test_a_long_list_is_split_into_pages_none_cut_off(stage: Stage) -> None:
    w = stage.world
    names = [f"Society {n:02d}" for n in range(40)]
    for name in names:  # definitions only: the list reads them without touching Discord
        community = await stage.service.reserve(
            w.guild.id, name=name, kind="interest", description="A society. " * 25
        )
        await stage.service.attach(community.id, channel_id=1, role_id=None)
    result = await w.student.slash(w.general, "community list")
    messages = [result.response, *result.followups]
    assert len(messages) > 1 and all(m.ephemeral for m in messages)
    shown = text_of(result)
    assert all(f"**{name}**" in shown for name in names)
    assert all(len(m.embeds[0].description) <= 4096 for m in messages)


async def test_an_emoji_from_another_server_is_refused(stage: Stage) -> None:
    w = stage.world
    result = await w.organiser.slash(
        w.general,
        "community create",
        name="Chess",
        kind="interest",
        description="Chess club.",
        emoji="<:knight:123456789012345678>",
    )
    assert "isn't one of this server's" in text_of(result)
    assert await stage.service.list_communities(w.guild.id, archived=None) == []
