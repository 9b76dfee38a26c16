"""Orphan sessions: a running session of this device whose tracking process is gone.

The app or any CLI command runs `recover_orphans` at start. A session is an orphan when
the process that tracks it no longer exists, or when its heartbeat is over two minutes
old and its process id now belongs to a process started after the session (the id was
reused, e.g. after a reboot). It is closed at its last heartbeat — a crash loses at most
the minute since — and the user is told how much was kept. A session whose process is
alive is never touched: after a suspend its heartbeat is stale but its owner will resume.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

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

STALE_AFTER = timedelta(minutes=2)
# How much earlier than the session a process may seem to start: clocks are read at
# different moments and /proc gives start times in clock ticks.
START_SLACK = timedelta(seconds=5)


class ProcessTable(Protocol):
    def alive(self, pid: int) -> bool: ...

    def started_at(self, pid: int) -> datetime | None:
        """When the process started, if the platform says (None: unknown)."""
        ...


class OsProcesses:
    """This machine's processes: os.kill(pid, 0) for existence, /proc for start times."""

    def alive(self, pid: int) -> bool:
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, owned by someone else
        except OSError:
            return False
        return True

    def started_at(self, pid: int) -> datetime | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            boot = next(
                int(line.split()[1])
                for line in Path("/proc/stat").read_text().splitlines()
                if line.startswith("btime ")
            )
        except (OSError, StopIteration, ValueError):
            return None
        # Field 22 (starttime, clock ticks after boot) counted after the ")" that ends
        # the command name, which may itself hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        ticks = int(fields[19])
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)


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
    stale = now - session.last_seen_at > stale_after
    if session.pid is None:
        return stale
    if not processes.alive(session.pid):
        return True
    if not stale:
        return False
    started = processes.started_at(session.pid)
    return started is not None and started > session.started_at + START_SLACK


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
