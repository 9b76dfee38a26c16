"""The window's start: it shows (in an "Opening workspace…" state) before the workspace
is open, fills in when the worker thread has opened it, says one clear thing when
opening fails, offers the recovery dialog for a damaged file, and closes cleanly when
the user closes it while the workspace is still opening."""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from freelancer_desk.storage.errors import NotAWorkspace
from freelancer_desk.ui import main as ui_main
from freelancer_desk.ui.main import START_LOG_ENV, WorkspaceOpener, run_gui, stored_theme
from freelancer_desk.ui.mainwindow import MainWindow
from tests.damage import destroy_table_root
from tests.ui.fakes import FakeBackend, demo_backend

WAIT_S = 20


def _window() -> MainWindow | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return next((w for w in found if w.isVisible()), None)


# The running test's token: a poll left over from a finished test (its check never
# held) must stop, not quit the application 20 s later inside another test's event
# loop — QApplication.quit() ends every running loop, a later test's modal dialog too.
_CURRENT_TEST: list[object | None] = [None]


@pytest.fixture(autouse=True)
def _polls_end_with_their_test():
    _CURRENT_TEST[0] = object()
    yield
    _CURRENT_TEST[0] = None


def _poll(check: Callable[[], bool], then: Callable[[], None], ticks: list[int]) -> None:
    """Call `then()` (once) on the GUI thread as soon as `check()` holds; the event loop
    is run_gui's own. Gives up after WAIT_S by quitting the application; stops when
    the test that started it has ended."""
    test = _CURRENT_TEST[0]

    def tick() -> None:
        if _CURRENT_TEST[0] is not test:
            return
        ticks.append(1)
        if check():
            then()
        elif len(ticks) > WAIT_S * 100:
            QApplication.quit()
        else:
            QTimer.singleShot(10, tick)

    QTimer.singleShot(0, tick)


def _args(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(data_dir=str(tmp_path), db_url=None, screenshot=None)


def test_the_window_shows_before_the_workspace_is_open(qtbot, tmp_path, monkeypatch):
    log = tmp_path / "start.jsonl"
    monkeypatch.setenv(START_LOG_ENV, str(log))
    release = threading.Event()
    backend = demo_backend(tmp_path)
    seen: dict[str, object] = {}

    def opener(_args: argparse.Namespace) -> FakeBackend:
        assert release.wait(WAIT_S)
        return backend

    def while_opening() -> None:
        window = _window()
        assert window is not None
        seen["open_while_opening"] = window.is_open
        seen["opening_page"] = window.stack.currentWidget() is window.opening
        seen["step"] = window.opening.step.text() if window.opening else None
        window.set_area("earnings")  # the sidebar works; the area waits for the data
        seen["current_while_opening"] = window.stack.currentWidget() is window.opening
        release.set()
        _poll(lambda: window.is_open, after_opening, [])

    def after_opening() -> None:
        window = _window()
        assert window is not None
        seen["area"] = window.current_area
        seen["shown"] = window.stack.currentWidget() is window.page("earnings")
        seen["opening_gone"] = window.opening is None
        # Closed once the area has painted over the open workspace (the log says so).
        _poll(lambda: log.exists() and "data_shown" in log.read_text(), window.close, [])

    def step_shown() -> bool:
        window = _window()
        return (
            window is not None
            and window.opening is not None
            and (window.opening.step.text() == "Opening the workspace…")
        )

    _poll(step_shown, while_opening, [])
    assert run_gui(_args(tmp_path), opener=opener) == 0
    assert seen == {
        "open_while_opening": False,
        "opening_page": True,
        "step": "Opening the workspace…",
        "current_while_opening": True,
        "area": "earnings",
        "shown": True,
        "opening_gone": True,
    }
    assert backend.closed
    marks = [json.loads(line)["mark"] for line in log.read_text().splitlines()]
    assert marks.index("window_painted") < marks.index("opened") < marks.index("data_shown")


def test_an_error_while_opening_is_one_message_and_exit_1(qtbot, tmp_path, monkeypatch, capsys):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(ui_main, "_has_window_system", lambda: True)
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _p, title, text: shown.append((title, text)))
    )

    def opener(_args: argparse.Namespace) -> FakeBackend:
        raise OSError("the workspace folder /x is not writable")

    assert run_gui(_args(tmp_path), opener=opener) == 1
    assert shown == [("Freelancer Desk could not start", "the workspace folder /x is not writable")]
    assert capsys.readouterr().err.strip() == (
        "freelancer-desk: the workspace folder /x is not writable"
    )
    assert _window() is None


@pytest.mark.parametrize("restored", [False, True])
def test_a_damaged_workspace_while_opening_offers_the_recovery_dialog(
    qtbot, tmp_path, monkeypatch, restored
):
    backend = demo_backend(tmp_path)
    calls: list[str] = []
    offered: list[tuple[str, object]] = []

    def opener(_args: argparse.Namespace) -> FakeBackend:
        calls.append("open")
        if len(calls) == 1:
            raise NotAWorkspace("workspace.sqlite3 is damaged (page 7); it was left untouched")
        return backend

    def recover(exc, data_dir, _db_url, parent=None):
        offered.append((str(exc), parent))
        return restored

    monkeypatch.setattr("freelancer_desk.ui.recovery.recover_workspace", recover)
    if restored:
        _poll(lambda: (w := _window()) is not None and w.is_open, lambda: _window().close(), [])
    code = run_gui(_args(tmp_path), opener=opener)
    assert len(offered) == 1
    assert offered[0][0].startswith("workspace.sqlite3 is damaged")
    assert isinstance(offered[0][1], MainWindow)  # over the window, not a stray dialog
    if restored:
        assert (code, calls, backend.closed) == (0, ["open", "open"], True)
    else:
        assert (code, calls, backend.closed) == (1, ["open"], False)


def test_closing_the_window_while_opening_waits_for_the_worker_and_closes_its_backend(
    qtbot, tmp_path
):
    started = threading.Event()
    release = threading.Event()
    backend = demo_backend(tmp_path)

    def opener(_args: argparse.Namespace) -> FakeBackend:
        started.set()
        assert release.wait(WAIT_S)
        return backend

    def close_now() -> None:
        window = _window()
        assert window is not None and not window.is_open
        window.close()
        release.set()  # the worker finishes its unit of work after the loop ended

    _poll(started.is_set, close_now, [])
    assert run_gui(_args(tmp_path), opener=opener) == 0
    assert backend.closed  # closed by run_gui, never shown
    assert _window() is None


def test_a_cancelled_opener_stops_at_its_next_step(qtbot):
    release = threading.Event()
    steps: list[str] = []

    def work(say: Callable[[str], None], _ready: Callable[[FakeBackend], None]) -> FakeBackend:
        say("first")
        assert release.wait(WAIT_S)
        say("second")  # raises: cancelled meanwhile
        steps.append("not reached")
        raise AssertionError("not reached")

    opener = WorkspaceOpener(work)
    failed: list[object] = []
    opener.failed.connect(failed.append)
    opener.start()
    opener.cancel()
    release.set()
    opener.wait()
    QApplication.processEvents()
    assert (opener.backend, opener.error, failed, steps) == (None, None, [], [])


@pytest.mark.parametrize(
    ("stored", "theme"),
    [
        (None, "system"),
        ({"v": "dark", "version": 1}, "dark"),
        ({"v": "light"}, "light"),
        ({"v": "purple", "version": 1}, "system"),
        ("dark", "system"),
    ],
)
def test_stored_theme_reads_the_settings_file_as_the_settings_service_does(
    tmp_path, monkeypatch, stored, theme
):
    from freelancer_desk.services import machine
    from freelancer_desk.services.settings import machine_value

    path = tmp_path / "settings.json"
    path.write_text(json.dumps({} if stored is None else {"display.theme": stored}))
    monkeypatch.setattr(machine, "local_settings_path", lambda: path)
    assert stored_theme() == theme == machine_value("display.theme", machine.LocalSettings(path))


def test_an_unreadable_settings_file_means_the_system_theme(tmp_path, monkeypatch):
    from freelancer_desk.services import machine

    path = tmp_path / "settings.json"
    path.write_text("{not json")
    monkeypatch.setattr(machine, "local_settings_path", lambda: path)
    assert stored_theme() == "system"


def _damaged_workspace(tmp_path: Path) -> Path:
    """A real workspace whose clients table's root page is destroyed: it opens (only the
    schema is read) and fails later, table by table — what the integrity check finds."""
    from freelancer_desk import cli

    ws = tmp_path / "ws"
    assert cli.main(["--data-dir", str(ws), "client", "add", "--name", "Kept"]) == 0
    db = ws / "workspace.sqlite3"
    destroy_table_root(db, "clients")
    return ws


def test_a_damaged_page_found_after_the_data_was_shown_offers_recovery_and_writes_nothing(
    qtbot, tmp_path, monkeypatch, capsys
):
    """The real opening path: the workspace is shown first, then `PRAGMA quick_check`
    runs before the backup, orphan recovery and catch-up — which never run here."""
    ws = _damaged_workspace(tmp_path)
    db = ws / "workspace.sqlite3"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    offered: list[tuple[str, object]] = []

    def recover(exc, _data_dir, _db_url, parent=None):
        window = _window()
        offered.append((str(exc), window is not None and window.is_open))
        return False

    monkeypatch.setattr("freelancer_desk.ui.recovery.recover_workspace", recover)
    args = argparse.Namespace(data_dir=str(ws), db_url=None, screenshot=None)
    assert run_gui(args) == 1
    assert len(offered) == 1
    message, still_shown = offered[0]
    assert "is damaged" in message and "left untouched" in message
    assert still_shown is False  # the window went back to "Opening…" and closed it
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not list((ws / "backups").glob("*daily*"))  # no backup of a damaged file
