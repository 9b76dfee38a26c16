"""Fixtures for the dashboard, settings, wizard and desktop tests: a temporary HOME
(so nothing touches the real ~/.config or ~/.local), and the real application on a
demo workspace with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from freelancer_desk.app import App, AppBackend, Location
from freelancer_desk.domain.clock import FakeClock

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "FREELANCER_DESK_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("FREELANCER_DESK_DB_URL", raising=False)
    return home


def open_app(data_dir: Path, clock: FakeClock | None = None) -> App:
    location = Location(data_dir, f"sqlite:///{data_dir / 'workspace.sqlite3'}")
    return App.open(location, clock or FakeClock(NOW))


@pytest.fixture
def demo_app(tmp_path: Path, home: Path) -> Iterator[App]:
    app = open_app(tmp_path / "ws")
    app.create_demo()
    yield app
    app.close()


@pytest.fixture
def demo_backend(demo_app: App) -> AppBackend:
    return AppBackend(demo_app)
