"""The demo registry: 40+ fictional speakers, every status, bookings in the
coming weeks, some serving open speaker cases; the invariants hold."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

from invariants import check_invariants
from sqlalchemy import select

from soptui import audit
from soptui.db.models import Case, CaseEvent
from soptui.db.registry_models import NarasumberBooking
from soptui.narasumber import parse_range
from soptui.narasumber_demo import build_narasumber_demo, generate_scale


def test_demo_registry(office):
    svc = office.svc
    open_case = office.start("NARSUM-PERMINTAAN", title="Permintaan narasumber pemasaran digital")
    got = build_narasumber_demo(svc, office.admin, now=office.clock())
    assert got.persons >= 40 and got.cases == got.persons
    people = svc.narasumber.list()
    assert len(people) == got.persons
    statuses = Counter(p.status for p in people)
    assert set(statuses) == {"diajukan", "diverifikasi", "disetujui", "ditolak", "nonaktif"}
    assert statuses["disetujui"] >= 25
    assert all(p.topics and ("," in p.name or "." in p.name) for p in people)  # gelar
    # the statuses came from real Pendaftaran cases
    with svc.db.read() as s:
        case_status = dict(s.execute(select(Case.id, Case.status)).all())
    expected = {"diajukan": "open", "diverifikasi": "open", "ditolak": "refused"}
    for p in people:
        assert case_status[p.registration_case_id] == expected.get(p.status, "closed"), p
    # Both decisions of version 2 are in the demo: verified persons waiting on the
    # Pejabat Level 2 (step 5) and refusals by the Ketua (step 4) and by the Pejabat.
    with svc.db.read() as s:
        at_step = dict(s.execute(select(Case.id, Case.current_step_key)).all())
        refused_at = dict(
            s.execute(
                select(CaseEvent.case_id, CaseEvent.step_key).where(CaseEvent.kind == "refused")
            ).all()
        )
    waiting = Counter(at_step[p.registration_case_id] for p in people if p.status == "diverifikasi")
    assert set(waiting) == {"persetujuan-ketua", "kirim-surat-keterangan"}
    refusals = Counter(refused_at[p.registration_case_id] for p in people if p.status == "ditolak")
    assert set(refusals) == {"persetujuan-ketua", "kirim-surat-keterangan"}

    now = office.clock()
    coming = svc.narasumber.bookings(start=now, end=now + timedelta(weeks=6))
    assert len([b for b in coming if not b.is_block]) >= 20
    assert any(b.is_block for b in coming)
    assert {b.status for b in coming} >= {"tentatif", "definitif"}
    assert [b.case_id for b in svc.narasumber.case_bookings(open_case)] == [open_case]
    # never overlapping, and only approved persons booked
    with svc.db.read() as s:
        rows = list(s.execute(select(NarasumberBooking)).scalars())
    by_person: dict[int, list[NarasumberBooking]] = {}
    for row in rows:
        by_person.setdefault(row.narasumber_id, []).append(row)
    for items in by_person.values():
        items.sort(key=lambda r: r.starts_at)
        for a, b in pairwise(items):
            assert a.ends_at <= b.starts_at
    assert all(svc.narasumber.get(pid).status == "disetujui" for pid in by_person)
    # search works on the demo's words, typos included
    assert svc.narasumber.search("akuntasi")
    with svc.db.read() as s:
        assert audit.verify(s).ok
    assert check_invariants(svc) == []


def test_generated_office_scale_registry_is_searchable_and_consistent(office):
    """The bulk generator used to measure lookups (200 persons here)."""
    svc = office.svc
    generate_scale(svc, persons=200, bookings=2_000)
    assert sum(svc.narasumber.counts().values()) == 200
    assert len(svc.narasumber.bookings(include_cancelled=True)) == 2_000
    start, end = parse_range("2026-03-16", "2026-03-20")
    offers = svc.narasumber.lookup("akuntasi koperasi", start, end, limit=20, free_only=True)
    assert offers and all(o.free and o.bookable for o in offers)
    assert offers == sorted(offers, key=lambda o: -o.score)
    # ids were given explicitly: a registration afterwards still gets a fresh one
    added = svc.narasumber.register(office.anggota, name="Dr. Baru Sekali", topics=["UMKM"])
    assert added.id == 201
    assert [h.person.id for h in svc.narasumber.search("baru sekali")] == [added.id]
