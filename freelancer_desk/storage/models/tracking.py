"""Tracked time: sessions, their 10-minute segments, and one snapshot per segment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.models.triggered import keep_triggers
from freelancer_desk.storage.refusals import SEGMENT_ONE_TARGET
from freelancer_desk.storage.vocab import (
    INTERRUPTION_DECISIONS,
    INTERRUPTION_KINDS,
    SESSION_END_REASONS,
    SNAPSHOT_POLICIES,
)

# At most one running session per device. Partial on PostgreSQL too:
# `_partial_on_postgresql` below.
RUNNING_PER_DEVICE = Index(
    "uq_time_sessions_running_per_device",
    "device_id",
    unique=True,
    sqlite_where=text("ended_at IS NULL"),
)


class TimeSession(Entity):
    """A stretch of tracking on one contract or one order. Running while `ended_at` is
    NULL; at most one running session per device (a partial unique index)."""

    __tablename__ = "time_sessions"
    __table_args__ = (
        CheckConstraint("(contract_id IS NULL) <> (order_id IS NULL)", name="one_target"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint(
            "end_reason IS NULL OR end_reason IN ("
            + ", ".join(f"'{r}'" for r in SESSION_END_REASONS)
            + ")",
            name="end_reason_allowed",
        ),
        RUNNING_PER_DEVICE,
        Index("ix_time_sessions_started_at", "started_at"),
    )

    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    memo: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime]  # heartbeat, committed every 60 s while running
    device_id: Mapped[str] = mapped_column(String(64))
    pid: Mapped[int | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))
    manual: Mapped[bool] = mapped_column(default=False)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Segment.slot_start"
    )


@event.listens_for(TimeSession.__table__, "before_create")
def _partial_on_postgresql(_table: Any, connection: Any, **_kw: Any) -> None:
    """The running-session index is partial on PostgreSQL too. Its `postgresql_where` is
    given when a PostgreSQL database creates the table (`create_all`; the migrations
    name it themselves), not in the Index: a `postgresql_*` keyword there loads
    SQLAlchemy's whole PostgreSQL dialect (~2 MB, ~50 ms) into every process, SQLite's
    included."""
    if connection.dialect.name == "postgresql":
        RUNNING_PER_DEVICE.dialect_kwargs["postgresql_where"] = text("ended_at IS NULL")


class Segment(Entity):
    """A 10-minute slot aligned to the wall clock (:00, :10, … :50 UTC).

    Raw tracked seconds are kept; rounding applies at invoicing. The contract or order is
    copied from the session so that reports need not join through sessions: exactly one,
    the session's (rule segment.one_target, kept by the triggers below).
    """

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("session_id", "slot_start", name="uq_segments_session_slot"),
        CheckConstraint("tracked_seconds BETWEEN 0 AND 600", name="tracked_seconds_range"),
        CheckConstraint("active_minutes BETWEEN 0 AND 10", name="active_minutes_range"),
        # Per contract in time order, covering the sums of tracked time (hours per
        # contract or client, a billing week) so they read the index, not the wide rows.
        Index(
            "ix_segments_contract_slot_cover",
            "contract_id",
            "slot_start",
            "deleted",
            "tracked_seconds",
        ),
        Index("ix_segments_slot_start", "slot_start"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("time_sessions.id", ondelete="CASCADE")
    )
    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE")
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    slot_start: Mapped[datetime]
    tracked_seconds: Mapped[int] = mapped_column(default=0)
    # Per minute of the slot: seconds with input (0..60); never what the input was.
    activity: Mapped[list[int]] = mapped_column(default=list)
    active_minutes: Mapped[int] = mapped_column(default=0)
    memo: Mapped[str] = mapped_column(Text, default="")
    manual: Mapped[bool] = mapped_column(default=False)
    idle: Mapped[bool] = mapped_column(default=False)
    over_limit: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    snapshot_missing: Mapped[bool] = mapped_column(default=False)

    session: Mapped[TimeSession] = relationship(back_populates="segments")
    snapshot: Mapped[Snapshot | None] = relationship(
        back_populates="segment", cascade="all, delete-orphan", uselist=False
    )


# A segment is for exactly one contract or order, its session's (the session's own rule
# is its `one_target` CHECK). Kept by triggers, not a CHECK: a CHECK on SQLite means
# rebuilding `segments` (~350,000 rows in ten years), which drops its triggers and,
# with foreign keys on as a migration runs, cascades the DROP into every snapshot
# (docs/benchmarks.md, "J (session 5)"); a trigger also sees the session. A session
# given another target takes its segments with it. Made by migration 0012 and, for a
# schema made by `create_all`, by the listener below. A refusal reads
# "segment.one_target: …" (storage/refusals.py makes it a RuleError).
ONE_TARGET_MESSAGE = (
    f"{SEGMENT_ONE_TARGET}: a segment is for exactly one contract or order, the same as its session"
)
_PG_ONE_TARGET = "segments_one_target"
_PG_FOLLOW = "time_sessions_segments_follow"


def _target_wrong(dialect: str) -> str:
    """True for a NEW segment breaking the rule; NULL (no refusal) when its session does
    not exist, which the foreign key refuses by itself."""
    other = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return (
        "(NEW.contract_id IS NULL) = (NEW.order_id IS NULL) OR ("
        f"SELECT t.contract_id {other} NEW.contract_id OR t.order_id {other} NEW.order_id "
        "FROM time_sessions t WHERE t.id = NEW.session_id)"
    )


def one_target_trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the rule's triggers (and PostgreSQL's functions)."""
    wrong = _target_wrong(dialect)
    checked = "session_id, contract_id, order_id"
    follow = "UPDATE segments SET contract_id = NEW.contract_id, order_id = NEW.order_id"
    if dialect == "postgresql":
        moved = "OLD.contract_id IS DISTINCT FROM NEW.contract_id OR OLD.order_id IS DISTINCT FROM NEW.order_id"
        return [
            f"""CREATE FUNCTION {_PG_ONE_TARGET}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {wrong} THEN
    RAISE EXCEPTION '{ONE_TARGET_MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$""",
            f"CREATE TRIGGER trg_segments_one_target BEFORE INSERT OR UPDATE OF {checked} "
            f"ON segments FOR EACH ROW EXECUTE FUNCTION {_PG_ONE_TARGET}()",
            f"""CREATE FUNCTION {_PG_FOLLOW}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {follow} WHERE session_id = NEW.id;
  RETURN NULL;
END
$$""",
            "CREATE TRIGGER trg_time_sessions_segments_follow AFTER UPDATE OF contract_id, "
            f"order_id ON time_sessions FOR EACH ROW WHEN ({moved}) "
            f"EXECUTE FUNCTION {_PG_FOLLOW}()",
        ]
    refuse = f"BEGIN SELECT RAISE(ABORT, '{ONE_TARGET_MESSAGE}'); END"
    moved = "OLD.contract_id IS NOT NEW.contract_id OR OLD.order_id IS NOT NEW.order_id"
    return [
        f"CREATE TRIGGER trg_segments_one_target_insert BEFORE INSERT ON segments "
        f"WHEN {wrong} {refuse}",
        f"CREATE TRIGGER trg_segments_one_target_update BEFORE UPDATE OF {checked} "
        f"ON segments WHEN {wrong} {refuse}",
        "CREATE TRIGGER trg_time_sessions_segments_follow AFTER UPDATE OF contract_id, "
        f"order_id ON time_sessions WHEN {moved} "
        f"BEGIN {follow} WHERE session_id = NEW.id; END",
    ]


def drop_one_target_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS trg_segments_one_target ON segments",
            "DROP TRIGGER IF EXISTS trg_time_sessions_segments_follow ON time_sessions",
            f"DROP FUNCTION IF EXISTS {_PG_ONE_TARGET}()",
            f"DROP FUNCTION IF EXISTS {_PG_FOLLOW}()",
        ]
    return [
        "DROP TRIGGER IF EXISTS trg_segments_one_target_insert",
        "DROP TRIGGER IF EXISTS trg_segments_one_target_update",
        "DROP TRIGGER IF EXISTS trg_time_sessions_segments_follow",
    ]


def create_one_target_triggers(connection: Connection) -> None:
    for statement in one_target_trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


keep_triggers("segments", create_one_target_triggers, (_PG_ONE_TARGET, _PG_FOLLOW))


class Snapshot(Entity):
    """A screen snapshot's metadata. The files stay on the device that took them; the
    SHA-256 chain lets an evidence export prove nothing was altered."""

    __tablename__ = "snapshots"
    __table_args__ = (
        one_of("policy", SNAPSHOT_POLICIES),
        UniqueConstraint("segment_id", name="uq_snapshots_segment_id"),
    )

    segment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))  # relative to the snapshot folder
    thumb_path: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    prev_chain: Mapped[str] = mapped_column(String(64), default="")
    chain: Mapped[str] = mapped_column(String(64))  # sha256(prev_chain + sha256)
    # The files can go (retention, a deleted segment) while the row keeps the chain whole.
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(24))

    segment: Mapped[Segment] = relationship(back_populates="snapshot")


class Interruption(Entity):
    """Time the tracker would not count silently (idle, sleep, the clock set back),
    held until the user keeps it, discards it or assigns it to another contract.
    Persisted so that a crash or a restart does not lose the question."""

    __tablename__ = "interruptions"
    __table_args__ = (
        one_of("kind", INTERRUPTION_KINDS),
        CheckConstraint(
            "decision IS NULL OR decision IN ("
            + ", ".join(f"'{d}'" for d in INTERRUPTION_DECISIONS)
            + ")",
            name="decision_allowed",
        ),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index("ix_interruptions_open", "device_id", "resolved_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("time_sessions.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    seconds: Mapped[int]
    resolved_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(8))
    assigned_contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL")
    )
