"""File → Export: iCalendar, the whole workspace as JSON, an evidence pack — from the
window, through the same services as the CLI."""

import json
from datetime import UTC, date, datetime

import pytest

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.exports import verify_evidence
from freelancer_desk.services.listing import ListQuery
from freelancer_desk.ui import exports
from freelancer_desk.ui.main import build_window


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = App.open(
        resolve_location(str(tmp_path_factory.mktemp("exports") / "ws")),
        FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
    )
    app.create_demo()
    yield app
    app.close()


@pytest.fixture
def window(qtbot, demo):
    win = build_window(AppBackend(demo), remember=False)
    qtbot.addWidget(win)
    return win


def test_ics_of_the_sessions(window, demo, tmp_path):
    path = tmp_path / "time.ics"
    written = exports.export_ics(window, demo, path)
    assert written and written > 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == written


def test_json_of_the_whole_workspace(window, demo, tmp_path):
    path = tmp_path / "workspace.json"
    counts = exports.export_json(window, demo, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert counts is not None and counts["segments"] > 0
    assert len(data["tables"]["segments"]) == counts["segments"]


def test_evidence_pack_of_a_week(window, demo, tmp_path):
    hourly = demo.sources["contracts"].fetch(ListQuery(filters={"kind": "hourly"}), 0, 1)[0]
    folder = tmp_path / "pack"
    result = exports.export_evidence(window, demo, hourly["id"], date(2026, 11, 18), folder)
    assert result is not None
    assert verify_evidence(folder).ok


def test_a_refusal_is_a_message_not_a_traceback(window, demo, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "freelancer_desk.ui.forms.QMessageBox.warning", lambda *args: shown.append(args[2])
    )
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "file.txt").write_text("x")
    assert exports.export_evidence(window, demo, "deadbeef", date(2026, 11, 18), occupied) is None
    assert shown and "not an empty folder" in shown[0]
