"""Logging, configured once at start-up."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


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
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: never let personal data
    # (declared experiences, report text) reach the logs, whatever the configured level.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    root._commonroom_configured = True  # type: ignore[attr-defined]
