"""Pilot tests of the reports screen at 80x24: opened by F4 and from the palette,
every report against the service's own rows, the period typed in both date
forms (and refused inline when unreadable), the text bars, export to CSV, JSON
and a markdown table (never overwriting without a second enter), English, the
narasumber report (hour bars, columns left out on a narrow terminal), and one
snapshot.

The office is the app tests' small office (tests/test_app_support.py) plus a
few cases worked at known speeds and three letters:

    20 Jan  Permintaan: step 2 in 3m, step 3 in 25m (breach), then 40m more (breach)
    24 Feb  Permintaan: 2m, 4m, 30m and returned (breach), 8m, 6m
     3 Mar  Fasilitas: step 1 in 12m (breach)
    letters: in 15 Jan, in 2 Mar (agenda 2/2026), out 5 Mar (800/1/DISKOPUKM, case 1)
    narasumber (registered and approved in December 2025, their Pendaftaran
    cases withdrawn, so the other reports do not see them):
        Dr. Zainal Arifin  3 Mar 08-12 definitif (case 1), 5 Mar 13-15 tentatif: 6 h
        Bambang Hidayat    20 Feb 08-11 definitif: 3 h; cuti 2-3 Mar: 2 days
        Citra Dewi         20 Jan 09-12 definitif: outside the default period

The clock stands at Tue 10 March 2026 10:00: the default period is 9 Feb -
10 Mar, the current semester Jan - Jun 2026.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from test_app_support import FrozenClock, build_office, copy_office, make_app, settle, sync
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._footer import FooterKey

from soptui.app import SoptuiApp
from soptui.formatting import render
from soptui.i18n import set_language, t
from soptui.narasumber import parse_range
from soptui.screens import export as export_screen
from soptui.screens.case import CaseScreen
from soptui.screens.inbox import InboxScreen
from soptui.screens.reports import (
    KINDS,
    ExportDialog,
    ReportsScreen,
    RowDetail,
    bar,
    cell_text,
    fit_widths,
    kinds_line,
    plan_columns,
)
from soptui.service import Soptui

SIZE = (80, 24)
LAST_30 = (date(2026, 2, 9), date(2026, 3, 10))
SEMESTER = (date(2026, 1, 1), date(2026, 6, 30))


def work_more(path: Path) -> None:
    clock = FrozenClock("2026-01-20 09:00")
    svc = Soptui(f"sqlite:///{path}", clock=clock)
    try:
        sari, teknis, eselon = (svc.users.actor(x) for x in ("sari", "teknis", "eselon"))
        cases = svc.cases
        jan = cases.start(teknis, "NARSUM-PERMINTAAN", title="Narasumber rapat anggota")
        clock.advance(minutes=3)
        cases.complete(teknis, jan)
        clock.advance(minutes=25)
        cases.complete(teknis, jan)
        clock.advance(minutes=40)
        cases.complete(eselon, jan)
        clock.set("2026-02-24 09:00")
        feb = cases.start(teknis, "NARSUM-PERMINTAAN", title="Narasumber ekspor UMKM")
        for minutes, actor in ((2, teknis), (4, teknis)):
            clock.advance(minutes=minutes)
            cases.complete(actor, feb)
        clock.advance(minutes=30)
        cases.return_for_revision(eselon, feb, note="Telaahan kurang")
        for minutes, actor in ((8, teknis), (6, eselon)):
            clock.advance(minutes=minutes)
            cases.complete(actor, feb)
        clock.set("2026-03-03 13:00")
        mar = cases.start(sari, "NARSUM-FASILITASI", title="Narasumber koperasi wanita")
        clock.advance(minutes=12)
        cases.complete(sari, mar)
        letters = svc.letters
        clock.set("2026-01-15 10:00")
        letters.register_incoming(
            sari, sender="Dinas Koperasi Kab. Sambas", number="005/1/DK", perihal="Permohonan"
        )
        clock.set("2026-03-02 10:00")
        letters.register_incoming(
            sari,
            sender="Dinas Koperasi Kota Singkawang",
            number="005/77/DKS",
            perihal="Undangan rapat koordinasi",
            letter_date=date(2026, 2, 27),
        )
        clock.set("2026-03-05 10:00")
        letters.issue_number(
            sari,
            klasifikasi="800",
            perihal="Balasan permohonan narasumber",
            recipient="Dinas Koperasi Kab. Sambas",
            case_id=1,
        )
        add_narasumber(svc, clock)
    finally:
        svc.close()


def add_narasumber(svc: Soptui, clock: FrozenClock) -> None:
    nr = svc.narasumber
    admin, sari = svc.users.actor("admin"), svc.users.actor("sari")
    clock.set("2025-12-01 09:00")
    ids = []
    for name, instansi in (
        ("Dr. Zainal Arifin", "Universitas Tanjungpura"),
        ("Bambang Hidayat", "Dinas Koperasi Kab. Sambas"),
        ("Citra Dewi", None),
    ):
        person = nr.register(admin, name=name, topics=["Koperasi"], instansi=instansi)
        nr.set_status(admin, person.id, "disetujui", note="Terdaftar sebelum aplikasi ini.")
        svc.cases.cancel(admin, person.registration_case_id, note="Data lama.")
        ids.append(person.id)
    zainal, bambang, citra = ids
    clock.set("2026-03-02 10:00")
    nr.book(sari, zainal, *parse_range("2026-03-03 08:00", "2026-03-03 12:00"), case_id=1)
    nr.book(
        sari,
        zainal,
        *parse_range("2026-03-05 13:00", "2026-03-05 15:00"),
        activity="Bimtek",
        tentative=True,
    )
    nr.book(sari, bambang, *parse_range("2026-02-20 08:00", "2026-02-20 11:00"), activity="Rapat")
    nr.block(sari, bambang, *parse_range("2026-03-02", "2026-03-03"), note="Cuti")
    nr.book(sari, citra, *parse_range("2026-01-20 09:00", "2026-01-20 12:00"), activity="Diklat")


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports-office") / "office.sqlite"
    build_office(path)
    work_more(path)
    return path


@pytest.fixture
def svc(office_template: Path, tmp_path: Path) -> Iterator[Soptui]:
    set_language("id")
    service, _clock = copy_office(office_template, tmp_path / "office.sqlite")
    yield service
    service.close()
    set_language("id")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clerk's current folder, where exports go by default."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


# ----- helpers -------------------------------------------------------------------------


def notices(app: SoptuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def screen_text(app: SoptuiApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = monotonic() + timeout
    while not done() and monotonic() < deadline:
        await pilot.pause(0.02)


async def run_command(pilot: Pilot[None], query: str) -> None:
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    palette = pilot.app.screen
    palette.query_one(CommandInput).value = query
    hits = palette.query_one(CommandList)
    await until(pilot, lambda: hits.option_count > 0 and hits.highlighted is not None)
    await pilot.press("enter")
    await settle(pilot)


async def footer_keys(pilot: Pilot[None]) -> list[str]:
    app = pilot.app

    def shown() -> list[str]:
        return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)]

    expected = {
        f"{app.get_key_display(a.binding)} {a.binding.description}"
        for a in app.screen.active_bindings.values()
        if a.binding.show
    }
    await until(pilot, lambda: set(shown()) == expected)
    return shown()


async def open_reports(pilot: Pilot[None]) -> ReportsScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    return screen


def table_rows(screen: ReportsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]


def table_headings(screen: ReportsScreen) -> list[str]:
    return [str(c.label).strip() for c in screen.query_one(DataTable).columns.values()]


def period_fields(screen: ReportsScreen) -> tuple[str, str]:
    return screen.query_one("#from", Input).value, screen.query_one("#to", Input).value


def message(screen: Any) -> str:
    widget = screen.query_one("#message", Static)
    return str(widget.render()) if widget.display else ""


# ----- opening, reports, period ----------------------------------------------------------


@sync
async def test_f4_opens_the_sla_of_the_last_30_days_with_bars(svc: Soptui) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert period_fields(screen) == ("2026-02-09", "2026-03-10")
        expected = svc.reports.sla(*LAST_30)
        rows = table_rows(screen)
        assert [r[:2] for r in rows] == [[r["sop"], r["step_no"]] for r in expected.rows]
        assert table_headings(screen)[:3] == ["SOP", "No", "Waktu"]
        text = screen_text(app)
        assert "▸1 SLA" in text and "8 baris" in text
        assert "████████░░  75%" in text  # NARSUM-FASILITASI step 1: 3 of 4 within
        assert "██████████ 100%" in text
        keys = await footer_keys(pilot)
        assert "e Ekspor" in keys and "p Periode" in keys and "1-8 Laporan" in keys
        assert sum(len(k) + 2 for k in keys) <= 80
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


@sync
async def test_palette_and_f4_from_a_case(svc: Soptui) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "Laporan")
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("f4")  # already there: nothing stacks up
        assert len(app.screen_stack) == 2  # the inbox and the reports
        await pilot.press("escape")
        app.open_case(2)
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_switching_reports_shows_each_services_rows(svc: Soptui) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        reports = svc.reports
        expected = {
            "2": reports.sla(*LAST_30, by="role"),
            "3": reports.sla(*LAST_30, by="person"),
            "4": reports.monitoring(*SEMESTER),
            "5": reports.workload(),
            "6": reports.bottlenecks(*LAST_30),
            "7": reports.agenda(*LAST_30, svc.letters),
            "8": reports.narasumber(*LAST_30),
        }
        for key, report in expected.items():
            await pilot.press(key)
            await settle(pilot)
            kind = KINDS[int(key) - 1]
            assert screen.kind is kind
            assert f"▸{key} {kind.label}" in screen_text(app)
            rows = table_rows(screen)
            assert len(rows) == len(report.rows), kind.id
            first = report.columns[0][0]
            width = screen.layout_widths[0]
            assert [r[0] for r in rows] == [screen_cell(v[first], width) for v in report.rows]
        # Monitoring: the current semester, and the bar beside "Berjalan baik".
        await pilot.press("4")
        await settle(pilot)
        assert period_fields(screen) == ("2026-01-01", "2026-06-30")
        assert table_headings(screen)[:4] == ["No", "Prosedur", "Berjalan baik", "Sesuai"]
        assert "Tinjau langkah 3" in " ".join(
            r["action"] for r in reports.monitoring(*SEMESTER).rows
        )
        # Workload has no period: it says so, and p explains instead of editing.
        await pilot.press("5")
        await settle(pilot)
        assert "Keadaan saat ini (2026-03-10); tanpa periode" in screen_text(app)
        await pilot.press("p")
        assert "keadaan saat ini" in notices(app)[-1]
        assert not isinstance(app.focused, Input)
        # Back to SLA: the period of the range reports was kept.
        await pilot.press("1")
        await settle(pilot)
        assert period_fields(screen) == ("2026-02-09", "2026-03-10")


def screen_cell(value: Any, width: int) -> str:
    """What the table shows of a value in a column `width` cells wide."""
    text = cell_text(value)
    return text.strip() if len(text) <= width else text[: width - 1].rstrip() + "…"


@sync
async def test_period_typed_in_either_form_and_bad_input_runs_nothing(svc: Soptui) -> None:
    app = make_app(svc)
    calls: list[tuple[date, date]] = []
    real = svc.reports.sla

    def counting(start: date, end: date, **kwargs: Any) -> Any:
        calls.append((start, end))
        return real(start, end, **kwargs)

    svc.reports.sla = counting  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert calls == [LAST_30]
        await pilot.press("p")
        assert app.focused is screen.query_one("#from", Input)
        assert "enter jalankan" in message(screen)
        await pilot.press(*"1 Maret 2026", "tab")  # digits go into the field, not to 1-7
        assert app.focused is screen.query_one("#to", Input)
        app.focused.value = "05-03-2026"
        await pilot.press("enter")
        await settle(pilot)
        assert calls[-1] == (date(2026, 3, 1), date(2026, 3, 5))
        assert period_fields(screen) == ("2026-03-01", "2026-03-05")  # shown in ISO
        assert isinstance(app.focused, DataTable)
        assert message(screen) == ""
        expected = real(date(2026, 3, 1), date(2026, 3, 5))
        assert len(table_rows(screen)) == len(expected.rows) == 1
        # Unreadable: one line, the field to fix focused, nothing runs.
        runs = len(calls)
        await pilot.press("p")
        screen.query_one("#from", Input).value = "31 Februari 2026"
        await pilot.press("enter")
        await settle(pilot)
        assert message(screen).startswith("Tanggal tidak terbaca: 31 Februari 2026.")
        assert app.focused is screen.query_one("#from", Input)
        assert len(calls) == runs
        # The end before the start.
        screen.query_one("#from", Input).value = "2026-03-09"
        screen.query_one("#to", Input).value = "1 Maret 2026"
        await pilot.press("enter")
        await settle(pilot)
        assert message(screen) == "Akhir harus setelah awal."
        assert app.focused is screen.query_one("#to", Input)
        assert len(calls) == runs
        # esc leaves the fields as they were, and stays on the screen.
        await pilot.press("escape")
        assert isinstance(app.screen, ReportsScreen)
        assert period_fields(screen) == ("2026-03-01", "2026-03-05")
        assert message(screen) == ""
        # A semester in the first field.
        await pilot.press("p")
        screen.query_one("#from", Input).value = "2026-1"
        await pilot.press("enter")
        await settle(pilot)
        assert calls[-1] == SEMESTER
        assert period_fields(screen) == ("2026-01-01", "2026-06-30")


@sync
async def test_no_query_and_no_repaint_while_idle(svc: Soptui) -> None:
    app = make_app(svc, poll_seconds=0.05)
    runs: list[int] = []
    real = svc.reports.sla

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    svc.reports.sla = counting  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        table = screen.query_one(DataTable)
        refreshes: list[int] = []
        original = table.refresh

        def counting_refresh(*args: Any, **kwargs: Any) -> Any:
            refreshes.append(1)
            return original(*args, **kwargs)

        table.refresh = counting_refresh  # type: ignore[method-assign]
        svc.cases.add_note(svc.users.actor("budi"), 3, text="dibaca")  # a write: a new token
        await pilot.pause(0.5)
        assert refreshes == [] and runs == [1]
        await pilot.press("f5")
        await settle(pilot)
        assert runs == [1, 1]


def test_bars_and_column_widths(svc: Soptui) -> None:
    for lang in ("id", "en"):  # the line of reports fits 80 columns in both languages
        set_language(lang)
        labels = [k.label for k in KINDS]
        for chosen in range(len(KINDS)):
            assert len(kinds_line(labels, chosen, 80)) <= 80
        assert kinds_line(labels, 7, 80).plain.endswith(f" 7 Agenda▸8 {labels[7]}")
        assert kinds_line(labels, 0, 200).plain.startswith("▸1 SLA  2 ")  # room: two spaces
    set_language("id")
    assert bar(0.7, 15) == "███████░░░  70%"
    assert bar(1.0, 10) == "█████ 100%"
    assert bar(0.0, 15) == "░░░░░░░░░░   0%"
    assert bar(None, 15) == "-"
    for kind in KINDS:
        report = {
            "sla": lambda: svc.reports.sla(*LAST_30),
            "sla-role": lambda: svc.reports.sla(*LAST_30, by="role"),
            "sla-person": lambda: svc.reports.sla(*LAST_30, by="person"),
            "monitoring": lambda: svc.reports.monitoring(*SEMESTER),
            "workload": svc.reports.workload,
            "bottlenecks": lambda: svc.reports.bottlenecks(*LAST_30),
            "agenda": lambda: svc.reports.agenda(*LAST_30, svc.letters),
            "narasumber": lambda: svc.reports.narasumber(*LAST_30),
        }[kind.id]()
        columns = plan_columns(report, kind.bar_after)
        narrow = fit_widths(columns, 80)
        assert sum(w + 1 for w in narrow) + 1 <= 80, kind.id
        wide = fit_widths(columns, 250)
        assert wide == [c.natural for c in columns], kind.id  # wider terminals show all


@sync
async def test_wider_terminal_shows_more_and_enter_shows_a_row_whole(svc: Soptui) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("4")
        await settle(pilot)
        notes = svc.reports.monitoring(*SEMESTER).rows[8]["notes"]
        assert notes not in screen_text(app)  # cut to fit 80 columns
        await pilot.resize_terminal(200, 24)
        await settle(pilot)
        assert notes in screen_text(app)
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RowDetail)
        text = str(app.screen.query_one("#detail", Static).render())
        assert "Prosedur: Permintaan Narasumber" in text and f"Catatan: {notes}" in text
        await pilot.press("escape")
        assert app.screen is screen


@sync
async def test_no_color_keeps_bars_and_markers(
    svc: Soptui, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        assert app.no_color
        text = screen_text(app)
        assert "▸1 SLA" in text and "████████░░  75%" in text
        app.theme = "textual-light"  # the bars are redrawn in the new theme's colours
        await settle(pilot)
        assert "████████░░  75%" in screen_text(app)


# ----- the narasumber report -------------------------------------------------------------


@sync
async def test_narasumber_report_with_hour_bars(svc: Soptui, workdir: Path) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("8")
        await settle(pilot)
        assert screen.kind is KINDS[7]
        text = screen_text(app)
        assert "▸8 Narsum" in text and "2 baris" in text
        assert period_fields(screen) == ("2026-02-09", "2026-03-10")
        report = svc.reports.narasumber(*LAST_30)
        assert [r["name"] for r in report.rows] == ["Dr. Zainal Arifin", "Bambang Hidayat"]
        # 80 columns: instansi and the first and last days give way to the name;
        # short headings for the one-digit columns; the hours drawn as bars.
        assert table_headings(screen) == [
            "Narasumber", "Status", "Def", "Tent", "Batal", "Jam", "Kasus", "Halangan",
        ]  # fmt: skip
        assert table_rows(screen) == [
            ["Dr. Zainal Arifin", "disetujui", "1", "1", "0", "██████████ 6.0", "1", "0"],
            ["Bambang Hidayat", "disetujui", "1", "0", "0", "█████░░░░░ 3.0", "0", "2"],
        ]  # bars against the most hours; Bambang's cuti, 2-3 March: 2 days
        # Wider: every column, in full.
        await pilot.resize_terminal(160, 24)
        await settle(pilot)
        assert table_headings(screen) == [
            "Narasumber", "Instansi", "Status", "Def", "Tent", "Batal", "Jam", "Kasus",
            "Pertama", "Terakhir", "Halangan",
        ]  # fmt: skip
        assert table_rows(screen)[0][8:10] == ["2026-03-03", "2026-03-05"]
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        # enter: the row whole, with the headings in full.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RowDetail)
        detail = str(app.screen.query_one("#detail", Static).render())
        for line in (
            "Instansi: Universitas Tanjungpura",
            "Definitif: 1",
            "Tentatif: 1",
            "Pertama: 2026-03-03",
            "Terakhir: 2026-03-05",
            "Hari berhalangan: 0",
        ):
            assert line in detail
        assert "██████████ 6.0" in detail
        await pilot.press("escape")
        # Another period: January shows Citra Dewi alone.
        await pilot.press("p")
        screen.query_one("#from", Input).value = "1 Januari 2026"
        screen.query_one("#to", Input).value = "31-01-2026"
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(screen) == [
            ["Citra Dewi", "", "disetujui", "1", "0", "0", "██████████ 3.0", "0", "0"]
        ]  # the first and last days gave way (all of the rest fits)
        # Exported in full: every column, the headings in full.
        dialog = await open_export(pilot)
        assert dialog.query_one("#path", Input).value == (
            "soptui-narasumber-2026-01-01_2026-01-31.csv"
        )
        await pilot.press("enter")
        await settle(pilot)
        written = workdir / "soptui-narasumber-2026-01-01_2026-01-31.csv"
        with written.open(encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        january = svc.reports.narasumber(date(2026, 1, 1), date(2026, 1, 31))
        assert got[0] == [t(h) for _, h in january.columns]
        assert got[0][-1] == "Hari berhalangan"
        assert got[1] == [
            "Citra Dewi", "", "disetujui", "1", "0", "0", "3.0", "0",
            "2026-01-20", "2026-01-20", "0",
        ]  # fmt: skip


# ----- export ------------------------------------------------------------------------------


async def open_export(pilot: Pilot[None]) -> ExportDialog:
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    return dialog


@sync
async def test_export_writes_the_csv_and_refuses_to_overwrite(svc: Soptui, workdir: Path) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        dialog = await open_export(pilot)
        name = "soptui-sla-2026-02-09_2026-03-10.csv"
        assert dialog.query_one("#path", Input).value == name
        hints = [str(w.render()) for w in dialog.query(".hint").results(Static)]
        assert f"Folder kini: {workdir}" in hints  # says where relative paths go (wrapped if long)
        await pilot.press("enter")
        await settle(pilot)
        target = workdir / name
        assert app.screen is screen
        assert message(screen) == f"Laporan ditulis ke {target}"
        with target.open(encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        report = svc.reports.sla(*LAST_30)
        assert got[0] == [t(h) for _, h in report.columns]
        assert got[1:] == [[cell_text(r[k]) for k, _ in report.columns] for r in report.rows]
        assert got[1][:3] == ["NARSUM-FASILITASI", "1", "5 menit"]
        # Again: the file exists. First enter refuses, the second overwrites.
        target.write_text("lama\n", encoding="utf-8")
        dialog = await open_export(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert message(dialog).startswith(f"Berkas sudah ada: {target}. Enter sekali lagi")
        assert target.read_text(encoding="utf-8") == "lama\n"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert target.read_text(encoding="utf-8").startswith("SOP,No,Waktu,Jumlah")
        # esc in the dialog writes nothing.
        await open_export(pilot)
        await pilot.press("escape")
        assert app.screen is screen
        assert sorted(p.name for p in workdir.iterdir()) == [name]


@sync
async def test_export_json_markdown_folders_and_bad_paths(
    svc: Soptui, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("5")  # workload: named by the day it was taken
        await settle(pilot)
        dialog = await open_export(pilot)
        path = dialog.query_one("#path", Input)
        dialog.query_one("#format", Select).value = "json"
        await settle(pilot)
        assert path.value == "soptui-workload-2026-03-10.json"
        await pilot.press("enter")
        await settle(pilot)
        records = json.loads((workdir / "soptui-workload-2026-03-10.json").read_text("utf-8"))
        expected = svc.reports.workload()
        assert [(r["who"], r["open"], r["overdue"]) for r in records] == [
            (r["who"], r["open"], r["overdue"]) for r in expected.rows
        ]
        # Markdown by its extension, into a folder typed with a trailing slash.
        (workdir / "out").mkdir()
        await pilot.press("1")
        await settle(pilot)
        dialog = await open_export(pilot)
        path = dialog.query_one("#path", Input)
        path.value = "out/"
        dialog.query_one("#format", Select).value = "github"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        written = workdir / "out" / "soptui-sla-2026-02-09_2026-03-10.md"
        report = svc.reports.sla(*LAST_30)
        assert written.read_text("utf-8") == (
            render(list(report.rows), report.columns, "github") + "\n"
        )
        assert written.read_text("utf-8").startswith("| SOP ")
        # A folder that does not exist, and a file where a folder should be: one line each.
        dialog = await open_export(pilot)
        path = dialog.query_one("#path", Input)
        path.value = "nowhere/report.csv"
        await pilot.press("enter")
        await settle(pilot)
        assert message(dialog) == f"Folder tidak ada: {workdir / 'nowhere'}"
        path.value = str(written) + "/x.csv"
        await pilot.press("enter")
        await settle(pilot)
        assert message(dialog) == f"Folder tidak ada: {written}"
        assert app.screen is dialog

        def denied(*_args: Any, **_kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied")

        with monkeypatch.context() as patched:
            patched.setattr(export_screen, "open", denied, raising=False)
            path.value = "laporan.md"
            await pilot.press("enter")
            await settle(pilot)
        assert message(dialog) == f"Tidak dapat menulis {workdir / 'laporan.md'}: izin ditolak."
        assert str(dialog.query_one("#format", Select).value) == "github"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert (workdir / "laporan.md").read_text("utf-8").startswith("| SOP ")


@sync
async def test_export_before_a_report_has_run(svc: Soptui) -> None:
    # Hold the report's worker until the key has been pressed: without the
    # gate, a fast machine answers first and the race decides the test.
    gate = threading.Event()
    real_sla = svc.reports.sla

    def gated_sla(*args: Any, **kwargs: Any) -> Any:
        gate.wait(10)
        return real_sla(*args, **kwargs)

    svc.reports.sla = gated_sla  # type: ignore[method-assign]
    app = make_app(svc)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = ReportsScreen()
            await app.push_screen(screen)
            await pilot.press("e")  # the worker has not answered yet
            assert not isinstance(app.screen, ExportDialog)
            assert notices(app)[-1] == "Belum ada laporan untuk diekspor."
            gate.set()
            await settle(pilot)
    finally:
        gate.set()
        svc.reports.sla = real_sla  # type: ignore[method-assign]


# ----- language ----------------------------------------------------------------------------


@sync
async def test_english_strings_and_the_language_switch(svc: Soptui, workdir: Path) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("4")
        await settle(pilot)
        await run_command(pilot, "English")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(app)
        assert "5 Workload" in text and "6 Delays" in text and "▸4 Monitor " in text
        assert "Period" in text and " to " in text and "9 rows" in text
        assert table_headings(screen)[:4] == ["No", "Procedure", "Runs well", "Within"]
        # The report's own words follow the language too (it ran again).
        assert "Keep as is" in text or "Review step" in text
        keys = await footer_keys(pilot)
        assert "e Export" in keys and "p Period" in keys and "⏎ Details" in keys
        await pilot.press("p")
        screen.query_one("#from", Input).value = "31 February 2026"
        await pilot.press("enter")
        assert message(screen).startswith("Unreadable date: 31 February 2026.")
        await pilot.press("escape")
        dialog = await open_export(pilot)
        assert dialog.query_one("#box").border_title == "Export report: Monitor"
        await pilot.press("enter")
        await settle(pilot)
        name = "soptui-monitoring-2026-01-01_2026-06-30.csv"
        assert message(screen) == f"Report written to {workdir / name}"
        header = (workdir / name).read_text("utf-8").splitlines()[0]
        assert header == "No,Procedure,Runs well,Note,Action"


# ----- snapshot ----------------------------------------------------------------------------


def test_snapshot_sla_by_role(snap_compare: Any, svc: Soptui) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_reports(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(make_app(svc), terminal_size=SIZE, run_before=run_before)
