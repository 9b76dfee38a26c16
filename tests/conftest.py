"""Shared test set-up: Qt's offscreen platform for widget tests, the `xserver` rule,
a screenshot of the active window when a UI test fails, and the database the workspace
tests run on (SQLite files, or PostgreSQL: tests/postgres/plugin.py)."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

# Before anything loads Qt: widgets render offscreen, even inside xvfb-run. Tests that
# need a real screen or real input read the X server directly (marked `xserver`).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# `--test-db` / $FREELANCER_DESK_TEST_DB: the workspace tests on a PostgreSQL server.
pytest_plugins = ("tests.postgres.plugin",)

SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "freelancer-desk-test-screenshots"


def pytest_configure(config: pytest.Config) -> None:
    # The offscreen platform says so every time a window is shown; it is not a bug.
    config.addinivalue_line("qt_log_ignore", "This plugin does not support propagateSizeHints")


def _require_x_server() -> str:
    display = os.environ.get("DISPLAY")
    if display:
        return display
    message = "needs a real X server (DISPLAY is unset; `make test` runs pytest under xvfb-run)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; in CI this is an error, not a skip", pytrace=False)
    pytest.skip(message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("xserver") is not None:
        _require_x_server()


@pytest.fixture
def xserver() -> str:
    """The DISPLAY of a real X server: skipped locally without one, failed in CI."""
    return _require_x_server()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        path = _grab_active_window(item.nodeid)
        if path is not None:
            report.sections.append(("screenshot", f"saved {path}"))
            sys.stderr.write(f"\nscreenshot of the failing window: {path}\n")
    return report


def _grab_active_window(nodeid: str) -> Path | None:
    """Save the active (or last visible) top-level window as a PNG; only if Qt is loaded."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:
        return None
    app = widgets.QApplication.instance()
    if app is None:
        return None
    window = widgets.QApplication.activeWindow() or next(
        (w for w in reversed(widgets.QApplication.topLevelWidgets()) if w.isVisible()), None
    )
    if window is None:
        return None
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / (re.sub(r"[^\w.-]+", "_", nodeid).strip("_") + ".png")
    return path if window.grab().save(str(path)) else None
