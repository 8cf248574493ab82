"""The layout in docs/architecture.md, kept: services without Discord, cogs without SQL, small modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("communities", "events", "mentoring", "pulse", "reports", "signposts")
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM"
    r"|CREATE (TABLE|INDEX)|PRAGMA \w+)\b",
    re.DOTALL,
)
MAX_COG_MODULE_LINES = 600


def strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "cogs").rglob("*.py")), ids=lambda p: p.name)
def test_cogs_hold_no_sql_and_stay_small(path: Path) -> None:
    assert not [s for s in strings(path) if SQL.search(s)], f"SQL belongs in a service, not {path}"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_COG_MODULE_LINES


@pytest.mark.parametrize("path", sorted((ROOT / "bot" / "services").glob("*.py")), ids=lambda p: p.name)
def test_services_never_import_discord(path: Path) -> None:
    assert not {m for m in imports(path) if m == "discord" or m.startswith(("discord.", "cogs"))}


@pytest.mark.parametrize("feature", FEATURES)
def test_each_feature_is_a_package_of_the_same_shape(feature: str) -> None:
    package = ROOT / "cogs" / feature
    assert {"__init__.py", "commands.py", "views.py", "render.py"} <= {p.name for p in package.glob("*.py")}
    # render.py is pure: it may draw embeds, but never sends or reaches the database.
    render = imports(package / "render.py")
    assert not {m for m in render if m.startswith(("bot.db", "bot.core", "aiosqlite"))}


def test_no_cog_reaches_into_another_feature() -> None:
    for feature in FEATURES:
        for path in (ROOT / "cogs" / feature).glob("*.py"):
            others = {
                m for m in imports(path) if m.startswith("cogs.") and not m.startswith(f"cogs.{feature}")
            }
            assert not others, f"{path.relative_to(ROOT)} imports {others}"
            assert not [
                s for s in strings(path) if s in {f.capitalize() for f in FEATURES} - {feature.capitalize()}
            ]
