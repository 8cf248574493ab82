"""In-memory caches of what every interaction reads (issue 15): a change is seen at once.

* Guild settings (``bot/services/guilds.py``): read on every organiser check and timezone look-up.
* The signpost directory and ``/support``'s embeds (``bot/services/signposts.py``): read on every
  ``/support``, support button and need menu.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.clock import ManualClock
from bot.db import Database, Tx
from bot.services.guilds import GuildConfig, GuildSettingsService
from bot.services.signposts import SignpostService
from bot.services.signposts_contacts import validate_contact
from tests.conftest import World, open_command_to

GUILD = 1


async def _statements(db: Database, action: object) -> list[str]:
    """The SQL statements ``action`` runs, on any of the database's connections."""
    seen: list[str] = []
    connections = db.connections()
    for conn in connections:
        await conn.set_trace_callback(seen.append)
    try:
        await action  # type: ignore[misc]
    finally:
        for conn in connections:
            await conn.set_trace_callback(None)
    return seen


# -- guild settings ------------------------------------------------------------------------------


async def test_guild_settings_are_read_once_then_served_from_memory(db: Database, clock: ManualClock) -> None:
    service = GuildSettingsService(db, clock)
    first = await service.get(GUILD)
    assert first.timezone == "Europe/London"
    assert await _statements(db, service.get(GUILD)) == []
    assert await _statements(db, service.ensure(GUILD)) == []


async def test_every_write_through_the_service_is_seen_at_once(db: Database, clock: ManualClock) -> None:
    service = GuildSettingsService(db, clock)
    other = GuildSettingsService(db, clock)  # e.g. the pulse service's own: shares the cache
    await service.get(GUILD)
    await other.get(GUILD)

    await service.set_timezone(GUILD, "Europe/Dublin")
    assert (await other.get(GUILD)).timezone == "Europe/Dublin"
    await other.set_organiser_role(GUILD, 77)
    assert (await service.get(GUILD)).organiser_role_id == 77
    await service.set_channel(GUILD, "announcements", 500)
    assert (await other.get(GUILD)).channel("announcements") == 500
    await other.set_channel(GUILD, "announcements", None)
    assert (await service.get(GUILD)).channel("announcements") is None
    # And what memory says is what the database says.
    row = await db.fetchone(
        "SELECT timezone, organiser_role_id FROM guild_settings WHERE guild_id = ?", (GUILD,)
    )
    assert row is not None and tuple(row) == ("Europe/Dublin", 77)


async def test_a_caller_changing_its_copy_does_not_change_the_cache(db: Database, clock: ManualClock) -> None:
    service = GuildSettingsService(db, clock)
    await service.set_channel(GUILD, "welcome", 9)
    config = await service.get(GUILD)
    config.channels["welcome"] = 10
    assert (await service.get(GUILD)).channel("welcome") == 9


async def test_a_read_racing_a_write_does_not_cache_the_old_settings(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = GuildSettingsService(db, clock)
    await service.ensure(GUILD)
    service._cache.invalidate(GUILD)
    real_read = db.read
    writes: list[asyncio.Future[GuildConfig]] = []
    invalidated = asyncio.Event()
    invalidate = service._cache.invalidate

    def invalidate_and_tell(guild_id: int) -> None:
        invalidate(guild_id)
        invalidated.set()

    monkeypatch.setattr(service._cache, "invalidate", invalidate_and_tell)

    @asynccontextmanager
    async def racing_read() -> AsyncIterator[Tx]:
        async with real_read() as tx:
            yield tx  # the old settings are read here
            if not writes:  # ... and a write through the service lands before the read returns
                writes.append(asyncio.ensure_future(service.set_timezone(GUILD, "Asia/Kolkata")))
                await invalidated.wait()

    monkeypatch.setattr(db, "read", racing_read)
    assert (await service.get(GUILD)).timezone == "Europe/London"  # what it read ...
    assert not writes[0].done()
    assert GUILD not in service._cache.configs  # ... is not kept: the next read goes to the database
    assert (await writes[0]).timezone == "Asia/Kolkata"
    assert (await service.get(GUILD)).timezone == "Asia/Kolkata"


async def test_a_new_organiser_role_set_with_setup_works_at_once(world: World) -> None:
    await open_command_to(world, "signposts", world.organiser)
    refused = await world.organiser.slash(world.general, "signposts schedules")
    assert "for organisers" in refused.response.content  # and the settings are now cached

    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    allowed = await world.organiser.slash(world.general, "signposts schedules")
    assert "No scheduled posts" in allowed.response.content

    await world.admin.slash(world.general, "setup timezone", name="Asia/Kolkata")
    shown = await world.admin.slash(world.general, "setup show")
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert "Asia/Kolkata" in fields["Timezone"]
    assert (await world.bot.guild_settings.get(world.guild.id)).timezone == "Asia/Kolkata"


# -- the signpost directory ----------------------------------------------------------------------


def _draft(name: str, need: str = "wellbeing") -> object:
    return validate_contact(
        {
            "name": name,
            "categories": [need],
            "description": "Help.",
            "phone": "0300 123 3393",
            "hours": "24/7",
        }
    )


async def test_the_directory_is_read_once_then_served_from_memory(db: Database, clock: ManualClock) -> None:
    service = SignpostService(db, clock)
    await service.add(GUILD, _draft("Nightline"))  # type: ignore[arg-type]
    assert [c.name for c in await service.contacts(GUILD)] == ["Nightline"]
    assert await _statements(db, service.contacts(GUILD)) == []
    built: list[int] = []
    for _ in range(3):
        assert await service.derived(GUILD, "n", lambda found: built.append(1) or len(found)) == 1
    assert built == [1]  # rendered once


async def test_every_change_to_the_directory_is_seen_at_once(db: Database, clock: ManualClock) -> None:
    service = SignpostService(db, clock)
    other = SignpostService(db, clock)  # shares the cache: one per database

    async def names() -> list[str]:
        rendered = await other.derived(GUILD, "names", lambda found: [c.name for c in found])
        assert rendered == [c.name for c in await other.contacts(GUILD)]
        return rendered

    assert await names() == []
    added = await service.add(GUILD, _draft("Nightline"))  # type: ignore[arg-type]
    assert await names() == ["Nightline"]
    await service.update(GUILD, added.id, _draft("Nightline Leeds"))  # type: ignore[arg-type]
    assert await names() == ["Nightline Leeds"]
    await service.import_toml(
        GUILD,
        '[[signposts]]\nname = "Shelter"\ncategories = ["money"]\ndescription = "Homes."\n'
        'phone = "0808 800 4444"\nhours = "24/7"\n',
        replace=False,
    )
    assert await names() == ["Nightline Leeds", "Shelter"]
    await service.remove(GUILD, added.id)
    assert await names() == ["Shelter"]
    assert await other.contacts(GUILD, "money") and not await other.contacts(GUILD, "wellbeing")


async def test_seeds_given_to_a_new_server_are_cached_with_it(db: Database, clock: ManualClock) -> None:
    seed = {
        "name": "Seeded",
        "categories": ["wellbeing"],
        "description": "Help.",
        "phone": "0300 123 3393",
        "hours": "24/7",
    }
    service = SignpostService(db, clock, [seed])
    assert [c.name for c in await service.contacts(GUILD)] == ["Seeded"]
    assert await _statements(db, service.contacts(GUILD)) == []


async def test_support_shows_a_new_contact_at_once_and_each_reply_has_its_own_embeds(world: World) -> None:
    first = await world.student.slash(world.general, "support", need="wellbeing")
    assert "Nightline" not in str([e.to_dict() for e in first.response.embeds])
    cog = world.bot.get_cog("Signposts")
    payload = await cog.directory_support(world.guild.id, "wellbeing")  # type: ignore[union-attr]
    payload["embeds"][0].title = "changed by a caller"

    await cog.service.add(world.guild.id, _draft("Nightline"))  # type: ignore[union-attr]
    again = await world.student.slash(world.general, "support", need="wellbeing")
    assert "Nightline" in str([e.to_dict() for e in again.response.embeds])
    assert again.response.embeds[0].title != "changed by a caller"


# -- live communities (bot/services/communities.py) ------------------------------------------------


async def test_live_communities_are_read_once_and_every_change_is_seen_at_once(
    db: Database, clock: ManualClock
) -> None:
    from bot.services.communities import CommunityService

    service = CommunityService(db, clock)
    other = CommunityService(db, clock)  # e.g. the events cog's own: shares the cache

    async def names(of: CommunityService = other) -> list[str]:
        return [c.name for c in await of.list_communities(GUILD)]

    running = await service.reserve(GUILD, name="Running Club", kind="interest", description="Runs.")
    assert await names() == []  # not live until its channel is recorded
    await service.attach(running.id, channel_id=500, role_id=501)  # live now: its server is read again
    assert await names() == ["Running Club"]
    assert await _statements(db, other.list_communities(GUILD)) == []  # served from memory

    black = await service.reserve(GUILD, name="Black Medics", kind="identity", description="For us.")
    await service.attach(black.id, channel_id=502, role_id=None)
    assert await names() == ["Black Medics", "Running Club"]
    await service.set_archived(GUILD, running.id, True)
    assert await names() == ["Black Medics"]
    assert [c.name for c in await other.list_communities(GUILD, archived=True)] == ["Running Club"]
    # Archived ones too (a member's data export lists both) come from the same memory.
    assert await _statements(db, other.list_communities(GUILD, archived=None)) == []
    assert [c.name for c in await other.list_communities(GUILD, archived=None)] == [
        "Black Medics",
        "Running Club",
    ]
    await service.set_archived(GUILD, running.id, False)
    assert await other.list_communities(GUILD, archived=True) == []
    changed = await service.check_update(
        GUILD, black.id, name="Black Medics UK", description="For us.", emoji=None, welcome_note=None
    )
    await service.update(changed)
    assert await names() == ["Black Medics UK", "Running Club"]
    (await other.list_communities(GUILD)).clear()  # a caller's copy is its own
    assert await names() == ["Black Medics UK", "Running Club"]
    half = await service.reserve(GUILD, name="Half made", kind="interest", description="Crashed.")
    await service.discard(half.id)
    assert await names() == ["Black Medics UK", "Running Club"]
