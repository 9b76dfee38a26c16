"""`import`, `export csv|ics|json`, `import json` (round trip), `export evidence` and
`verify` through the command line: exit codes, refusals as one line naming the row and
field, --dry-run writes nothing, --json output."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from freelancer_desk import cli
from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.evidence import chain_link
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.services.exports import table_rows
from freelancer_desk.storage.models import Segment, Snapshot
from tests.importers.conftest import ACME, FIXTURES, GLOBEX, counts

MAP = [
    "--map",
    f"Acme Corp / Data pipeline={ACME}",
    "--map",
    f"Globex LLC / Logo redesign={GLOBEX}",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def one_line_error(capsys, *argv: str, code: int = 1) -> str:
    got, _out, err = run(capsys, *argv)
    assert got == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def table_counts(data_dir: str) -> dict[str, int]:
    app = App.open(resolve_location(data_dir, None))
    try:
        return counts(app)
    finally:
        app.close()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("demo") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


@pytest.fixture
def ws(tmp_path) -> str:
    """A workspace with the two contracts the time fixtures name (by reference)."""
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


# -- import ------------------------------------------------------------------------------


def test_import_upwork_json_then_again_adds_nothing(capsys, tmp_path):
    d = str(tmp_path / "new")  # import may create the workspace it fills
    got = ok_json(capsys, "--data-dir", d, "import", "upwork", str(FIXTURES / "upwork_current.csv"))
    assert got["preview"]["kind"] == "upwork" and got["preview"]["ok"]
    assert got["result"]["transactions"] == 12 and got["result"]["clients"] == 2
    again = ok_json(capsys, "--data-dir", d, "import", "auto", str(FIXTURES / "upwork_current.csv"))
    assert again["preview"]["already_imported"] and again["preview"]["new"] == 0
    assert again["result"]["transactions"] == 0 and again["result"]["skipped"] == 12
    log = ok_json(capsys, "--data-dir", d, "import", "log")
    assert [e["kind"] for e in log] == ["upwork"]


def test_import_time_with_a_mapping_and_the_text_output(capsys, ws):
    code, out, err = run(
        capsys,
        "--data-dir",
        ws,
        "import",
        "toggl",
        str(FIXTURES / "toggl.csv"),
        "--tz",
        "America/New_York",
        *MAP,
    )
    assert code == 0, err
    assert out.strip() == "imported 4 sessions, 22 segments from toggl (0 already there)"


def test_dry_run_writes_nothing(capsys, ws):
    before = table_counts(ws)
    got = ok_json(
        capsys,
        "--data-dir",
        ws,
        "import",
        "clockify",
        str(FIXTURES / "clockify.csv"),
        "--dry-run",
        *MAP,
    )
    assert got["result"]["dry_run"] and got["result"]["sessions"] == 3
    code, out, _ = run(
        capsys, "--data-dir", ws, "import", "upwork", str(FIXTURES / "upwork_old.csv"), "--dry-run"
    )
    assert code == 0 and out.startswith("warning: row 2, Balance:")
    assert "would import 7 transactions" in out
    assert table_counts(ws) == before


def test_a_bad_amount_is_one_line_naming_row_and_field(capsys, ws, tmp_path):
    bad = tmp_path / "bad.csv"
    text = (FIXTURES / "upwork_old.csv").read_text()
    bad.write_text(text.replace('"$120.00","$120.00"', '"$12O.00","$120.00"'))
    before = table_counts(ws)
    line = one_line_error(capsys, "--data-dir", ws, "import", "upwork", str(bad))
    assert line == (
        "freelancer-desk: bad.csv: row 6, Amount: '$12O.00' is not an amount: nothing was imported"
    )
    code, out, err = run(capsys, "--data-dir", ws, "import", "upwork", str(bad), "--json")
    assert code == 1 and len(err.strip().splitlines()) == 1
    preview = json.loads(out)
    assert not preview["ok"]
    assert preview["issues"][0] == {
        "row": 6,
        "field": "Amount",
        "message": "'$12O.00' is not an amount",
        "severity": "error",
    }
    assert table_counts(ws) == before


def test_unmapped_projects_and_an_end_before_its_start(capsys, ws, tmp_path):
    text = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(text.replace("Globex LLC,Logo redesign", "Initech,Printer fix"))
    line = one_line_error(
        capsys, "--data-dir", ws, "import", "toggl", str(unknown), "--tz", "America/New_York"
    )
    assert line.startswith(
        "freelancer-desk: unknown.csv: row 4, contract: no contract for 'Initech / Printer fix' (1 entries)"
    )
    assert line.endswith(": nothing was imported")
    swapped = tmp_path / "swapped.csv"
    swapped.write_text(
        text.replace(
            "09:00:00,2025-06-02,10:30:00,01:30:00", "10:30:00,2025-06-02,09:00:00,01:30:00"
        )
    )
    line = one_line_error(
        capsys, "--data-dir", ws, "import", "toggl", str(swapped), "--tz", "America/New_York", *MAP
    )
    assert line.startswith(
        "freelancer-desk: swapped.csv: row 2, end: ends (2025-06-02 09:00:00) before"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "freelancer-desk: x.csv: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "freelancer-desk: x.csv: not a text file"),
        (b"a,b,c\n1,2,3\n", "freelancer-desk: x.csv: the kind of file is not recognised"),
    ],
)
def test_unreadable_files_are_refused_in_one_line(capsys, ws, tmp_path, data, expected):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    before = table_counts(ws)
    assert one_line_error(capsys, "--data-dir", ws, "import", "auto", str(path)).startswith(
        expected
    )
    assert table_counts(ws) == before


def test_usage_errors(capsys, ws, tmp_path):
    missing = str(tmp_path / "nope.csv")
    assert "does not exist" in one_line_error(capsys, "--data-dir", ws, "import", "toggl", missing)
    assert "KIND 'excel'" in one_line_error(
        capsys, "--data-dir", ws, "import", "excel", str(FIXTURES / "toggl.csv")
    )
    assert "FILE is required" in one_line_error(capsys, "--data-dir", ws, "import", "toggl")
    assert "--map 'oops'" in one_line_error(
        capsys, "--data-dir", ws, "import", "toggl", str(FIXTURES / "toggl.csv"), "--map", "oops"
    )
    line = one_line_error(
        capsys,
        "--data-dir",
        ws,
        "import",
        "toggl",
        str(FIXTURES / "toggl.csv"),
        "--tz",
        "Mars/Base",
    )
    assert "timezone: 'Mars/Base' is not an IANA zone" in line


# -- export ------------------------------------------------------------------------------


def test_export_csv_to_stdout_and_to_a_file(capsys, demo_dir, tmp_path):
    code, out, err = run(capsys, "--data-dir", demo_dir, "export", "csv", "ledger")
    assert code == 0, err
    lines = out.splitlines()
    assert "amount_currency" in lines[0] and len(lines) > 10
    target = tmp_path / "time.csv"
    got = ok_json(
        capsys, "--data-dir", demo_dir, "export", "csv", "time_entries", "--out", str(target)
    )
    assert got["table"] == "sessions" and got["rows"] > 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == got["rows"] + 1
    assert "TABLE 'nope'" in one_line_error(capsys, "--data-dir", demo_dir, "export", "csv", "nope")
    assert "does not exist" in one_line_error(
        capsys,
        "--data-dir",
        demo_dir,
        "export",
        "csv",
        "ledger",
        "--out",
        str(tmp_path / "x/y.csv"),
    )


def test_export_ics(capsys, demo_dir, tmp_path):
    target = tmp_path / "time.ics"
    got = ok_json(capsys, "--data-dir", demo_dir, "export", "ics", "--out", str(target))
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert got["events"] == len(events) > 0
    assert len({str(e["uid"]) for e in events}) == len(events)
    again = tmp_path / "again.ics"
    ok_json(capsys, "--data-dir", demo_dir, "export", "ics", "--out", str(again))
    uids = [str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")]
    assert uids == [str(e["uid"]) for e in events]  # stable UIDs
    assert "--from: 'May 1' is not a date" in one_line_error(
        capsys, "--data-dir", demo_dir, "export", "ics", "--out", str(target), "--from", "May 1"
    )


def test_export_json_imports_back_into_an_empty_workspace(capsys, demo_dir, tmp_path):
    dump = tmp_path / "all.json"
    exported = ok_json(capsys, "--data-dir", demo_dir, "export", "json", "--out", str(dump))
    assert exported["ledger_postings"] > 0
    fresh = str(tmp_path / "fresh")
    imported = ok_json(capsys, "--data-dir", fresh, "import", "json", str(dump))
    assert {k: v for k, v in imported.items() if v} == {k: v for k, v in exported.items() if v}
    a = App.open(resolve_location(demo_dir, None))
    b = App.open(resolve_location(fresh, None))
    try:
        before, after = table_rows(a.db), table_rows(b.db)
    finally:
        a.close()
        b.close()
    for name in before:
        assert before[name] == after[name], name
    # Into a workspace that is not empty: refused, one line, nothing written.
    line = one_line_error(capsys, "--data-dir", fresh, "import", "json", str(dump))
    assert "the workspace is not empty" in line
    broken = tmp_path / "broken.json"
    broken.write_text(dump.read_text()[:500])
    assert "not valid JSON" in one_line_error(
        capsys, "--data-dir", str(tmp_path / "other"), "import", "json", str(broken)
    )


def test_evidence_pack_and_verify(capsys, demo_dir, tmp_path):
    app = App.open(resolve_location(demo_dir, None))
    try:
        with app.db.session() as s:
            seg = s.scalars(select(Segment).where(Segment.contract_id.is_not(None))).first()
            assert seg is not None
            picture = app.snapshot_dir / "cli" / "shot.jpg"
            picture.parent.mkdir(parents=True, exist_ok=True)
            picture.write_bytes(b"\xff\xd8 a picture " * 40)
            digest = hashlib.sha256(picture.read_bytes()).hexdigest()
            s.add(
                Snapshot(
                    segment_id=seg.id,
                    taken_at=seg.slot_start + timedelta(minutes=2),
                    device_id="cli-test",
                    policy="blurred",
                    path="cli/shot.jpg",
                    sha256=digest,
                    prev_chain="",
                    chain=chain_link("", digest),
                )
            )
            contract, week = str(seg.contract_id), seg.slot_start.date().isoformat()
    finally:
        app.close()
    out = tmp_path / "pack"
    args = ["--data-dir", demo_dir, "export", "evidence", "--contract", contract]
    got = ok_json(capsys, *args, "--week", week, "--out", str(out))
    assert got["snapshots"] >= 1 and got["segments"] >= 1
    report = ok_json(capsys, "verify", str(out))
    assert report["ok"] and report["files"] >= 2
    code, text, _ = run(capsys, "verify", str(out))
    assert code == 0 and text.startswith("ok: ")
    copy = next(p for p in (out / "snapshots").rglob("shot.jpg"))
    data = bytearray(copy.read_bytes())
    data[5] ^= 1
    copy.write_bytes(bytes(data))
    code, _out, err = run(capsys, "verify", str(out))
    assert code == 1 and "changed" in err and "Traceback" not in err
    code, out_json, _ = run(capsys, "verify", str(out), "--json")
    assert code == 1 and not json.loads(out_json)["ok"]
    assert "--week: 'soon' is not a date" in one_line_error(
        capsys, *args, "--week", "soon", "--out", str(tmp_path / "p2")
    )


def test_verify_a_folder_that_is_no_pack(capsys, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    code, _out, err = run(capsys, "verify", str(empty))
    assert code == 1 and err.strip() and "Traceback" not in err
