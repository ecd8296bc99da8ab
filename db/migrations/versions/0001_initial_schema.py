"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import soptui.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=32), nullable=True),
        sa.Column("jabatan", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "calendar_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "schedule",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('closed','open','schedule')", name=op.f("ck_calendar_overrides_kind")
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_calendar_overrides_range")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_calendar_overrides_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_overrides")),
    )
    op.create_table(
        "sop_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=False),
        sa.Column("nomor", sa.String(length=100), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("bundled", sa.Boolean(), nullable=False),
        sa.Column("imported_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["users.id"], name=op.f("fk_sop_versions_imported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_sop_versions_code_version")),
    )
    with op.batch_alter_table("sop_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sop_versions_code"), ["code"], unique=False)

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "role_key", name=op.f("pk_user_roles")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_role_key"), ["role_key"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_version_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("requester", sa.String(length=300), nullable=True),
        sa.Column("letter_no", sa.String(length=100), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("current_step_key", sa.String(length=64), nullable=True),
        sa.Column("current_step_index", sa.Integer(), nullable=True),
        sa.Column("current_role", sa.String(length=64), nullable=True),
        sa.Column("waiting_role", sa.String(length=64), nullable=True),
        sa.Column("current_attempt_id", sa.Integer(), nullable=True),
        sa.Column("due_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refusing", sa.Boolean(), nullable=False),
        sa.Column("opened_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open','paused','closed','refused','cancelled')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"], name=op.f("fk_cases_opened_by_users")),
        sa.ForeignKeyConstraint(
            ["sop_version_id"],
            ["sop_versions.id"],
            name=op.f("fk_cases_sop_version_id_sop_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_inbox", ["status", "waiting_role", "due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_sop_version_id"), ["sop_version_id"], unique=False
        )
        batch_op.create_index("ix_cases_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("step_key", sa.String(length=64), nullable=True),
        sa.Column("acted_as", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_case_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case", ["case_id", "seq"], unique=False)

    op.create_table(
        "step_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=64), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("started_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("acted_as", sa.String(length=20), nullable=True),
        sa.Column("paused_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("standard_s", sa.Integer(), nullable=True),
        sa.Column("paused_s", sa.Integer(), nullable=False),
        sa.Column("worked_s", sa.Integer(), nullable=True),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_step_attempts_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_step_attempts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_attempts")),
    )
    with op.batch_alter_table("step_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_step_attempts_case", ["case_id", "id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("step_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_step_attempts_case")

    op.drop_table("step_attempts")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case")

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_updated_at"))
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index(batch_op.f("ix_cases_sop_version_id"))
        batch_op.drop_index("ix_cases_inbox")

    op.drop_table("cases")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_role_key"))

    op.drop_table("user_roles")
    with op.batch_alter_table("sop_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sop_versions_code"))

    op.drop_table("sop_versions")
    op.drop_table("calendar_overrides")
    op.drop_table("users")
    op.drop_table("settings")
