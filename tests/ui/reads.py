"""Waiting for what the window reads on its worker threads (a table's rows after a
refresh, a filter or a sort; an area's figures), as a user waits for the table to show."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from freelancer_desk.ui.areapage import AreaPage

WAIT_MS = 20_000


def settle(qtbot, widget: QWidget, timeout: int = WAIT_MS) -> None:
    """Wait until every area page of `widget`'s window has its rows and figures."""
    root = widget.window()
    pages = [root] if isinstance(root, AreaPage) else root.findChildren(AreaPage)
    qtbot.waitUntil(lambda: not any(page.is_loading for page in pages), timeout=timeout)
