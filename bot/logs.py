"""Logging, configured once at start-up."""

from __future__ import annotations

import logging
import re
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


_SNOWFLAKE = re.compile(r"\b\d{15,21}\b")


class RedactIds(logging.Filter):
    """Replace Discord ids in discord.py's own log lines with ``<id>``.

    discord.py's rate-limit warnings print request paths such as
    ``PUT /channels/<channel>/permissions/<member>``, which would pair a member with an
    identity community's channel in the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SNOWFLAKE.sub("<id>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_commonroom_configured", False):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's HTTP logger is chatty at INFO and would echo request details; keep it quiet.
    logging.getLogger("discord.http").setLevel(logging.WARNING)
    for name in ("discord.http", "discord.gateway", "discord.client", "discord.state"):
        logging.getLogger(name).addFilter(RedactIds())
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: never let personal data
    # (declared experiences, report text) reach the logs, whatever the configured level.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    root._commonroom_configured = True  # type: ignore[attr-defined]
