"""Exports: the demo workspace through JSON into an empty one, row by row; evidence
packs that verify and stop verifying when one byte changes; iCalendar and CSV."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.exports import (
    chain_link,
    export_csv,
    export_evidence,
    export_ics,
    export_json,
    import_json,
    table_rows,
    verify_evidence,
)
from freelancer_desk.storage.models import Segment, Snapshot

from .conftest import open_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = open_app(tmp_path_factory.mktemp("demo"), datetime(2026, 1, 15, 12, tzinfo=UTC))
    app.create_demo()
    yield app
    app.close()


def test_json_round_trip_keeps_every_row(demo, tmp_path):
    buf = io.StringIO()
    counts = export_json(demo.db, buf, demo.clock.now())
    assert counts["segments"] > 1000 and counts["ledger_postings"] > 100
    empty = open_app(tmp_path / "empty")
    buf.seek(0)
    import_json(empty.db, buf)
    before, after = table_rows(demo.db), table_rows(empty.db)
    assert before.keys() == after.keys()
    for name in before:
        assert before[name] == after[name], name
    buf.seek(0)
    with pytest.raises(RuleError, match="not empty"):
        import_json(empty.db, buf)
    empty.close()


def test_evidence_pack_verifies_and_detects_a_changed_byte(demo, tmp_path):
    with demo.db.session() as s:
        seg = s.scalars(select(Segment).where(Segment.contract_id.is_not(None))).first()
        assert seg is not None
        picture = demo.snapshot_dir / "2026" / "shot.jpg"
        picture.parent.mkdir(parents=True, exist_ok=True)
        picture.write_bytes(b"\xff\xd8 a picture " * 50)
        import hashlib

        digest = hashlib.sha256(picture.read_bytes()).hexdigest()
        s.add(
            Snapshot(
                segment_id=seg.id,
                taken_at=seg.slot_start + timedelta(minutes=3),
                device_id="demo",
                policy="blurred",
                path="2026/shot.jpg",
                sha256=digest,
                prev_chain="",
                chain=chain_link("", digest),
            )
        )
        contract, week = str(seg.contract_id), seg.slot_start.date()
    out = tmp_path / "pack"
    result = export_evidence(demo.db, demo.snapshot_dir, contract, week, out, demo.clock.now())
    assert result.snapshots == 1 and result.segments >= 1
    assert verify_evidence(out).ok
    copy = out / "snapshots" / "2026" / "shot.jpg"
    data = bytearray(copy.read_bytes())
    data[10] ^= 1
    copy.write_bytes(bytes(data))
    report = verify_evidence(out)
    assert not report.ok and any("changed" in p for p in report.problems)


def test_ics_and_csv(demo, tmp_path):
    n = export_ics(demo.db, tmp_path / "t.ics")
    cal = Calendar.from_ical((tmp_path / "t.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == n > 0
    assert all(str(e["uid"]).endswith("@freelancer-desk") and "dtstamp" in e for e in events)
    assert events[0].decoded("dtstart").tzinfo is not None
    buf = io.StringIO()
    rows = export_csv(demo.sources["ledger"], buf)
    lines = buf.getvalue().splitlines()
    assert len(lines) == rows + 1 and "amount_currency" in lines[0]
