"""Paged, sortable, filterable row sources: what every table in the UI and every
`list --json` in the CLI reads.

A source never returns all rows of a large table at once: callers ask for a count
and then for pages (`fetch(query, offset, limit)`). Sorting and filtering happen in
the database, so a 350,000-row table costs one page per scroll step.

Row values by column kind:
  text -> str | None, int -> int | None, money -> Money | None,
  datetime -> aware UTC datetime | None, date -> datetime.date | None,
  duration -> int seconds | None, percent -> int basis points | None,
  bool -> bool | None, state -> str | None (a workflow state's value, "in_progress";
  the window shows it as words).
Every row also carries "id" (a UUID string) that is not a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

ColumnKind = Literal[
    "text", "int", "money", "datetime", "date", "duration", "span", "percent", "bool", "state"
]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: ColumnKind = "text"
    sortable: bool = True


@dataclass(frozen=True)
class ListQuery:
    text: str = ""  # free-text filter, matched case-insensitively against text columns
    sort: str | None = None  # a column key
    descending: bool = False
    filters: dict[str, str] = field(default_factory=dict)  # exact filters, e.g. {"state": "funded"}


Row = dict[str, object]


class ListSource(Protocol):
    key: str
    title: str
    columns: Sequence[Column]

    def count(self, query: ListQuery) -> int: ...

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]: ...
