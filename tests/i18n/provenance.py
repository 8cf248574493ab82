"""Text that bypassed the catalogue, found in what the bot sent during a SimCord test.

Every string a translator returns (``bot.i18n.Translator``: looked up in the catalogue, with its
placeholders filled) is recorded while a test runs. Afterwards every text the bot sent to Discord
(message content, embeds, buttons, menus, forms, thread names) is taken apart: the recorded
strings are removed, then what people typed or the test stored (interaction options and form
values, names of members, channels and roles, and every text held in the bot's database), then
mentions, timestamps, links, code spans and numbers. Any word left is English the bot wrote
without the catalogue, which a Welsh reader would see in English.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import discord

from bot import i18n

#: Discord markup and values that are not words of the bot's: mentions, timestamps, custom
#: emoji, links, code spans, numbers.
_NOT_WORDS = re.compile(
    r"<(?:@[!&]?|#|t:|a?:\w+:)[^>]*>|https?://\S+|`[^`]*`|\b\d[\d:.,/%-]*\b|\*\*|__|~~|\|\|"
    r"|[A-Z0-9]{4}(?=-)|(?<=-)[A-Z0-9]{4}"  # a report code, or the start of one
    r"|\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Pacific)/[A-Za-z_/]+|\bUTC\b"  # time zones
)
_WORD = re.compile(r"[^\W\d_]{2,}")


class Recorder:
    """Collects what every Translator returns while installed."""

    def __init__(self) -> None:
        self.said: set[str] = set()
        self.values: set[str] = set()

    def install(self, monkeypatch: Any) -> None:
        fill = i18n.Translator._fill

        def recorded(translator: i18n.Translator, text: str, source: str, values: Any) -> str:
            result = fill(translator, text, source, values)
            self.said.add(result)
            self.values.update(str(v) for v in values.values() if isinstance(v, str))
            return result

        monkeypatch.setattr(i18n.Translator, "_fill", recorded)

        # Messages a test posts through the bot (forged buttons and the like) are the test's words.
        send = discord.abc.Messageable.send

        async def sent_by(target: Any, *args: Any, **kwargs: Any) -> Any:
            if "/tests/" in sys._getframe(1).f_code.co_filename:
                self.values.update(str(a) for a in args if isinstance(a, str))
                self.values.update(str(v) for v in kwargs.values() if isinstance(v, str))
                view = kwargs.get("view")
                for item in getattr(view, "children", ()):
                    for attr in ("label", "placeholder"):
                        if isinstance(getattr(item, attr, None), str):
                            self.values.add(getattr(item, attr))
                    for option in getattr(item, "options", ()) or ():
                        self.values.update(x for x in (option.label, option.description) if x)
                for embed in [kwargs.get("embed"), *(kwargs.get("embeds") or ())]:
                    if embed is not None:
                        self.values.update(t for t in _texts_of_message({"embeds": [embed.to_dict()]}) if t)
            return await send(target, *args, **kwargs)

        monkeypatch.setattr(discord.abc.Messageable, "send", sent_by)


def _texts_of_component(component: dict[str, Any]) -> Iterator[str]:
    for key in ("label", "placeholder", "title", "value", "content"):
        value = component.get(key)
        if isinstance(value, str) and key != "value":
            yield value
    for option in component.get("options") or ():
        yield from (option.get("label") or "", option.get("description") or "")
    for child in component.get("components") or ():
        yield from _texts_of_component(child)
    if isinstance(component.get("component"), dict):
        yield from _texts_of_component(component["component"])


def _texts_of_message(body: dict[str, Any]) -> Iterator[str]:
    if isinstance(body.get("content"), str):
        yield body["content"]
    for embed in body.get("embeds") or ():
        yield from (embed.get("title") or "", embed.get("description") or "")
        yield (embed.get("footer") or {}).get("text") or ""
        yield (embed.get("author") or {}).get("name") or ""
        for field in embed.get("fields") or ():
            yield from (field.get("name") or "", field.get("value") or "")
    for row in body.get("components") or ():
        yield from _texts_of_component(row)
    if isinstance(body.get("title"), str):  # a form (modal)
        yield body["title"]


def sent_texts(http_requests: Iterable[Any]) -> Iterator[str]:
    """What the bot showed people: messages, interaction replies and forms, thread names."""
    for request in http_requests:
        body = request.json
        if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
            continue
        path = request.path
        if "/callback" in path:
            data = body.get("data")
            if isinstance(data, dict):
                yield from _texts_of_message(data)
        elif "/messages" in path or path.startswith("/webhooks/"):
            yield from _texts_of_message(body)
        elif path.endswith("/threads") and isinstance(body.get("name"), str):
            yield body["name"]


_TYPED_KEYS = frozenset({"value", "name", "global_name", "username", "nick", "content", "topic"})


def typed_texts(transcript: Iterable[Any]) -> set[str]:
    """What people typed or the world holds: interaction options and form values, and names."""
    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in (
            "value",
            "name",
            "global_name",
            "username",
            "nick",
            "content",
            "topic",
        ):
            found.add(value)

    for kind, _event, payload in transcript:
        if kind == "GATEWAY" and payload is not None:
            walk(payload)
    return found


def leftover_words(text: str, known: list[str]) -> list[str]:
    """The words of ``text`` that none of ``known`` (longest first) explains."""
    for piece in known:
        if piece and piece in text:
            text = text.replace(piece, " ")
    return _WORD.findall(_NOT_WORDS.sub(" ", text))


async def stored_texts(db: Any) -> set[str]:
    """Every text held in the bot's database (what organisers and students saved earlier)."""
    found: set[str] = set()
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for (table,) in tables:
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            found.update(value for value in row if isinstance(value, str))
    return found


async def bypassing_catalogue(env: Any, bot: Any, recorder: Recorder, extra: Iterable[str] = ()) -> list[str]:
    """Each text the bot sent with words no catalogue entry, typed value or stored text explains."""
    backend = env.backend
    known = set(recorder.said) | recorder.values | typed_texts(backend.transcript) | set(extra)
    with contextlib.suppress(Exception):  # the bot's database closed already (the bot was shut down)
        known |= await stored_texts(bot.db)
    ordered = sorted((k for k in known if k and len(k) > 1), key=len, reverse=True)
    # Words of what people typed or saved, which the bot may quote split or trimmed.
    theirs = {word for k in known - set(recorder.said) for word in _WORD.findall(k)}
    problems = []
    for text in dict.fromkeys(sent_texts(backend.http_requests)):
        words = [w for w in leftover_words(text, ordered) if not _theirs(w, theirs)]
        if words:
            problems.append(f"{' '.join(words)[:80]!r} in {text[:160]!r}")
    return problems


def _theirs(word: str, theirs: set[str]) -> bool:
    """A word someone typed, or a piece of one the bot cut (a long text quoted in parts)."""
    return word in theirs or (len(word) > 20 and any(word in typed for typed in theirs if len(typed) > 20))


def write_report(nodeid: str, problems: list[str]) -> None:
    with open("provenance-report.txt", "a", encoding="utf-8") as report:
        report.writelines(f"{nodeid}: {p}\n" for p in problems)
