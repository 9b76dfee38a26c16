"""The batch path books exactly what LedgerService.record() books, and a 10,000-row
Upwork file imports whole (its speed is a benchmark: docs/benchmarks.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, text

from freelancer_desk.importers import money
from freelancer_desk.importers.base import decode
from freelancer_desk.importers.registry import apply, preview
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction

from .conftest import FIXTURES, open_app

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
    return sorted((tuple(r) for r in rows), key=repr)  # repr: clearings have no ref


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


def stored_text(app):
    """The ledger's instants as the database holds them (not as the ORM reads them)."""
    with app.db.read() as s:
        rows = s.execute(
            text(
                "SELECT t.external_ref, t.occurred_at, t.created_at, t.updated_at,"
                " p.account_kind, p.available_at, p.created_at, p.scope_id"
                " FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id"
            )
        ).all()
    return sorted(tuple(str(v) for v in r) for r in rows)


def test_batch_path_stores_the_text_the_orm_stores(tmp_path, monkeypatch):
    """Bulk rows skip the ORM: their instants must still be SQLite's DATETIME text with
    microseconds ("2025-09-08 00:00:00.000000"), or a period starting at that midnight
    would compare as after them and leave them out."""
    source = decode((FIXTURES / "upwork_current.csv").read_bytes(), "up.csv")
    fast = open_app(tmp_path / "fast")
    apply(fast.db, fast.clock, fast.ledger, preview(fast.db, "upwork", "up.csv", source=source))
    monkeypatch.setattr(money, "USE_BATCH", False)
    slow = open_app(tmp_path / "slow")
    apply(slow.db, slow.clock, slow.ledger, preview(slow.db, "upwork", "up.csv", source=source))
    got, want = stored_text(fast), stored_text(slow)
    assert [r[:7] for r in got] == [r[:7] for r in want] and len(got) > 10
    if fast.db.engine.dialect.name == "sqlite":  # PostgreSQL stores timestamptz
        assert all(r[1].endswith(".000000") for r in got)
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


def test_pending_money_in_the_books_keeps_the_rows_before_it_clears_in_the_batch(
    tmp_path, monkeypatch
):
    """A workspace holding pending money (the fixture's week, available 2025-09-24):
    rows dated before that day need no clearing and stay in the batch; the first charge
    on or after it goes through record(), which clears first; the books come out as
    record() alone books them."""
    from freelancer_desk.services.ledger import LedgerService, pending_lots

    text = generate(700).decode("utf-8-sig").replace(", 2014", ", 2025")
    assert ", 2015" not in text and '"Oct ' in text  # Jan-Oct 2025: across 2025-09-24
    text = text.replace(",900000", ",800000")  # ids apart from the fixture's 9000000xx
    source = decode(text.encode(), "gen.csv")
    calls: list[str] = []
    real_record = LedgerService.record

    def spy(self, session, transaction, **kwargs):
        calls.append(kwargs["kind"])
        return real_record(self, session, transaction, **kwargs)

    apps = []
    for name, batch in (("fast", True), ("slow", False)):
        monkeypatch.setattr(money, "USE_BATCH", batch)
        a = open_app(tmp_path / name)
        first = preview(a.db, "upwork", FIXTURES / "upwork_current.csv")
        apply(a.db, a.clock, a.ledger, first)
        with a.db.read() as s:  # pending money that no clearing has booked yet
            assert any(lot.remaining for lot in pending_lots(s, as_of=None))
        monkeypatch.setattr(LedgerService, "record", spy)
        calls.clear()
        apply(a.db, a.clock, a.ledger, preview(a.db, "upwork", "gen.csv", source=source))
        monkeypatch.setattr(LedgerService, "record", real_record)
        if batch:
            # one charge crossed the day (its clearing booked), the other rows did not
            assert calls == ["import_fee"]
        apps.append(a)
    fast, slow = apps
    assert books(fast) == books(slow) and len(books(fast)) > 1400
    assert fast.ledger.balances() == slow.ledger.balances()
    assert fast.ledger.pending_schedule() == slow.ledger.pending_schedule() == []
    assert fast.check().ok
    for a in apps:
        a.close()
