"""The database fixtures: fresh empty databases per test and backend, a usable PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

# Both tests write the same table; each must start from an empty database.
WRITE_TWICE = ["first", "second"]


@pytest.mark.parametrize("attempt", WRITE_TWICE)
def test_db_url_is_fresh_and_empty(db_url: str, attempt: str) -> None:
    engine = create_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE marker (id INTEGER PRIMARY KEY, note TEXT)"))
            conn.execute(text("INSERT INTO marker (id, note) VALUES (1, :note)"), {"note": attempt})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM marker")).scalars().all() == [attempt]
    finally:
        engine.dispose()


def test_db_url_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    assert db_url.startswith(
        {"sqlite": "sqlite:///", "postgresql": "postgresql+psycopg://"}[backend]
    )


def test_sqlite_url_is_fresh(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_version(pg_server_url: str) -> None:
    engine = create_engine(pg_server_url)
    try:
        with engine.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
        assert version >= 130000, version
    finally:
        engine.dispose()


# A PostgreSQL-only test narrows db_url with indirect parametrization (and marks itself).
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_btree_gist_exclusion_constraint(db_url: str) -> None:
    """No two bookings of the same room may overlap: btree_gist + EXCLUDE USING gist."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            conn.execute(
                text(
                    "CREATE TABLE booking ("
                    " room INTEGER NOT NULL,"
                    " during TSTZRANGE NOT NULL,"
                    " EXCLUDE USING gist (room WITH =, during WITH &&))"
                )
            )
        t0 = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
        hour = dt.timedelta(hours=1)
        insert = text("INSERT INTO booking VALUES (:room, tstzrange(:lo, :hi))")
        with engine.begin() as conn:
            conn.execute(insert, {"room": 1, "lo": t0, "hi": t0 + 2 * hour})
            conn.execute(insert, {"room": 2, "lo": t0, "hi": t0 + 2 * hour})  # other room
            conn.execute(insert, {"room": 1, "lo": t0 + 2 * hour, "hi": t0 + 3 * hour})  # adjacent
        with pytest.raises(IntegrityError, match="exclu"), engine.begin() as conn:
            conn.execute(insert, {"room": 1, "lo": t0 + hour, "hi": t0 + 4 * hour})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM booking")).scalar_one() == 3
    finally:
        engine.dispose()
