"""Each importer on its fixture: what lands where, the awkward cases, idempotency, dry
runs and bad files refused with one message naming the row and field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.importers.base import ImportRefused, import_log, read_source
from freelancer_desk.importers.registry import apply, detect_kind, load, preview
from freelancer_desk.storage.models import Client, Contract, LedgerTransaction, Segment, TimeSession

from .conftest import ACME, FIXTURES, GLOBEX, counts, open_app

MAP = {"Acme Corp / Data pipeline": ACME, "Globex LLC / Logo redesign": GLOBEX}


def run(app, kind, name, mapping=None, options=None, *, dry_run=False):
    p = preview(app.db, kind, FIXTURES / name, mapping or {}, options or {})
    assert p.ok, p.problems()
    return p, apply(app.db, app.clock, app.ledger, p, dry_run=dry_run)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("upwork_current.csv", "upwork"),
        ("upwork_old.csv", "upwork"),
        ("upwork_weekly.csv", "upwork-weekly"),
        ("toggl.csv", "toggl"),
        ("clockify.csv", "clockify"),
        ("harvest.csv", "harvest"),
        ("harvest_semicolon.csv", "harvest"),
        ("watson_frames.json", "watson"),
        ("timewarrior", "timewarrior"),
    ],
)
def test_kind_is_detected(name, kind):
    assert detect_kind(load(FIXTURES / name)) == kind


def test_upwork_current_layout(app):
    p, r = run(app, None, "upwork_current.csv")
    assert p.kind == "upwork" and p.parsed.rows == 11
    assert sorted(p.new_clients) == ["Acme Corp", "Globex LLC"]
    assert r.transactions == 12 and r.clients == 2 and r.contracts == 2  # 11 rows + opening
    balances = app.ledger.balances(datetime(2025, 9, 15, tzinfo=UTC))
    # The balance the file shows before the pending week: $281.01.
    assert balances["available"]["USD"].amount == 28101
    # By now the pending week ($400 less its $40 fee) has become available.
    assert app.ledger.balances()["available"]["USD"].amount == 28101 + 36000
    assert balances["withdrawn"]["USD"].amount == 90000
    with app.db.read() as s:
        hourly = s.scalar(select(Contract).where(Contract.reference == ACME))
        assert hourly is not None and hourly.kind == "hourly" and hourly.title == "Data pipeline"
        refs = set(s.scalars(select(LedgerTransaction.external_ref)))
    assert {"upwork:900000001", "upwork:900000001:opening"} <= refs  # $150 there before
    assert app.check().ok


def test_upwork_old_layout_reports_the_balance_mismatch(app):
    p, r = run(app, "upwork", "upwork_old.csv")
    assert [(w.row, w.field) for w in p.warnings] == [(2, "Balance")]
    assert "off by 1.00 USD" in p.warnings[0].message
    assert r.transactions == 7 and r.contracts == 2
    assert app.ledger.balances()["available"]["USD"].amount == 8100
    assert app.check().ok


def test_second_import_adds_nothing(app, contracts):
    run(app, "upwork", "upwork_current.csv")
    run(app, "toggl", "toggl.csv", MAP, {"tz": "America/New_York"})
    before = counts(app)
    p, r = run(app, "upwork", "upwork_current.csv")
    assert p.already_imported and p.duplicates == 12 and r.transactions == 0
    p, r = run(app, "toggl", "toggl.csv", MAP, {"tz": "America/New_York"})
    assert p.duplicates == 4 and r.sessions == 0
    assert counts(app) == before
    assert [e["kind"] for e in import_log(app.db)] == ["upwork", "toggl"]


def test_dry_run_writes_nothing(app, contracts):
    before = counts(app)
    _, r = run(app, "upwork", "upwork_current.csv", dry_run=True)
    assert r.transactions == 12 and r.dry_run
    _, r = run(app, "toggl", "toggl.csv", MAP, {"tz": "America/New_York"}, dry_run=True)
    assert r.sessions == 4
    assert counts(app) == before


def sessions(app, kind):
    with app.db.read() as s:
        rows = s.scalars(
            select(TimeSession)
            .where(TimeSession.device_id.like(f"import:{kind}:%"))
            .order_by(TimeSession.started_at)
        ).all()
        return [
            (r.started_at, r.ended_at, str(r.contract_id), r.memo, len(r.segments)) for r in rows
        ]


def test_toggl_with_bom_and_a_dst_night(app, contracts):
    _, _r = run(app, "toggl", "toggl.csv", MAP, {"tz": "America/New_York"})
    got = sessions(app, "toggl")
    assert got[0][:2] == (
        datetime(2025, 6, 2, 13, 0, tzinfo=UTC),
        datetime(2025, 6, 2, 14, 30, tzinfo=UTC),
    )
    assert got[0][3] == "Load the June files · ETL · deep-work"
    assert got[1][3].startswith('Review, then fix "dates"')
    # 01:30 EDT to 01:15 EST on the night the clocks go back: 45 minutes, not negative.
    assert got[3][:2] == (
        datetime(2025, 11, 2, 5, 30, tzinfo=UTC),
        datetime(2025, 11, 2, 6, 15, tzinfo=UTC),
    )
    assert got[2][2] == contracts[GLOBEX]
    with app.db.read() as s:
        slots = s.scalars(select(Segment.slot_start)).all()
    assert all(t.minute % 10 == 0 and t.second == 0 for t in slots)
    assert app.check().ok


def test_clockify_day_first_dates_and_12_hour_times(app, contracts):
    run(app, "clockify", "clockify.csv", MAP)
    got = sessions(app, "clockify")
    assert [(a.isoformat(), b.isoformat()) for a, b, *_ in got] == [
        ("2025-06-13T09:15:00+00:00", "2025-06-13T09:45:00+00:00"),
        ("2025-06-13T12:50:00+00:00", "2025-06-13T15:05:00+00:00"),
        ("2025-06-13T23:30:00+00:00", "2025-06-14T00:10:00+00:00"),
    ]


@pytest.mark.parametrize("name", ["harvest.csv", "harvest_semicolon.csv"])
def test_harvest_hours_stacked_from_nine(app, contracts, name):
    _, _r = run(app, "harvest", name, MAP, {"tz": "Europe/Berlin"})
    got = sessions(app, "harvest")
    first = got[0]
    assert first[0].astimezone(UTC).hour == 7  # 09:00 in Berlin in June
    lengths = [(b - a) for a, b, *_ in got]
    if name == "harvest.csv":
        assert lengths == [timedelta(hours=2.5), timedelta(hours=1.25), timedelta(hours=0.75)]
        assert got[1][0] == got[0][1]  # the day's second entry follows the first
        assert got[1][2] == contracts[GLOBEX]  # mapped by its project code alone
    else:
        assert lengths == [timedelta(hours=1.5), timedelta(minutes=15)]


def test_upwork_weekly_in_sixths(app, contracts):
    p, r = run(app, "upwork-weekly", "upwork_weekly.csv")
    assert [w.row for w in p.warnings] == [4]
    got = sessions(app, "upwork-weekly")
    assert [(b - a) for a, b, *_ in got] == [timedelta(minutes=190), timedelta(minutes=90)]
    assert got[0][0] == datetime(2025, 6, 30, tzinfo=UTC)
    assert r.segments == 19 + 9


def test_watson_and_timewarrior(app, contracts):
    p = preview(app.db, "timewarrior", FIXTURES / "timewarrior")
    assert p.unmapped == ["Logo redesign"] or p.mapping.get("Logo redesign") == contracts[GLOBEX]
    _, r = run(app, "timewarrior", "timewarrior")
    assert r.sessions == 3
    assert sessions(app, "timewarrior")[0][:3] == (
        datetime(2025, 6, 1, 0, 12, tzinfo=UTC),
        datetime(2025, 6, 1, 0, 23, tzinfo=UTC),
        contracts[ACME],
    )
    _, r = run(app, "watson", "watson_frames.json")
    assert r.sessions == 2 and r.segments == 9
    assert app.check().ok


def test_unknown_projects_are_listed_and_nothing_is_written(app):
    before = counts(app)
    p = preview(app.db, "toggl", FIXTURES / "toggl.csv", {}, {"tz": "America/New_York"})
    assert p.unmapped == ["Acme Corp / Data pipeline", "Globex LLC / Logo redesign"] and not p.ok
    assert str(p.problems()[1]).startswith(
        "row 4, contract: no contract for 'Globex LLC / Logo redesign'"
    )
    with pytest.raises(ImportRefused):
        apply(app.db, app.clock, app.ledger, p)
    assert counts(app) == before


def test_fiverr_column_mapping_is_remembered(app):
    columns = {
        "date": "Date",
        "amount": "Amount",
        "type": "Activity",
        "order": "Order",
        "client": "Buyer",
        "currency": "Currency",
    }
    p = preview(app.db, "fiverr", FIXTURES / "fiverr.csv")
    assert not p.ok and p.errors[0].field == "date"
    _, r = run(app, "fiverr", "fiverr.csv", columns)
    assert r.transactions == 3 and r.clients == 1
    p = preview(app.db, "fiverr", FIXTURES / "fiverr.csv")  # no columns given: remembered
    assert p.ok and p.duplicates == 3
    with app.db.read() as s:
        assert s.scalar(select(Client.platform).where(Client.name == "maria_k")) == "fiverr"
    assert app.ledger.balances()["available"]["USD"].amount == 4600


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", "file: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "file: not a text file"),
    ],
)
def test_empty_and_binary_files(data, where):
    with pytest.raises(ImportRefused) as exc:
        read_source(data)
    assert str(exc.value).startswith(where)


def refused(app, tmp_path, kind, text, mapping=None):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    p = preview(app.db, kind, path, mapping or {})
    assert not p.ok
    return [str(i) for i in p.problems()]


UPWORK_HEADER = (FIXTURES / "upwork_current.csv").read_text(encoding="utf-8-sig").splitlines()[0]


def _upwork_row(ident, kind, amount, balance=""):
    return (
        f'"Sep 8, 2025",{ident},{kind},{kind},,Data pipeline (31415926),,,,Jane Doe,'
        f'Acme Corp,Jane Doe,,,"{amount}",,USD,"{balance}",'
    )


def test_amounts_whose_sums_leave_the_books_range_are_refused(app, tmp_path):
    """Each amount fits, but a sum the books would make of them does not (10 trillion
    dollars): refused before anything is written, naming the row, not failing later in
    every report that adds them up."""
    big = "$9,000,000,000,000.00"
    two = [UPWORK_HEADER, _upwork_row(1, "Bonus", big), _upwork_row(2, "Bonus", big)]
    assert refused(app, tmp_path, "upwork", "\n".join(two)) == [
        "row 2, Amount: the file's amounts add up past 10,000,000,000,000.00 USD, "
        "more than the books hold"
    ]
    opening = [UPWORK_HEADER, _upwork_row(1, "Withdrawal", f"-{big}", big)]
    assert refused(app, tmp_path, "upwork", "\n".join(opening)) == [
        "row 2, Balance: balance 9,000,000,000,000.00 USD less the amount "
        "-9,000,000,000,000.00 USD is out of range"
    ]
    assert app.ledger.balances() == {}  # nothing was written


def test_bad_rows_name_row_and_field(app, contracts, tmp_path):
    good = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig").splitlines()
    bad_amount = (
        (FIXTURES / "upwork_old.csv")
        .read_text()
        .replace('"$120.00","$120.00"', '"$12O.00","$120.00"')
    )
    assert (
        refused(app, tmp_path, "upwork", bad_amount)[0]
        == "row 6, Amount: '$12O.00' is not an amount"
    )
    swapped = good[1].replace(
        "09:00:00,2025-06-02,10:30:00,01:30:00", "10:30:00,2025-06-02,09:00:00,01:30:00"
    )
    assert refused(app, tmp_path, "toggl", "\n".join([good[0], swapped]), MAP)[0].startswith(
        "row 2, end: ends"
    )
    truncated = "\n".join(good[:3]) + "\n" + good[3][:40]
    assert refused(app, tmp_path, "toggl", truncated, MAP)[0].startswith("row 4, ")
    assert (
        "is missing" in refused(app, tmp_path, "toggl", (FIXTURES / "harvest.csv").read_text())[0]
    )


def test_upwork_pending_rows_wait_for_their_date(tmp_path):
    app = open_app(tmp_path / "early", datetime(2025, 9, 15, 12, tzinfo=UTC))
    try:
        run(app, "upwork", "upwork_current.csv")
        now = app.ledger.balances()
        assert now["pending"]["USD"].amount == 36000
        assert now["available"]["USD"].amount == 28101
        (lot,) = app.ledger.pending_schedule()
        assert lot.available_at == datetime(2025, 9, 24, tzinfo=UTC)
        assert app.check().ok
    finally:
        app.close()


def test_an_absurd_duration_is_a_row_error_not_an_overflow(app, contracts, tmp_path):
    good = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig").splitlines()
    huge = good[1].replace(",01:30:00,", ",1e999999,")
    assert refused(app, tmp_path, "toggl", "\n".join([good[0], huge]), MAP) == [
        "row 2, Duration: '1e999999' is longer than 10,000 hours"
    ]
