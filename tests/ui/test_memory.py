"""What the window's process does to keep its memory down (issue 7): on glibc, one
malloc arena for every thread instead of a 64 MB one each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freelancer_desk.ui.main import limit_malloc_arenas
from tests.ui.tracker_helpers import rig_fixture  # noqa: F401


def _glibc() -> bool:
    try:
        return sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        return False


# A thread that mallocs: the address space it adds once it has ended (its stack may stay
# cached, 8 MB; a malloc arena of its own reserves 64 MB more and stays).
_PROBE = """
import json, sys, threading
from freelancer_desk.ui.main import limit_malloc_arenas
limited = limit_malloc_arenas() if sys.argv[1] == "limit" else None
def vm():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) / 1024
before = vm()
kept = []
t = threading.Thread(target=lambda: kept.extend(bytearray(1000) for _ in range(200)))
t.start(); t.join()
print(json.dumps({"limited": limited, "grown_mb": vm() - before}))
"""


def _probe(mode: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], env=env, capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc arenas only")
def test_threads_share_one_arena_once_limited() -> None:
    free = _probe("free")
    limited = _probe("limit")
    assert limited["limited"] is True
    assert isinstance(free["grown_mb"], float) and isinstance(limited["grown_mb"], float)
    assert free["grown_mb"] >= 64  # a thread's own arena, without the limit
    assert limited["grown_mb"] < 32


def test_the_users_own_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


# A module imported after PySide6: are its source lines kept in linecache?
_SOURCES = """
import json, linecache, sys
import PySide6.QtCore
from freelancer_desk.ui.main import forget_imported_sources
wrapped = forget_imported_sources() if sys.argv[1] == "forget" else None
sys.path.insert(0, sys.argv[2])
import fd_probe_module
print(json.dumps({"wrapped": wrapped, "kept": fd_probe_module.__file__ in linecache.cache,
                  "answer": fd_probe_module.uses()}))
"""


def _sources(mode: str, folder: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _SOURCES, mode, folder], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def test_pysides_source_check_leaves_no_lines_behind(tmp_path: Path) -> None:
    (tmp_path / "fd_probe_module.py").write_text(
        "import PySide6.QtCore\n\n\ndef uses() -> bool:\n    return True\n" + "# padding\n" * 200
    )
    kept = _sources("keep", str(tmp_path))
    forgot = _sources("forget", str(tmp_path))
    assert kept["kept"] is True  # what PySide6 does on its own
    assert forgot == {"wrapped": True, "kept": False, "answer": True}


_TRIM = """
import json, sys
from freelancer_desk.ui.main import limit_malloc_arenas, release_free_memory
limit_malloc_arenas()
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
kept = [bytearray(1000) for _ in range(40_000)]  # ~40 MB of malloc'd blocks
tail = bytearray(1000)  # keeps the heap's top in use: only a trim gives the rest back
del kept
before = rss()
released = release_free_memory() if sys.argv[1] == "trim" else None
print(json.dumps({"released": released, "dropped_mb": before - rss()}))
"""


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc_trim only")
def test_free_heap_pages_go_back_to_the_system() -> None:
    def run(mode: str) -> dict[str, object]:
        out = subprocess.run(
            [sys.executable, "-c", _TRIM, mode], capture_output=True, text=True, check=True
        ).stdout
        result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
        return result

    untouched, trimmed = run("keep"), run("trim")
    assert isinstance(untouched["dropped_mb"], float) and isinstance(trimmed["dropped_mb"], float)
    assert untouched["dropped_mb"] < 5
    assert trimmed == {"released": True, "dropped_mb": trimmed["dropped_mb"]}
    assert trimmed["dropped_mb"] > 20


def test_no_arena_limit_once_threads_run(qtbot) -> None:
    """Only before the first thread: with a QApplication (Qt's threads) it sets nothing."""
    assert limit_malloc_arenas() is False


def test_the_heap_is_trimmed_after_each_snapshot_only(qapp, rig, monkeypatch) -> None:
    """A capture's large buffers (an 8 MB X reply at 1920x1080) are freed on the
    scheduler's thread; the runtime gives them back to the system once the tick that
    took the snapshot reaches the GUI thread, and only then."""
    from freelancer_desk.storage.models import Snapshot
    from freelancer_desk.ui import main as ui_main

    trims: list[int] = []
    monkeypatch.setattr(ui_main, "release_free_memory", lambda: trims.append(1) or True)
    contract = rig.contract("Acme API")
    rig.runtime.start()
    rig.runtime.start_tracking(uuid.UUID(contract), None, "memo")
    rig.work(60)
    assert trims == []  # no picture yet: ticks alone trim nothing
    rig.work(25 * 60)  # snapshots come at random moments, one per 10-minute span
    with rig.app.db.read() as s:
        taken = s.scalar(select(func.count(Snapshot.id)))
    assert taken is not None and taken >= 2
    assert len(trims) == taken
