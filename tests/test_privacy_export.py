"""The my-data file: every value the features export, in JSON a person can read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cogs.privacy import readable_json


def test_the_export_is_the_same_json_with_one_record_per_line() -> None:
    data = {
        "about": 'Everything Common Room stores about you — «quoted», 日本, "escaped"\n',
        "member_id": "42",
        "features": {
            "Events": {
                "event_rsvps": [
                    {"event_id": 1, "title": "Quiz", "need": None, "at": datetime(2026, 11, 30, tzinfo=UTC)},
                    {"event_id": 2, "title": "Walk", "need": "step-free", "at": 5},
                ],
                "empty": [],
                "nothing": {},
            },
            "Mentoring": {"profiles": [{"role": "mentee", "experiences": ["faith", "carer"]}]},
            3: (1, 2, [3]),
        },
    }
    text = readable_json(data)
    assert json.loads(text) == json.loads(json.dumps(data, default=str))
    lines = text.splitlines()
    # Each RSVP is one line a person can read, never split across lines, and nothing is escaped
    # into \\u sequences that a reader could not read.
    assert any(line.strip().startswith('{"event_id": 1, "title": "Quiz"') for line in lines)
    assert any(line.strip().startswith('{"event_id": 2, "title": "Walk"') for line in lines)
    assert "日本" in text and "«quoted»" in text
    assert lines[0] == "{" and lines[-1] == "}" and lines[1].startswith('  "about": ')
