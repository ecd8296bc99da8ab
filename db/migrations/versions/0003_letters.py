"""Letter register: agenda of incoming letters, outgoing numbers, counters, patterns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soptui.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("klasifikasi", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("party", sa.String(length=300), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("sifat", sa.String(length=20), nullable=False),
        sa.Column("perihal", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("voided_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_note", sa.Text(), nullable=True),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("direction IN ('in','out')", name=op.f("ck_letters_direction")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_letters_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_letters_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint(
            "direction", "klasifikasi", "year", "seq",
            name=op.f("uq_letters_direction_klasifikasi_year_seq"),
        ),
    )
    op.create_index("ix_letters_year", "letters", ["year", "direction", "seq"])
    op.create_index(op.f("ix_letters_number"), "letters", ["number"])
    op.create_index(op.f("ix_letters_case_id"), "letters", ["case_id"])
    op.create_table(
        "letter_counters",
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("klasifikasi", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "direction", "klasifikasi", "year", name=op.f("pk_letter_counters")
        ),
    )
    op.create_table(
        "number_patterns",
        sa.Column("klasifikasi", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("klasifikasi", name=op.f("pk_number_patterns")),
    )


def downgrade() -> None:
    op.drop_table("number_patterns")
    op.drop_table("letter_counters")
    op.drop_index(op.f("ix_letters_case_id"), table_name="letters")
    op.drop_index(op.f("ix_letters_number"), table_name="letters")
    op.drop_index("ix_letters_year", table_name="letters")
    op.drop_table("letters")
