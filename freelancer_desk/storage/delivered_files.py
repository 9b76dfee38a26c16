"""The copies of delivered files, kept in the data folder under `deliveries/`.

A delivered file is copied in, content-addressed by its SHA-256: `deliveries/ab/<sha256>`
plus the file's own suffix when it has a plain one (`.pdf`, `.zip`), so the desktop
opens the copy with the right program. The same file sent twice (to one buyer or two)
is stored once. A stored copy is never rewritten or removed.

Writing is crash-safe: the file is read once, hashed while it is copied to a temporary
name in `deliveries/.incoming/`, flushed to disk (fsync), then renamed to its final
name and the folder flushed. Only then does the caller commit the row that names it.
A copy that fails (unreadable, over the limit, disk full) leaves no file behind; a crash
between the rename and the commit leaves an unreferenced copy, which a later delivery
of the same file reuses, and no row. Folders are 0700 and files 0600, as snapshots.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from freelancer_desk.domain.errors import RuleError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
CHUNK = 1 << 20
MAX_FILE_BYTES = 1 << 30  # 1 GiB a file: a copy is kept of each
MAX_FILES = 20  # a delivery's files
INCOMING = ".incoming"
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
# Where a copy is kept: by its SHA-256, with the lowercased suffix of its name.
STORED_PATH = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,10})?")


@dataclass(frozen=True)
class StoredFile:
    """A file copied into the store: what its row records."""

    name: str  # as sent (the picked file's name)
    size_bytes: int
    sha256: str
    media_type: str | None
    stored_path: str  # relative to the store's root, "ab/abcd….pdf"
    source_path: str  # where it was picked from
    reused: bool  # the same content was already kept: nothing new was written


def _size_words(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GiB"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MiB"
    return f"{size:,} bytes"


def _refuse(rule: str, message: str) -> RuleError:
    return RuleError(f"delivery.{rule}", message, field="files")


class DeliveredFiles:
    """The `deliveries/` folder of one data folder."""

    def __init__(self, root: Path, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes

    def path(self, stored_path: str) -> Path:
        """The kept copy's full path (it may be missing on another machine)."""
        return self.root / stored_path

    def kept_copy(self, stored_path: str, sha256: str) -> Path | None:
        """The copy of a row's file, if `stored_path` is where its SHA-256 is kept
        (`ab/<sha256>[.ext]`) and the file is there; None otherwise. A row edited or
        imported with another path (`../../x`) never names a file outside the folder."""
        if not STORED_PATH.fullmatch(stored_path) or not stored_path.startswith(
            f"{sha256[:2]}/{sha256}"
        ):
            return None
        path = self.root / stored_path
        return path if path.is_file() else None

    def copies(self) -> Iterator[tuple[str, int]]:
        """Every file kept in the folder, as (path relative to the root, size in bytes):
        the copies (`ab/<sha256>.pdf`) and anything else found there, but not the
        temporary copies in `.incoming/` (`unfinished`). Nothing when there is no folder
        yet; a file that vanishes while listed is left out."""
        yield from self._files(self.root, "", skip=INCOMING)

    def unfinished(self) -> Iterator[tuple[str, int]]:
        """The temporary copies in `.incoming/`, as `copies` lists them: a delivery being
        copied right now, or one a crash or a kill stopped before its rename."""
        yield from self._files(self.root / INCOMING, f"{INCOMING}/", skip=None)

    @classmethod
    def _files(cls, folder: Path, prefix: str, skip: str | None) -> Iterator[tuple[str, int]]:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != skip:
                        yield from cls._files(Path(entry.path), f"{prefix}{entry.name}/", None)
                elif entry.is_file(follow_symlinks=False):
                    yield f"{prefix}{entry.name}", entry.stat(follow_symlinks=False).st_size
            except FileNotFoundError:
                continue

    def check(self, source: str | os.PathLike[str]) -> Path:
        """The picked file, resolved, if it can be delivered; a refusal naming it if it
        is missing, not a regular file, unreadable or over the limit."""
        path = Path(source).expanduser()
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:  # bytes the file system took that are not UTF-8
            raise _refuse(
                "file_name",
                f"file {str(path).encode('utf-8', 'replace').decode()}: its name is not "
                "valid UTF-8; rename it to deliver it",
            ) from None
        try:
            info = path.stat()
        except FileNotFoundError:
            raise _refuse("file_missing", f"file {path}: no such file") from None
        except OSError as exc:
            raise _refuse(
                "file_unreadable", f"file {path}: cannot read it ({exc.strerror or exc})"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise _refuse("file_not_regular", f"file {path}: not a regular file")
        if info.st_size > self.max_file_bytes:
            raise _refuse(
                "file_too_large",
                f"file {path}: {_size_words(info.st_size)}, more than the "
                f"{_size_words(self.max_file_bytes)} a delivered file may have",
            )
        if not os.access(path, os.R_OK):
            raise _refuse("file_unreadable", f"file {path}: cannot read it (permission denied)")
        return path.resolve()

    def store(self, source: str | os.PathLike[str]) -> StoredFile:
        """Copy one file in (or find its copy already kept); see the module's text for
        what a failure leaves. Raises RuleError naming the file."""
        path = self.check(source)
        incoming = self.root / INCOMING
        try:
            self._make_folder(incoming)
        except OSError as exc:
            raise _refuse(
                "store_unavailable",
                f"file {path}: cannot keep a copy in {self.root} ({exc.strerror or exc})",
            ) from None
        tmp = incoming / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        reading = True  # which side failed: the picked file, or the copy
        try:
            with path.open("rb") as src:
                reading = False
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
                with os.fdopen(fd, "wb") as out:
                    while True:
                        reading = True
                        block = src.read(CHUNK)
                        reading = False
                        if not block:
                            break
                        size += len(block)
                        if size > self.max_file_bytes:  # it grew while being copied
                            raise _refuse(
                                "file_too_large",
                                f"file {path}: more than the "
                                f"{_size_words(self.max_file_bytes)} a delivered file may have",
                            )
                        digest.update(block)
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
            sha = digest.hexdigest()
            stored = f"{sha[:2]}/{sha}{self._suffix(path.name)}"
            final = self.root / stored
            # Kept already (the same content): the copy just made replaces it all the
            # same, so a kept copy altered since (same size or not) is made right, not
            # named by one more row.
            reused = final.is_file()
            self._make_folder(final.parent)
            os.replace(tmp, final)
            self._sync_folder(final.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if reading:
                raise _refuse(
                    "file_unreadable", f"file {path}: cannot read it ({exc.strerror or exc})"
                ) from None
            raise _refuse(
                "file_copy",
                f"file {path}: cannot keep a copy in {self.root} ({exc.strerror or exc})",
            ) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        media_type, _ = mimetypes.guess_type(path.name, strict=False)
        return StoredFile(
            name=path.name[:255],
            size_bytes=size,
            sha256=sha,
            media_type=media_type,
            stored_path=stored,
            source_path=str(path),
            reused=reused,
        )

    @staticmethod
    def _suffix(name: str) -> str:
        suffix = Path(name).suffix
        return suffix.lower() if _SUFFIX.match(suffix) else ""

    def _make_folder(self, folder: Path) -> None:
        """`folder` (the root or one level below it), 0700, with the root."""
        for target in (self.root, folder):
            try:
                target.mkdir(mode=PRIVATE_DIR)
            except FileExistsError:
                if not target.is_dir():
                    raise NotADirectoryError(f"{target} is not a folder") from None
                continue
            os.chmod(target, PRIVATE_DIR)  # mkdir's mode is cut by the umask

    @staticmethod
    def _sync_folder(folder: Path) -> None:
        """The rename reaches the disk: fsync the folder (where the system allows it)."""
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
