"""What the window needs from the application, and nothing more.

`freelancer_desk.app.open_backend(args)` returns an object with this shape, built on
the real services; the UI tests pass an in-memory fake. Qt-free on purpose: the
application side implements it without importing PySide6.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from freelancer_desk.services.listing import ListSource

# A dashboard-style figure: ("Available", "$1,240.00").
Tile = tuple[str, str]


class Backend(Protocol):
    """The application as the window sees it.

    Expected failures (a corrupt database, a newer schema, an unwritable folder) are
    raised as `ValueError` or `OSError` subclasses whose message is one sentence meant
    for the user; the window shows that message without a traceback.
    """

    @property
    def data_dir(self) -> Path:
        """The workspace folder; the window keeps its own settings (ui.ini) there."""
        ...

    def list_source(self, key: str) -> ListSource:
        """The paged source for `key`: clients, gigs, orders, job_posts, proposals,
        contracts, milestones, sessions, segments, ledger, invoices, reviews,
        earnings_by_client. Raises KeyError for an unknown key."""
        ...

    def summary(self, area: str) -> Sequence[Tile]:
        """Figures shown as tiles above an area's tables (area keys as in
        `freelancer_desk.ui.mainwindow.AREAS`: dashboard, gigs, proposals, contracts,
        tracker, diary, earnings, reports). Return [] for an area without tiles."""
        ...

    def is_empty(self) -> bool:
        """True for a new workspace: the window then offers the demo workspace."""
        ...

    def create_demo(self) -> None:
        """Fill the (empty) workspace with the demo data."""
        ...

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` after every change to the data; returns an unsubscribe
        function. May be called from any thread: the window hops to the GUI thread."""
        ...

    def close(self) -> None:
        """Release the database and stop background work; called once at exit."""
        ...
