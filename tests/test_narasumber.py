"""The narasumber registry on both backends: registration through the
Pendaftaran case, ranking, typo-tolerant search, conflicts (touching intervals
are not), blocks, the database's own overlap guard, the case integration, and
bad input that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from invariants import check_invariants
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from soptui import audit
from soptui.db.models import CaseEvent
from soptui.db.registry_models import NarasumberBooking
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError
from soptui.i18n import set_language
from soptui.narasumber import (
    honor_class,
    normalise_eselon,
    normalise_golongan,
    normalise_nik,
    parse_range,
    sort_name,
    span_text,
    words,
)

pytestmark = pytest.mark.usefixtures("office")


def at(text: str) -> datetime:
    """Office-time text -> aware datetime (the fixture's clock is 10 Mar 2026)."""
    return parse_range(text, "2099-01-01")[0]


def span(a: str, b: str) -> tuple[datetime, datetime]:
    return parse_range(a, b)


def drive(office, case_id: int, steps: int) -> None:
    """Complete `steps` steps, each by a clerk holding the waiting role."""
    for _ in range(steps):
        row = office.svc.cases.detail(case_id).row
        office.svc.cases.complete(office.holder(row.waiting_role), case_id)
        office.clock.advance(minutes=3)


def approved(office, name: str, topics: list[str], **extra) -> int:
    """A person registered and approved through the real Pendaftaran case."""
    p = office.svc.narasumber.register(office.anggota, name=name, topics=topics, **extra)
    drive(office, p.registration_case_id, 5)  # steps 1-3, then approve steps 4 and 5
    assert office.svc.narasumber.get(p.id).status == "disetujui"
    return p.id


def event_count(office) -> int:
    with office.svc.db.read() as s:
        return s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()


def active_rows(office, person_id: int) -> int:
    with office.svc.db.read() as s:
        return s.execute(
            select(func.count())
            .select_from(NarasumberBooking)
            .where(
                NarasumberBooking.narasumber_id == person_id, NarasumberBooking.status != "batal"
            )
        ).scalar_one()


# ----- registration ------------------------------------------------------------------------


def test_registration_opens_a_linked_pendaftaran_case_and_approval_makes_disetujui(office):
    nr = office.svc.narasumber
    p = nr.register(
        office.anggota,
        name="Dr. Sari Wijaya, S.E., M.Si.",
        topics=["Akuntansi koperasi", "Laporan keuangan UMKM", "akuntansi KOPERASI"],
        nip="19860926 201505 1 001",
        instansi="Universitas Tanjungpura",
        eselon="III.a",
        golongan="3c",
    )
    assert p.status == "diajukan" and not p.bookable
    assert p.topics == ("Akuntansi koperasi", "Laporan keuangan UMKM")  # repeats dropped
    assert (p.asn_status, p.eselon, p.golongan) == ("pns", "III.a", "III/c")
    row = office.svc.cases.detail(p.registration_case_id).row
    assert (row.sop_code, row.step_key, row.status) == (
        "NARSUM-PENDAFTARAN",
        "ajukan-pendaftaran",
        "open",
    )
    assert p.name in row.title
    assert nr.person_for_case(p.registration_case_id).id == p.id

    drive(office, p.registration_case_id, 2)  # submission, analysis
    assert nr.get(p.id).status == "diajukan"
    drive(office, p.registration_case_id, 1)  # step 3: verification
    assert nr.get(p.id).status == "diverifikasi"
    drive(office, p.registration_case_id, 1)  # step 4: Ketua Tim Kerja approves
    # not yet bookable: the Pejabat Level 2 has not approved
    assert nr.get(p.id).status == "diverifikasi" and not nr.get(p.id).bookable
    row = office.svc.cases.detail(p.registration_case_id).row
    assert (row.step_key, row.waiting_role) == ("kirim-surat-keterangan", "pejabat-level-2")
    drive(office, p.registration_case_id, 1)  # step 5: Pejabat Level 2 approves; closes
    assert office.svc.cases.detail(p.registration_case_id).row.status == "closed"
    assert nr.get(p.id).status == "disetujui" and nr.get(p.id).bookable

    detail = nr.detail(p.id)
    assert detail.registration_status == "closed"
    kinds = [(h.kind, h.data.get("to")) for h in detail.history]
    assert kinds == [
        ("narasumber.registered", None),
        ("narasumber.status", "diverifikasi"),
        ("narasumber.status", "disetujui"),
    ]
    assert detail.history[-1].actor_login == "level2"
    assert all(h.case_id == p.registration_case_id for h in detail.history)
    with office.svc.db.read() as s:
        assert audit.verify(s).ok
    assert check_invariants(office.svc) == []


def test_refusing_the_registration_makes_ditolak_and_such_a_person_cannot_be_booked(office):
    nr = office.svc.narasumber
    p = nr.register(office.anggota, name="Budi Santoso", topics=["Koperasi"])
    drive(office, p.registration_case_id, 3)
    office.svc.cases.refuse(office.ketua, p.registration_case_id, note="Materi belum sesuai modul.")
    assert nr.get(p.id).status == "ditolak"
    # Step 5 now only sends the letter saying "tidak": no second decision on it.
    with pytest.raises(RuleError) as err:
        office.svc.cases.refuse(office.level2, p.registration_case_id, note="Tidak.")
    assert "sudah ditolak" in err.value.message()
    drive(office, p.registration_case_id, 1)  # the refusal letter, then the case ends refused
    assert office.svc.cases.detail(p.registration_case_id).row.status == "refused"
    assert nr.get(p.id).status == "ditolak"
    with office.svc.db.read() as s:
        outcomes = s.execute(
            select(CaseEvent.step_key, CaseEvent.kind)
            .where(CaseEvent.case_id == p.registration_case_id)
            .where(CaseEvent.kind.in_(["approved", "completed", "refused"]))
            .order_by(CaseEvent.seq)
        ).all()
    # the letter step completed, it approved nothing
    assert outcomes[-2:] == [
        ("persetujuan-ketua", "refused"),
        ("kirim-surat-keterangan", "completed"),
    ]
    with pytest.raises(RuleError) as err:
        nr.book(office.tu, p.id, *span("2026-03-20 08:00", "2026-03-20 10:00"), activity="Diklat")
    assert err.value.exit_code == 1
    assert "ditolak" in err.value.message() and "disetujui" in err.value.message()
    # not offered, but visible with its status on request
    s, e = span("2026-03-20 08:00", "2026-03-20 10:00")
    assert nr.lookup("koperasi", s, e) == []
    shown = nr.lookup("koperasi", s, e, include_unapproved=True)
    assert [(o.id, o.bookable, o.person.status) for o in shown] == [(p.id, False, "ditolak")]


def test_the_pejabat_level_2_refusing_at_step_5_makes_ditolak(office):
    nr = office.svc.narasumber
    p = nr.register(office.anggota, name="Hendra Gunawan", topics=["Koperasi"])
    drive(office, p.registration_case_id, 4)  # the Ketua Tim Kerja approved at step 4
    assert nr.get(p.id).status == "diverifikasi"
    with pytest.raises(PermissionDenied):  # step 5 is the Pejabat Level 2's
        office.svc.cases.refuse(office.ketua, p.registration_case_id, note="Tidak.")
    office.svc.cases.refuse(
        office.level2, p.registration_case_id, note="Belum memenuhi kualifikasi."
    )
    assert office.svc.cases.detail(p.registration_case_id).row.status == "refused"
    person = nr.get(p.id)
    assert person.status == "ditolak" and not person.bookable
    history = nr.detail(p.id).history
    assert [
        (h.data.get("to"), h.actor_login) for h in history if h.kind == "narasumber.status"
    ] == [
        ("diverifikasi", "anggota"),
        ("ditolak", "level2"),
    ]
    assert check_invariants(office.svc) == []


def test_cancelled_registration_leaves_nonaktif_and_admin_can_reopen_it(office):
    nr = office.svc.narasumber
    p = nr.register(office.anggota, name="Rina Kurniawati", topics=["UMKM"])
    office.svc.cases.cancel(office.anggota, p.registration_case_id, note="Pemohon mundur.")
    assert nr.get(p.id).status == "nonaktif"
    with pytest.raises(PermissionDenied):
        nr.set_status(office.anggota, p.id, "diajukan", note="daftar ulang")
    with pytest.raises(InputError):
        nr.set_status(office.admin, p.id, "diajukan", note="  ")
    again = nr.set_status(office.admin, p.id, "diajukan", note="Mendaftar ulang.")
    assert again.status == "diajukan" and again.registration_case_id != p.registration_case_id
    assert office.svc.cases.detail(again.registration_case_id).row.status == "open"
    drive(office, again.registration_case_id, 5)
    assert nr.get(p.id).status == "disetujui"
    # an admin's override stands against a later case decision
    retired = nr.set_status(office.admin, p.id, "nonaktif", note="Pensiun.")
    assert retired.status == "nonaktif"
    with pytest.raises(RuleError):
        nr.set_status(office.admin, p.id, "nonaktif", note="lagi")
    assert [h.note for h in nr.detail(p.id).history if h.kind == "narasumber.status"][-1] == (
        "Pensiun."
    )


def test_edit_checks_input_refuses_stale_and_duplicate_nip(office):
    nr = office.svc.narasumber
    a = nr.register(office.anggota, name="Agus Salim", nip="198001012005011002")
    b = nr.register(office.anggota, name="Dewi Lestari")
    with pytest.raises(RuleError) as err:
        nr.register(office.anggota, name="Agus S.", nip="19800101 200501 1 002")
    assert "Agus Salim" in err.value.message()
    with pytest.raises(RuleError):
        nr.update(office.anggota, b.id, nip="19800101 200501 1 002")
    changed = nr.update(
        office.anggota,
        b.id,
        expected_version=b.version,
        topics=["Pemasaran digital"],
        email=" d@x.id ",
    )
    assert changed.topics == ("Pemasaran digital",) and changed.email == "d@x.id"
    assert changed.version == b.version + 1
    with pytest.raises(RuleError) as err:
        nr.update(office.anggota, b.id, expected_version=b.version, phone="0812 3456 7890")
    assert "diubah orang lain" in err.value.message()
    with pytest.raises(InputError):
        nr.update(office.anggota, b.id, hobby="catur")
    with pytest.raises(InputError):
        nr.update(office.anggota, b.id, email="not-an-email")
    with pytest.raises(InputError):
        nr.update(office.anggota, b.id, eselon="II", asn_status="non-asn")
    # no change: no event, no new version
    before = event_count(office)
    assert nr.update(office.anggota, a.id, name="Agus Salim").version == a.version
    assert event_count(office) == before
    found = nr.search("pemasaran")
    assert [h.person.id for h in found] == [b.id]
    updates = [h for h in nr.detail(b.id).history if h.kind == "narasumber.updated"]
    assert updates[0].data["changes"]["topics"] == [[], ["Pemasaran digital"]]


# ----- ranking and search ---------------------------------------------------------------------


@pytest.fixture
def speakers(office) -> dict[str, int]:
    return {
        "A": approved(office, "Dr. Zainal Arifin", ["Akuntansi koperasi"]),
        "B": approved(office, "Bambang Hidayat", ["Koperasi simpan pinjam", "Akuntansi dasar"]),
        "C": approved(office, "Citra Dewi", ["Tata kelola koperasi"]),
        "D": approved(office, "Dian Permata", ["Pemasaran digital UMKM"], instansi="Forum UMKM"),
    }


def test_lookup_ranks_by_topic_match_and_tolerates_typos(office, speakers):
    nr = office.svc.narasumber
    s, e = span("2026-03-20 08:00", "2026-03-20 12:00")
    for query in (
        "akuntansi koperasi",
        "akuntasi koperasi",
        "Akuntansi  KOPERASI",
        "akuntansi dan koperasi",
    ):
        offers = nr.lookup(query, s, e)
        assert [o.id for o in offers] == [speakers[k] for k in "ABC"], query
        assert all(o.free and o.conflicts == () for o in offers)
    best = nr.lookup("akuntansi koperasi", s, e)[0]
    assert best.score == 1.0 and best.matched_topics == ("Akuntansi koperasi",)
    b = nr.lookup("akuntansi koperasi", s, e)[1]
    assert b.matched_topics == ("Koperasi simpan pinjam", "Akuntansi dasar")
    assert [o.id for o in nr.lookup("pemasaran", s, e)] == [speakers["D"]]
    assert [o.id for o in nr.lookup("pemasran digitl", s, e)] == [speakers["D"]]
    assert nr.lookup("perikanan", s, e) == []
    assert len(nr.lookup(None, s, e)) == 4  # no topic: everyone approved, by name
    assert [o.name for o in nr.lookup("", s, e)][:2] == ["Bambang Hidayat", "Citra Dewi"]
    assert len(nr.lookup("koperasi", s, e, limit=2)) == 2
    # list --topic: the same matching; an equal match goes by name (gelar ignored)
    assert [p.id for p in nr.list(topic="akuntasi")] == [speakers["B"], speakers["A"]]


def test_perfect_topic_pages_are_the_whole_rankings_pages(office, monkeypatch):
    """The lookup serves a page from the persons with a topic holding every
    query word (no scoring of everyone) only when that is the full ranking's
    page: same persons, order, ties (same name: by id; approved first when
    others are asked for too), scores, matched topics and free_only paging.
    Search likewise, with every word in the name or a topic."""
    import soptui.narasumber as narasumber_module

    nr = office.svc.narasumber
    pool = [
        ["Pemasaran digital"],
        ["Pemasaran digital UMKM", "Akuntansi koperasi"],
        ["Literasi digital UMKM", "Pemasaran melalui media sosial"],
        ["Digitalisasi koperasi"],
        ["Koperasi simpan pinjam", "Pemasaran digital"],
        ["Akuntansi dasar"],
    ]
    statuses = [
        "disetujui",
        "disetujui",
        "nonaktif",
        "disetujui",
        "ditolak",
        "disetujui",
        "disetujui",
    ]
    names = ["Dr. Ani", "Budi", "Ani", "Citra", "Budi", "Ir. Dedi", "Eka"]
    for i in range(21):
        p = nr.register(office.anggota, name=names[i % 7], topics=pool[i % 6])
        nr.set_status(office.admin, p.id, statuses[(i * 3) % 7], note="data lama")
    s, e = span("2026-03-20 08:00", "2026-03-20 12:00")
    busy = nr.lookup("pemasaran digital", s, e, limit=3)
    for offer in busy[:2]:
        nr.block(office.admin, offer.id, s, e, note="dinas luar")

    served: list[int] = []
    real = narasumber_module.NarasumberService._perfect_page

    def spy(*args, **kwargs):
        page = real(*args, **kwargs)
        served.append(page is not None)
        return page

    monkeypatch.setattr(narasumber_module.NarasumberService, "_perfect_page", staticmethod(spy))

    def both(query, **kw):
        fast = nr.lookup(query, s, e, **kw)
        monkeypatch.setattr(narasumber_module, "PERFECT_MAX_WORDS", 0)  # the whole ranking
        whole = nr.lookup(query, s, e, **kw)
        monkeypatch.setattr(narasumber_module, "PERFECT_MAX_WORDS", 8)
        return fast, whole

    for query in (
        "pemasaran digital",
        "digital",
        "koperasi",
        "pemasaran digital umkm",
        "kop",
        "pemasran digital",  # typos: the best similar words make a topic perfect
        "akuntasi koperasi",
        "pemasaran qqqq",  # a word like no word: no condition
    ):
        for inc in (False, True):
            for limit in (1, 2, 3, 5, 8, 30):
                for free in (False, True):
                    fast, whole = both(query, limit=limit, include_unapproved=inc, free_only=free)
                    assert fast == whole, (query, inc, limit, free)
    assert any(served) and not all(served)  # both ways were taken
    served.clear()
    for query in (
        "pemasaran digital",
        "ani pemasaran",
        "budi koperasi",
        "akuntasi",
        "koperasi kop",
    ):
        for status in (None, "disetujui", "nonaktif"):
            for limit in (1, 2, 3, 5, 30):
                fast = nr.search(query, status=status, limit=limit)
                monkeypatch.setattr(narasumber_module, "PERFECT_MAX_WORDS", 0)
                whole = nr.search(query, status=status, limit=limit)
                monkeypatch.setattr(narasumber_module, "PERFECT_MAX_WORDS", 8)
                assert fast == whole, (query, status, limit)
    assert any(served) and not all(served)
    served.clear()
    nr.lookup("pemasran digitl", s, e, limit=2)
    assert served == [True]
    top = nr.lookup("pemasaran digital", s, e, limit=2, include_unapproved=True)
    assert [o.score for o in top] == [1.0, 1.0]


def test_search_as_you_type_over_name_topic_instansi_and_nip(office, speakers):
    nr = office.svc.narasumber
    nip_person = approved(office, "Eko Nugroho", ["Koperasi"], nip="19750412 200003 1 004")
    assert [h.person.id for h in nr.search("zai")] == [speakers["A"]]  # a name still being typed
    assert [h.person.id for h in nr.search("Zainal akuntansi")] == [speakers["A"]]
    assert {h.person.id for h in nr.search("akuntasi")} == {speakers["A"], speakers["B"]}
    assert [h.person.id for h in nr.search("forum")] == [speakers["D"]]  # instansi
    assert [h.person.id for h in nr.search("19750412")] == [nip_person]
    assert [h.person.id for h in nr.search("197504122000")] == [nip_person]
    assert nr.search("zainal pemasaran") == []  # every word must match
    assert len(nr.search("")) == 5 and len(nr.search("", limit=2)) == 2
    assert nr.search("koperasi", limit=10)[0].person.name == "Bambang Hidayat"
    assert nr.search("Zainal", status="ditolak") == []


# ----- conflicts and blocks ------------------------------------------------------------------


def test_conflicts_are_named_and_touching_intervals_are_not_conflicts(office, speakers):
    nr = office.svc.narasumber
    a = speakers["A"]
    first = nr.book(
        office.tu, a, *span("2026-12-03 08:00", "2026-12-03 12:00"), activity="Diklat Koperasi"
    )
    assert (first.status, first.kind, first.created_by) == ("definitif", "kegiatan", "tu")
    # touching on both sides: fine
    nr.book(office.tu, a, *span("2026-12-03 12:00", "2026-12-03 13:00"), activity="Makan siang")
    nr.book(office.tu, a, *span("2026-12-03 07:00", "2026-12-03 08:00"), activity="Persiapan")
    before = event_count(office)
    with pytest.raises(RuleError) as err:
        nr.book(office.tu, a, *span("2026-12-03 11:00", "2026-12-03 11:30"), activity="Rapat")
    assert err.value.exit_code == 1
    assert "bentrok: Diklat Koperasi, 3 Des 08:00-12:00" in err.value.message()
    assert event_count(office) == before and active_rows(office, a) == 3
    set_language("en")  # the interface language of the session names the conflicts
    try:
        with pytest.raises(RuleError) as err:
            nr.book(office.tu, a, *span("2026-12-03 11:00", "2026-12-03 11:30"), activity="R")
        assert "conflict: Diklat Koperasi, 3 Dec 08:00-12:00" in err.value.message()
    finally:
        set_language("id")
    # the lookup names the conflicts
    s, e = span("2026-12-03 10:00", "2026-12-03 12:30")
    offer = next(o for o in nr.lookup("akuntansi", s, e) if o.id == a)
    assert not offer.free
    assert [c.text for c in offer.conflicts] == [
        "Diklat Koperasi, 3 Des 08:00-12:00",
        "Makan siang, 3 Des 12:00-13:00",
    ]
    assert offer.conflict_text.startswith("bentrok: Diklat Koperasi")
    assert [o.id for o in nr.lookup("akuntansi", s, e, free_only=True)] == [speakers["B"]]
    assert nr.check(a, *span("2026-12-03 13:00", "2026-12-03 15:00")) == ()
    # cancelled: free again, the row stays with its reason
    cancelled = nr.cancel(office.tu, first.id, note="Diklat diundur.")
    assert cancelled.status == "batal" and cancelled.cancel_note == "Diklat diundur."
    with pytest.raises(RuleError):
        nr.cancel(office.tu, first.id, note="lagi")
    nr.book(office.tu, a, *span("2026-12-03 11:00", "2026-12-03 11:30"), activity="Rapat")
    assert len(nr.bookings(narasumber_id=a)) == 3
    assert len(nr.bookings(narasumber_id=a, include_cancelled=True)) == 4


def test_blocks_make_a_person_unavailable_and_cannot_hide_a_booking(office, speakers):
    nr = office.svc.narasumber
    a = speakers["A"]
    leave = nr.block(office.tu, a, *span("2026-12-01", "2026-12-03"), note="Cuti tahunan")
    assert (leave.kind, leave.status, leave.is_block) == ("cuti", "definitif", True)
    with pytest.raises(RuleError) as err:
        nr.book(office.tu, a, *span("2026-12-02 08:00", "2026-12-02 10:00"), activity="Bimtek")
    assert "bentrok: cuti (Cuti tahunan), 1 Des-3 Des" in err.value.message()
    # right after the leave: free
    nr.book(office.tu, a, *span("2026-12-04 08:00", "2026-12-04 10:00"), activity="Bimtek")
    with pytest.raises(RuleError) as err:
        nr.block(
            office.tu,
            a,
            *span("2026-12-04 09:00", "2026-12-05 17:00"),
            note="Ke Jakarta",
            kind="dinas-luar",
        )
    assert "Bimtek, 4 Des 08:00-10:00" in err.value.message()
    trip = nr.block(
        office.tu,
        a,
        *span("2026-12-04 10:00", "2026-12-05 17:00"),
        note="Ke Jakarta",
        kind="dinas luar",
    )
    assert trip.kind == "dinas_luar"
    with pytest.raises(InputError):
        nr.block(office.tu, a, *span("2027-01-01", "2027-01-02"), note="x", kind="libur")
    with pytest.raises(InputError):
        nr.block(office.tu, a, *span("2027-01-01", "2027-01-02"), note=" ")
    nr.cancel(office.tu, leave.id, note="Cuti dibatalkan.")
    nr.book(office.tu, a, *span("2026-12-02 08:00", "2026-12-02 10:00"), activity="Bimtek")
    week = nr.schedule([a, speakers["B"]], *span("2026-11-30", "2026-12-06"))
    assert [b.activity for b in week[a]] == ["Bimtek", "Bimtek", "Ke Jakarta"]
    assert week[speakers["B"]] == ()
    kinds = [h.kind for h in nr.detail(a).history]
    assert kinds.count("block.created") == 2 and "block.cancelled" in kinds


def test_the_database_itself_refuses_an_overlap(office, speakers):
    """What holds when two processes race past the application check: the
    EXCLUDE constraint (PostgreSQL) or the triggers (SQLite)."""
    a = speakers["A"]
    office.svc.narasumber.book(
        office.tu, a, *span("2026-12-03 08:00", "2026-12-03 12:00"), activity="Diklat"
    )
    now = office.clock()

    def insert(start: str, end: str, status: str = "definitif") -> None:
        s, e = span(start, end)
        with office.svc.db.write() as session:
            session.add(
                NarasumberBooking(
                    narasumber_id=a,
                    kind="kegiatan",
                    status=status,
                    starts_at=s,
                    ends_at=e,
                    activity="langsung",
                    created_at=now,
                    updated_at=now,
                )
            )

    with pytest.raises(IntegrityError):
        insert("2026-12-03 11:59", "2026-12-03 13:00")
    insert("2026-12-03 12:00", "2026-12-03 13:00")  # touching
    insert("2026-12-03 09:00", "2026-12-03 10:00", status="batal")  # cancelled rows do not count
    with office.svc.db.write() as session:
        row = session.execute(
            select(NarasumberBooking).where(NarasumberBooking.status == "batal")
        ).scalar_one()
        row.status = "tentatif"  # reviving it would overlap
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    assert active_rows(office, a) == 2


# ----- cases ----------------------------------------------------------------------------


def test_booking_against_a_case_and_refusal_releases_tentative_bookings_only(office, speakers):
    nr = office.svc.narasumber
    case_id = office.start("NARSUM-PERMINTAAN", title="Narasumber pelatihan akuntansi koperasi")
    assert nr.speaker_step(case_id) is None
    drive(office, case_id, 3)
    step = nr.speaker_step(case_id)
    assert (step.sop_code, step.step_key, step.step_no) == (
        "NARSUM-PERMINTAAN",
        "persetujuan-kadis",
        "4",
    )
    s, e = span("2026-04-07 08:00", "2026-04-07 12:00")
    tentative = nr.book(office.kadis, speakers["A"], s, e, case_id=case_id, tentative=True)
    assert tentative.activity == "Narasumber pelatihan akuntansi koperasi"  # the case's perihal
    assert (tentative.status, tentative.case_id) == ("tentatif", case_id)
    firm = nr.book(office.kadis, speakers["B"], s, e, case_id=case_id, activity="Sesi 2")
    assert [b.id for b in nr.case_bookings(case_id)] == [tentative.id, firm.id]

    office.svc.cases.refuse(office.kadis, case_id, note="Anggaran tidak tersedia.")
    # released at the refusal itself, before the notification step ends the case
    got = {b.id: b for b in nr.case_bookings(case_id)}
    assert got[tentative.id].status == "batal" and "ditolak" in got[tentative.id].cancel_note
    assert got[firm.id].status == "definitif"
    assert nr.check(speakers["A"], s, e) == ()
    drive(office, case_id, 1)
    assert office.svc.cases.detail(case_id).row.status == "refused"
    with office.svc.db.read() as session:
        released = session.execute(
            select(CaseEvent).where(CaseEvent.kind == "booking.released")
        ).scalar_one()
    assert released.case_id == case_id and released.data["booking"] == tentative.id
    assert check_invariants(office.svc) == []
    # a closed case takes no more bookings
    with pytest.raises(RuleError):
        nr.book(office.kadis, speakers["C"], s, e, case_id=case_id, activity="x")


def test_cancelling_a_case_releases_its_tentative_bookings(office, speakers):
    nr = office.svc.narasumber
    case_id = office.start("NARSUM-FASILITASI", title="Narasumber bimtek pemasaran digital")
    drive(office, case_id, 4)
    assert nr.speaker_step(case_id).step_key == "cek-jadwal"
    s, e = span("2026-04-08 13:00", "2026-04-08 15:00")
    b = nr.book(office.kabag, speakers["D"], s, e, case_id=case_id, tentative=True)
    confirmed = nr.book(
        office.kabag, speakers["C"], s, e, case_id=case_id, tentative=True, activity="Sesi"
    )
    confirmed = nr.confirm(office.kabag, confirmed.id)
    assert confirmed.status == "definitif"
    with pytest.raises(RuleError):
        nr.confirm(office.kabag, confirmed.id)
    office.svc.cases.cancel(office.tu, case_id, note="Kegiatan batal.")
    statuses = {x.id: x.status for x in nr.case_bookings(case_id)}
    assert statuses == {b.id: "batal", confirmed.id: "definitif"}
    assert [x.id for x in nr.bookings(case_id=case_id)] == [confirmed.id]
    with pytest.raises(NotFoundError):
        nr.speaker_step(999_999)


# ----- bad input --------------------------------------------------------------------------


def test_bad_input_is_refused_and_writes_nothing(office, speakers):
    nr = office.svc.narasumber
    a = speakers["A"]
    before = event_count(office)
    s, e = span("2026-12-03 08:00", "2026-12-03 12:00")
    for call in (
        lambda: nr.book(office.tu, a, e, s, activity="x"),  # end before start
        lambda: nr.book(office.tu, a, s, s, activity="x"),  # empty
        lambda: nr.book(office.tu, a, *span("2026-01-01", "2027-06-01"), activity="x"),
        lambda: nr.book(office.tu, a, s, e, activity="  "),
        lambda: nr.book(office.tu, a, s, e, activity="a\x00b"),
        lambda: nr.book(office.tu, 999_999, s, e, activity="x"),
        lambda: nr.book(office.tu, a, s, e, activity="x", case_id=999_999),
        lambda: nr.cancel(office.tu, 999_999, note="x"),
        lambda: nr.register(office.anggota, name=" "),
        lambda: nr.register(office.anggota, name="X", nip="123"),
        lambda: nr.register(office.anggota, name="X", nik="12345"),
        lambda: nr.register(office.anggota, name="X", golongan="V/a"),
        lambda: nr.register(office.anggota, name="X", asn_status="tni"),
        lambda: nr.register(office.anggota, name="X", phone="call me"),
        lambda: nr.register(
            office.anggota, name="X", topics=["t"] * 1 + [f"t{i}" for i in range(40)]
        ),
        lambda: nr.lookup("x", s, e, limit=0),
        lambda: nr.list(status="aktif"),
        lambda: parse_range("besok", "lusa"),
    ):
        with pytest.raises(InputError):
            call()
    assert event_count(office) == before
    assert active_rows(office, a) == 0


# ----- pure functions ---------------------------------------------------------------------


def test_text_helpers():
    assert words("Akuntansi dan Koperasi, UMKM-Go!") == ["akuntansi", "koperasi", "umkm", "go"]
    assert words("Pelatihan Éksport") == ["pelatihan", "eksport"]
    assert sort_name("Prof. Dr. Ir. H. Sari Wijaya, M.Si.") == "sari wijaya"
    assert sort_name("Dr.") == "dr."
    assert normalise_nik("6171 0145 0890 0001") == "6171014508900001"
    assert normalise_nik("6171015508900001") == "6171015508900001"  # women: day + 40
    with pytest.raises(InputError):
        normalise_nik("6171019908900001")
    assert normalise_eselon("2a") == "II.a" and normalise_eselon("iv") == "IV"
    assert (
        normalise_golongan("iii c", "pns") == "III/c" and normalise_golongan("IV/e", None) == "IV/e"
    )
    assert normalise_golongan("IX", "pppk") == "IX"
    with pytest.raises(InputError):
        normalise_golongan("III/e", "pns")
    assert honor_class("pns", "II.a") == "eselon_ii"
    assert honor_class("pns", "I.b") == "eselon_i"
    assert honor_class("pppk", None) == "eselon_iii_ke_bawah"
    assert honor_class("non_asn", None) == honor_class(None, None) == "non_asn"


def test_span_text_and_ranges():
    from zoneinfo import ZoneInfo

    wib = ZoneInfo("Asia/Jakarta")
    s, e = span("2026-12-03 08:00", "2026-12-03 12:00")
    assert span_text(s, e, wib, 2026) == "3 Des 08:00-12:00"
    assert span_text(s, e, wib, 2025) == "3 Des 2026 08:00-12:00"
    s, e = span("2026-12-03 08:00", "2026-12-04 12:00")
    assert span_text(s, e, wib, 2026) == "3 Des 08:00-4 Des 12:00"
    s, e = span("1 Desember 2026", "3 Desember 2026")  # a date alone ends with its day
    assert span_text(s, e, wib, 2026) == "1 Des-3 Des"
    assert (e - s).days == 3 and s.tzinfo == UTC
    set_language("en")
    try:
        assert span_text(s, e, wib, 2026) == "1 Dec-3 Dec"
    finally:
        set_language("id")
    with pytest.raises(InputError):
        parse_range("2026-12-03 10:00", "2026-12-03 09:00")
    with pytest.raises(InputError):
        parse_range("2026-12-03 10:00", "2026-12-03 10:00")
