"""Helpers for the communities tests: a server with organisers set up, and access checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord

from bot.services.communities import Community, CommunityService
from tests.conftest import World, organisers_channel


@dataclass
class Stage:
    world: World
    organisers_channel: simcord.ChannelHandle

    @property
    def env(self) -> simcord.Env:
        return self.world.env

    @property
    def service(self) -> CommunityService:
        cog: Any = self.world.bot.get_cog("Communities")
        assert cog is not None
        service: CommunityService = cog.service
        return service

    async def create(
        self, name: str, kind: str = "identity", description: str = "A place to meet.", **kw: Any
    ) -> Community:
        await create_community(self.world, self.world.organiser, name, kind, description, **kw)
        return await self.service.find(self.world.guild.id, name)

    async def create_with_channel(
        self, name: str, kind: str = "identity", description: str = "A place to meet.", **kw: Any
    ) -> tuple[Community, int]:
        """A new community and the id of its private channel."""
        community = await self.create(name, kind, description, **kw)
        assert community.channel_id is not None
        return community, community.channel_id

    async def joined_by_student(self, name: str, kind: str, description: str) -> int:
        """A new community the student has joined; returns the id of its private channel."""
        _, channel_id = await self.create_with_channel(name, kind, description)
        await self.world.student.slash(self.world.general, "community join", name=name)
        return channel_id

    def can_view(self, member: simcord.MemberActor, channel_id: int) -> bool:
        """What Discord itself (SimCord's permission engine) lets this member see."""
        value = self.env.backend.compute_permissions(self.world.guild.id, member.id, channel_id)
        return discord.Permissions(value).view_channel

    def can_send(self, member: simcord.MemberActor, channel_id: int) -> bool:
        value = self.env.backend.compute_permissions(self.world.guild.id, member.id, channel_id)
        return discord.Permissions(value).send_messages

    def role_ids(self, member: simcord.MemberActor) -> list[int]:
        return list(self.env.backend.get_member(self.world.guild.id, member.id).role_ids)

    def organiser_posts(self) -> list[discord.Message]:
        return [m for m in self.organisers_channel.history() if m.author.bot]


async def create_community(
    world: World,
    who: simcord.MemberActor,
    name: str,
    kind: str = "identity",
    description: str = "A place to meet.",
    **kw: Any,
) -> simcord.InteractionResult:
    """``who`` runs ``/community create``; the reply is private and says the community was created."""
    result = await who.slash(
        world.general, "community create", name=name, kind=kind, description=description, **kw
    )
    assert result.ephemeral
    assert "Created" in (result.followups[0].content if result.followups else result.response.content), result
    return result


def text_of(result: Any) -> str:
    """Everything a person was shown by one interaction (reply, follow-ups, embeds)."""
    messages = []
    if result.response is not None:
        messages.append(result.response)
    messages.extend(result.followups)
    parts: list[str] = []
    for message in messages:
        parts.append(message.content or "")
        for embed in message.embeds:
            parts.append(embed.title or "")
            parts.append(embed.description or "")
            parts.extend(f"{f.name} {f.value}" for f in embed.fields)
    return "\n".join(parts)


@pytest.fixture
async def stage(world: World) -> Stage:
    return Stage(world, await organisers_channel(world))
