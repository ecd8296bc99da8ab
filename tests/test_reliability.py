"""Reliability figures (docs/reliability.md): lost updates with a deliberately
unsafe control, and kill -9 of writers. Light by default; `--heavy` runs the
full variants. Figures appear in the pytest terminal summary."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import sqlite3
import time

import pytest
from invariants import check_invariants
from reliability_workloads import Tally, crash_clerk, toggle_clerk
from sqlalchemy import func, select

from soptui.db.models import CaseEvent
from soptui.service import Soptui


def sizes(request: pytest.FixtureRequest) -> tuple[int, int]:
    return (8, 500) if request.config.getoption("--heavy") else (4, 40)


def run_toggles(url: str, case_id: int, workers: int, actions: int, unsafe: bool) -> Tally:
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=toggle_clerk, args=(url, case_id, actions, unsafe, out))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    tallies = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return Tally(
        committed=sum(t.committed for t in tallies),
        refused=sum(t.refused for t in tallies),
        errors=sum(t.errors for t in tallies),
    )


def lost_updates(office, case_id: int, tally: Tally) -> int:
    """Each committed action bumps the version once: the shortfall was lost."""
    version = office.svc.cases.detail(case_id).row.version
    return tally.committed + 1 - version


def test_no_lost_updates(office, office_url, request, figures):
    workers, actions = sizes(request)
    case_id = office.start("NARSUM-FASILITASI")
    started = time.perf_counter()
    tally = run_toggles(office_url, case_id, workers, actions, unsafe=False)
    seconds = time.perf_counter() - started
    lost = lost_updates(office, case_id, tally)
    backend = office.svc.db.backend
    setup = "WAL + BEGIN IMMEDIATE" if backend == "sqlite" else "SELECT ... FOR UPDATE"
    figures(
        f"lost updates, {backend}, {setup}, {workers}x{actions}: "
        f"{tally.committed} committed, {lost} lost, {tally.refused} refused, "
        f"{tally.errors} errors, {seconds:.1f} s"
    )
    assert lost == 0 and tally.errors == 0
    assert tally.committed + tally.refused == workers * actions
    assert check_invariants(office.svc) == []


def test_unsafe_control_shows_losses(office, office_url, request, figures):
    """The same workload with SQLAlchemy's defaults and no row locks: the test
    above can fail, and this shows what it guards against."""
    workers, actions = sizes(request)
    case_id = office.start("NARSUM-FASILITASI")
    tally = run_toggles(office_url, case_id, workers, actions, unsafe=True)
    lost = lost_updates(office, case_id, tally)
    figures(
        f"lost updates, {office.svc.db.backend}, UNSAFE control, {workers}x{actions}: "
        f"{tally.committed} committed, {lost} lost, {tally.errors} errors"
    )
    assert lost > 0 or tally.errors > 0


@pytest.mark.parametrize("rounds_light, rounds_heavy", [(3, 70)])
def test_kill_9_writers_loses_nothing_confirmed(
    sqlite_template, tmp_path, request, figures, rounds_light, rounds_heavy
):
    import shutil

    rounds = rounds_heavy if request.config.getoption("--heavy") else rounds_light
    path = tmp_path / "crash.sqlite"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    svc = Soptui(url)
    admin = svc.users.actor("admin")
    case_ids = [svc.cases.start(admin, "NARSUM-FASILITASI", title=f"c{i}") for i in range(4)]
    svc.close()
    rng = random.Random(7)
    ctx = mp.get_context("fork")
    confirmed_total = corrupt = missing = broken = 0
    for r in range(rounds):
        logs = [tmp_path / f"log-{r}-{w}.txt" for w in range(3)]
        procs = [
            ctx.Process(target=crash_clerk, args=(url, case_ids, str(log), r * 10 + w))
            for w, log in enumerate(logs)
        ]
        for p in procs:
            p.start()
        time.sleep(rng.uniform(0.3, 0.8))
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        for p in procs:
            p.join()
        with sqlite3.connect(path) as raw:
            if raw.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                corrupt += 1
        confirmed = [n for log in logs if log.exists() for n in log.read_text().split()]
        confirmed_total += len(confirmed)
        svc = Soptui(url)
        with svc.db.read() as s:
            notes = set(
                s.execute(select(CaseEvent.note).where(CaseEvent.note.is_not(None))).scalars()
            )
            events = s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()
        missing += sum(1 for n in confirmed if n not in notes)
        problems = check_invariants(svc)
        broken += len(problems)
        svc.close()
        assert events > 0
    figures(
        f"kill -9, sqlite WAL, {rounds} rounds x 3 writers: {confirmed_total} confirmed actions, "
        f"{missing} lost, {corrupt} corrupt, {broken} invariant violations (half-written)"
    )
    assert (corrupt, missing, broken) == (0, 0, 0)
