"""Desktop integration: the menu entry and icons written into a temporary HOME, start
at login, About with every data path, the shortcuts screen, locale formatting."""

from __future__ import annotations

import configparser
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication

from freelancer_desk.domain.money import Money
from freelancer_desk.services import desktop as files
from freelancer_desk.ui.desktop import (
    AboutDialog,
    ShortcutsDialog,
    apply_theme,
    collect_shortcuts,
    format_amounts,
    format_day,
    install_desktop_files,
    relative_day,
)
from freelancer_desk.ui.main import build_window
from freelancer_desk.ui.mainwindow import AREA_KEYS, AREAS
from tests.ui import desk
from tests.ui.fakes import demo_backend as fake_demo_backend

home = desk.home

REQUIRED_KEYS = ("Type", "Name", "Exec", "Icon")


def read_entry(path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def test_install_writes_a_valid_entry_and_icons(home, tmp_path, monkeypatch):
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    written = install_desktop_files()
    entry = data / "applications" / "freelancer-desk.desktop"
    assert entry in written
    fields = read_entry(entry)
    for key in REQUIRED_KEYS:
        assert fields[key], key
    assert fields["Type"] == "Application"
    assert fields["Icon"] == "freelancer-desk"  # found by name in the hicolor theme
    assert fields["Terminal"] == "false"
    assert fields["Categories"].endswith(";")
    assert "freelancer-desk" in fields["Exec"]
    for size in files.ICON_SIZES:
        png = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "freelancer-desk.png"
        image = QImage(str(png))
        assert not image.isNull() and (image.width(), image.height()) == (size, size)
    svg = data / "icons" / "hicolor" / "scalable" / "apps" / "freelancer-desk.svg"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<")
    assert not (home / ".local").exists()  # XDG_DATA_HOME wins over HOME

    assert sorted(files.uninstall()) == sorted(written)
    assert not entry.exists()


def test_install_defaults_to_home_local_share(home):
    install_desktop_files()
    assert (home / ".local/share/applications/freelancer-desk.desktop").is_file()
    assert (home / ".local/share/icons/hicolor/256x256/apps/freelancer-desk.png").is_file()


def test_autostart_on_and_off(home):
    path = files.set_autostart(True)
    assert path == home / ".config" / "autostart" / "freelancer-desk.desktop"
    fields = read_entry(path)
    assert fields["X-GNOME-Autostart-enabled"] == "true"
    assert files.autostart_enabled()
    files.set_autostart(False)
    assert not path.exists() and not files.autostart_enabled()


def test_about_shows_the_version_and_every_data_path(qtbot, home, tmp_path):
    backend = fake_demo_backend(tmp_path)
    about = AboutDialog(backend, db_url="postgresql+psycopg://me:secret@db.example/work")
    qtbot.addWidget(about)
    details = about.details()
    assert "Freelancer Desk 0." in details
    assert str(backend.data_dir) in details
    assert str(backend.data_dir / "snapshots") in details
    assert str(home / ".config" / "freelancer-desk" / "settings.json") in details
    assert "secret" not in details and "me:***@db.example" in details
    about.copy_details()
    assert QApplication.clipboard().text() == details


def test_the_shortcuts_screen_lists_every_shortcut(qtbot, tmp_path):
    window = build_window(fake_demo_backend(tmp_path), remember=False)
    qtbot.addWidget(window)
    pages = [window.page(key) for key in AREA_KEYS]
    shortcuts = collect_shortcuts(window, pages)
    listed = {(s.what, s.keys) for s in shortcuts}
    for number, area in enumerate(AREAS, start=1):
        assert (area.title, f"Ctrl+{number}") in listed
    assert ("Filter", "Ctrl+F") in listed
    assert any(s.keys == "Tab / Shift+Tab" for s in shortcuts)
    # Every QAction with a shortcut in the window is listed.
    from PySide6.QtGui import QAction

    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            assert any(s.keys.startswith(key.toString()) for s in shortcuts), action.text()
    dialog = ShortcutsDialog(shortcuts)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(shortcuts)


def test_locale_formatting():
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert format_amounts([Money(123456, "EUR")], german) == "1.234,56\u00a0€"
    assert format_amounts([]) == "–"
    us = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert format_amounts([Money(500, "EUR"), Money(123456, "USD")], us) == "€5.00\n$1,234.56"
    assert format_day(date(2026, 11, 27), german) == "27.11.26"
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert relative_day(now, now) == "today"
    assert relative_day(datetime(2026, 11, 29, 12, 0, tzinfo=UTC), now) == "in 3 days"
    assert relative_day(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), now) == "2 days ago"


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_theme_is_applied_at_once_and_back(qapp, theme):
    before = qapp.palette().color(QPalette.ColorRole.Window)
    style = qapp.style().name()
    try:
        apply_theme(theme)
        window = qapp.palette().color(QPalette.ColorRole.Window)
        text = qapp.palette().color(QPalette.ColorRole.WindowText)
        if theme == "dark":
            assert window.lightness() < 80 < text.lightness()
        else:
            assert window.lightness() > 180 > text.lightness()
    finally:
        apply_theme("system")
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() == before.lightness()
    assert qapp.style().name() == style
