"""The schema revision this app's migrations end at, importable without SQLAlchemy or
Alembic: `storage.migrate` opens an up-to-date workspace without Alembic by comparing
with it, and the CLI's lean read path (cli/lean.py) answers only a workspace at it.

A new migration in migrations/versions moves HEAD with it (tests/storage checks it
against the scripts; tests/cli checks migrate.HEAD is this one)."""

from __future__ import annotations

HEAD = "0012"
