"""One window per workspace: a second start of the GUI on the same data folder asks the
first to come to the front and exits.

The first instance listens on a local socket (a Unix socket only this user may open, or
a named pipe on Windows) named after the data folder; a later start connects to it,
sends "activate" and exits 0. A socket left behind by a crashed instance answers no
connection, so it is removed and taken over.

In `run_gui`:

    guard = SingleInstance(data_dir)
    if guard.activate_running():
        return 0
    guard.listen()
    ...
    guard.activated.connect(lambda: bring_to_front(window))
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

ACTIVATE = b"activate\n"
CONNECT_MS = 500
WRITE_MS = 1000


def instance_key(data_dir: Path) -> str:
    """The local socket's name: per user and per data folder (short enough for the
    108-byte Unix socket path limit)."""
    folder = os.path.normcase(str(Path(data_dir).expanduser().resolve()))
    digest = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:16]
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    return f"freelancer-desk-{user}-{digest}"


class SingleInstance(QObject):
    """The guard for one data folder. `activated` fires (on the GUI thread) each time a
    later start asks this instance to come to the front."""

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = instance_key(data_dir)
        self.server: QLocalServer | None = None

    def activate_running(self) -> bool:
        """True when another instance listens on this folder (it was asked to come to
        the front: exit now); False when none runs."""
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(CONNECT_MS):
            return False
        socket.write(ACTIVATE)
        socket.flush()
        socket.waitForBytesWritten(WRITE_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(WRITE_MS)
        return True

    def listen(self) -> bool:
        """Become the instance for this folder. False (and the guard stays inert) only
        if the socket cannot be made at all; the app then runs unguarded."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            # A socket file left by a crashed instance: nobody answers on it.
            if self.activate_running():
                return False
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                print(
                    f"freelancer-desk: note: no single-instance guard ({server.errorString()})",
                    file=sys.stderr,
                )
                return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)
            if conn.bytesAvailable():
                self._read(conn)

    def _read(self, conn: QLocalSocket) -> None:
        while conn.canReadLine():
            line = bytes(conn.readLine().data())
            if line == ACTIVATE:
                self.activated.emit()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def bring_to_front(window: QWidget) -> None:
    """Show the window (from the tray or minimized), raise it and give it the focus."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


__all__ = ["SingleInstance", "bring_to_front", "instance_key"]
