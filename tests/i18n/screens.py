"""Helpers for the features' language screens (pseudo-locale and Welsh tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
import simcord

from tests.i18n.helpers import shown


def component_texts(message: Any) -> Iterator[str]:
    """Button labels, menu placeholders and option labels/descriptions of a message."""
    for row in getattr(message, "components", None) or []:
        if isinstance(row, dict):  # a SimCord reply's components are the raw payload
            yield from payload_texts(row)
            continue
        for item in getattr(row, "children", [row]):
            for attribute in ("label", "placeholder"):
                value = getattr(item, attribute, None)
                if value:
                    yield value
            for option in getattr(item, "options", []) or []:
                yield option.label
                if option.description:
                    yield option.description


def payload_texts(payload: Any) -> Iterator[str]:
    """Titles, labels and placeholders anywhere in a raw payload (a modal)."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("title", "label", "placeholder", "description") and isinstance(value, str):
                yield value
            else:
                yield from payload_texts(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from payload_texts(value)


def message_texts(message: Any) -> list[str]:
    """What one posted message shows: its text, embeds and components."""
    return shown(message) + list(component_texts(message))


def everything(result: simcord.InteractionResult) -> list[str]:
    """What one interaction showed: the reply, follow-ups, their components, and any modal."""
    messages = ([result.response] if result.response is not None else []) + list(result.followups)
    texts: list[str] = []
    for message in messages:
        texts += message_texts(message)
    if result.modal is not None:
        texts += list(payload_texts(result.modal))
    return texts


def without(texts: list[str], *user_content: str) -> list[str]:
    """``texts`` with what people typed (names, descriptions) taken out: only the bot's words count."""
    out = []
    for text in texts:
        for content in sorted(user_content, key=len, reverse=True):
            text = text.replace(content, "")
        out.append(text)
    return out


def bot_posts(channel: simcord.ChannelHandle, viewer: simcord.MemberActor) -> list[discord.Message]:
    """The bot's own posts (not Discord's "pinned a message" notices)."""
    return [
        m for m in channel.history(viewer=viewer) if m.author.bot and m.type == discord.MessageType.default
    ]
