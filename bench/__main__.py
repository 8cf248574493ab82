"""``python -m bench``: run every benchmark, one after another, each in its own process.

First ``bench.term`` (a real term's load beside a bare discord.py bot, one table with a verdict
per target), then each feature's benchmark with its own table, then the crash test. Pass
``--quick`` for small sizes (a smoke run, not a measurement).
"""

from __future__ import annotations

import subprocess
import sys

BENCHES: dict[str, list[str]] = {
    "term": [],
    "interaction_overhead": [],
    "communities": [],
    "events": [],
    "pulse": [],
    "signposts": [],
    "mentoring": [],
    "crash": [],
}
QUICK: dict[str, list[str]] = {
    "term": ["--quick"],
    "interaction_overhead": ["-n", "20"],
    "communities": ["-n", "10"],
    "events": ["--events", "50", "--rsvps", "500", "--presses", "20", "--capacity", "5"],
    "pulse": ["--members", "50"],
    "signposts": ["-n", "10"],
    "mentoring": ["--mentors", "20", "--mentees", "60"],
    "crash": ["--kills", "3", "--events", "3", "--attendees", "5"],
}


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    failed = []
    for name, args in (QUICK if quick else BENCHES).items():
        print(f"\n=== bench.{name} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}", *args], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nThese benchmarks failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
