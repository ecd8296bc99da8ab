"""The event chain: every change appends one event in the same transaction.

Events carry a gap-free sequence number and a keyless hash chain
(hash = sha256(prev_hash + canonical JSON of the event)), so an edited,
deleted or reordered row shows up at the exact place. Anyone with the code can
rebuild this chain: the keyed seals (soptui.audit.seal) are what an attacker
cannot redo. The head (last seq and hash) sits in one settings row; locking
it serialises event writers, which is what makes the sequence gap-free on
PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soptui.db.models import AuditSeal, CaseEvent, Setting
from soptui.errors import RuleError

HEAD_KEY = "audit_head"
GENESIS = "0" * 64


def canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_content(ev: CaseEvent) -> dict[str, Any]:
    """What the hash covers: every column except the hashes themselves."""
    return {
        "seq": ev.seq,
        "case_id": ev.case_id,
        "attempt_id": ev.attempt_id,
        "at": ev.at.isoformat(timespec="microseconds"),
        "actor_id": ev.actor_id,
        "kind": ev.kind,
        "step_key": ev.step_key,
        "acted_as": ev.acted_as,
        "note": ev.note,
        "data": ev.data,
    }


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


class TrailDamaged(RuleError):
    """The trail does not end where its head says: writes are refused until an
    admin has run `soptui audit verify` (docs/reliability.md, "A damaged trail")."""

    def message(self) -> str:
        from soptui.i18n import t

        return t(self.key, problem=t("audit." + str(self.params.get("problem"))))


LAST_SEAL = "audit_last_seal"


def _ends(session: Session, last: int) -> Any:
    """One statement: the newest event's seq, the hash at the head's seq, and
    the newest seal's seq, key id and mac."""
    newest_seal = select(AuditSeal).order_by(AuditSeal.seq.desc()).limit(1).subquery()
    return session.execute(
        select(
            select(func.max(CaseEvent.seq)).scalar_subquery(),
            select(CaseEvent.hash).where(CaseEvent.seq == last).scalar_subquery(),
            select(newest_seal.c.seq).scalar_subquery(),
            select(newest_seal.c.key_id).scalar_subquery(),
            select(newest_seal.c.mac).scalar_subquery(),
        )
    ).one()


def damage(session: Session, head_value: str, *, bulk: bool = False) -> str | None:
    """Why new events cannot follow this head, or None: the newest event and
    seal must be the head's (bulk: a loader that wrote events itself and
    seals a baseline now, soptui.audit.touch_all). Leaves the newest seal's
    (seq, key_id, mac) in session.info for the seal of this transaction."""
    head_seq, head_hash = head_value.split(":", 1)
    last = int(head_seq)
    newest, hash_at_head, sealed, key_id, mac = _ends(session, last)
    session.info[LAST_SEAL] = (sealed, key_id, mac) if sealed is not None else None
    if (newest or 0) != last:
        return "tail" if (newest or 0) > last else "head"
    if last and hash_at_head != head_hash:
        return "head"
    if sealed is not None and sealed > last:
        return "tail"
    if sealed is not None and sealed < last and not bulk:
        return "unsealed"
    return None


def _lock_head(session: Session) -> Setting:
    head = session.execute(
        select(Setting).where(Setting.key == HEAD_KEY).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = Setting(key=HEAD_KEY, value=f"0:{GENESIS}")
        session.add(head)
    if "audit_events" not in session.info:
        # First event of this transaction: the head must be the trail's end.
        session.flush()
        problem = damage(session, head.value, bulk=bool(session.info.get("audit_full")))
        if problem is not None:
            raise TrailDamaged("err.audit_damaged", problem=problem)
        session.info["audit_events"] = []
    return head


def append(
    session: Session,
    *,
    at: datetime,
    kind: str,
    case_id: int | None = None,
    attempt_id: int | None = None,
    actor_id: int | None = None,
    step_key: str | None = None,
    acted_as: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    head = _lock_head(session)
    last_seq, prev_hash = head.value.split(":", 1)
    ev = CaseEvent(
        seq=int(last_seq) + 1,
        case_id=case_id,
        attempt_id=attempt_id,
        at=at.astimezone(UTC),
        actor_id=actor_id,
        kind=kind,
        step_key=step_key,
        acted_as=acted_as,
        note=note,
        data=data or {},
        prev_hash=prev_hash,
    )
    ev.hash = chain_hash(prev_hash, event_content(ev))
    session.add(ev)
    head.value = f"{ev.seq}:{ev.hash}"
    session.info["audit_events"].append((ev.seq, ev.hash))
    return ev
