"""One window per data folder: a second start finds the first, asks it to come to the
front, and would exit; other folders are independent; a crashed instance's socket is
taken over. Two guards in one process stand for two starts."""

from __future__ import annotations

import os
import socket
import stat
import sys

import pytest
from PySide6.QtWidgets import QMainWindow

from freelancer_desk.ui.single_instance import (
    SingleInstance,
    bring_to_front,
    instance_key,
    socket_path,
)


@pytest.fixture
def guards(qtbot):
    made: list[SingleInstance] = []

    def make(folder):
        guard = SingleInstance(folder)
        made.append(guard)
        return guard

    yield make
    for guard in made:
        guard.close()


def test_a_second_start_activates_the_first(qtbot, tmp_path, guards):
    first = guards(tmp_path / "ws")
    assert not first.activate_running()  # nobody yet
    assert first.listen()
    second = guards(tmp_path / "ws")
    with qtbot.waitSignal(first.activated, timeout=3000):
        assert second.activate_running()  # run_gui returns 0 here
    third = guards(tmp_path / "ws" / ".." / "ws")  # the same folder spelled differently
    with qtbot.waitSignal(first.activated, timeout=3000):
        assert third.activate_running()


def test_another_data_folder_is_another_instance(qtbot, tmp_path, guards):
    first = guards(tmp_path / "a")
    assert first.listen()
    other = guards(tmp_path / "b")
    assert instance_key(tmp_path / "a") != instance_key(tmp_path / "b")
    assert not other.activate_running()
    assert other.listen()


def test_after_the_first_quits_the_next_start_takes_over(qtbot, tmp_path, guards):
    first = guards(tmp_path / "ws")
    assert first.listen()
    first.close()
    second = guards(tmp_path / "ws")
    assert not second.activate_running()
    assert second.listen()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Unix socket files")
def test_a_crashed_instance_socket_is_taken_over_and_private(qtbot, tmp_path, guards):
    guard = guards(tmp_path / "ws")
    # Leave a socket file nobody listens on, as a SIGKILLed instance does.
    path = socket_path(guard.key)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()
    assert os.path.exists(path)
    assert guard.listen()
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0  # only this user connects
    second = guards(tmp_path / "ws")
    with qtbot.waitSignal(guard.activated, timeout=3000):
        assert second.activate_running()


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_bring_to_front_restores_a_minimized_or_hidden_window(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert window.isVisible() and not window.isMinimized()
    window.hide()
    bring_to_front(window)
    assert window.isVisible()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets (Windows keeps Qt's pipes)")
def test_qts_local_sockets_and_ours_understand_each_other(qtbot, tmp_path, guards):
    """The guard's Unix socket is where QLocalServer puts it, so an older version (Qt's
    QLocalServer / QLocalSocket) and this one find each other either way round."""
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    guard = guards(tmp_path / "ws")
    probe = QLocalServer()
    assert probe.listen(guard.key)
    assert probe.fullServerName() == guard.path
    with qtbot.waitSignal(probe.newConnection, timeout=3000):
        assert guard.activate_running()  # a newer start finds an older instance
    probe.close()
    probe.deleteLater()
    qtbot.wait(50)
    assert guard.listen()
    old = QLocalSocket()
    with qtbot.waitSignal(guard.activated, timeout=3000):
        old.connectToServer(guard.key)  # an older start finds this instance
        assert old.waitForConnected(1000)
        old.write(b"activate\n")
        old.flush()
    old.disconnectFromServer()
