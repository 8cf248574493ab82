"""No dead-end needs (issue 17), through SimCord and the real bot: a need with no local contact
still shows lines to act on, and organisers (only) see, privately, how often it was looked up:
counts per need and week, never who and never when."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import discord
import pytest
import simcord
from simcord import interactions as simcord_interactions

from bot.services.signposts_contacts import validate_contact
from bot.services.signposts_gaps import week_start
from bot.support import crisis_fields
from bot.ui import unstored_view
from cogs.signposts.render import ADVICE_CENTRE_TEXT
from tests.conftest import World, open_command_to

ADVICE = "Your students' union advice centre can help with this too"
OTHER_GUILD = 111111111111111111


def _fields(embed: discord.Embed) -> dict[str, str]:
    return {f.name: f.value for f in embed.fields}


def _text(message: Any) -> str:
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
        parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


def _stored(world: World) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The counts table as an adversary holding the database file would read it."""
    conn = sqlite3.connect(world.bot.settings.database.path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(signpost_unmet_needs)")]
        found = conn.execute("SELECT * FROM signpost_unmet_needs ORDER BY need, week_start").fetchall()
        return columns, found
    finally:
        conn.close()


async def _gaps(world: World) -> simcord.InteractionResult:
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await open_command_to(world, "signposts", world.organiser)
    return await world.organiser.slash(world.general, "signposts gaps")


async def _stale_menu(world: World, guild_id: int, value: str) -> simcord.InteractionResult:
    """A need menu posted by the bot (an older message, or one with a forged value), chosen."""
    custom_id = f"signposts:need:{guild_id}"
    menu = discord.ui.Select[Any](custom_id=custom_id, options=[discord.SelectOption(label="N", value=value)])
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("Need support?", view=unstored_view(menu))
    await world.env.settle()
    return await world.student.select(posted, [value], custom_id=custom_id)


async def test_a_need_with_no_contact_gives_lines_to_act_on_and_is_counted_for_organisers(
    world: World,
) -> None:
    # This server's directory (the seeds in config.example.toml) has no disability contact.
    result = await world.student.slash(world.general, "support", need="disability")
    assert result.ephemeral
    urgent, need = result.response.embeds
    assert "Urgent" in (urgent.title or "")
    assert "Disability and access" in (need.title or "")
    assert "There is no contact for this here yet" not in _text(result.response)
    # No national line fits disability specifically: the general urgent-help lines, word for word
    # as bot.support writes them, and the students' union advice centre.
    fields = _fields(need)
    for name, value in crisis_fields():
        assert fields[name] == value
    assert ADVICE in fields["Your students' union advice centre"] == ADVICE_CENTRE_TEXT

    shown = await _gaps(world)
    assert shown.ephemeral
    counts = shown.response.embeds[0].description or ""
    assert "**Disability and access**: 1 time" in counts
    assert "still no contact" in counts

    await world.student.slash(world.general, "support", need="disability")
    # A need that has contacts here is never counted.
    await world.student.slash(world.general, "support", need="wellbeing")
    await world.student.slash(world.general, "support", need="urgent")
    await world.student.slash(world.general, "support")
    counts = (await world.organiser.slash(world.general, "signposts gaps")).response.embeds[
        0
    ].description or ""
    assert "**Disability and access**: 2 times" in counts
    assert "Wellbeing" not in counts and "Urgent" not in counts
    assert world.env.errors == []


async def test_the_stored_count_holds_no_member_and_nothing_finer_than_the_week(world: World) -> None:
    for _ in range(2):
        await world.student.slash(world.general, "support", need="money")
    await world.env.advance_time(3 * 3600)  # later the same week (the virtual clock)
    await world.organiser.slash(world.general, "support", need="money")

    columns, found = _stored(world)
    assert columns == ["guild_id", "need", "week_start", "count"]
    monday = week_start(world.bot.clock.now())
    assert monday.weekday() == 0
    assert found == [(world.guild.id, "money", monday.isoformat(), 3)]
    # Nothing anywhere in the database says who looked, or when beyond the week.
    conn = sqlite3.connect(world.bot.settings.database.path)
    try:
        with pytest.raises(sqlite3.OperationalError):  # no rowid: not even the order rows came in
            conn.execute("SELECT rowid FROM signpost_unmet_needs")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for who in (world.student.id, world.organiser.id):
                    assert who not in row and str(who) not in map(str, row), table
    finally:
        conn.close()


async def test_the_menu_counts_a_need_with_no_contact_and_a_need_with_one_costs_no_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    unmet = world.bot.get_cog("Signposts").service.unmet  # type: ignore[union-attr]
    writes: list[str] = []
    original = unmet.record

    async def spy(guild_id: int, need: str) -> bool:
        writes.append(need)
        return await original(guild_id, need)

    monkeypatch.setattr(unmet, "record", spy)
    # The menu lists the needs that had contacts when it was sent; one may have none by now.
    picked = await _stale_menu(world, world.guild.id, "faith")
    shown = picked.response.message if picked.response.message is not None else picked.response
    assert "Faith and chaplaincy" in (shown.embeds[1].title or "")
    assert ADVICE in _text(shown)
    await _stale_menu(world, world.guild.id, "lgbtq")  # Switchboard is here: not counted
    message = (await world.student.slash(world.general, "support")).response
    menu = next(c for row in message.components for c in row["components"] if c["type"] == 3)
    await world.student.select(message, ["wellbeing"], custom_id=menu["custom_id"])
    assert writes == ["faith"]
    assert _stored(world)[1] == [(world.guild.id, "faith", week_start(world.bot.clock.now()).isoformat(), 1)]
    assert world.env.errors == []


async def test_mental_health_with_no_contact_shows_samaritans_shout_and_nhs_111(world: World) -> None:
    cog: Any = world.bot.get_cog("Signposts")
    for found in await cog.service.contacts(world.guild.id, "wellbeing"):
        await cog.service.remove(world.guild.id, found.id)
    result = await world.student.slash(world.general, "support", need="wellbeing")
    need = result.response.embeds[1]
    expected = {name: value for name, value in crisis_fields() if name in {"Samaritans", "Shout", "NHS 111"}}
    assert len(expected) == 3
    assert {k: v for k, v in _fields(need).items() if k in dict(crisis_fields())} == expected
    assert "exactly this" in (need.description or "")
    assert ADVICE in _text(result.response)


async def test_the_servers_own_advice_centre_is_shown_instead_of_the_generic_sentence(world: World) -> None:
    cog: Any = world.bot.get_cog("Signposts")
    draft = validate_contact(
        {
            "name": "Students' Union Advice Centre",
            "categories": ["money", "discrimination"],
            "email": "advice@su.example.ac.uk",
            "hours": "Mon–Fri 10:00–16:00",
        }
    )
    await cog.service.add(world.guild.id, draft)
    result = await world.student.slash(world.general, "support", need="disability")
    fields = _fields(result.response.embeds[1])
    centre = fields["Your students' union advice centre: Students' Union Advice Centre"]
    assert "advice@su.example.ac.uk" in centre and "It can help with this too" in centre
    assert ADVICE_CENTRE_TEXT not in fields.values()


async def test_a_student_is_refused_the_counts_on_the_server_side(world: World) -> None:
    await world.student.slash(world.general, "support", need="money")
    await open_command_to(world, "signposts", world.student)  # an admin let them see the command
    refused = await world.student.slash(world.general, "signposts gaps")
    assert refused.ephemeral
    assert "organisers" in refused.response.content
    assert refused.response.embeds == []
    assert "Money" not in _text(refused.response)
    assert world.env.errors == []


@pytest.mark.parametrize(
    "forged",
    ["forged", "Disability and access", "DISABILITY", "disability\u200b", "urgent; DROP TABLE x", "x" * 5000],
)
async def test_a_forged_or_overlong_need_gets_a_kind_answer_and_stores_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, forged: str
) -> None:
    # A modified client can send any string for an option with choices; SimCord, like Discord's
    # own client, would refuse to, so its check is set aside here.
    monkeypatch.setattr(simcord_interactions, "validate_option_value", lambda _command, _option, value: value)
    result = await world.student.slash(world.general, "support", need=forged)
    assert result.ephemeral
    assert "I don't know that need" in result.response.content
    assert forged not in _text(result.response)  # never echoed
    embeds = result.response.embeds
    assert "Urgent" in (embeds[0].title or "") and "999" in (embeds[0].description or "")
    assert _stored(world)[1] == []
    assert world.env.errors == []


async def test_forged_menus_store_nothing(world: World) -> None:
    await _stale_menu(world, world.guild.id, "not-a-need")
    await _stale_menu(world, OTHER_GUILD, "disability")  # names another server
    assert _stored(world)[1] == []
    assert world.env.errors == []


async def test_old_weeks_are_deleted_by_the_daily_job(world: World) -> None:
    await world.student.slash(world.general, "support", need="faith")
    this_week = week_start(world.bot.clock.now())
    conn = sqlite3.connect(world.bot.settings.database.path)
    try:
        with conn:
            for weeks_ago in (25, 26, 40):
                conn.execute(
                    "INSERT INTO signpost_unmet_needs VALUES (?, 'faith', ?, 1)",
                    (world.guild.id, (this_week - timedelta(weeks=weeks_ago)).isoformat()),
                )
    finally:
        conn.close()
    await world.env.advance_time(24 * 3600 + 60)
    # Kept: the 26 weeks up to and including the current one (the clock may have entered a new week).
    oldest_kept = week_start(world.bot.clock.now()) - timedelta(weeks=25)
    expected = [
        (this_week - timedelta(weeks=n)).isoformat()
        for n in (25, 0)
        if this_week - timedelta(weeks=n) >= oldest_kept
    ]
    assert [row[2] for row in _stored(world)[1]] == expected
    assert (this_week - timedelta(weeks=26)).isoformat() not in expected
    counts = (await _gaps(world)).response.embeds[0].description or ""
    assert f"**Faith and chaplaincy**: {len(expected)} time" in counts
