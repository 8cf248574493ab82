"""The data inventory: every column the bot stores, and what it means for a person's privacy.

Every column of every table is classified here, either as personal data (it can hold a member's
id, or text a person wrote or declared) with its purpose and retention, or as not personal
with the reason. ``tests/test_privacy_inventory.py`` reads the live schema after all migrations
and fails on any column not classified here, so the privacy notice (generated from this file)
cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    MEMBER_ID = "member id"
    PERSONAL_TEXT = "text a person wrote"
    SENSITIVE = "special category data a person declared"
    PSEUDONYMOUS = "keyed hash (unlinkable without the bot's secret key)"


@dataclass(frozen=True, slots=True)
class Personal:
    table: str
    column: str
    kind: Kind
    feature: str
    what: str
    purpose: str
    retention: str
    retention_days: int | None = None  # enforced by a retention job when set


@dataclass(frozen=True, slots=True)
class NotPersonal:
    table: str
    column: str
    why: str


ANON = "anonymous: holds no member id and cannot be linked to one"

# -- not personal ---------------------------------------------------------------------------

NOT_PERSONAL: list[NotPersonal] = [
    NotPersonal("schema_migrations", "version", "bookkeeping"),
    NotPersonal("schema_migrations", "name", "bookkeeping"),
    NotPersonal("schema_migrations", "applied_at", "bookkeeping"),
    NotPersonal("bot_meta", "key", "bookkeeping"),
    NotPersonal("bot_meta", "value", "bookkeeping (for example the command tree's hash)"),
    NotPersonal("guild_settings", "guild_id", "a server's id"),
    NotPersonal("guild_settings", "organiser_role_id", "a role's id"),
    NotPersonal("guild_settings", "timezone", "server setting"),
    NotPersonal("guild_settings", "joined_at", "server setting"),
    NotPersonal("guild_settings", "updated_at", "server setting"),
    NotPersonal("guild_channels", "guild_id", "a server's id"),
    NotPersonal("guild_channels", "purpose", "server setting"),
    NotPersonal("guild_channels", "channel_id", "a channel's id"),
]

# -- personal -------------------------------------------------------------------------------

PERSONAL: list[Personal] = []


def classified() -> dict[tuple[str, str], Personal | NotPersonal]:
    entries: dict[tuple[str, str], Personal | NotPersonal] = {}
    for entry in [*NOT_PERSONAL, *PERSONAL]:
        key = (entry.table, entry.column)
        if key in entries:
            raise ValueError(f"{entry.table}.{entry.column} is classified twice")
        entries[key] = entry
    return entries


def unclassified(columns: list[tuple[str, str]]) -> list[str]:
    """The ``table.column`` names in ``columns`` that the inventory does not classify."""
    known = classified()
    return [f"{table}.{column}" for table, column in columns if (table, column) not in known]
