"""A delivery's files: copied into the workspace (content-addressed, so the same file is
kept once), recorded with name, size, SHA-256 and media type; refusals name the file;
a failed copy or a failed commit leaves no row and no half-written file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.orders import OrderInput, OrderService
from freelancer_desk.storage.delivered_files import DeliveredFiles
from freelancer_desk.storage.models import OrderDelivery
from freelancer_desk.storage.models.orders import OrderDeliveryFile
from tests.services.workbench import Bench, logo_gig, make_bench

DEVICE = "device-test-1"


def _bench(tmp_path: Path, limit: int = 1 << 20) -> tuple[Bench, OrderService, DeliveredFiles]:
    bench = make_bench(tmp_path / "ws")
    store = DeliveredFiles(tmp_path / "ws" / "deliveries", max_file_bytes=limit)
    orders = OrderService(
        bench.db, ChangeBus(), bench.clock, LedgerService(), files=store, device_id=DEVICE
    )
    return bench, orders, store


def _started_order(bench: Bench, orders: OrderService) -> str:
    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    order = orders.place(OrderInput(gig_id=gig["id"], package="basic", buyer="Nina"))
    return str(orders.start(order["id"])["id"])


def _file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _rows(bench: Bench) -> tuple[int, int]:
    with bench.db.read() as s:
        deliveries = s.scalar(select(func.count()).select_from(OrderDelivery))
        files = s.scalar(select(func.count()).select_from(OrderDeliveryFile))
    return int(deliveries or 0), int(files or 0)


def _kept(store: DeliveredFiles) -> list[str]:
    """Every file under the store, relative (temporary ones included)."""
    if not store.root.exists():
        return []
    return sorted(
        p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file()
    )


def test_files_are_copied_hashed_and_shown_with_the_delivery(tmp_path: Path) -> None:
    bench, orders, _store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    logo = _file(tmp_path / "out", "Logo Final.PDF", b"%PDF-1.7 logo" * 100)
    notes = _file(tmp_path / "out", "README", b"use the svg")
    bench.clock.advance(hours=2)

    delivered = orders.deliver(oid, "Final files", files=[logo, str(notes)])

    assert delivered["state"] == "delivered"
    (delivery,) = delivered["deliveries"]
    assert delivery["message"] == "Final files"
    files = delivery["files"]
    assert [f["name"] for f in files] == ["Logo Final.PDF", "README"]
    assert [f["position"] for f in files] == [0, 1]
    sha = hashlib.sha256(logo.read_bytes()).hexdigest()
    assert files[0]["sha256"] == sha and files[0]["size_bytes"] == 1300
    assert files[0]["media_type"] == "application/pdf" and files[1]["media_type"] is None
    assert files[0]["stored_path"] == f"{sha[:2]}/{sha}.pdf"
    assert files[0]["source_path"] == str(logo.resolve())
    assert files[0]["device_id"] == DEVICE
    kept = orders.delivered_file(files[0])
    assert kept is not None and kept.read_bytes() == logo.read_bytes()
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert oct(kept.parent.stat().st_mode & 0o777) == "0o700"
    # The copy is the workspace's: the original can change or go, the copy stays.
    logo.unlink()
    assert orders.delivered_file(files[0]) == kept and kept.is_file()
    # Read back later, the order shows the same.
    assert orders.get(oid)["deliveries"] == delivered["deliveries"]
    assert check_workspace(bench.db).problems == []


def test_the_same_file_twice_is_kept_once(tmp_path: Path) -> None:
    bench, orders, store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    first = _file(tmp_path / "a", "logo.svg", b"<svg/>")
    again = _file(tmp_path / "b", "logo-copy.svg", b"<svg/>")  # same bytes, other name
    orders.deliver(oid, "v1", files=[first])
    orders.request_revision(oid, "again please")
    result = orders.deliver(oid, "v2", files=[again])

    one, two = (d["files"][0] for d in result["deliveries"])
    assert one["sha256"] == two["sha256"] and one["stored_path"] == two["stored_path"]
    assert (one["name"], two["name"]) == ("logo.svg", "logo-copy.svg")
    assert _kept(store) == [one["stored_path"]]  # one copy, no temporary left
    assert _rows(bench) == (2, 2)


def test_a_file_over_the_limit_is_refused_by_name_before_anything_is_copied(
    tmp_path: Path,
) -> None:
    bench, orders, store = _bench(tmp_path, limit=1000)
    oid = _started_order(bench, orders)
    small = _file(tmp_path / "out", "small.txt", b"x" * 10)
    big = _file(tmp_path / "out", "big.zip", b"x" * 1001)

    with pytest.raises(RuleError) as caught:
        orders.deliver(oid, "files", files=[small, big])

    assert caught.value.rule == "delivery.file_too_large" and caught.value.field == "files"
    assert str(big) in str(caught.value) and "1,001 bytes" in str(caught.value)
    assert _rows(bench) == (0, 0) and _kept(store) == []
    assert orders.get(oid)["state"] == "in_progress"


def test_missing_unreadable_and_folder_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, orders, store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    missing = tmp_path / "out" / "gone.png"
    with pytest.raises(RuleError, match=f"file {missing}: no such file"):
        orders.deliver(oid, files=[missing])
    with pytest.raises(RuleError, match="not a regular file") as caught:
        orders.deliver(oid, files=[tmp_path])
    assert str(tmp_path) in str(caught.value)

    locked = _file(tmp_path / "out", "locked.psd", b"layers")
    real_open = Path.open

    def open_refusing(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked.resolve():
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_refusing)
    with pytest.raises(RuleError) as caught:
        orders.deliver(oid, files=[locked])
    assert caught.value.rule == "delivery.file_unreadable"
    assert str(caught.value) == f"file {locked.resolve()}: cannot read it (Permission denied)"
    assert _rows(bench) == (0, 0) and _kept(store) == []


def test_a_copy_that_fails_midway_leaves_no_row_and_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, orders, store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    data = _file(tmp_path / "out", "video.mp4", os.urandom(300_000))

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(RuleError) as caught:
        orders.deliver(oid, "the video", files=[data])
    assert caught.value.rule == "delivery.file_copy"
    assert str(data.resolve()) in str(caught.value) and "No space left" in str(caught.value)
    assert _rows(bench) == (0, 0) and _kept(store) == []
    assert orders.get(oid)["state"] == "in_progress"


def test_a_crash_between_copy_and_commit_leaves_no_row(tmp_path: Path) -> None:
    bench, orders, store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    data = _file(tmp_path / "out", "brand.zip", b"PK" + os.urandom(5000))

    def crash(_conn: Any) -> None:
        raise RuntimeError("power cut")

    event.listen(bench.db.engine, "commit", crash)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            orders.deliver(oid, "brand kit", files=[data])
    finally:
        event.remove(bench.db.engine, "commit", crash)

    assert _rows(bench) == (0, 0)
    assert orders.get(oid)["state"] == "in_progress"
    # The copy was made (renamed into place, complete), and nothing names it: the next
    # delivery of the same file reuses it rather than writing it again.
    sha = hashlib.sha256(data.read_bytes()).hexdigest()
    assert _kept(store) == [f"{sha[:2]}/{sha}.zip"]
    delivered = orders.deliver(oid, "brand kit", files=[data])
    assert delivered["deliveries"][0]["files"][0]["stored_path"] == f"{sha[:2]}/{sha}.zip"
    assert _kept(store) == [f"{sha[:2]}/{sha}.zip"] and _rows(bench) == (1, 1)


def test_refusals_before_any_copy(tmp_path: Path) -> None:
    bench, orders, store = _bench(tmp_path)
    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    placed = orders.place(OrderInput(gig_id=gig["id"], package="basic", buyer="Nina"))
    data = _file(tmp_path / "out", "logo.png", b"png")
    orders.start(placed["id"])
    with pytest.raises(RuleError, match="given twice"):
        orders.deliver(placed["id"], files=[data, tmp_path / "out" / "." / "logo.png"])
    orders.cancel(placed["id"])
    with pytest.raises(RuleError):  # a cancelled order cannot be delivered
        orders.deliver(placed["id"], files=[data])
    assert _kept(store) == [] and _rows(bench) == (0, 0)

    storeless = bench.orders  # built without a file store
    with pytest.raises(RuleError) as caught:
        storeless.deliver(placed["id"], files=[data])
    assert caught.value.rule == "delivery.files_unavailable"


def test_a_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    bench, orders, store = _bench(tmp_path)
    oid = _started_order(bench, orders)
    folder = tmp_path / "out"
    folder.mkdir()
    odd = os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt")  # Latin-1 bytes
    Path(odd).write_bytes(b"menu")
    with pytest.raises(RuleError) as caught:
        orders.deliver(oid, files=[odd])
    assert caught.value.rule == "delivery.file_name"
    assert str(caught.value).endswith(
        "caf?.txt: its name is not valid UTF-8; rename it to deliver it"
    )
    assert _rows(bench) == (0, 0) and _kept(store) == []


def test_a_kept_copy_altered_since_is_made_right_by_the_next_delivery_of_it(
    tmp_path: Path,
) -> None:
    bench, orders, store = _bench(tmp_path)
    logo = _file(tmp_path / "out", "logo.svg", b"<svg>logo</svg>" * 50)
    first = orders.deliver(_started_order(bench, orders), "v1", files=[logo])
    kept = orders.delivered_file(first["deliveries"][0]["files"][0])
    assert kept is not None
    os.chmod(kept, 0o600)
    kept.write_bytes(b"X" * kept.stat().st_size)  # the same size, other content
    again = orders.deliver(_started_order(bench, orders), "v1 again", files=[logo])
    sent = again["deliveries"][0]["files"][0]
    assert orders.delivered_file(sent) == kept
    assert kept.read_bytes() == logo.read_bytes()
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == sent["sha256"]
    assert _kept(store) == [sent["stored_path"]]  # still kept once, no temporary left


@pytest.mark.parametrize("stored", ["../../secret.txt", "/etc/passwd", "ab/not-its-hash.pdf"])
def test_a_row_naming_a_path_not_its_hashs_opens_nothing(tmp_path: Path, stored: str) -> None:
    bench, orders, _store = _bench(tmp_path)
    logo = _file(tmp_path / "out", "logo.svg", b"<svg/>")
    delivered = orders.deliver(_started_order(bench, orders), "", files=[logo])
    sent = dict(delivered["deliveries"][0]["files"][0])
    assert orders.delivered_file(sent) is not None
    _file(tmp_path, "secret.txt", b"not a delivery")
    assert orders.delivered_file({**sent, "stored_path": stored}) is None
