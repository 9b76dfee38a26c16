"""Stopping an import while it writes (the wizard's Cancel): `apply(stop=…)` polls the
check between batches and before the commit; when it says stop, ImportCancelled is
raised and every table has exactly the rows it had. A check that never says stop
changes nothing about the import."""

from __future__ import annotations

import pytest

from freelancer_desk.importers import money
from freelancer_desk.importers.base import ImportCancelled, decode, import_log
from freelancer_desk.importers.registry import apply, preview

from .conftest import ACME, FIXTURES, GLOBEX, counts
from .test_speed import generate

MAP = {"Acme Corp / Data pipeline": ACME, "Globex LLC / Logo redesign": GLOBEX}


class StopAfter:
    """A stop check that says stop on its n-th call (and counts its calls)."""

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.n is not None and self.calls >= self.n


@pytest.mark.parametrize(
    ("use_batch", "rows", "when"),
    [
        (True, 600, 1),  # after the first 500 rows
        (True, 600, 2),  # after all 600
        (True, 600, "last"),  # before the commit
        (False, 60, 1),  # record() one by one (slow: fewer rows)
        (False, 60, "last"),
    ],
)
def test_a_stopped_money_import_leaves_nothing(app, monkeypatch, use_batch, rows, when):
    monkeypatch.setattr(money, "USE_BATCH", use_batch)
    p = preview(app.db, "upwork", "gen.csv", source=decode(generate(rows), "gen.csv"))
    assert p.ok
    probe = StopAfter(None)
    before = counts(app)
    if when == "last":  # how many checks an import makes: stop at the last one
        dry = apply(app.db, app.clock, app.ledger, p, dry_run=True, stop=probe)
        assert dry.transactions == rows and counts(app) == before
    stop = StopAfter(probe.calls if when == "last" else when)
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        apply(app.db, app.clock, app.ledger, p, stop=stop)
    assert stop.calls == stop.n
    assert counts(app) == before and import_log(app.db) == []
    # Nothing half-done either: the same preview then imports whole.
    done = apply(app.db, app.clock, app.ledger, p, stop=StopAfter(None))
    assert done.transactions == rows and app.check().ok


def test_the_money_import_polls_between_batches(app):
    p = preview(app.db, "upwork", "gen.csv", source=decode(generate(600), "gen.csv"))
    stop = StopAfter(None)
    apply(app.db, app.clock, app.ledger, p, stop=stop)
    # after 500 and 600 rows, after each table's insert, before the commit
    assert stop.calls >= 5


def test_a_stopped_time_import_leaves_nothing(app, contracts):
    p = preview(app.db, "toggl", FIXTURES / "toggl.csv", MAP, {"tz": "America/New_York"})
    assert p.ok
    before = counts(app)
    with pytest.raises(ImportCancelled):
        apply(app.db, app.clock, app.ledger, p, stop=StopAfter(1))
    assert counts(app) == before and import_log(app.db) == []
    done = apply(app.db, app.clock, app.ledger, p, stop=StopAfter(None))
    assert done.sessions > 0 and counts(app) != before
