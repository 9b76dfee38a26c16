"""`ListSource` over a SQL query: count and pages, sorted and filtered in the database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, String, Uuid, cast, func, or_

from freelancer_desk.domain.money import Money
from freelancer_desk.services.listing import Column, ListQuery, Row
from freelancer_desk.storage.db import Database


@dataclass(frozen=True)
class SqlColumn:
    column: Column
    expr: Any  # a column or SQL expression
    currency: Any = (
        None  # for money columns: the expression holding the currency code  # for money columns
    )
    searchable: bool = False
    filterable: bool = False  # may appear in ListQuery.filters


class SqlListSource:
    """Rows of `base` (a select of the id plus whatever the columns need).

    `base` must select from the tables the column expressions use; the first
    selected expression is the row id.
    """

    def __init__(
        self,
        db: Database,
        key: str,
        title: str,
        base: Callable[[], Select[Any]],
        columns: Sequence[SqlColumn],
        id_expr: Any,
        default_sort: str | None = None,
        default_descending: bool = False,
        filters: dict[str, Any] | None = None,
    ) -> None:
        self._db = db
        self.key = key
        self.title = title
        self._base = base
        self._sql = list(columns)
        self._by_key = {c.column.key: c for c in self._sql}
        self._id = id_expr
        self.columns: Sequence[Column] = [c.column for c in self._sql]
        self._default_sort = default_sort
        self._default_descending = default_descending
        # Exact filters: every filterable column, plus filter-only expressions (a parent id).
        self._filters: dict[str, Any] = {c.column.key: c.expr for c in self._sql if c.filterable}
        self._filters.update(filters or {})

    def _filtered(self, query: ListQuery) -> Select[Any]:
        stmt = self._base()
        needle = query.text.strip()
        if needle:
            pattern = f"%{needle.lower()}%"
            searchable = [
                func.lower(cast(c.expr, String)).like(pattern) for c in self._sql if c.searchable
            ]
            if searchable:
                stmt = stmt.where(or_(*searchable))
        for key, value in query.filters.items():
            expr = self._id if key == "id" else self._filters.get(key)
            if expr is None:
                raise ValueError(f"cannot filter {self.key} by {key!r}")
            stmt = stmt.where(expr == _typed(expr, value))
        return stmt

    def count(self, query: ListQuery) -> int:
        stmt = self._filtered(query).with_only_columns(func.count(self._id)).order_by(None)
        with self._db.read() as session:
            return int(session.execute(stmt).scalar_one())

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]:
        sort = query.sort or self._default_sort
        descending = query.descending if query.sort else self._default_descending
        stmt = self._filtered(query).with_only_columns(self._id, *self._selected())
        if sort is not None:
            if sort not in self._by_key or not self._by_key[sort].column.sortable:
                raise ValueError(f"cannot sort {self.key} by {sort!r}")
            expr = self._by_key[sort].expr
            stmt = stmt.order_by(expr.desc() if descending else expr.asc())
        stmt = stmt.order_by(self._id).offset(max(offset, 0)).limit(max(limit, 0))
        with self._db.read() as session:
            return [self._row(r) for r in session.execute(stmt).all()]

    def _selected(self) -> list[ColumnElement[Any]]:
        out: list[ColumnElement[Any]] = []
        for c in self._sql:
            out.append(c.expr)
            if c.currency is not None:
                out.append(c.currency)
        return out

    def _row(self, values: Sequence[Any]) -> Row:
        row: Row = {"id": str(values[0])}
        i = 1
        for c in self._sql:
            value = values[i]
            i += 1
            if c.currency is not None:
                currency = values[i]
                i += 1
                value = None if value is None or currency is None else Money(int(value), currency)
            row[c.column.key] = value
        return row


def _typed(expr: Any, value: str) -> object:
    """A filter value as the column's Python type (ids are UUIDs, flags are bools)."""
    if isinstance(expr.type, Uuid):
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an id") from exc
    if isinstance(expr.type, Boolean):
        return value.lower() in {"1", "true", "yes"}
    return value
