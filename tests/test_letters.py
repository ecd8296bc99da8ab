"""The letter register on both backends: agenda numbers, outgoing numbers
(patterns, voids, numbers issued elsewhere), cases started from letters, and
numbering with many clerks at once."""

from __future__ import annotations

import multiprocessing as mp
from datetime import date

import pytest

from soptui.errors import InputError, NotFoundError, RuleError
from soptui.service import Soptui


def test_incoming_letters_get_agenda_numbers_per_year(office):
    letters = office.svc.letters
    a = letters.register_incoming(
        office.tu,
        sender="Dinas Kab. Sambas",
        number="005/1/DK",
        perihal="Narasumber",
        received_date=date(2026, 3, 9),
    )
    b = letters.register_incoming(
        office.tu,
        sender="BPSDM",
        number="800/7",
        perihal="Diklat",
        received_date=date(2026, 3, 10),
        sifat="segera",
    )
    c = letters.register_incoming(
        office.tu, sender="BPSDM", number="800/8", perihal="Diklat", received_date=date(2027, 1, 4)
    )
    assert [(v.year, v.seq) for v in (a, b, c)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert b.sifat == "segera"
    assert [v.id for v in letters.list(year=2026, direction="in")] == [a.id, b.id]
    with pytest.raises(InputError):
        letters.register_incoming(
            office.tu,
            sender="X",
            number="1",
            perihal="Y",
            letter_date=date(2026, 3, 12),
            received_date=date(2026, 3, 10),
        )
    with pytest.raises(InputError):
        letters.register_incoming(office.tu, sender="  ", number="1", perihal="Y")


def test_outgoing_numbers_follow_the_pattern_of_their_class(office):
    letters = office.svc.letters
    assert (
        letters.issue_number(office.tu, klasifikasi="061", perihal="a").number == "061/1/DISKOPUKM"
    )
    assert (
        letters.issue_number(office.tu, klasifikasi="061", perihal="b").number == "061/2/DISKOPUKM"
    )
    assert letters.issue_number(office.tu, klasifikasi="000.8", perihal="c").number == (
        "000.8/1/DISKOPUKM"
    )
    letters.set_pattern(
        office.admin, "800", "{klasifikasi}/{nomor}/KUKM-SET.2/{bulan_romawi}/{tahun}"
    )
    assert letters.issue_number(office.tu, klasifikasi="800", perihal="SPT").number == (
        "800/1/KUKM-SET.2/III/2026"
    )
    for bad in ("{nomr}", "{nomor", "{nomor:>5}", "tanpa nomor"):
        with pytest.raises(InputError):
            letters.set_pattern(office.admin, "800", bad)
    with pytest.raises(InputError):
        letters.issue_number(office.tu, klasifikasi="abc", perihal="x")


def test_void_keeps_the_number_and_never_reuses_it(office):
    letters = office.svc.letters
    first = letters.issue_number(office.tu, klasifikasi="061", perihal="a")
    voided = letters.void(office.tu, first.number, note="Salah tujuan")
    assert voided.voided and voided.void_note == "Salah tujuan"
    assert letters.issue_number(office.tu, klasifikasi="061", perihal="b").seq == 2
    with pytest.raises(RuleError):
        letters.void(office.tu, first.number, note="lagi")
    with pytest.raises(InputError):
        letters.void(office.tu, "061/2/DISKOPUKM", note=" ")
    with pytest.raises(NotFoundError):
        letters.void(office.tu, "061/99/DISKOPUKM", note="x")
    book = letters.list(direction="out")
    assert [(v.seq, v.voided) for v in book] == [(1, True), (2, False)]


def test_numbers_issued_elsewhere_never_clash(office):
    letters = office.svc.letters
    letters.issue_number(office.tu, klasifikasi="061", perihal="a")  # 1
    letters.record_external(
        office.tu,
        klasifikasi="061",
        seq=3,
        year=2026,
        number="061/3/DISKOPUKM",
        perihal="ditulis tangan",
    )
    with pytest.raises(RuleError):
        letters.record_external(
            office.tu,
            klasifikasi="061",
            seq=1,
            year=2026,
            number="061/1/DISKOPUKM",
            perihal="bentrok",
        )
    seqs = [
        letters.issue_number(office.tu, klasifikasi="061", perihal=str(i)).seq for i in range(3)
    ]
    assert seqs == [2, 4, 5]  # 3 was taken by hand: skipped, no clash, no gap


def test_case_started_from_a_letter_takes_its_details_and_links_it(office):
    letter = office.svc.letters.register_incoming(
        office.teknis,
        sender="Dinas Kab. Ketapang",
        number="005/77/DK",
        perihal="Permohonan narasumber UMKM",
        letter_date=date(2026, 3, 5),
        received_date=date(2026, 3, 9),
        sifat="sangat segera",
    )
    case_id = office.svc.cases.start(
        office.teknis, "NARSUM-PERMINTAAN", title=None, from_letter=letter.id
    )
    detail = office.svc.cases.detail(case_id)
    row = detail.row
    assert (row.title, row.requester, row.letter_no, row.urgency) == (
        "Permohonan narasumber UMKM",
        "Dinas Kab. Ketapang",
        "005/77/DK",
        "sangat_segera",
    )
    assert detail.letter_date == date(2026, 3, 5)
    assert office.svc.letters.get(letter.id).case_id == case_id
    assert [v.id for v in office.svc.letters.list(case_id=case_id)] == [letter.id]
    with pytest.raises(RuleError):  # one letter, one case
        office.svc.cases.start(
            office.teknis, "NARSUM-PERMINTAAN", title=None, from_letter=letter.id
        )
    with pytest.raises(NotFoundError):
        office.svc.cases.start(office.teknis, "NARSUM-PERMINTAAN", title=None, from_letter=999)


def _number_clerk(url: str, count: int, out: mp.Queue) -> None:
    svc = Soptui(url)
    clerk = svc.users.actor("tu")
    issued = []
    for i in range(count):
        v = svc.letters.issue_number(clerk, klasifikasi="061", perihal=f"p{i}")
        issued.append(v.seq)
        if i % 7 == 0:
            svc.letters.void(clerk, v.number, note="batal")
    svc.close()
    out.put(issued)


def test_numbering_with_many_clerks_is_unique_and_gap_free(office, office_url, figures):
    workers, count = 4, 15
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_number_clerk, args=(office_url, count, out)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    seqs = [seq for _ in procs for seq in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert sorted(seqs) == list(range(1, workers * count + 1))
    book = office.svc.letters.list(direction="out")
    assert [v.seq for v in book] == list(range(1, workers * count + 1))
    voids = sum(v.voided for v in book)
    assert voids == workers * len(range(0, count, 7))
    figures(
        f"numbering, {office.svc.db.backend}, {workers} clerks x {count}: "
        f"{len(seqs)} numbers, unique and gap-free, {voids} voids kept"
    )
