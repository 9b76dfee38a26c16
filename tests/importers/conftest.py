from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freelancer_desk.app import App, Location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.storage.base import Base

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ACME = "31415926"
GLOBEX = "27182818"


def open_app(path: Path, now: datetime = NOW) -> App:
    path.mkdir(parents=True, exist_ok=True)
    return App.open(Location(path, f"sqlite:///{path / 'w.sqlite3'}"), FakeClock(now))


@pytest.fixture
def app(tmp_path: Path):
    a = open_app(tmp_path / "ws")
    yield a
    a.close()


@pytest.fixture
def contracts(app: App) -> dict[str, str]:
    """Two hourly contracts whose references the fixtures use."""
    out = {}
    for name, ref, title in (
        ("Acme Corp", ACME, "Data pipeline"),
        ("Globex LLC", GLOBEX, "Logo redesign"),
    ):
        client = app.clients.create(ClientInput(name=name, platform="upwork"))
        c = app.contracts.create(
            ContractInput(
                client_id=client["id"],
                title=title,
                kind="hourly",
                hourly_rate_minor=5000,
                reference=ref,
                started_at=datetime(2024, 1, 1, tzinfo=UTC),
            )
        )
        out[ref] = c["id"]
    return out


def counts(app: App) -> dict[str, int]:
    with app.db.read() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }
