"""segments: exactly one contract or order, the same as its session's (kept by triggers)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26

`time_sessions` has the one-target CHECK; its segments copy the target and nothing held
them to it, while `tracked_days`, `tracked_weeks` and the diary count a segment under
exactly one. Triggers refuse a segment with no target, two, or another than its
session's (storage/models/tracking.py); a session given another target takes its
segments with it. Triggers, not a CHECK: on SQLite a CHECK rebuilds `segments`, and the
rebuild, with foreign keys on as migrations run, emptied `snapshots` through their
cascade and dropped the summaries' triggers (docs/benchmarks.md, "J (session 5)").

Rows already breaking the rule are found first. A segment whose session has exactly one
target is given that target — the segment's target is by definition a copy of its
session's, the session is what the user started (or imported, or entered) on, and the
summaries follow through their triggers; the repaired rows are logged. A segment whose
session is missing or itself has no single target cannot be repaired from it: then
nothing is changed and the upgrade stops naming those rows.
"""

import logging
import uuid

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.errors import StorageError
from freelancer_desk.storage.models.tracking import (
    create_one_target_triggers,
    drop_one_target_trigger_ddl,
)

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SHOWN = 10
log = logging.getLogger(__name__)


class SegmentTargetsBroken(StorageError):
    """Segments break the one-target rule and their sessions cannot say what is right."""


def _broken(bind) -> list[tuple]:  # noqa: ANN001  (alembic's connection)
    other = "IS DISTINCT FROM" if bind.dialect.name == "postgresql" else "IS NOT"
    return list(
        bind.exec_driver_sql(
            "SELECT s.id, s.slot_start, s.session_id, t.id, t.contract_id, t.order_id "
            "FROM segments s LEFT JOIN time_sessions t ON t.id = s.session_id "
            "WHERE (s.contract_id IS NULL) = (s.order_id IS NULL) OR t.id IS NULL "
            f"OR t.contract_id {other} s.contract_id OR t.order_id {other} s.order_id "
            "ORDER BY s.slot_start, s.id"
        ).all()
    )


def _uuid(value: object) -> str:
    """An id as the app shows it (SQLite stores its 32 hex digits)."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def upgrade() -> None:
    bind = op.get_bind()
    broken = _broken(bind)
    stuck = [row for row in broken if row[3] is None or (row[4] is None) == (row[5] is None)]
    if stuck:
        named = "; ".join(
            f"segment {_uuid(seg)} at {slot} (session {_uuid(session)}: "
            f"{'does not exist' if found is None else 'has no single contract or order'})"
            for seg, slot, session, found, _c, _o in stuck[:SHOWN]
        )
        more = f"; and {len(stuck) - SHOWN} more" if len(stuck) > SHOWN else ""
        raise SegmentTargetsBroken(
            f"cannot upgrade the workspace to schema 0012: {len(stuck)} segment(s) break "
            "the rule segment.one_target (exactly one contract or order, the same as its "
            f"session's) and their session cannot say which: {named}{more} — nothing was "
            "changed (fix or delete these rows, e.g. with the previous version, then open the "
            "workspace again)"
        )
    for seg, slot, session, _found, contract_id, order_id in broken:
        bind.execute(
            sa.text("UPDATE segments SET contract_id = :c, order_id = :o WHERE id = :id"),
            {"c": contract_id, "o": order_id, "id": seg},
        )
        log.warning(
            "segment %s at %s given its session %s's target (contract %s, order %s): "
            "rule segment.one_target",
            seg,
            slot,
            session,
            contract_id,
            order_id,
        )
    create_one_target_triggers(bind)


def downgrade() -> None:
    for statement in drop_one_target_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
