"""Screen snapshots: where the picture comes from, and what is kept of it on disk.

A `ScreenSource` grabs the screen (libxcb through ctypes on X11, `tracker/xcb.py`, which
leaves the GIL free while the X server answers; Pillow's ImageGrab on Windows and macOS,
or on X11 without libxcb; none on Wayland or when the user turned snapshots off). The `SnapshotStore` applies the
contract's policy — off, blurred (downscaled first, then blurred: irreversible) or full
— writes the picture and a ~480 px thumbnail 0600 inside 0700 folders
(`snapshots/YYYY/MM/DD/`), and hashes the stored file. Each snapshot's SHA-256 is
chained to the previous one of the same device, so an evidence export can prove that no
file was altered or removed unnoticed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.evidence import chain_link as chain_link  # re-exported
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Snapshot
from freelancer_desk.tracker.activity import wayland_session

if TYPE_CHECKING:
    # Pillow is imported at the first picture, not with the tracker: a window that
    # tracks without snapshots (or has not taken one yet) never maps its ~2-4 MB.
    from PIL import Image

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
THUMB_WIDTH = 480
BLURRED_WIDTH = 640
BLUR_RADIUS = 3.0
JPEG_QUALITY = 82


class ScreenSource(Protocol):
    name: str

    def grab(self) -> Image.Image:
        """The whole screen now; raises OSError when it cannot be read."""
        ...

    def grab_scaled(self, width: int) -> Image.Image:
        """The whole screen now, downscaled to about `width` (never wider): what a
        blurred snapshot keeps, read without a full-size copy where the source can."""
        ...


class PillowScreen:
    """Pillow's ImageGrab: the X11 root window (all monitors), or the Windows/macOS desktop."""

    name = "pillow"

    def __init__(self, xdisplay: str | None = None) -> None:
        self._xdisplay = xdisplay

    def grab(self) -> Image.Image:
        from PIL import ImageGrab

        if sys.platform.startswith("linux"):
            return ImageGrab.grab(xdisplay=self._xdisplay)
        return ImageGrab.grab(all_screens=True)  # pragma: no cover - Windows/macOS

    def grab_scaled(self, width: int) -> Image.Image:
        return _scaled(self.grab(), width)


class XcbScreen:
    """X11 through libxcb (`tracker/xcb.py`); Pillow's ImageGrab when the screen's pixel
    layout is not the usual one."""

    name = "xcb"

    def __init__(self, xdisplay: str | None = None) -> None:
        from freelancer_desk.tracker.xcb import XcbGrabber

        self._xcb = XcbGrabber(xdisplay)
        self._fallback = PillowScreen(xdisplay)

    def grab(self) -> Image.Image:
        from freelancer_desk.tracker.xcb import XcbUnavailable

        try:
            return self._xcb.grab()
        except XcbUnavailable:
            return self._fallback.grab()

    def grab_scaled(self, width: int) -> Image.Image:
        from freelancer_desk.tracker.xcb import XcbUnavailable

        try:
            return self._xcb.grab_scaled(width)
        except XcbUnavailable:
            return self._fallback.grab_scaled(width)


class FakeScreen:
    """A screen for tests: a busy pattern with fine detail (so blur is measurable), or
    `fail` set to an exception to raise."""

    name = "fake"

    def __init__(self, size: tuple[int, int] = (1920, 1080), fail: Exception | None = None):
        self.size = size
        self.fail = fail
        self.grabs = 0

    def grab(self) -> Image.Image:
        if self.fail is not None:
            raise self.fail
        self.grabs += 1
        from PIL import Image, ImageDraw

        image = Image.new("RGB", self.size, "white")
        draw = ImageDraw.Draw(image)
        width, height = self.size
        for y in range(0, height, 4):  # one-pixel stripes and text: high-frequency detail
            draw.line([(0, y), (width, y)], fill=(20, 20, 20))
        for y in range(8, height, 24):
            draw.text((10, y), "invoice 4711 for ACME " * 12, fill=(200, 0, 0))
        return image

    def grab_scaled(self, width: int) -> Image.Image:
        return _scaled(self.grab(), width)


@dataclass(frozen=True)
class DetectedScreen:
    source: ScreenSource | None
    reason: str


def detect_screen_source(
    env: Mapping[str, str] | None = None, platform: str | None = None, *, enabled: bool = True
) -> DetectedScreen:
    """Pick the screen source, or None with the reason (tracking goes on without it)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not enabled:
        return DetectedScreen(None, "snapshots are turned off in the settings")
    if platform.startswith("win") or platform == "darwin":
        return DetectedScreen(PillowScreen(), "Pillow ImageGrab")
    if wayland_session(env):
        return DetectedScreen(
            None, "Wayland session: no screen snapshots (the desktop does not allow them)"
        )
    display = env.get("DISPLAY")
    if not display:
        return DetectedScreen(None, "no DISPLAY: no X server to take snapshots from")
    from freelancer_desk.tracker.xcb import available

    if available():
        return DetectedScreen(XcbScreen(display), f"libxcb on X11 {display}")
    return DetectedScreen(PillowScreen(display), f"Pillow ImageGrab on X11 {display}")


# -- the pipeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredSnapshot:
    """What the store wrote: paths relative to its root, the stored size and hash."""

    path: str
    thumb_path: str
    width: int
    height: int
    sha256: str


def blur(
    image: Image.Image, width: int = BLURRED_WIDTH, radius: float = BLUR_RADIUS
) -> Image.Image:
    """Irreversibly blurred: the pixels are thrown away first (downscale), then what is
    left is blurred, so no deconvolution can bring text back."""
    from PIL import ImageFilter

    return _scaled(image, width).filter(ImageFilter.GaussianBlur(radius))


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image.copy()
    # Box-average by a whole factor first (a fifth of the time of a filtered resize
    # of the whole screen), then resize what is left.
    factor = image.width // width
    if factor >= 2:
        image = image.reduce(factor)
        if image.width <= width:
            return image
    from PIL import Image

    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.BILINEAR)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.save(buffer, "JPEG", quality=quality, optimize=False)
    return buffer.getvalue()


@dataclass
class SnapshotStore:
    """The snapshot folder. Every folder it makes is 0700 and every file 0600, written
    under a temporary name and renamed, so a half-written file never carries a hash."""

    root: Path
    thumb_width: int = THUMB_WIDTH
    blurred_width: int = BLURRED_WIDTH
    blur_radius: float = BLUR_RADIUS
    quality: int = JPEG_QUALITY
    _made: set[Path] = field(default_factory=set, repr=False)

    def capture(
        self, source: ScreenSource, policy: str, taken_at: datetime, stem: str
    ) -> StoredSnapshot:
        """Grab the screen and `store` it. A blurred snapshot asks the source for the
        downscaled picture only (the full-size one is never made on X11)."""
        if policy == "blurred":
            image = source.grab_scaled(self.blurred_width)
        elif policy == "full":
            image = source.grab()
        else:
            raise ValueError(f"snapshot policy {policy!r} stores nothing")
        return self.store(image, policy, taken_at, stem)

    def store(
        self, image: Image.Image, policy: str, taken_at: datetime, stem: str
    ) -> StoredSnapshot:
        """Apply `policy` ("blurred" or "full") and write picture and thumbnail.

        Raises OSError when the folder cannot be made or a file cannot be written (disk
        full, read-only, not a folder); nothing half-written is left behind.
        """
        if policy == "blurred":
            kept = blur(image, self.blurred_width, self.blur_radius)
        elif policy == "full":
            kept = image
        else:
            raise ValueError(f"snapshot policy {policy!r} stores nothing")
        data = _jpeg(kept, self.quality)
        thumb = _jpeg(_scaled(kept, self.thumb_width), self.quality)
        folder = Path(f"{taken_at:%Y}") / f"{taken_at:%m}" / f"{taken_at:%d}"
        name = f"{taken_at:%H%M%S}-{stem}"
        rel = folder / f"{name}.jpg"
        thumb_rel = folder / f"{name}.thumb.jpg"
        self._make_folder(folder)
        self._write(rel, data)
        try:
            self._write(thumb_rel, thumb)
        except OSError:
            self.delete(rel.as_posix())
            raise
        return StoredSnapshot(
            rel.as_posix(),
            thumb_rel.as_posix(),
            kept.width,
            kept.height,
            hashlib.sha256(data).hexdigest(),
        )

    def path(self, rel: str) -> Path:
        return self.root / rel

    def file_sha256(self, rel: str) -> str | None:
        try:
            return hashlib.sha256(self.path(rel).read_bytes()).hexdigest()
        except FileNotFoundError:
            return None

    def delete(self, rel: str) -> bool:
        """Remove one stored file; False when it was already gone."""
        if not rel:
            return False
        try:
            self.path(rel).unlink()
        except FileNotFoundError:
            return False
        return True

    def _make_folder(self, folder: Path) -> None:
        target = self.root / folder
        if target in self._made and target.is_dir():
            return
        current = self.root
        for part in ("", *folder.parts):
            current = current / part
            try:
                current.mkdir(mode=PRIVATE_DIR)
            except FileExistsError:
                if not current.is_dir():
                    raise NotADirectoryError(f"{current} is not a folder") from None
                continue
            os.chmod(current, PRIVATE_DIR)  # mkdir's mode is cut by the umask
        self._made.add(target)

    def _write(self, rel: Path, data: bytes) -> None:
        final = self.root / rel
        tmp = final.with_name(final.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, PRIVATE_FILE)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


# -- the chain and retention, over the database ------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    snapshot_id: str
    taken_at: datetime
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    files_checked: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(db: Database, store: SnapshotStore, device_id: str) -> ChainReport:
    """Walk this device's snapshots in the order they were taken: each link must follow
    from the one before, and every file still on disk must hash to its recorded value.

    A file removed on purpose (deleted segment, retention) is marked removed: its link
    still counts, its picture is no longer there to check.
    """
    problems: list[ChainProblem] = []
    files = 0
    with db.read() as s:
        rows = s.scalars(
            select(Snapshot)
            .where(Snapshot.device_id == device_id)
            .order_by(Snapshot.taken_at, Snapshot.id)
        ).all()
        prev = ""
        for row in rows:
            where = (str(row.id), row.taken_at)
            if row.prev_chain != prev:
                problems.append(ChainProblem(*where, "does not follow the previous snapshot"))
            if row.chain != chain_link(row.prev_chain, row.sha256):
                problems.append(ChainProblem(*where, "chain value does not match its hash"))
            if row.path and row.removed_at is None:
                files += 1
                actual = store.file_sha256(row.path)
                if actual is None:
                    problems.append(ChainProblem(*where, f"file {row.path} is missing"))
                elif actual != row.sha256:
                    problems.append(ChainProblem(*where, f"file {row.path} was modified"))
            prev = row.chain
    return ChainReport(len(rows), files, tuple(problems))


@dataclass(frozen=True)
class RetentionResult:
    files_deleted: int
    snapshots_expired: int


def apply_retention(
    db: Database, store: SnapshotStore, clock: Clock, days: int, device_id: str
) -> RetentionResult:
    """Delete this device's snapshot files older than `days`. The rows stay, marked
    removed, so the hash chain (and the evidence it gives for newer snapshots) holds."""
    if days < 1:
        raise ValueError(f"retention must be at least 1 day, not {days}")
    cutoff = clock.now() - timedelta(days=days)
    deleted = expired = 0
    with db.session() as s:
        rows = s.scalars(
            select(Snapshot).where(
                Snapshot.device_id == device_id,
                Snapshot.taken_at < cutoff,
                Snapshot.removed_at.is_(None),
            )
        ).all()
        for row in rows:
            deleted += store.delete(row.path) + store.delete(row.thumb_path)
            row.removed_at = clock.now()
            row.removed_reason = "retention"
            expired += 1
    _prune_empty_folders(store.root)
    return RetentionResult(deleted, expired)


def _prune_empty_folders(root: Path) -> None:
    if not root.is_dir():
        return
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
