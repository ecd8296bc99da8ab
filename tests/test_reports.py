"""Reports against a hand-computed fixture (both backends)."""

from __future__ import annotations

from datetime import date

import pytest

from soptui.errors import InputError
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
