"""`ListSource` over a SQL query: count and pages, sorted and filtered in the database.

Paging is by offset in the contract (`fetch(query, offset, limit)`), but a page that
continues where the previous one ended is read by key ("keyset"): `WHERE (sort, id)`
after the last row seen, not `OFFSET n`, which SQLite walks row by row — the 1,700th
page of a 350,000-row table costs what the first does. Only for a sort on a column of
the rows' own table and the id; else (a computed value, a joined table's) it is offset.

Empty values (NULL) sort last whichever way, on SQLite and PostgreSQL alike (they
disagree by default: PostgreSQL puts NULLs last ascending and first descending, SQLite
the opposite), as the in-memory report tables do (`ui/report_tables.py`). A page read by
key after a sort on a nullable column continues across that boundary: after a value come
the greater (or lesser) values, then every NULL; after a NULL only NULLs of greater id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    cast,
    func,
    or_,
)
from sqlalchemy.sql.schema import Column as TableColumn

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
    selected expression is the row id. `count_base`, when given, selects the same rows
    without the joins that only add columns (to-one lookups): `count()` uses it when no
    free text is searched, provided every filter names a column of its tables.
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
        count_base: Callable[[], Select[Any]] | None = None,
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
        self._count_base = count_base
        # Where the last page read ended: (query, sort, descending, next offset,
        # the last row's sort value, its id). One cursor per source: one view reads it.
        self._cursor: tuple[Any, ...] | None = None

    def _filtered(self, query: ListQuery) -> Select[Any]:
        return self._where(self._base(), query)

    def _where(self, stmt: Select[Any], query: ListQuery) -> Select[Any]:
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
        if self._count_base is not None and not query.text.strip():
            stmt = self._where(self._count_base(), query)
        else:
            stmt = self._filtered(query)
        # count(*), not count(id): the id is never NULL, and SQLite may then count the
        # smallest index instead of reading every row.
        stmt = stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        with self._db.read() as session:
            return int(session.execute(stmt).scalar_one())

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]:
        sort = query.sort or self._default_sort
        descending = query.descending if query.sort else self._default_descending
        offset, limit = max(offset, 0), max(limit, 0)
        stmt = self._filtered(query).with_only_columns(self._id, *self._selected())
        expr: Any = None
        if sort is not None:
            if sort not in self._by_key or not self._by_key[sort].column.sortable:
                raise ValueError(f"cannot sort {self.key} by {sort!r}")
            expr = self._by_key[sort].expr
            ordered = expr.desc() if descending else expr.asc()
            if not _never_null(expr, self._id):
                ordered = ordered.nulls_last()
            stmt = stmt.order_by(ordered)
        stmt = stmt.order_by(self._id)
        keyset = expr is None or _keyset_column(expr, self._id)
        cursor = self._cursor
        if (
            keyset
            and offset > 0
            and cursor is not None
            and cursor[:4] == (query, sort, descending, offset)
        ):
            stmt = stmt.where(self._after(expr, descending, cursor[4], cursor[5])).limit(limit)
        else:
            stmt = stmt.offset(offset).limit(limit)
        with self._db.read() as session:
            found = session.execute(stmt).all()
        if keyset and found:
            last = found[-1]
            value = None if expr is None else last[1 + self._position(sort)]
            self._cursor = (query, sort, descending, offset + len(found), value, last[0])
        return [self._row(r) for r in found]

    def _after(self, expr: Any, descending: bool, value: Any, ident: Any) -> Any:
        """Rows after (value, ident) in ORDER BY expr [DESC] NULLS LAST, id — as a range
        on `expr` first, so an index on it is used; a nullable column's NULLs follow."""
        if expr is None:
            return self._id > ident
        if value is None:  # among the NULLs, which come last
            return and_(expr.is_(None), self._id > ident)
        if descending:
            after = and_(expr <= value, or_(expr < value, self._id > ident))
        else:
            after = and_(expr >= value, or_(expr > value, self._id > ident))
        if _never_null(expr, self._id):
            return after
        return or_(after, expr.is_(None))

    def _position(self, sort: str | None) -> int:
        """Index of column `sort`'s value among the selected expressions (after the id)."""
        i = 0
        for c in self._sql:
            if c.column.key == sort:
                return i
            i += 2 if c.currency is not None else 1
        raise KeyError(sort)

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


def _own_column(expr: Any, id_expr: Any) -> TableColumn[Any] | None:
    """`expr` as a column of the rows' own table (the id's), or None: a computed
    expression, or a column of a joined table (an outer join makes even a NOT NULL
    column NULL)."""
    column = getattr(expr, "expression", expr)  # an ORM attribute's column
    ident = getattr(id_expr, "expression", id_expr)
    if (
        isinstance(column, TableColumn)
        and isinstance(ident, TableColumn)
        and column.table is ident.table
    ):
        return column
    return None


def _keyset_column(expr: Any, id_expr: Any) -> bool:
    """A column of the rows' own table whose values compare (NULLs are handled by
    `_after`, last whichever way)."""
    column = _own_column(expr, id_expr)
    return column is not None and not isinstance(column.type, Boolean)  # no < or >


def _never_null(expr: Any, id_expr: Any) -> bool:
    """A NOT NULL column of the rows' own table: no NULLS LAST needed (which would keep
    SQLite from reading an index on it in order)."""
    column = _own_column(expr, id_expr)
    return column is not None and not column.nullable


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
