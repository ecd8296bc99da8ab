"""Keyed audit seals (HMAC over the event chain and the state it left)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Existing trails stay as they are: their events keep the keyless SHA-256
chain, and the first write after this upgrade seals them with a baseline
(meta.legacy_upto = the last keyless event; see soptui.audit.seal).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soptui.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_seals is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_seals",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("prev_mac", sa.String(length=64), nullable=False),
        sa.Column("state", soptui.db.base.JsonDoc(), nullable=False),
        sa.Column("meta", soptui.db.base.JsonDoc(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
    )
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_seals_no_{verb.lower()} BEFORE {verb} ON audit_seals "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_seals_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_seals_no_change BEFORE UPDATE OR DELETE ON audit_seals "
            "FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_seals_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_change ON audit_seals")
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_truncate ON audit_seals")
        op.execute("DROP FUNCTION IF EXISTS audit_seals_append_only()")
    op.drop_table("audit_seals")
