"""A real App behind the window for the Upwork-side area tests, and ledger look-ups."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.models import LedgerPosting
from freelancer_desk.ui.main import build_window
from freelancer_desk.ui.mainwindow import MainWindow

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(name="real_app")
def real_app_fixture(tmp_path: Path) -> Iterator[App]:
    app = App.open(resolve_location(str(tmp_path / "ws")), FakeClock(START))
    yield app
    app.close()


@pytest.fixture(name="window")
def window_fixture(qtbot, real_app: App) -> MainWindow:
    win = build_window(AppBackend(real_app), remember=False)
    qtbot.addWidget(win)
    win.show()
    return win


def postings(app: App, account: str, scope_id: str) -> list[tuple[int, datetime | None]]:
    with app.db.read() as s:
        rows = s.execute(
            select(LedgerPosting.amount_minor, LedgerPosting.available_at).where(
                LedgerPosting.account_kind == account,
                LedgerPosting.scope_id == uuid.UUID(scope_id),
            )
        ).all()
    return [(r[0], r[1]) for r in rows]
