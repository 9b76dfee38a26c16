"""Migration 0007: a workspace made by the migrations at 0006 is upgraded, and a bulk
write into it then keeps ledger_totals equal to a recount, as in a new workspace; on
PostgreSQL the trigger function gains the bulk writer's early return, and going back to
0006 takes it away again. SQLite's triggers are the same at both revisions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.ledger import hourly_week_billed
from freelancer_desk.domain.money import Money
from freelancer_desk.services.ledger import BatchItem, LedgerService
from freelancer_desk.storage.migrate import HEAD, alembic_config
from freelancer_desk.storage.models.ledger_totals import BULK_SETTING, TABLE, recompute_sql
from freelancer_desk.storage.workspace import open_workspace
from tests.services.money_rows import add_client, add_contract

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _to(url: str, revision: str, *, down: bool = False) -> None:
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def _triggers(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            found = conn.execute(
                text("SELECT pg_get_functiondef('ledger_totals_from_postings'::regproc)")
            ).scalars()
        else:
            found = conn.execute(
                text(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'ledger_postings' AND name LIKE '%ledger_totals%' "
                    "ORDER BY name"
                )
            ).scalars()
        out = [str(s) for s in found]
    engine.dispose()
    return out


def _exact(db) -> dict:
    with db.engine.connect() as conn:
        stored = {
            tuple(str(v) for v in r)
            for r in conn.exec_driver_sql(
                "SELECT account_kind, currency, client_key, scope_key, postings, amount_minor "
                f"FROM {TABLE}"
            )
        }
        again = {
            tuple(str(v) for v in r) for r in conn.exec_driver_sql(recompute_sql(conn.dialect.name))
        }
    assert stored == again
    return {"rows": len(stored)}


def _upgraded_then_bulk(tmp_path: Path, url: str) -> None:
    _to(url, "0006")
    at_0006 = _triggers(url)
    db, result = open_workspace(tmp_path, url, FakeClock(NOW))
    try:
        assert (result.before, result.after) == ("0006", HEAD)
        client = add_client(db, "Acme")
        contract = add_contract(db, client)
        ledger = LedgerService(db)
        with db.session() as s:
            ledger.record_batch(
                s,
                [
                    BatchItem(
                        hourly_week_billed(
                            Money(4000 + i, "USD"),
                            1000,
                            str(contract),
                            datetime(2025, 6, 2, tzinfo=UTC) + timedelta(7 * i),
                        ),
                        kind="hourly_week_billed",
                        platform="upwork",
                        client_id=client,
                    )
                    for i in range(6)
                ],
                now=NOW,
            )
        assert _exact(db)["rows"] > 0
    finally:
        db.dispose()
    at_head = _triggers(url)
    if url.startswith("postgresql"):
        assert BULK_SETTING not in "".join(at_0006) and BULK_SETTING in "".join(at_head)
    else:
        assert at_head == at_0006
    _to(url, "0006", down=True)
    assert _triggers(url) == at_0006


@pytest.mark.sqlite_only
def test_a_sqlite_workspace_from_0006(tmp_path: Path) -> None:
    _upgraded_then_bulk(tmp_path, f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}")


@pytest.mark.postgres_only
def test_a_postgresql_workspace_from_0006(tmp_path: Path, postgres_databases) -> None:
    _upgraded_then_bulk(tmp_path, postgres_databases.create())
