"""The importers on the variants real exports come in (hand-made from the tools'
documented layouts, fixtures/variants/): other locales and preferences, spreadsheet
round trips, older and newer headers, the tools' other export forms. And each kind on a
file with one bad row in the middle: one line naming the file, row and field, from a
dry run and a real run alike, and nothing written."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from freelancer_desk import cli
from freelancer_desk.app import App, resolve_location
from freelancer_desk.importers.base import (
    ImportRefused,
    RowError,
    parse_decimal,
    parse_duration,
    parse_money,
)
from freelancer_desk.importers.registry import apply, detect_kind, load, preview
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.storage.models import Contract, TimeSession

from .conftest import ACME, FIXTURES, GLOBEX, counts

VARIANTS = FIXTURES / "variants"
MAP = {"Acme Corp / Data pipeline": ACME, "Globex LLC / Logo redesign": GLOBEX}


def run(app, kind, name, mapping=None, options=None):
    p = preview(app.db, kind, VARIANTS / name, mapping or {}, options or {})
    assert p.ok, p.problems()
    return p, apply(app.db, app.clock, app.ledger, p)


def spans(app, kind):
    with app.db.read() as s:
        rows = s.scalars(
            select(TimeSession)
            .where(TimeSession.device_id.like(f"import:{kind}:%"))
            .order_by(TimeSession.started_at)
        ).all()
        return [(r.started_at, r.ended_at - r.started_at, str(r.contract_id), r.memo) for r in rows]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("toggl_eu.csv", "toggl"),
        ("toggl_us_12h.csv", "toggl"),
        ("toggl_import_layout.csv", "toggl"),
        ("toggl_member_stop.csv", "toggl"),
        ("clockify_decimal.csv", "clockify"),
        ("harvest_hhmm.csv", "harvest"),
        ("harvest_excel_cp1252.csv", "harvest"),
        ("upwork_oldest.csv", "upwork"),
        ("upwork_excel_eu.csv", "upwork"),
        ("upwork_daily_hours.csv", "upwork-weekly"),
        ("watson_log.json", "watson"),
        ("watson_log.csv", "watson"),
        ("timewarrior_data", "timewarrior"),
        ("timew_export.json", "timewarrior"),
    ],
)
def test_each_variant_is_detected(name, kind):
    assert detect_kind(load(VARIANTS / name)) == kind


def test_toggl_day_first_dates_a_line_break_in_a_description_and_empty_trailing_rows(
    app, contracts, tmp_path
):
    p, r = run(app, "toggl", "toggl_eu.csv", MAP, {"tz": "Europe/Berlin"})
    assert p.parsed.rows == 2 and not p.warnings and r.sessions == 2
    got = spans(app, "toggl")
    assert got[0][:3] == (at(2025, 6, 3, 12), timedelta(minutes=45), contracts[ACME])
    assert got[0][3] == "Call with the team:\nagreed the schema · meeting, client"
    assert got[1][:2] == (at(2025, 6, 4, 7), timedelta(minutes=75))
    # A bad row after the two-line description is named by its spreadsheet row (3).
    text = (VARIANTS / "toggl_eu.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("04.06.2025,09:00:00", "04.06.2025,9 o'clock"), encoding="utf-8")
    problems = preview(app.db, "toggl", bad, MAP).problems()
    assert [str(i) for i in problems] == ['row 3, Start time: "9 o\'clock" is not a time of day']


def test_toggl_month_first_12_hour_times_and_the_ambiguous_order_warning(app, contracts):
    p, _ = run(app, "toggl", "toggl_us_12h.csv", MAP)
    assert [(w.row, w.field) for w in p.warnings] == [(0, "date")]
    assert "--date-order dmy" in p.warnings[0].message
    got = spans(app, "toggl")
    assert [g[:2] for g in got] == [
        (at(2025, 6, 4, 23, 30), timedelta(minutes=45)),  # past midnight
        (at(2025, 6, 5, 9, 5), timedelta(minutes=55)),
    ]
    told = preview(app.db, "toggl", VARIANTS / "toggl_us_12h.csv", MAP, {"date_order": "mdy"})
    assert not told.warnings and told.duplicates == 2


def test_toggl_columns_in_another_order_with_member_and_stop_spellings(app, contracts):
    p, _ = run(app, "toggl", "toggl_member_stop.csv", MAP)
    assert {e.user for e in p.parsed.entries} == {"Jane Doe"}
    assert [g[:3] for g in spans(app, "toggl")] == [
        (at(2025, 6, 20, 9), timedelta(hours=1), contracts[ACME]),
        (at(2025, 6, 20, 10, 10), timedelta(minutes=20), contracts[GLOBEX]),
    ]


def test_toggl_import_layout_ends_at_start_plus_duration(app, contracts):
    run(app, "toggl", "toggl_import_layout.csv", MAP)
    got = spans(app, "toggl")
    assert [g[:3] for g in got] == [
        (at(2025, 6, 10, 8), timedelta(hours=2), contracts[ACME]),
        (at(2025, 6, 10, 13, 30), timedelta(minutes=30), contracts[GLOBEX]),
    ]


@pytest.mark.parametrize(
    ("kind", "name", "tool"),
    [("toggl", "toggl_summary.csv", "Toggl"), ("clockify", "clockify_summary.csv", "Clockify")],
)
def test_a_summary_report_is_refused_by_name(app, kind, name, tool):
    before = counts(app)
    p = preview(app.db, kind, VARIANTS / name)
    assert str(p.problems()[0]).startswith("row 1, Start ")
    assert f"a {tool} summary report has totals" in str(p.problems()[0])
    assert "export the Detailed report as CSV" in str(p.problems()[0])
    with pytest.raises(ImportRefused):
        apply(app.db, app.clock, app.ledger, p)
    assert counts(app) == before


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml xl/workbook.xml", "an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Excel workbook (.xls)"),
    ],
)
def test_a_spreadsheet_file_is_refused_as_not_csv(app, tmp_path, data, what):
    path = tmp_path / "Clockify_Time_Report_Detailed.xlsx"
    path.write_bytes(data)
    with pytest.raises(ImportRefused) as exc:
        preview(app.db, "clockify", path)
    assert str(exc.value).startswith(f"file: {what}")
    assert str(exc.value).endswith("export it as CSV and import that")


def test_clockify_decimal_durations_and_a_running_timer(app, contracts):
    p, r = run(app, "clockify", "clockify_decimal.csv", MAP)
    assert [(w.row, w.field) for w in p.warnings] == [(4, "End Time")]
    assert r.sessions == 2
    got = spans(app, "clockify")
    assert [g[:2] for g in got] == [
        (at(2025, 6, 16, 8), timedelta(minutes=90)),
        (at(2025, 6, 16, 10), timedelta(minutes=20)),
    ]
    assert got[0][3] == "Loader · etl, june"


def test_harvest_hh_mm_hours_and_an_entry_of_no_time(app, contracts):
    p, r = run(app, "harvest", "harvest_hhmm.csv", MAP)
    assert [(w.row, w.field) for w in p.warnings] == [(3, "Hours")]
    assert [g[1] for g in spans(app, "harvest")] == [
        timedelta(hours=2, minutes=30),
        timedelta(minutes=45),
    ]
    assert r.sessions == 2


def test_harvest_saved_by_a_german_excel(app, contracts):
    """A "sep=;" first line, Windows-1252, decimal commas and day-first dates."""
    run(app, "harvest", "harvest_excel_cp1252.csv", MAP, {"tz": "Europe/Berlin"})
    got = spans(app, "harvest")
    assert [g[:2] for g in got] == [
        (at(2025, 6, 17, 7), timedelta(minutes=105)),
        (at(2025, 6, 18, 7), timedelta(minutes=30)),
    ]
    assert got[0][3] == "Schnittstelle für Café-Kasse · Entwicklung"


def test_upwork_oldest_statement_with_id_plain_amounts_and_parentheses(app):
    p, r = run(app, "upwork", "upwork_oldest.csv")
    assert not p.warnings and r.transactions == 4 and r.contracts == 1
    balances = app.ledger.balances()
    assert balances["available"]["USD"].amount == 13000
    assert balances["refunds"]["USD"].amount == 2000
    assert balances["withdrawn"]["USD"].amount == 10000
    with app.db.read() as s:
        title = s.scalar(select(Contract.title).where(Contract.reference == "55667788"))
    assert title == "Support retainer"
    assert app.check().ok


def test_upwork_resaved_with_semicolons_and_decimal_commas(app):
    p, r = run(app, "upwork", "upwork_excel_eu.csv")
    assert not p.warnings
    assert r.transactions == 4  # three rows and the opening balance before them
    assert app.ledger.balances()["available"]["USD"].amount == 111060
    assert app.check().ok


def test_upwork_without_a_balance_column_books_nothing_pending(app, tmp_path):
    text = (VARIANTS / "upwork_oldest.csv").read_text()
    rows = text.splitlines()
    header = rows[0].removesuffix(",Balance")
    body = [row.rsplit(",", 1)[0] for row in rows[1:]]
    path = tmp_path / "no_balance.csv"
    path.write_text("\n".join([header, *body]) + "\n")
    p = preview(app.db, "upwork", path)
    assert p.ok and not any(m.pending for m in p.parsed.money)
    apply(app.db, app.clock, app.ledger, p)
    assert app.ledger.balances()["available"]["USD"].amount == 13000


def test_upwork_hours_by_day_in_sixths_with_empty_payment_types(app, contracts):
    """The hours export by day: five-decimal sixths of an hour, hourly rows with an empty
    payment type, fixed-price and bonus rows without hours."""
    p, r = run(app, "upwork-weekly", "upwork_daily_hours.csv")
    assert [(w.row, w.field) for w in p.warnings] == [(4, "Payment type"), (5, "Payment type")]
    assert [g[:2] for g in spans(app, "upwork-weekly")] == [
        (at(2025, 6, 2), timedelta(minutes=140)),
        (at(2025, 6, 3), timedelta(minutes=10)),
        (at(2025, 6, 4), timedelta(minutes=520)),
    ]
    assert r.segments == 14 + 1 + 52


def test_watson_log_json_and_csv(app, contracts):
    mapping = {"Data pipeline": ACME}
    _, r = run(app, "watson", "watson_log.json", mapping)
    assert r.sessions == 2
    got = spans(app, "watson")
    assert [g[:3] for g in got] == [
        (at(2025, 7, 1, 9), timedelta(minutes=90), contracts[ACME]),  # 11:00+02:00
        (at(2025, 7, 1, 12), timedelta(minutes=25), contracts[GLOBEX]),  # by its reference
    ]
    _, r = run(app, "watson", "watson_log.csv", mapping, {"tz": "Europe/Berlin"})
    assert r.sessions == 2
    assert spans(app, "watson")[2][:2] == (at(2025, 7, 2, 7), timedelta(hours=1))
    assert spans(app, "watson")[2][3] == "+etl +review [watson c1b2c3d]"


def test_timewarrior_folder_reads_only_month_files(app, contracts):
    """tags.data (JSON) and undo.data sit in the same folder and are not intervals; an
    exclusion line is skipped; annotations are memos, not tags."""
    p, r = run(app, "timewarrior", "timewarrior_data", {"(no tag)": ACME})
    assert [(w.row, w.field) for w in p.warnings] == [(6, "end")]
    assert r.sessions == 4
    got = spans(app, "timewarrior")
    assert got[0][2:] == (contracts[ACME], "planning kick-off, with # in it")
    assert got[1][3] == "just a note"
    assert got[2][2:] == (contracts[GLOBEX], 'say "hi"')


def test_timew_export_json(app, contracts):
    p, r = run(app, "timewarrior", "timew_export.json")
    assert [(w.row, w.field) for w in p.warnings] == [(3, "end")]
    assert r.sessions == 2
    assert spans(app, "timewarrior")[0][2:] == (contracts[ACME], "planning kick-off")


def _toggl_as(tmp_path, name: str, encode):
    lines = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / name
    path.write_bytes(encode(lines))
    return path


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        # Excel's "Unicode text": UTF-16 with its byte-order mark, tabs between fields.
        (
            "unicode.txt",
            lambda lines: "\r\n".join("\t".join(next(csv.reader([line]))) for line in lines).encode(
                "utf-16"
            ),
        ),
        # An old Mac spreadsheet's line ends: \r alone.
        ("mac.csv", lambda lines: "\r".join(lines).encode()),
        # A trailing comma on every data row, not on the header.
        (
            "trailing.csv",
            lambda lines: "\n".join([lines[0]] + [f"{x}," for x in lines[1:]]).encode(),
        ),
    ],
)
def test_toggl_in_other_spreadsheet_encodings(app, contracts, tmp_path, name, encode):
    path = _toggl_as(tmp_path, name, encode)
    assert detect_kind(load(path)) == "toggl"
    p = preview(app.db, "toggl", path, MAP, {"tz": "America/New_York"})
    assert p.ok, p.problems()
    assert p.parsed.rows == 4 and len(p.parsed.entries) == 4
    assert p.parsed.entries[1].memo == 'Review, then fix "dates"'


@pytest.mark.parametrize(
    ("text", "decimal_comma", "value"),
    [
        ("1,234.56", False, "1234.56"),
        ("1.234,56", False, "1234.56"),
        ("1 234,56", False, "1234.56"),
        ("1\u00a0234,56", False, "1234.56"),
        ("1'234.50", False, "1234.50"),
        ("1,5", False, "1.5"),
        ("1,234", False, "1234"),
        ("1.5", True, "1.5"),
        ("1.234", True, "1234"),
        ("-0,99", False, "-0.99"),
    ],
)
def test_numbers_in_any_locale(text, decimal_comma, value):
    assert parse_decimal(text, "Hours", decimal_comma=decimal_comma) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "minor"),
    [("(40.00)", -4000), ("\u221250.00", -5000), ("1.234,56 €", 123456), ("US$ 7.5", 750)],
)
def test_amounts_in_any_form(text, minor):
    assert parse_money(text, "USD", "Amount").amount == minor


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:30:00", 5400),
        ("1:30", 5400),
        ("1.5", 5400),
        ("1,5 h", 5400),
        ("2 hours", 7200),
        ("47:06 min", 2826),  # Toggl's "classic" duration format
        ("90 min", 5400),
    ],
)
def test_durations_in_the_tools_formats(text, seconds):
    assert parse_duration(text, "Duration") == seconds


@pytest.mark.parametrize("text", ["-00:35:00", "-5 min", "−1.5"])
def test_a_negative_duration_is_refused_by_name(text):
    with pytest.raises(RowError) as exc:
        parse_duration(text, "Duration")
    assert exc.value.field == "Duration" and "negative" in exc.value.message


def test_a_timewarrior_home_folder_is_read_through_its_data_folder(app, contracts, tmp_path):
    shutil.copytree(VARIANTS / "timewarrior_data", tmp_path / ".timewarrior" / "data")
    p = preview(app.db, "timewarrior", tmp_path / ".timewarrior", {"(no tag)": ACME})
    assert p.ok and len(p.parsed.entries) == 4


@pytest.mark.parametrize("kind", ["watson", "timewarrior"])
def test_json_nested_too_deep_is_refused_not_a_recursion_error(app, tmp_path, kind):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    p = preview(app.db, kind, path)
    assert str(p.problems()[0]).startswith("file: not a list of ")


def test_a_bad_number_names_its_field():
    with pytest.raises(RowError) as exc:
        parse_decimal("1.2.5", "Hours")
    assert (exc.value.field, exc.value.message) == ("Hours", "'1.2.5' is not a number")


# -- one bad row in the middle, through the command line ------------------------------


def _frames() -> str:
    frames = json.loads((FIXTURES / "watson_frames.json").read_text())
    middle = [1751367000, 1751368800, "Data pipeline", "ab" * 16, [], 1751368801]
    middle[0] = "half past ten"  # type: ignore[call-overload]
    return json.dumps([frames[0], middle, frames[1]])


def _replace_in_row(name: str, row: int, old: str, new: str, encoding: str = "utf-8") -> str:
    lines = (FIXTURES / name).read_text(encoding=encoding).splitlines()
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


BAD_ROWS = [
    (
        "upwork",
        lambda: _replace_in_row("upwork_current.csv", 6, "-$3.00", "-$3.0O", "utf-8-sig"),
        "row 6, Amount $: '-$3.0O' is not an amount",
    ),
    (
        "upwork-weekly",
        lambda: _replace_in_row("upwork_weekly.csv", 3, '"07/07/2025"', '"07/37/2025"'),
        "row 3, Date: '07/37/2025' is not a date",
    ),
    (
        "toggl",
        lambda: _replace_in_row("toggl.csv", 3, ",00:35:00,", ",-00:35:00,", "utf-8-sig"),
        "row 3, Duration: '-00:35:00' is negative",
    ),
    (
        "clockify",
        lambda: _replace_in_row("clockify.csv", 3, "12:50:00 PM", "13:50:00 PM"),
        "row 3, Start Time: '13:50:00 PM': a 12-hour time has hours 1 to 12",
    ),
    (
        "harvest",
        lambda: _replace_in_row("harvest.csv", 3, ",1.25,1.25,", ",1.2.5,1.25,"),
        "row 3, Hours: '1.2.5' is not a number",
    ),
    ("watson", _frames, "row 2, start: 'half past ten' is not a Unix time"),
    (
        "timewarrior",
        lambda: _replace_in_row("timewarrior/2025-06.data", 2, "20250615T153000Z", "20250615T1530"),
        "row 2, line: 'inc 20250615T140000Z - 20250615T1530 # \"client-48/31415926\" ' "
        "is not an 'inc START - END # tags' line",
    ),
]


@pytest.fixture
def ws(tmp_path) -> str:
    d = str(tmp_path / "ws")
    app = App.open(resolve_location(d, None), create=True)
    try:
        for name, ref, title in (
            ("Acme Corp", ACME, "Data pipeline"),
            ("Globex LLC", GLOBEX, "Logo redesign"),
        ):
            client = app.clients.create(ClientInput(name=name, platform="upwork"))
            app.contracts.create(
                ContractInput(
                    client_id=client["id"],
                    title=title,
                    kind="hourly",
                    hourly_rate_minor=5000,
                    reference=ref,
                    started_at=datetime(2024, 1, 1, tzinfo=UTC),
                )
            )
    finally:
        app.close()
    return d


def _counts(data_dir: str) -> dict[str, int]:
    app = App.open(resolve_location(data_dir, None))
    try:
        return counts(app)
    finally:
        app.close()


@pytest.mark.parametrize(("kind", "make", "problem"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
def test_one_bad_row_in_the_middle_is_one_line_and_nothing_is_written(
    capsys, ws, tmp_path, kind, make, problem, dry_run
):
    path = tmp_path / f"export-{kind}.txt"
    path.write_text(make(), encoding="utf-8")
    before = _counts(ws)
    argv = ["--data-dir", ws, "import", kind, str(path), *(["--dry-run"] if dry_run else [])]
    for key, ref in MAP.items():
        argv += ["--map", f"{key}={ref}"]
    argv += ["--map", f"Data pipeline={ACME}", "--tz", "America/New_York"]
    capsys.readouterr()
    code = cli.main(argv)
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0] == f"freelancer-desk: {path.name}: {problem}: nothing was imported"
    assert _counts(ws) == before
