"""Fixtures for pulse service tests: a real SQLite file, a manual clock and a secret key."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.pulse import PulseService

GUILD = 111


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "pulse.sqlite3")
    await database.open()
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def service(db: Database, clock: ManualClock, key: bytes) -> PulseService:
    return PulseService(db, clock, lambda: key)
