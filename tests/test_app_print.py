"""Papers from the terminal app (issue 18): `P` on a case writes its record
with the lembar disposisi as a PDF, the reports screen's export writes the
monitoring form as a PDF; both through the shared file dialog (default name
in the current folder, a typed path, a second enter to overwrite, one line
for a bad path and nothing written), written by the app (the client), read
back with pypdf; in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app_support import build_office, copy_office, make_app, notices, settle, sync
from test_printing import MM, read, text_of
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static
from textual.widgets._footer import FooterKey

from soptui.i18n import set_language
from soptui.screens import export as export_module
from soptui.screens.case import CaseScreen
from soptui.screens.export import SaveDialog
from soptui.screens.help import HelpScreen
from soptui.screens.reports import ExportDialog, ReportsScreen
from soptui.service import Soptui

SIZE = (80, 24)


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("print-office") / "office.sqlite"
    build_office(path)
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
    """The clerk's current folder, where the files go by default."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def message(dialog: Any) -> str:
    widget = dialog.query_one("#message", Static)
    return str(widget.render()) if widget.display else ""


def hints(dialog: Any) -> list[str]:
    return [str(w.render()) for w in dialog.query(".hint").results(Static)]


async def open_case(pilot: Pilot[None], case_id: int) -> CaseScreen:
    await settle(pilot)
    pilot.app.open_case(case_id)  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def press_print(pilot: Pilot[None]) -> SaveDialog:
    await pilot.press("P")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveDialog)
    return dialog


async def enter(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


def page_mm(data: bytes) -> tuple[int, int]:
    box = read(data).pages[0].mediabox
    return round(box.width / MM), round(box.height / MM)


# ----- P on a case ---------------------------------------------------------------------


@sync
async def test_p_on_a_case_writes_its_record_and_asks_before_overwriting(
    svc: Soptui, workdir: Path
) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, 2)
        dialog = await press_print(pilot)
        assert dialog.query_one("#box").border_title == "Cetak catatan kasus #2"
        assert str(dialog.query_one("#only", Static).render()) == (
            "PDF · catatan kasus dan lembar disposisi"
        )
        assert not dialog.query("#format")  # one format: nothing to choose
        assert dialog.query_one("#paper-field").display  # A4 or F4
        name = "soptui-case-2.pdf"
        assert dialog.query_one("#path", Input).value == name
        assert f"Folder kini: {workdir}" in hints(dialog)
        await enter(pilot)
        target = workdir / name
        assert app.screen is screen
        assert notices(app)[-1] == f"Catatan kasus #2 ditulis ke {target}"
        data = target.read_bytes()
        assert page_mm(data) == (210, 297)  # A4 portrait by default
        text = text_of(read(data))
        for expected in (
            "CATATAN KASUS / LEMBAR KENDALI",
            "#2",
            "Narasumber bimtek pemasaran digital",  # perihal
            "Sari Utami",  # who did step 1
            "Berkas diterima lengkap",  # the note
            "Langkah dan Mutu Baku",
            "LEMBAR DISPOSISI",
            "Paraf",
        ):
            assert expected in text, expected

        # Again: the file is there. The first enter only says so; the second overwrites.
        target.write_bytes(b"lama")
        dialog = await press_print(pilot)
        await enter(pilot)
        assert app.screen is dialog
        assert message(dialog).startswith(f"Berkas sudah ada: {target}. Enter sekali lagi")
        assert target.read_bytes() == b"lama"
        await enter(pilot)
        assert app.screen is screen
        assert "Narasumber bimtek pemasaran digital" in text_of(read(target.read_bytes()))

        # F4 (folio) chosen in the dialog, into a folder typed with a trailing slash.
        (workdir / "arsip").mkdir()
        dialog = await press_print(pilot)
        dialog.query_one("#paper", Select).value = "f4"
        dialog.query_one("#path", Input).value = "arsip/"
        await settle(pilot)
        await enter(pilot)
        assert app.screen is screen
        assert page_mm((workdir / "arsip" / name).read_bytes()) == (215, 330)

        # esc writes nothing.
        await press_print(pilot)
        await pilot.press("escape")
        assert app.screen is screen
        assert sorted(p.name for p in workdir.iterdir()) == ["arsip", name]


@sync
async def test_p_refuses_bad_paths_in_one_line_and_writes_nothing(
    svc: Soptui, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, 1)
        dialog = await press_print(pilot)
        path = dialog.query_one("#path", Input)
        path.value = "nowhere/kasus.pdf"
        await enter(pilot)
        assert app.screen is dialog
        assert message(dialog) == f"Folder tidak ada: {workdir / 'nowhere'}"
        # A table's extension on a dialog that writes PDF only.
        path.value = "kasus.csv"
        await enter(pilot)
        assert message(dialog) == ".csv tidak tersedia di sini; pilih: PDF."
        # A file where a folder should be.
        (workdir / "berkas").write_text("x", encoding="utf-8")
        path.value = "berkas/kasus.pdf"
        await enter(pilot)
        assert message(dialog) == f"Folder tidak ada: {workdir / 'berkas'}"

        def denied(*_args: Any, **_kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied")

        with monkeypatch.context() as patched:
            patched.setattr(export_module, "open", denied, raising=False)
            path.value = "kasus.pdf"
            await enter(pilot)
        assert message(dialog) == f"Tidak dapat menulis {workdir / 'kasus.pdf'}: izin ditolak."
        assert "\n" not in message(dialog)  # one line
        assert sorted(p.name for p in workdir.iterdir()) == ["berkas"]
        # Corrected, it writes (the letter's data of case 1 on the paper).
        await enter(pilot)
        assert app.screen is screen
        text = text_of(read((workdir / "kasus.pdf").read_bytes()))
        for expected in ("Dinas Koperasi Kab. Sambas", "005/123/DK", "02-03-2026"):
            assert expected in text, expected


@sync
async def test_p_is_in_the_help_and_the_footer_still_fits(svc: Soptui) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, 2)
        # The footer is full at 80 columns: P is not in it, and all it shows fits.
        await pilot.pause(0.1)
        footer = list(screen.query(FooterKey))
        assert [k.key_display for k in footer][-1] == "f1"
        assert "P" not in [k.key_display for k in footer]
        assert max(k.region.right for k in footer) <= SIZE[0]
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-keys", Static).render())
        assert "Cetak catatan kasus dan lembar disposisi (PDF) ke berkas" in help_text
        line = next(row for row in help_text.splitlines() if "lembar disposisi" in row)
        assert line.split()[0] == "P"


# ----- the monitoring form from the reports screen -------------------------------------------


async def open_export(pilot: Pilot[None], report_key: str) -> ExportDialog:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportsScreen)
    await pilot.press(report_key)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    return dialog


def format_options(dialog: SaveDialog) -> list[str]:
    return [str(value) for _label, value in dialog.query_one("#format", Select)._options]


@sync
async def test_monitoring_exports_its_form_as_pdf(svc: Soptui, workdir: Path) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot, "4")
        screen = app.screen_stack[-2]
        assert format_options(dialog) == ["csv", "json", "github", "pdf"]
        assert "Laporan ini: CSV, JSON, Markdown (tabel), PDF (formulir monitoring)" in hints(
            dialog
        )
        assert not dialog.query_one("#paper-field").display  # csv: no paper
        # Chosen by a typed extension: the format follows, and the paper shows.
        path = dialog.query_one("#path", Input)
        path.value = "monev.pdf"
        await settle(pilot)
        assert str(dialog.query_one("#format", Select).value) == "pdf"
        assert dialog.query_one("#paper-field").display
        await enter(pilot)
        target = workdir / "monev.pdf"
        assert app.screen is screen
        assert message(screen) == f"Laporan ditulis ke {target}"
        data = target.read_bytes()
        assert page_mm(data) == (297, 210)  # the form is landscape
        text = text_of(read(data))
        assert "FORMULIR MONITORING PELAKSANAAN SOP" in text
        assert "Periode: 01-01-2026 - 30-06-2026" in text
        assert "Berjalan dengan" in text and "Paraf penilai" in text
        from soptui.views import semester_range

        report = svc.reports.monitoring(*semester_range("2026-1"))
        for row in report.rows:
            assert str(row["procedure"]) in text, row["procedure"]
        # Chosen in the list: the default name follows (.pdf), on F4, asked before overwriting.
        dialog = await open_export(pilot, "4")
        dialog.query_one("#format", Select).value = "pdf"
        dialog.query_one("#paper", Select).value = "f4"
        await settle(pilot)
        name = "soptui-monitoring-2026-01-01_2026-06-30.pdf"
        assert dialog.query_one("#path", Input).value == name
        (workdir / name).write_bytes(b"lama")
        await enter(pilot)
        assert message(dialog).startswith(f"Berkas sudah ada: {workdir / name}")
        assert (workdir / name).read_bytes() == b"lama"
        await enter(pilot)
        assert app.screen is screen
        assert page_mm((workdir / name).read_bytes()) == (330, 215)


@sync
async def test_other_reports_say_where_the_pdf_is_and_refuse_one(
    svc: Soptui, workdir: Path
) -> None:
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot, "1")
        assert format_options(dialog) == ["csv", "json", "github"]
        assert "Laporan ini: CSV, JSON, Markdown (tabel) · PDF hanya untuk 4 Monev" in hints(dialog)
        path = dialog.query_one("#path", Input)
        path.value = "sla.pdf"
        await settle(pilot)
        assert str(dialog.query_one("#format", Select).value) == "csv"
        await enter(pilot)
        assert app.screen is dialog
        assert message(dialog) == ".pdf tidak tersedia di sini; pilih: CSV, JSON, Markdown (tabel)."
        assert list(workdir.iterdir()) == []
        await pilot.press("escape")


# ----- English -----------------------------------------------------------------------------


@sync
async def test_english_wording_of_both_dialogs(svc: Soptui, workdir: Path) -> None:
    set_language("en")
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, 2)
        dialog = await press_print(pilot)
        assert dialog.query_one("#box").border_title == "Print case record #2"
        assert str(dialog.query_one("#only", Static).render()) == (
            "PDF · case record and disposition sheet"
        )
        assert f"Current folder: {workdir}" in hints(dialog)
        dialog.query_one("#path", Input).value = "nowhere/x.pdf"
        await enter(pilot)
        assert message(dialog) == f"No such folder: {workdir / 'nowhere'}"
        dialog.query_one("#path", Input).value = "x.json"
        await enter(pilot)
        assert message(dialog) == ".json is not offered here; choose: PDF."
        dialog.query_one("#path", Input).value = ""
        await enter(pilot)
        assert app.screen is screen
        target = workdir / "soptui-case-2.pdf"
        assert notices(app)[-1] == f"Case record #2 written to {target}"
        text = text_of(read(target.read_bytes()))
        assert "CASE RECORD / CONTROL SHEET" in text and "DISPOSITION SHEET" in text
        dialog = await press_print(pilot)
        await enter(pilot)
        assert message(dialog).startswith(f"The file exists: {target}. Press enter again")
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)

        dialog = await open_export(pilot, "4")
        offers = "This report: CSV, JSON, Markdown (table), PDF (the monitoring form)"
        assert offers in hints(dialog)
        dialog.query_one("#format", Select).value = "pdf"
        await settle(pilot)
        assert [str(label) for label, _ in dialog.query_one("#paper", Select)._options] == [
            "A4",
            "F4 (folio)",
        ]
        await enter(pilot)
        name = "soptui-monitoring-2026-01-01_2026-06-30.pdf"
        assert message(app.screen) == f"Report written to {workdir / name}"
        assert "SOP IMPLEMENTATION MONITORING FORM" in text_of(read((workdir / name).read_bytes()))
        await pilot.press("escape")
        await settle(pilot)
        dialog = await open_export(pilot, "2")
        assert "This report: CSV, JSON, Markdown (table) · PDF for 4 Monitor only" in hints(dialog)
