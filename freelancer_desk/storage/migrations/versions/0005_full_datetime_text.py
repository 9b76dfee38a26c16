"""instants stored as short text get SQLite's full form

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

SQLAlchemy stores an instant on SQLite as text, '2025-09-08 00:00:00.000000', and
every period query compares that text. The ledger's bulk path of the importers (from
the first session until 3903f92) stored '2025-09-08 00:00:00' instead — the sqlite3
module's own adapter — and text comparison puts such a row *before* a period that
starts at the same midnight: an imported payment at 00:00:00 fell out of that day's,
week's or month's reports. This appends the missing '.000000' to every 19-character
value of every DATETIME column (read from the file itself, so it holds whatever table
wrote one); one pass over each table. PostgreSQL stores timestamptz: nothing to do.
"""

import re

from alembic import op
from sqlalchemy import text


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    tables = bind.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ).scalars().all()
    for table in tables:
        columns = [
            row[1]
            for row in bind.execute(text(f'PRAGMA table_info("{table}")'))
            if str(row[2]).upper() == 'DATETIME'
        ]
        if not columns or not _NAME.match(table) or not all(_NAME.match(c) for c in columns):
            continue
        short = [f'(typeof("{c}") = \'text\' AND length("{c}") = 19)' for c in columns]
        sets = [
            f'"{c}" = CASE WHEN {cond} THEN "{c}" || \'.000000\' ELSE "{c}" END'
            for c, cond in zip(columns, short)
        ]
        bind.execute(text(f'UPDATE "{table}" SET {", ".join(sets)} WHERE {" OR ".join(short)}'))


def downgrade() -> None:
    # The short form was a defect; nothing to restore.
    pass
