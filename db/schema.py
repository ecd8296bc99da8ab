"""Schema creation and upgrades through Alembic, on the app's own connection."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from soptui.db.engine import Database


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "soptui.db:migrations")
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> None:
    """Create or upgrade the schema to the newest revision (idempotent)."""
    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def needs_upgrade(db: Database) -> bool:
    return current_revision(db) != head_revision()
