"""Alembic environment: always run from freelancer_desk.storage.migrate with a live
connection; batch mode so that SQLite tables can be altered."""

from alembic import context

import freelancer_desk.storage.models  # noqa: F401  (registers every table)
from freelancer_desk.storage.base import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
