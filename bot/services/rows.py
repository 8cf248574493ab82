"""Database rows into a service's dataclasses: the one way every service reads them.

A row's columns carry the dataclass's field names; :func:`from_row` copies those, and the caller
gives the fields stored in another form (a timestamp, a flag, JSON) or under another name.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from bot.clock import from_timestamp

RowT = TypeVar("RowT")


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def from_row(cls: type[RowT], row: Any, **converted: Any) -> RowT:
    """A dataclass from a row whose columns carry the fields' names; ``converted`` gives the rest."""
    # A sqlite3.Row finds a column by name with a linear scan; one dict of the row is cheaper
    # than a scan per field.
    columns = dict(zip(row.keys(), row, strict=True)) if isinstance(row, sqlite3.Row) else row
    plain = {name: columns[name] for name in _field_names(cls) if name not in converted}
    return cls(**plain, **converted)


def optional_time(value: int | None) -> datetime | None:
    """A stored timestamp (seconds since the epoch) as an aware UTC datetime; None stays None."""
    return None if value is None else from_timestamp(value)
