"""The tracker's fixtures (a migrated workspace, a FakeClock on a Monday, a Tracker on
fake sources, a Driver) for the disk and time trials."""

from tests.tracker.conftest import (  # noqa: F401
    activity,
    clock,
    contract,
    data_dir,
    db,
    drive,
    make_contract,
    make_tracker,
    migrated,
    screen,
    tracker,
)
