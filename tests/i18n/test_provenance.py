"""The scan that runs after every SimCord test (tests/conftest.py's ``world``) finds English the
bot wrote without the catalogue, and only that."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.i18n import UNREVIEWED_NOTICE, Catalogues
from tests.i18n.provenance import Recorder, leftover_words, sent_texts


def test_the_scan_finds_words_that_bypassed_the_catalogue_and_nothing_else() -> None:
    recorder = Recorder()
    patches = pytest.MonkeyPatch()
    recorder.install(patches)
    try:
        said = Catalogues().translator("cy")(UNREVIEWED_NOTICE)
        named = Catalogues().translator("cy")("{n} going", n=3)
    finally:
        patches.undo()
    assert {said, named} <= recorder.said
    requests = [
        SimpleNamespace(
            method="POST",
            path="/channels/1/messages",
            json={
                "content": f"{said} Going now",
                "embeds": [{"title": "Board games", "fields": [{"name": "When", "value": "<t:1:F> · 12"}]}],
                "components": [{"components": [{"label": named}, {"label": "Cancel"}]}],
            },
        ),
        SimpleNamespace(method="GET", path="/channels/1/messages", json=None),
    ]
    known = sorted([*recorder.said, "Board games"], key=len, reverse=True)
    found = [leftover_words(text, known) for text in sent_texts(requests)]
    assert [words for words in found if words] == [["Going", "now"], ["When"], ["Cancel"]]
