"""The panel's menus, built without Discord: pages of 25, at most five menus."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.services.communities import Community
from cogs.communities.render import panel_embed
from cogs.communities.views import panel_view


def community(n: int) -> Community:
    return Community(
        id=n,
        guild_id=1,
        name=f"Community {n:03d}",
        slug=f"community-{n:03d}",
        kind="identity" if n % 2 else "interest",
        description="x" * 300,
        emoji="🌈" if n % 3 == 0 else None,
        welcome_note=None,
        channel_id=n,
        role_id=None,
        archived_at=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def selects(view: discord.ui.View) -> list[discord.ui.Select[discord.ui.View]]:
    found = []
    for item in view.children:
        inner = getattr(item, "item", item)
        assert isinstance(inner, discord.ui.Select)
        found.append(inner)
    return found


def test_thirty_communities_make_two_menus_with_every_one_offered() -> None:
    menus = selects(panel_view([community(n) for n in range(30)]))
    assert [len(m.options) for m in menus] == [25, 5]
    assert [m.custom_id for m in menus] == ["community:panel:0", "community:panel:1"]
    assert all(len(o.description or "") <= 100 for m in menus for o in m.options)


def test_more_than_125_are_capped_at_five_menus_and_the_panel_says_so() -> None:
    many = [community(n) for n in range(130)]
    assert len(selects(panel_view(many))) == 5
    assert "Showing 125 of 130" in (panel_embed(many).footer.text or "")


def test_an_empty_panel_has_a_disabled_menu() -> None:
    [menu] = selects(panel_view([]))
    assert menu.disabled and menu.options[0].label == "No communities yet"
