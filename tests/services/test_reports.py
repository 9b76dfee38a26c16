"""Reports on the demo workspace add up to an independent sum over its ledger rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.reports import Drill, ReportService, period_bounds
from freelancer_desk.storage.models import Client, LedgerPosting, LedgerTransaction, Order, Segment

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EARNED = ("fees", "pending", "available", "withdrawn")
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "ws"
    application = App.open(resolve_location(str(path)), FakeClock(NOW))
    application.create_demo()
    yield application
    application.close()


@pytest.fixture(scope="module")
def reports(app):
    return ReportService(app.db, app.clock, app.ledger)


def postings(app):
    with app.db.read() as s:
        return s.execute(
            select(
                LedgerTransaction.occurred_at,
                LedgerTransaction.platform,
                LedgerPosting.client_id,
                LedgerPosting.scope_id,
                LedgerPosting.account_kind,
                LedgerPosting.currency,
                LedgerPosting.amount_minor,
            ).join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        ).all()


@pytest.mark.parametrize("group_by", ["client", "platform", "month", "year"])
def test_earnings_equal_an_independent_sum(app, reports, group_by):
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for at, platform, client, _scope, kind, cur, amount in postings(app):
        if kind not in EARNED:
            continue
        key = {
            "client": str(client) if client else "",
            "platform": platform,
            "month": at.strftime("%Y-%m"),
            "year": at.strftime("%Y"),
        }[group_by]
        expected[(key, cur)][0] += amount
        expected[(key, cur)][1] += amount if kind == "fees" else 0
    rows = reports.earnings(*ALL, group_by)
    got = {(r.key, r.currency): [r.gross.amount, r.fees.amount] for r in rows if r.gross or r.fees}
    assert got == {k: v for k, v in expected.items() if v != [0, 0]}
    for r in rows:
        assert r.gross - r.fees == r.net


def test_a_bars_drill_down_rows_sum_to_its_gross(reports):
    for row in reports.earnings(*ALL, "month"):
        lines = reports.ledger_rows(Drill(*ALL, "month", row.key, row.currency))
        assert sum(line.amount.amount for line in lines) == row.gross.amount
        assert all(line.account in EARNED for line in lines)


def test_hours_per_week_equal_the_segments(app, reports):
    rows = reports.hours(*ALL)
    with app.db.read() as s:
        total = sum(s.scalars(select(Segment.tracked_seconds).where(Segment.deleted.is_(False))))
    assert sum(r.tracked_seconds for r in rows) == total
    assert all(r.week_start.weekday() == 0 for r in rows)
    billed = [r for r in rows if r.billed is not None]
    assert billed and all(r.platform == "upwork" for r in billed)
    local = reports.hours(*ALL, "Pacific/Auckland")
    assert sum(r.tracked_seconds for r in local) == total


def test_proposals_total_row(reports):
    rows = reports.proposals(*ALL)
    total = rows[-1]
    assert total.key == "all"
    assert total.sent == sum(r.sent for r in rows[:-1])
    assert total.sent >= total.viewed >= total.interviewed >= total.hired > 0
    assert total.win_rate_bp == round(total.hired * 10000 / total.sent)


def test_gig_packages_add_up_to_the_gig_and_the_ledger(app, reports):
    rows = reports.gigs(*ALL)
    with app.db.read() as s:
        orders = set(s.scalars(select(Order.id).where(Order.gig_id.is_not(None))))
    ledger = sum(
        amount
        for _a, _p, _c, scope, kind, _cur, amount in postings(app)
        if scope in orders and kind in EARNED
    )
    gigs = [r for r in rows if r.level == "gig"]
    assert sum(r.gross.amount for r in gigs) == ledger
    for gig in gigs:
        packages = [r for r in rows if r.gig_id == gig.gig_id and r.level == "package"]
        assert sum(r.gross.amount for r in packages) == gig.gross.amount
        assert sum(r.tracked_seconds for r in packages) == gig.tracked_seconds
        extras = [r for r in rows if r.gig_id == gig.gig_id and r.level == "extra"]
        assert sum(r.net.amount for r in extras) <= gig.net.amount


def test_periods():
    today = date(2026, 3, 15)
    assert period_bounds("this-month", today) == (date(2026, 3, 1), date(2026, 4, 1))
    assert period_bounds("last-month", today) == (date(2026, 2, 1), date(2026, 3, 1))
    assert period_bounds("last-year", today) == (date(2025, 1, 1), date(2026, 1, 1))
    assert period_bounds("this-month", date(2026, 12, 9))[1] == date(2027, 1, 1)


def test_documents(app, reports):
    from freelancer_desk.storage.models import Contract, Invoice

    with app.db.read() as s:
        invoice = s.scalars(select(Invoice.id)).first()
        contract = s.scalars(select(Contract.id).where(Contract.kind == "hourly")).first()
    doc = reports.invoice_document(invoice)
    assert doc["total"].amount == sum(line["amount"].amount for line in doc["lines"])
    sheet = reports.timesheet_document(contract, date(2026, 11, 11))
    assert sheet["week_start"] == date(2026, 11, 9)
    assert sheet["tracked_seconds"] == sum(d["seconds"] for d in sheet["days"])


@pytest.mark.parametrize(
    "period",
    [ALL, (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))],
    ids=["whole ledger", "part of it"],
)
def test_earnings_per_client_grouped_in_sql_match_the_rows(app, reports, period):
    """Per client the money and the hours are summed in SQL (the whole ledger without the
    transactions at all); grouped per month the rows are summed here: same totals."""
    lo, hi = period
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for at, _platform, client, _scope, kind, cur, amount in postings(app):
        if kind in EARNED and lo <= at < hi:
            expected[(str(client) if client else "", cur)][0] += amount
            expected[(str(client) if client else "", cur)][1] += amount if kind == "fees" else 0
    rows = reports.earnings(lo, hi, "client")
    got = {(r.key, r.currency): [r.gross.amount, r.fees.amount] for r in rows if r.gross or r.fees}
    assert got == {k: v for k, v in expected.items() if v != [0, 0]}
    per_month = reports.earnings(lo, hi, "month")
    for field in ("gross", "fees", "tracked_seconds"):
        for cur in {r.currency for r in rows + per_month}:
            assert sum(
                getattr(r, field) if field == "tracked_seconds" else getattr(r, field).amount
                for r in rows
                if r.currency == cur
            ) == sum(
                getattr(r, field) if field == "tracked_seconds" else getattr(r, field).amount
                for r in per_month
                if r.currency == cur
            ), (field, cur)
    assert sum(r.tracked_seconds for r in rows) > 0


def data_periods(app) -> list[tuple[datetime, datetime]]:
    """All time, and periods cut inside days (and months) of the demo's tracked time."""
    with app.db.read() as s:
        first, last = s.execute(
            select(func.min(Segment.slot_start), func.max(Segment.slot_start))
        ).one()
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    middle = first + (last - first) / 2
    return [
        ALL,
        (first + timedelta(hours=5, minutes=10), last - timedelta(hours=3)),
        (middle - timedelta(hours=6), middle + timedelta(hours=7)),  # within a day or two
        (middle.replace(hour=0, minute=0, second=0, microsecond=0), last + timedelta(days=1)),
        (first - timedelta(days=40), middle + timedelta(minutes=10)),
    ]


@pytest.mark.parametrize("group_by", ["client", "platform", "month", "year"])
def test_earnings_hours_from_the_day_summary_equal_the_segments_one_by_one(app, group_by):
    """Tracked seconds come from tracked_days for whole UTC days and from the segments
    for the rest: the same sums as the segments read one by one (`_tracked`)."""
    from freelancer_desk.services.ledger import _group_key, _tracked

    for lo, hi in data_periods(app):
        expected: dict[tuple[str, str], int] = defaultdict(int)
        with app.db.read() as s:
            names = dict(s.execute(select(Client.id, Client.name)).all())
            for at, plat, client, cur, seconds in _tracked(s, lo, hi):
                key, _ = _group_key(group_by, at, plat, client, names)
                expected[(key, cur)] += seconds
        rows = app.ledger.earnings(lo, hi, group_by)
        got = {(r.key, r.currency): r.tracked_seconds for r in rows if r.tracked_seconds}
        assert got == {k: v for k, v in expected.items() if v}, (lo, hi)
    assert sum(r.tracked_seconds for r in app.ledger.earnings(*ALL, group_by)) > 0


@pytest.mark.parametrize(
    "tz",
    [
        "UTC",
        "Pacific/Auckland",
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Europe/London",  # UTC weeks in winter (read from tracked_weeks), not in summer
    ],
)
def test_hours_summed_in_sql_per_week_match_the_segments_one_by_one(app, reports, monkeypatch, tz):
    """The weeks are a VALUES list joined on slot_start and summed in SQL; the fallback
    (for a zone whose local week is not one stretch of time) works them out per segment:
    both give the same rows, whole and for one contract, across clock changes."""
    from freelancer_desk.services import reports as module

    some = reports.hours(*ALL, tz)
    contract = next(r.target_id for r in some if r.target_kind == "contract")
    periods = [
        ALL,
        (datetime(2026, 3, 4, 13, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)),
        *data_periods(app)[1:],
    ]
    in_sql = [reports.hours(*p, tz) for p in periods] + [reports.hours(*ALL, tz, contract)]
    monkeypatch.setattr(module, "week_bounds", lambda lo, hi, zone: None)
    one_by_one = [reports.hours(*p, tz) for p in periods] + [reports.hours(*ALL, tz, contract)]
    assert in_sql == one_by_one
    assert all(in_sql) and {r.target_id for r in in_sql[-1]} == {contract}


def test_balances_as_of_any_instant_equal_the_postings_up_to_it(app):
    """balances() sums every posting less those of later transactions: the same as the
    postings of the transactions up to `as_of` (with due pending shown as available)."""
    from freelancer_desk.services.ledger import pending_lots

    with app.db.read() as s:
        instants = sorted({at for at, *_ in postings(app)})
        picks = [instants[0], instants[len(instants) // 3], instants[-2], instants[-1]]
        picks += [picks[1] + timedelta(seconds=1), instants[0] - timedelta(days=1)]
        for when in picks:
            expected: dict[tuple[str, str], int] = defaultdict(int)
            for at, _plat, _client, _scope, kind, cur, amount in postings(app):
                if at <= when:
                    expected[(kind, cur)] += amount
            for lot in pending_lots(s, as_of=when):
                if lot.remaining and lot.available_at is not None and lot.available_at <= when:
                    expected[("pending", lot.remaining.currency)] -= lot.remaining.amount
                    expected[("available", lot.remaining.currency)] += lot.remaining.amount
            got = {
                (kind, cur): money.amount
                for kind, per in app.ledger.balances(as_of=when).items()
                for cur, money in per.items()
            }
            assert got == dict(expected), when


def test_billed_weeks_by_source_id_or_by_the_weeks_range_agree(app, reports, monkeypatch):
    from freelancer_desk.services import reports as module

    by_id = reports.hours(*ALL)
    monkeypatch.setattr(module, "_BILLED_BY_ID", 0)
    assert reports.hours(*ALL) == by_id
    assert any(r.billed for r in by_id)
    # the ranges split over several queries (one contract each) find the same weeks
    monkeypatch.setattr(module, "_SPANS_PER_QUERY", 1)
    assert reports.hours(*ALL) == by_id
