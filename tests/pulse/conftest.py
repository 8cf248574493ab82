"""Fixtures for pulse service tests: the shared database and clock (tests/conftest.py), a secret key."""

from __future__ import annotations

import secrets

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.pulse import PulseService

GUILD = 111


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def service(db: Database, clock: ManualClock, key: bytes) -> PulseService:
    return PulseService(db, clock, lambda: key)
