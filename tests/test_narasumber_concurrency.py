"""Several clerk processes booking one narasumber for overlapping times at
once, on both backends: exactly one wins, the others are refused with the
conflict named, and nothing else is written. The unsafe variant drops the
service's locking (no BEGIN IMMEDIATE on SQLite, no FOR UPDATE on
PostgreSQL): the database's own guard (triggers / EXCLUDE) still holds."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from soptui import audit
from soptui.db.models import CaseEvent
from soptui.db.registry_models import NarasumberBooking
from soptui.errors import BusyError, RuleError
from soptui.narasumber import parse_range
from soptui.service import Soptui

WORKERS = 6


def _clerk(url: str, person: int, i: int, unsafe: bool, go, results: mp.Queue) -> None:  # type: ignore[no-untyped-def]
    svc = Soptui(url, unsafe=unsafe)
    outcome = "error"
    try:
        actor = svc.users.actor("tu")
        # Each wants a different but overlapping slot: 08:00 + 10 min * i, two hours.
        start, end = parse_range(f"2026-12-03 08:{i * 10:02d}", f"2026-12-03 10:{i * 10:02d}")
        go.wait(30)
        try:
            svc.narasumber.book(actor, person, start, end, activity=f"Kegiatan {i}")
            outcome = "won"
        except BusyError:
            outcome = "busy"
        except RuleError as exc:
            outcome = "conflict" if "bentrok" in exc.message() else f"rule: {exc.message()}"
            if outcome == "conflict" and isinstance(exc.__cause__, IntegrityError):
                outcome = "conflict (database)"  # raced past the check; the guard held
    except Exception as exc:  # reported, so the test shows what went wrong
        outcome = f"error: {type(exc).__name__}: {exc}"
    finally:
        svc.close()
        results.put(outcome)


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_one_slot_many_clerks_exactly_one_wins(office, office_url, unsafe, figures):
    nr = office.svc.narasumber
    p = nr.register(office.anggota, name="Dr. Sari Wijaya", topics=["Akuntansi koperasi"])
    nr.set_status(office.admin, p.id, "disetujui", note="Terdaftar sebelum aplikasi ini.")
    with office.svc.db.read() as s:
        events_before = s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()
    ctx = mp.get_context("fork")
    go = ctx.Event()
    results: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_clerk, args=(office_url, p.id, i, unsafe, go, results))
        for i in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    go.set()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    assert outcomes.count("won") == 1, outcomes
    # the others were refused with the reason; unsafe SQLite may also report "busy"
    losers = [o for o in outcomes if o != "won"]
    allowed = {"conflict", "conflict (database)"} | ({"busy"} if unsafe else set())
    assert set(losers) <= allowed, outcomes
    with office.svc.db.read() as s:
        active = s.execute(
            select(func.count())
            .select_from(NarasumberBooking)
            .where(NarasumberBooking.narasumber_id == p.id, NarasumberBooking.status != "batal")
        ).scalar_one()
        events = s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()
        report = audit.verify(s)
    assert active == 1
    assert events == events_before + 1  # only the winner's booking.created
    assert report.ok, report
    mode = "unsafe (database guard only)" if unsafe else "safe"
    figures(
        f"narasumber booking race, {office.svc.db.backend}, {mode}: {WORKERS} clerks, "
        f"1 booked, {losers.count('conflict')} refused by the check, "
        f"{losers.count('conflict (database)')} by the database guard, {losers.count('busy')} busy"
    )
