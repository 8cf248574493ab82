"""Fixtures for the mentoring tests: the service against the shared real SQLite ``db`` and ``clock``."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.mentoring import MentoringService

GUILD = 1000


@pytest.fixture
def service(db: Database, clock: ManualClock) -> MentoringService:
    return MentoringService(db, clock, b"k" * 32)
