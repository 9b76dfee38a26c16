"""`settings list|get|set|reset` and `desktop install|uninstall|status` from the
command line, in a temporary HOME."""

from __future__ import annotations

import configparser
import json

import pytest

from freelancer_desk import cli


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return home


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_workspace_settings_round_trip(capsys, tmp_path):
    ws = str(tmp_path / "ws")
    assert run(capsys, "--data-dir", ws, "demo")[0] == 0
    code, out, err = run(capsys, "--data-dir", ws, "settings", "set", "fees.upwork", "12.5%")
    assert (code, err) == (0, "")
    assert out.split() == ["fees.upwork", "12.5%"]
    code, out, _ = run(capsys, "--data-dir", ws, "settings", "get", "fees.upwork", "--json")
    assert json.loads(out) == {"fees.upwork": 1250}
    code, out, _ = run(capsys, "--data-dir", ws, "settings", "list", "--json")
    listed = {row["name"]: row for row in json.loads(out)}
    assert listed["fees.upwork"]["value"] == 1250 and listed["fees.upwork"]["default"] == 1000
    assert listed["storage.data_dir"]["scope"] == "machine"
    assert run(capsys, "--data-dir", ws, "settings", "reset", "fees.upwork")[0] == 0
    assert run(capsys, "--data-dir", ws, "settings", "get", "fees.upwork")[1].split()[1] == "10%"


def test_bad_input_is_one_line(capsys, tmp_path):
    ws = str(tmp_path / "ws")
    run(capsys, "--data-dir", ws, "demo")
    code, out, err = run(capsys, "--data-dir", ws, "settings", "set", "fees.upwork", "30")
    assert code == 1 and out == ""
    assert err == "freelancer-desk: fees.upwork: 30% is not between 0% and 15%\n"
    code, _, err = run(capsys, "--data-dir", ws, "settings", "get", "nope")
    assert code == 1 and "no such setting" in err and len(err.splitlines()) == 1


def test_machine_settings_need_no_workspace(capsys, tmp_path, home):
    ws = tmp_path / "never"
    code, out, err = run(capsys, "--data-dir", str(ws), "settings", "set", "display.theme", "dark")
    assert (code, err) == (0, "")
    assert not ws.exists()
    saved = json.loads((home / ".config/freelancer-desk/settings.json").read_text("utf-8"))
    assert saved["display.theme"]["v"] == "dark"
    code, out, _ = run(capsys, "--data-dir", str(ws), "settings", "list")
    assert "display.theme" in out and "tracker.idle_minutes" not in out
    code, _, err = run(capsys, "--data-dir", str(ws), "settings", "get", "tracker.idle_minutes")
    assert code == 1 and "no workspace" in err


def test_desktop_install_and_uninstall(capsys, home):
    code, out, err = run(capsys, "desktop", "install", "--json")
    assert (code, err) == (0, "")
    written = json.loads(out)["installed"]
    entry = home / ".local/share/applications/freelancer-desk.desktop"
    assert str(entry) in written
    assert (home / ".local/share/icons/hicolor/48x48/apps/freelancer-desk.png").exists()
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(entry, encoding="utf-8")
    assert parser["Desktop Entry"]["Icon"] == "freelancer-desk"
    assert run(capsys, "desktop", "status")[1].startswith("menu entry: installed")
    code, out, _ = run(capsys, "desktop", "uninstall", "--json")
    assert sorted(json.loads(out)["removed"]) == sorted(written)
    assert not entry.exists()
    assert run(capsys, "desktop", "uninstall")[1] == "nothing removed\n"
