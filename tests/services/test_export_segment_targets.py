"""A workspace export whose segment is not for its session's one contract or order is
refused naming the table, the row and the field, before the database's own trigger
(which cannot name the row on SQLite) sees it; nothing is written, the tables inserted
before the bad row included."""

from __future__ import annotations

import copy
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.demo import create_demo
from freelancer_desk.services.exports import export_json, import_json, row_counts
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _open(path: Path):
    path.mkdir(parents=True, exist_ok=True)
    db, _ = open_workspace(path, f"sqlite:///{path / 'w.sqlite3'}", FakeClock(NOW))
    return db


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Any]:
    db = _open(tmp_path_factory.mktemp("demo"))
    create_demo(db, db.clock, LedgerService(db), "laptop")
    buf = io.StringIO()
    export_json(db, buf, NOW)
    db.dispose()
    data = json.loads(buf.getvalue())
    tables = data["tables"]
    assert tables["segments"] and tables["time_sessions"]
    assert any(r["order_id"] for r in tables["time_sessions"])
    assert any(r["contract_id"] for r in tables["time_sessions"])
    return data


@pytest.fixture
def empty(tmp_path):
    db = _open(tmp_path / "empty")
    yield db
    db.dispose()


def _refused(db, data: dict[str, Any]) -> RuleError:
    with pytest.raises(RuleError) as caught:
        import_json(db, io.StringIO(json.dumps(data)))
    # One unit of work: the tables inserted before the refused one are rolled back too.
    assert {name: n for name, n in row_counts(db).items() if n} == {}
    return caught.value


def _segment_of(data: dict[str, Any], target: str) -> tuple[int, dict[str, Any]]:
    """The first segment for a `target` ("contract_id" or "order_id") with its row
    number (1-based, as the refusal counts)."""
    for i, record in enumerate(data["tables"]["segments"], 1):
        if record[target]:
            return i, record
    raise AssertionError(f"the demo has no segment with {target}")


def _session_row(data: dict[str, Any], ident: str) -> int:
    ids = [r["id"] for r in data["tables"]["time_sessions"]]
    return ids.index(ident) + 1


def test_a_segment_for_another_contract_than_its_session_is_refused_by_row(exported, empty) -> None:
    data = copy.deepcopy(exported)
    row, segment = _segment_of(data, "contract_id")
    others = {r["id"] for r in data["tables"]["contracts"]} - {segment["contract_id"]}
    other = sorted(others)[0]
    segment["contract_id"] = other

    error = _refused(empty, data)

    assert error.rule == "import_json.segment_target"
    assert error.field == "contract_id"
    session_row = _session_row(data, segment["session_id"])
    assert str(error).startswith(f"segments row {row}: contract_id {other}: not its session's")
    assert f"(time_sessions row {session_row}, {segment['session_id']}, is for contract " in str(
        error
    )


def test_a_segment_for_an_order_whose_session_is_for_a_contract_is_refused(exported, empty) -> None:
    data = copy.deepcopy(exported)
    row, segment = _segment_of(data, "contract_id")
    order = data["tables"]["orders"][0]["id"]
    segment["contract_id"], segment["order_id"] = None, order

    error = _refused(empty, data)

    assert error.field == "order_id"
    assert str(error).startswith(f"segments row {row}: order_id {order}: not its session's")


def test_a_segment_with_both_targets_or_neither_is_refused(exported, empty) -> None:
    data = copy.deepcopy(exported)
    row, segment = _segment_of(data, "order_id")
    segment["contract_id"] = data["tables"]["contracts"][0]["id"]

    both = _refused(empty, data)

    assert both.rule == "import_json.one_target"
    assert str(both).startswith(f"segments row {row}: contract_id, order_id:")
    assert "this one has both" in str(both)

    segment["contract_id"] = segment["order_id"] = None
    assert "this one has neither" in str(_refused(empty, data))


def test_a_segment_whose_session_is_not_in_the_export_is_refused(exported, empty) -> None:
    data = copy.deepcopy(exported)
    row, segment = _segment_of(data, "contract_id")
    missing = str(uuid.uuid4())
    segment["session_id"] = missing

    error = _refused(empty, data)

    assert error.field == "session_id"
    assert str(error).startswith(f"segments row {row}: session_id {missing}: no time_sessions")


def test_a_session_without_exactly_one_target_is_refused_by_row(exported, empty) -> None:
    data = copy.deepcopy(exported)
    sessions = data["tables"]["time_sessions"]
    i = next(i for i, r in enumerate(sessions) if r["order_id"])
    sessions[i]["contract_id"] = data["tables"]["contracts"][0]["id"]

    error = _refused(empty, data)

    assert str(error).startswith(f"time_sessions row {i + 1}: contract_id, order_id:")


def test_an_id_written_another_way_still_matches_its_session(exported, empty) -> None:
    """Ids are compared as ids, not as text: an upper-case id a tool wrote is the same."""
    data = copy.deepcopy(exported)
    _row, segment = _segment_of(data, "contract_id")
    segment["contract_id"] = segment["contract_id"].upper()
    segment["session_id"] = segment["session_id"].replace("-", "")

    counts = import_json(empty, io.StringIO(json.dumps(data)))

    assert counts["segments"] == len(data["tables"]["segments"])
