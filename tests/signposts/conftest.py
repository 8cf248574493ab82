"""Fixtures for the signposts tests: the seeds from config.example.toml, a service on the shared
real SQLite ``db`` and ``clock`` (tests/conftest.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot import Settings
from bot.clock import ManualClock
from bot.db import Database
from bot.services.signposts import SignpostService

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"


def example_seeds() -> list[dict[str, Any]]:
    """The [[signposts]] contacts exactly as written in config.example.toml."""
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    seeds = data["signposts"]
    assert isinstance(seeds, list)
    return seeds


@pytest.fixture
def settings(config_path: Path) -> Settings:
    """The test config plus the seeded contacts from config.example.toml."""
    return Settings.load(config_path, signposts=example_seeds())


@pytest.fixture
def service(db: Database, clock: ManualClock) -> SignpostService:
    return SignpostService(db, clock, example_seeds())
