"""Features working together, as an organiser would use them."""

from __future__ import annotations

from tests.communities.conftest import create_community
from tests.conftest import World
from tests.events.helpers import cards, create, local, prepare


async def test_an_event_for_a_community_is_found_by_the_communities_name(world: World) -> None:
    await prepare(world)
    await create_community(
        world, world.admin, "LGBTQ+ Medics", "identity", "A space for LGBTQ+ medical students and allies"
    )
    joined = await world.student.slash(world.general, "community join", name="LGBTQ+ Medics")
    assert joined.ephemeral

    await create(world, start=local(world, 4, 18), community="LGBTQ+ Medics")

    community_channel = next(
        c for name, c in world.guild.channels.items() if name.startswith("lgbtq") and name != "general"
    )
    assert cards(world.general, world.admin) == []  # not in announcements
    assert len(cards(community_channel, world.student)) == 1  # in the community's own channel
