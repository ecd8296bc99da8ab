"""Finding a case by what the clerk has in hand (soptui.case_search): every
field, half-typed words, typos, Indonesian letter numbers, the index kept
current by the writes themselves and rebuilt by the migration. Both backends
(the office fixture runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from soptui.db import schema
from soptui.narasumber import parse_range

pytestmark = pytest.mark.usefixtures("office")


def found(office, query: str, **kw) -> list[int]:
    return [r.id for r in office.svc.cases.list_cases(None, view="all", search=query, **kw)]


def match(office, query: str, case_id: int) -> tuple[str | None, str | None]:
    rows = office.svc.cases.list_cases(None, view="all", status="all", search=query)
    row = next(r for r in rows if r.id == case_id)
    return row.match, row.match_text


def drive(office, case_id: int, steps: int) -> None:
    for _ in range(steps):
        row = office.svc.cases.detail(case_id).row
        office.svc.cases.complete(office.holder(row.waiting_role), case_id)
        office.clock.advance(minutes=3)


def approved(office, name: str) -> int:
    p = office.svc.narasumber.register(office.anggota, name=name, topics=["Koperasi"])
    drive(office, p.registration_case_id, 5)  # steps 1-3, then approve steps 4 and 5
    assert office.svc.narasumber.get(p.id).status == "disetujui"
    return p.id


@pytest.fixture
def desk(office):
    """Three cases: one from a registered incoming letter, with an outgoing
    number and a narasumber booked; two plain ones."""
    letters = office.svc.letters
    incoming = letters.register_incoming(
        office.tu,
        sender="Dinas Koperasi Kabupaten Sambas",
        number="061/1625/DISKOPUKM",
        perihal="Permohonan narasumber pelatihan akuntansi koperasi",
    )
    main = office.svc.cases.start(office.tu, "NARSUM-PERMINTAAN", title="", from_letter=incoming.id)
    other = office.svc.cases.start(
        office.tu,
        "NARSUM-PERMINTAAN",
        title="Fasilitasi pemasaran digital UMKM",
        requester="Koperasi Karya Mandiri",
        letter_no="800.1.2/123",
    )
    plain = office.svc.cases.start(
        office.tu, "NARSUM-FASILITASI", title="Bimbingan teknis kewirausahaan"
    )
    out = letters.issue_number(
        office.tu, klasifikasi="005", perihal="Balasan permohonan", case_id=main
    )
    person = approved(office, "Dr. Wulandari Kusumaningrum")
    booking = office.svc.narasumber.book(
        office.tu, person, *parse_range("2026-03-20 08:00", "2026-03-20 10:00"), case_id=main
    )
    return {
        "main": main,
        "other": other,
        "plain": plain,
        "incoming": incoming,
        "out": out,
        "person": person,
        "booking": booking,
    }


def test_every_field_finds_the_case_and_says_which_matched(office, desk):
    main, agenda = desk["main"], desk["incoming"]
    cases = {
        # query: (field, value shown)
        "pelatihan akuntansi": ("perihal", "Permohonan narasumber pelatihan akuntansi koperasi"),
        "sambas": ("pemohon", "Dinas Koperasi Kabupaten Sambas"),
        "061/1625/DISKOPUKM": ("surat", "061/1625/DISKOPUKM"),
        f"{agenda.seq}/{agenda.year}": ("agenda", f"{agenda.seq}/{agenda.year}"),
        desk["out"].number: ("keluar", desk["out"].number),
        "wulandari": ("narasumber", "Dr. Wulandari Kusumaningrum"),
        f"#{main}": ("nomor", f"#{main}"),
    }
    for query, expected in cases.items():
        assert main in found(office, query), query
        assert match(office, query, main) == expected, query
    # The sender is the case's pemohon too (filled from the letter); as the
    # sender it is found on the letter alone.
    assert match(office, "kabupaten sambas", main)[0] in ("pemohon", "pengirim")
    assert found(office, "800.1.2/123") == [desk["other"]]
    assert match(office, "800.1.2/123", desk["other"]) == ("surat", "800.1.2/123")
    assert match(office, "karya mandiri", desk["other"]) == ("pemohon", "Koperasi Karya Mandiri")


def test_letter_numbers_with_slashes_and_dots_half_typed(office, desk):
    main, other = desk["main"], desk["other"]
    for typed in ("061/1625/DISKOPUKM", "061/1625", "061/16", "061/1625/disk", "1625/DISKOPUKM"):
        assert main in found(office, typed), typed
    for typed in ("800.1.2/123", "800.1.2", "800.1", "800.1.2/12"):
        assert other in found(office, typed), typed
    # The parts must follow each other as written.
    assert main not in found(office, "1625/061")
    assert other not in found(office, "800.2.1")
    assert found(office, "061/1626") == []


def test_half_typed_words_and_typos(office, desk):
    main, other = desk["main"], desk["other"]
    assert main in found(office, "akunt")  # half typed
    assert main in found(office, "akuntasi")  # a letter missing, as in the registry
    assert match(office, "akuntasi", main)[0] == "perihal"
    assert other in found(office, "pemasran digital")
    assert main in found(office, "wulandri")  # a narasumber's name misspelt
    assert match(office, "wulandri", main) == ("narasumber", "Dr. Wulandari Kusumaningrum")
    # Every part must match somewhere: a word the case does not hold rules it out.
    assert main not in found(office, "akuntansi ekspor")
    assert found(office, "zzzqqq") == []


def test_best_matches_first(office, desk):
    main, other = desk["main"], desk["other"]
    # "koperasi": the perihal of the first, the pemohon of the second; the
    # letter's sender "Dinas Koperasi..." is the first's pemohon too.
    assert set(found(office, "koperasi")) >= {main, other}
    # A case number: that case first, then cases holding the number elsewhere.
    for i in range(8):
        office.start("NARSUM-PERMINTAAN", title=f"Pengisi {i}")
    target = office.start("NARSUM-PERMINTAAN", title="Yang dicari")
    third = office.svc.cases.start(
        office.tu, "NARSUM-PERMINTAAN", title="Surat susulan", letter_no=f"005/{target}/X"
    )
    assert found(office, str(target)) == [target, third]
    assert match(office, str(target), third) == ("surat", f"005/{target}/X")
    # A letter number beats the same digits in a perihal.
    fourth = office.svc.cases.start(office.tu, "NARSUM-PERMINTAAN", title="Rapat 1625 peserta")
    assert found(office, "1625")[:2] == [desk["main"], fourth]


def test_counts_follow_the_search(office, desk):
    counts = office.svc.cases.counts(None, search="061/1625")
    assert counts["all"] == 1
    assert office.svc.cases.counts(None, search="zzzqqq")["all"] == 0
    assert office.svc.cases.counts(None, search="koperasi")["all"] >= 2


def test_a_voided_number_and_a_cancelled_booking_no_longer_find_the_case(office, desk):
    main, out = desk["main"], desk["out"]
    assert main in found(office, out.number)
    office.svc.letters.void(office.tu, out.number, note="Salah tujuan")
    assert main not in found(office, out.number)
    office.svc.narasumber.cancel(office.tu, desk["booking"].id, note="Berhalangan")
    assert main not in found(office, "wulandari")
    assert main not in found(office, "wulandri")


def test_a_renamed_narasumber_finds_the_case_by_the_new_name_only(office, desk):
    main = desk["main"]
    office.svc.narasumber.update(office.anggota, desk["person"], name="Dr. Wulan Prameswari")
    assert main in found(office, "prameswari")
    assert match(office, "prameswari", main) == ("narasumber", "Dr. Wulan Prameswari")
    assert main not in found(office, "kusumaningrum")


def test_a_failed_write_leaves_the_index_as_it_was(office, desk):
    """The index changes in the writing transaction: a write that rolls back
    takes its index change with it."""
    from soptui.errors import SoptuiError

    other = desk["other"]
    with pytest.raises(SoptuiError):
        # The number exists: refused after the row would have been written.
        office.svc.letters.record_external(
            office.tu,
            klasifikasi="005",
            seq=desk["out"].seq,
            year=desk["out"].year,
            number="999/XYZ",
            perihal="x",
        )
    assert found(office, "999/XYZ") == []
    assert other in found(office, "800.1.2")


def test_the_palette_and_cli_search_through_the_service(office, desk):
    """The case palette asks the same service call for any status."""
    office.svc.cases.cancel(office.tu, desk["plain"], note="Batal")
    rows = office.svc.cases.list_cases(None, view="all", status="all", search="kewirausahaan")
    assert [r.id for r in rows] == [desk["plain"]]
    assert found(office, "kewirausahaan") == []  # the open views leave it out


def test_the_migration_rebuilds_the_index_for_existing_cases(office, desk):
    db = office.svc.db
    config = schema.alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    with db.engine.begin() as conn:
        assert "case_search" not in _tables(conn)
    schema.upgrade(db)
    office.svc.cases._statements.clear()
    assert desk["main"] in found(office, "061/1625/DISKOPUKM")
    assert match(office, "wulandari", desk["main"])[0] == "narasumber"
    assert desk["other"] in found(office, "800.1.2/123")


def _tables(conn) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def test_index_holds_one_document_a_case(office, desk):
    with office.svc.db.engine.connect() as conn:
        n_cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        key = "rowid" if office.svc.db.is_sqlite else "case_id"
        docs = conn.execute(text(f"SELECT count(DISTINCT {key}) FROM case_search")).scalar_one()
        rows = conn.execute(text("SELECT count(*) FROM case_search")).scalar_one()
    assert n_cases == docs == rows
