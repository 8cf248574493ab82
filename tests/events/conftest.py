"""Fixtures for the events feature: the service over the shared real SQLite ``db`` and ``clock``
(Monday 5 October 2026, 09:00 UTC: 10:00 in London, BST)."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.events import EventDraft, EventService

GUILD = 1000
ORGANISER = 2000
TZ = "Europe/London"


@pytest.fixture
def service(db: Database, clock: ManualClock) -> EventService:
    return EventService(db, clock)


def draft(**overrides: object) -> EventDraft:
    values: dict[str, object] = {
        "kind": "social",
        "title": "Board games and chai",
        "start": "2026-10-08 18:30",
        "duration": "2h",
        "place": "Student Union, room 2",
        "alcohol_free": True,
    }
    values.update(overrides)
    return EventDraft(**values)  # type: ignore[arg-type]
