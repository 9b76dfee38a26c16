"""`order deliver ID --file PATH` (repeatable): the files are copied into the workspace
and shown with the delivery (`--json` and text), `order show` lists every delivery with
its files, and a refused file is one line naming it, with nothing recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli.test_fiverr_cli import GIG, Cli


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(capsys, str(tmp_path / "ws"))


def _started_order(run: Cli) -> str:
    gid = run.json(*GIG)["id"][:8]
    run("gig", "activate", gid)
    order = run.json("order", "place", "--gig", gid, "--package", "basic", "--buyer", "Nina")
    oid = str(order["id"])[:8]
    run.json("order", "start", oid)
    return oid


def test_deliver_with_files(run: Cli, tmp_path: Path) -> None:
    oid = _started_order(run)
    logo = tmp_path / "logo.svg"
    logo.write_bytes(b"<svg>logo</svg>")
    guide = tmp_path / "Brand guide.pdf"
    guide.write_bytes(b"%PDF guide" * 50)
    sha = hashlib.sha256(logo.read_bytes()).hexdigest()

    delivered = run.json(
        "order", "deliver", oid, "--message", "Final", "--file", str(logo), "--file", str(guide)
    )

    assert delivered["state"] == "delivered"
    files = delivered["deliveries"][0]["files"]
    assert [(f["name"], f["size_bytes"]) for f in files] == [
        ("logo.svg", 15),
        ("Brand guide.pdf", 500),
    ]
    assert files[0]["sha256"] == sha and files[1]["media_type"] == "application/pdf"
    kept = Path(run.data_dir) / "deliveries" / files[0]["stored_path"]
    assert kept.read_bytes() == logo.read_bytes()

    code, out, err = run("order", "show", oid)
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith("deliveries") and "1 item(s)" in line for line in lines)
    assert f"  logo.svg  15 bytes  sha256 {sha[:16]}  {kept}" in lines
    assert any(line.startswith("delivered ") and line.endswith(" UTC: Final") for line in lines)
    shown = run.json("order", "show", oid)
    assert shown["deliveries"] == delivered["deliveries"]


def test_deliver_text_lists_the_files(run: Cli, tmp_path: Path) -> None:
    oid = _started_order(run)
    notes = tmp_path / "notes.txt"
    notes.write_text("thanks")
    code, out, err = run("order", "deliver", oid, "--file", str(notes))
    assert code == 0, err
    first, second, third = out.splitlines()
    assert first.startswith(f"delivered order {oid} (delivered")
    assert second.endswith(" UTC: (no message)")
    assert third.startswith("  notes.txt  6 bytes  sha256 ")


def test_a_refused_file_is_one_line_naming_it(run: Cli, tmp_path: Path) -> None:
    oid = _started_order(run)
    good = tmp_path / "good.txt"
    good.write_text("ok")
    missing = tmp_path / "missing.zip"
    line = run.refused("order", "deliver", oid, "--file", str(good), "--file", str(missing))
    assert line == f"freelancer-desk: file {missing}: no such file"
    shown = run.json("order", "show", oid)
    assert shown["state"] == "in_progress" and shown["deliveries"] == []
    assert not (Path(run.data_dir) / "deliveries").exists()
