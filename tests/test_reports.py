"""Reports against a hand-computed fixture (both backends), and the
narasumber report through the CLI in every kind of format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from soptui.errors import InputError
from soptui.i18n import set_language
from soptui.narasumber import parse_range
from soptui.reports import nearest_rank, semester_range

DAY = date(2026, 3, 10)


@pytest.fixture
def worked(office):
    """One Permintaan Narasumber case with known step times (Tue 10 March):
    1: 4m (std 5)  2: 8m (std 5, breach)  3: 8m (std 10)
    4: 15m then returned (std 10, breach)  3 again: 5m  4 again: 5m, approved  5: 5m -> closed.
    Plus one open case waiting on the Petugas Teknis and one paused."""
    o = office
    case_id = o.start("NARSUM-PERMINTAAN", by=o.teknis)
    for minutes, actor in ((4, o.teknis), (8, o.teknis), (8, o.eselon)):
        o.clock.advance(minutes=minutes)
        o.svc.cases.complete(actor, case_id)
    o.clock.advance(minutes=15)
    o.svc.cases.return_for_revision(o.kadis, case_id, note="Telaah kurang")
    for minutes, actor in ((5, o.eselon), (5, o.kadis), (5, o.eselon)):
        o.clock.advance(minutes=minutes)
        o.svc.cases.complete(actor, case_id)
    open_id = o.start("NARSUM-PERMINTAAN", title="Masih terbuka", by=o.teknis)
    paused_id = o.start("NARSUM-FASILITASI", title="Menunggu", by=o.tu)
    o.svc.cases.pause(o.tu, paused_id, note="Menunggu berkas")
    o.clock.advance(minutes=30)  # 11:20: the open case (due 10:55) is overdue
    return o, case_id, open_id, paused_id


def test_sla_per_step(worked):
    o, *_ = worked
    rows = {
        r["step_no"]: r for r in o.svc.reports.sla(DAY, DAY).rows if r["sop"] == "NARSUM-PERMINTAAN"
    }
    got = {
        no: (r["attempts"], r["median_min"], r["p90_min"], r["within"], r["breaches"])
        for no, r in rows.items()
    }
    assert got == {
        "1": (1, 4.0, 4.0, 1.0, 0),
        "2": (1, 8.0, 8.0, 0.0, 1),
        "3": (2, 6.5, 8.0, 1.0, 0),
        "4": (2, 10.0, 15.0, 0.5, 1),
        "5": (1, 5.0, 5.0, 1.0, 0),
    }
    assert o.svc.reports.sla(date(2026, 3, 11), date(2026, 3, 31)).rows == ()


def test_sla_by_person_and_role(worked):
    o, *_ = worked
    by_person = [
        (r["step_no"], r["who"], r["attempts"])
        for r in o.svc.reports.sla(DAY, DAY, by="person").rows
    ]
    assert ("3", "eselon", 2) in by_person and ("4", "kadis", 2) in by_person
    by_role = {(r["step_no"], r["who"]) for r in o.svc.reports.sla(DAY, DAY, by="role").rows}
    assert ("4", "Pejabat Level 1") in by_role


def test_bottlenecks_rank_by_breach_rate_then_total_time(worked):
    o, *_ = worked
    rows = [r for r in o.svc.reports.bottlenecks(DAY, DAY).rows if r["sop"] == "NARSUM-PERMINTAAN"]
    assert [(r["step_no"], r["breach_rate"], r["total_min"], r["returns"]) for r in rows] == [
        ("2", 1.0, 8.0, 0),
        ("4", 0.5, 20.0, 1),
        ("3", 0.0, 13.0, 0),
        ("5", 0.0, 5.0, 0),
        ("1", 0.0, 4.0, 0),
    ]


def test_monitoring_table(worked):
    o, *_ = worked
    rows = {r["sop"]: r for r in o.svc.reports.monitoring(date(2026, 1, 1), date(2026, 6, 30)).rows}
    assert len(rows) == 9
    permintaan = rows["NARSUM-PERMINTAAN"]
    assert permintaan["runs_well"] == "tidak"  # 5 of 7 attempts within: 71% < 80%
    assert permintaan["within"] == pytest.approx(5 / 7)
    assert permintaan["notes"] == "2 kasus dibuka; 7 langkah, 71% sesuai Mutu Baku; 1 pengembalian"
    assert permintaan["action"] == "Tinjau langkah 2: 100% melewati Mutu Baku"
    assert rows["DIKLAT-BAHAN"]["runs_well"] == "-"


def test_workload_by_role_and_person(worked):
    o, _, open_id, paused_id = worked
    rows = {(r["by"], r["who"]): r for r in o.svc.reports.workload().rows}
    teknis = rows[("role", "Petugas Teknis")]
    assert (teknis["open"], teknis["overdue"], teknis["paused"], teknis["oldest_case"]) == (
        1,
        1,
        0,
        open_id,
    )
    tu = rows[("person", "tu")]
    assert (tu["open"], tu["paused"], tu["oldest_case"]) == (0, 1, paused_id)


def test_agenda_report_lists_the_period(office):
    letters = office.svc.letters
    letters.register_incoming(
        office.tu, sender="A", number="1", perihal="x", received_date=date(2026, 3, 2)
    )
    letters.register_incoming(
        office.tu, sender="B", number="2", perihal="y", received_date=date(2026, 4, 2)
    )
    rows = office.svc.reports.agenda(date(2026, 3, 1), date(2026, 3, 31), letters).rows
    assert [r["party"] for r in rows] == ["A"]
    with pytest.raises(InputError):
        office.svc.reports.agenda(date(2026, 3, 31), date(2026, 3, 1), letters)


def test_helpers():
    assert nearest_rank([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 0.9) == 9
    assert nearest_rank([7], 0.9) == 7
    assert semester_range("2026-2") == (date(2026, 7, 1), date(2026, 12, 31))
    with pytest.raises(InputError):
        semester_range("2026-3")


# ----- the narasumber report ------------------------------------------------------------

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def registry(office):
    """Persons and bookings around March 2026 (office time, WIB), with what
    the report must say for 1-31 March worked out by hand:

    Dr. Zainal Arifin (approved), cases X and Y:
        28 Feb 20:00 -  1 Mar 02:00  definitif      straddles the start: 2 h, first day 1 Mar
         3 Mar 08:00 - 12:00         definitif, X   4 h
         5 Mar 13:00 - 15:30         tentatif, X    2.5 h
        10 Mar 08:00 - 10:00         batal          counted as batal, no hours
        20 Mar - 22 Mar (whole days) cuti           3 days blocked
        25 Mar 10:00 - 26 Mar 17:00  dinas luar     2 days blocked (partial days count)
        28 Mar                       cuti, withdrawn: not counted
        31 Mar 22:00 -  1 Apr 01:00  tentatif, Y    straddles the end: 2 h, last day 31 Mar
        -> 2 definitif, 2 tentatif, 1 batal, 10.5 h, 2 cases, 1-31 Mar, 5 days
    Bambang Hidayat (approved):
        28 Feb 08:00 -  1 Mar 00:00  definitif      touches the start: not in March
        10 Mar 08:00 - 18:30         definitif      10.5 h
         1 Apr 00:00 - 04:00         definitif      touches the end: not in March
        -> 1 definitif, 10.5 h: ties with Zainal and goes first by name (gelar ignored)
    Citra Dewi (approved): one booking in March, cancelled -> listed, 0 h
    Dian Permata (approved): only a block ("lainnya") on 15 Mar 09:00-12:00 -> 1 day
    Eko Nugroho (approved): a booking in April only -> left out (listed with everyone)
    Fajar Siddiq (diajukan) and a second Citra Dewi: nothing -> listed with everyone
    """
    o = office
    nr = o.svc.narasumber

    def person(name: str, *, approve: bool = True, instansi: str | None = None) -> int:
        p = nr.register(o.anggota, name=name, topics=["Koperasi"], instansi=instansi)
        if approve:
            nr.set_status(o.admin, p.id, "disetujui", note="Terdaftar sebelum aplikasi ini.")
        return p.id

    def span(a: str, b: str):
        return parse_range(a, b)

    ids = {
        "zainal": person("Dr. Zainal Arifin", instansi="Universitas Tanjungpura"),
        "bambang": person("Bambang Hidayat", instansi="Dinas Koperasi"),
        "citra": person("Citra Dewi"),
        "dian": person("Dian Permata"),
        "eko": person("Eko Nugroho"),
        "fajar": person("Fajar Siddiq", approve=False),
        "citra2": person("Citra Dewi"),
    }
    x = o.start("NARSUM-PERMINTAAN", title="Narasumber diklat akuntansi koperasi")
    y = o.start("NARSUM-FASILITASI", title="Narasumber bimtek koperasi")
    z = ids["zainal"]
    nr.book(o.tu, z, *span("2026-02-28 20:00", "2026-03-01 02:00"), activity="Seminar malam")
    nr.book(o.tu, z, *span("2026-03-03 08:00", "2026-03-03 12:00"), case_id=x)
    nr.book(o.tu, z, *span("2026-03-05 13:00", "2026-03-05 15:30"), case_id=x, tentative=True)
    dropped = nr.book(o.tu, z, *span("2026-03-10 08:00", "2026-03-10 10:00"), activity="Rapat")
    nr.cancel(o.tu, dropped.id, note="Rapat diundur.")
    nr.block(o.tu, z, *span("2026-03-20", "2026-03-22"), note="Cuti tahunan")
    nr.block(o.tu, z, *span("2026-03-25 10:00", "2026-03-26 17:00"), note="Ke Jakarta", kind="dl")
    withdrawn = nr.block(o.tu, z, *span("2026-03-28", "2026-03-28"), note="Cuti")
    nr.cancel(o.tu, withdrawn.id, note="Tidak jadi cuti.")
    nr.book(o.tu, z, *span("2026-03-31 22:00", "2026-04-01 01:00"), case_id=y, tentative=True)
    b = ids["bambang"]
    nr.book(o.tu, b, *span("2026-02-28 08:00", "2026-03-01 00:00"), activity="Sebelum")
    nr.book(o.tu, b, *span("2026-03-10 08:00", "2026-03-10 18:30"), activity="Bimtek")
    nr.book(o.tu, b, *span("2026-04-01 00:00", "2026-04-01 04:00"), activity="Sesudah")
    gone = nr.book(o.tu, ids["citra"], *span("2026-03-12 08:00", "2026-03-12 09:00"), activity="x")
    nr.cancel(o.tu, gone.id, note="Batal.")
    nr.block(
        o.tu, ids["dian"], *span("2026-03-15 09:00", "2026-03-15 12:00"), note="Sakit", kind="lain"
    )
    nr.book(o.tu, ids["eko"], *span("2026-04-02 08:00", "2026-04-02 10:00"), activity="April")
    return o, ids


def figures(row: dict) -> tuple:
    return (
        row["definitif"],
        row["tentatif"],
        row["batal"],
        row["hours"],
        row["cases"],
        row["first"],
        row["last"],
        row["blocked_days"],
    )


def test_narasumber_report_against_the_hand_computed_fixture(registry):
    o, ids = registry
    report = o.svc.reports.narasumber(*MARCH)
    got = [(r["id"], figures(r)) for r in report.rows]
    assert got == [
        (ids["bambang"], (1, 0, 0, 10.5, 0, date(2026, 3, 10), date(2026, 3, 10), 0)),
        (ids["zainal"], (2, 2, 1, 10.5, 2, date(2026, 3, 1), date(2026, 3, 31), 5)),
        (ids["citra"], (0, 0, 1, 0.0, 0, None, None, 0)),
        (ids["dian"], (0, 0, 0, 0.0, 0, None, None, 1)),
    ]
    zainal = report.rows[1]
    assert (zainal["name"], zainal["instansi"], zainal["status"], zainal["status_text"]) == (
        "Dr. Zainal Arifin",
        "Universitas Tanjungpura",
        "disetujui",
        "disetujui",
    )
    assert report.bar == "hours" and report.bar_max == 10.5
    assert [k for k, _ in report.columns] == [
        "name",
        "instansi",
        "status_text",
        "definitif",
        "tentatif",
        "batal",
        "hours",
        "cases",
        "first",
        "last",
        "blocked_days",
    ]
    # Everyone: the persons without anything in March too, by name then id.
    everyone = o.svc.reports.narasumber(*MARCH, everyone=True)
    assert [r["id"] for r in everyone.rows] == [
        ids[k] for k in ("bambang", "zainal", "citra", "citra2", "dian", "eko", "fajar")
    ]
    fajar = everyone.rows[-1]
    assert (fajar["status"], figures(fajar)) == ("diajukan", (0, 0, 0, 0.0, 0, None, None, 0))


def test_narasumber_report_clips_to_shorter_periods(registry):
    o, ids = registry
    reports = o.svc.reports
    # 1 March alone: Zainal's straddling booking (its 2 h in March), nobody else.
    rows = reports.narasumber(date(2026, 3, 1), date(2026, 3, 1)).rows
    assert [(r["id"], figures(r)) for r in rows] == [
        (ids["zainal"], (1, 0, 0, 2.0, 0, date(2026, 3, 1), date(2026, 3, 1), 0))
    ]
    # 21-25 March: two days of the cuti and one of the trip; no bookings.
    rows = reports.narasumber(date(2026, 3, 21), date(2026, 3, 25)).rows
    assert [(r["id"], figures(r)) for r in rows] == [
        (ids["zainal"], (0, 0, 0, 0.0, 0, None, None, 3))
    ]
    # 28 February: the evening seminar's first 4 h, Bambang's whole day (16 h).
    rows = reports.narasumber(date(2026, 2, 28), date(2026, 2, 28)).rows
    assert [(r["id"], r["hours"]) for r in rows] == [(ids["bambang"], 16.0), (ids["zainal"], 4.0)]
    assert reports.narasumber(date(2026, 5, 1), date(2026, 5, 31)).rows == ()
    with pytest.raises(InputError):
        reports.narasumber(date(2026, 3, 31), date(2026, 3, 1))


def test_narasumber_report_in_english(registry):
    o, _ids = registry
    set_language("en")
    rows = o.svc.reports.narasumber(*MARCH, everyone=True).rows
    assert {r["status_text"] for r in rows} == {"approved", "submitted"}


def test_narasumber_report_cli_formats_and_errors(registry, run):
    _o, ids = registry
    period = ("--from", "2026-03-01", "--to", "31-03-2026")
    rc, out, err = run("report", "narasumber", *period, "--format", "json")
    assert rc == 0, err
    records = json.loads(out)
    assert [r["id"] for r in records] == [ids[k] for k in ("bambang", "zainal", "citra", "dian")]
    assert records[1] == {
        "id": ids["zainal"],
        "name": "Dr. Zainal Arifin",
        "instansi": "Universitas Tanjungpura",
        "status": "disetujui",
        "status_text": "disetujui",
        "definitif": 2,
        "tentatif": 2,
        "batal": 1,
        "hours": 10.5,
        "cases": 2,
        "first": "2026-03-01",
        "last": "2026-03-31",
        "blocked_days": 5,
    }
    again = run("report", "narasumber", *period, "--format", "json")
    assert again == (0, out, "")  # deterministic
    rc, out, _ = run("report", "narasumber", *period, "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == [
        "Narasumber",
        "Instansi",
        "Status",
        "Definitif",
        "Tentatif",
        "Batal",
        "Jam",
        "Kasus",
        "Pertama",
        "Terakhir",
        "Hari berhalangan",
    ]
    assert table[2] == [
        "Dr. Zainal Arifin",
        "Universitas Tanjungpura",
        "disetujui",
        "2",
        "2",
        "1",
        "10.5",
        "2",
        "2026-03-01",
        "2026-03-31",
        "5",
    ]
    assert table[3][:3] == ["Citra Dewi", "", "disetujui"] and len(table) == 5
    rc, out, _ = run("--lang", "en", "report", "narasumber", *period, "--all", "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0][:4] == ["Speaker", "Institution", "Status", "Confirmed"]
    assert table[0][-1] == "Days blocked" and len(table) == 8
    assert table[-1][:3] == ["Fajar Siddiq", "", "submitted"]
    for fmt in ("simple", "github", "grid", "plain", "pipe", "rst", "html", "tsv"):
        rc, out, err = run("report", "narasumber", *period, "--format", fmt)
        assert rc == 0 and err == "", fmt
        assert "Dr. Zainal Arifin" in out and "10.5" in out, fmt
    rc, out, _ = run("report", "narasumber", "--from", "2026-05-01", "--to", "2026-05-31")
    assert rc == 0 and "Narasumber" in out  # no rows: the headings alone
    for args, message in (
        (("--from", "2026-03-31", "--to", "2026-03-01"), "soptui: Akhir harus setelah awal.\n"),
        (
            ("--from", "31-02-2026"),
            "soptui: 31-02-2026: Februari 2026 tidak punya tanggal 31 (hanya sampai 28).",
        ),
        ((*period, "--format", "xlsx"), "soptui: Format tidak dikenal: xlsx.\n"),
    ):
        rc, out, err = run("report", "narasumber", *args)
        assert (rc, out) == (2, ""), args
        assert err.startswith(message) and err.count("\n") == 1, err
