"""The benchmark's generated office is data the engine itself could have
written: invariants hold, the chain verifies, and the engine keeps working on it."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from invariants import check_invariants
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from generate import NOW, WIB, generate

from soptui.db.registry_models import (
    Narasumber,
    NarasumberBooking,
    NarasumberTerm,
    NarasumberTermGram,
    NarasumberTopic,
)
from soptui.narasumber import index_entries, term_grams
from soptui.service import Soptui


def test_generated_office_is_consistent(db_url):
    counts = generate(db_url, 300, 7, quiet=True)
    assert counts["cases"] == 300 and counts["events"] > 2000
    svc = Soptui(db_url)
    assert check_invariants(svc) == []
    views = svc.cases.counts(None)
    assert views["closed"] > views["all"] > views["paused"] > 0
    admin = svc.users.actor("admin")
    case_id = svc.cases.start(admin, "NARSUM-PERMINTAAN", title="after the bulk load")
    svc.cases.complete(admin, case_id)  # ids and the audit chain carry on
    assert check_invariants(svc) == []
    svc.close()


def test_generated_registry_is_what_the_service_writes(db_url):
    """Persons, word index and bookings as `register`, `book` and `block`
    would have left them: the index rows are exactly the service's, the
    service finds and books on the generated registry, nothing overlaps."""
    counts = generate(db_url, 300, 7, quiet=True, persons=120, bookings=2_400, blocks=100)
    assert (counts["persons"], counts["bookings"], counts["blocks"]) == (120, 2_400, 100)
    svc = Soptui(db_url, clock=lambda: NOW)
    with svc.db.read() as s:
        people = list(s.execute(select(Narasumber)).scalars())
        topics: dict[int, list[str]] = {}
        for pid, topic in s.execute(
            select(NarasumberTopic.narasumber_id, NarasumberTopic.topic).order_by(
                NarasumberTopic.narasumber_id, NarasumberTopic.position
            )
        ):
            topics.setdefault(pid, []).append(topic)
        terms = {tuple(r) for r in s.execute(select(NarasumberTerm.__table__))}
        grams = {tuple(r) for r in s.execute(select(NarasumberTermGram.__table__))}
        rows = list(s.execute(select(NarasumberBooking)).scalars())
    statuses = Counter(p.status for p in people)
    assert statuses["disetujui"] > len(people) / 2 and len(statuses) >= 4
    assert all(1 <= len(topics[p.id]) <= 5 for p in people)
    # the index holds exactly what the service derives from the stored rows
    expected = {
        (f, term, p.id, part) for p in people for f, term, part in index_entries(p, topics[p.id])
    }
    assert terms == expected
    assert grams == {(g, term) for _, term, _, _ in terms for g in term_grams(term)}
    # bookings and blocks: every kind and status, past and coming, no overlap
    assert len(rows) == 2_500
    assert {r.kind for r in rows} == {"kegiatan", "cuti", "dinas_luar", "lainnya"}
    assert {r.status for r in rows} == {"tentatif", "definitif", "batal"}
    assert any(r.starts_at > NOW for r in rows) and any(r.ends_at < NOW for r in rows)
    approved = {p.id for p in people if p.status in ("disetujui", "nonaktif")}
    assert {r.narasumber_id for r in rows} <= approved
    active: dict[int, list[NarasumberBooking]] = {}
    for r in rows:
        if r.status != "batal":
            active.setdefault(r.narasumber_id, []).append(r)
    for items in active.values():
        items.sort(key=lambda r: r.starts_at)
        assert all(a.ends_at <= b.starts_at for a, b in pairwise(items))

    admin = svc.users.actor("admin")
    # the service re-indexing a person writes the same rows back
    person = next(p for p in people if p.nip)
    svc.narasumber.update(admin, person.id, notes="diperiksa ulang")
    with svc.db.read() as s:
        assert {tuple(r) for r in s.execute(select(NarasumberTerm.__table__))} == terms
        assert {tuple(r) for r in s.execute(select(NarasumberTermGram.__table__))} == grams
    # search with a typo, lookup in a week, a booking on top of the bulk load
    hits = svc.narasumber.search("akuntasi koperasi")
    assert hits and all(any("akuntansi" in t.lower() for t in h.person.topics) for h in hits[:3])
    start = datetime(2026, 11, 23, tzinfo=WIB)
    offers = svc.narasumber.lookup("pemasaran digital", start, start + timedelta(days=7))
    assert offers and all(o.bookable for o in offers)
    free = next(o for o in offers if o.free)
    booked = svc.narasumber.book(
        admin, free.id, start + timedelta(hours=8), start + timedelta(hours=12), activity="Uji"
    )
    assert booked.id > max(r.id for r in rows)
    added = svc.narasumber.register(admin, name="Dr. Baru Sekali", topics=["UMKM"])
    assert added.id == 121
    assert check_invariants(svc) == []
    svc.close()
