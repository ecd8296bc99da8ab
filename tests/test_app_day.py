"""Pilot tests of issue 14, "a clerk's day at 80x24 over a slow link": keys
typed in one burst land where the clerk meant, focus after a refusal, the
inbox that tells the story. On the small frozen office of test_app_support."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app_support import (
    FrozenClock,
    build_office,
    burst,
    copy_office,
    make_app,
    settle,
    sync,
    until,
)
from textual.widgets import Input

from soptui.screens.case import CaseScreen
from soptui.screens.dialogs import ActionDialog, NewCaseDialog
from soptui.service import Soptui

SIZE = (80, 24)


@pytest.fixture(scope="session")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("office") / "office.sqlite"
    build_office(path)
    return path


@pytest.fixture
def office(office_template: Path, tmp_path: Path) -> Iterator[tuple[Soptui, FrozenClock]]:
    svc, clock = copy_office(office_template, tmp_path / "office.sqlite")
    yield svc, clock
    svc.close()


def field(app, field_id: str) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#{field_id}", Input).value


def notes(svc: Soptui, case_id: int) -> list[str | None]:
    return [n.note for n in svc.cases.detail(case_id).notes]


# ----- 1. keys typed in one burst ----------------------------------------------------


@sync
async def test_tab_typed_ahead_fills_each_field_of_the_new_case_form(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The whole form in one burst, from the inbox: n, the SOP, enter, four fields.
        burst(app, "npermintaan\rAAA\tBBB\tCCC\tDDD")
        await until(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await settle(pilot)
        await until(pilot, lambda: field(app, "letter-date") == "DDD")
        assert [field(app, f) for f in ("title", "requester", "letter-no", "letter-date")] == [
            "AAA",
            "BBB",
            "CCC",
            "DDD",
        ]
        assert app.focused is app.screen.query_one("#letter-date", Input)


@sync
async def test_a_note_typed_while_its_dialog_opens_is_kept(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(2)
        # c and the note at once, right behind the open: nothing is lost.
        burst(app, "ccatatan cepat\r")
        await until(pilot, lambda: "catatan cepat" in notes(svc, 2))
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert notes(svc, 2).count("catatan cepat") == 1


@sync
async def test_keys_after_enter_on_a_row_go_to_the_case(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Enter opens the case under the cursor; "c" right behind it opens its note.
        burst(app, "\rc")
        await until(pilot, lambda: isinstance(app.screen, ActionDialog))
        assert isinstance(app.screen_stack[-2], CaseScreen)


@sync
async def test_enter_on_sifat_starts_the_case_as_the_hint_says(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "npermintaan\rNarasumber rapat koperasi\t\t\t\t")  # tab on to Sifat
        await until(pilot, lambda: app.focused is not None and app.focused.id == "urgency")
        await settle(pilot)
        burst(app, "\r")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        titles = [r.title for r in svc.cases.list_cases(svc.users.actor("sari"), view="all")]
        assert titles.count("Narasumber rapat koperasi") == 1


@sync
async def test_q_goes_back_from_a_screen_and_leaves_from_the_inbox(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "\r")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        burst(app, "q")
        await until(pilot, lambda: not isinstance(app.screen, CaseScreen))
        assert app.screen.id == "inbox"
        burst(app, "/q")  # in the filter q is a letter
        await until(pilot, lambda: app.screen.query_one("#filter", Input).value == "q")
        assert app.is_running
        burst(app, "\x1bq")
        await until(pilot, lambda: not app.is_running)
        assert not app.is_running
