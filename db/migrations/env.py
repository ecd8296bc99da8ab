"""Alembic environment: runs on the connection soptui hands over (see soptui.db.schema)."""

from __future__ import annotations

from alembic import context

# Imported to register the tables on Base.metadata (core, narasumber registry).
from soptui.db import models, registry_models  # noqa: F401
from soptui.db.base import Base
from soptui.db.schema import include_name

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for `alembic` run by hand
    raise SystemExit("run migrations through `soptui init`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
