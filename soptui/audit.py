"""The audit trail: every change appends one event in the same transaction.

Events carry a gap-free sequence number and a hash chain
(hash = sha256(prev_hash + canonical JSON of the event)), so an edited,
deleted or reordered row shows up at the exact place. The head (last seq and
hash) sits in one settings row; locking it serialises event writers, which is
what makes the sequence gap-free on PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soptui.db.models import CaseEvent, Setting
from soptui.views import ChainReport

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


def _lock_head(session: Session) -> Setting:
    head = session.execute(
        select(Setting).where(Setting.key == HEAD_KEY).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = Setting(key=HEAD_KEY, value=f"0:{GENESIS}")
        session.add(head)
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
    return ev


def verify(session: Session) -> ChainReport:
    """Walk the chain in order; name the first row that does not fit."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for ev in session.execute(select(CaseEvent).order_by(CaseEvent.seq)).scalars():
        if ev.seq != expected_seq:
            return ChainReport(False, count, prev, expected_seq, "gap")
        if ev.prev_hash != prev or chain_hash(prev, event_content(ev)) != ev.hash:
            return ChainReport(False, count, prev, ev.seq, "hash")
        prev = ev.hash
        expected_seq += 1
        count += 1
    head = session.get(Setting, HEAD_KEY)
    if head is not None and head.value != f"{count}:{prev}":
        return ChainReport(False, count, prev, count + 1, "head")
    return ChainReport(True, count, prev)
