"""Parallel start-up: the first inbox page read by a forked helper reaches
the app, and a refusal there ends the app with its one-line message. The
helper's fast path (soptui.fastpath) returns exactly what the services return,
or nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, text

from soptui import fastpath
from soptui.app import SoptuiApp
from soptui.db.models import Case
from soptui.db.schema import SCHEMA_HEAD
from soptui.errors import IdentityError, InputError, NotFoundError, SoptuiError
from soptui.identity import os_login
from soptui.prefetch import LazyServices, Prefetch, StartupRead, read_first_page


def test_result_and_errors_cross_the_fork():
    assert Prefetch(lambda: {"rows": [1, 2]}).result() == {"rows": [1, 2]}

    def refused() -> None:
        raise IdentityError("err.not_registered", login="budi")

    with pytest.raises(IdentityError) as err:
        Prefetch(refused).result()
    assert "budi" in err.value.message() and err.value.exit_code == 1

    def broken() -> None:
        raise OSError("disk on fire")

    with pytest.raises(InputError) as err:
        Prefetch(broken).result()
    assert "disk on fire" in err.value.message()


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_app_shows_the_prefetched_page_then_uses_the_services(office):
    case_id = office.start("NARSUM-PERMINTAAN", title="Dari helper", by=office.teknis)
    office.svc.mark_demo()  # so that the helper may open it as "teknis"
    url = office.svc.db.url
    calls: list[str] = []

    def first_page():  # what run_tui's helper does, in the child
        return read_first_page(office.svc, "teknis", 200)

    class CountingServices(LazyServices):
        def __getattr__(self, name: str):
            calls.append(name)
            return super().__getattr__(name)

    app = SoptuiApp(CountingServices(url), None, pending=Prefetch(first_page))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.02)
                if app.actor is not None and getattr(app.screen, "rows", None):
                    break
            assert app.actor is not None and app.actor.login == "teknis"
            assert [r.id for r in app.screen.rows] == [case_id]
            # the rows came from the helper: this process had not queried yet
            assert "cases" not in seen_when_shown

    seen_when_shown: list[str] = []
    original = SoptuiApp._page_arrived

    def arrived(self, page):  # type: ignore[no-untyped-def]
        seen_when_shown.extend(calls)
        original(self, page)

    SoptuiApp._page_arrived = arrived  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        SoptuiApp._page_arrived = original  # type: ignore[method-assign]


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_refusal_in_the_helper_ends_the_app_with_its_message(office):
    office.svc.mark_demo()

    def first_page():
        return read_first_page(office.svc, "tidak-ada", 200)

    app = SoptuiApp(LazyServices(office.svc.db.url), None, pending=Prefetch(first_page))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.02)
                if app.startup_error is not None:
                    break

    asyncio.run(run())
    assert isinstance(app.startup_error, SoptuiError)
    assert "tidak-ada" in app.startup_error.message()


# ----- the fast path: the first page without SQLAlchemy (soptui.fastpath) -------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SOPTUI_CACHE_DIR", str(folder))
    monkeypatch.delenv("SOPTUI_NO_FASTPATH", raising=False)
    return folder


def db_path(office) -> str:
    """The database as a plain path, as `soptui --db PATH` or SOPTUI_DB give it."""
    return office.svc.db.engine.url.database


def drive(office, case_id: int, steps: int) -> None:
    for _ in range(steps):
        row = office.svc.cases.detail(case_id).row
        office.svc.cases.complete(office.holder(row.waiting_role), case_id)
        office.clock.advance(minutes=7)


def varied_cases(office) -> None:
    """Open, advanced, returned, paused, refused, closed, cancelled and overdue
    cases over several SOPs, a second version of one SOP, and a closure."""
    cases = office.svc.cases
    for code in ("NARSUM-PERMINTAAN", "NARSUM-FASILITASI", "DIKLAT-PELAKSANAAN"):
        for n in range(3):
            case_id = office.start(code, title=f"{code} {n}")
            drive(office, case_id, n)
    drive(office, office.start("NARSUM-PERMINTAAN", title="selesai"), 5)  # closed
    returned = office.start("NARSUM-FASILITASI", title="dikembalikan")
    drive(office, returned, 6)
    cases.return_for_revision(office.kabag, returned, note="Perbaiki.")
    paused = office.start("NARSUM-PERMINTAAN", title="ditunda")
    drive(office, paused, 1)
    row = cases.detail(paused).row
    cases.pause(office.holder(row.waiting_role), paused, note="Menunggu berkas.")
    cases.cancel(office.tu, office.start("DIKLAT-PENGUSULAN", title="batal"), note="Batal.")
    source = office.bundled_source("narsum-permintaan")
    with office.svc.db.write() as s:
        office.svc.catalogs.publish(
            s,
            source.replace("version = 1", "version = 2", 1),
            origin="v2",
            at=office.clock(),
        )
        office.svc.calendars.add_override(
            s,
            kind="closed",
            start=date(2026, 3, 12),
            end=date(2026, 3, 13),
            note="Tutup.",
            at=office.clock(),
            by=None,
        )
    office.start("NARSUM-PERMINTAAN", title="versi 2")
    office.clock.advance(days=3)  # some are overdue now


def fast(office, login: str | None, limit: int = 200):
    return fastpath.first_page(db_path(office), login, limit, clock=office.clock)


def services(office, login: str | None, limit: int = 200):
    return read_first_page(office.svc, login, limit)


def record(office, login: str | None, limit: int = 200):
    page = services(office, login, limit)
    assert fastpath.save(office.svc, db_path(office), page, limit)
    return page


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_fast_path_returns_what_the_services_return(office, cache):
    office.svc.mark_demo()  # so that any clerk may be asked for
    varied_cases(office)
    assert fast(office, "teknis") is None  # nothing recorded yet
    for login in ("teknis", "tu", "kabag", "eselon", "kadis", "anggota", "admin"):
        for limit in (200, 2):
            page = record(office, login, limit)
            assert fast(office, login, limit) == page, login
    assert page.counts["paused"] == 1 and page.counts["closed"] == 2
    seen = [fast(office, login) for login in ("teknis", "tu", "eselon")]
    assert all(p is not None and p.rows for p in seen)
    assert {r.sop_version for p in seen for r in p.rows} == {1, 2}
    assert any(r.overdue for p in seen for r in p.rows)
    # Later writes show: the fast path reads the database, not the file.
    office.start("NARSUM-PERMINTAAN", title="baru", by=office.tu)
    office.clock.advance(minutes=1)
    assert fast(office, "teknis") == services(office, "teknis")


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_the_recorded_sql_is_what_the_services_send(office, cache):
    office.svc.mark_demo()
    varied_cases(office)
    record(office, "teknis")
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(office.svc.db.engine, "before_cursor_execute", seen)
    try:
        services(office, "teknis")
    finally:
        event.remove(office.svc.db.engine, "before_cursor_execute", seen)
    data = fastpath._load(fastpath.cache_file(db_path(office)))
    assert data is not None
    rows_q, counts_q = data["pages"][("petugas-teknis",)]
    recorded = [rows_q, counts_q, data["head"], *data["identity"].values()]
    assert len(recorded) == 7
    assert all(q.sql in sent for q in recorded)


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_the_clerk_at_the_keyboard_and_who_may_act_as_whom(office, cache):
    login = os_login()
    office.start("NARSUM-FASILITASI", title="satu")  # waits on the front desk
    # Not registered, no --user: the services refuse; the fast path leaves it to them.
    assert fast(office, None) is None
    with pytest.raises(IdentityError):
        services(office, None)
    office.svc.users.add(office.admin, login, name="Saya", roles=["petugas-informasi-tu"])
    mine = record(office, None)
    assert mine.actor.login == login and mine.rows
    assert fast(office, None) == mine
    # --user someone else: refused on a plain database for a non-admin...
    assert fast(office, "kabag") is None
    with pytest.raises(IdentityError):
        services(office, "kabag")
    # ...and for a clerk no longer active.
    with office.svc.db.write() as s:
        s.execute(text("UPDATE users SET active = :no WHERE login = :l"), {"no": False, "l": login})
    assert fast(office, None) is None
    with pytest.raises(IdentityError):
        services(office, None)
    # An admin may act as anyone (the services record each new role set first).
    with office.svc.db.write() as s:
        s.execute(
            text("UPDATE users SET active = :yes WHERE login = :l"), {"yes": True, "l": login}
        )
        s.execute(
            text(
                "INSERT INTO user_roles (user_id, role_key)"
                " SELECT id, 'admin' FROM users WHERE login = :l"
            ),
            {"l": login},
        )
    assert fast(office, None) is None
    assert record(office, None).actor.is_admin
    assert fast(office, None) == services(office, None)
    record(office, "kabag")
    assert fast(office, "kabag") == services(office, "kabag")
    assert fast(office, "tidak-ada") is None
    with pytest.raises(NotFoundError):
        services(office, "tidak-ada")


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_delegation_and_role_changes_fall_back_then_are_recorded(office, cache):
    office.svc.mark_demo()
    varied_cases(office)
    before = record(office, "teknis")
    assert fast(office, "teknis") == before
    today = office.clock().date()
    office.svc.users.delegate(
        office.admin, "eselon", "teknis", start=today, end=today + timedelta(days=30)
    )
    assert fast(office, "teknis") is None  # a role set not recorded yet
    delegated = record(office, "teknis")
    assert delegated.actor.delegated == {"eselon-fungsional-khusus": "eselon"}
    assert fast(office, "teknis") == delegated
    assert delegated.counts["mine"] > before.counts["mine"]
    # Revoked: back to the first role set, which is still recorded.
    (delegation,) = office.svc.users.delegations()
    office.svc.users.revoke_delegation(office.admin, delegation.id)
    assert fast(office, "teknis") == services(office, "teknis")
    # Out of its date range the delegation no longer counts either.
    office.svc.users.delegate(office.admin, "eselon", "teknis", start=today, end=today)
    office.clock.advance(days=2)
    assert fast(office, "teknis") == services(office, "teknis")
    # A role taken away: another role set again.
    with office.svc.db.write() as s:
        s.execute(text("DELETE FROM user_roles WHERE role_key = 'petugas-teknis'"))
    assert fast(office, "teknis") is None
    assert record(office, "teknis").actor.roles == frozenset()
    assert fast(office, "teknis") == services(office, "teknis")


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_stale_foreign_or_corrupt_files_fall_back(office, cache, monkeypatch):
    office.svc.mark_demo()
    office.start("NARSUM-FASILITASI", title="satu")  # waits on the front desk
    assert record(office, "tu").rows
    file = fastpath.cache_file(db_path(office))
    good = file.read_bytes()
    assert fast(office, "tu") is not None

    def fresh() -> None:
        file.write_bytes(good)
        file.chmod(0o600)

    for damage in (b"", good[: len(good) // 2], b"not a pickle", good[:-7] + b"garbage"):
        file.write_bytes(damage)
        assert fast(office, "tu") is None
    fresh()
    file.chmod(0o666)  # writable by others: not trusted
    assert fast(office, "tu") is None
    fresh()
    with monkeypatch.context() as m:
        m.setattr(fastpath, "code_key", lambda: "another soptui")
        assert fast(office, "tu") is None
    with monkeypatch.context() as m:
        m.setenv("SOPTUI_NO_FASTPATH", "1")
        assert fast(office, "tu") is None
    assert fast(office, "tu") == services(office, "tu")
    # Another schema revision in the database.
    with office.svc.db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'x'"))
    assert fast(office, "tu") is None
    with office.svc.db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": SCHEMA_HEAD})
    assert fast(office, "tu") is not None
    # A calendar override the recorded calendar does not have.
    with office.svc.db.write() as s:
        office.svc.calendars.add_override(
            s,
            kind="closed",
            start=date(2026, 3, 11),
            end=date(2026, 3, 11),
            note="Tutup.",
            at=office.clock(),
            by=None,
        )
    assert fast(office, "tu") is None
    record(office, "tu")
    assert fast(office, "tu") == services(office, "tu")
    # The database replaced by another at the same path: other SOP texts.
    with office.svc.db.write() as s:
        s.execute(text("UPDATE sop_versions SET content_hash = 'other'"))
    assert fast(office, "tu") is None


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_recording_refuses_what_it_cannot_replay(office):
    now = office.clock()
    samples = fastpath._samples("now")
    with office.svc.db.engine.connect() as conn, conn.begin():
        plain = fastpath.record(
            conn,
            lambda now: select(Case.id, Case.due_at, Case.refusing).where(Case.due_at < now),
            samples,
            {"now": now},
        )
        assert plain.params == (("i", "now", "datetime"),)
        assert plain.columns == (("id", "raw"), ("due_at", "utc"), ("refusing", "bool"))
        for build in (
            # an input changed on the way: neither the input nor a constant
            lambda now: select(Case.id).where(Case.due_at < now + timedelta(hours=1)),
            # SQL whose shape depends on the value
            lambda now: select(Case.id).where(Case.id > 0) if now.year < 1902 else select(Case.id),
            # a shape only real values take (the samples cannot see it)
            lambda now: select(Case.id).where(Case.id > 0) if now.year > 2000 else select(Case.id),
        ):
            with pytest.raises(fastpath.Refused):
                fastpath.record(conn, build, samples, {"now": now})


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_only_plain_sqlite_paths_take_the_fast_path(office, cache):
    office.svc.mark_demo()
    page = services(office, "teknis")
    url = str(office.svc.db.url)
    assert url.startswith("sqlite:///")
    assert not fastpath.save(office.svc, url, page, 200)  # a URL: not for the fast path
    assert fastpath.first_page(url, "teknis", 200) is None
    assert fastpath.first_page(":memory:", "teknis", 200) is None


@pytest.mark.parametrize(
    "office_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgresql_never_takes_the_fast_path(office, cache):
    office.svc.mark_demo()
    page = services(office, "teknis")
    url = office.svc.db.url
    assert not fastpath.save(office.svc, url, page, 200)
    assert fastpath.first_page(url, "teknis", 200) is None
    assert not cache.exists()


def test_fresh_install_then_the_fast_path_without_sqlalchemy(tmp_path, cache):
    """What run_tui does on a new machine: no database yet (the fast path must
    not create one), the services initialise it; the next start reads the
    page in a process that never imports SQLAlchemy."""
    from soptui.service import Soptui

    path = str(tmp_path / "baru" / "soptui.sqlite")
    login = os_login()

    def open_services() -> Soptui:
        svc = Soptui(path)
        if svc.is_empty():
            svc.init(admin_login=login)
        else:
            svc.ensure_ready()
        return svc

    first = StartupRead(path, None, 200, open_services)
    assert fastpath.first_page(path, None, 200) is None
    assert not os.path.exists(path)
    page = first()
    assert page.actor.login == login and page.actor.is_admin and page.rows == []
    assert first.svc is not None
    first.after(page)
    assert fastpath.cache_file(path).exists()
    again = StartupRead(path, None, 200, open_services)
    quick = again()
    assert again.svc is None  # the fast path answered
    assert (quick.actor, quick.rows, quick.counts) == (page.actor, page.rows, page.counts)
    script = (
        "import sys\n"
        "from soptui import fastpath\n"
        f"page = fastpath.first_page({path!r}, None, 200)\n"
        "assert page is not None and page.actor.is_admin, page\n"
        "assert not [m for m in sys.modules if m.startswith('sqlalchemy')]\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy()
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_child_records_after_answering_and_is_reaped():
    started = time.monotonic()
    prefetch = Prefetch(lambda: "page", after=lambda _page: time.sleep(1.5))
    assert prefetch.result() == "page"
    assert time.monotonic() - started < 1.0  # not held up by `after`
    pid = prefetch._pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)  # still there (running or not yet reaped)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the helper was not reaped")
