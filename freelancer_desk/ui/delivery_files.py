"""A delivery's files in the window: the picker in the Deliver dialog (`FilePicker`) and
the order's delivered files with Open file / Show in folder (`DeliveredFilesDialog`).

A delivery with files runs off the GUI thread (`FilePicker.run`): copying and hashing
is about 5 ms a MB here (docs/benchmarks.md, "L (session 5)"), so a large file would
freeze the window for seconds. The dialog waits with its buttons disabled, then closes
or shows the refusal; the service's unit of work is the same either way.

The files opened are the workspace's copies (services/orders.py `delivered_file`,
storage/delivered_files.py), not the originals, which may have moved or changed since.
A copy kept on another machine (a server database) is listed but cannot be opened here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.services.listing import Column
from freelancer_desk.ui.tablemodel import display_locale, format_value

PATH_ROLE = Qt.ItemDataRole.UserRole
_WHEN = Column("when", "When", "datetime")


def size_text(size: int) -> str:
    return display_locale().formattedDataSize(size)


class _Relay(QObject):
    """Results of the worker thread, delivered on the GUI thread (queued signals)."""

    done = Signal(object)
    failed = Signal(object)


class FilePicker(QWidget):
    """The files sent with a delivery: a list, Add files… and Remove; `run` calls the
    delivery off the GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("delivery-files")
        self.list = QListWidget()
        self.list.setAccessibleName("Files to deliver")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMaximumHeight(96)
        self.add_button = QPushButton("Add &files…")
        self.add_button.clicked.connect(self.choose)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.remove_button.setEnabled(False)
        self.list.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.list.selectedItems()))
        )
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setAccessibleName("Delivery progress")
        self.status.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.status)
        self.busy = False
        self._relay: _Relay | None = None  # the running call's

    def run(
        self,
        call: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """`call()` on a worker thread; then `done(result)` or `failed(exception)` on
        the GUI thread. The picker is disabled meanwhile (`busy`)."""
        self.busy = True
        self.list.setEnabled(False)
        self.add_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        count = self.list.count()
        self.status.setText(f"Copying {count} file{'s' if count != 1 else ''} into the workspace…")
        self.status.show()
        relay = _Relay(self)  # one per call: a late result never reaches a newer call

        def finish() -> None:
            self.busy = False
            self.list.setEnabled(True)
            self.add_button.setEnabled(True)
            self.remove_button.setEnabled(bool(self.list.selectedItems()))
            self.status.hide()

        def ok(result: Any) -> None:
            finish()
            done(result)

        def bad(exc: Any) -> None:
            finish()
            failed(exc)

        relay.done.connect(ok)
        relay.failed.connect(bad)
        self._relay = relay

        def work() -> None:
            try:
                result = call()
            except Exception as exc:
                relay.failed.emit(exc)
                return
            relay.done.emit(result)

        threading.Thread(target=work, name="deliver-files", daemon=True).start()

    def choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Files to deliver")
        self.add_paths(names)

    def add_paths(self, paths: list[str]) -> None:
        """Add files (once each), shown by name with the full path in the tooltip."""
        have = set(self.paths())
        for text in paths:
            if not text or text in have:
                continue
            have.add(text)
            path = Path(text)
            try:
                label = f"{path.name}  ({size_text(path.stat().st_size)})"
            except OSError:
                label = path.name  # the service names the problem when delivering
            self.list.addItem(label)
            item = self.list.item(self.list.count() - 1)
            item.setData(PATH_ROLE, text)
            item.setToolTip(text)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[str]:
        return [str(self.list.item(i).data(PATH_ROLE)) for i in range(self.list.count())]


class DeliveredFilesDialog(QDialog):
    """The order's deliveries (newest first), each with its files: name, size, SHA-256.
    Open file and Show in folder act on the selected file's kept copy. `opener` is
    QDesktopServices.openUrl (tests give their own)."""

    def __init__(
        self,
        order: dict[str, Any],
        locate: Callable[[dict[str, Any]], Path | None],
        parent: QWidget | None = None,
        opener: Callable[[QUrl], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("order-files-dialog")
        self.setWindowTitle("Delivered files")
        self._locate = locate
        self._open = opener or QDesktopServices.openUrl
        title = QLabel(" · ".join(str(p) for p in (order.get("number"), order.get("title")) if p))
        title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Deliveries and their files")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Delivery / file", "Size", "SHA-256"])
        self.tree.setRootIsDecorated(True)
        locale = display_locale()
        for delivery in reversed(order.get("deliveries") or []):
            when = format_value(datetime.fromisoformat(delivery["delivered_at"]), _WHEN, locale)
            message = " ".join(str(delivery.get("message") or "").split())
            top = QTreeWidgetItem([f"Delivered {when}", "", ""])
            top.setToolTip(0, message or "No message")
            if message:
                top.setText(0, f"Delivered {when}: {message[:80]}")
            self.tree.addTopLevelItem(top)
            for f in delivery.get("files") or []:
                kept = locate(f)
                child = QTreeWidgetItem(
                    [str(f["name"]), size_text(int(f["size_bytes"])), str(f["sha256"])]
                )
                child.setData(0, PATH_ROLE, str(kept) if kept is not None else "")
                child.setToolTip(
                    0,
                    f"Kept at {kept}\nSent from {f.get('source_path') or '?'}"
                    if kept is not None
                    else "The copy is kept on another machine (or is gone)",
                )
                if kept is None:
                    child.setDisabled(True)
                top.addChild(child)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.tree.itemDoubleClicked.connect(lambda *_: self.open_file())
        self.open_button = QPushButton("&Open file")
        self.open_button.clicked.connect(self.open_file)
        self.folder_button = QPushButton("Show in &folder")
        self.folder_button.clicked.connect(self.show_in_folder)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        close.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(close)
        self.resize(720, 400)
        self._update()

    def selected_copy(self) -> Path | None:
        item = self.tree.currentItem()
        text = item.data(0, PATH_ROLE) if item is not None else None
        return Path(text) if text else None

    def _update(self) -> None:
        kept = self.selected_copy() is not None
        self.open_button.setEnabled(kept)
        self.folder_button.setEnabled(kept)

    def open_file(self) -> None:
        path = self.selected_copy()
        if path is not None:
            self._open(QUrl.fromLocalFile(str(path)))

    def show_in_folder(self) -> None:
        path = self.selected_copy()
        if path is not None:
            self._open(QUrl.fromLocalFile(str(path.parent)))
