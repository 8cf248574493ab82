"""The shared UI kit's pure parts: reading forms (untrusted input), paging, and the crisis lines."""

from __future__ import annotations

from typing import Any

import pytest

from bot.support import CRISIS_LINES, crisis_fields, crisis_sentence, crisis_text, urgent_help
from bot.ui import FormValues, paginate


def label(custom_id: str, **leaf: Any) -> dict[str, Any]:
    return {"type": 18, "component": {"custom_id": custom_id, **leaf}}


def test_form_values_reads_every_nesting_discord_uses() -> None:
    data = {
        "custom_id": "form",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "title", "value": "Quiz night"}]},
            label("where", values=["online"]),
            label("alcohol_free", value=True),
            {"type": 1, "components": [{"type": 1, "components": [{"custom_id": "deep", "value": "x"}]}]},
        ],
    }
    values = FormValues(data)
    assert values.text("title") == "Quiz night"
    assert values.choices("where") == ["online"] and values.first("where") == "online"
    assert values.flag("alcohol_free") is True
    assert values.text("deep") == "x"
    assert "title" in values and "missing" not in values


@pytest.mark.parametrize(
    "data",
    [
        None,
        "not a dict",
        {"components": "nope"},
        {"components": [None, 3, "x", {"custom_id": 5, "value": "v"}]},
        {"components": [{"custom_id": "title", "value": {"$ne": 1}}]},
        {"components": [{"custom_id": "where", "values": "online"}]},
        {"components": [{"custom_id": "alcohol_free", "value": "true"}]},
    ],
)
def test_form_values_never_returns_another_type_than_asked(data: Any) -> None:
    values = FormValues(data)
    assert values.text("title") == ""
    assert values.optional_text("title") is None
    assert values.choices("where") == []
    assert values.first("where") is None
    assert values.flag("alcohol_free") is False


def test_paginate_keeps_blocks_whole_and_within_the_limit() -> None:
    blocks = [f"block {n} " + "x" * 40 for n in range(30)]
    pages = paginate(blocks, 200)
    assert all(len(page) <= 200 for page in pages)
    assert "\n\n".join(pages).split("\n\n") == blocks
    assert paginate([], 100) == []


def test_the_crisis_lines_are_written_once_and_every_form_carries_all_of_them() -> None:
    numbers = ("999", "116 123", "SHOUT to 85258", "111")
    text, fields, sentence = crisis_text(), crisis_fields(), crisis_sentence()
    for number in numbers:
        assert number in text
        assert any(number in value for _, value in fields)
    assert {name for name, _ in fields} == {line.name for line in CRISIS_LINES}
    assert all(n in sentence for n in ("999", "116 123", "85258"))
    # The directory's own urgent contacts win, with the emergency line always first.
    assert urgent_help([]) == text
    assert urgent_help(["**Campus security**: 0123"]).splitlines()[1] == "**Campus security**: 0123"
    assert "999" in urgent_help(["**Campus security**: 0123"]).splitlines()[0]


def test_suggestions_filter_by_what_was_typed_clip_and_cap() -> None:
    from bot.ui import suggest

    options = [(f"Social {n} " + "x" * 120, n) for n in range(40)]
    everything = suggest(options, "")
    assert len(everything) == 25 and all(len(c.name) <= 100 for c in everything)
    assert [c.value for c in suggest(options, "SOCIAL 3")] == [3, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]
    assert [c.value for c in suggest(options, "#7")] == [7]  # an id typed with its hash
    assert suggest([("Quiz night", "a")], "chess") == []
