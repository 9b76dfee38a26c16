"""The Deliver dialog with a file: picked files are delivered (the workspace keeps a
copy), a refused file is named next to the file list with nothing recorded, and the
order's Delivered files dialog opens the kept copy or its folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl

from freelancer_desk.app import App
from freelancer_desk.services.orders import OrderInput
from freelancer_desk.ui.areas.gigs import ORDERS, GigsPage
from freelancer_desk.ui.delivery_files import DeliveredFilesDialog
from tests.services.workbench import logo_gig
from tests.ui.test_gigs_area import app, page, press, window, yes  # noqa: F401  (fixtures)


def test_deliver_a_file_then_open_it_and_its_folder(
    qtbot: Any,
    app: App,  # noqa: F811
    page: GigsPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    gig = app.gigs.activate(app.gigs.create(logo_gig())["id"])
    oid = app.orders.place(OrderInput(gig_id=gig["id"], package="basic", buyer="Ann"))["id"]
    app.orders.start(oid)
    page.refresh()
    page.wait_loaded()
    page.select(ORDERS, oid)
    assert not page.buttons["order_files"].isEnabled()  # nothing delivered yet

    press(page, "deliver_order")
    dialog = page.step_dialog
    assert dialog is not None and dialog.files is not None
    qtbot.waitUntil(dialog.isVisible)
    logo = tmp_path / "logo.svg"
    logo.write_bytes(b"<svg>the logo</svg>")
    missing = tmp_path / "gone.zip"
    dialog.text.setPlainText("The logo")
    dialog.files.add_paths([str(logo), str(missing), str(logo)])  # the same file once
    assert dialog.files.paths() == [str(logo), str(missing)]
    dialog.accept()  # the delivery runs off the GUI thread; the dialog waits
    qtbot.waitUntil(lambda: not dialog.files.busy)
    assert dialog.isVisible()
    assert dialog.error_text("files") == f"file {missing}: no such file"
    assert dialog.buttons.isEnabled()
    assert app.orders.get(oid)["state"] == "in_progress"  # nothing was recorded
    dialog.files.list.setCurrentRow(1)
    dialog.files.list.item(1).setSelected(True)
    dialog.files.remove_selected()
    assert dialog.files.paths() == [str(logo)]
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):  # then it is deleted
        dialog.accept()
        assert dialog.files.busy and not dialog.buttons.isEnabled()
        dialog.reject()  # Esc while it is recorded: the dialog stays until it is done
        assert dialog.isVisible()
    assert dialog.saved is not None and dialog.saved["state"] == "delivered"

    order = app.orders.get(oid)
    (sent,) = order["deliveries"][0]["files"]
    assert (sent["name"], sent["size_bytes"]) == ("logo.svg", 19)
    kept = app.orders.delivered_file(sent)
    assert kept is not None and kept.read_bytes() == logo.read_bytes()
    assert kept.is_relative_to(app.location.data_dir / "deliveries")

    page.wait_loaded()
    page.select(ORDERS, oid)
    assert page.buttons["order_files"].isEnabled()
    opened: list[QUrl] = []
    files = page.open_delivered_files()
    assert isinstance(files, DeliveredFilesDialog)
    files._open = opened.append  # instead of QDesktopServices.openUrl
    qtbot.waitUntil(files.isVisible)
    assert not files.open_button.isEnabled()  # a delivery, not a file, is current
    delivery = files.tree.topLevelItem(0)
    assert delivery is not None and delivery.text(0).endswith(": The logo")
    item = delivery.child(0)
    assert (item.text(0), item.text(2)) == ("logo.svg", sent["sha256"])
    files.tree.setCurrentItem(item)
    assert files.open_button.isEnabled() and files.folder_button.isEnabled()
    files.open_button.click()
    files.folder_button.click()
    assert [u.toLocalFile() for u in opened] == [str(kept), str(kept.parent)]
    assert files.grab().save(str(tmp_path / "delivered-files.png"))  # it renders
    files.reject()
