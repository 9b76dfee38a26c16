"""The freedesktop.org files that make the app part of the user's desktop: the menu
entry (~/.local/share/applications), its icons (~/.local/share/icons/hicolor) and the
XDG autostart entry (~/.config/autostart).

Qt-free on purpose: the CLI (`freelancer-desk desktop install`), the settings service
(start at login) and the window all write the same files through this module.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

APP_ID = "freelancer-desk"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


@dataclass(frozen=True)
class XdgDirs:
    """$XDG_DATA_HOME and $XDG_CONFIG_HOME as the spec defines them (read when asked,
    so tests point them at a temporary HOME)."""

    data_home: Path
    config_home: Path

    @classmethod
    def current(cls) -> XdgDirs:
        home = Path(os.environ.get("HOME") or Path.home())

        def base(var: str, fallback: str) -> Path:
            value = os.environ.get(var, "")
            # The spec: a relative path in these variables is invalid and ignored.
            return Path(value) if value and Path(value).is_absolute() else home / fallback

        return cls(base("XDG_DATA_HOME", ".local/share"), base("XDG_CONFIG_HOME", ".config"))

    @property
    def entry(self) -> Path:
        return self.data_home / "applications" / f"{APP_ID}.desktop"

    @property
    def autostart(self) -> Path:
        return self.config_home / "autostart" / f"{APP_ID}.desktop"

    def icon(self, size: int | None) -> Path:
        """hicolor/<n>x<n>/apps/freelancer-desk.png, or scalable/…svg for None."""
        theme = self.data_home / "icons" / "hicolor"
        if size is None:
            return theme / "scalable" / "apps" / f"{APP_ID}.svg"
        return theme / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def launch_command() -> str:
    """How the desktop should start this installation: the `freelancer-desk` script
    next to this Python (a virtualenv is not on the menu's PATH), else by name."""
    script = Path(sys.executable).parent / APP_ID
    if script.exists():
        return shlex.quote(str(script))
    found = shutil.which(APP_ID)
    return shlex.quote(found) if found else APP_ID


def desktop_entry(exec_command: str | None = None, *, autostart: bool = False) -> str:
    """The packaged .desktop file with this installation's Exec line."""
    command = exec_command or launch_command()
    lines = []
    for line in (RESOURCES / f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command}"
        lines.append(line)
    if autostart:
        lines += ["X-GNOME-Autostart-enabled=true", "NoDisplay=false"]
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return path


def install(dirs: XdgDirs | None = None, exec_command: str | None = None) -> list[Path]:
    """Write the menu entry and the icons for this user; returns the files written.
    Installing again replaces them (a moved virtualenv gets its new Exec line)."""
    dirs = dirs or XdgDirs.current()
    written = [
        _write(dirs.entry, desktop_entry(exec_command).encode("utf-8"), 0o755),
        _write(dirs.icon(None), (RESOURCES / "icons" / f"{APP_ID}.svg").read_bytes()),
    ]
    for size in ICON_SIZES:
        png = RESOURCES / "icons" / f"{APP_ID}-{size}.png"
        if png.exists():
            written.append(_write(dirs.icon(size), png.read_bytes()))
    return written


def installed_files(dirs: XdgDirs | None = None) -> list[Path]:
    dirs = dirs or XdgDirs.current()
    candidates = [dirs.entry, dirs.icon(None), *(dirs.icon(size) for size in ICON_SIZES)]
    return [path for path in candidates if path.exists()]


def uninstall(dirs: XdgDirs | None = None) -> list[Path]:
    """Remove what `install` wrote (and the autostart entry); returns the files removed."""
    dirs = dirs or XdgDirs.current()
    removed = installed_files(dirs)
    if dirs.autostart.exists():
        removed.append(dirs.autostart)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def autostart_enabled(dirs: XdgDirs | None = None) -> bool:
    return (dirs or XdgDirs.current()).autostart.exists()


def set_autostart(enabled: bool, dirs: XdgDirs | None = None) -> Path:
    """Start at login on or off: write or remove ~/.config/autostart/freelancer-desk.desktop."""
    dirs = dirs or XdgDirs.current()
    if enabled:
        return _write(dirs.autostart, desktop_entry(autostart=True).encode("utf-8"))
    dirs.autostart.unlink(missing_ok=True)
    return dirs.autostart
