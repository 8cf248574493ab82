"""Stateless forms: one way to read a submitted form, and one router from custom id to handler.

A stateless form is only drawn (:class:`StatelessModal` is stopped before it is sent, so it is
never kept in memory); its submission is read from the custom id and the submitted values alone.
So a form opened before the bot restarts still works when it is sent, and nothing a person typed
is lost to a restart. Every submitted value is untrusted input: :class:`FormValues` only ever
returns the type asked for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.ui.guard import guard


class FormValues:
    """Each control's submitted value, by custom id: text inputs, selects, checkboxes.

    Reads every nesting Discord uses (action rows, labels), at any depth.
    """

    def __init__(self, data: Any) -> None:
        self._found: dict[str, Any] = {}
        for component in (data or {}).get("components") or [] if isinstance(data, dict) else []:
            self._visit(component)

    def _visit(self, component: Any) -> None:
        if not isinstance(component, dict):
            return
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if "values" in component:
                self._found[custom_id] = component["values"]
            elif "value" in component:
                self._found[custom_id] = component["value"]
        for child in component.get("components") or []:
            self._visit(child)
        self._visit(component.get("component"))

    def __contains__(self, custom_id: str) -> bool:
        return custom_id in self._found

    def text(self, custom_id: str) -> str:
        """A text input's value ('' when absent or not text)."""
        value = self._found.get(custom_id)
        return value if isinstance(value, str) else ""

    def optional_text(self, custom_id: str) -> str | None:
        value = self._found.get(custom_id)
        return value if isinstance(value, str) else None

    def choices(self, custom_id: str) -> list[str]:
        """A select's chosen values (empty when absent)."""
        value = self._found.get(custom_id)
        if not isinstance(value, list):
            return []
        return [str(v) for v in value if isinstance(v, str | int)]

    def first(self, custom_id: str) -> str | None:
        chosen = self.choices(custom_id)
        return chosen[0] if chosen else None

    def flag(self, custom_id: str) -> bool:
        """A checkbox: true only when Discord says true."""
        return self._found.get(custom_id) is True

    def as_dict(self) -> dict[str, Any]:
        return dict(self._found)


def form_values(interaction: discord.Interaction[Any]) -> FormValues:
    return FormValues(interaction.data)


class StatelessModal(discord.ui.Modal):
    """A form drawn for a stateless submission: the router handles what is sent."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None  # handled by the FormRouter


async def show_form(interaction: discord.Interaction[Any], form: discord.ui.Modal) -> None:
    """Open ``form`` without keeping it in memory (the router reads the submission)."""
    form.stop()
    await interaction.response.send_modal(form)


FormHandler = Callable[[discord.Interaction[Any], "re.Match[str]", FormValues], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FormRoute:
    pattern: re.Pattern[str]
    handler: FormHandler
    where: str


class FormRouter:
    """Custom id pattern -> handler, for every stateless form; each runs inside the one guard."""

    def __init__(self) -> None:
        self._routes: list[FormRoute] = []

    def add(self, pattern: str, handler: FormHandler, *, where: str | None = None) -> None:
        self._routes.append(FormRoute(re.compile(pattern), handler, where or f"form {pattern}"))

    def remove_owner(self, owner: object) -> None:
        """Forget every route whose handler is a method of ``owner`` (a cog being unloaded)."""
        self._routes = [r for r in self._routes if getattr(r.handler, "__self__", None) is not owner]

    async def dispatch(self, interaction: discord.Interaction[Any]) -> bool:
        """Handle a modal submission if a route matches its custom id; True if one did."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return False
        data: dict[str, Any] = dict(interaction.data) if isinstance(interaction.data, dict) else {}
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str) or len(custom_id) > 100:
            return False
        for route in self._routes:
            match = route.pattern.fullmatch(custom_id)
            if match is not None:
                await guard(
                    interaction,
                    route.where,
                    functools.partial(route.handler, interaction, match, FormValues(data)),
                )
                return True
        return False
