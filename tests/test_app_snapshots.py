"""Snapshot tests of the terminal app at 80x24: the inbox, a case timeline, a
dialog and the help screen. Frozen clock, fixed data, no cursor blink and no
animations, so the pictures only change when the screens do.

Update after a deliberate change: pytest tests/test_app_snapshots.py --snapshot-update
(then look at the new SVGs under tests/__snapshots__/)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app_support import build_office, copy_office, make_app, settle
from textual.pilot import Pilot

from soptui.i18n import set_language
from soptui.service import Soptui

SIZE = (80, 24)


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("office") / "office.sqlite"
    build_office(path)
    return path


@pytest.fixture
def svc(office_template: Path, tmp_path: Path) -> Iterator[Soptui]:
    set_language("id")
    service, _clock = copy_office(office_template, tmp_path / "office.sqlite")
    yield service
    service.close()


def steps(*keys: str, case: int | None = None) -> Callable[[Pilot[None]], Any]:
    """Wait for the data, optionally open a case, press keys, wait again."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if case is not None:
            pilot.app.open_case(case)  # type: ignore[attr-defined]
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_inbox(snap_compare: Any, svc: Soptui) -> None:
    assert snap_compare(make_app(svc), terminal_size=SIZE, run_before=steps())


def test_case_timeline(snap_compare: Any, svc: Soptui) -> None:
    assert snap_compare(make_app(svc), terminal_size=SIZE, run_before=steps(case=2))


def test_return_dialog_note_required(snap_compare: Any, svc: Soptui) -> None:
    assert snap_compare(make_app(svc), terminal_size=SIZE, run_before=steps("r", "enter", case=2))


def test_help(snap_compare: Any, svc: Soptui) -> None:
    assert snap_compare(make_app(svc), terminal_size=SIZE, run_before=steps("f1"))
