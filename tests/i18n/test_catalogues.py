"""The catalogues are complete, honest and current: every language says what English says, with
the same placeholders, and the files the bot reads are the ones the translators wrote."""

from __future__ import annotations

import fnmatch
import io
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo

from bot.i18n import LOCALES_DIR, Catalogues, is_reviewed, placeholders, review_status
from bot.services.language import MEMBER_LANGUAGES, SOURCE
from tests.i18n.helpers import CONVERTED, ROOT, TEMPLATE, key, po_files, read

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# The crisis numbers live in bot/support.py only; a catalogue holds placeholders for them.
NUMBERS = re.compile(r"116 ?123|85258|\b999\b")


def extracted() -> set[tuple[str | None, str]]:
    """What ``pybabel extract`` finds in the code now, with the project's own configuration."""
    [mapping] = PYPROJECT["tool"]["babel"]["mappings"]
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(mapping["keywords"])}
    found = set()
    for folder in ("bot", "cogs"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[(mapping["pattern"], mapping["method"])], keywords=keywords
        ):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def test_the_template_holds_every_marked_string_in_the_code() -> None:
    template = {key(m) for m in read(TEMPLATE) if m.id}
    now = extracted()
    assert now - template == set(), "New strings are not in the template: run `python -m bot i18n`"
    assert template - now == set(), (
        "The template holds strings the code no longer has: run `python -m bot i18n`"
    )


def test_there_is_a_welsh_catalogue_for_every_language_a_member_can_choose() -> None:
    assert {p.parent.parent.name for p in po_files()} == set(MEMBER_LANGUAGES) - {SOURCE}


@pytest.mark.parametrize("po_file", po_files(), ids=lambda p: p.parent.parent.name)
def test_every_entry_is_translated_and_none_is_fuzzy(po_file: Path) -> None:
    catalog = read(po_file)
    template = {key(m) for m in read(TEMPLATE) if m.id}
    entries = {key(m): m for m in catalog if m.id}
    assert template - set(entries) == set(), "Missing from the catalogue: run `python -m bot i18n update`"
    problems = []
    for message in entries.values():
        if not {path for path, _ in message.locations} & CONVERTED:
            continue  # only in modules not converted yet (tests/i18n/helpers.py: CONVERTED)
        if message.fuzzy:
            problems.append(f"fuzzy (needs a translator's check): {message.id!r}")
        if message.pluralizable:
            forms = list(message.string)
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.append(f"needs all {catalog.num_plurals} plural forms: {message.id!r}")
        elif not message.string:
            problems.append(f"not translated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("po_file", po_files(), ids=lambda p: p.parent.parent.name)
def test_placeholders_are_the_same_in_every_language(po_file: Path) -> None:
    problems = []
    for message in read(po_file):
        if not message.id:
            continue
        if message.pluralizable:
            wanted = placeholders(message.id[0]) | placeholders(message.id[1])
            strings = list(message.string)
        else:
            wanted = placeholders(message.id)
            strings = [message.string]
        problems += [
            f"{message.id!r}: {sorted(placeholders(text))} instead of {sorted(wanted)}"
            for text in strings
            if text and placeholders(text) != wanted
        ]
    assert problems == []


def test_no_crisis_number_is_written_in_a_catalogue() -> None:
    """Numbers are placeholders filled from bot/support.py, so a translation can't change one."""
    for path in [TEMPLATE, *po_files()]:
        assert not NUMBERS.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("po_file", po_files(), ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalogue_is_compiled_from_the_current_po(po_file: Path) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, read(po_file))
    assert po_file.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        "The .mo is stale: run `python -m bot i18n compile`"
    )


def test_the_catalogues_ship_in_the_wheel() -> None:
    """The package data covers the compiled catalogues (and the .po, which holds the review status)."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["bot"]
    shipped = [p.relative_to(ROOT / "bot").as_posix() for p in LOCALES_DIR.rglob("*") if p.is_file()]
    assert any(name.endswith(".mo") for name in shipped)
    assert [name for name in shipped if not any(fnmatch.fnmatch(name, pat) for pat in patterns)] == []
    assert any(dep.startswith("babel") for dep in PYPROJECT["project"]["dependencies"])


def test_each_catalogue_records_its_review_status_and_welsh_is_not_reviewed_yet() -> None:
    for po_file in po_files():
        assert review_status(po_file), f"{po_file} has no 'Review status:' line in its header comment"
    welsh = LOCALES_DIR / "cy" / "LC_MESSAGES" / "messages.po"
    assert review_status(welsh) == "not reviewed by a fluent speaker"
    assert not Catalogues().translator("cy").reviewed
    assert Catalogues().translator(SOURCE).reviewed  # English is the source


def test_a_reviewer_marks_a_catalogue_reviewed_in_its_header(tmp_path: Path) -> None:
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = LOCALES_DIR / "cy" / "LC_MESSAGES"
    (folder / "messages.mo").write_bytes((source / "messages.mo").read_bytes())
    text = (source / "messages.po").read_text(encoding="utf-8")
    reviewed = text.replace(
        "# Review status: not reviewed by a fluent speaker",
        "# Review status: reviewed by Elin Jones, 2027-01-15",
    )
    (folder / "messages.po").write_text(reviewed, encoding="utf-8")
    assert Catalogues(tmp_path).translator("cy").reviewed
    assert [is_reviewed(s) for s in ("reviewed by A, 2027-01-01", "not reviewed", "", "Reviewed")] == [
        True,
        False,
        False,
        True,
    ]
    # Without its .po beside it, a catalogue is taken as not reviewed.
    (folder / "messages.po").unlink()
    assert not Catalogues(tmp_path).translator("cy").reviewed


def test_every_converted_module_exists_and_is_named_as_the_catalogue_names_it() -> None:
    assert sorted(path for path in CONVERTED if not (ROOT / path).is_file()) == []
    locations = {path for message in read(TEMPLATE) for path, _ in message.locations}
    assert CONVERTED - {"bot/ui/translator.py", "bot/services/language.py"} <= locations


def test_every_module_that_shows_text_is_converted() -> None:
    """Every module with a string in the template is converted, so each of its strings must have
    its Welsh (a new module is added to CONVERTED with its translations)."""
    locations = {path for message in read(TEMPLATE) for path, _ in message.locations}
    assert sorted(locations - CONVERTED) == []
