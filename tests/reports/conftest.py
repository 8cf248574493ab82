"""A server set up for anonymous reports: an organiser role and a private reports channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord

from tests.conftest import World


@dataclass
class ReportsWorld:
    world: World
    reports: simcord.ChannelHandle

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def private_reports_channel(world: World) -> simcord.ChannelHandle:
    return world.guild.create_text_channel(
        "reports",
        overwrites={
            world.guild.default_role: discord.PermissionOverwrite(view_channel=False),
            world.organiser_role: discord.PermissionOverwrite(view_channel=True),
            world.admin: discord.PermissionOverwrite(view_channel=True),
            world.guild.me: discord.PermissionOverwrite(
                view_channel=True, send_messages=True, embed_links=True
            ),
        },
    )


@pytest.fixture
async def rw(world: World) -> ReportsWorld:
    reports = private_reports_channel(world)
    await world.env.settle()
    result = await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    assert "organisers" in result.response.content
    result = await world.admin.slash(world.general, "setup channel", purpose="reports", channel=reports)
    assert "reports" in result.response.content and "⚠️" not in result.response.content
    await open_cases(world)
    return ReportsWorld(world, reports)


async def open_cases(world: World, *members: simcord.MemberActor) -> None:
    """What an admin does in Server Settings > Integrations: let the organiser role (and any
    given members) see /cases, which is hidden from everyone without Manage Server by default."""
    commands = await world.bot.tree.fetch_commands()
    command = next(c for c in commands if c.name == "cases")
    allowed: dict[Any, bool] = {world.organiser_role: True}
    allowed.update(dict.fromkeys(members, True))
    world.guild.set_command_permissions(command, allowed)
