"""SQLAlchemy models, database set-up, Alembic migrations and backups."""
