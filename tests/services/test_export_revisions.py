"""A workspace export names its schema revision; this app imports the revisions whose
exported tables and columns are exactly HEAD's (`exports.SAME_LAYOUT`), and refuses
the others with one line. Each listed revision is checked against a database the
migrations built at that revision."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.exports import (
    ADDED_TABLES_SINCE,
    FORMAT,
    SAME_LAYOUT,
    _tables,
    import_json,
)
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.migrate import HEAD, alembic_config, known_revisions
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _layout_at(revision: str, path: Path) -> dict[str, set[str]]:
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    inspector = inspect(engine)
    exported = {t.name for t in _tables()}
    derived = {t.name for t in Base.metadata.sorted_tables if t.info.get("derived_from")}
    layout = {
        name: {c["name"] for c in inspector.get_columns(name)}
        for name in inspector.get_table_names()
        if name in exported or name not in {"alembic_version", *derived}
    }
    engine.dispose()
    return layout


def test_every_listed_revision_exports_what_head_does(tmp_path: Path) -> None:
    head = {t.name: {c.name for c in t.columns} for t in _tables()}
    assert HEAD in SAME_LAYOUT and known_revisions() >= SAME_LAYOUT
    for revision in sorted(SAME_LAYOUT):
        assert _layout_at(revision, tmp_path / f"{revision}.sqlite3") == head, revision


def test_every_earlier_revision_lacks_only_the_tables_named(tmp_path: Path) -> None:
    head = {t.name: {c.name for c in t.columns} for t in _tables()}
    assert not SAME_LAYOUT & ADDED_TABLES_SINCE.keys()
    assert known_revisions() >= ADDED_TABLES_SINCE.keys()
    for revision, added in sorted(ADDED_TABLES_SINCE.items()):
        assert added and added <= head.keys(), revision
        expected = {name: columns for name, columns in head.items() if name not in added}
        assert _layout_at(revision, tmp_path / f"{revision}.sqlite3") == expected, revision


def test_the_first_revision_not_listed_differs(tmp_path: Path) -> None:
    """The lists are not longer than they may be: the newest revision in neither
    exported other tables or columns than HEAD's, with or without the tables added
    since the oldest listed."""
    head = {t.name: {c.name for c in t.columns} for t in _tables()}
    older = sorted(known_revisions() - SAME_LAYOUT - ADDED_TABLES_SINCE.keys())
    assert older, "every revision is listed: nothing to compare"
    layout = _layout_at(older[-1], tmp_path / "older.sqlite3")
    assert layout != head
    for added in ADDED_TABLES_SINCE.values():
        assert layout != {name: columns for name, columns in head.items() if name not in added}


def _export(schema: str) -> io.StringIO:
    return io.StringIO(json.dumps({"format": FORMAT, "schema": schema, "tables": {}}))


def test_an_export_of_an_older_same_layout_revision_imports(tmp_path: Path) -> None:
    db, _ = open_workspace(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", FakeClock(T0))
    try:
        oldest = min(SAME_LAYOUT)
        counts = import_json(db, _export(oldest))
        assert counts and set(counts.values()) == {0}
        older = sorted(known_revisions() - SAME_LAYOUT - ADDED_TABLES_SINCE.keys())[-1]
        with pytest.raises(RuleError) as caught:
            import_json(db, _export(older))
        assert caught.value.field == "schema" and older in str(caught.value)
    finally:
        db.dispose()


def test_an_export_from_before_a_table_was_added_imports_without_it(tmp_path: Path) -> None:
    """Last month's export (before order_delivery_files) imports into today's app with
    every row; the table added since stays empty, and may not be in such an export."""
    from freelancer_desk.app import App, resolve_location
    from freelancer_desk.services.exports import export_json

    revision, added = max(ADDED_TABLES_SINCE.items())
    app = App.open(resolve_location(str(tmp_path / "source")), FakeClock(T0))
    try:
        app.create_demo()
        out = io.StringIO()
        export_json(app.db, out, T0)
    finally:
        app.close()
    data = json.loads(out.getvalue())
    assert all(not data["tables"].get(name) for name in added)  # the demo delivers none
    data["schema"] = revision
    data["tables"] = {k: v for k, v in data["tables"].items() if k not in added}
    expected = {k: len(v) for k, v in data["tables"].items()}
    assert sum(expected.values()) > 100

    db, _ = open_workspace(tmp_path / "w", f"sqlite:///{tmp_path / 'w.sqlite3'}", FakeClock(T0))
    try:
        with_added = dict(data, tables={**data["tables"], **{name: [] for name in added}})
        with pytest.raises(RuleError) as caught:
            import_json(db, io.StringIO(json.dumps(with_added)))
        assert caught.value.field == "tables" and min(added) in str(caught.value)
        counts = import_json(db, io.StringIO(json.dumps(data)))
        assert {k: n for k, n in counts.items() if k in expected} == expected
        assert all(counts.get(name, 0) == 0 for name in added)
    finally:
        db.dispose()
