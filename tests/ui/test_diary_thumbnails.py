"""The Work Diary keeps each cell's snapshot thumbnail at the height the cell draws it
(issue 4: a day of 48 cells kept 26 MB of 480 px thumbnails while the diary was open)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from freelancer_desk.ui.areas.diary import THUMB_HEIGHT, _thumbnail


def _jpeg(path: Path, size: tuple[int, int]) -> Path:
    Image.new("RGB", size, (200, 40, 40)).save(path, "JPEG")
    return path


def test_a_stored_thumbnail_is_kept_at_the_cells_height(qapp, tmp_path: Path) -> None:
    kept = _thumbnail(_jpeg(tmp_path / "t.jpg", (480, 270)))
    assert kept is not None
    assert (kept.width(), kept.height()) == (124, THUMB_HEIGHT)  # 16:9 kept
    assert kept.toImage().pixelColor(60, 35).red() > 150  # the picture, not a blank


def test_a_small_thumbnail_is_not_enlarged(qapp, tmp_path: Path) -> None:
    kept = _thumbnail(_jpeg(tmp_path / "t.jpg", (100, 50)))
    assert kept is not None and (kept.width(), kept.height()) == (100, 50)


def test_a_missing_or_unreadable_thumbnail_is_none(qapp, tmp_path: Path) -> None:
    assert _thumbnail(tmp_path / "gone.jpg") is None
    (tmp_path / "bad.jpg").write_bytes(b"not a picture")
    assert _thumbnail(tmp_path / "bad.jpg") is None
