"""The app as part of the desktop: the theme, the About dialog (version and where the
data lives), the keyboard shortcuts screen, installing the menu entry and icons, and
locale formatting for the figures the dashboard shows.

The freedesktop files themselves are written by the Qt-free `services.desktop`, which
the CLI shares; number formats come from `ui.tablemodel`, extended here only with what
it lacks (dates, instants and relative days).
"""

from __future__ import annotations

import platform
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyleFactory,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk import __version__
from freelancer_desk.domain.money import Money
from freelancer_desk.services import desktop as desktop_files
from freelancer_desk.services.machine import local_settings_path
from freelancer_desk.ui.tablemodel import display_locale, format_duration, format_money

if TYPE_CHECKING:
    from freelancer_desk.ui.backend import Backend

__all__ = [
    "AboutDialog",
    "ShortcutsDialog",
    "apply_theme",
    "collect_shortcuts",
    "format_amounts",
    "format_day",
    "format_duration",
    "format_instant",
    "format_money",
    "install_desktop_files",
    "relative_day",
]

# -- formatting ------------------------------------------------------------------------


def format_amounts(amounts: Sequence[Money], locale: QLocale | None = None) -> str:
    """One amount per currency on its own line (currencies are never added); "–" for none."""
    shown = [format_money(m, locale or display_locale()) for m in amounts]
    return "\n".join(shown) if shown else "–"


def format_day(day: date, locale: QLocale | None = None) -> str:
    return (locale or display_locale()).toString(
        QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat
    )


def format_instant(instant: datetime, locale: QLocale | None = None) -> str:
    """An instant in the computer's time zone, short form ("Fri 27 Nov, 20:30" style)."""
    local = QDateTime.fromMSecsSinceEpoch(int(instant.timestamp() * 1000)).toLocalTime()
    loc = locale or display_locale()
    return f"{loc.toString(local.date(), 'ddd d MMM')}, {loc.toString(local.time(), QLocale.FormatType.ShortFormat)}"


def relative_day(instant: datetime, now: datetime) -> str:
    """ "today", "tomorrow", "in 3 days", "2 days ago" — by calendar days in local time."""
    today = now.astimezone().date()
    days = (instant.astimezone().date() - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


# -- theme -------------------------------------------------------------------------------

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#34363a",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.Highlight: "#3d6fb4",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#34363a",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#9a9ca1",
    QPalette.ColorRole.Link: "#7aa7e8",
    QPalette.ColorRole.Mid: "#45474c",
    QPalette.ColorRole.Midlight: "#3a3c40",
    QPalette.ColorRole.Dark: "#18191b",
    QPalette.ColorRole.Light: "#505257",
}


def apply_theme(theme: str, app: QApplication | None = None) -> None:
    """ "light", "dark" or "system", applied at once to every open window.

    Qt's colour-scheme hint is set for platforms that honour it; the palette is also
    set explicitly (Fusion style), because several platforms (X11 without a portal,
    offscreen) ignore the hint."""
    application = app or QApplication.instance()
    if not isinstance(application, QApplication):
        return
    hints = QGuiApplication.styleHints()
    original = application.property("freelancer_desk_style")
    if theme == "system":
        hints.unsetColorScheme()
        if isinstance(original, str) and original != application.style().name():
            restored = QStyleFactory.create(original)
            if restored is not None:
                application.setStyle(restored)
        style = application.style()
        application.setPalette(style.standardPalette())
        application.setProperty("freelancer_desk_theme", "system")
        _repolish(application)
        return
    if original is None:
        application.setProperty("freelancer_desk_style", application.style().name())
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        application.setStyle(fusion)
    hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
    palette = application.style().standardPalette()
    if theme == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, colour)
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, "#6f7176")
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, "#6f7176")
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, "#6f7176")
    application.setPalette(palette)
    application.setProperty("freelancer_desk_theme", theme)
    _repolish(application)


def _repolish(application: QApplication) -> None:
    """Widgets with a style sheet keep the palette they were polished with; setting
    the sheet again makes them take the new one."""
    style = application.style()
    for widget in application.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
        style.unpolish(widget)
        style.polish(widget)
        widget.update()


# -- menu entry --------------------------------------------------------------------------


def install_desktop_files() -> list[Path]:
    """The menu entry and icons for this user (the same files `desktop install` writes)."""
    return desktop_files.install()


# -- About -------------------------------------------------------------------------------


class AboutDialog(QDialog):
    """Version, and every place the app keeps something: the workspace, the database,
    snapshots, this machine's settings, the menu entry and the autostart entry."""

    def __init__(
        self, backend: Backend, parent: QWidget | None = None, db_url: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Freelancer Desk")
        self.setAccessibleName("About Freelancer Desk")
        data_dir = backend.data_dir
        app = getattr(backend, "app", None)
        url = db_url or (app.location.db_url if app is not None else "")
        dirs = desktop_files.XdgDirs.current()
        self.paths: list[tuple[str, str]] = [
            ("Workspace folder", str(data_dir)),
            ("Database", _hide_password(url) or "(SQLite in the workspace folder)"),
            ("Snapshots", str(data_dir / "snapshots")),
            ("Settings of this computer", str(local_settings_path())),
            ("Menu entry", str(dirs.entry) if dirs.entry.exists() else "not installed"),
            (
                "Start at login",
                str(dirs.autostart) if dirs.autostart.exists() else "off",
            ),
        ]
        title = QLabel(f"<h2>Freelancer Desk {__version__}</h2>")
        icon = QLabel()
        icon.setPixmap(QGuiApplication.windowIcon().pixmap(64, 64))
        blurb = QLabel(
            "Gigs, proposals, contracts, tracked time and earnings in one local "
            "workspace. No account, no network: everything stays on this computer."
        )
        blurb.setWordWrap(True)
        rows = "".join(
            f"<tr><td style='padding-right:12px'><b>{name}</b></td><td>{value}</td></tr>"
            for name, value in self.paths
        )
        paths = QLabel(f"<table>{rows}</table>")
        paths.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        paths.setAccessibleName("Where Freelancer Desk keeps your data")
        versions = QLabel(
            f"Python {platform.python_version()} · Qt for Python {PYSIDE_VERSION} · "
            f"{platform.system()} {platform.release()}"
        )
        versions.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        open_folder = QPushButton("&Open workspace folder")
        open_folder.setAccessibleName("Open workspace folder")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir)))
        )
        copy = QPushButton("&Copy details")
        copy.setAccessibleName("Copy details")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName("Close")

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(title, 1)
        layout.addLayout(top)
        for widget in (blurb, paths, versions):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def details(self) -> str:
        lines = [f"Freelancer Desk {__version__}", f"Python {sys.version.split()[0]}"]
        lines += [f"{name}: {value}" for name, value in self.paths]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


# -- keyboard shortcuts ------------------------------------------------------------------


@dataclass(frozen=True)
class Shortcut:
    where: str
    what: str
    keys: str


# Keys Qt gives every screen; listed so the help is complete.
STANDARD_KEYS: tuple[Shortcut, ...] = (
    Shortcut("Everywhere", "Next / previous field", "Tab / Shift+Tab"),
    Shortcut("Everywhere", "Open a menu", "Alt + the underlined letter"),
    Shortcut("Everywhere", "Press the focused button", "Space"),
    Shortcut("Dialogs", "OK / Cancel", "Enter / Esc"),
    Shortcut("Tables", "Move, select several", "Arrows, Shift+Arrows, Ctrl+A"),
)

_TOOLTIP_KEY = re.compile(r"^(?P<what>.+) \((?P<keys>[^()]+)\)$")


def _text(action: QAction) -> str:
    """The action's text without mnemonic markers ("&&" is a literal "&")."""
    return re.sub(r"&(?=\S)", "", action.text().replace("&&", "\0")).replace("\0", "&")


def _is_key_sequence(text: str) -> bool:
    keys = QKeySequence.fromString(text, QKeySequence.SequenceFormat.NativeText)
    return not keys.isEmpty() and keys.toString(QKeySequence.SequenceFormat.NativeText) == text


def collect_shortcuts(window: QWidget, area_pages: Iterable[QWidget] = ()) -> list[Shortcut]:
    """Every shortcut the window offers: its actions (menus, Ctrl+1…8), the buttons of
    each area page that have one (their tooltip ends "(keys)"), and the standard keys."""
    found: list[Shortcut] = []
    seen: set[tuple[str, str]] = set()

    def add(item: Shortcut) -> None:
        if (item.where, item.keys) not in seen:
            seen.add((item.where, item.keys))
            found.append(item)

    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if keys and _text(action):
            text = " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            add(Shortcut("Window", _text(action), text))
    for page in area_pages:
        where = page.accessibleName() or "Area"
        for button in page.findChildren(QPushButton):
            match = _TOOLTIP_KEY.match(button.toolTip())
            if match and _is_key_sequence(match["keys"]):
                add(Shortcut(where, match["what"], match["keys"]))
    for item in STANDARD_KEYS:
        add(item)
    return found


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard shortcuts: one table, grouped by where the keys work."""

    def __init__(self, shortcuts: Sequence[Shortcut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.shortcuts = list(shortcuts)
        self.table = QTableWidget(len(self.shortcuts), 3)
        self.table.setAccessibleName("Keyboard shortcuts table")
        self.table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        for row, item in enumerate(self.shortcuts):
            for column, text in enumerate((item.where, item.what, item.keys)):
                cell = QTableWidgetItem(text)
                if column == 2:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName("Close")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Every screen works from the keyboard. Ctrl+1 … Ctrl+8 switch areas; Tab moves "
            "through the fields of the area shown."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)
