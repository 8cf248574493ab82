"""The community rules at the service level, against a real SQLite file."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import NotFound, UserError
from bot.services.communities import CommunityService, channel_slug, validate_emoji, validate_name

GUILD = 111


@pytest.fixture
def service(db: Database, clock: ManualClock) -> CommunityService:
    return CommunityService(db, clock)


async def live(service: CommunityService, name: str, kind: str = "identity") -> int:
    community = await service.reserve(GUILD, name=name, kind=kind, description="d")
    await service.attach(
        community.id, channel_id=1000 + community.id, role_id=2000 if kind == "interest" else None
    )
    return community.id


def test_slugs_are_what_discord_shows() -> None:
    assert channel_slug("Black Medics UK") == "black-medics-uk"
    assert channel_slug("LGBTQ+ Medics") == "lgbtq-medics"
    assert channel_slug("  Women in   Surgery ") == "women-in-surgery"
    assert channel_slug("Café Club") == "café-club"


@given(st.text(max_size=60))
def test_a_slug_only_ever_holds_channel_name_characters(name: str) -> None:
    slug = channel_slug(name)
    assert slug == slug.lower().strip("-")
    assert "--" not in slug
    assert all(c.isalnum() or c in "-_" for c in slug)
    assert channel_slug(slug) == slug


def test_names_are_checked_with_messages_that_say_what_to_change() -> None:
    assert validate_name("  Muslim   Medics ") == "Muslim Medics"
    with pytest.raises(UserError, match="2 to 50"):
        validate_name("A" * 51)
    with pytest.raises(UserError, match="won't accept `<`"):
        validate_name("<script>")
    with pytest.raises(UserError, match="two letters or numbers"):
        validate_name("!!")
    assert validate_emoji("🌈") == "🌈"
    assert validate_emoji("<:pride:123456789012345678>") == "<:pride:123456789012345678>"
    with pytest.raises(UserError, match="single emoji"):
        validate_emoji("rainbow")


async def test_duplicates_differ_only_in_case_or_punctuation(service: CommunityService) -> None:
    await live(service, "LGBTQ+ Medics")
    for name in ("lgbtq+ medics", "LGBTQ Medics", "lgbtq-medics"):
        with pytest.raises(UserError, match="different name"):
            await service.reserve(GUILD, name=name, kind="identity", description="d")
    # Another server may use the same name.
    other = await service.reserve(GUILD + 1, name="LGBTQ+ Medics", kind="identity", description="d")
    assert other.slug == "lgbtq-medics"


async def test_two_organisers_creating_the_same_name_at_once_get_one_community(
    service: CommunityService,
) -> None:
    results = await asyncio.gather(
        *(service.reserve(GUILD, name="Carers", kind="identity", description="d") for _ in range(5)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, UserError) for r in results if isinstance(r, BaseException))


async def test_a_half_created_community_is_not_listed_and_is_cleaned_up(service: CommunityService) -> None:
    pending = await service.reserve(GUILD, name="Chess", kind="interest", description="d")
    assert await service.list_communities(GUILD, archived=None) == []
    with pytest.raises(NotFound):
        await service.find(GUILD, "Chess")
    assert [c.id for c in await service.discard_unfinished()] == [pending.id]
    await live(service, "Chess", "interest")  # the name is free again


async def test_find_and_archive(service: CommunityService) -> None:
    cid = await live(service, "Mature Students")
    assert (await service.find(GUILD, "mature  students")).id == cid
    await service.set_archived(GUILD, cid, True)
    with pytest.raises(NotFound, match="archived"):
        await service.find(GUILD, "Mature Students")
    assert (await service.find(GUILD, "Mature Students", archived=True)).id == cid
    assert await service.list_communities(GUILD) == []
    await service.set_archived(GUILD, cid, False)
    assert [c.id for c in await service.list_communities(GUILD)] == [cid]


async def test_edits_are_checked_before_saving(service: CommunityService) -> None:
    netball = await live(service, "Netball", "interest")
    await live(service, "Hockey", "interest")
    with pytest.raises(UserError, match="already exists"):
        await service.check_update(
            GUILD, netball, name="HOCKEY", description="d", emoji=None, welcome_note=None
        )
    changed = await service.check_update(
        GUILD, netball, name="Netball Club", description="All levels", emoji="🏐", welcome_note="  "
    )
    assert (await service.get(GUILD, netball)).name == "Netball"  # checking saved nothing
    saved = await service.update(changed)
    assert (saved.name, saved.slug, saved.welcome_note) == ("Netball Club", "netball-club", None)


async def test_each_health_problem_is_reported_once_until_it_is_fixed(service: CommunityService) -> None:
    cid = await live(service, "Refugees")
    assert await service.unreported(GUILD, {cid: {"channel_missing"}}) == {cid: {"channel_missing"}}
    # Not yet sent (say no organisers channel): still unreported next time.
    assert await service.unreported(GUILD, {cid: {"channel_missing"}}) == {cid: {"channel_missing"}}
    await service.mark_reported({cid: {"channel_missing"}})
    assert await service.unreported(GUILD, {cid: {"channel_missing"}}) == {}
    assert await service.unreported(GUILD, {cid: {"channel_missing", "role_missing"}}) == {
        cid: {"role_missing"}
    }
    # Fixed: forgotten, so a recurrence is reported again.
    assert await service.unreported(GUILD, {}) == {}
    assert await service.reported(cid) == set()
    assert await service.unreported(GUILD, {cid: {"channel_missing"}}) == {cid: {"channel_missing"}}


async def test_export_and_forget_have_no_member_data_to_touch(service: CommunityService) -> None:
    await live(service, "Care Leavers")
    exported = await service.export_member(42)
    assert exported["communities"]["stored_about_you"] == []
    assert await service.forget_member(42) == {"community_rows": 0}
    assert len(await service.list_communities(GUILD)) == 1
