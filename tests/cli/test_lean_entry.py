"""The lean commands' way in: `lean.quick_args` reads a plain command line as argparse
would (and leaves every other line to argparse), `services.machine.config_folder` finds
the config folder as platformdirs does, and a lean command in a fresh process loads
neither argparse nor platformdirs."""

from __future__ import annotations

import os
import subprocess
import sys
import zoneinfo
from datetime import date
from pathlib import Path

import pytest
from platformdirs import user_config_path

from freelancer_desk import cli
from freelancer_desk.cli import lean
from freelancer_desk.cli.common import CliError, QuietParser
from freelancer_desk.services import machine
from freelancer_desk.tracker import daybook

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
    [["report", "hours"], ["track", "diary", "--date", "2025-06-11"]],
    ids=["hours", "diary"],
)
def test_a_lean_command_loads_neither_argparse_platformdirs_uuid_nor_tzlocal(
    demo_dir, command, capsys, monkeypatch
):
    argv = ["--data-dir", demo_dir, *command]
    heavy = ["argparse", "platformdirs", "csv", "freelancer_desk.cli.common", "uuid"]
    heavy.append("freelancer_desk.domain.platforms")  # billing_week is domain.weeks'
    if daybook.plain_local_zone() is not None:  # else tzlocal tells the diary's zone
        heavy.append("tzlocal")
    script = (
        "import sys\n"
        "from freelancer_desk.__main__ import main\n"
        f"code = main({argv!r})\n"
        f"loaded = sorted(m for m in {heavy!r} if m in sys.modules)\n"
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


# -- the local zone (tracker.daybook.local_zone, the diary's default) --------------------

BERLIN = Path("/usr/share/zoneinfo/Europe/Berlin")


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A folder standing for "/" with /etc/localtime a link to Europe/Berlin."""
    if not sys.platform.startswith("linux") or not BERLIN.is_file():
        pytest.skip("needs Linux and the system's zoneinfo files")
    if zoneinfo.TZPATH[:1] != ("/usr/share/zoneinfo",):
        pytest.skip("zoneinfo searches another folder first")
    monkeypatch.delenv("TZ", raising=False)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "localtime").symlink_to(BERLIN)
    return tmp_path


def tzlocal_zone(root: Path) -> object:
    from tzlocal.unix import _get_localzone

    return _get_localzone(_root=f"{root}/")


def test_a_link_alone_is_read_as_tzlocal_reads_it(root):
    assert daybook.plain_local_zone(str(root)) == zoneinfo.ZoneInfo("Europe/Berlin")
    assert tzlocal_zone(root) == zoneinfo.ZoneInfo("Europe/Berlin")


def test_a_link_and_etc_timezone_naming_the_same_zone(root):
    (root / "etc" / "timezone").write_text("Europe/Berlin\n")
    assert daybook.plain_local_zone(str(root)) == zoneinfo.ZoneInfo("Europe/Berlin")
    assert tzlocal_zone(root) == zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "setup",
    [
        lambda root: (root / "etc" / "timezone").write_text("Europe/Paris\n"),  # conflict
        lambda root: (root / "etc" / "timezone").write_text("# set by hand\nEurope/Berlin\n"),
        lambda root: (
            (root / "etc" / "conf.d").mkdir() or (root / "etc/conf.d/clock").write_text("")
        ),
        lambda root: (
            (root / "etc" / "localtime").unlink()
            or (root / "etc" / "localtime").write_bytes(BERLIN.read_bytes())
        ),
    ],
    ids=["another-name", "a-comment", "conf.d-clock", "a-copy-not-a-link"],
)
def test_anything_less_plain_is_left_to_tzlocal(root, setup):
    setup(root)
    assert daybook.plain_local_zone(str(root)) is None


def test_tz_in_the_environment_is_left_to_tzlocal(root, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert daybook.plain_local_zone(str(root)) is None


def test_local_zone_is_tzlocals_on_this_machine():
    from tzlocal import get_localzone

    assert daybook.local_zone() == get_localzone()


def test_billing_week_is_the_platforms():
    from datetime import UTC, datetime, timedelta

    from freelancer_desk.domain import platforms, weeks

    at = datetime(2025, 6, 8, 23, 59, 59, tzinfo=UTC)
    for hour in range(0, 24 * 9, 5):
        instant = at + timedelta(hours=hour)
        assert weeks.billing_week(instant) == platforms.billing_week(instant)
        start, end = weeks.billing_week(instant)
        assert start.weekday() == 0 and start <= instant < end == start + timedelta(days=7)
    assert platforms.UPWORK.week_starts_on == weeks.UPWORK_WEEK_STARTS_ON
