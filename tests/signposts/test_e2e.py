"""Signposts end to end through SimCord: what students and organisers see, and scheduled posts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from bot.ui import support_payload
from tests.conftest import BotFactory, World, advance_to, open_command_to


def _select(message: Any) -> dict[str, Any]:
    """The need menu of a reply, as Discord sent it."""
    for row in message.components:
        for child in row.get("components", []):
            if child.get("type") == discord.ComponentType.string_select.value:
                return dict(child)
    raise AssertionError("no select menu")


def _text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or ""]
    parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


async def _make_organiser(world: World) -> None:
    """An admin makes the organiser role organisers and lets them see /signposts."""
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await open_command_to(world, "signposts", world.organiser)


def _posts(channel: Any) -> list[discord.Message]:
    """The bot's posts in a channel (not Discord's "pinned a message" notices)."""
    return [m for m in channel.history() if m.type == discord.MessageType.default]


# -- /support ------------------------------------------------------------------------------------


async def test_support_shows_urgent_help_first_and_filters_by_need(world: World) -> None:
    result = await world.student.slash(world.general, "support")

    assert result.ephemeral
    message = result.response
    first = message.embeds[0]
    assert "Urgent" in first.title
    assert "999" in first.description
    assert "Samaritans" in first.description and "116 123" in first.description
    assert "SHOUT to 85258" in first.description
    assert "NHS 111" in first.description
    menu = _select(message)
    assert "lgbtq" in [o["value"] for o in menu["options"]]
    assert world.general.history(viewer=world.admin) == []  # nothing in the channel

    picked = await world.student.select(message, ["lgbtq"], custom_id=menu["custom_id"])
    shown = picked.response.message if picked.response.message is not None else picked.response
    embeds = shown.embeds
    assert "Urgent" in embeds[0].title  # still first
    need = _text(embeds[1])
    assert "LGBTQ+" in embeds[1].title
    assert "Switchboard LGBT+ Helpline" in need and "0800 0119 100" in need
    assert "independent of your medical school" in need
    assert "Equality Advisory" not in need
    assert "Daily 10:00–22:00" in need


async def test_support_with_a_need_option_and_a_local_not_independent_contact(world: World) -> None:
    await _make_organiser(world)
    shown = await world.organiser.slash(
        world.general, "signposts add", independent=False, need="discrimination"
    )
    assert shown.modal is not None
    saved = await world.organiser.submit_modal(
        shown,
        {
            "name": "Report + Support",
            "needs": ["discrimination"],
            "description": "Report what happened, with your name or anonymously.",
            "reach": "web: https://report.uni.ac.uk",
            "hours": "24/7",
        },
    )
    assert saved.ephemeral and "Added" in saved.response.content

    result = await world.student.slash(world.general, "support", need="discrimination")
    fields = {f.name: f.value for f in result.response.embeds[1].fields}
    assert "run by your university or medical school" in fields["Report + Support"]
    assert "independent of your medical school" in fields["Equality Advisory and Support Service"]


async def test_nothing_is_recorded_about_who_looked(world: World) -> None:
    await world.student.slash(world.general, "support")
    message = (await world.student.slash(world.general, "support")).response
    await world.student.select(message, ["wellbeing"], custom_id=_select(message)["custom_id"])

    conn = sqlite3.connect(world.bot.settings.database.path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                assert world.student.id not in row and str(world.student.id) not in map(str, row), table
    finally:
        conn.close()


# -- organiser commands --------------------------------------------------------------------------


async def test_signposts_is_hidden_from_students_and_refused_on_the_server_side(world: World) -> None:
    payload = next(c for c in world.bot.tree.get_commands() if c.name == "signposts").to_dict(world.bot.tree)
    assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value

    await open_command_to(world, "signposts", world.student)
    refused = await world.student.slash(world.general, "signposts add", independent=True)
    assert refused.ephemeral and refused.modal is None
    assert "organisers" in refused.response.content
    exported = await world.student.slash(world.general, "signposts export")
    assert not exported.response.attachments
    assert world.env.errors == []


async def test_a_bad_phone_number_in_the_form_saves_nothing(world: World) -> None:
    before = await world.bot.get_cog("Signposts").service.export_toml(world.guild.id)
    shown = await world.admin.slash(world.general, "signposts add", independent=True)
    result = await world.admin.submit_modal(
        shown,
        {"name": "Helpline", "needs": ["wellbeing"], "reach": "phone: 0300 123", "hours": "whenever"},
    )
    assert result.ephemeral
    assert "phone number" in result.response.content
    assert "opening hours" in result.response.content
    assert await world.bot.get_cog("Signposts").service.export_toml(world.guild.id) == before
    assert world.env.errors == []


async def test_edit_and_remove_through_forms(world: World) -> None:
    cog = world.bot.get_cog("Signposts")
    nightline = next(c for c in await cog.service.contacts(world.guild.id) if c.name == "Nightline")
    choices = await world.admin.autocomplete(world.general, "signposts edit", "contact", "night")
    assert [c["value"] for c in choices] == [str(nightline.id)]

    shown = await world.admin.slash(world.general, "signposts edit", contact=str(nightline.id))
    saved = await world.admin.submit_modal(
        shown,
        {
            "name": "Nightline",
            "needs": ["wellbeing"],
            "description": nightline.description,
            "reach": "web: https://nightline.uni.ac.uk\nphone: 020 7946 0958",
            "hours": "Daily 20:00–08:00 (term time)",
        },
    )
    assert "Saved" in saved.response.content
    edited = await cog.service.get(world.guild.id, nightline.id)
    assert edited.phone == "020 7946 0958" and edited.web == "https://nightline.uni.ac.uk"

    asked = await world.admin.slash(world.general, "signposts remove", contact=str(nightline.id))
    kept = await world.admin.submit_modal(asked, {"confirm": "Samaritans"})
    assert "was kept" in kept.response.content
    asked = await world.admin.slash(world.general, "signposts remove", contact=str(nightline.id))
    removed = await world.admin.submit_modal(asked, {"confirm": "nightline"})
    assert "Removed" in removed.response.content
    assert "Nightline" not in [c.name for c in await cog.service.contacts(world.guild.id)]


async def test_export_then_import_gives_the_same_directory(world: World) -> None:
    exported = await world.admin.slash(world.general, "signposts export")
    assert exported.ephemeral
    attachment = exported.response.attachments[0]
    assert attachment.filename == "signposts.toml"
    data = await attachment.read()
    cog = world.bot.get_cog("Signposts")
    before = [c.draft() for c in await cog.service.contacts(world.guild.id)]

    first = (await cog.service.contacts(world.guild.id))[0]
    await cog.service.remove(world.guild.id, first.id)

    imported = await world.admin.slash(
        world.general, "signposts import", file=("signposts.toml", data), replace=True
    )
    content = (imported.followups[-1] if imported.followups else imported.response).content
    assert "1 added" in content
    assert [c.draft() for c in await cog.service.contacts(world.guild.id)] == before


async def test_a_broken_import_file_changes_nothing(world: World) -> None:
    cog = world.bot.get_cog("Signposts")
    before = await cog.service.export_toml(world.guild.id)
    bad = b'[[signposts]]\nname = "X"\ncategories = ["wellbeing"]\nweb = "not a link"\nhours = "24/7"\n'
    result = await world.admin.slash(world.general, "signposts import", file=("x.toml", bad), replace=True)
    content = (result.followups[-1] if result.followups else result.response).content
    assert "Nothing was imported" in content and "web link" in content
    assert await cog.service.export_toml(world.guild.id) == before


# -- the persistent button -------------------------------------------------------------------------


async def test_the_support_button_gives_the_same_private_view_after_a_restart(
    world: World, make_bot: BotFactory
) -> None:
    welcome = world.guild.create_text_channel("welcome")
    done = await world.admin.slash(world.general, "signposts button", channel=welcome)
    assert done.ephemeral and "Posted" in done.response.content
    post = welcome.last_message
    assert post.embeds[0].title == "Need support?"

    await world.env.restart_bot(make_bot())

    opened = await world.student.click(post, label="Need support?")
    assert opened.ephemeral
    assert "Urgent" in opened.response.embeds[0].title
    assert "116 123" in opened.response.embeds[0].description
    # Only the student sees it.
    assert [m.id for m in welcome.history(viewer=world.admin)] == [post.id]


async def test_a_channel_the_bot_cannot_post_in_gets_a_clear_message(world: World) -> None:
    locked = world.guild.create_text_channel(
        "locked", overwrites={world.bot.user: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await world.admin.slash(world.general, "signposts button", channel=locked)
    assert result.ephemeral and "Send Messages" in result.response.content
    assert locked.history() == []

    scheduled = await world.admin.slash(
        world.general, "signposts schedule", channel=locked, repeat="first Monday of each month"
    )
    assert "Send Messages" in scheduled.response.content
    assert await world.bot.get_cog("Signposts").service.schedules(world.guild.id) == []


# -- scheduled posts -------------------------------------------------------------------------------


async def test_a_monthly_post_appears_on_time_pins_itself_unpins_the_last_and_is_not_doubled(
    world: World, make_bot: BotFactory
) -> None:
    board = world.guild.create_text_channel("noticeboard")
    assert world.bot.clock.now() < datetime(2026, 1, 5, tzinfo=UTC)
    made = await world.admin.slash(
        world.general, "signposts schedule", channel=board, repeat="first Monday of each month", time="09:00"
    )
    assert made.ephemeral and "first Monday of each month" in made.response.content

    # Just before 09:00 on Monday 5 January: nothing yet.
    await advance_to(world.env, datetime(2026, 1, 5, 8, 59, tzinfo=UTC))
    assert _posts(board) == []
    await world.env.advance_time(60)
    first = _posts(board)
    assert len(first) == 1
    assert "Urgent" in first[0].embeds[0].title
    assert [m.id for m in board.pinned_messages()] == [first[0].id]

    # A restart before the next post neither repeats January's nor loses February's.
    await world.env.restart_bot(make_bot())
    await world.env.advance_time(3600)
    assert len(_posts(board)) == 1

    await advance_to(world.env, datetime(2026, 2, 2, 9, 0, 30, tzinfo=UTC))
    posts = _posts(board)
    assert len(posts) == 2
    assert [m.id for m in board.pinned_messages()] == [posts[1].id]

    # Restart again right after the post, and run well past it: still exactly two.
    await world.env.restart_bot(make_bot())
    await advance_to(world.env, datetime(2026, 2, 20, tzinfo=UTC))
    assert len(_posts(board)) == 2

    listed = await world.admin.slash(world.general, "signposts schedules")
    march = int(datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp())
    assert f"next: <t:{march}:F>" in listed.response.embeds[0].description


async def test_a_category_post_on_given_dates(world: World) -> None:
    board = world.guild.create_text_channel("exams")
    await world.admin.slash(
        world.general, "signposts schedule", channel=board, dates="12 Jan 2026", time="8am", need="academic"
    )
    await advance_to(world.env, datetime(2026, 1, 12, 8, 1, tzinfo=UTC))
    posts = _posts(board)
    assert len(posts) == 1
    assert "Academic" in posts[0].embeds[1].title
    assert "BMA wellbeing support" in _text(posts[0].embeds[1])
    assert posts[0].pinned
    listed = await world.admin.slash(world.general, "signposts schedules")
    assert "finished" in listed.response.embeds[0].description


async def test_unschedule_stops_future_posts(world: World) -> None:
    board = world.guild.create_text_channel("noticeboard")
    await world.admin.slash(world.general, "signposts schedule", channel=board, repeat="every Monday")
    choices = await world.admin.autocomplete(world.general, "signposts unschedule", "schedule", "")
    assert len(choices) == 1
    done = await world.admin.slash(world.general, "signposts unschedule", schedule=choices[0]["value"])
    assert "Cancelled" in done.response.content
    await advance_to(world.env, datetime(2026, 1, 20, tzinfo=UTC))
    assert _posts(board) == []


@pytest.mark.parametrize("repeat", ["every day", "whenever"])
async def test_a_bad_repeat_saves_nothing(world: World, repeat: str) -> None:
    result = await world.admin.slash(
        world.general, "signposts schedule", channel=world.general, repeat=repeat
    )
    assert result.ephemeral
    assert "first Monday of each month" in result.response.content or "once a week" in result.response.content
    assert await world.bot.get_cog("Signposts").service.schedules(world.guild.id) == []


async def test_the_support_view_sent_in_a_dm_still_filters_by_need(world: World) -> None:
    """Other features (mentoring check-ins, pulse checks) may send the view by DM."""
    payload = await support_payload(world.bot, world.guild.id, "wellbeing")
    dm = world.student.user.dm_channel
    await world.bot.get_partial_messageable(dm.id).send(**payload)
    await world.env.settle()
    sent = world.student.user.dm_channel.history()[-1]
    assert "Urgent" in sent.embeds[0].title and "Wellbeing" in sent.embeds[1].title

    menu = next(c for row in sent.components for c in row.children if isinstance(c, discord.SelectMenu))
    picked = await world.student.user.select(sent, ["lgbtq"], custom_id=menu.custom_id)
    shown = picked.response.message if picked.response.message is not None else picked.response
    assert "LGBTQ+" in shown.embeds[1].title
    assert "Switchboard" in _text(shown.embeds[1])


async def test_a_post_that_fails_is_reported_to_organisers_and_the_next_one_still_comes(world: World) -> None:
    board = world.guild.create_text_channel("noticeboard")
    await world.admin.slash(world.general, "signposts schedule", channel=board, repeat="every Monday")
    world.env.inject_error(
        "POST", f"/channels/{board.id}/messages", status=403, code=50013, message="Missing Access"
    )

    await advance_to(world.env, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert _posts(board) == []
    listed = await world.admin.slash(world.general, "signposts schedules")
    assert "couldn't post in #noticeboard" in listed.response.embeds[0].description

    await advance_to(world.env, datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    assert len(_posts(board)) == 1
    listed = await world.admin.slash(world.general, "signposts schedules")
    assert "⚠️" not in listed.response.embeds[0].description


async def test_a_schedule_needs_permission_to_pin(world: World) -> None:
    no_pins = world.guild.create_text_channel(
        "no-pins",
        overwrites={world.bot.user: discord.PermissionOverwrite(manage_messages=False, pin_messages=False)},
    )
    result = await world.admin.slash(
        world.general, "signposts schedule", channel=no_pins, repeat="every Monday"
    )
    assert result.ephemeral and "Pin Messages" in result.response.content
    assert await world.bot.get_cog("Signposts").service.schedules(world.guild.id) == []


async def test_a_form_submitted_after_a_restart_is_still_saved(world: World, make_bot: BotFactory) -> None:
    shown = await world.admin.slash(world.general, "signposts add", independent=False, confidential=True)
    await world.env.restart_bot(make_bot())
    saved = await world.admin.submit_modal(
        shown,
        {
            "name": "Chaplaincy",
            "needs": ["faith"],
            "reach": "in person: Chaplaincy Centre",
            "hours": "Weekdays 9-5",
        },
    )
    assert "Added" in saved.response.content
    contacts = await world.env.bot.get_cog("Signposts").service.contacts(world.guild.id, "faith")
    assert [(c.name, c.in_person, c.independent) for c in contacts] == [
        ("Chaplaincy", "Chaplaincy Centre", False)
    ]


async def test_a_form_is_checked_again_when_submitted(world: World) -> None:
    await _make_organiser(world)
    shown = await world.organiser.slash(world.general, "signposts add", independent=True)
    # Meanwhile an admin gives the organiser role to someone else's role.
    other = world.guild.create_role("Welfare team")
    await world.admin.slash(world.general, "setup organiser-role", role=other)

    refused = await world.organiser.submit_modal(
        shown, {"name": "Sneaky", "needs": ["money"], "reach": "web: https://example.org", "hours": "24/7"}
    )
    assert refused.ephemeral and "Only organisers" in refused.response.content
    assert await world.bot.get_cog("Signposts").service.contacts(world.guild.id, "money") == []
