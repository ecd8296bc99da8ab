"""Declarative base, naming convention and portable column types."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect, processors
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeEngine

# Named constraints keep Alembic batch migrations on SQLite deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zone type: values are stored as naive UTC so that text
    comparison orders them correctly (the inbox sorts on due times).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any]:
        """What process_result_value does after the backend's own conversion, in
        one function: SQLAlchemy's composition costs two more Python calls per
        value, and an inbox page converts four datetimes a row."""
        inner = self.impl_instance.result_processor(dialect, coltype)
        utc = UTC

        if inner is None:

            def process(value: Any) -> datetime | None:
                if value is None:
                    return None
                return value.replace(tzinfo=utc) if value.tzinfo is None else value.astimezone(utc)

        elif inner is processors.str_to_datetime:
            # SQLite's text parsed by datetime.fromisoformat: parsed with the UTC
            # offset appended, the value comes out aware at once, several times
            # cheaper than replace(tzinfo=...). Text this does not fit (an offset
            # of its own, a date alone: never written by us) takes the general way.
            parse = datetime.fromisoformat

            def process(value: Any) -> datetime | None:
                if value is None:
                    return None
                try:
                    aware = parse(value + "+00:00")
                    if aware.tzinfo is utc:  # not so for a date alone
                        return aware
                except (TypeError, ValueError):
                    pass
                value = parse(value)
                return value.replace(tzinfo=utc) if value.tzinfo is None else value.astimezone(utc)

        else:

            def process(value: Any) -> datetime | None:
                if value is None:
                    return None
                value = inner(value)
                if value is None:
                    return None
                return value.replace(tzinfo=utc) if value.tzinfo is None else value.astimezone(utc)

        return process


class JsonDoc(TypeDecorator[Any]):
    """JSON; JSONB on PostgreSQL. The PostgreSQL dialect is imported only when
    it is used, so a SQLite start-up does not pay for it."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())
