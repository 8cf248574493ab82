"""The command tree stays within Discord's limits, for every command every feature adds."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import World

NAME = re.compile(r"^[-_\w]{1,32}$")


def characters(payload: dict[str, Any]) -> int:
    """What Discord counts towards its 8,000-character limit per command."""
    total = len(payload.get("name", "")) + len(payload.get("description", ""))
    for option in payload.get("options", []) or []:
        total += characters(option)
        for choice in option.get("choices", []) or []:
            total += len(str(choice["name"])) + len(str(choice["value"]))
    return total


def check(payload: dict[str, Any], path: str, depth: int = 0) -> list[str]:
    problems = []
    name = payload["name"]
    if not NAME.match(name) or name != name.lower():
        problems.append(f"{path}: name {name!r} is not 1-32 lowercase letters, digits, - or _")
    description = payload.get("description", "")
    if payload.get("type", 1) == 1 and not 1 <= len(description) <= 100:
        problems.append(f"{path}: description must be 1-100 characters ({len(description)})")
    options = payload.get("options", []) or []
    if len(options) > 25:
        problems.append(f"{path}: {len(options)} options or subcommands (Discord allows 25)")
    for option in options:
        kind = option.get("type")
        if kind in (1, 2):  # subcommand / subcommand group
            if depth >= 2 or (kind == 2 and depth >= 1):
                problems.append(f"{path} {option['name']}: nested too deeply")
            problems += check(option, f"{path} {option['name']}", depth + 1)
        else:
            if not NAME.match(option["name"]):
                problems.append(f"{path} [{option['name']}]: bad option name")
            if not 1 <= len(option.get("description", "")) <= 100:
                problems.append(f"{path} [{option['name']}]: description must be 1-100 characters")
            choices = option.get("choices", []) or []
            if len(choices) > 25:
                problems.append(f"{path} [{option['name']}]: {len(choices)} choices (Discord allows 25)")
            problems += [
                f"{path} [{option['name']}]: choice name over 100 characters"
                for choice in choices
                if len(str(choice["name"])) > 100
            ]
    return problems


async def test_every_command_fits_discords_limits(world: World) -> None:
    payloads = [command.to_dict(world.bot.tree) for command in world.bot.tree.get_commands()]
    assert 0 < len(payloads) <= 100
    problems = []
    for payload in payloads:
        problems += check(payload, "/" + payload["name"])
        if characters(payload) > 8000:
            problems.append(f"/{payload['name']}: {characters(payload)} characters (Discord allows 8,000)")
    assert problems == []


def test_the_checker_catches_an_oversized_group() -> None:
    group = {
        "name": "big",
        "description": "x",
        "options": [{"type": 1, "name": f"sub{i}", "description": "d" * 100} for i in range(26)],
    }
    assert any("26 options" in p for p in check(group, "/big"))
    huge = {
        "name": "huge",
        "description": "x",
        "options": [{"type": 3, "name": "o", "description": "d" * 9000}],
    }
    assert characters(huge) > 8000


async def test_organiser_groups_are_hidden_and_checked_on_the_server(world: World) -> None:
    from bot.core import required_access

    for command in world.bot.tree.get_commands():
        payload = command.to_dict(world.bot.tree)
        if payload.get("default_member_permissions") not in (None, "0", 0):
            # Hidden in the client: every subcommand must also be checked on the server.
            subcommands = list(command.walk_commands()) if hasattr(command, "walk_commands") else [command]
            assert all(required_access(sub) is not None for sub in subcommands), payload["name"]
