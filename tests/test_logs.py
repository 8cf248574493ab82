"""Logs never pair a member with something sensitive, even in discord.py's own lines."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactIds, configure_logging


def test_discord_request_paths_lose_their_ids(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("INFO")
    logger = logging.getLogger("discord.http")
    logger.addHandler(caplog.handler)
    try:
        logger.warning(
            "We are being rate limited. %s %s responded with 429.",
            "PUT",
            "/channels/1456074443980800010/permissions/1456074443980800012",
        )
    finally:
        logger.removeHandler(caplog.handler)
    text = caplog.records[-1].getMessage()
    assert "1456074443980800012" not in text and "1456074443980800010" not in text
    assert "/channels/<id>/permissions/<id>" in text
    assert any(isinstance(f, RedactIds) for f in logger.filters)


def test_sql_parameters_are_never_logged_at_debug() -> None:
    configure_logging("DEBUG")
    try:
        assert logging.getLogger("aiosqlite").getEffectiveLevel() >= logging.WARNING
    finally:
        configure_logging("INFO")
