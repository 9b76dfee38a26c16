"""Every list source pages the same by key as by offset: consecutive pages (what the
table model asks for) give exactly the rows of one big fetch, in every sort order, and
the count without the title joins is the number of rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.demo import create_demo
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.listing import ListQuery
from freelancer_desk.services.views import build_sources
from freelancer_desk.storage.models import Segment
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    path = tmp_path_factory.mktemp("paging")
    clock = FakeClock(NOW)
    db, _ = open_workspace(path, f"sqlite:///{path / 'w.sqlite3'}", clock)
    create_demo(db, clock, LedgerService(db), "demo-laptop", seed=7)
    yield build_sources(db)
    db.dispose()


def _queries(source):
    yield ListQuery()
    for column in source.columns:
        if column.sortable:
            yield ListQuery(sort=column.key)
            yield ListQuery(sort=column.key, descending=True)


def test_consecutive_pages_equal_one_fetch_in_every_order(sources):
    checked = 0
    for key, source in sources.items():
        for query in _queries(source):
            total = source.count(query)
            whole = [r["id"] for r in source.fetch(query, 0, total + 10)]
            assert len(whole) == total, (key, query)
            paged: list[object] = []
            while len(paged) < total:
                page = source.fetch(query, len(paged), max(7, total // 12))
                assert page, (key, query, len(paged))
                paged.extend(r["id"] for r in page)
            assert paged == whole, (key, query)
            checked += 1
    assert checked > 50


def test_a_jump_and_a_changed_query_still_page_by_offset(sources):
    segments = sources["segments"]
    query = ListQuery()
    whole = [r["id"] for r in segments.fetch(query, 0, 60)]
    assert [r["id"] for r in segments.fetch(query, 0, 20)] == whole[:20]
    assert [r["id"] for r in segments.fetch(query, 40, 20)] == whole[40:60]  # a jump
    assert [r["id"] for r in segments.fetch(query, 20, 20)] == whole[20:40]  # backwards
    manual = ListQuery(filters={"manual": "true"})
    rows = segments.fetch(manual, 0, 1000)
    assert rows and all(r["manual"] for r in rows)
    assert segments.count(manual) == len(rows)


def test_counts_without_joins_match_the_rows_and_the_filters(sources):
    for key in ("segments", "sessions", "earnings_by_client"):
        source = sources[key]
        assert source.count(ListQuery()) == len(source.fetch(ListQuery(), 0, 100_000)), key
    segments = sources["segments"]
    some = segments.fetch(ListQuery(), 0, 1)[0]
    with segments._db.read() as s:
        row = s.get(Segment, uuid.UUID(str(some["id"])))
        assert row is not None
        session_id = row.session_id
    by_session = ListQuery(filters={"session_id": str(session_id)})
    assert segments.count(by_session) == len(segments.fetch(by_session, 0, 1000)) >= 1
    text = ListQuery(text="a")
    assert segments.count(text) == len(segments.fetch(text, 0, 100_000))


def test_empty_values_sort_last_whichever_way(sources):
    """One rule on SQLite and PostgreSQL (which disagree by default): every sortable
    column's empty values come after the others, ascending and descending, and pages
    read by key continue across that boundary."""
    crossed = 0
    for key, source in sources.items():
        for column in source.columns:
            if not column.sortable:
                continue
            for descending in (False, True):
                query = ListQuery(sort=column.key, descending=descending)
                total = source.count(query)
                whole = source.fetch(query, 0, total + 10)
                empty = [r[column.key] is None for r in whole]
                assert empty == sorted(empty), (key, column.key, descending)
                if any(empty) and not all(empty):
                    crossed += 1
                    step = max(3, empty.index(True) // 2)
                    paged: list[object] = []
                    while len(paged) < total:
                        paged.extend(r["id"] for r in source.fetch(query, len(paged), step))
                    assert paged == [r["id"] for r in whole], (key, column.key, descending)
    assert crossed > 10


@pytest.mark.sqlite_only  # the plan's wording is SQLite's
def test_the_orders_default_page_walks_the_ordered_at_index(sources):
    """Newest first, then id: the first page and the next read by key walk
    ix_orders_ordered_at (0009) instead of sorting every order."""
    orders = sources["orders"]
    engine = orders._db.engine
    seen: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        orders.fetch(ListQuery(), 0, 3)
        orders.fetch(ListQuery(), 3, 3)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(seen) == 2 and "orders.ordered_at <=" in seen[1][0]  # the second by key
    with engine.connect() as conn:
        for statement, parameters in seen:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            details = " / ".join(row[-1] for row in plan)
            assert "USING INDEX ix_orders_ordered_at" in details, details
            assert "USE TEMP B-TREE FOR ORDER BY" not in details, details
