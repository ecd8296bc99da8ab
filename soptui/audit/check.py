"""`soptui audit verify`: the chain, the seals, the state, the head log.

1. Seals in order: each mac checks with its key id, each links to the one
   before; no development-key seal after a real one; with a real key, the
   trail must carry at least one seal of it.
2. Events in order: gap-free, each keyless hash right, and at every seal the
   event hash is the sealed one (a chain rebuilt with the code fails here: the
   seal cannot be redone without the key). No event after the last seal.
3. The settings head is the last event.
4. Every SOP version's source against its content_hash.
5. Against a head log: every logged head must be in the trail, same hash.
6. The state: folding the seals gives the digest every row must have now
   (soptui.audit.state); the first row that differs, is missing or has no
   sealed record is named. (With a real key and no seal at all, every row
   is unsealed.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soptui.audit import headlog, state
from soptui.audit.chain import GENESIS, HEAD_KEY, chain_hash, event_content
from soptui.audit.keys import DEV_KEY, AuditKey
from soptui.audit.seal import seal_content
from soptui.db.models import AuditSeal, CaseEvent, Setting, SopVersion
from soptui.views import ChainReport


@dataclass
class _Walk:
    events: int = 0
    head: str = GENESIS
    seals: int = 0
    legacy_upto: int = 0
    key_ids: tuple[str, ...] = ()

    def fail(self, seq: int | None, problem: str, row: str | None = None, **kw: Any) -> ChainReport:
        return ChainReport(
            False,
            self.events,
            self.head,
            seq,
            problem,
            row,
            self.seals,
            self.legacy_upto,
            self.key_ids,
            kw.get("logged", 0),
        )


def _check_seals(seals: list[AuditSeal], key: AuditKey, walk: _Walk) -> ChainReport | None:
    prev = ""
    seen_real = False
    ids: list[str] = []
    for seal in seals:
        if seal.key_id not in ids:
            ids.append(seal.key_id)
        walk.key_ids = tuple(ids)
        if seal.key_id == DEV_KEY.key_id and seen_real:
            return walk.fail(seal.seq, "devkey")
        secret = key.secret_for(seal.key_id)
        if secret is None:
            return walk.fail(seal.seq, "key")
        if seal.prev_mac != prev or key.mac(seal_content(seal), seal.key_id) != seal.mac:
            return walk.fail(seal.seq, "seal")
        if seal.meta.get("baseline") and not (seen_real and seal.key_id == DEV_KEY.key_id):
            walk.legacy_upto = max(walk.legacy_upto, int(seal.meta.get("legacy_upto", 0)))
        seen_real = seen_real or seal.key_id != DEV_KEY.key_id
        prev = seal.mac
    if not key.is_dev and not seen_real and seals:
        return walk.fail(seals[0].seq, "devonly")
    return None


def verify(
    session: Session, key: AuditKey | None = None, against: Sequence[str] | None = None
) -> ChainReport:
    """Check everything; name the first thing that does not fit."""
    key = key or DEV_KEY
    walk = _Walk()
    seals = list(session.execute(select(AuditSeal).order_by(AuditSeal.seq)).scalars())
    walk.seals = len(seals)
    problem = _check_seals(seals, key, walk)
    if problem is not None:
        return problem
    by_seq = {s.seq: s for s in seals}
    log = headlog.parse(against) if against is not None else []
    wanted = {line.seq for line in log if not isinstance(line, str)}
    hashes: dict[int, str] = {}

    prev = GENESIS
    expected_seq = 1
    # Plain rows (same attribute names as the entity): no ORM identity map
    # for a million events.
    table = CaseEvent.__table__
    stmt = select(table).order_by(table.c.seq).execution_options(yield_per=5000)
    for ev in session.execute(stmt):
        if ev.seq != expected_seq:
            return walk.fail(expected_seq, "gap")
        if ev.prev_hash != prev or chain_hash(prev, event_content(ev)) != ev.hash:
            return walk.fail(ev.seq, "hash")
        seal = by_seq.get(ev.seq)
        if seal is not None and seal.event_hash != ev.hash:
            return walk.fail(_after_seal_before(seals, ev.seq), "rewritten")
        if ev.seq in wanted:
            hashes[ev.seq] = ev.hash
        prev = ev.hash
        walk.head = prev
        expected_seq += 1
        walk.events += 1
    count = walk.events
    if seals:
        if seals[-1].seq > count:
            return walk.fail(count + 1, "truncated")
        if seals[-1].seq < count:
            return walk.fail(seals[-1].seq + 1, "unsealed")
    else:
        walk.legacy_upto = count
    head = session.get(Setting, HEAD_KEY)
    if (head is not None or count) and (head is None or head.value != f"{count}:{prev}"):
        return walk.fail(count + 1, "head")

    for sop_id, source, stored in session.execute(
        select(SopVersion.id, SopVersion.source, SopVersion.content_hash).order_by(SopVersion.id)
    ):
        from soptui.catalog_store import content_hash

        if content_hash(source) != stored:
            return walk.fail(None, "sop_hash", f"sop_versions {sop_id}")

    for number, line in enumerate(log, 1):
        if isinstance(line, str):
            return walk.fail(None, "log_line", f"{number}", logged=number - 1)
        if line.seq > count:
            return walk.fail(line.seq, "log_truncated", f"{number}", logged=number - 1)
        secret = key.secret_for(line.key_id)
        if secret is None:
            return walk.fail(line.seq, "key", f"{number}", logged=number - 1)
        if line.seq == 0 and line.mac == headlog.head_mac(key, line.key_id, 0, GENESIS):
            continue
        if line.mac != headlog.head_mac(key, line.key_id, line.seq, hashes.get(line.seq, "")):
            return walk.fail(line.seq, "log_rewritten", f"{number}", logged=number - 1)
    if seals or not key.is_dev:
        bad = _check_state(session, seals)
        if bad is not None:
            subject, seq = bad
            return walk.fail(seq, "state", state.describe(subject))

    return ChainReport(
        True, count, prev, None, None, None, walk.seals, walk.legacy_upto, walk.key_ids, len(log)
    )


def _after_seal_before(seals: list[AuditSeal], seq: int) -> int:
    """The first event the seal at seq covers alone (after the previous seal)."""
    before = [s.seq for s in seals if s.seq < seq]
    return (before[-1] + 1) if before else 1


def _check_state(session: Session, seals: list[AuditSeal]) -> tuple[str, int | None] | None:
    expected: dict[str, tuple[str | None, int]] = {}
    for seal in seals:
        if seal.meta.get("baseline"):
            expected = {}
        for subject, value in seal.state.items():
            expected[subject] = (value, seal.seq)
    current = state.all_digests(session)
    bad: list[tuple[str, int | None]] = []
    for subject, digest in current.items():
        want = expected.get(subject)
        if want is None:
            bad.append((subject, None))
        elif want[0] != digest:
            bad.append((subject, want[1]))
    for subject, (value, seq) in expected.items():
        if value is not None and subject not in current:
            bad.append((subject, seq))
    if not bad:
        return None
    return min(bad, key=lambda item: state.kind_order(item[0]))
