"""Talking to the process that tracks: which session of this device runs, in which
process, and a stop request another process can leave for it.

`track stop` (or the window) cannot stop another process's Tracker directly, and the
orphan rules never touch a live process's session. So it leaves a stop request — a small
file in the data folder naming the session — which the tracking process (`track run`,
or the window's runtime) polls every second and honours by stopping cleanly.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Order, Segment, TimeSession

STOP_REQUEST_FILE = "tracker-stop-request"


@dataclass(frozen=True)
class RunningSession:
    """This device's running session as the database has it (segments are written at
    least every minute, so `saved_seconds` lags the tracking process by up to that)."""

    session_id: uuid.UUID
    contract_id: uuid.UUID | None
    order_id: uuid.UUID | None
    title: str
    memo: str
    started_at: datetime
    last_seen_at: datetime
    pid: int | None
    saved_seconds: int

    def to_json(self) -> dict[str, object]:
        return {
            "session_id": str(self.session_id),
            "contract_id": str(self.contract_id) if self.contract_id else None,
            "order_id": str(self.order_id) if self.order_id else None,
            "title": self.title,
            "memo": self.memo,
            "started_at": self.started_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "pid": self.pid,
            "saved_seconds": self.saved_seconds,
        }


def running_session(db: Database, device_id: str) -> RunningSession | None:
    with db.read() as s:
        row = s.scalars(
            select(TimeSession).where(
                TimeSession.device_id == device_id, TimeSession.ended_at.is_(None)
            )
        ).first()
        if row is None:
            return None
        if row.contract_id is not None:
            title = s.scalar(select(Contract.title).where(Contract.id == row.contract_id))
        else:
            title = s.scalar(select(Order.title).where(Order.id == row.order_id))
        saved = s.scalar(
            select(func.coalesce(func.sum(Segment.tracked_seconds), 0)).where(
                Segment.session_id == row.id, Segment.deleted.is_(False)
            )
        )
        return RunningSession(
            row.id,
            row.contract_id,
            row.order_id,
            title or "",
            row.memo,
            row.started_at,
            row.last_seen_at,
            row.pid,
            int(saved or 0),
        )


def stop_request_path(data_dir: Path) -> Path:
    return data_dir / STOP_REQUEST_FILE


def request_stop(data_dir: Path, session_id: uuid.UUID) -> Path:
    """Ask the process tracking `session_id` to stop (it polls every second)."""
    path = stop_request_path(data_dir)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(f"{session_id}\n")
    os.replace(tmp, path)
    return path


def take_stop_request(data_dir: Path, session_id: uuid.UUID) -> bool:
    """True (and the request is consumed) when someone asked `session_id` to stop."""
    path = stop_request_path(data_dir)
    try:
        wanted = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    if wanted != str(session_id):
        return False
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return True


def clear_stop_request(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        stop_request_path(data_dir).unlink()


__all__ = [
    "RunningSession",
    "clear_stop_request",
    "request_stop",
    "running_session",
    "stop_request_path",
    "take_stop_request",
]
