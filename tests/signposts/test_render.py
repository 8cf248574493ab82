"""How contacts are drawn: Discord's limits hold for the largest directory organisers can make."""

from __future__ import annotations

import discord

from bot.services.signposts import MAX_CONTACTS
from bot.services.signposts_contacts import CATEGORIES, Contact, validate_contact
from bot.ui import EMBED_FIELD_VALUE_LIMIT, EMBED_FIELDS_LIMIT, EMBED_TOTAL_LIMIT
from cogs.signposts.render import card, directory_embeds, need_options, urgent_embed


def _largest(index: int, categories: list[str]) -> Contact:
    """A contact with every field at its longest allowed length."""
    draft = validate_contact(
        {
            "name": f"{index:03d}" + "N" * 77,
            "categories": categories,
            "description": "D" * 250,
            "phone": "0300 123 3393",
            "text": "ABCDEFGHIJKLMNOPQRST to 85258",
            "email": "e" * 100 + "@example.ac.uk",
            "web": "https://example.ac.uk/" + "w" * 178,
            "in_person": "P" * 150,
            "hours": "Mon–Fri 09:00–17:00 (" + "h" * 70 + ")",
            "confidential": True,
            "independent": index % 2 == 0,
        }
    )
    return Contact(
        **{**draft.as_dict(), "categories": draft.categories}, id=index, guild_id=1, position=index
    )


def _total(embeds: list[discord.Embed]) -> int:
    return sum(len(e) for e in embeds)


def test_the_longest_card_fits_one_embed_field() -> None:
    _name, value = card(_largest(1, ["wellbeing"]))
    assert len(value) <= EMBED_FIELD_VALUE_LIMIT
    assert "…" not in value  # nothing had to be cut


def test_a_full_directory_stays_within_discords_limits() -> None:
    contacts = [_largest(i, list(CATEGORIES)) for i in range(MAX_CONTACTS)]
    for category in [None, *CATEGORIES]:
        embeds = directory_embeds(contacts, category)
        assert len(embeds) <= 10
        assert _total(embeds) <= EMBED_TOTAL_LIMIT, category
        assert all(len(e.fields) <= EMBED_FIELDS_LIMIT for e in embeds)
        assert "Urgent" in (embeds[0].title or "")


def test_with_no_urgent_contact_the_national_lines_are_shown() -> None:
    embed = urgent_embed([])
    assert "999" in (embed.description or "")
    assert "116 123" in (embed.description or "")
    assert "SHOUT to 85258" in (embed.description or "")
    assert "111" in (embed.description or "")


def test_the_menu_always_offers_urgent_help_and_only_needs_with_contacts() -> None:
    options = need_options([_largest(1, ["money"])], None)
    assert [o.value for o in options] == ["urgent", "money"]
