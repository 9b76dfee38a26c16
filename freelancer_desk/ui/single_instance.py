"""One window per workspace: a second start of the GUI on the same data folder asks the
first to come to the front and exits.

The first instance listens on a local socket (a Unix socket only this user may open, or
a named pipe on Windows) named after the data folder; a later start connects to it,
sends "activate" and exits 0. A socket left behind by a crashed instance answers no
connection, so it is removed and taken over.

On Unix the socket is Python's own (`socket.AF_UNIX` at the path Qt's QLocalServer uses:
$TMPDIR or /tmp, then the key, so either end may be an older version), watched by a
QSocketNotifier: the window's process does not load QtNetwork (and with it libQt6Network
and Kerberos' libraries, ~2.5 MB resident) for one line a second start sends. Windows
keeps QLocalServer's named pipe.

In `run_gui`:

    guard = SingleInstance(data_dir)
    if guard.activate_running():
        return 0
    guard.listen()
    ...
    guard.activated.connect(lambda: bring_to_front(window))
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Qt, Signal
from PySide6.QtWidgets import QWidget

ACTIVATE = b"activate\n"
CONNECT_MS = 500
WRITE_MS = 1000
MAX_LINE = 64  # what a peer may send before its connection is dropped
_QT_PIPES = sys.platform == "win32"  # named pipes: QLocalServer / QLocalSocket


def instance_key(data_dir: Path) -> str:
    """The local socket's name: per user and per data folder (short enough for the
    108-byte Unix socket path limit)."""
    folder = os.path.normcase(str(Path(data_dir).expanduser().resolve()))
    digest = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:16]
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    return f"freelancer-desk-{user}-{digest}"


def socket_path(key: str) -> str:
    """Where QLocalServer puts a socket named `key` on Unix (QDir::tempPath()/key)."""
    folder = os.path.normpath(os.environ.get("TMPDIR") or "/tmp")
    return os.path.join(folder, key)


class SingleInstance(QObject):
    """The guard for one data folder. `activated` fires (on the GUI thread) each time a
    later start asks this instance to come to the front."""

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = instance_key(data_dir)
        self.path = socket_path(self.key)
        self.server: Any = None  # QLocalServer (Windows) or the listening socket
        self._notifier: QSocketNotifier | None = None
        self._peers: dict[int, tuple[socket.socket, QSocketNotifier, bytearray]] = {}
        # Notifiers are owned here, not by Qt's parent (a parented one deleted later
        # crashed PySide6 when the guard went away); a spent one is disabled and dropped
        # outside its own signal.
        self._spent: list[QSocketNotifier] = []

    def activate_running(self) -> bool:
        """True when another instance listens on this folder (it was asked to come to
        the front: exit now); False when none runs."""
        if _QT_PIPES:
            return self._qt_activate_running()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(CONNECT_MS / 1000)
                conn.connect(self.path)
                conn.settimeout(WRITE_MS / 1000)
                conn.sendall(ACTIVATE)
                conn.shutdown(socket.SHUT_WR)
        except OSError:  # no socket file, nobody listening (refused), or no answer
            return False
        return True

    def listen(self) -> bool:
        """Become the instance for this folder. False (and the guard stays inert) only
        if the socket cannot be made at all; the app then runs unguarded."""
        if _QT_PIPES:
            return self._qt_listen()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                server.bind(self.path)
            except OSError:
                # A socket file left by a crashed instance: nobody answers on it.
                if self.activate_running():
                    server.close()
                    return False
                os.unlink(self.path)
                server.bind(self.path)
            os.chmod(self.path, 0o700)  # only this user may connect (as Qt's UserAccess)
            server.listen(8)
            server.setblocking(False)
        except OSError as exc:
            server.close()
            print(f"freelancer-desk: note: no single-instance guard ({exc})", file=sys.stderr)
            return False
        self.server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(lambda *_args: self._accept())
        return True

    def _accept(self) -> None:
        self._spent.clear()
        while self.server is not None:
            try:
                conn, _address = self.server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn.setblocking(False)
            fd = conn.fileno()
            notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
            self._peers[fd] = (conn, notifier, bytearray())
            notifier.activated.connect(lambda *_args, fd=fd: self._read(fd))
            self._read(fd)

    def _read(self, fd: int) -> None:
        peer = self._peers.get(fd)
        if peer is None:
            return
        conn, _notifier, pending = peer
        while True:
            try:
                data = conn.recv(256)
            except (BlockingIOError, InterruptedError):
                return  # more later
            except OSError:
                data = b""
            if not data:
                self._drop(fd)
                return
            pending.extend(data)
            while b"\n" in pending:
                line, _, rest = bytes(pending).partition(b"\n")
                pending[:] = rest
                if line + b"\n" == ACTIVATE:
                    self.activated.emit()
            if len(pending) > MAX_LINE:
                self._drop(fd)
                return

    def _drop(self, fd: int) -> None:
        conn, notifier, _pending = self._peers.pop(fd)
        notifier.setEnabled(False)
        self._spent.append(notifier)
        conn.close()

    def close(self) -> None:
        if self.server is None:
            return
        if _QT_PIPES:
            self.server.close()
            self.server = None
            return
        for fd in list(self._peers):
            self._drop(fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._spent.append(self._notifier)
            self._notifier = None
        self.server.close()
        self.server = None
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    # -- Windows: QLocalServer's named pipe ------------------------------------------

    def _qt_activate_running(self) -> bool:  # pragma: no cover - Windows
        from PySide6.QtNetwork import QLocalSocket

        conn = QLocalSocket()
        conn.connectToServer(self.key)
        if not conn.waitForConnected(CONNECT_MS):
            return False
        conn.write(ACTIVATE)
        conn.flush()
        conn.waitForBytesWritten(WRITE_MS)
        conn.disconnectFromServer()
        if conn.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            conn.waitForDisconnected(WRITE_MS)
        return True

    def _qt_listen(self) -> bool:  # pragma: no cover - Windows
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            if self._qt_activate_running():
                return False
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                print(
                    f"freelancer-desk: note: no single-instance guard ({server.errorString()})",
                    file=sys.stderr,
                )
                return False

        def accept() -> None:
            while server.hasPendingConnections():
                conn = server.nextPendingConnection()
                conn.readyRead.connect(lambda c=conn: read(c))
                conn.disconnected.connect(conn.deleteLater)
                if conn.bytesAvailable():
                    read(conn)

        def read(conn: Any) -> None:
            while conn.canReadLine():
                if bytes(conn.readLine().data()) == ACTIVATE:
                    self.activated.emit()

        server.newConnection.connect(accept)
        self.server = server
        return True


def bring_to_front(window: QWidget) -> None:
    """Show the window (from the tray or minimized), raise it and give it the focus."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


__all__ = ["SingleInstance", "bring_to_front", "instance_key", "socket_path"]
