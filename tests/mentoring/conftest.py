"""Fixtures for the mentoring tests: the service against a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.mentoring import MentoringService

GUILD = 1000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "mentoring.sqlite3")
    await database.open()
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def service(db: Database, clock: ManualClock) -> MentoringService:
    return MentoringService(db, clock, b"k" * 32)
