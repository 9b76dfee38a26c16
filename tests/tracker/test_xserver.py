"""Against a real X server (Xvfb under `make test`) with input from xdotool: idle time,
activity, a real screen snapshot, and typed text never reaching the disk."""

from __future__ import annotations

import random
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select

from freelancer_desk.storage.models import Segment, Snapshot
from freelancer_desk.tracker.activity import X11Activity, detect_activity_source
from freelancer_desk.tracker.engine import Tracker
from freelancer_desk.tracker.screen import (
    PillowScreen,
    SnapshotStore,
    XcbScreen,
    detect_screen_source,
)

from .conftest import MONDAY_9

pytestmark = pytest.mark.xserver


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=30)


@pytest.fixture
def x11() -> Iterator[X11Activity]:
    source = X11Activity()
    yield source
    source.close()


@pytest.fixture
def painted_window() -> Iterator[None]:
    """A window with coloured bars, so the screen is not blank."""
    from Xlib import X
    from Xlib.display import Display

    display = Display()
    screen = display.screen()
    window = screen.root.create_window(
        0,
        0,
        1200,
        800,
        0,
        screen.root_depth,
        X.InputOutput,
        X.CopyFromParent,
        background_pixel=screen.white_pixel,
    )
    window.map()
    display.sync()
    time.sleep(0.2)
    colormap = screen.default_colormap
    for index, name in enumerate(["red", "green", "blue", "black", "orange"]):
        pixel = colormap.alloc_named_color(name).pixel
        gc = window.create_gc(foreground=pixel)
        window.fill_rectangle(gc, 40 + index * 220, 40, 180, 700)
        for y in range(60, 700, 6):
            window.fill_rectangle(gc, 20, y, 1150, 2)
    display.sync()
    time.sleep(0.2)
    yield
    window.destroy()
    display.close()


def test_sources_are_detected_on_x11(xserver):
    activity = detect_activity_source()
    assert isinstance(activity.source, X11Activity), activity.reason
    activity.source.close()
    assert detect_screen_source().source is not None


@pytest.mark.parametrize(
    "action", [("mousemove", "--sync", "{x}", "300"), ("type", "--delay", "5", "hello")]
)
def test_x11_idle_time_drops_after_input(x11, action):
    time.sleep(1.2)
    before = x11.idle_seconds()
    assert before is not None and before >= 1.0
    x = str(random.randint(100, 900))
    xdotool(*(a.format(x=x) for a in action))
    after = x11.idle_seconds()
    assert after is not None and after < 0.5, (before, after)


def test_activity_rises_with_input_and_falls_without(db, clock, make_tracker, contract, x11):
    tracker: Tracker = make_tracker(activity=x11, screen=None, flush_seconds=0.0)
    clock.advance(57)  # 09:00:57: minute 0 gets three ticks, minute 1 the rest
    tracker.start(contract)
    for tick in range(8):
        with_input = tick < 3 or tick >= 6
        if with_input:
            xdotool("mousemove", str(200 + tick * 7), "200")
        else:
            time.sleep(1.3)  # real time without input, longer than the 1 s tick
        clock.advance(1)
        tracker.tick()
    tracker.stop()
    with db.read() as s:
        (row,) = s.scalars(select(Segment)).all()
        activity, tracked = list(row.activity), row.tracked_seconds
    assert activity[0] == 3  # 09:00:57-09:01:00, input before every tick
    assert activity[1] == 2  # three ticks without input, then two with
    assert tracked == 8


def test_real_snapshot_of_the_x_screen(tmp_path, painted_window):
    image = PillowScreen().grab()
    assert image.size == (1920, 1080)
    low, high = zip(*ImageStat.Stat(image).extrema, strict=True)
    assert max(high) - min(low) > 100, "the grab is blank"
    store = SnapshotStore(tmp_path / "snaps")
    for policy in ("blurred", "full"):
        stored = store.store(image, policy, clock_instant(), policy)
        for rel in (stored.path, stored.thumb_path):
            path = store.path(rel)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            with Image.open(path) as written:
                assert written.width == (480 if rel.endswith("thumb.jpg") else stored.width)


def test_xcb_reads_the_same_pixels_as_pillow(painted_window, monkeypatch):
    from freelancer_desk.tracker import xcb

    screen = detect_screen_source().source
    assert isinstance(screen, XcbScreen)
    sharp = screen.grab()
    reference = PillowScreen().grab()
    assert sharp.size == (1920, 1080) and sharp.mode == "RGB"
    assert ImageChops.difference(sharp, reference).getbbox() is None
    # Reduced from the raw pixels: the same as reducing Pillow's full-size picture.
    scaled = screen.grab_scaled(640)
    assert scaled.size == (640, 360) and scaled.mode == "RGB"
    assert ImageChops.difference(scaled, reference.reduce(3)).getbbox() is None
    # An unusual pixel layout: Pillow reads the screen instead.
    monkeypatch.setattr(
        xcb.XcbGrabber, "_read", lambda *_a: (_ for _ in ()).throw(xcb.XcbUnavailable("x"))
    )
    assert ImageChops.difference(screen.grab(), reference).getbbox() is None
    assert screen.grab_scaled(640).size == (640, 360)


def test_xcb_on_a_display_that_is_not_there_is_an_oserror():
    from freelancer_desk.tracker.xcb import XcbGrabber

    with pytest.raises(OSError, match="cannot open the X display :77"):
        XcbGrabber(":77").grab()


def clock_instant():
    return MONDAY_9 + timedelta(seconds=random.randint(0, 59))


def test_typed_text_is_found_nowhere_on_disk(
    db, clock, make_tracker, make_contract, data_dir, x11, painted_window
):
    secret = "hunter2-Zq8v-correct-horse"
    tracker: Tracker = make_tracker(
        activity=x11, screen=PillowScreen(), flush_seconds=0.0, rng=random.Random(3)
    )
    contract = make_contract(snapshot_policy="full")
    tracker.start(contract, memo="writing the report")
    for _minute in range(25):
        xdotool("type", "--delay", "2", secret)
        clock.advance(60)
        tracker.tick()
    stopped = tracker.stop()
    assert stopped.tracked_seconds == 1500
    with db.read() as s:
        shots = s.scalars(select(Snapshot)).all()
        levels = s.scalars(select(Segment.active_minutes)).all()
    assert len(shots) >= 2
    assert max(levels) >= 5  # the typing was seen as activity
    db.dispose()
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".jpg" for p in files)
    needles = [secret.encode(), secret.encode("utf-16-le"), secret[:8].encode()]
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} found in {path}"
