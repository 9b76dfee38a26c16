"""A whole `freelancer-desk` process that the lean path answered leaves with
`os._exit` once its answer is flushed (__main__._leave): the same output and exit code,
no teardown; a reader that has gone (`| true`) ends it quietly, with 141 as SIGPIPE
would. Called with an argv (tests, scripts), `main` returns as before."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from freelancer_desk import __main__ as entry
from freelancer_desk import cli
from freelancer_desk.cli import lean

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.sqlite_only]

COMMANDS = [
    ["track", "diary", "--utc"],
    ["report", "hours", "--tz", "Asia/Kolkata"],
    ["report", "earnings"],
]
IDS = ["diary", "hours", "earnings"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("lean-exit") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != lean.LEAN_ENV}


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_the_process_prints_what_main_returns_in_process(demo_dir, command, capsys):
    argv = ["--data-dir", demo_dir, *command]
    done = subprocess.run(
        [sys.executable, "-m", "freelancer_desk", *argv],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    capsys.readouterr()
    assert entry.main(argv) == 0  # in process: returns, does not leave
    assert capsys.readouterr().out == done.stdout
    assert done.stdout.count("\n") > 2


def test_a_reader_that_has_gone_ends_the_answer_quietly(demo_dir):
    read, write = os.pipe()
    os.close(read)  # nobody will read: the first write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "freelancer_desk", "--data-dir", demo_dir, "report", "hours"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            check=False,
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == entry.EXIT_BROKEN_PIPE


def test_the_normal_path_still_exits_through_the_interpreter(demo_dir):
    """`contract list` is not a lean command: its exit code comes back from main."""
    done = subprocess.run(
        [sys.executable, "-m", "freelancer_desk", "--data-dir", demo_dir, "contract", "list"],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") > 1
