"""Starts the Qt application: shows the window at once (an "Opening workspace…" state),
opens the workspace on a worker thread (integrity check, backup, orphan recovery,
catch-up), then fills the window; offers the demo workspace on a first start — or, with
`--screenshot DIR`, renders every area to PNG and exits.

Nothing the window shows first imports SQLAlchemy or the core: the settings file is
read through `services.machine`, the workspace located by `app.resolve_location`.

`FREELANCER_DESK_START_LOG=FILE` appends one JSON line per start mark to FILE
(`{"mark": "window_painted" | "data_shown", "t": epoch seconds}`): how bench/paint.py
measures the start users get."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from freelancer_desk.storage.errors import NotAWorkspace, SchemaTooNew, StorageError
from freelancer_desk.ui.areapage import app_of
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.mainwindow import AREAS, MainWindow, app_icon

SCREENSHOT_SIZE = (1400, 900)
# Failures the user can act on; their message is the whole story, no traceback.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError, LookupError, StorageError)

START_LOG_ENV = "FREELANCER_DESK_START_LOG"
THEMES = ("system", "light", "dark")
M_ARENA_MAX = -8  # glibc's mallopt() parameter (malloc.h)
TRIM_FIRST_MS = 3000  # after the workspace is open: release_free_memory
TRIM_EVERY_MS = 300_000

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


def limit_malloc_arenas(count: int = 1) -> bool:
    """On glibc, `mallopt(M_ARENA_MAX, count)`: the reader, worker and tracker threads
    then allocate from the main heap instead of each growing a 64 MB arena of its own
    (~4 MB less resident with the heavy workspace shown; the threads mostly wait for
    SQLite or for the interpreter's lock, so they hardly contend for malloc's). Called
    before the first thread starts; a MALLOC_ARENA_MAX in the environment wins. False
    when nothing was set (another C library, the user's own setting, or threads already
    running — a second run_gui in one process, as in the tests: their arenas exist)."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    import threading

    if threading.active_count() > 1 or QCoreApplication.instance() is not None:
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        return bool(mallopt(M_ARENA_MAX, count))
    except (ValueError, OSError, AttributeError):  # not glibc
        return False


def release_free_memory() -> bool:
    """On glibc, `malloc_trim(0)`: gives the heap's free pages back to the system (with
    one arena, what the workspace's opening and the first reads freed stays resident
    otherwise: ~3 MB with the heavy workspace). About a millisecond. False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
        trim.argtypes = (ctypes.c_size_t,)
        trim.restype = ctypes.c_int
        trim(0)
        return True
    except (ValueError, OSError, AttributeError):  # not glibc
        return False


def forget_imported_sources() -> bool:
    """PySide6 reads the source of every module imported after it
    (`shibokensupport.feature._mod_uses_pyside`: `inspect.getsource`, to see whether the
    module uses PySide6), and `linecache` keeps every line it read: ~20 MB for SQLAlchemy,
    the core and the areas, which the window imports after Qt. Wraps that check so the
    lines it read are dropped once it has answered (the answer is unchanged), and empties
    what was kept so far. A traceback reads the lines it prints again. False when this
    PySide6 has no such check (nothing wrapped)."""
    import linecache

    wrapped = False
    for name in ("shibokensupport.feature", "PySide6.support.feature", "__feature__"):
        module = sys.modules.get(name)
        check = getattr(module, "_mod_uses_pyside", None)
        if module is None or not callable(check):
            continue
        if not getattr(check, "fd_forgets_sources", False):
            module._mod_uses_pyside = _forgetting(check)  # type: ignore[attr-defined]
        wrapped = True
    linecache.clearcache()
    return wrapped


def _forgetting(check: Callable[[object], bool]) -> Callable[[object], bool]:
    import linecache

    def uses_pyside(module: object) -> bool:
        filename = getattr(module, "__file__", None)
        kept = filename in linecache.cache
        try:
            return check(module)
        finally:
            if isinstance(filename, str) and not kept:
                linecache.cache.pop(filename, None)

    uses_pyside.fd_forgets_sources = True  # type: ignore[attr-defined]
    return uses_pyside


def build_window(backend: Backend, *, remember: bool = True) -> MainWindow:
    """The main window over `backend`, with its saved geometry and area (not shown)."""
    return MainWindow(backend, remember=remember)


def render_screenshots(
    backend: Backend, out_dir: Path, size: tuple[int, int] = SCREENSHOT_SIZE
) -> list[Path]:
    """Render every area to `out_dir/<area-key>.png`; the user's saved window state is
    neither read nor written."""
    ensure_app()
    out_dir.mkdir(parents=True, exist_ok=True)
    window = build_window(backend, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(*size)
    window.show()
    paths = []
    try:
        for area in AREAS:
            window.set_area(area.key)
            window.page(area.key).wait_loaded()
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


class _Cancelled(Exception):
    """The window was closed while the workspace was still opening."""


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


def stored_theme() -> str:
    """`display.theme` from this machine's settings file, read without importing the
    settings service (and with it the ledger and every model); "system" when unset,
    unknown or unreadable — as `services.settings.machine_value` decodes it."""
    from freelancer_desk.services.machine import LocalSettings

    try:
        stored = LocalSettings().read().get("display.theme")
    except (OSError, ValueError):  # RuleError is a ValueError: an unreadable file
        return "system"
    value = stored.get("v") if isinstance(stored, dict) else None
    return value if isinstance(value, str) and value in THEMES else "system"


def _may_need_first_start(args: argparse.Namespace) -> bool:
    """False when the command line, the environment or this machine's settings name the
    workspace (checked without importing the settings service); otherwise the wizard
    module decides (`wizard.needs_first_start`)."""
    from freelancer_desk.services.machine import DATA_DIR_ENV, DB_URL_ENV, location_value

    if args.data_dir or args.db_url or os.environ.get(DATA_DIR_ENV) or os.environ.get(DB_URL_ENV):
        return False
    try:
        if location_value("storage.data_dir") or location_value("storage.db_url"):
            return False
    except ValueError:  # an unreadable settings file: let the wizard module say so
        pass
    from freelancer_desk.ui.wizard import needs_first_start

    return needs_first_start(args.data_dir, args.db_url)


# What the worker thread runs: work(say, ready) -> backend. `say(text)` tells what it
# does next; `ready(backend)` hands the backend over as soon as it can be read (the
# window shows the data while the worker goes on with the checks and the catch-up).
Work = Callable[[Callable[[str], None], Callable[[Backend], None]], Backend]


class WorkspaceOpener(QObject):
    """Opens the workspace on a worker thread; `readable(backend)` (the data can be
    shown), then `opened(backend)` (checked and caught up) or `failed(error)` arrive on
    the GUI thread, `step(text)` says what it is doing. The result is also kept
    (`backend`, `error`) for whoever `wait()`s after the event loop has ended.

    `cancel()` makes the worker stop at its next step (between units of work, never
    inside one); a backend it still made is closed by `wait()`'s caller."""

    readable = Signal(object)
    opened = Signal(object)
    failed = Signal(object)
    step = Signal(str)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._thread: threading.Thread | None = None
        self._cancelled = threading.Event()
        self.backend: Backend | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self.backend = None
        self.error = None
        self._thread = threading.Thread(target=self._run, name="open-workspace", daemon=True)
        self._thread.start()

    def _say(self, text: str) -> None:
        if self._cancelled.is_set():
            raise _Cancelled()
        self.step.emit(text)

    def _ready(self, backend: Backend) -> None:
        self.backend = backend  # from here on, whoever stops the worker closes it
        _import_window_modules()
        _prepare_tracker(backend)
        # What start-up made (modules, mappers, the tracker) lives as long as the process:
        # kept out of the collector's full walks from now on. Without it, a full
        # collection a reader set off as the window showed its first data walked all of
        # it with the GIL held: 90-180 ms (a gc callback in `python -m freelancer_desk`
        # on the heavy copy, load ~4; none since).
        gc.collect(1)
        gc.freeze()
        if not self._cancelled.is_set():
            self.readable.emit(backend)

    def _run(self) -> None:
        try:
            backend = self._work(self._say, self._ready)
        except _Cancelled:
            return
        except BaseException as exc:  # shown by the GUI thread
            self.error = exc
            self.failed.emit(exc)
            return
        self.backend = backend
        if self._cancelled.is_set():
            return  # nobody waits for it: wait()'s caller closes it
        self.opened.emit(backend)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        self._cancelled.set()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _import_window_modules() -> None:
    """Import the area modules (and the services and forms they import) and the tray on
    the worker thread, before the window shows the data: the GUI thread then does not
    import them when it builds an area (0.1-0.3 s each the first time)."""
    import pkgutil

    from freelancer_desk.ui import areas

    for module in pkgutil.iter_modules(areas.__path__):
        importlib.import_module(f"{areas.__name__}.{module.name}")
    importlib.import_module("freelancer_desk.ui.tray")


def _prepare_tracker(backend: Backend) -> None:
    """Make the application's tracker (its idle-time and screen sources: python-xlib's
    import and a connection to the X server, ~30-60 ms) on the opening worker thread, not
    on the GUI thread when the window attaches it."""
    app = app_of(backend)
    if app is not None:
        app.tracker  # noqa: B018  (a cached property: made here, once)


def _stored_revision(path: Path) -> str | None:
    """The schema revision a SQLite workspace says it has (None if it cannot be read)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _opening_work(args: argparse.Namespace, opener: Opener | None) -> Work:
    """What the worker thread does: `open_backend` — open (schema check), hand the
    workspace to the window, then the full integrity check (`PRAGMA quick_check`, ~1 s on
    a large file), then the writes (the day's backup, orphan recovery, catch-up). A
    damaged page thus still stops everything before anything writes to the file; the
    user reads meanwhile. A file that needs a migration (which writes) is checked before
    it is opened, as before. Or the tests' opener."""

    def work(say: Callable[[str], None], ready: Callable[[Backend], None]) -> Backend:
        if opener is not None:
            say("Opening the workspace…")
            given = opener(args)
            ready(given)
            return given
        app_module = importlib.import_module("freelancer_desk.app")
        from freelancer_desk.storage.revision import HEAD
        from freelancer_desk.storage.workspace import sqlite_path
        from freelancer_desk.ui.recovery import verify_workspace

        path = sqlite_path(app_module.resolve_location(args.data_dir, args.db_url).db_url)
        existing = path is not None and path.exists()
        check_first = existing and path is not None and _stored_revision(path) != HEAD
        if check_first:
            say("Checking the workspace file…")
            verify_workspace(args.data_dir, args.db_url)
        say("Opening the workspace…")
        backend: Backend = app_module.open_backend(
            args, step=say, ready=ready, check_file=existing and not check_first
        )
        return backend

    return work


class _StartMarks(QObject):
    """With FREELANCER_DESK_START_LOG set: the wall time of the main window's first paint
    and of the first paint after its data arrived, one JSON line each."""

    def __init__(self, path: str, window: MainWindow) -> None:
        super().__init__(window)
        self._path = path
        self._window = window
        self._done: set[str] = set()

    def mark(self, name: str) -> None:
        if name in self._done:
            return
        self._done.add(name)
        line = json.dumps({"mark": name, "t": time.time(), "pid": os.getpid()})
        with open(self._path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Paint or not isinstance(obj, QWidget):
            return False
        if obj.window() is self._window:
            self.mark("window_painted")
            area = self._window.stack.currentWidget()
            if (
                self._window.is_open
                and area is not None
                and (obj is area or area.isAncestorOf(obj))
            ):
                self.mark("data_shown")  # the chosen area itself, over the open workspace
        return False


class _AfterFirstPaint(QObject):
    """Calls `then()` once, after `window`'s first paint (or after FALLBACK_MS if none
    comes: a minimised or unmapped window). The worker thread starts there, so its
    imports and queries do not compete for the interpreter while the window paints."""

    FALLBACK_MS = 400

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(self.FALLBACK_MS, self._fire)

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()

    def disarm(self) -> None:
        """Never call `then()` any more (the event loop ended before it was called)."""
        self._then = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._fire)  # after this paint is done
        return False


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
    limit_malloc_arenas()  # before Qt's and our threads start
    forget_imported_sources()  # before the core and SQLAlchemy are imported
    app = ensure_app()
    interactive = not screenshot
    from freelancer_desk.ui.desktop import apply_theme

    apply_theme(stored_theme())
    if not interactive:
        return _run_screenshots(args, opener, Path(str(screenshot)))
    choices = None
    if opener is None and _may_need_first_start(args):
        from freelancer_desk.ui.wizard import run_first_start

        choices = run_first_start(None)
        if choices is None:
            return 0
        args.data_dir = str(choices.data_dir)
    # One window per data folder: a second start brings the first to the front. After
    # the wizard, which may have chosen the folder.
    from freelancer_desk.app import resolve_location
    from freelancer_desk.ui.single_instance import SingleInstance, bring_to_front

    data_dir = resolve_location(args.data_dir, args.db_url).data_dir
    guard = SingleInstance(data_dir)
    if guard.activate_running():
        return 0
    guard.listen()

    # The window first, in its "Opening workspace…" state; the workspace opens behind it.
    window = MainWindow(None, data_dir=data_dir)
    guard.activated.connect(lambda: bring_to_front(window))
    log = os.environ.get(START_LOG_ENV)
    opener_ = WorkspaceOpener(_opening_work(args, opener), window)
    opener_.step.connect(window.show_opening_step)
    if log:
        marks = _StartMarks(log, window)
        app.installEventFilter(marks)
        opener_.step.connect(lambda text: marks.mark(f"step: {text}"))
        opener_.readable.connect(lambda _backend: marks.mark("readable"))
        opener_.opened.connect(lambda _backend: marks.mark("opened"))
    trim = QTimer(window)
    trim.setInterval(TRIM_EVERY_MS)
    trim.timeout.connect(release_free_memory)
    failed_with: list[int] = []  # the exit code of a start that failed
    trays: list[object] = []

    def fail(code: int) -> None:
        failed_with.append(code)
        window.close()
        app.quit()

    def on_readable(backend: Backend) -> None:
        if not window.isVisible():  # closed meanwhile: wait()'s caller closes it
            return
        try:
            window.attach(backend)
        except Exception:
            # Most likely a damaged file, which the integrity check that follows reports
            # with the recovery dialog; otherwise `on_opened` tries again and says why.
            window.detach()

    def on_opened(backend: Backend) -> None:
        if not window.isVisible():  # closed meanwhile: wait()'s caller closes it
            return
        try:
            if window.backend is None:
                window.attach(backend)
            if choices is not None:
                from freelancer_desk.ui.wizard import apply_first_start

                apply_first_start(choices, backend)
            elif backend.is_empty():
                offer_demo(backend, window)
            window.statusBar().showMessage(f"Workspace: {backend.data_dir}")
            # Once the first reads are in; then now and then (idle or tracking).
            QTimer.singleShot(TRIM_FIRST_MS, release_free_memory)
            trim.start()
            workspace = app_of(backend)
            if workspace is not None:
                from freelancer_desk.ui.tray import install_tray

                # Starts the tracker's scheduler; tracking goes on with the window closed.
                trays.append(install_tray(window, workspace))
                for notice in workspace.startup_notices:
                    window.statusBar().showMessage(notice, 15000)
        except Exception as exc:
            fail(report_error(exc, interactive=True))

    def on_failed(exc: BaseException) -> None:
        # The integrity check runs after the data is shown: put the window back in its
        # opening state and close that workspace before anything is moved or restored.
        shown = window.detach()
        stale = shown or opener_.backend
        opener_.backend = None
        if stale is not None:
            stale.close()
        if isinstance(exc, NotAWorkspace | SchemaTooNew):
            window.show_opening_step("The workspace file cannot be used.")
            from freelancer_desk.ui.recovery import recover_workspace

            print(f"freelancer-desk: {exc}", file=sys.stderr)
            if recover_workspace(exc, args.data_dir, args.db_url, window):
                # A good backup is in place: open it, without checking the whole file again.
                opener_._work = _restored_work(args, opener)
                opener_.start()
                return
            fail(1)
            return
        fail(report_error(exc, interactive=True))

    opener_.readable.connect(on_readable)
    opener_.opened.connect(on_opened)
    opener_.failed.connect(on_failed)
    starter = _AfterFirstPaint(window, opener_.start)
    window.show()
    try:
        code = app.exec()
    finally:
        # Closed while opening: the worker stops at its next step; whatever it opened is
        # closed here, after it finished its unit of work.
        starter.disarm()
        opener_.cancel()
        for signal in (opener_.readable, opener_.opened, opener_.failed, opener_.step):
            signal.disconnect()  # what the worker still says is for nobody now
        opener_.wait()
        trays.clear()
        backend = window.backend or opener_.backend
        if backend is not None:
            backend.close()
        window.deleteLater()
        # A quit asked for twice (the last window closed, then `fail`) leaves one Quit
        # event posted: it would end the next event loop of this process at once.
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
    return failed_with[0] if failed_with else code


def _restored_work(args: argparse.Namespace, opener: Opener | None) -> Work:
    """After a backup was restored (it passed `check_backup`): open it, no second check."""

    def work(say: Callable[[str], None], ready: Callable[[Backend], None]) -> Backend:
        say("Opening the restored workspace…")
        if opener is not None:
            backend = opener(args)
            ready(backend)
            return backend
        app_module = importlib.import_module("freelancer_desk.app")
        restored: Backend = app_module.open_backend(args, step=say, ready=ready)
        return restored

    return work


def _run_screenshots(args: argparse.Namespace, opener: Opener | None, out: Path) -> int:
    """`--screenshot DIR`: open the workspace (the demo if it is empty), render every
    area, exit; no window is shown and nothing is asked."""
    try:
        backend = _open_or_recover(args, opener, interactive=False)
    except Exception as exc:
        return report_error(exc, interactive=False)
    try:
        if backend.is_empty():
            backend.create_demo()
        render_screenshots(backend, out)
        return 0
    except Exception as exc:
        return report_error(exc, interactive=False)
    finally:
        backend.close()
