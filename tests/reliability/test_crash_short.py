"""The crash trials' short version (3 kills) in the default run; the 100-trial run is
`bench/crash_trials.py` (docs/reliability.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness():
    spec = importlib.util.spec_from_file_location(
        "crash_trials", ROOT / "bench" / "crash_trials.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_trials"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.xserver
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_three_sigkills_lose_no_row_and_at_most_a_heartbeat(tmp_path):
    harness = _harness()
    results = harness.run_trials(
        tmp_path / "ws", 3, seed=3, tick=0.5, heartbeat=2.0, kill_range=(3.0, 5.0)
    )
    failures = [(t.number, t.failures) for t in results if not t.ok]
    assert not failures
    assert sum(t.session_started for t in results) >= 2  # kills after start-up recovered
    assert all(t.lost_seconds is None or t.lost_seconds <= 2.0 + 0.5 + 1.5 for t in results)
