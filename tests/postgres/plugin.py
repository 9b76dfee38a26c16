"""Run the suites against a real PostgreSQL server instead of SQLite files.

Select it with `--test-db URL` or `FREELANCER_DESK_TEST_DB=URL`, URL being a
PostgreSQL server database the tests may create databases from, e.g.
`postgresql+psycopg://fdtest:secret@127.0.0.1:5432/postgres` (`scripts/test-postgres.sh`
starts a throwaway cluster and sets it). Unset or `sqlite`: everything stays on SQLite.

Tests open workspaces with SQLite URLs in many places (`open_workspace(tmp_path,
"sqlite:///…")`, `App.open(Location(…))`). With PostgreSQL selected, every SQLite file a
test asks to *create* becomes a fresh database on the server (the same path opened again
in the same test is the same database), dropped when the test ends. A SQLite file that
already exists on disk (copied, restored, written by sqlite3) stays SQLite: those tests
are about the file. Tests that only make sense on SQLite say `@pytest.mark.sqlite_only`.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TEST_DB_ENV = "FREELANCER_DESK_TEST_DB"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--test-db",
        default=None,
        help=f"`sqlite` (default) or a PostgreSQL server URL to run the workspace tests "
        f"against (also ${TEST_DB_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "postgres_only: needs a PostgreSQL server (--test-db / $FREELANCER_DESK_TEST_DB)"
    )


def server_url(config: pytest.Config) -> str | None:
    """The selected PostgreSQL server URL, or None for SQLite."""
    value = config.getoption("--test-db") or os.environ.get(TEST_DB_ENV) or "sqlite"
    if value == "sqlite":
        return None
    if not value.startswith("postgresql"):
        raise pytest.UsageError(
            f"--test-db / {TEST_DB_ENV}: expected `sqlite` or a postgresql+psycopg:// URL"
        )
    return value


def pytest_report_header(config: pytest.Config) -> str:
    url = server_url(config)
    if url is None:
        return "workspace database: SQLite"
    from sqlalchemy.engine import make_url

    return f"workspace database: PostgreSQL at {make_url(url).render_as_string(hide_password=True)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = server_url(config) is not None
    for item in items:
        if on_postgres and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about the SQLite file; PostgreSQL selected"))
        if not on_postgres and item.get_closest_marker("postgres_only"):
            item.add_marker(
                pytest.mark.skip(reason=f"needs PostgreSQL (--test-db or ${TEST_DB_ENV})")
            )


class PostgresDatabases:
    """Fresh databases on one server, one per SQLite path a test creates."""

    _names = itertools.count()

    def __init__(self, server: str) -> None:
        from sqlalchemy import create_engine

        self.server = server
        from sqlalchemy.pool import NullPool

        self.admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.by_path: dict[Path, str] = {}
        self.created: list[str] = []

    def create(self) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"fdtest_{os.getpid()}_{next(self._names)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
        self.created.append(name)
        return make_url(self.server).set(database=name).render_as_string(hide_password=False)

    def route(self, url: str, create: bool) -> str:
        """The URL a test's SQLite URL stands for: a server database for a file the
        test creates, the URL itself otherwise."""
        from freelancer_desk.storage.workspace import sqlite_path

        path = sqlite_path(url)
        if path is None:
            return url
        path = path.absolute()
        if path in self.by_path:
            return self.by_path[path]
        if path.exists() or not create:
            return url
        self.by_path[path] = self.create()
        return self.by_path[path]

    def exists(self, url: str) -> bool | None:
        from freelancer_desk.storage.workspace import sqlite_path

        path = sqlite_path(url)
        if path is not None and path.absolute() in self.by_path:
            return True
        return None

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()
        self.by_path.clear()
        self.admin.dispose()


def _patch_everywhere(
    monkeypatch: pytest.MonkeyPatch, original: Callable[..., Any], replacement: Callable[..., Any]
) -> None:
    """Replace a function in every loaded module that imported it by name (the app, the
    storage package, test helpers), so every caller is routed."""
    name = original.__name__
    for module in list(sys.modules.values()):
        if getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, replacement)


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL server URL selected for this run, None on SQLite."""
    return server_url(request.config)


@pytest.fixture
def postgres_databases(
    postgres_server: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PostgresDatabases]:
    """Fresh databases on the selected server (the test is skipped on SQLite)."""
    if postgres_server is None:
        pytest.skip(f"needs PostgreSQL (--test-db or ${TEST_DB_ENV})")
    databases = PostgresDatabases(postgres_server)
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(autouse=True)
def _workspaces_on_postgres(
    request: pytest.FixtureRequest, postgres_server: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if postgres_server is None or request.node.get_closest_marker("sqlite_only"):
        yield
        return
    import freelancer_desk.app as app_module
    import freelancer_desk.storage.workspace as workspace_module

    databases = PostgresDatabases(postgres_server)
    open_workspace = workspace_module.open_workspace
    workspace_exists = workspace_module.workspace_exists
    app_open = app_module.App.open.__func__  # type: ignore[attr-defined]

    def routed_open_workspace(data_dir: Path, url: str, clock: Any, *, create: bool = True) -> Any:
        return open_workspace(data_dir, databases.route(url, create), clock, create=create)

    def routed_workspace_exists(url: str) -> bool:
        known = databases.exists(url)
        return known if known is not None else workspace_exists(url)

    def routed_app_open(
        cls: type[Any], location: Any, clock: Any = None, *, create: bool = True
    ) -> Any:
        routed = app_module.Location(location.data_dir, databases.route(location.db_url, create))
        return app_open(cls, routed, clock, create=create)

    _patch_everywhere(monkeypatch, open_workspace, routed_open_workspace)
    _patch_everywhere(monkeypatch, workspace_exists, routed_workspace_exists)
    monkeypatch.setattr(app_module.App, "open", classmethod(routed_app_open))
    try:
        yield
    finally:
        databases.drop_all()
