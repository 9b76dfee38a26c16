"""tracker.liveness: the orphan rule recovery closes sessions by, and the doubt the CLI's
lean path steps aside for, which must cover every orphan the rule finds."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import product

from freelancer_desk.tracker.liveness import (
    STALE_AFTER,
    START_SLACK,
    OsProcesses,
    is_orphan,
    orphan_doubt,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STARTED = NOW - timedelta(hours=3)


class Table:
    def __init__(self, alive: bool, started: datetime | None) -> None:
        self._alive, self._started = alive, started

    def alive(self, pid: int) -> bool:
        return self._alive

    def started_at(self, pid: int) -> datetime | None:
        return self._started


def test_the_doubt_covers_every_orphan_and_spares_a_live_fresh_session():
    ages = (timedelta(0), STALE_AFTER, STALE_AFTER + timedelta(seconds=1), timedelta(days=2))
    starts = (None, STARTED - timedelta(hours=1), STARTED + START_SLACK * 2)
    orphans = spared = 0
    for pid, alive, age, start in product((None, 4242), (True, False), ages, starts):
        table = Table(alive, start)
        seen = NOW - age
        doubt = orphan_doubt(pid, seen, NOW, table)
        if is_orphan(pid, STARTED, seen, NOW, table):
            orphans += 1
            assert doubt is not None, (pid, alive, age, start)
        if pid is not None and alive and age <= STALE_AFTER:
            spared += 1
            assert doubt is None
            assert not is_orphan(pid, STARTED, seen, NOW, table)
    assert orphans and spared


def test_reasons_name_the_process_or_the_heartbeat():
    assert "process" in (orphan_doubt(None, NOW, NOW, Table(True, None)) or "")
    assert "process" in (orphan_doubt(7, NOW, NOW, Table(False, None)) or "")
    stale = NOW - STALE_AFTER - timedelta(seconds=1)
    assert "stale" in (orphan_doubt(7, stale, NOW, Table(True, None)) or "")


def test_a_reused_process_id_makes_a_stale_session_an_orphan():
    stale = NOW - timedelta(minutes=10)
    assert is_orphan(7, STARTED, stale, NOW, Table(True, STARTED + START_SLACK * 2))
    assert not is_orphan(7, STARTED, stale, NOW, Table(True, STARTED - timedelta(hours=1)))
    assert not is_orphan(7, STARTED, stale, NOW, Table(True, None))  # unknown start: kept


def test_this_process_is_alive_and_started_in_the_past():
    processes = OsProcesses()
    assert processes.alive(os.getpid())
    assert not processes.alive(0)
    started = processes.started_at(os.getpid())
    assert started is None or started <= datetime.now(UTC)
