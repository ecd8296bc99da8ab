"""Narasumber registry: persons, topics, word index, bookings and blocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soptui.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OVERLAP = "narasumber booking overlaps"
# Another active row of the same person that overlaps NEW ([start, end) intervals).
_OVERLAPPING = (
    "EXISTS (SELECT 1 FROM narasumber_bookings b WHERE b.narasumber_id = NEW.narasumber_id "
    "AND b.status <> 'batal' AND b.starts_at < NEW.ends_at AND b.ends_at > NEW.starts_at{other})"
)


def upgrade() -> None:
    op.create_table(
        "narasumber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sort_name", sa.String(length=300), nullable=False),
        sa.Column("nip", sa.String(length=32), nullable=True),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("instansi", sa.String(length=300), nullable=True),
        sa.Column("jabatan", sa.String(length=300), nullable=True),
        sa.Column("pendidikan", sa.String(length=300), nullable=True),
        sa.Column("asn_status", sa.String(length=10), nullable=True),
        sa.Column("eselon", sa.String(length=8), nullable=True),
        sa.Column("golongan", sa.String(length=8), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registration_case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('diajukan','diverifikasi','disetujui','ditolak','nonaktif')",
            name=op.f("ck_narasumber_status"),
        ),
        sa.CheckConstraint(
            "asn_status IN ('pns','pppk','non_asn')", name=op.f("ck_narasumber_asn_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_narasumber_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["registration_case_id"],
            ["cases.id"],
            name=op.f("fk_narasumber_registration_case_id_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narasumber")),
        sa.UniqueConstraint("nip", name=op.f("uq_narasumber_nip")),
        sa.UniqueConstraint("nik", name=op.f("uq_narasumber_nik")),
    )
    op.create_index("ix_narasumber_status_name", "narasumber", ["status", "sort_name"])
    op.create_index(op.f("ix_narasumber_sort_name"), "narasumber", ["sort_name"])
    op.create_index(
        op.f("ix_narasumber_registration_case_id"), "narasumber", ["registration_case_id"]
    )

    op.create_table(
        "narasumber_topics",
        sa.Column("narasumber_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["narasumber_id"],
            ["narasumber.id"],
            name=op.f("fk_narasumber_topics_narasumber_id_narasumber"),
        ),
        sa.PrimaryKeyConstraint("narasumber_id", "position", name=op.f("pk_narasumber_topics")),
    )

    op.create_table(
        "narasumber_terms",
        sa.Column("field", sa.String(length=1), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("narasumber_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["narasumber_id"],
            ["narasumber.id"],
            name=op.f("fk_narasumber_terms_narasumber_id_narasumber"),
        ),
        sa.PrimaryKeyConstraint(
            "field", "term", "narasumber_id", "part", name=op.f("pk_narasumber_terms")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_narasumber_terms_person", "narasumber_terms", ["narasumber_id"])

    op.create_table(
        "narasumber_term_grams",
        sa.Column("gram", sa.String(length=8), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("gram", "term", name=op.f("pk_narasumber_term_grams")),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "narasumber_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("narasumber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("starts_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activity", sa.String(length=500), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("cancel_note", sa.Text(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_narasumber_bookings_range")),
        sa.CheckConstraint(
            "status IN ('tentatif','definitif','batal')",
            name=op.f("ck_narasumber_bookings_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('kegiatan','cuti','dinas_luar','lainnya')",
            name=op.f("ck_narasumber_bookings_kind"),
        ),
        sa.CheckConstraint(
            "kind = 'kegiatan' OR status <> 'tentatif'",
            name=op.f("ck_narasumber_bookings_block_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_narasumber_bookings_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_narasumber_bookings_cancelled_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_narasumber_bookings_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["narasumber_id"],
            ["narasumber.id"],
            name=op.f("fk_narasumber_bookings_narasumber_id_narasumber"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narasumber_bookings")),
    )
    op.create_index(
        "ix_narasumber_bookings_slot",
        "narasumber_bookings",
        ["narasumber_id", "starts_at", "ends_at"],
    )
    op.create_index("ix_narasumber_bookings_starts", "narasumber_bookings", ["starts_at"])
    op.create_index(op.f("ix_narasumber_bookings_case_id"), "narasumber_bookings", ["case_id"])

    op.create_table(
        "narasumber_events",
        sa.Column("narasumber_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["narasumber_id"],
            ["narasumber.id"],
            name=op.f("fk_narasumber_events_narasumber_id_narasumber"),
        ),
        sa.ForeignKeyConstraint(
            ["seq"], ["case_events.seq"], name=op.f("fk_narasumber_events_seq_case_events")
        ),
        sa.PrimaryKeyConstraint("narasumber_id", "seq", name=op.f("pk_narasumber_events")),
    )

    # No double booking, held by the database as well as checked by the service.
    if op.get_bind().dialect.name == "postgresql":
        # btree_gist lets a gist index compare the integer narasumber_id with "=".
        # Both extensions are "trusted" (PostgreSQL 13+): the database owner may create them.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE narasumber_bookings ADD CONSTRAINT ex_narasumber_bookings_no_overlap "
            "EXCLUDE USING gist (narasumber_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
            "WHERE (status <> 'batal')"
        )
    else:
        # SQLite has no exclusion constraints: triggers refuse an overlapping active
        # row (times are stored as same-format UTC text, so text order is time order).
        op.execute(
            "CREATE TRIGGER narasumber_bookings_no_overlap_insert "
            "BEFORE INSERT ON narasumber_bookings "
            f"WHEN NEW.status <> 'batal' AND {_OVERLAPPING.format(other='')} "
            f"BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"
        )
        op.execute(
            "CREATE TRIGGER narasumber_bookings_no_overlap_update "
            "BEFORE UPDATE OF narasumber_id, status, starts_at, ends_at ON narasumber_bookings "
            f"WHEN NEW.status <> 'batal' AND {_OVERLAPPING.format(other=' AND b.id <> NEW.id')} "
            f"BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # btree_gist stays: other objects may have come to use it.
        op.execute(
            "ALTER TABLE narasumber_bookings DROP CONSTRAINT IF EXISTS "
            "ex_narasumber_bookings_no_overlap"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS narasumber_bookings_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS narasumber_bookings_no_overlap_update")
    op.drop_table("narasumber_events")
    op.drop_index(op.f("ix_narasumber_bookings_case_id"), table_name="narasumber_bookings")
    op.drop_index("ix_narasumber_bookings_starts", table_name="narasumber_bookings")
    op.drop_index("ix_narasumber_bookings_slot", table_name="narasumber_bookings")
    op.drop_table("narasumber_bookings")
    op.drop_table("narasumber_term_grams")
    op.drop_index("ix_narasumber_terms_person", table_name="narasumber_terms")
    op.drop_table("narasumber_terms")
    op.drop_table("narasumber_topics")
    op.drop_index(op.f("ix_narasumber_registration_case_id"), table_name="narasumber")
    op.drop_index(op.f("ix_narasumber_sort_name"), table_name="narasumber")
    op.drop_index("ix_narasumber_status_name", table_name="narasumber")
    op.drop_table("narasumber")
