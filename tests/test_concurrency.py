"""Several clerk processes writing one case at once, on both backends:
nothing lost, nothing applied twice, the audit sequence stays gap-free."""

from __future__ import annotations

import multiprocessing as mp

from sqlalchemy import func, select

from soptui import audit
from soptui.db.models import CaseEvent
from soptui.errors import RuleError
from soptui.service import Soptui

WORKERS = 4
ACTIONS = 25


def _clerk(url: str, case_id: int, results: mp.Queue) -> None:
    """Toggle pause/resume on the case, each time against the version just read."""
    svc = Soptui(url)
    admin = svc.users.actor("admin")
    done = refused = notes = 0
    try:
        for i in range(ACTIONS):
            row = svc.cases.detail(case_id).row
            try:
                if row.status == "open":
                    svc.cases.pause(admin, case_id, note=f"p{i}", expected_version=row.version)
                else:
                    svc.cases.resume(admin, case_id, expected_version=row.version)
                done += 1
            except RuleError:  # stale, or the status changed under us: refused, not lost
                refused += 1
            svc.cases.add_note(admin, case_id, text=f"catatan {i}")
            notes += 1
    finally:
        svc.close()
        results.put((done, refused, notes))


def test_parallel_clerks_lose_nothing(office):
    case_id = office.start("NARSUM-FASILITASI")
    url = office.svc.db.url
    ctx = mp.get_context("fork")
    results: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_clerk, args=(url, case_id, results)) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    done = sum(o[0] for o in outcomes)
    notes = sum(o[2] for o in outcomes)
    assert notes == WORKERS * ACTIONS
    assert done > 0
    row = office.svc.cases.detail(case_id).row
    # every applied action bumped the version exactly once: no lost update
    assert row.version == 1 + done
    with office.svc.db.read() as s:
        kinds = dict(
            s.execute(
                select(CaseEvent.kind, func.count())
                .where(CaseEvent.case_id == case_id)
                .group_by(CaseEvent.kind)
            ).all()
        )
        report = audit.verify(s)
    assert kinds.get("paused", 0) + kinds.get("resumed", 0) == done
    assert kinds["note"] == notes
    assert report.ok, report
