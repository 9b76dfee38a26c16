"""The machine settings file is read by a light module: the same values as the declared
settings give, and resolving the workspace's location imports nothing heavy."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from freelancer_desk.services.machine import LocalSettings, location_value
from freelancer_desk.services.settings import machine_value


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "not a record",
        {"v": "/srv/freelance", "version": 1},
        {"v": "  /srv/freelance  "},
        {"v": "~/Freelance"},
        {"v": "relative/folder"},
        {"v": ""},
        {"v": 42},
        {"v": "sqlite:////tmp/w.sqlite3"},
        {"v": "postgresql+psycopg://me@host/db"},
        {"v": "not a url"},
    ],
)
@pytest.mark.parametrize("name", ["storage.data_dir", "storage.db_url"])
def test_location_values_decode_as_the_declared_settings_do(tmp_path, name, stored):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({} if stored is None else {name: stored}), encoding="utf-8")
    local = LocalSettings(path)
    assert location_value(name, local) == machine_value(name, local)


def test_resolving_the_location_imports_no_settings_nor_models(tmp_path):
    """`resolve_location` runs before every command: it reads settings.json through the
    light module, not `services.settings` (which pulls in the ledger and every model)."""
    code = (
        "import sys; from freelancer_desk.app import resolve_location; "
        "before = set(sys.modules); "
        f"resolve_location({str(tmp_path)!r}); "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('freelancer_desk')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # (app.py may already hold services.machine: it re-exports the env names from it)
    assert set(ast.literal_eval(out.stdout.strip())) <= {
        "freelancer_desk.domain.errors",
        "freelancer_desk.services.machine",
    }
