"""The persistent panel, health reports, and Discord's limits on permission overwrites."""

from __future__ import annotations

from typing import Any

import discord
import simcord
from simcord.backend.models import Overwrite
from simcord.enums import OverwriteType

import cogs.communities.provision as communities_cog
from tests.communities.conftest import Stage, text_of
from tests.conftest import BotFactory


def make_public_unnoticed(stage: Stage, channel_id: int, overwrite: Overwrite) -> None:
    """Change a channel's overwrites without the bot hearing about it (as while it was offline)."""
    channel = stage.env.backend.get_channel(channel_id)
    channel.overwrites = [o for o in channel.overwrites if o.target_id != overwrite.target_id] + [overwrite]


def panel_message(stage: Stage, channel: simcord.ChannelHandle) -> discord.Message:
    posts = [m for m in channel.history() if m.author.bot and m.embeds and m.embeds[0].title == "Communities"]
    assert len(posts) == 1
    return posts[0]


def panel_options(message: discord.Message) -> list[str]:
    return [
        o.label for row in message.components for item in row.children for o in getattr(item, "options", [])
    ]


async def test_panel_card_join_and_leave_survive_a_restart(stage: Stage, make_bot: BotFactory) -> None:
    w = stage.world
    lobby = w.guild.create_text_channel("find-your-people")
    await w.env.settle()
    community = await stage.create(
        "Black Medics", "identity", "Black students.", welcome_note="Welcome, friend."
    )
    assert community.channel_id is not None
    posted = await w.organiser.slash(w.general, "community panel", channel=lobby)
    assert posted.ephemeral and "Posted" in text_of(posted)
    panel = panel_message(stage, lobby)
    assert panel_options(panel) == ["Black Medics"]

    await w.env.restart_bot(make_bot())

    card = await w.student.select(panel, [str(community.id)], custom_id="community:panel:0")
    assert card.ephemeral
    assert "doesn't show on your profile" in text_of(card)
    joined = await w.student.click(card.response, label="Join")
    assert "Welcome, friend." in text_of(joined)
    assert stage.can_view(w.student, community.channel_id)

    await w.env.restart_bot(make_bot())

    card = await w.student.select(
        panel_message(stage, lobby), [str(community.id)], custom_id="community:panel:0"
    )
    assert "You're a member" in text_of(card)
    left = await w.student.click(card.response, label="Leave")
    assert "You've left" in text_of(left)
    assert not stage.can_view(w.student, community.channel_id)
    # Nothing about any of this is visible in the panel's channel.
    assert [m for m in lobby.history(viewer=w.admin) if m.id != panel.id] == []
    assert w.env.errors == []


async def test_panel_refreshes_when_communities_change(stage: Stage) -> None:
    w = stage.world
    lobby = w.guild.create_text_channel("find-your-people")
    await w.env.settle()
    empty = await w.organiser.slash(w.general, "community panel", channel=lobby)
    assert "Posted" in text_of(empty)
    assert panel_options(panel_message(stage, lobby)) == ["No communities yet"]

    await stage.create("Running Club", "interest", "5k on Sundays.")
    await stage.create("Care Leavers", "identity", "Grew up in care.")
    assert panel_options(panel_message(stage, lobby)) == ["Care Leavers", "Running Club"]

    shown = await w.organiser.slash(w.general, "community edit", name="Running Club")
    await w.organiser.submit_modal(
        shown, {"name": "Run Club", "description": "5k.", "emoji": "", "welcome": ""}
    )
    assert panel_options(panel_message(stage, lobby)) == ["Care Leavers", "Run Club"]

    await w.organiser.slash(w.general, "community archive", name="Run Club")
    assert panel_options(panel_message(stage, lobby)) == ["Care Leavers"]


async def test_a_stale_card_for_an_archived_community_refuses_kindly(stage: Stage) -> None:
    w = stage.world
    lobby = w.guild.create_text_channel("lobby")
    await w.env.settle()
    community = await stage.create("Carers", "identity", "Young carers.")
    await w.organiser.slash(w.general, "community panel", channel=lobby)
    card = await w.student.select(
        panel_message(stage, lobby), [str(community.id)], custom_id="community:panel:0"
    )
    await w.organiser.slash(w.general, "community archive", name="Carers")
    refused = await w.student.click(card.response, label="Join")
    assert refused.ephemeral and "has been archived" in text_of(refused)
    assert w.env.errors == []


async def test_a_deleted_channel_is_detected_and_reported_once(stage: Stage, make_bot: BotFactory) -> None:
    w = stage.world
    community = await stage.create("Muslim Medics", "identity", "Muslim students.")
    assert community.channel_id is not None
    w.env.backend.delete_channel(community.channel_id)  # an admin deletes it by hand
    await w.env.settle()

    posts = stage.organiser_posts()
    assert len(posts) == 1
    assert "**Muslim Medics**" in posts[0].embeds[0].description
    assert "channel was deleted" in posts[0].embeds[0].description

    await w.env.restart_bot(make_bot())
    await w.env.restart_bot(make_bot())
    assert len(stage.organiser_posts()) == 1  # not on every start

    refused = await w.student.slash(w.general, "community join", name="Muslim Medics")
    assert "isn't available right now" in text_of(refused)
    assert len(stage.organiser_posts()) == 1
    health = text_of(await w.organiser.slash(w.general, "community list"))
    assert "channel was deleted" in health  # the organisers' health line

    repaired = await w.organiser.slash(w.general, "community restore", name="Muslim Medics")
    assert "Made a new private channel" in text_of(repaired)
    fixed = await stage.service.find(w.guild.id, "Muslim Medics")
    assert fixed.channel_id not in (None, community.channel_id)
    assert "Welcome" in text_of(await w.student.slash(w.general, "community join", name="Muslim Medics"))
    assert "✅ all good" in text_of(await w.organiser.slash(w.general, "community list"))


def expose_to_everyone(stage: Stage, channel_id: int) -> None:
    """Someone makes a private channel visible to everyone (an edit the bot did not see)."""
    make_public_unnoticed(
        stage,
        channel_id,
        Overwrite(
            target_id=stage.world.guild.id,
            type=OverwriteType.ROLE,
            allow=discord.Permissions(view_channel=True).value,
            deny=0,
        ),
    )


async def exposed_unnoticed(stage: Stage, name: str, description: str) -> int:
    """A new identity community whose private channel someone then made visible to everyone (a
    channel edit, not a deletion) without the bot hearing of it, so nothing is reported yet.
    Returns the channel's id."""
    _, channel_id = await stage.create_with_channel(name, "identity", description)
    expose_to_everyone(stage, channel_id)
    await stage.env.settle()
    assert stage.organiser_posts() == []
    return channel_id


async def test_a_misconfiguration_made_while_offline_is_found_at_start_up_once(
    stage: Stage, make_bot: BotFactory
) -> None:
    w = stage.world
    channel_id = await exposed_unnoticed(stage, "LGBTQ+ Medics", "LGBTQ+ students.")

    await w.env.restart_bot(make_bot())
    posts = stage.organiser_posts()
    assert len(posts) == 1 and "visible to everyone" in posts[0].embeds[0].description
    await w.env.restart_bot(make_bot())
    assert len(stage.organiser_posts()) == 1

    fixed = await w.organiser.slash(w.general, "community restore", name="LGBTQ+ Medics")
    assert "Reset access" in text_of(fixed)
    assert not stage.can_view(w.student, channel_id)


async def test_a_deleted_role_is_reported_and_repaired(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Chess", "interest", "Chess club.")
    assert community.role_id is not None
    w.env.backend.delete_role(w.guild.id, community.role_id)
    await w.env.settle()
    assert "role was deleted" in stage.organiser_posts()[-1].embeds[0].description
    await w.organiser.slash(w.general, "community restore", name="Chess")
    assert "Welcome" in text_of(await w.student.slash(w.general, "community join", name="Chess"))


def fill_with_overwrites(stage: Stage, channel_id: int, count: int) -> None:
    """Give ``count`` other members their own overwrite on the channel, as joins would."""
    for n in range(count):
        stage.env.backend.set_overwrite(
            channel_id,
            Overwrite(
                target_id=10_000 + n,
                type=OverwriteType.MEMBER,
                allow=communities_cog.MEMBER_ACCESS.value,
                deny=0,
            ),
        )


async def test_joins_keep_working_past_100_overwrites_and_no_request_carries_more(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("First in Family", "identity", "First generation students.")
    assert community.channel_id is not None
    fill_with_overwrites(stage, community.channel_id, 120)
    await w.env.settle()

    joined = await w.student.slash(w.general, "community join", name="First in Family")
    assert "Welcome" in text_of(joined) and stage.can_view(w.student, community.channel_id)
    listing = text_of(await w.student.slash(w.general, "community list"))
    assert "121 members" in listing
    await w.organiser.slash(w.general, "community archive", name="First in Family")
    await w.organiser.slash(w.general, "community restore", name="First in Family")

    # Discord rejects a create/edit channel request carrying more than 100 overwrites.
    for request in w.env.http_requests:
        body: Any = request.json
        if isinstance(body, dict) and "permission_overwrites" in body:
            assert len(body["permission_overwrites"]) <= communities_cog.BULK_OVERWRITES_LIMIT
    assert w.env.errors == []


async def test_a_full_channel_refuses_the_join_clearly_and_tells_organisers_once(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Estranged", "identity", "No family support.")
    assert community.channel_id is not None
    # The real limit is 1000 per channel; a small one keeps the test quick.
    cog: Any = w.bot.get_cog("Communities")
    cog.overwrite_limit = 12
    fill_with_overwrites(stage, community.channel_id, 10)  # plus @everyone and the bot: 12
    await w.env.settle()

    before = len(w.env.http_requests)
    refused = await w.student.slash(w.general, "community join", name="Estranged")
    assert refused.ephemeral
    assert "is full" in text_of(refused) and "Nothing was changed" in text_of(refused)
    assert not stage.can_view(w.student, community.channel_id)
    assert not [r for r in w.env.http_requests[before:] if "/permissions/" in r.path]  # no request at all
    posts = stage.organiser_posts()
    assert len(posts) == 1 and "limit" in posts[0].embeds[0].description
    assert str(w.student.id) not in posts[0].embeds[0].description

    other = w.guild.add_member(w.env.create_user("another"))
    assert "is full" in text_of(await other.slash(w.general, "community join", name="Estranged"))
    assert len(stage.organiser_posts()) == 1  # once

    # Leaving still works when full, and frees a place.
    member = w.guild.add_member(w.env.create_user("member"))
    w.env.backend.delete_overwrite(community.channel_id, 10_000)
    await w.env.settle()
    assert "Welcome" in text_of(await member.slash(w.general, "community join", name="Estranged"))
    assert "You've left" in text_of(await member.slash(w.general, "community leave", name="Estranged"))
    assert w.env.errors == []


async def test_discord_refusing_an_overwrite_for_the_limit_is_explained(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Refugees", "identity", "Refugee and sanctuary students.")
    w.env.inject_error(
        "PUT",
        "/channels/*/permissions/*",
        status=400,
        code=30060,
        message="Maximum number of channel permission overwrites reached (1000)",
    )
    refused = await w.student.slash(w.general, "community join", name="Refugees")
    assert "is full" in text_of(refused) and "Nothing was changed" in text_of(refused)
    assert community.channel_id is not None and not stage.can_view(w.student, community.channel_id)
    assert "limit" in stage.organiser_posts()[-1].embeds[0].description
    assert w.env.errors == []


async def test_a_problem_is_found_when_the_guild_becomes_available_again(stage: Stage) -> None:
    from simcord.backend import serializers

    w = stage.world
    await exposed_unnoticed(stage, "Disabled Students", "Disabled and chronically ill students.")
    # Discord sends GUILD_CREATE again when a guild comes back from an outage.
    guild = w.env.backend.get_guild(w.guild.id)
    w.env.backend.emit("GUILD_CREATE", serializers.guild_create_payload(w.env.backend, guild))
    await w.env.settle()
    assert len(stage.organiser_posts()) == 1
    w.env.backend.emit("GUILD_CREATE", serializers.guild_create_payload(w.env.backend, guild))
    await w.env.settle()
    assert len(stage.organiser_posts()) == 1


async def test_making_an_identity_channel_public_while_online_is_reported_at_once(stage: Stage) -> None:
    w = stage.world
    community = await stage.create("Muslim Medics", "identity", "Muslim students.")
    assert community.channel_id is not None
    w.env.backend.set_overwrite(
        community.channel_id,
        Overwrite(
            target_id=w.guild.id,
            type=OverwriteType.ROLE,
            allow=discord.Permissions(view_channel=True).value,
            deny=0,
        ),
    )
    await w.env.settle()
    posts = stage.organiser_posts()
    assert len(posts) == 1 and "visible to everyone" in posts[0].embeds[0].description
    # Ordinary joins (member overwrites) don't trigger more reports.
    await w.student.slash(w.general, "community join", name="Muslim Medics")
    assert len(stage.organiser_posts()) == 1


async def test_discord_refusals_alert_organisers_once_until_a_change_works_again(stage: Stage) -> None:
    w = stage.world
    await stage.create("Refugees", "identity", "Refugee and sanctuary students.")
    others = [w.guild.add_member(w.env.create_user(f"s{n}")) for n in range(3)]
    w.env.inject_error(
        "PUT", "/channels/*/permissions/*", status=403, code=50013, message="Missing Permissions", times=2
    )
    for member in others[:2]:
        refused = await member.slash(w.general, "community join", name="Refugees")
        assert "setting on this server" in text_of(refused)
    assert len(stage.organiser_posts()) == 1  # two refusals, one alert
    assert "Welcome" in text_of(await w.student.slash(w.general, "community join", name="Refugees"))
    w.env.inject_error(
        "PUT", "/channels/*/permissions/*", status=403, code=50013, message="Missing Permissions"
    )
    await others[2].slash(w.general, "community join", name="Refugees")
    assert len(stage.organiser_posts()) == 2  # it worked in between, so this is news again
    assert w.env.errors == []
