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
from freelancer_desk.services.exports import FORMAT, SAME_LAYOUT, _tables, import_json
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


def test_the_first_revision_not_listed_differs(tmp_path: Path) -> None:
    """The list is not longer than it may be: the revision before its oldest exported
    other tables or columns."""
    head = {t.name: {c.name for c in t.columns} for t in _tables()}
    older = sorted(known_revisions() - SAME_LAYOUT)
    assert older, "every revision is listed: nothing to compare"
    assert _layout_at(older[-1], tmp_path / "older.sqlite3") != head


def _export(schema: str) -> io.StringIO:
    return io.StringIO(json.dumps({"format": FORMAT, "schema": schema, "tables": {}}))


def test_an_export_of_an_older_same_layout_revision_imports(tmp_path: Path) -> None:
    db, _ = open_workspace(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", FakeClock(T0))
    try:
        oldest = min(SAME_LAYOUT)
        counts = import_json(db, _export(oldest))
        assert counts and set(counts.values()) == {0}
        older = sorted(known_revisions() - SAME_LAYOUT)[-1]
        with pytest.raises(RuleError) as caught:
            import_json(db, _export(older))
        assert caught.value.field == "schema" and older in str(caught.value)
    finally:
        db.dispose()
