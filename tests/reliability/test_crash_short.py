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
    # Killed 0.5-3 s after tracking started and a funding committed (the 100-trial
    # run kills during start-up too); `freelancer-desk check` is left to the long run.
    results = harness.run_trials(
        tmp_path / "ws",
        3,
        seed=3,
        tick=0.5,
        heartbeat=1.0,
        kill_range=(0.5, 3.0),
        after_start=True,
        full_check=False,
    )
    failures = [(t.number, t.failures) for t in results if not t.ok]
    assert not failures
    assert all(t.session_started for t in results)
    assert all(t.lost_seconds is not None and t.lost_seconds <= 1.0 + 0.5 + 1.5 for t in results)
    assert all(t.funded >= 1 for t in results)  # the ledger check had rows to check
