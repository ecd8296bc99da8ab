"""Tables. Current state lives in small tables (cases, step_attempts) for fast
inboxes; every change also appends a case_event in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soptui.db.base import Base, JsonDoc, UTCDateTime

CASE_STATUSES = ("open", "paused", "closed", "refused", "cancelled")
URGENCIES = ("biasa", "segera", "sangat_segera", "rahasia")


class Setting(Base):
    """Small key/value facts about this database (demo flag, head of the audit chain)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(32))
    jabatan: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role_key: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    user: Mapped[User] = relationship(back_populates="roles")


class SopVersion(Base):
    """One immutable, published version of an SOP; the TOML source is kept whole."""

    __tablename__ = "sop_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(64))
    nomor: Mapped[str] = mapped_column(String(100))
    step_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    bundled: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open','paused','closed','refused','cancelled')", name="status"
        ),
        # The inbox: open work for a role, most urgent first.
        Index("ix_cases_inbox", "status", "waiting_role", "due_at"),
        Index("ix_cases_status_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_versions.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    requester: Mapped[str | None] = mapped_column(String(300))
    letter_no: Mapped[str | None] = mapped_column(String(100))
    letter_date: Mapped[date | None] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(20), default="biasa")
    status: Mapped[str] = mapped_column(String(12), default="open")
    outcome: Mapped[str | None] = mapped_column(String(20))
    current_step_key: Mapped[str | None] = mapped_column(String(64))
    current_step_index: Mapped[int | None] = mapped_column(Integer)
    current_role: Mapped[str | None] = mapped_column(String(64))
    # Who must act now: the step's role, or for an outside role (Pemohon) the
    # role of the clerk who records it on the requester's behalf.
    waiting_role: Mapped[str | None] = mapped_column(String(64))
    current_attempt_id: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusing: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Optimistic lock: an action carries the version it was decided on.
    version: Mapped[int] = mapped_column(Integer, default=1)
    sop: Mapped[SopVersion] = relationship(lazy="raise")


class StepAttempt(Base):
    """One row per attempt of a step; a return for revision opens a new attempt."""

    __tablename__ = "step_attempts"
    __table_args__ = (Index("ix_step_attempts_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    step_key: Mapped[str] = mapped_column(String(64))
    step_index: Mapped[int] = mapped_column(Integer)
    attempt_no: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acted_as: Mapped[str | None] = mapped_column(String(20))
    # The principal's login when a Plt/Plh acted under a delegation.
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen SLA figures (seconds of working time), so reports do not move when
    # the calendar is edited later. Paused working time is credited back.
    standard_s: Mapped[int | None] = mapped_column(Integer)
    paused_s: Mapped[int] = mapped_column(Integer, default=0)
    worked_s: Mapped[int | None] = mapped_column(Integer)
    checklist: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)


class CaseEvent(Base):
    """Append-only audit trail; seq is gap-free and hash chains every event."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "seq"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    step_key: Mapped[str | None] = mapped_column(String(64))
    acted_as: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Delegation(Base):
    """Plt/Plh: the delegate may act in the principal's roles for a date range."""

    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="range"),
        CheckConstraint("kind IN ('plt','plh')", name="kind"),
        Index("ix_delegations_delegate", "delegate_id", "start_date", "end_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"
    __table_args__ = (
        CheckConstraint("kind IN ('closed','open','schedule')", name="kind"),
        CheckConstraint("end_date >= start_date", name="range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Letter(Base):
    """The agenda book: incoming letters (agenda number per year) and outgoing
    numbers (a counter per classification and year). Voided numbers stay."""

    __tablename__ = "letters"
    __table_args__ = (
        CheckConstraint("direction IN ('in','out')", name="direction"),
        # One agenda number per year; one outgoing sequence per class and year.
        UniqueConstraint("direction", "klasifikasi", "year", "seq"),
        Index("ix_letters_year", "year", "direction", "seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    klasifikasi: Mapped[str] = mapped_column(String(32), default="")
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100), index=True)
    party: Mapped[str | None] = mapped_column(String(300))  # sender (in) or recipient (out)
    letter_date: Mapped[date | None] = mapped_column(Date)
    received_date: Mapped[date | None] = mapped_column(Date)
    sifat: Mapped[str] = mapped_column(String(20), default="biasa")
    perihal: Mapped[str] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # issued here, or recorded after being issued elsewhere (kept so it never clashes)
    source: Mapped[str] = mapped_column(String(10), default="issued")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class LetterCounter(Base):
    """Last sequence given out, per direction, classification and year; its
    row is locked while a number is allocated, so numbers are gap-free."""

    __tablename__ = "letter_counters"
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)
    klasifikasi: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class NumberPattern(Base):
    """How an outgoing number is written for a classification code."""

    __tablename__ = "number_patterns"
    klasifikasi: Mapped[str] = mapped_column(String(32), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200))


class UserPreference(Base):
    """A clerk's own settings and marks (e.g. the terminal bell, when the inbox
    was last looked at): one value per key, written by the clerk only."""

    __tablename__ = "user_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CaseRead(Base):
    """When a clerk last opened a case: a case that reached their inbox after
    it is new to them (marked until opened)."""

    __tablename__ = "case_reads"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditSeal(Base):
    """A keyed seal over the trail, one per writing transaction: the HMAC
    (key named by key_id, kept outside the database) of the newest event's
    hash, the previous seal's mac and the digests of the rows the transaction
    left behind. A baseline seal holds the digest of every row."""

    __tablename__ = "audit_seals"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(String(32))
    event_hash: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    mac: Mapped[str] = mapped_column(String(64))
