"""The lean commands' way in: `lean.quick_args` reads a plain command line as argparse
would (and leaves every other line to argparse), `services.machine.config_folder` finds
the config folder as platformdirs does, and a lean command in a fresh process loads
neither argparse nor platformdirs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from platformdirs import user_config_path

from freelancer_desk import cli
from freelancer_desk.cli import lean
from freelancer_desk.cli.common import CliError, QuietParser
from freelancer_desk.services import machine

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning")]

PLAIN = [
    ["report", "hours"],
    ["--data-dir", "/w", "report", "hours", "--from", "2025-01-01", "--to", "2025-12-31"],
    [
        "--data-dir=/w",
        "--db-url",
        "sqlite:////w/x.sqlite3",
        "report",
        "hours",
        "--tz",
        "Asia/Kolkata",
    ],
    ["report", "hours", "--contract", "abc", "--json"],
    ["report", "hours", "--csv", "--from=2025-02-03", "--tz="],
    ["report", "earnings"],
    ["report", "earnings", "--by", "month", "--from", "2024-01-01"],
    ["report", "earnings", "--by=platform", "--csv"],
    ["--db-url=postgresql://u@h/db", "report", "earnings", "--json", "--to", "2025-01-01"],
    ["track", "diary"],
    ["--data-dir", "", "track", "diary", "--date", "2025-06-11"],
    ["track", "diary", "--date", "yesterday", "--utc"],
    ["track", "diary", "--tz", "Europe/Berlin", "--json"],
    ["track", "diary", "--date=2025-06-11", "--tz=UTC"],
]
# Lines quick_args leaves to argparse (which answers, says the usage error or the help).
OTHER = [
    [],
    ["report"],
    ["report", "gigs"],
    ["contract", "list"],
    ["--version"],
    ["report", "hours", "--help"],
    ["-h", "report", "hours"],
    ["report", "hours", "-h"],
    ["--data", "/w", "report", "hours"],  # an abbreviation
    ["--data-dir", "/w", "--data-dir", "/v", "report", "hours"],
    ["--data-dir", "report", "hours"],
    ["--data-dir"],
    ["--screenshot", "/s", "report", "hours"],
    ["report", "hours", "--data-dir", "/w"],  # a global option after the command
    ["report", "--from", "2025-01-01", "hours"],
    ["report", "hours", "--from", "yesterday"],
    ["report", "hours", "--from", "2025-01-01", "--from", "2025-02-01"],
    ["report", "hours", "--json", "--csv"],
    ["report", "hours", "--json=yes"],
    ["report", "hours", "--tz"],
    ["report", "hours", "--tz", "-1"],
    ["report", "hours", "--fr", "2025-01-01"],
    ["report", "hours", "extra"],
    ["report", "hours", "--", "--json"],
    ["report", "earnings", "--by", "week"],
    ["track", "diary", "--utc", "--tz", "UTC"],
    ["track", "diary", "--date"],
    ["track", "diary", "--from", "2025-01-01"],
]


def argparse_args(argv: list[str]) -> dict[str, object] | None:
    """What the argparse parser of the command gives (None: a usage error)."""
    only = cli.lean_command(argv)
    assert only is not None, argv
    try:
        parsed = vars(cli.build_parser(only, QuietParser).parse_args(argv))
    except CliError:
        return None
    return {k: v for k, v in parsed.items() if k not in ("handler", "creates")}


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_quick_args_read_a_plain_line_as_argparse_does(argv):
    quick = lean.quick_args(argv)
    assert quick is not None, argv
    assert vars(quick) == argparse_args(argv)


def test_dates_are_dates():
    quick = lean.quick_args(["report", "hours", "--from", "2025-01-01"])
    assert quick is not None
    assert quick.start == date(2025, 1, 1)
    assert quick.end is None


@pytest.mark.parametrize("argv", OTHER, ids=lambda a: " ".join(a) or "(empty)")
def test_quick_args_leave_every_other_line_to_argparse(argv):
    assert lean.quick_args(argv) is None


def test_usage_errors_and_help_are_argparses(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "hours", "--json", "--csv"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["track", "diary", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: freelancer-desk track diary")
    assert "--utc" in out


def test_every_option_of_a_lean_command_is_known_to_quick_args():
    """A new option of these commands must be added to lean._QUICK (until then the
    command's lines that use it go through argparse, which stays correct)."""
    for (noun, verb), spec in lean._QUICK.items():
        parser = cli.build_parser((noun, verb))
        sub = next(a for a in parser._actions if a.dest == "command").choices[noun]
        command = next(a for a in sub._actions if a.dest == "verb").choices[verb]
        options = {o for a in command._actions for o in a.option_strings} - {"-h", "--help"}
        assert options == set(spec.values) | set(spec.flags), (noun, verb)
        defaults = {a.dest: a.default for a in command._actions if a.option_strings}
        defaults.pop("help")
        assert defaults == spec.defaults, (noun, verb)


# -- the config folder ----------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize(
    ("xdg", "home"),
    [
        (None, "/home/someone"),
        (None, "/home/someone/"),
        ("/xdg/config", "/home/someone"),
        ("/xdg/config/", "/home/someone"),
        ("relative/config", "/home/someone"),
        ("", "/home/someone"),
        ("  ", "/root"),
    ],
)
def test_config_folder_is_platformdirs(monkeypatch, xdg, home):
    monkeypatch.setenv("HOME", home)
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    assert machine.config_folder() == user_config_path("freelancer-desk")
    assert machine.local_settings_path() == user_config_path("freelancer-desk") / "settings.json"


# -- a fresh process -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("lean-entry") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command",
    [["report", "hours"], ["track", "diary", "--date", "2025-06-11", "--utc"]],
    ids=["hours", "diary"],
)
def test_a_lean_command_loads_neither_argparse_nor_platformdirs(
    demo_dir, command, capsys, monkeypatch
):
    argv = ["--data-dir", demo_dir, *command]
    script = (
        "import sys\n"
        "from freelancer_desk.__main__ import main\n"
        f"code = main({argv!r})\n"
        "loaded = sorted(m for m in ('argparse', 'platformdirs', 'csv', 'freelancer_desk.cli.common')"
        " if m in sys.modules)\n"
        "sys.stderr.write(f'loaded={loaded}\\n')\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in (lean.LEAN_ENV, "XDG_CONFIG_HOME")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "loaded=[]" in done.stderr
    assert done.stdout.count("\n") > 2
    capsys.readouterr()
    monkeypatch.setenv(lean.LEAN_ENV, "0")  # the normal path prints the same
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == done.stdout
