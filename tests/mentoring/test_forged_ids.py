"""Forged or stale custom ids on mentoring's DM buttons (issue 16): a kind private answer, and
nothing changes for a pairing the presser is not part of."""

from __future__ import annotations

import re

import pytest
import simcord

from tests.conftest import World
from tests.mentoring.test_mentoring_e2e import FIRST, mentor, offer, request, text_of
from tests.mentoring.test_restructure_e2e import old_card

__all__ = ["mentor"]  # the fixture, shared with the end-to-end tests

ERROR = re.compile(r"Something went wrong")
FORGED = ["0", "9999999999999999999", "1234567890123456789", "424242"]


@pytest.mark.parametrize(
    "template", ["mentor:checkin:{id}:met", "mentor:checkin:{id}:wrong", "mentor:rematch:{id}"]
)
async def test_forged_checkin_and_rematch_ids_get_a_kind_answer(
    world: World, mentor: simcord.MemberActor, template: str
) -> None:
    await offer(world, mentor, 4, [FIRST])
    await request(world, world.student, 1, [FIRST])
    bystander = world.guild.add_member(world.env.create_user("bea_bystander"))
    # Made-up ids, and the real pairing's id pressed by someone outside it.
    for member, match_id in [*((world.student, f) for f in FORGED), (bystander, "1")]:
        custom_id = template.format(id=match_id)
        card = await old_card(world, member, ("Press", custom_id))
        pressed = await member.user.click(card, custom_id=custom_id)
        shown = text_of(pressed)
        assert pressed.ephemeral and shown.strip() and not ERROR.search(shown), (custom_id, shown)
    status = await world.bot.db.fetchval("SELECT COUNT(*) FROM mentoring_matches WHERE ended_at IS NULL")
    assert status == 1
    assert world.env.errors == []
