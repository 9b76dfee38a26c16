"""Tables kept by triggers (the summaries and catch-up's mark): `create_all` makes a new
workspace's tables, then their triggers; dropping the tables drops their PostgreSQL
trigger functions too (`DROP TABLE` takes the triggers, not the functions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from freelancer_desk.storage.base import Base


def keep_triggers(
    table: str, create: Callable[[Connection], None], pg_functions: Sequence[str]
) -> None:
    """Run `create(connection)` once `create_all` has made `table` (with the tables its
    triggers watch: they come in the same call), and drop `pg_functions` with the tables."""

    def after_create(_metadata: Any, connection: Connection, **kw: Any) -> None:
        tables = kw.get("tables")
        if tables is not None and table not in {t.name for t in tables}:
            return
        create(connection)

    def after_drop(_metadata: Any, connection: Connection, **_kw: Any) -> None:
        if connection.dialect.name == "postgresql":
            for name in pg_functions:
                connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}() CASCADE")

    event.listen(Base.metadata, "after_create", after_create)
    event.listen(Base.metadata, "after_drop", after_drop)
