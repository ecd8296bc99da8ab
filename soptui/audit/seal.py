"""Keyed seals: one per writing transaction, made just before it commits.

Database.write() calls ``Sealer.seal(session)`` after the body of every
writing transaction. The sealer knows which subjects (soptui.audit.state) the
transaction touched - every ORM row flushed, plus ``touch()`` for rows changed
by plain statements - reads their rows back, and adds one AuditSeal:

    mac = HMAC-SHA256(key, canonical{seq, key_id, event_hash, prev_mac, state, meta})

where seq/event_hash are the transaction's last event (so the keyless chain
links every earlier event to it) and prev_mac the previous seal's mac. A
transaction that changed state without an event gets one (kind "change").

Migration of a trail sealed by nothing (made before revision 0005) or by the
development key only: the first write with a real key makes a *baseline*
seal, whose state is the digest of every row and whose meta.legacy_upto is the
last event before it. Events up to legacy_upto are checked by the keyless
chain alone; the state as it stood then is taken as given. From there on,
everything is keyed.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from soptui.audit import chain, state
from soptui.audit.keys import DEV_KEY, AuditKey
from soptui.db.models import AuditSeal, CaseEvent
from soptui.errors import RuleError

TOUCHED = "audit_touched"
FULL = "audit_full"


def touch(session: Session, subject: str) -> None:
    """Name a subject changed by a plain (non-ORM) statement."""
    session.info.setdefault(TOUCHED, set()).add(subject)


def touch_all(session: Session) -> None:
    """Bulk loads (demo data, benchmark data): seal a baseline of everything."""
    session.info[FULL] = True


def seal_content(seal: AuditSeal) -> bytes:
    doc = {
        "seq": seal.seq,
        "key_id": seal.key_id,
        "event_hash": seal.event_hash,
        "prev_mac": seal.prev_mac,
        "state": seal.state,
        "meta": seal.meta,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def last_seal(session: Session) -> Any:
    """(seq, key_id, mac) of the newest seal, or None: not its state, which
    for a baseline holds a digest of every row."""
    return session.execute(
        select(AuditSeal.seq, AuditSeal.key_id, AuditSeal.mac)
        .order_by(AuditSeal.seq.desc())
        .limit(1)
    ).first()


def _after_flush(session: Session, _context: Any) -> None:
    touched = session.info.setdefault(TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        subject = state.owner_of(obj)
        if subject is not None:
            touched.add(subject)


class _Seal(NamedTuple):
    seq: int
    key_id: str
    mac: str


class Sealer:
    def __init__(self, key: AuditKey | None) -> None:
        self.key = key or DEV_KEY

    def install(self, factory: sessionmaker[Session]) -> None:
        from sqlalchemy import event

        event.listen(factory, "after_flush", _after_flush)

    def seal(self, session: Session, **meta: Any) -> AuditSeal | None:
        session.flush()
        touched = session.info.get(TOUCHED, set())
        full = bool(session.info.get(FULL))
        events: list[tuple[int, str]] | None = session.info.get("audit_events")
        if not touched and not events and not full:
            return None
        if not events:
            chain.append(
                session,
                at=_now(),
                kind="change",
                data={"subjects": sorted(touched, key=state.kind_order)[:20]},
            )
            session.flush()
            events = session.info["audit_events"]
        first_seq = events[0][0]
        seq, event_hash = events[-1]
        # Read with the head locked, before this transaction's events (chain.damage).
        found = session.info.get(chain.LAST_SEAL)
        previous = _Seal(*found) if found is not None else None
        if self.key.is_dev and previous is not None and previous.key_id != DEV_KEY.key_id:
            raise RuleError("err.audit_dev_key")
        baseline = (
            full or previous is None or (not self.key.is_dev and previous.key_id == DEV_KEY.key_id)
        )
        if baseline:
            digests: dict[str, Any] = dict(state.all_digests(session))
            meta["baseline"] = True
            meta["legacy_upto"] = first_seq - 1
        else:
            digests = {s: state.digest(session, s) for s in sorted(touched)}
        row = AuditSeal(
            seq=seq,
            key_id=self.key.key_id,
            event_hash=event_hash,
            prev_mac=previous.mac if previous is not None else "",
            state=digests,
            meta=meta,
        )
        row.mac = self.key.mac(seal_content(row))
        session.add(row)
        session.info.pop(TOUCHED, None)
        session.info.pop(FULL, None)
        return row


def _now() -> Any:
    from soptui.cases import utcnow

    return utcnow()


def newest_event(session: Session) -> CaseEvent | None:
    return session.execute(
        select(CaseEvent).order_by(CaseEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
