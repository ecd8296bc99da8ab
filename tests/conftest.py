"""Shared test fixtures.

Databases: ``db_url`` runs a test once per backend ("sqlite", "postgresql"), each time on a
fresh empty database.  PostgreSQL is a throwaway server started by tests/pg_server.py (one
per pytest process, so one per xdist worker), or the server named by ``SOPTUI_TEST_PG``.
Select backends with ``-m postgres`` / ``-m "not postgres"``.

Without PostgreSQL binaries the postgres tests are skipped, except under CI (env ``CI``),
where they fail: CI must run them.  Tests marked ``slow`` run only with ``--heavy``.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))
import pg_server  # tests/ is not a package


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


# --- command line: --heavy ---


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--heavy", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--heavy"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --heavy")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


# --- private servers: the session's own runtime folder, all stopped at the end ---


@pytest.fixture(scope="session", autouse=True)
def private_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Clients that start a private server on demand put its socket in
    XDG_RUNTIME_DIR: one folder for this session, and every server started
    there is stopped when the session ends (no process left behind)."""
    from server_support import kill_servers_under

    folder = tmp_path_factory.mktemp("runtime")
    folder.chmod(0o700)
    old = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "SOPTUI_LINGER", "XDG_DATA_HOME")}
    os.environ["XDG_RUNTIME_DIR"] = str(folder)
    # Their audit keys and head logs too (a private server keeps them in the
    # user's data folder): not the machine's.
    data = tmp_path_factory.mktemp("data")
    data.chmod(0o700)
    os.environ["XDG_DATA_HOME"] = str(data)
    os.environ["SOPTUI_LINGER"] = "20"  # a test's server leaves soon after it
    yield folder
    kill_servers_under(str(folder))
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def test_servers() -> Iterator[None]:
    """Servers a test started through server_support.serve_for_test stop with it."""
    from server_support import stop_test_servers

    yield
    stop_test_servers()


# --- the interface language is process-wide state: every test starts in Indonesian ---


@pytest.fixture(autouse=True)
def indonesian() -> Iterator[None]:
    from soptui.i18n import set_language

    set_language("id")
    yield
    set_language("id")


# --- PostgreSQL server (session) ---


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get("SOPTUI_TEST_PG"):
        return "postgresql: external server from SOPTUI_TEST_PG"
    try:
        return f"postgresql: throwaway server(s) from {pg_server.find_bindir()}"
    except pg_server.PgNotFound:
        return "postgresql: NOT FOUND, postgres tests " + ("fail (CI)" if _in_ci() else "skip")


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server: $SOPTUI_TEST_PG, else a private one started now."""
    external = os.environ.get("SOPTUI_TEST_PG")
    if external:
        yield external
        return
    try:
        server = pg_server.start()
    except pg_server.PgNotFound as exc:
        missing = str(exc)  # handled outside the except block for a clean report
    else:
        missing = ""
    if missing and _in_ci():
        pytest.fail(f"CI is set but PostgreSQL is unavailable: {missing}", pytrace=False)
    if missing:
        pytest.skip(f"PostgreSQL tests skipped: {missing} (or set SOPTUI_TEST_PG)")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_admin_engine(pg_server_url: str) -> Iterator[Engine]:
    """AUTOCOMMIT engine on the server's ``postgres`` database, for CREATE/DROP DATABASE."""
    url = make_url(pg_server_url).set(database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    yield engine
    engine.dispose()


def _create_pg_database(admin: Engine, worker_id: str) -> Iterator[str]:
    # Unique across tests, xdist workers and concurrent runs on a shared server.
    name = f"soptui_t_{worker_id}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # FORCE: a test may leave pooled connections open.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- per-test databases ---


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, empty SQLite database file."""
    return f"sqlite:///{tmp_path}/soptui.sqlite"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database URL; the test runs once per backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    # Looked up lazily so that sqlite-only runs never start a server.
    admin = request.getfixturevalue("pg_admin_engine")
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    yield from _create_pg_database(admin, worker_id)


# --- app fixtures ---

from app_fixtures import *  # noqa: E402,F403  (office, office_url, clock)
