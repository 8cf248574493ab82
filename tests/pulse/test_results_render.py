"""How a closed run's headline reads for organisers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from cogs.pulse.render import results_embed


def withheld_results(answers: int, audience: int | None) -> Any:
    opened = datetime(2026, 10, 5, 9, tzinfo=UTC)
    run = SimpleNamespace(
        number=3,
        answers=answers,
        audience_size=audience,
        opens_at=opened,
        closes_at=opened + timedelta(hours=48),
    )
    pulse = SimpleNamespace(title="Belonging check-in", breakdown_channel_id=None)
    return SimpleNamespace(pulse=pulse, run=run, shown=False, threshold=100, questions=[], groups=[])


@pytest.mark.parametrize(
    ("answers", "audience", "expected"),
    [
        (12, 20, "from an audience of about 20 (60%)"),
        (20, 20, "(100%)"),
        (12, 2, "more than the audience counted when the run opened, so no percentage"),
        (12, None, "**12 answers**."),
    ],
)
def test_the_share_of_the_audience_is_never_over_100_percent(
    answers: int, audience: int | None, expected: str
) -> None:
    description = results_embed(withheld_results(answers, audience)).description or ""
    assert expected in description
    assert "600%" not in description
