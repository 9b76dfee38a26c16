"""This computer's settings file, readable before anything heavy is imported.

`settings.json` in the platform's config folder holds the machine-scope settings
({name: {"v": value, "version": n}}). `app.resolve_location` reads the data folder and
the database URL from it on every start, CLI commands included, so this module imports
the standard library and `domain.errors` only — platformdirs (~7 ms with its tempfile
and random) only where the folders are not the plain XDG ones: see `config_folder`;
`services.settings` re-exports what is here and declares the settings themselves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from freelancer_desk.domain.errors import RuleError

APP_NAME = "freelancer-desk"
LOCAL_FILE = "settings.json"
DATA_DIR_ENV = "FREELANCER_DESK_DATA_DIR"
DB_URL_ENV = "FREELANCER_DESK_DB_URL"


def config_folder() -> Path:
    """platformdirs.user_config_path(APP_NAME): on Linux with an absolute
    $XDG_CONFIG_HOME or $HOME, worked out here as platformdirs does ($XDG_CONFIG_HOME/
    freelancer-desk, else ~/.config/freelancer-desk; a test compares both), anywhere
    else asked of platformdirs."""
    if sys.platform.startswith("linux") and not os.environ.get("ANDROID_DATA"):
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        if xdg.startswith("/"):
            return Path(xdg) / APP_NAME
        if os.environ.get("HOME", "").startswith("/"):
            return Path(os.path.expanduser("~/.config")) / APP_NAME
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def local_settings_path() -> Path:
    """settings.json in the platform's config folder (~/.config/freelancer-desk)."""
    return config_folder() / LOCAL_FILE


class LocalSettings:
    """The machine-scope settings file: {name: {"v": value, "version": n}}."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or local_settings_path()

    def read(self) -> dict[str, dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
            import json  # here: most computers have no settings file (a lean command's ~1 ms)

            data = json.loads(text)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RuleError(
                "settings.file", f"{self.path}: cannot be read ({exc})", field="settings"
            ) from exc
        return data if isinstance(data, dict) else {}

    def write(self, data: Mapping[str, Any]) -> None:
        import json

        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(dict(data), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


def check_path(text: str) -> str:
    """An absolute folder ('~' expanded) or empty; ValueError otherwise."""
    if text and not Path(text).expanduser().is_absolute():
        raise ValueError(f"{text!r} is not an absolute path")
    return str(Path(text).expanduser()) if text else ""


def check_url(text: str) -> str:
    """A database URL or empty; ValueError otherwise."""
    if text and "://" not in text:
        raise ValueError(f"{text!r} is not a database URL (like sqlite:///… or postgresql…)")
    return text


# Where the workspace is: version 1 of both, empty by default (see services.settings.SPECS).
_LOCATION = {"storage.data_dir": check_path, "storage.db_url": check_url}


def location_value(name: str, local: LocalSettings | None = None) -> str:
    """`storage.data_dir` or `storage.db_url` as `services.settings.machine_value`
    decodes it (empty when unset or not valid), without importing the settings."""
    check = _LOCATION[name]
    stored = (local or LocalSettings()).read().get(name)
    if not isinstance(stored, dict) or not isinstance(stored.get("v"), str):
        return ""
    try:
        return check(stored["v"].strip())
    except ValueError:
        return ""


def locate(data_dir: str | None = None, db_url: str | None = None) -> tuple[Path, str]:
    """(data folder, database URL) of the workspace: the command line wins, then the
    environment, then what was chosen on this computer (the first-run wizard, the
    settings), then the platform's data folder. `app.resolve_location` and the CLI's
    lean read path (cli/lean.py) both locate the workspace here."""
    folder = data_dir or os.environ.get(DATA_DIR_ENV) or location_value("storage.data_dir")
    if not folder:
        from platformdirs import user_data_path

        folder = str(user_data_path(APP_NAME))
    path = Path(folder).expanduser().absolute()
    url = (
        db_url
        or os.environ.get(DB_URL_ENV)
        or location_value("storage.db_url")
        or f"sqlite:///{path / 'workspace.sqlite3'}"
    )
    return path, url
