"""Schema creation and upgrades through Alembic, on the app's own connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from soptui.db.engine import Database

# Alembic is imported inside the functions: it costs start-up time and is
# only needed to check or change the schema.
if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "soptui.db:migrations")
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The schema revision of the database (None when not initialised)."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database) -> None:
    """Create or upgrade the schema to the newest revision (idempotent)."""
    from alembic import command

    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


# The newest migration, known without loading Alembic at every start-up
# (tests/test_schema.py checks it against Alembic's own head).
SCHEMA_HEAD = "0008"


def needs_upgrade(db: Database) -> bool:
    return current_revision(db) != SCHEMA_HEAD


# Tables the migrations make by hand, not from the models: the case search
# index (an FTS5 table and its shadow tables on SQLite, a table kept by
# triggers on PostgreSQL; migration 0006). Alembic's comparison skips them.
UNMODELLED_PREFIX = "case_search"


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's include_name hook: everything but the unmodelled tables."""
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_PREFIX))
