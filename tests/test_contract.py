"""Requests the bot sends are ones Discord accepts (checked against Discord's OpenAPI description)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import contract
from tests.conftest import World


@pytest.fixture
def spec() -> Any:
    path = contract.spec_path()
    if path is None:
        pytest.skip(f"{contract.SPEC_ENV} is not set: point it at Discord's openapi.json to check requests")
    if not path.exists():
        pytest.skip(
            f"{contract.SPEC_ENV}={path} does not exist: requests are not checked against Discord's API"
        )
    return path


@dataclass
class FakeRecord:
    method: str
    path: str
    json: Any


async def test_every_request_in_a_session_is_one_discord_accepts(world: World, spec: Any) -> None:
    await world.student.slash(world.general, "about")
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await world.admin.slash(world.general, "setup channel", purpose="announcements", channel=world.general)
    await world.admin.slash(world.general, "setup timezone", name="Nowhere/Special")

    requests = world.env.http_requests
    paths = {r.path for r in requests}
    assert any(p.endswith("/callback") for p in paths)  # interaction replies were checked
    assert any("/commands" in p for p in paths)  # and the command sync
    assert contract.violations(requests, spec) == []


def test_the_checker_rejects_what_discord_would(spec: Any) -> None:
    bad = [
        FakeRecord("POST", "/channels/1/messages", {"content": 5}),
        FakeRecord("POST", "/interactions/1/tok/callback", {"type": 4, "data": {"flags": "ephemeral"}}),
        FakeRecord("POST", "/no/such/route", None),
        FakeRecord("PUT", "/channels/1/messages", {"content": "hi"}),
    ]
    problems = contract.violations(bad, spec)
    assert len(problems) >= 4, problems
    good = [
        FakeRecord("POST", "/channels/1/messages", {"content": "hi", "allowed_mentions": {"parse": []}}),
        FakeRecord("POST", "/users/@me/channels", {"recipient_id": 1456074443980800012}),
        FakeRecord(
            "POST",
            "/channels/1/messages",
            {"content": "hi", "allowed_mentions": {"users": [1456074443980800012]}},
        ),
    ]
    assert contract.violations(good, spec) == []
