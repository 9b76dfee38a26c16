"""Report rows as tables, and "Export CSV…" for any table.

`RowsSource` is a `ListSource` over rows already computed (a report), so report tables
use the same model, panel and export as every other table. `write_csv()` pages
through any `ListSource` with the model's current query (filter text, sort, drill-down
filters) and writes what the table shows, with money as plain decimals and its
currency in a column of its own.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from freelancer_desk.domain.money import Money
from freelancer_desk.services.listing import Column, ListQuery, ListSource, Row
from freelancer_desk.ui.tablemodel import ListModel

EXPORT_PAGE = 500


class RowsSource:
    """A ListSource over a list of rows (dicts with an "id" and the columns' keys)."""

    def __init__(self, key: str, title: str, columns: Sequence[Column]) -> None:
        self.key = key
        self.title = title
        self.columns: Sequence[Column] = list(columns)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._rows = list(rows)

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def _matching(self, query: ListQuery) -> list[Row]:
        rows = self._rows
        needle = query.text.strip().lower()
        if needle:
            texts = [c.key for c in self.columns if c.kind == "text"]
            rows = [r for r in rows if any(needle in str(r.get(k) or "").lower() for k in texts)]
        for key, value in query.filters.items():
            rows = [r for r in rows if str(r.get(key)) == value]
        sort = query.sort
        if sort:
            present = [r for r in rows if r.get(sort) is not None]
            absent = [r for r in rows if r.get(sort) is None]
            present.sort(key=lambda r: _sort_key(r.get(sort)), reverse=query.descending)
            rows = present + absent
        return rows

    def count(self, query: ListQuery) -> int:
        return len(self._matching(query))

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]:
        return self._matching(query)[max(offset, 0) : max(offset, 0) + max(limit, 0)]


def _sort_key(value: object) -> Any:
    if isinstance(value, Money):
        return (value.currency, value.amount)
    return value


def _cells(column: Column, value: object) -> list[object]:
    if column.kind == "money":
        if isinstance(value, Money):
            return [value.format_plain(), value.currency]
        return ["", ""]
    if value is None:
        return [""]
    if column.kind == "duration" and isinstance(value, int | float):
        return [f"{value / 3600:.3f}"]
    if column.kind == "percent" and isinstance(value, int):
        return [f"{value / 100:g}"]
    if isinstance(value, datetime | date):
        return [value.isoformat()]
    return [value]


def csv_header(columns: Sequence[Column]) -> list[str]:
    header = ["id"]
    for c in columns:
        header.append(c.key)
        if c.kind == "money":
            header.append(f"{c.key}_currency")
        elif c.kind == "duration":
            header[-1] = f"{c.key}_hours"
    return header


def write_csv(source: ListSource, query: ListQuery, path: str | Path) -> int:
    """Every row of `source` matching `query`, page by page; returns the row count."""
    columns = list(source.columns)
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_header(columns))
        offset = 0
        while True:
            page = source.fetch(query, offset, EXPORT_PAGE)
            for row in page:
                cells: list[object] = [row.get("id", "")]
                for c in columns:
                    cells.extend(_cells(c, row.get(c.key)))
                writer.writerow(cells)
            count += len(page)
            offset += len(page)
            if len(page) < EXPORT_PAGE:
                break
    return count


def export_model_csv(parent: QWidget, model: ListModel, path: str | None = None) -> int | None:
    """Ask where (unless `path` is given) and write the model's rows; None if cancelled."""
    if path is None:
        default = f"{model.source.key}.csv"
        path, _filter = QFileDialog.getSaveFileName(
            parent, f"Export {model.source.title} as CSV", default, "CSV files (*.csv)"
        )
        if not path:
            return None
    return write_csv(model.source, model.query, path)
