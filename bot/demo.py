"""``python -m bot demo``: the real bot against a simulated Discord, in the browser (placeholder)."""

from __future__ import annotations

from pathlib import Path


def run_demo(*, db: Path | None, check: bool, port: int | None) -> int:
    print("The demo is being built.")
    return 1
