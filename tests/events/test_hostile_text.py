"""What organisers type is cleaned before it is stored or shown (issue 16): bidi overrides and
zero-width characters never reach a card, a lone surrogate gets a kind message and nothing is
saved, and every text fits where Discord shows it, so no card is ever refused."""

from __future__ import annotations

import re

from bot.services.events import LIMITS
from bot.services.events_model import MULTILINE_FIELDS, EventInfo
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT, EMBED_TITLE_LIMIT
from cogs.events.render import ALCOHOL_FREE_NOTE
from tests.conftest import World

from .helpers import LONGEST_EVENT, cards, create, everything_public, fields, local, prepare, said

ERROR_ID = re.compile(r"Something went wrong")
HIDDEN = ("\u202e", "\u2066", "\u2069", "\u200b", "\u200e", "\ufeff", "\u2060", "\x00", "\x1b")


async def saved_events(world: World) -> int:
    return int(await world.bot.db.fetchval("SELECT COUNT(*) FROM events"))


async def test_hidden_and_direction_changing_characters_never_reach_the_card(world: World) -> None:
    await prepare(world)
    done = await create(
        world,
        title="Board\u200b games \u202eiahc\u202c and chai",
        start=local(world, 3, 18),
        place="SU\u2066 room 2\u2069",
        cost="\ufeffFree",
        food="halal,\u200b vegetarian",
        accessibility="step-free\u200e, quiet\x00 room",
        **{"online-link": "https://meet.example/x"},
        modal={
            "description": "Games\u200b, chai\u2060 and\r\nbiscuits.\u202e",
            "facilitators": "Dr\u200b Amira\u202e Khan",
            "theme": "\u2066Belonging\u2069",
        },
    )
    assert done.ephemeral and "Done" in said(done), said(done)
    [card] = cards(world.general, world.student)
    embed = card.embeds[0]
    assert embed.title == "Board games iahc and chai"
    assert embed.description is not None and embed.description.endswith("Games, chai and\nbiscuits.")
    shown = fields(card)
    assert shown["Where"].startswith("SU room 2")
    assert shown["Cost"] == "Free"
    assert shown["Food"] == "halal, vegetarian"
    assert shown["Accessibility"] == "step-free, quiet room"
    assert shown["Facilitators"] == "Dr Amira Khan"
    assert shown["Theme"] == "Belonging"
    public = everything_public(world.general, world.student)
    assert not [ch for ch in HIDDEN if ch in public]
    stored = await world.bot.db.fetchone("SELECT title, description, place FROM events")
    assert tuple(stored) == ("Board games iahc and chai", "Games, chai and\nbiscuits.", "SU room 2")
    assert world.env.errors == []


async def test_a_lone_surrogate_gets_a_kind_message_and_nothing_is_saved(world: World) -> None:
    await prepare(world)
    # In a slash option: refused before the form opens.
    for option in ("title", "place", "food"):
        refused = await create(world, start=local(world, 3, 18), **{option: "Chai \ud800 night"})
        assert refused.modal is None and refused.ephemeral, option
        assert "broken character" in refused.response.content, refused.response.content
    # In the form: refused when it is sent.
    for name in ("description", "facilitators", "theme"):
        refused = await create(world, start=local(world, 3, 18), modal={name: "Bring \udfff snacks"})
        assert refused.ephemeral and "broken character" in said(refused), (name, said(refused))
        assert not ERROR_ID.search(said(refused))
    assert await saved_events(world) == 0
    assert cards(world.general, world.admin) == []
    assert world.env.errors == []


async def test_edits_are_cleaned_and_a_surrogate_changes_nothing(world: World) -> None:
    await prepare(world)
    await create(world, start=local(world, 3, 18))
    edited = await world.organiser.slash(
        world.general, "event edit", event=1, title="Chai\u202e night\u200b", theme="\u2066Rest"
    )
    assert edited.ephemeral and "Saved" in said(edited), said(edited)
    [card] = cards(world.general, world.student)
    assert card.embeds[0].title == "Chai night" and fields(card)["Theme"] == "Rest"
    refused = await world.organiser.slash(world.general, "event edit", event=1, place="Room \ud801 4")
    assert refused.ephemeral and "broken character" in refused.response.content
    cleared = await world.organiser.slash(world.general, "event edit", event=1, title="\u200b-\u200b")
    assert "needs a title" in cleared.response.content
    row = await world.bot.db.fetchone("SELECT title, place FROM events WHERE event_id = 1")
    assert tuple(row) == ("Chai night", "SU room 2")
    assert world.env.errors == []


async def test_a_broken_online_link_is_refused_and_a_disguised_one_cleaned(world: World) -> None:
    await prepare(world)
    for link in ("https://[", "https://meet.example:99999/x", "https://meet.example/a b", "javascript:x"):
        refused = await create(world, start=local(world, 3, 18), **{"online-link": link})
        assert refused.modal is None and "https://" in refused.response.content, (link, refused)
    assert await saved_events(world) == 0
    done = await create(world, start=local(world, 3, 18), **{"online-link": "https://evil\u202elpmaxe.com"})
    assert "Done" in said(done)
    assert fields(cards(world.general, world.student)[0])["Where"].endswith("Online: https://evillpmaxe.com")
    assert world.env.errors == []


async def test_every_text_at_its_limit_makes_a_card_discord_accepts(world: World) -> None:
    """The limits fit Discord's (checked before any request); SimCord refuses what Discord would."""
    for name in ("title", "place", "cost", "food", "accessibility", "theme", "online_link"):
        assert LIMITS[name] <= EMBED_FIELD_VALUE_LIMIT - len("Online: ")
    assert LIMITS["title"] + len("Cancelled: ") <= EMBED_TITLE_LIMIT
    assert LIMITS["description"] + len(f"**Workshop** · {ALCOHOL_FREE_NOTE}\n\n") <= EMBED_DESCRIPTION_LIMIT
    assert LIMITS["facilitators"] <= EMBED_FIELD_VALUE_LIMIT
    assert {"description", "facilitators"} == MULTILINE_FIELDS

    await prepare(world)
    # Counted after cleaning, in code points: "e" and a combining accent become one "é".
    too_long = await create(world, start=local(world, 3, 18), place="e\u0301" * (LIMITS["place"] + 1))
    assert "The place is 101 characters long; the limit is 100" in too_long.response.content
    fits = await create(world, start=local(world, 3, 18), place="e\u0301\u200b" * LIMITS["place"])
    assert "Done" in said(fits), said(fits)
    await world.organiser.slash(world.general, "event cancel", event=1)
    link = "https://meet.example/" + "a" * (LIMITS["online_link"] - len("https://meet.example/"))
    done = await create(
        world,
        kind="workshop",
        start=local(world, 3, 18),
        title="T" * LIMITS["title"],
        place="P" * LIMITS["place"],
        cost="C" * LIMITS["cost"],
        food="F" * LIMITS["food"],
        accessibility="A" * LIMITS["accessibility"],
        capacity=100_000,
        **{"online-link": link},
        modal={
            "description": "D" * LIMITS["description"],
            "facilitators": "G" * LIMITS["facilitators"],
            "theme": "H" * LIMITS["theme"],
        },
    )
    assert "Done" in said(done), said(done)
    card = cards(world.general, world.student)[-1]
    assert card.embeds[0].title == "T" * LIMITS["title"]
    assert fields(card)["Facilitators"] == "G" * LIMITS["facilitators"]
    cancelled = await world.organiser.slash(world.general, "event cancel", event=2)
    assert "Cancelled 1 event" in said(cancelled)
    card = cards(world.general, world.student)[-1]
    assert card.embeds[0].title == "Cancelled: " + "T" * LIMITS["title"]
    assert world.env.errors == []


def test_event_mine_fits_discord_with_many_long_titles_and_says_how_many_more() -> None:
    from dataclasses import replace

    from bot.services.events_model import MyEvent
    from cogs.events.render import mine_embed

    def event(n: int) -> EventInfo:
        title = f"{n:02d} " + "T" * (LIMITS["title"] - 3)
        starts = 1_800_000_000 + n * 3600
        return replace(LONGEST_EVENT, event_id=n, title=title, starts_at=starts, ends_at=starts + 3600)

    items = [MyEvent(event(n), "going", None, False, None) for n in range(60)]
    embed = mine_embed(items, reminders_on=True)
    description = embed.description or ""
    assert len(description) <= EMBED_DESCRIPTION_LIMIT and len(embed) <= 6000
    shown = description.count("**Going**")
    assert 0 < shown < 60 and description.startswith("**00 ")  # the soonest first
    assert description.endswith(f"…and {60 - shown} more events.")
    assert mine_embed(items[:2], reminders_on=True).description.count("**Going**") == 2  # type: ignore[union-attr]
