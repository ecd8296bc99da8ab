"""Pilot tests of the flowchart screen: `f` on a case draws the SOP with the
case on it (current step in view, highlighted, marked), `f` on the SOP's
identity draws the bare SOP, and both scroll and close at 80x24."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app_support import build_office, copy_office, make_app, screen_text, settle, sync

from soptui.screens.case import CaseScreen
from soptui.screens.dialogs import SopInfoScreen
from soptui.screens.flowchart import FlowchartScreen
from soptui.service import Soptui

SIZE = (80, 24)


@pytest.fixture(scope="session")
def flow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("flow-office") / "office.sqlite"
    build_office(path)
    return path


@pytest.fixture
def office(flow_template: Path, tmp_path: Path) -> Iterator[Soptui]:
    svc, _clock = copy_office(flow_template, tmp_path / "office.sqlite")
    yield svc
    svc.close()


@sync
async def test_f_on_a_case_draws_its_flowchart_with_the_case_on_it(office, monkeypatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(3)  # Fasilitas Narasumber, at step 4 with the Kepala Biro
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FlowchartScreen)
        shown = screen_text(app)
        # Opened at the current step: its row is on screen, highlighted and marked.
        assert "│ 4 ▶ │" not in shown  # a current box is drawn double
        assert "║ 4 ▶ ║" in shown
        assert "▶ telat" in shown  # the due text beside it
        assert "│ 3 ✓ │" in shown
        lines = shown.splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        # Scrolls to the top: the title, the case and the lane heads.
        await pilot.press("g")
        await pilot.pause()
        top = screen_text(app)
        assert "Fasilitas Penyediaan Narasumber" in top
        assert "#3 Narasumber literasi keuangan" in top
        assert "Pemohon   PIT     KB" in top
        # ...and to the bottom: the steps' Uraian Prosedur in full.
        await pilot.press("G")
        await pilot.pause()
        assert "13. Menerima surat kesediaan narasumber." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_f_on_the_sop_identity_draws_the_bare_sop_in_ascii_on_the_console(
    office, monkeypatch
) -> None:
    monkeypatch.setenv("TERM", "linux")
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(4)  # Permintaan Narasumber
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, SopInfoScreen)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FlowchartScreen)
        shown = screen_text(app)
        assert "Permintaan Narasumber  (NARSUM-PERMINTAAN v1)" in shown
        assert "( 1   )" in shown and "-Tidak-" in shown
        assert "▶" not in shown and "╭" not in shown  # no case on it, no box characters
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, SopInfoScreen)
