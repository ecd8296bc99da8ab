"""Tables of the narasumber registry: persons, their topics, a small word index
for typo-tolerant search, and the bookings (blocks of unavailability share the
bookings table, so one constraint keeps both from overlapping)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soptui.db.base import Base, UTCDateTime

PERSON_STATUSES = ("diajukan", "diverifikasi", "disetujui", "ditolak", "nonaktif")
BOOKING_STATUSES = ("tentatif", "definitif", "batal")
# "kegiatan" is a booking; the others are blocks of unavailability.
BOOKING_KINDS = ("kegiatan", "cuti", "dinas_luar", "lainnya")
ASN_STATUSES = ("pns", "pppk", "non_asn")
TERM_MAX = 64


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class Narasumber(Base):
    """A resource person. `status` follows SOP Pendaftaran Narasumber; the
    registration case that decides it is linked."""

    __tablename__ = "narasumber"
    __table_args__ = (
        CheckConstraint(_in("status", PERSON_STATUSES), name="status"),
        CheckConstraint(_in("asn_status", ASN_STATUSES), name="asn_status"),
        # Lists page through one status in name order.
        Index("ix_narasumber_status_name", "status", "sort_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))  # as written, with gelar
    # The name without leading gelar (Dr., Prof., Ir., H.), folded: the sort order.
    sort_name: Mapped[str] = mapped_column(String(300), index=True)
    nip: Mapped[str | None] = mapped_column(String(32), unique=True)
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    instansi: Mapped[str | None] = mapped_column(String(300))
    jabatan: Mapped[str | None] = mapped_column(String(300))
    pendidikan: Mapped[str | None] = mapped_column(String(300))
    asn_status: Mapped[str | None] = mapped_column(String(10))
    eselon: Mapped[str | None] = mapped_column(String(8))
    golongan: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    registration_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Optimistic lock for edits made from a screen that was read earlier.
    version: Mapped[int] = mapped_column(Integer, default=1)


class NarasumberTopic(Base):
    """Materi / modul a person can speak on, in the order given."""

    __tablename__ = "narasumber_topics"
    narasumber_id: Mapped[int] = mapped_column(ForeignKey("narasumber.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(200))


class NarasumberTerm(Base):
    """The folded words of a person's fields: field 'n' name and NIP/NIK, 't'
    topics (part = the topic's position), 'i' instansi, jabatan, pendidikan.
    The primary key doubles as the index from word to persons."""

    __tablename__ = "narasumber_terms"
    __table_args__ = (
        Index("ix_narasumber_terms_person", "narasumber_id"),
        {"sqlite_with_rowid": False},
    )
    field: Mapped[str] = mapped_column(String(1), primary_key=True)
    term: Mapped[str] = mapped_column(String(TERM_MAX), primary_key=True)
    narasumber_id: Mapped[int] = mapped_column(ForeignKey("narasumber.id"), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class NarasumberTermGram(Base):
    """Trigrams of every word ever indexed (the vocabulary, a few thousand
    words even at 10,000 persons): a misspelt word finds its neighbours here
    before any person row is read. Only grows; a stale word matches nobody."""

    __tablename__ = "narasumber_term_grams"
    __table_args__ = ({"sqlite_with_rowid": False},)
    gram: Mapped[str] = mapped_column(String(8), primary_key=True)
    term: Mapped[str] = mapped_column(String(TERM_MAX), primary_key=True)


class NarasumberBooking(Base):
    """A booking (kind 'kegiatan') or a block (cuti, dinas luar, lainnya).

    Times are a half-open interval [starts_at, ends_at): touching intervals do
    not overlap. Active rows (status <> 'batal') of one person never overlap:
    checked by the service inside the write transaction, and held by the
    database - an EXCLUDE constraint on PostgreSQL, triggers on SQLite
    (migration 0004)."""

    __tablename__ = "narasumber_bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="range"),
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status"),
        CheckConstraint(_in("kind", BOOKING_KINDS), name="kind"),
        # A block is in force or withdrawn; only bookings are tentative.
        CheckConstraint("kind = 'kegiatan' OR status <> 'tentatif'", name="block_status"),
        Index("ix_narasumber_bookings_slot", "narasumber_id", "starts_at", "ends_at"),
        Index("ix_narasumber_bookings_starts", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    narasumber_id: Mapped[int] = mapped_column(ForeignKey("narasumber.id"))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activity: Mapped[str] = mapped_column(String(500))  # kegiatan, or the block's reason
    location: Mapped[str | None] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_note: Mapped[str | None] = mapped_column(Text)


class NarasumberEvent(Base):
    """Which audit events concern a person (their history), so the detail pane
    does not scan the whole audit trail."""

    __tablename__ = "narasumber_events"
    narasumber_id: Mapped[int] = mapped_column(ForeignKey("narasumber.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(
        ForeignKey("case_events.seq"), primary_key=True, autoincrement=False
    )
