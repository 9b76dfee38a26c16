"""Composition root: resolves settings, opens the store, builds the services.

The only place where concrete classes are chosen; everything else receives what it
needs as arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from freelancer_desk.domain.clock import Clock, SystemClock

DATA_DIR_ENV = "FREELANCER_DESK_DATA_DIR"
DB_URL_ENV = "FREELANCER_DESK_DB_URL"


@dataclass(frozen=True)
class Location:
    """Where the workspace lives: a data folder, and the database URL (SQLite inside it
    unless another URL is given)."""

    data_dir: Path
    db_url: str


def resolve_location(data_dir: str | None = None, db_url: str | None = None) -> Location:
    folder = data_dir or os.environ.get(DATA_DIR_ENV) or str(user_data_path("freelancer-desk"))
    path = Path(folder).expanduser()
    url = db_url or os.environ.get(DB_URL_ENV) or f"sqlite:///{path / 'workspace.sqlite3'}"
    return Location(path, url)


def default_clock() -> Clock:
    return SystemClock()
