"""End-to-end helpers for the events feature under SimCord."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
import simcord

from bot.services.events import LIMITS
from bot.services.events_model import EventInfo
from tests.conftest import World

TZ = ZoneInfo("Europe/London")


async def prepare(world: World) -> None:
    """An admin sets the organiser role and the announcements channel."""
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await world.admin.slash(world.general, "setup channel", purpose="announcements", channel=world.general)


def local(world: World, days: int, hour: int, minute: int = 0) -> str:
    """A start typed the way an organiser would, `days` from the simulated today, in London time."""
    today = world.env.now().astimezone(TZ)
    when = (today + timedelta(days=days)).replace(hour=hour, minute=minute)
    return when.strftime("%Y-%m-%d %H:%M")


def local_dt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


async def create(
    world: World,
    *,
    modal: dict[str, Any] | None = None,
    actor: simcord.MemberActor | None = None,
    **options: Any,
) -> simcord.InteractionResult:
    actor = actor or world.organiser
    values: dict[str, Any] = {"kind": "social", "title": "Board games and chai", "place": "SU room 2"}
    values.update(options)
    shown = await actor.slash(world.general, "event create", **values)
    if shown.modal is None:
        return shown
    fields = {"description": "Games, chai and biscuits.", "alcohol_free": True}
    fields.update(modal or {})
    return await actor.submit_modal(shown, fields)


async def new_event_card(world: World, **options: Any) -> discord.Message:
    """The server set up, one event created with ``options``, and its card as a student sees it."""
    await prepare(world)
    await create(world, **options)
    [card] = cards(world.general, world.student)
    return card


def cards(channel: simcord.ChannelHandle, viewer: simcord.MemberActor) -> list[discord.Message]:
    return [
        m
        for m in channel.history(viewer=viewer)
        if m.embeds and (m.embeds[0].footer.text or "").startswith("Event ")
    ]


def fields(message: discord.Message) -> dict[str, str]:
    return {f.name: f.value for f in message.embeds[0].fields if f.name and f.value}


def dms(member: simcord.MemberActor) -> list[str]:
    return [m.content for m in member.user.dm_channel.history()]


def everything_public(channel: simcord.ChannelHandle, viewer: simcord.MemberActor) -> str:
    """Every word a member can see in a channel: contents, embeds, footers."""
    parts = []
    for message in channel.history(viewer=viewer):
        parts.append(message.content)
        for embed in message.embeds:
            parts.append(str(embed.to_dict()))
    return "\n".join(parts)


def said(result: simcord.InteractionResult) -> str:
    """The last thing the bot told this person about an interaction (after a defer, too)."""
    if result.followups:
        return str(result.followups[-1].content)
    assert result.response is not None
    return result.response.content


def replies(result: simcord.InteractionResult) -> list[Any]:
    """Every message the bot answered one interaction with (the response, then follow-ups)."""
    return [*([result.response] if result.response is not None else []), *result.followups]


def shown_text(result: simcord.InteractionResult) -> str:
    """Every word one interaction showed: contents, embeds (all of each), buttons."""
    parts = []
    for message in replies(result):
        parts.append(message.content or "")
        parts += [str(embed.to_dict()) for embed in message.embeds]
        parts.append(str(message.components))
    return "\n".join(parts)


def button_labels(message: Any) -> list[str]:
    """The labels of a message's buttons (a reply or a posted message)."""
    rows = message.components
    found = []
    for row in rows:
        data = row if isinstance(row, dict) else row.to_dict()
        found += [c.get("label", "") for c in data.get("components", [])]
    return found


def form_default(shown: simcord.InteractionResult, custom_id: str) -> str | None:
    """What a form shown to someone is filled in with (a text input's value), or None."""
    assert shown.modal is not None

    def walk(component: Any) -> str | None:
        if isinstance(component, dict):
            if component.get("custom_id") == custom_id:
                value = component.get("value")
                return value if isinstance(value, str) else None
            for child in [*(component.get("components") or []), component.get("component")]:
                found = walk(child)
                if found is not None:
                    return found
        return None

    return walk(shown.modal)


#: An event with every text at its longest and the largest numbers (for Discord's limits).
LONGEST_EVENT = EventInfo(
    event_id=2**53,
    guild_id=1,
    series_id=1,
    kind="workshop",
    title="T" * LIMITS["title"],
    description="D" * LIMITS["description"],
    place="P" * LIMITS["place"],
    online_link="https://" + "l" * (LIMITS["online_link"] - 8),
    starts_at=1_800_000_000,
    ends_at=1_800_003_600,
    capacity=100_000,
    cost="C" * LIMITS["cost"],
    food="F" * LIMITS["food"],
    accessibility="A" * LIMITS["accessibility"],
    facilitators="G" * LIMITS["facilitators"],
    theme="H" * LIMITS["theme"],
    going=99_999,
    maybe=99_999,
    waiting=99_999,
    community_channel_id=2**63 - 1,
    ask_needs=True,
    channel_id=1,
    message_id=None,
    scheduled_event_id=None,
    status="scheduled",
)
