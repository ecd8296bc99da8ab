"""Engine and transactions.

Every writing transaction goes through ``Database.write()``: on SQLite that is
WAL + ``BEGIN IMMEDIATE`` (the write lock is taken before the first read, so a
read-then-write can neither lose an update nor fail half-way with "database is
locked"); on PostgreSQL the services lock the rows they change
(``SELECT ... FOR UPDATE``) inside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from soptui.errors import BusyError

if TYPE_CHECKING:
    from soptui.audit.keys import AuditKey

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept a plain file path, a sqlite URL or a PostgreSQL URL."""
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # SQLAlchemy would pick psycopg2; this project ships psycopg 3.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _create_private(path: Path) -> None:
    """A new database file is readable by its owner only (0600, in a 0700
    folder when soptui makes it): case data is not for other local users."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below control transactions (pysqlite would
        # otherwise run SELECTs outside any transaction).
        dbapi_conn.isolation_level = None
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={busy_timeout_ms}",
        ):
            dbapi_conn.execute("PRAGMA " + pragma)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql("BEGIN " + mode)


class Database:
    """One engine and two session factories: readers and writers."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        unsafe: bool = False,
        audit_key: AuditKey | None = None,
    ) -> None:
        """unsafe=True is the control of the reliability tests only: SQLAlchemy's
        default SQLite setup and no row locks, i.e. what loses updates.
        audit_key seals every writing transaction (None: the public
        development key, see soptui.audit.keys)."""
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.backend = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.backend == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                _create_private(Path(database))
        else:
            kwargs["pool_pre_ping"] = True
            # A row lock held longer than this ends in "busy, try again", not a hang.
            kwargs["connect_args"] = {"options": f"-c lock_timeout={busy_timeout_ms}"}
        self.engine = create_engine(self.url, **kwargs)
        self.lock_rows = not unsafe
        if self.backend == "sqlite" and not unsafe:
            _install_sqlite_hooks(self.engine, busy_timeout_ms)
            writer_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            writer_engine = self.engine
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)
        from soptui.audit.seal import Sealer

        self.sealer = Sealer(audit_key)
        self.sealer.install(self._writer)

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _translate_busy(), self._reader() as session, session.begin():
            yield session

    @contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """A read transaction on a plain connection, for the hot reads that need
        no ORM: a Session's setup and bookkeeping cost more than an inbox
        page's query."""
        with _translate_busy(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short writing transaction: commit on success, roll back on error."""
        with _translate_busy(), self._writer() as session, session.begin():
            yield session
            self.sealer.seal(session)

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _translate_busy() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "database is locked" in text or "lock timeout" in text:
            raise BusyError() from exc
        raise
