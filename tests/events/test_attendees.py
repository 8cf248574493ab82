"""/event attendees for organisers (issue 17): display names as plain text (never a mention or a
raw id), "a former member" for someone who left, long lists in pages that Discord accepts, and
the register as a CSV file, private, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io

import simcord

from bot.text import EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT
from cogs.events.render_attendees import REGISTER_COLUMNS, plain_cell
from tests.conftest import World

from .helpers import cards, create, local, new_event_card, prepare, replies, shown_text


async def register(world: World, event: int = 1) -> tuple[str, list[list[str]]]:
    """The organiser's register: what they are told, and the CSV's rows."""
    result = await world.organiser.slash(world.general, "event attendees", event=event, csv=True)
    [reply] = replies(result)
    assert reply.ephemeral
    [attachment] = reply.attachments
    assert attachment.filename == f"register-{event}.csv"
    data = await attachment.read()
    assert data.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read names right
    return reply.content, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def embed_sizes_fit(result: simcord.InteractionResult) -> None:
    for message in replies(result):
        for embed in message.embeds:
            assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
            assert len(embed) <= EMBED_TOTAL_LIMIT


async def test_names_not_mentions_and_a_member_who_left_is_a_former_member(world: World) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=2)
    leaver = world.guild.add_member(world.env.create_user("lee_leaver"), nick="Lee (left)")
    nicked = world.guild.add_member(world.env.create_user("nia_nick"), nick="@everyone *Nia*")
    for member in (world.student, leaver, nicked):
        await member.click(card, label="Going")
    world.guild.remove_member(leaver)
    result = await world.organiser.slash(world.general, "event attendees", event=1)
    text = shown_text(result)
    assert "**Going (2)**\\nsam\\\\_student\\na former member" in text
    assert (
        "**Waiting list, in order (1)**\\n1. @\\u200beveryone \\\\*Nia\\\\*"
        in text.encode("ascii", "backslashreplace").decode()
    )
    assert "<@" not in text and str(world.student.id) not in text and "Lee (left)" not in text
    embed_sizes_fit(result)
    assert world.env.errors == []


async def test_a_long_list_is_paged_and_every_page_fits(world: World) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), capacity=30, **{"ask-needs": True})
    people = [world.guild.add_member(world.env.create_user(f"student_{i:02}")) for i in range(40)]
    for member in people:
        await member.click(card, label="Going")
    # Long needs (as long as the form allows) make pages shorter, never a refused message.
    long_need = "Needs a long explanation " * 20
    await world.bot.db.execute(
        "UPDATE event_rsvps SET need = ? WHERE member_id IN (?, ?, ?, ?)",
        (long_need[:500], *(m.id for m in people[:4])),
    )
    result = await world.organiser.slash(world.general, "event attendees", event=1)
    embed_sizes_fit(result)
    [reply] = replies(result)
    first = reply.embeds[0]
    assert first.footer.text is not None and first.footer.text.startswith("Page 1 of ")
    assert "more on the next pages" in first.footer.text
    seen = [first.description or ""]
    message = reply.message
    for _ in range(10):
        if "more on the next pages" not in (message.embeds[0].footer.text or ""):
            break
        page = await world.organiser.click(message, label="Next")
        embed_sizes_fit(page)
        seen.append(page.response.embeds[0].description or "")
        message = page.response.message
    everything = "\n".join(seen)
    for i in range(40):
        assert f"student\\_{i:02}" in everything, i
    assert "**Waiting list, in order (10)**" in everything and "10. student\\_39" in everything
    assert "<@" not in everything
    assert world.env.errors == []


async def test_the_register_has_the_columns_places_and_needs_privately(world: World) -> None:
    await prepare(world)
    await create(world, start=local(world, 4, 18), capacity=1, **{"ask-needs": True})
    [card] = cards(world.general, world.student)
    third = world.guild.add_member(world.env.create_user("tia_third"))
    fourth = world.guild.add_member(world.env.create_user("fay_fourth"))
    await world.student.click(card, label="Going")
    await third.click(card, label="Going")
    await fourth.click(card, label="Going")
    await world.admin.click(card, label="Maybe")
    waiting = await third.click(card, label="Going")
    shown = await third.click(waiting.response.message, label="Tell the organisers about a need")
    await third.submit_modal(shown, {"need": "Vegetarian food\nand a quiet space"})

    note, rows = await register(world)
    assert "Only you can see this" in note and "doesn't keep a copy" in note
    assert "please don't pass them on" in note
    assert rows[0] == list(REGISTER_COLUMNS)
    assert rows[1:] == [
        ["sam_student", "going", "", ""],
        ["tia_third", "waiting", "1", "Vegetarian food\nand a quiet space"],
        ["fay_fourth", "waiting", "2", ""],
        ["ada_admin", "maybe", "", ""],
    ]
    # Nothing about it was posted where others can see, and nothing was stored.
    assert not [m for m in world.general.history(viewer=world.student) if m.attachments]
    assert world.env.errors == []


async def test_the_register_neutralises_spreadsheet_formulas(world: World) -> None:
    card = await new_event_card(world, start=local(world, 4, 18), **{"ask-needs": True})
    hostile = {
        '=HYPERLINK("http://evil.example","x")': "=1+1",
        "+cmd": "+SUM(A1)",
        "-2+3": "-2+3",
        "@SUM(A1)": "@SUM(A1)",
    }
    for i, (nick, need) in enumerate(hostile.items()):
        member = world.guild.add_member(world.env.create_user(f"hostile_{i}"), nick=nick)
        going = await member.click(card, label="Going")
        shown = await member.click(going.response.message, label="Tell the organisers about a need")
        await member.submit_modal(shown, {"need": need})
    _, rows = await register(world)
    assert [row[0] for row in rows[1:]] == [f"'{nick}" for nick in hostile]
    assert [row[3] for row in rows[1:]] == [f"'{need}" for need in hostile.values()]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "\nx", "\uff1dSUM(1)"):
        assert plain_cell(text) == "'" + text
    for text in ("Sam", "", "1-2", "a=b", "'quoted"):
        assert plain_cell(text) == text


async def test_a_student_cannot_read_the_register_even_if_an_admin_shows_them_the_command(
    world: World,
) -> None:
    from tests.conftest import open_command_to

    card = await new_event_card(world, start=local(world, 4, 18))
    await world.student.click(card, label="Going")
    await open_command_to(world, "event", world.student)
    for options in ({}, {"csv": True}):
        result = await world.student.slash(world.general, "event attendees", event=1, **options)
        assert result.ephemeral and "for organisers" in result.response.content
        assert result.response.attachments == [] and result.response.embeds == []
    assert world.env.errors == []


async def test_an_event_nobody_replied_to_says_so(world: World) -> None:
    await new_event_card(world, start=local(world, 4, 18))
    result = await world.organiser.slash(world.general, "event attendees", event=1)
    assert "Nobody has replied yet." in shown_text(result)
    _, rows = await register(world)
    assert rows == [list(REGISTER_COLUMNS)]
