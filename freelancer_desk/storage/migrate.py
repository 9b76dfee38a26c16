"""Schema migrations at start-up: refuse a database from a newer app, copy the file
before changing it, then upgrade to head."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from freelancer_desk.storage.backup import backup_name, backup_sqlite, rotate
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.errors import SchemaTooNew
from freelancer_desk.storage.revision import HEAD as HEAD

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
KEEP_MIGRATION_BACKUPS = 5
# The newest revision in migrations/versions, in storage/revision.py (no SQLAlchemy
# there: the CLI's lean path reads it too). Opening an up-to-date workspace needs no
# Alembic at all (a test checks it against the scripts).


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this app's migrations know (a workspace at any of them opens)."""
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(db: Database) -> str | None:
    """The revision recorded in the database, read with plain SQL (None if there is none)."""
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str
    backup: Path | None


def _is_empty(db: Database) -> bool:
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def create_at_head(db: Database) -> None:
    """Make a new, empty database's schema straight from the models and stamp it at
    HEAD, in one transaction: what the migrations build step by step (tables, CHECKs,
    indexes, the tracked_days triggers), in a tenth of the time and without importing
    Alembic. tests/storage/test_fresh_schema.py compares the two object by object."""
    import freelancer_desk.storage.models  # noqa: F401  (registers every table)
    from freelancer_desk.storage.base import Base

    # Alembic's own version table, as `alembic stamp` would make it.
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    with db.engine.begin() as conn:
        if db.is_sqlite:
            # The sqlite3 module runs DDL outside any transaction (each CREATE its own
            # commit and fsync): begin one, so the schema appears whole or not at all.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        Base.metadata.create_all(conn)
        version.create(conn)
        conn.execute(version.insert().values(version_num=HEAD))


def upgrade(db: Database, backup_dir: Path | None) -> MigrationResult:
    """Bring the schema to head. A SQLite file with data is copied to `backup_dir` first;
    a database with no tables at all is made at head directly."""
    stored = _stored_revision(db)
    if stored == HEAD:
        return MigrationResult(HEAD, HEAD, None)
    if stored is None and _is_empty(db):
        create_at_head(db)
        return MigrationResult(None, HEAD, None)
    from alembic import command

    head = head_revision()
    with db.engine.connect() as conn:
        before = current_revision(conn)
        has_tables = bool(inspect(conn).get_table_names())
    if before == head:
        return MigrationResult(before, head, None)
    if before is not None and before not in known_revisions():
        raise SchemaTooNew(
            f"this workspace was written by a newer Freelancer Desk (schema {before}); "
            "update the app to open it — nothing was changed"
        )
    backup: Path | None = None
    database = db.engine.url.database
    if db.is_sqlite and has_tables and database and backup_dir is not None:
        when = db.clock.now()
        backup = backup_sqlite(Path(database), backup_dir / backup_name(f"before-{head[:8]}", when))
        rotate(backup_dir, KEEP_MIGRATION_BACKUPS, "workspace-*-before-*.sqlite3")
    config = alembic_config()
    with db.engine.begin() as conn:
        if db.is_sqlite:
            # One transaction for every step, DDL included: Python's sqlite3 begins one
            # only before a data change, so a CREATE TABLE ran (and stayed) on its own
            # and a later step refusing the upgrade left the file half-migrated.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return MigrationResult(before, head, backup)
