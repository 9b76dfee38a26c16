"""Snapshots: one per segment at a random moment, the policy, irreversible blur, private
files, the hash chain, retention and a folder that cannot be written."""

from __future__ import annotations

import itertools
import os
import random
import stat
from datetime import timedelta

import pytest
from PIL import Image, ImageFilter, ImageStat
from sqlalchemy import select

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.models import Segment, Snapshot
from freelancer_desk.tracker.screen import (
    FakeScreen,
    SnapshotStore,
    apply_retention,
    chain_link,
    verify_chain,
)

from .conftest import DEVICE, MONDAY_9


def snapshots(db):
    with db.read() as s:
        rows = s.scalars(select(Snapshot).order_by(Snapshot.taken_at)).all()
        s.expunge_all()
        return rows


def high_frequency_energy(image: Image.Image) -> float:
    """Spread of a Laplacian: large for sharp edges and text, near zero once blurred."""
    laplacian = ImageFilter.Kernel((3, 3), [0, -1, 0, -1, 4, -1, 0, -1, 0], scale=1, offset=128)
    return ImageStat.Stat(image.convert("L").filter(laplacian)).stddev[0]


def test_one_snapshot_per_segment_at_a_random_moment(db, tracker, drive, contract, screen):
    tracker.start(contract)
    drive.run(1800)
    tracker.stop()
    rows = snapshots(db)
    assert screen.grabs == len(rows) == 3
    rng = random.Random(7)  # the tracker's seed: one draw per segment
    for index, row in enumerate(rows):
        slot = MONDAY_9 + timedelta(minutes=10 * index)
        moment = slot + timedelta(seconds=600 * rng.random())
        assert timedelta(0) <= row.taken_at - moment < timedelta(seconds=5)  # the next tick
    offsets = [(r.taken_at - MONDAY_9).total_seconds() % 600 for r in rows]
    assert len(set(offsets)) == 3
    with db.read() as s:
        assert {r.segment_id for r in rows} == set(s.scalars(select(Segment.id)).all())


def test_started_mid_segment_the_moment_falls_after_the_start(db, clock, tracker, drive, contract):
    clock.advance(540)  # 09:09
    tracker.start(contract)
    drive.run(60)
    tracker.stop()
    (row,) = snapshots(db)
    assert MONDAY_9 + timedelta(seconds=540) <= row.taken_at <= MONDAY_9 + timedelta(seconds=600)


@pytest.mark.parametrize("policy", ["off"])
def test_policy_off_takes_none(db, tracker, drive, make_contract, screen, policy):
    tracker.start(make_contract(snapshot_policy=policy))
    drive.run(1200)
    tracker.stop()
    assert snapshots(db) == [] and screen.grabs == 0


def test_no_screen_source_takes_none_and_tracks_anyway(db, make_tracker, drive, contract):
    tracker = make_tracker(screen=None)
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(1200)
    assert tracker.stop().tracked_seconds == 1200
    assert snapshots(db) == []
    assert tracker.status().screen_source is None


def test_no_snapshot_while_idle(db, tracker, drive, contract, screen):
    tracker.start(contract)
    drive.run(5)
    drive.run(1195, active=False)  # idle from 09:00:05: held from 09:10:05 on
    tracker.stop()
    # The first moment may fall before the idle stretch was noticed; none after it.
    assert all(r.taken_at < MONDAY_9 + timedelta(seconds=605) for r in snapshots(db))
    assert screen.grabs <= 1


def test_blurred_is_really_blurred_and_thumbnail_is_480_wide(tmp_path):
    original = FakeScreen((1920, 1080)).grab()
    store = SnapshotStore(tmp_path / "snaps")
    blurred = store.store(original, "blurred", MONDAY_9, "b")
    full = store.store(original, "full", MONDAY_9 + timedelta(seconds=1), "f")
    with Image.open(store.path(blurred.path)) as kept:
        kept.load()
    with Image.open(store.path(blurred.thumb_path)) as thumb:
        assert thumb.width == 480
    with Image.open(store.path(full.path)) as sharp:
        assert sharp.size == (1920, 1080)
    assert (blurred.width, blurred.height) == kept.size == (640, 360)
    # The same picture scaled to the same size without the blur, for a fair comparison.
    reference = original.resize(kept.size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    before, after = high_frequency_energy(reference), high_frequency_energy(kept)
    assert after < 0.2 * before, (before, after)  # measured: 13.8%


def test_files_are_0600_in_0700_folders(db, tracker, drive, contract, data_dir):
    os.umask(0o022)  # a usual umask: the store must not depend on it
    tracker.start(contract)
    drive.run(1200)
    tracker.stop()
    root = data_dir / "snapshots"
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == 4  # two pictures, two thumbnails
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    rel = snapshots(db)[0].path
    assert rel.startswith("2026/01/05/") and not rel.startswith("/")


def test_hash_chain_verifies_and_detects_a_modified_file(db, tracker, drive, contract, data_dir):
    tracker.start(contract)
    drive.run(3000)
    tracker.stop()
    rows = snapshots(db)
    assert len(rows) == 5
    assert rows[0].prev_chain == ""
    for prev, row in itertools.pairwise(rows):
        assert row.prev_chain == prev.chain
        assert row.chain == chain_link(prev.chain, row.sha256)
    store = SnapshotStore(data_dir / "snapshots")
    assert verify_chain(db, store, DEVICE).ok

    path = store.path(rows[2].path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    report = verify_chain(db, store, DEVICE)
    assert [p.problem for p in report.problems] == [f"file {rows[2].path} was modified"]

    with db.session() as s:
        s.get(Snapshot, rows[3].id).sha256 = "0" * 64  # a row edited to match a swapped file
    problems = [p.problem for p in verify_chain(db, store, DEVICE).problems]
    assert "chain value does not match its hash" in problems


def test_deleting_a_segment_deletes_its_snapshot_files_and_keeps_the_chain(
    db, tracker, drive, contract, data_dir
):
    tracker.start(contract)
    drive.run(1800)
    tracker.stop()
    store = SnapshotStore(data_dir / "snapshots")
    middle = snapshots(db)[1]
    deleted = tracker.delete_segment(middle.segment_id)
    assert deleted.snapshot_files_deleted == 2
    assert not store.path(middle.path).exists() and not store.path(middle.thumb_path).exists()
    removed = next(r for r in snapshots(db) if r.id == middle.id)
    assert removed.removed_reason == "segment_deleted" and removed.removed_at is not None
    report = verify_chain(db, store, DEVICE)
    assert report.ok and (report.checked, report.files_checked) == (3, 2)


def test_retention_deletes_old_files_and_keeps_the_chain(
    db, clock, tracker, drive, contract, data_dir
):
    tracker.start(contract)
    drive.run(1200)
    tracker.stop()
    clock.advance(days=3)
    tracker.start(contract)
    drive.run(600)
    tracker.stop()
    store = SnapshotStore(data_dir / "snapshots")
    result = apply_retention(db, store, clock, days=2, device_id=DEVICE)
    assert (result.snapshots_expired, result.files_deleted) == (2, 4)
    assert [r.removed_reason for r in snapshots(db)] == ["retention", "retention", None]
    assert all(r.path for r in snapshots(db))  # the rows still say which file it was
    assert not (data_dir / "snapshots" / "2026" / "01" / "05").exists()
    assert verify_chain(db, store, DEVICE).ok
    with pytest.raises(ValueError):
        apply_retention(db, store, clock, days=0, device_id=DEVICE)


def test_unwritable_folder_keeps_tracking_flags_segments_and_tells_once(
    db, make_tracker, drive, contract, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the snapshot folder should be")
    tracker = make_tracker(snapshot_dir=blocker / "snapshots")
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(1800)
    assert tracker.stop().tracked_seconds == 1800
    with db.read() as s:
        flags = s.scalars(select(Segment.snapshot_missing).order_by(Segment.slot_start)).all()
    assert flags == [True, True, True]
    failed = [n for n in drive.notices if n.kind == "snapshot_failed"]
    assert len(failed) == 1
    assert "tracking goes on" in failed[0].message
    assert snapshots(db) == []


def test_a_failing_screen_is_a_missing_snapshot(db, tracker, drive, contract, screen):
    screen.fail = OSError("X connection lost")
    tracker.start(contract)
    drive.run(600)
    tracker.stop()
    with db.read() as s:
        assert s.scalars(select(Segment.snapshot_missing)).all() == [True]
    assert [n.kind for n in drive.notices] == ["snapshot_failed"]


def test_store_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    store = SnapshotStore(tmp_path / "s")
    calls = {"n": 0}
    real = SnapshotStore._write

    def failing(self, rel, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, rel, data)

    monkeypatch.setattr(SnapshotStore, "_write", failing)
    with pytest.raises(OSError, match="No space"):
        store.store(FakeScreen((320, 200)).grab(), "full", MONDAY_9, "x")
    assert [p for p in (tmp_path / "s").rglob("*") if p.is_file()] == []


def test_fake_clock_is_used_for_taken_at(db, tracker, drive, contract, clock: FakeClock):
    tracker.start(contract)
    drive.run(600)
    tracker.stop()
    (row,) = snapshots(db)
    assert MONDAY_9 <= row.taken_at <= clock.now()


class CountingScreen(FakeScreen):
    """Remembers which picture the store asked for."""

    def __init__(self) -> None:
        super().__init__((1920, 1080))
        self.asked: list[str] = []

    def grab(self) -> Image.Image:
        self.asked.append("full")
        return super().grab()

    def grab_scaled(self, width: int) -> Image.Image:
        self.asked.append(f"scaled {width}")
        return super().grab().reduce(1920 // width)


def test_capture_asks_only_for_what_the_policy_keeps(tmp_path):
    screen = CountingScreen()
    store = SnapshotStore(tmp_path / "snaps")
    blurred = store.capture(screen, "blurred", MONDAY_9, "b")
    full = store.capture(screen, "full", MONDAY_9 + timedelta(seconds=1), "f")
    assert screen.asked == ["scaled 640", "full"]
    assert (blurred.width, blurred.height) == (640, 360)
    assert (full.width, full.height) == (1920, 1080)
    with Image.open(store.path(blurred.path)) as kept:
        # Downscaled by the source, still blurred by the store.
        reference = screen.grab().reduce(3)
        assert high_frequency_energy(kept) < 0.2 * high_frequency_energy(reference)
    with pytest.raises(ValueError, match="stores nothing"):
        store.capture(screen, "off", MONDAY_9, "o")
    assert screen.asked == ["scaled 640", "full", "full"]  # the reference only


def test_the_fake_screen_scales_like_the_real_ones():
    scaled = FakeScreen((1920, 1080)).grab_scaled(640)
    assert scaled.size == (640, 360) and scaled.mode == "RGB"
    assert FakeScreen((500, 300)).grab_scaled(640).size == (500, 300)  # never wider
