"""Orphan sessions: a running session of this device whose tracking process is gone.

The app or any CLI command runs `recover_orphans` at start. A session is an orphan when
the process that tracks it no longer exists, or when its heartbeat is over two minutes
old and its process id now belongs to a process started after the session (the id was
reused, e.g. after a reboot) — the rule is `tracker.liveness`'s, which the CLI's lean
path shares. It is closed at its last heartbeat — a crash loses at most the minute since
— and the user is told how much was kept. A session whose process is alive is never
touched: after a suspend its heartbeat is stale but its owner will resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.workflow.time_session import (
    TIME_SESSION,
    TimeSessionAction,
    TimeSessionState,
)
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Order, Segment, TimeSession
from freelancer_desk.tracker import liveness
from freelancer_desk.tracker.liveness import STALE_AFTER, OsProcesses, ProcessTable

__all__ = [
    "STALE_AFTER",
    "OsProcesses",
    "ProcessTable",
    "Recovered",
    "is_orphan",
    "recover_orphans",
]


@dataclass(frozen=True)
class Recovered:
    session_id: str
    title: str
    ended_at: datetime
    kept_seconds: int

    @property
    def message(self) -> str:
        return (
            f"closed session on {self.title} at {self.ended_at:%H:%M} UTC, "
            f"kept {self.kept_seconds // 60} min"
        )


def is_orphan(
    session: TimeSession, now: datetime, processes: ProcessTable, stale_after: timedelta
) -> bool:
    return liveness.is_orphan(
        session.pid, session.started_at, session.last_seen_at, now, processes, stale_after
    )


def recover_orphans(
    db: Database,
    clock: Clock,
    device_id: str,
    *,
    processes: ProcessTable | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> list[Recovered]:
    """Close this device's orphan sessions at their last heartbeat; say what was kept."""
    processes = processes or OsProcesses()
    now = clock.now()
    recovered: list[Recovered] = []
    with db.session() as s:
        running = s.scalars(
            select(TimeSession).where(
                TimeSession.device_id == device_id, TimeSession.ended_at.is_(None)
            )
        ).all()
        for session in running:
            if not is_orphan(session, now, processes, stale_after):
                continue
            TIME_SESSION.transition(TimeSessionState.RUNNING, TimeSessionAction.CLOSE_ORPHAN)
            seen = session.last_seen_at
            # Only if nobody moved it meanwhile: a heartbeat in between means the owner
            # is alive after all.
            result = s.execute(
                update(TimeSession)
                .where(
                    TimeSession.id == session.id,
                    TimeSession.ended_at.is_(None),
                    TimeSession.last_seen_at == seen,
                )
                .values(ended_at=max(seen, session.started_at), end_reason="orphaned")
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                continue
            kept = sum(
                s.scalars(
                    select(Segment.tracked_seconds).where(
                        Segment.session_id == session.id, Segment.deleted.is_(False)
                    )
                ).all()
            )
            recovered.append(Recovered(str(session.id), _title(s, session), seen, kept))
    return recovered


def _title(s: Session, session: TimeSession) -> str:
    if session.contract_id is not None:
        contract = s.get(Contract, session.contract_id)
        return contract.title if contract else "a deleted contract"
    order = s.get(Order, session.order_id)
    return order.title if order else "a deleted order"
