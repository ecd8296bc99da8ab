"""The schema: migrations match the models on both backends, and the head
revision known to the start-up check is Alembic's head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from soptui.db import schema
from soptui.db.base import Base
from soptui.db.engine import Database


def test_start_up_knows_the_newest_migration():
    assert schema.head_revision() == schema.SCHEMA_HEAD


def test_migrations_build_exactly_the_models(db_url):
    db = Database(db_url)
    assert schema.current_revision(db) is None and schema.needs_upgrade(db)
    schema.upgrade(db)
    schema.upgrade(db)  # idempotent
    assert not schema.needs_upgrade(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": schema.include_name})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()
    assert diff == []
