"""`check` on delivered files: this device's copies must be there, with the size and
SHA-256 their rows recorded; copies no row uses and unfinished ones are noted (count and
size), never problems and never removed; rows another device keeps are left to it and
said so."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from freelancer_desk.services.check import CheckReport, check_workspace
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.orders import OrderInput, OrderService
from freelancer_desk.storage.delivered_files import INCOMING, DeliveredFiles
from freelancer_desk.storage.models.orders import OrderDeliveryFile
from tests.services.workbench import Bench, logo_gig, make_bench

DEVICE = "device-here"
LOGO = b"%PDF-1.7 logo" * 100
NOTES = b"use the svg"


def _setup(tmp_path: Path) -> tuple[Bench, OrderService, DeliveredFiles]:
    bench = make_bench(tmp_path / "ws")
    store = DeliveredFiles(tmp_path / "ws" / "deliveries")
    orders = OrderService(
        bench.db, ChangeBus(), bench.clock, LedgerService(), files=store, device_id=DEVICE
    )
    return bench, orders, store


def _file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _delivered(
    tmp_path: Path, bench: Bench, orders: OrderService, files: list[tuple[str, bytes]]
) -> list[dict]:
    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    order = orders.place(OrderInput(gig_id=gig["id"], package="basic", buyer="Nina"))
    oid = str(orders.start(order["id"])["id"])
    paths = [_file(tmp_path / "out", name, data) for name, data in files]
    bench.clock.advance(hours=1)
    (delivery,) = orders.deliver(oid, "Final files", files=paths)["deliveries"]
    return [{**f, "order": oid[:8]} for f in delivery["files"]]


def _check(bench: Bench, store: DeliveredFiles) -> CheckReport:
    report = check_workspace(bench.db, store, DEVICE)
    assert report.ok == (not report.problems)
    return report


def _about_files(report: CheckReport) -> list[str]:
    return [p for p in report.problems if "(rule: delivered_file." in p]


def test_a_sound_workspace_with_delivered_files_is_clean(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO), ("README", NOTES)])

    report = _check(bench, store)

    assert report.problems == []
    assert report.notes == []
    assert report.checked["delivered files"] == 2
    assert report.checked["delivered-file copies"] == 2
    assert report.summary().endswith("2 delivered files, 2 delivered-file copies")


def test_a_deleted_copy_is_found_naming_its_row(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    logo, _notes = _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO), ("README", NOTES)])
    store.path(logo["stored_path"]).unlink()

    (problem,) = _about_files(_check(bench, store))

    assert problem == (
        f"order_delivery_files {logo['id'][:8]} ('Logo.pdf', order {logo['order']}): "
        f"copy deliveries/{logo['stored_path']} is missing (rule: delivered_file.copy)"
    )


def test_an_altered_copy_is_found_by_size_or_by_hash(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    logo, notes = _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO), ("README", NOTES)])
    store.path(logo["stored_path"]).write_bytes(LOGO[:-1] + b"!")  # same size
    store.path(notes["stored_path"]).write_bytes(NOTES + b" and the png")

    problems = _about_files(_check(bench, store))

    assert problems == [
        f"order_delivery_files {logo['id'][:8]} ('Logo.pdf', order {logo['order']}): "
        f"copy deliveries/{logo['stored_path']} does not match its SHA-256: changed since "
        "it was delivered (rule: delivered_file.copy)",
        f"order_delivery_files {notes['id'][:8]} ('README', order {logo['order']}): "
        f"copy deliveries/{notes['stored_path']} has {len(NOTES) + 12:,} bytes, the row says "
        f"{len(NOTES):,}: changed since it was delivered (rule: delivered_file.copy)",
    ]


def test_copies_no_row_uses_are_noted_with_their_size_and_kept(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO)])
    # A crash between the copy and the commit: a copy with no row, and a temporary one.
    orphan = store.store(_file(tmp_path / "out", "draft.zip", b"x" * 3000))
    (store.root / INCOMING / "0123abcd.part").write_bytes(b"y" * 500)

    report = _check(bench, store)

    assert report.ok
    assert report.notes == [
        "1 copy in deliveries/ no row uses (3,000 bytes)",
        "1 unfinished copy in deliveries/.incoming/ (500 bytes): being made now, or left "
        "by a delivery that was stopped",
    ]
    assert report.summary().endswith(
        "1 delivered files, 1 delivered-file copies; 1 copy in deliveries/ no row uses "
        "(3,000 bytes); 1 unfinished copy in deliveries/.incoming/ (500 bytes): being made "
        "now, or left by a delivery that was stopped"
    )
    assert store.path(orphan.stored_path).is_file()  # reported, not removed
    assert report.to_json()["notes"] == report.notes


def test_rows_another_device_keeps_are_not_checked_here_and_said_so(tmp_path: Path) -> None:
    bench, _orders, store = _setup(tmp_path)
    # The other machine's data folder is elsewhere: its copies are not in this one.
    (tmp_path / "other").mkdir()
    other = OrderService(
        bench.db,
        ChangeBus(),
        bench.clock,
        LedgerService(),
        files=DeliveredFiles(tmp_path / "other" / "deliveries"),
        device_id="device-there",
    )
    _delivered(tmp_path, bench, other, [("Logo.pdf", LOGO), ("README", NOTES)])

    report = _check(bench, store)

    assert report.problems == []
    assert report.checked["delivered files"] == 0
    assert report.notes == [
        "2 delivered files kept by 1 other device, not checked here (their copies are in "
        "that device's data folder)"
    ]
    assert "0 delivered-file copies; 2 delivered files kept by 1 other device" in report.summary()


def test_a_stored_path_out_of_the_folder_is_refused_unread(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    (logo,) = _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO)])
    secret = _file(tmp_path, "secret.txt", LOGO)  # same size: a read would hash it
    with bench.db.session() as s:
        s.execute(update(OrderDeliveryFile).values(stored_path="../../secret.txt"))

    (problem,) = _about_files(_check(bench, store))

    assert problem.startswith(f"order_delivery_files {logo['id'][:8]} ('Logo.pdf', order ")
    assert problem.endswith(
        f"stored_path '../../secret.txt' is not where its SHA-256 is kept "
        f"({logo['sha256'][:2]}/{logo['sha256']}[.ext]) (rule: delivered_file.stored_path)"
    )
    assert secret.is_file()


def test_one_copy_delivered_twice_is_hashed_once_and_both_rows_checked(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    first, again = _delivered(tmp_path, bench, orders, [("a.svg", b"<svg/>"), ("b.svg", b"<svg/>")])
    assert first["stored_path"] == again["stored_path"]
    store.path(first["stored_path"]).write_bytes(b"<svg>")

    report = _check(bench, store)

    assert report.checked["delivered-file copies"] == 1
    assert len(_about_files(report)) == 2  # each row is named


def test_without_a_data_folder_check_reads_the_database_only(tmp_path: Path) -> None:
    bench, orders, store = _setup(tmp_path)
    (logo,) = _delivered(tmp_path, bench, orders, [("Logo.pdf", LOGO)])
    store.path(logo["stored_path"]).unlink()

    report = check_workspace(bench.db)

    assert report.ok and "delivered files" not in report.checked
