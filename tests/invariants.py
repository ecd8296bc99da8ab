"""Invariants of a soptui database, checked after concurrency, crash and
property tests."""

from __future__ import annotations

from sqlalchemy import select

from soptui import audit
from soptui.db.models import Case, CaseEvent, StepAttempt
from soptui.service import Soptui


def check_invariants(svc: Soptui) -> list[str]:
    """Every broken rule, as text (empty when all hold)."""
    problems: list[str] = []
    with svc.db.read() as s:
        report = audit.verify(s)
        if not report.ok:
            problems.append(f"audit chain: {report}")
        attempts: dict[int, list[StepAttempt]] = {}
        for a in s.execute(select(StepAttempt).order_by(StepAttempt.id)).scalars():
            attempts.setdefault(a.case_id, []).append(a)
        outcome_events = {
            (e.attempt_id, e.kind)
            for e in s.execute(select(CaseEvent).where(CaseEvent.attempt_id.is_not(None))).scalars()
        }
        for case in s.execute(select(Case)).scalars():
            mine = attempts.get(case.id, [])
            running = [a for a in mine if a.ended_at is None]
            if case.status in ("open", "paused"):
                if [a.id for a in running] != [case.current_attempt_id]:
                    problems.append(f"case {case.id}: running attempts {running}")
                if (case.status == "paused") != (running and running[0].paused_at is not None):
                    problems.append(f"case {case.id}: pause state differs from its attempt")
            elif running:
                problems.append(f"case {case.id} is {case.status} with a running attempt")
            for a in mine:
                if a.outcome and (a.id, a.outcome) not in outcome_events:
                    problems.append(f"attempt {a.id}: {a.outcome} without its event")
    return problems
