"""Schema migrations at start-up: refuse a database from a newer app, copy the file
before changing it, then upgrade to head."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from freelancer_desk.storage.backup import backup_name, backup_sqlite, rotate
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.errors import SchemaTooNew

MIGRATIONS = Path(__file__).with_name("migrations")
KEEP_MIGRATION_BACKUPS = 5


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str
    backup: Path | None


def upgrade(db: Database, backup_dir: Path | None) -> MigrationResult:
    """Bring the schema to head. A SQLite file with data is copied to `backup_dir` first."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    with db.engine.connect() as conn:
        before = current_revision(conn)
        has_tables = bool(inspect(conn).get_table_names())
    if before == head:
        return MigrationResult(before, head, None)
    if before is not None and before not in {rev.revision for rev in script.walk_revisions()}:
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
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return MigrationResult(before, head, backup)
