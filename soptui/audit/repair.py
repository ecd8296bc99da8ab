"""Recovery from forged rows after the head (docs/reliability.md, "A damaged trail").

Rows inserted into case_events (or audit_seals) beyond the head that the
settings row and the last seal name - the "tail" damage that refuses writes -
are moved out in one transaction: their full content goes into a
"trail_repaired" event (nothing is lost; it is the record of the forgery),
the rows are deleted with the append-only guard lifted for that transaction
only, and the event is sealed with the server's key. Any other damage is not
repaired in place: restore the last backup that verifies against the head log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from soptui.audit import chain
from soptui.db.models import AuditSeal, CaseEvent, Setting
from soptui.db.registry_models import NarasumberEvent
from soptui.errors import RuleError

_SQLITE_GUARDS = {
    "case_events_no_delete": "case_events is append-only",
    "audit_seals_no_delete": "audit_seals is append-only",
}


def _row(obj: Any) -> dict[str, Any]:
    doc = {c.name: getattr(obj, c.key) for c in obj.__table__.columns}
    return json.loads(json.dumps(doc, default=str))


def _lift_guards(session: Session, on: bool) -> None:
    if session.get_bind().dialect.name == "sqlite":
        for name, message in _SQLITE_GUARDS.items():
            table = name.rsplit("_no_", 1)[0]
            if not on:
                session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            else:
                session.execute(
                    text(
                        f"CREATE TRIGGER {name} BEFORE DELETE ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )
                )
        return
    verb = "ENABLE" if on else "DISABLE"
    session.execute(text(f"ALTER TABLE case_events {verb} TRIGGER case_events_no_change"))
    session.execute(text(f"ALTER TABLE audit_seals {verb} TRIGGER audit_seals_no_change"))


def repair_tail(session: Session, *, at: datetime, actor_id: int | None) -> int:
    """Move forged rows after the head out (see above). Returns how many."""
    head = session.execute(
        select(Setting).where(Setting.key == chain.HEAD_KEY).with_for_update()
    ).scalar_one_or_none()
    value = head.value if head is not None else f"0:{chain.GENESIS}"
    problem = chain.damage(session, value)
    if problem != "tail":
        raise RuleError("err.audit_no_repair", problem="-" if problem is None else problem)
    last = int(value.split(":", 1)[0])
    events = list(session.execute(select(CaseEvent).where(CaseEvent.seq > last)).scalars())
    seals = list(session.execute(select(AuditSeal).where(AuditSeal.seq > last)).scalars())
    removed = {"events": [_row(e) for e in events], "seals": [_row(s) for s in seals]}
    _lift_guards(session, False)
    session.execute(delete(NarasumberEvent).where(NarasumberEvent.seq > last))
    session.execute(delete(AuditSeal).where(AuditSeal.seq > last))
    session.execute(delete(CaseEvent).where(CaseEvent.seq > last))
    _lift_guards(session, True)
    session.expunge_all()
    chain.append(session, at=at, kind="trail_repaired", actor_id=actor_id, data=removed)
    return len(events) + len(seals)
