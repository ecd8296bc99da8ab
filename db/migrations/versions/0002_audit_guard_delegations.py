"""Append-only audit trail (triggers), Plt/Plh delegations, on-behalf-of on attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soptui.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "case_events is append-only"


def upgrade() -> None:
    with op.batch_alter_table("step_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of", sa.String(length=64), nullable=True))

    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", soptui.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", soptui.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_delegations_range")),
        sa.CheckConstraint("kind IN ('plt','plh')", name=op.f("ck_delegations_kind")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_delegations_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["users.id"], name=op.f("fk_delegations_delegate_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["users.id"], name=op.f("fk_delegations_principal_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(
        "ix_delegations_delegate", "delegations", ["delegate_id", "start_date", "end_date"]
    )

    # The audit trail refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL).
    # Someone with the database owner's rights can still drop the triggers:
    # the hash chain and a head kept outside (`soptui audit head`) show that.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER case_events_no_{verb.lower()} BEFORE {verb} ON case_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events "
            "FOR EACH ROW EXECUTE FUNCTION case_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS case_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS case_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_events_no_change ON case_events")
        op.execute("DROP TRIGGER IF EXISTS case_events_no_truncate ON case_events")
        op.execute("DROP FUNCTION IF EXISTS case_events_append_only()")
    op.drop_index("ix_delegations_delegate", table_name="delegations")
    op.drop_table("delegations")
    with op.batch_alter_table("step_attempts", schema=None) as batch_op:
        batch_op.drop_column("on_behalf_of")
