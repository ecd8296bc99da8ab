"""App-level fixtures: an initialised office database (catalog loaded, one
clerk per role) on each backend, with a frozen clock.

Initialising (Alembic + nine SOPs + users) costs ~0.2 s, so it is done once per
backend and session into a template that each test copies: a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from soptui.identity import Actor
from soptui.service import Soptui

WIB = ZoneInfo("Asia/Jakarta")
START = "2026-03-10 10:00"  # a Tuesday, a plain working day

# login -> role key: one clerk for every role of the nine SOPs.
CLERKS = {
    "tu": "petugas-informasi-tu",
    "karo": "kepala-biro",
    "kabag": "kepala-bagian-terkait",
    "kasubbag": "kasubbag-terkait",
    "asisten": "asisten-administrasi-umum",
    "sekda": "sekda",
    "teknis": "petugas-teknis",
    "kadis": "pejabat-level-1",
    "eselon": "eselon-fungsional-khusus",
    "ketua": "ketua-tim-kerja",
    "anggota": "anggota-tim-kerja",
    "level2": "pejabat-level-2",
    "kasubbagumum": "kasubbag-umum-aparatur",
    "kabid": "kepala-bidang",
    "sekdis": "sekretaris-dinas",
    "pengadm": "pengadministrasi-umum",
}


class FakeClock:
    """A clock the test moves by hand (local WIB times in, aware UTC out)."""

    def __init__(self, local: str = START) -> None:
        self.at = self._parse(local)

    @staticmethod
    def _parse(local: str) -> datetime:
        return datetime.fromisoformat(local).replace(tzinfo=WIB).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def set(self, local: str) -> None:
        self.at = self._parse(local)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Office:
    svc: Soptui
    clock: FakeClock
    actors: dict[str, Actor] = field(default_factory=dict)

    def __getattr__(self, login: str) -> Actor:
        try:
            return self.__dict__["actors"][login]
        except KeyError:
            raise AttributeError(login) from None

    def holder(self, role: str | None) -> Actor:
        for login, key in CLERKS.items():
            if key == role:
                return self.actors[login]
        raise KeyError(role)

    def start(
        self, code: str, *, title: str = "Permohonan narasumber", by: Actor | None = None
    ) -> int:
        return self.svc.cases.start(by or self.actors["tu"], code, title=title)

    @staticmethod
    def local(dt: datetime | None) -> str:
        return dt.astimezone(WIB).strftime("%Y-%m-%d %H:%M") if dt else ""

    @staticmethod
    def bundled_source(name: str) -> str:
        return (resources.files("soptui.sops") / f"{name}.toml").read_text(encoding="utf-8")


def build_office(url: str, clock: FakeClock) -> None:
    svc = Soptui(url, clock=clock)
    try:
        svc.init(admin_login="admin")
        admin = svc.users.actor("admin")
        for login, role in CLERKS.items():
            svc.users.add(admin, login, name=login.title(), roles=[role])
    finally:
        svc.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "office.sqlite"
    build_office(f"sqlite:///{path}", FakeClock())
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin_engine: Engine) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"soptui_tpl_{worker}_{uuid.uuid4().hex[:8]}"
    with pg_admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    build_office(pg_admin_engine.url.set(database=name).render_as_string(False), FakeClock())
    yield name
    with pg_admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def office_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the initialised office database, once per backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "office.sqlite"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    admin: Engine = request.getfixturevalue("pg_admin_engine")
    template_name: str = request.getfixturevalue("pg_template")
    name = f"soptui_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(office_url: str, clock: FakeClock) -> Iterator[Office]:
    svc = Soptui(office_url, clock=clock)
    office = Office(svc, clock)
    office.actors = {u.login: svc.users.actor(u.login) for u in svc.users.list()}
    yield office
    svc.close()


# --- figures: reliability and benchmark numbers shown at the end of the run ---

_FIGURES: list[str] = []


@pytest.fixture
def figures():
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


# --- the CLI in-process (tests/test_cli.py, tests/test_narasumber_cli.py) ---


@pytest.fixture
def run(office_url, capsys):  # type: ignore[no-untyped-def]
    """Run `soptui --server PATH ARGS...` in-process against a real server on
    the office database; returns (exit code, stdout, stderr)."""
    with contextlib.ExitStack() as stack:
        yield _runner(office_url, capsys, stack)


def _runner(office_url, capsys, stack):  # type: ignore[no-untyped-def]
    from server_support import serving

    from soptui import cli
    from soptui.i18n import set_language

    svc = Soptui(office_url)
    svc.mark_demo()  # so that --user works without an OS login per clerk
    server = stack.enter_context(serving(svc))

    def _run(*args: str) -> tuple[int, str, str]:
        code = 0
        try:
            cli.main(["--db", office_url, "--server", str(server.path), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            set_language("id")
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def sqlite_digest(url: str) -> str:
    """SHA-256 of a SQLite database file, its WAL folded in first."""
    import hashlib

    path = Path(url.removeprefix("sqlite:///"))
    svc = Soptui(url)
    with svc.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    svc.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()
