"""`soptui narasumber ...`: formats, JSON keys, exit codes, one-line errors,
and bad input that writes nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from app_fixtures import sqlite_digest


def add(run, name: str, *topics: str, approve: bool = True, extra: tuple[str, ...] = ()) -> int:
    args = [arg for topic in topics for arg in ("--topic", topic)]
    rc, out, err = run(
        "--user", "anggota", "narasumber", "add", "--name", name, *args, *extra, "--format", "json"
    )
    assert rc == 0, err
    person = json.loads(out)
    if approve:
        rc, _, err = run(
            "--user", "admin", "narasumber", "status", str(person["id"]), "disetujui",
            "--note", "Terdaftar sebelum aplikasi ini.",
        )  # fmt: skip
        assert rc == 0, err
    return person["id"]


def book(run, person: int, start: str, end: str, *extra: str) -> tuple[int, str, str]:
    return run(
        "--user", "tu", "narasumber", "book", str(person), "--from", start, "--to", end, *extra
    )  # fmt: skip


def test_add_registers_with_a_pendaftaran_case(run):
    rc, out, err = run(
        "--user", "anggota", "narasumber", "add", "--name", "Dr. Sari Wijaya, S.E., M.Si.",
        "--topic", "Akuntansi koperasi", "--topic", "Laporan keuangan UMKM",
        "--instansi", "Universitas Tanjungpura", "--nip", "6171014508900001",
        "--asn", "non-asn", "--phone", "0812-5555-1234",
    )  # fmt: skip
    assert rc == 0, err
    assert "Narasumber #1" in out and "kasus pendaftaran #1" in out
    rc, out, _ = run("narasumber", "show", "1", "--format", "json")
    person = json.loads(out)
    assert {
        "id",
        "name",
        "status",
        "topics",
        "nip",
        "nik",
        "instansi",
        "honor_class",
        "registration_case_id",
        "upcoming",
        "past",
        "history",
    } <= person.keys()
    assert person["status"] == "diajukan" and person["registration_case_id"] == 1
    assert person["nik"] == "6171014508900001" and person["nip"] is None  # 16 digits: a NIK
    assert person["history"][0]["kind"] == "narasumber.registered"
    rc, out, _ = run("case", "show", "1", "--format", "json")
    assert json.loads(out)["sop"] == "NARSUM-PENDAFTARAN"
    rc, out, _ = run("narasumber", "show", "1")
    assert rc == 0 and "Dr. Sari Wijaya" in out and "non-ASN" in out


def test_available_json_keys_and_book_conflict_exits_1(run):
    a = add(run, "Dr. Zainal Arifin", "Akuntansi koperasi")
    b = add(run, "Bambang Hidayat", "Koperasi simpan pinjam", "Akuntansi dasar")
    add(run, "Citra Dewi", "Pemasaran digital")
    rc, out, err = book(run, a, "2026-12-03 08:00", "2026-12-03 12:00", "--activity",
                        "Diklat Koperasi", "--format", "json")  # fmt: skip
    assert rc == 0, err
    booking = json.loads(out)
    assert {"id", "narasumber_id", "starts_at", "ends_at", "status", "activity", "when"} <= (
        booking.keys()
    )
    assert booking["status"] == "definitif" and booking["when"] == "3 Des 08:00-12:00"
    assert booking["starts_at"] == "2026-12-03T01:00:00+00:00"  # stored UTC

    rc, out, err = run(
        "narasumber", "available", "--topic", "akuntasi koperasi",
        "--from", "3 Desember 2026 10:00", "--to", "3 Desember 2026 13:00", "--format", "json",
    )  # fmt: skip
    assert rc == 0, err
    offers = json.loads(out)
    assert [o["id"] for o in offers] == [a, b]
    assert {"id", "name", "topics", "free", "conflicts"} <= offers[0].keys()
    assert offers[0]["free"] is False and offers[1]["free"] is True
    assert offers[0]["topics"] == ["Akuntansi koperasi"]
    assert offers[0]["conflicts"][0]["text"] == "Diklat Koperasi, 3 Des 08:00-12:00"
    assert offers[1]["conflicts"] == []

    rc, out, err = book(run, a, "2026-12-03 11:00", "2026-12-03 13:00", "--activity", "Rapat")
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("soptui: ")
    assert "bentrok: Diklat Koperasi, 3 Des 08:00-12:00" in err
    rc, _, err = run("--lang", "en", "--user", "tu", "narasumber", "book", str(a),
                     "--from", "2026-12-03 11:00", "--to", "2026-12-03 13:00",
                     "--activity", "R")  # fmt: skip
    assert rc == 1 and "conflict: Diklat Koperasi, 3 Dec 08:00-12:00" in err
    # touching is fine
    rc, out, err = book(run, a, "2026-12-03 12:00", "2026-12-03 13:00", "--activity", "Rapat")
    assert rc == 0 and "Pemesanan #2" in out, err


def test_not_approved_is_refused_with_the_reason(run):
    p = add(run, "Rina Kurniawati", "UMKM", approve=False)
    rc, out, err = book(run, p, "2026-12-03 08:00", "2026-12-03 12:00", "--activity", "Bimtek")
    assert rc == 1 and "diajukan" in err and "disetujui" in err
    # shown on request, never offered
    rc, out, _ = run("narasumber", "available", "--topic", "umkm", "--from", "2026-12-03",
                     "--to", "2026-12-03", "--format", "json")  # fmt: skip
    assert json.loads(out) == []
    rc, out, _ = run("narasumber", "available", "--topic", "umkm", "--from", "2026-12-03",
                     "--to", "2026-12-03", "--all", "--format", "json")  # fmt: skip
    assert [(o["id"], o["bookable"], o["status"]) for o in json.loads(out)] == [
        (p, False, "diajukan")
    ]
    # only an admin changes a status by hand
    rc, _, err = run("--user", "tu", "narasumber", "status", str(p), "nonaktif", "--note", "x")
    assert rc == 1 and "admin" in err


def test_case_booking_block_cancel_and_bookings_listing(run):
    a = add(run, "Dian Permata", "Pemasaran digital UMKM")
    rc, out, err = run("--user", "teknis", "case", "new", "NARSUM-PERMINTAAN", "--title",
                       "Narsum pemasaran digital", "--format", "json")  # fmt: skip
    case_id = json.loads(out)["id"]
    rc, out, err = book(run, a, "2026-12-10 08:00", "2026-12-10 12:00", "--case", str(case_id),
                        "--tentative", "--format", "json")  # fmt: skip
    assert rc == 0, err
    booking = json.loads(out)
    assert (booking["case_id"], booking["status"]) == (case_id, "tentatif")
    assert booking["activity"] == "Narsum pemasaran digital"
    rc, out, err = run("--user", "tu", "narasumber", "block", str(a), "--from", "2026-12-11",
                       "--to", "2026-12-12", "--note", "Cuti tahunan")  # fmt: skip
    assert rc == 0 and "Blok #2" in out and "11 Des-12 Des" in out, err
    rc, out, err = run("--user", "tu", "narasumber", "block", str(a),
                       "--from", "2026-12-10 11:00", "--to", "2026-12-10 15:00",
                       "--note", "Dinas", "--kind", "dinas-luar")  # fmt: skip
    assert rc == 1 and "Narsum pemasaran digital, 10 Des 08:00-12:00" in err
    rc, out, _ = run("narasumber", "bookings", "--case", str(case_id), "--format", "json")
    assert [b["id"] for b in json.loads(out)] == [booking["id"]]
    rc, out, _ = run("--user", "kadis", "case", "cancel", str(case_id), "--note", "Batal.")
    assert rc == 1  # only the opener or an admin cancels
    rc, out, err = run("--user", "teknis", "case", "cancel", str(case_id), "--note", "Batal.")
    assert rc == 0, err
    rc, out, _ = run("narasumber", "bookings", "--case", str(case_id), "--format", "json")
    assert json.loads(out)[0]["status"] == "batal"
    rc, out, _ = run("narasumber", "bookings", "--person", str(a), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 2 and rows[1][4] == "cuti"
    rc, out, err = run("--user", "tu", "narasumber", "cancel", "2", "--note", "Cuti batal")
    assert rc == 0 and "Pemesanan #2 dibatalkan" in out
    rc, _, err = run("--user", "tu", "narasumber", "cancel", "2", "--note", "lagi")
    assert rc == 1


@pytest.mark.parametrize("fmt", ["simple", "grid", "csv", "json"])
def test_every_narasumber_listing_takes_every_format(run, fmt):
    a = add(run, "Eko Nugroho", "Kewirausahaan pemuda")
    assert book(run, a, "2026-12-03 08:00", "2026-12-03 12:00", "--activity", "Bimtek")[0] == 0
    for args in (
        ["narasumber", "list"],
        ["narasumber", "list", "--status", "disetujui", "--topic", "wirausaha"],
        ["narasumber", "search", "eko"],
        ["narasumber", "available", "--topic", "kewirausahaan", "--from", "2026-12-03",
         "--to", "2026-12-04"],
        ["narasumber", "bookings", "--from", "2026-12-01", "--to", "2026-12-31"],
        ["narasumber", "show", str(a)],
    ):  # fmt: skip
        rc, out, err = run(*args, "--format", fmt)
        assert rc == 0, (args, err)
        assert "Eko Nugroho" in out, args
        if fmt == "json":
            json.loads(out)


@pytest.mark.parametrize(
    "args",
    [
        ["narasumber", "book", "1", "--from", "2026-12-03 10:00", "--to", "2026-12-03 09:00",
         "--activity", "x"],
        ["narasumber", "book", "1", "--from", "besok pagi", "--to", "2026-12-03 09:00",
         "--activity", "x"],
        ["narasumber", "book", "1", "--from", "2026-12-03 08:00", "--to", "2026-12-03 09:00"],
        ["narasumber", "book", "99", "--from", "2026-12-03 08:00", "--to", "2026-12-03 09:00",
         "--activity", "x"],
        ["narasumber", "book", "satu", "--from", "2026-12-03 08:00", "--to", "2026-12-03 09:00"],
        ["narasumber", "block", "1", "--from", "2026-12-03", "--to", "2026-12-04", "--note", "x",
         "--kind", "libur"],
        ["narasumber", "add", "--name", "X", "--nip", "12345"],
        ["narasumber", "add", "--name", "X", "--email", "bukan-email"],
        ["narasumber", "add", "--name", " "],
        ["narasumber", "add", "--topic", "UMKM"],
        ["narasumber", "list", "--status", "aktif"],
        ["narasumber", "list", "--format", "nope"],
        ["narasumber", "available", "--topic", "umkm", "--from", "2026-12-03"],
        ["narasumber", "available", "--from", "2026-01-01", "--to", "2027-06-01"],
        ["narasumber", "cancel", "1", "--note", ""],
        ["narasumber", "edit", "1", "--golongan", "V/z"],
    ],
)  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(run, office_url, args):
    add(run, "Fitri Handayani", "Koperasi")
    before = sqlite_digest(office_url) if office_url.startswith("sqlite") else None
    rc, out, err = run("--user", "tu", *args)
    assert rc == 2, (args, out, err)
    assert err.startswith("soptui: ") and err.count("\n") == 1, err
    if before is not None:
        assert sqlite_digest(office_url) == before
