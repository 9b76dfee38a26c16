"""Starts the Qt application: opens the backend, offers the demo workspace on a first
start, shows the window — or, with `--screenshot DIR`, renders every area to PNG and
exits."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from freelancer_desk.storage.errors import NotAWorkspace, SchemaTooNew, StorageError
from freelancer_desk.ui.areapage import app_of
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.mainwindow import AREAS, MainWindow, app_icon

SCREENSHOT_SIZE = (1400, 900)
# Failures the user can act on; their message is the whole story, no traceback.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError, LookupError, StorageError)

Opener = Callable[[argparse.Namespace], Backend]


def ensure_app() -> QApplication:
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName("Freelancer Desk")
    QApplication.setOrganizationName("freelancer-desk")
    QGuiApplication.setDesktopFileName("freelancer-desk")
    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    return app


def build_window(backend: Backend, *, remember: bool = True) -> MainWindow:
    """The main window over `backend`, with its saved geometry and area (not shown)."""
    return MainWindow(backend, remember=remember)


def render_screenshots(
    backend: Backend, out_dir: Path, size: tuple[int, int] = SCREENSHOT_SIZE
) -> list[Path]:
    """Render every area to `out_dir/<area-key>.png`; the user's saved window state is
    neither read nor written."""
    app = ensure_app()
    out_dir.mkdir(parents=True, exist_ok=True)
    window = build_window(backend, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(*size)
    window.show()
    paths = []
    try:
        for area in AREAS:
            window.set_area(area.key)
            app.processEvents()
            path = out_dir / f"{area.key}.png"
            if not window.grab().save(str(path)):
                raise OSError(f"could not write {path}")
            paths.append(path)
            paths.extend(_area_extras(area.key, window, out_dir))
        if app_of(backend) is not None:
            from freelancer_desk.ui import import_wizard, settings_dialog

            paths.extend(settings_dialog.screenshot_extras(window, out_dir))
            paths.extend(import_wizard.screenshot_extras(window, out_dir))
    finally:
        window.close()
        window.deleteLater()
    return paths


def _area_extras(key: str, window: MainWindow, out_dir: Path) -> list[Path]:
    """An area module may render its editors too: `screenshot_extras(page, out_dir)`."""
    try:
        module = importlib.import_module(f"freelancer_desk.ui.areas.{key}")
    except ModuleNotFoundError as exc:
        if exc.name != f"freelancer_desk.ui.areas.{key}":
            raise
        return []
    extras = getattr(module, "screenshot_extras", None)
    if extras is None or app_of(window.page(key).backend) is None:
        return []
    return list(extras(window.page(key), out_dir))


def offer_demo(backend: Backend, parent: QWidget | None = None) -> bool:
    """First start: ask whether to open the demo workspace; True if it was created."""
    box = QMessageBox(parent)
    box.setWindowTitle("Welcome to Freelancer Desk")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("This workspace is empty.")
    box.setInformativeText(
        "Explore a demo workspace with clients, gigs, contracts, tracked time and "
        "earnings — or start with an empty one.\n\n"
        f"Workspace folder: {backend.data_dir}"
    )
    demo = box.addButton("Open the demo workspace", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Start empty", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(demo)
    box.exec()
    if box.clickedButton() is demo:
        backend.create_demo()
        return True
    return False


def _has_window_system() -> bool:
    return QGuiApplication.platformName() not in {"offscreen", "minimal", ""}


def report_error(exc: BaseException, *, interactive: bool) -> int:
    """One clear message (a dialog when a user can see it, stderr otherwise); exit 1."""
    expected = isinstance(exc, EXPECTED_ERRORS)
    message = str(exc) or type(exc).__name__
    if not expected:
        traceback.print_exception(exc, file=sys.stderr)
        message = f"Unexpected error: {message}"
    print(f"freelancer-desk: {message}", file=sys.stderr)
    if interactive and QApplication.instance() is not None and _has_window_system():
        QMessageBox.critical(None, "Freelancer Desk could not start", message)
    return 1


def _default_opener(args: argparse.Namespace) -> Backend:
    # Imported late: the application module builds the whole core.
    opener: Opener = importlib.import_module("freelancer_desk.app").open_backend
    return opener(args)


def _no_display() -> bool:
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


class _Declined(Exception):
    """The user chose not to restore a damaged workspace; the reason was shown."""


def _open_or_recover(args: argparse.Namespace, opener: Opener | None, interactive: bool) -> Backend:
    """Open the workspace; when it is damaged or too new, say why and offer the newest
    good backup (the damaged file is moved aside, never overwritten), then try again."""
    open_ = opener or _default_opener
    try:
        if interactive and opener is None:
            from freelancer_desk.ui.recovery import verify_workspace

            verify_workspace(args.data_dir, args.db_url)  # damaged pages inside the file
        return open_(args)
    except (NotAWorkspace, SchemaTooNew) as exc:
        if not interactive:
            raise
        from freelancer_desk.ui.recovery import recover_workspace

        print(f"freelancer-desk: {exc}", file=sys.stderr)
        if not recover_workspace(exc, args.data_dir, args.db_url):
            raise _Declined() from exc
        return open_(args)


def run_gui(args: argparse.Namespace, opener: Opener | None = None) -> int:
    screenshot = getattr(args, "screenshot", None)
    if _no_display():
        if not screenshot:
            print(
                "freelancer-desk: no display (DISPLAY and WAYLAND_DISPLAY are unset); "
                "run it in a desktop session, or use a subcommand",
                file=sys.stderr,
            )
            return 1
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = ensure_app()
    interactive = not screenshot
    from freelancer_desk.domain.errors import RuleError
    from freelancer_desk.services.settings import machine_value
    from freelancer_desk.ui.desktop import apply_theme
    from freelancer_desk.ui.wizard import apply_first_start, needs_first_start, run_first_start

    with contextlib.suppress(RuleError):  # an unreadable settings file: the system look
        apply_theme(machine_value("display.theme"))
    choices = None
    if interactive and opener is None and needs_first_start(args.data_dir, args.db_url):
        choices = run_first_start(None)
        if choices is None:
            return 0
        args.data_dir = str(choices.data_dir)
    # One window per data folder: a second start brings the first to the front. After
    # the wizard, which may have chosen the folder.
    guard = None
    if interactive:
        from freelancer_desk.app import resolve_location
        from freelancer_desk.ui.single_instance import SingleInstance

        guard = SingleInstance(resolve_location(args.data_dir, args.db_url).data_dir)
        if guard.activate_running():
            return 0
        guard.listen()
    try:
        backend = _open_or_recover(args, opener, interactive)
    except _Declined:
        return 1
    except Exception as exc:
        return report_error(exc, interactive=interactive)
    try:
        if screenshot:
            if backend.is_empty():
                backend.create_demo()
            render_screenshots(backend, Path(screenshot))
            return 0
        if choices is not None:
            apply_first_start(choices, backend)
        elif backend.is_empty():
            offer_demo(backend)
        window = build_window(backend)
        window.show()
        if guard is not None:
            from freelancer_desk.ui.single_instance import bring_to_front

            guard.activated.connect(lambda: bring_to_front(window))
        tray = None
        workspace = app_of(backend)
        if workspace is not None:
            from freelancer_desk.ui.tray import install_tray

            # Starts the tracker's scheduler; tracking goes on with the window closed.
            tray = install_tray(window, workspace)
            for notice in workspace.startup_notices:
                window.statusBar().showMessage(notice, 15000)
        code = app.exec()
        del tray
        return code
    except Exception as exc:
        return report_error(exc, interactive=interactive)
    finally:
        backend.close()
