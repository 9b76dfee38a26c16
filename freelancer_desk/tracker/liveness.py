"""When a running session is an orphan — one whose tracking process is gone — the rule
`tracker.recovery` (which closes orphans) and the CLI's lean path (which steps aside
while one may exist, `cli/lean.py`) share. Pure: the standard library and plain values,
neither SQLAlchemy nor storage (import-linter checks it), so the lean path stays light.

A session is an orphan when its process no longer exists, or when its heartbeat is over
`STALE_AFTER` old and its process id now belongs to a process started after the session
(the id was reused, e.g. after a reboot); without a process id, when its heartbeat is
stale. A session whose process is alive and heartbeat fresh is never one.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

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


def is_orphan(
    pid: int | None,
    started_at: datetime,
    last_seen_at: datetime,
    now: datetime,
    processes: ProcessTable,
    stale_after: timedelta = STALE_AFTER,
) -> bool:
    """The rule: is the running session (its process id, start and last heartbeat) an
    orphan now?"""
    stale = now - last_seen_at > stale_after
    if pid is None:
        return stale
    if not processes.alive(pid):
        return True
    if not stale:
        return False
    started = processes.started_at(pid)
    return started is not None and started > started_at + START_SLACK


def orphan_doubt(
    pid: int | None,
    last_seen_at: datetime,
    now: datetime,
    processes: ProcessTable,
    stale_after: timedelta = STALE_AFTER,
) -> str | None:
    """Why the session may be an orphan, asking no more than whether its process
    exists (None: `is_orphan` says no whatever the process's start): without a process
    id, with a process gone, or with a stale heartbeat."""
    if pid is None or not processes.alive(pid):
        return "a running session whose process is gone"
    if now - last_seen_at > stale_after:
        return "a running session with a stale heartbeat"
    return None
