"""Property tests: valid fixture files mutated into broken ones (truncated at a random
byte, a column dropped, a value garbled, start and end swapped, binary noise, the
header twice, the wrong delimiter) are either imported fully or refused with a
message naming the row and field — and after a refusal every table has exactly the
rows it had: nothing is ever half-imported. Importing the same file twice adds nothing."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.importers import money
from freelancer_desk.importers.base import ImportRefused, Issue
from freelancer_desk.importers.registry import apply, preview

from .conftest import ACME, FIXTURES, GLOBEX, counts

MAP = {"Acme Corp / Data pipeline": ACME, "Globex LLC / Logo redesign": GLOBEX}
FIVERR_COLUMNS = {
    "date": "Date",
    "amount": "Amount",
    "type": "Activity",
    "order": "Order",
    "client": "Buyer",
    "currency": "Currency",
}
# (fixture, kind, mapping, options)
CASES = [
    ("upwork_current.csv", "upwork", {}, {}),
    ("upwork_old.csv", "upwork", {}, {}),
    ("upwork_weekly.csv", "upwork-weekly", {}, {}),
    ("toggl.csv", "toggl", MAP, {"tz": "America/New_York"}),
    ("clockify.csv", "clockify", MAP, {}),
    ("harvest.csv", "harvest", MAP, {"tz": "Europe/Berlin"}),
    ("harvest_semicolon.csv", "harvest", MAP, {"tz": "Europe/Berlin"}),
    ("fiverr.csv", "fiverr", FIVERR_COLUMNS, {}),
    # Real exports' variants (test_real_exports.py)
    ("variants/toggl_eu.csv", "toggl", MAP, {"tz": "Europe/Berlin"}),
    ("variants/toggl_import_layout.csv", "toggl", MAP, {}),
    ("variants/clockify_decimal.csv", "clockify", MAP, {}),
    ("variants/harvest_hhmm.csv", "harvest", MAP, {}),
    ("variants/upwork_oldest.csv", "upwork", {}, {}),
    ("variants/upwork_excel_eu.csv", "upwork", {}, {}),
    ("variants/upwork_daily_hours.csv", "upwork-weekly", {}, {}),
    ("variants/watson_log.csv", "watson", {"Data pipeline": ACME}, {"tz": "Europe/Berlin"}),
]
SEMICOLON = ("fiverr.csv", "harvest_semicolon.csv", "variants/upwork_excel_eu.csv")
# One line, naming where: "row 6, Amount: …", "file: …" or "file, kind: …".
MESSAGE = re.compile(r"^(row \d+, [^:\n]+|file|file, [^:\n]+): [^\n]+$")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _write(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str, dict[str, str], dict[str, str], bytes, str]:
    name, kind, mapping, options = draw(st.sampled_from(CASES))
    data = (FIXTURES / name).read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    delim = ";" if name in SEMICOLON else ","
    how = draw(
        st.sampled_from(
            ["truncate", "drop_column", "garble", "swap", "noise", "header_twice", "delimiter"]
        )
    )
    rows = _rows(text, delim)
    if how == "truncate":
        cut = draw(st.integers(0, len(data) - 1))
        return name, kind, mapping, options, data[:cut], how
    if how == "noise":
        at = draw(st.integers(0, len(data)))
        noise = draw(st.binary(min_size=1, max_size=64))
        return name, kind, mapping, options, data[:at] + noise + data[at:], how
    if how == "drop_column":
        col = draw(st.integers(0, len(rows[0]) - 1))
        rows = [r[:col] + r[col + 1 :] for r in rows]
        out = _write(rows, delim)
    elif how == "garble":
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(
            st.sampled_from(["", "12O.00", "-", "$$", "9" * 30, "2025-13-45", "25:61", "n/a"])
            | st.text(max_size=12)
        )
        out = _write(rows, delim)
    elif how == "swap":
        header = [h.lower() for h in rows[0]]
        starts = [i for i, h in enumerate(header) if "start" in h]
        ends = [i for i, h in enumerate(header) if "end" in h]
        r = draw(st.integers(1, len(rows) - 1))
        for s, e in zip(starts, ends, strict=False):
            rows[r][s], rows[r][e] = rows[r][e], rows[r][s]
        if not starts:  # no start/end columns: swap two neighbouring rows' dates
            rows[r][0], rows[-1][0] = rows[-1][0], rows[r][0]
        out = _write(rows, delim)
    elif how == "header_twice":
        at = draw(st.integers(1, len(rows)))
        rows.insert(at, list(rows[0]))
        out = _write(rows, delim)
    else:
        other = draw(st.sampled_from([d for d in (",", ";", "\t", "|") if d != delim]))
        out = text.replace(delim, other)
    body = out.encode("utf-8")
    return name, kind, mapping, options, (b"\xef\xbb\xbf" if bom else b"") + body, how


def check_refusal(issues: list[Issue] | tuple[Issue, ...], message: str) -> None:
    assert issues, "a refusal names at least one problem"
    assert MESSAGE.match(message), message
    for issue in issues:
        assert MESSAGE.match(str(issue)), str(issue)
        assert issue.field, issue


def import_once(app, path: Path, kind, mapping, options) -> bool:
    """Import; True when it went in, False when refused (and then nothing changed)."""
    before = counts(app)
    try:
        p = preview(app.db, kind, path, mapping, options)
    except ImportRefused as exc:
        check_refusal(exc.issues, str(exc))
        assert counts(app) == before
        return False
    except RuleError as exc:  # an option refused (a bad zone): named too
        assert exc.field
        assert counts(app) == before
        return False
    if not p.ok:
        problems = p.problems()
        check_refusal(problems, str(problems[0]))
        with pytest.raises(ImportRefused):
            apply(app.db, app.clock, app.ledger, p)
        assert counts(app) == before
        return False
    try:
        done = apply(app.db, app.clock, app.ledger, p)
    except ImportRefused as exc:  # refused while writing (an overdraft): rolled back
        check_refusal(exc.issues, str(exc))
        assert counts(app) == before
        return False
    # Fully in: everything the preview called new is there, and a second time adds nothing.
    assert done.skipped == p.duplicates
    again = preview(app.db, kind, path, mapping, options)
    assert again.ok and again.new_rows == 0, again.to_json()
    after = counts(app)
    second = apply(app.db, app.clock, app.ledger, again)
    assert second.written == 0 and counts(app) == after
    return True


@SETTINGS
@given(case=mutated())
def test_a_mutated_file_is_imported_fully_or_not_at_all(app, contracts, tmp_path, case):
    name, kind, mapping, options, data, _how = case
    path = tmp_path / f"mutated-{Path(name).name}"
    path.write_bytes(data)
    import_once(app, path, kind, mapping, options)


@pytest.mark.parametrize(("name", "kind", "mapping", "options"), CASES)
def test_every_valid_fixture_imports_once_and_only_once(
    app, contracts, name, kind, mapping, options
):
    before = counts(app)
    assert import_once(app, FIXTURES / name, kind, mapping, options)
    assert counts(app) != before


def test_a_refusal_while_writing_rolls_everything_back(app, tmp_path):
    """A withdrawal larger than what is available is refused by the ledger's check in
    the middle of the apply — after clients, contracts and earlier rows were written
    in the unit of work. None of it stays."""
    text = (FIXTURES / "upwork_old.csv").read_text()
    lines = text.splitlines()
    withdrawal = next(i for i, line in enumerate(lines) if '"Withdrawal"' in line)
    cells = next(csv.reader([lines[withdrawal]]))
    cells[9] = "-$90,000.00"
    lines[withdrawal] = _write([cells], ",").strip()
    path = tmp_path / "overdraft.csv"
    path.write_text("\n".join(lines) + "\n")
    before = counts(app)
    p = preview(app.db, "upwork", path)
    assert p.ok  # the file reads fine; only the books refuse it
    for use_batch in (True, False):
        money.USE_BATCH = use_batch
        try:
            with pytest.raises(ImportRefused) as info:
                apply(app.db, app.clock, app.ledger, p)
        finally:
            money.USE_BATCH = True
        assert str(info.value).startswith(f"row {withdrawal + 1}, amount: cannot take")
        assert counts(app) == before
