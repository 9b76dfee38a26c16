"""The batch path books exactly what LedgerService.record() books, and a 10,000-row
Upwork file imports whole (its speed is a benchmark: docs/benchmarks.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select

from freelancer_desk.importers import money
from freelancer_desk.importers.base import decode
from freelancer_desk.importers.registry import apply, preview
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction

from .conftest import open_app

ROOT = Path(__file__).resolve().parents[2]


def generate(rows: int) -> bytes:
    spec = importlib.util.spec_from_file_location("gen_upwork", ROOT / "bench" / "gen_upwork.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(rows)  # type: ignore[no-any-return]


def books(app):
    with app.db.read() as s:
        rows = s.execute(
            select(
                LedgerTransaction.external_ref,
                LedgerTransaction.kind,
                LedgerPosting.account_kind,
                LedgerPosting.amount_minor,
                LedgerPosting.currency,
            ).join(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
        ).all()
    return sorted(tuple(r) for r in rows)


def test_batch_path_books_what_record_books(tmp_path, monkeypatch):
    source = decode(generate(400), "gen.csv")
    fast = open_app(tmp_path / "fast")
    apply(fast.db, fast.clock, fast.ledger, preview(fast.db, "upwork", "gen.csv", source=source))
    monkeypatch.setattr(money, "USE_BATCH", False)
    slow = open_app(tmp_path / "slow")
    apply(slow.db, slow.clock, slow.ledger, preview(slow.db, "upwork", "gen.csv", source=source))
    assert books(fast) == books(slow) and len(books(fast)) == 800
    assert fast.ledger.balances() == slow.ledger.balances()
    assert fast.check().ok
    fast.close()
    slow.close()


def test_ten_thousand_upwork_rows(tmp_path):
    source = decode(generate(10_000), "gen.csv")
    app = open_app(tmp_path / "ws")
    p = preview(app.db, "upwork", "gen.csv", source=source)
    done = apply(app.db, app.clock, app.ledger, p)
    # How long this takes is measured in bench/ (docs/benchmarks.md), not asserted here.
    assert done.transactions == 10_000
    app.close()
