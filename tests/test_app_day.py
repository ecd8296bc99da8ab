"""Pilot tests of issue 14, "a clerk's day at 80x24 over a slow link": keys
typed in one burst land where the clerk meant, focus after a refusal, the
inbox that tells the story. On the small frozen office of test_app_support."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import announce
from test_app_support import (
    FrozenClock,
    build_office,
    burst,
    copy_office,
    make_app,
    notices,
    screen_text,
    settle,
    sync,
    until,
)
from textual import events
from textual.widgets import Input

from soptui.screens.case import CaseScreen
from soptui.screens.case_table import CaseTable
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


def table_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(k) for k in app.screen.query_one(CaseTable).row_keys]


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


@sync
async def test_escape_and_a_key_in_one_read_are_both_typed(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "/sambas")
        await until(pilot, lambda: app.screen.query_one("#filter", Input).value == "sambas")
        # "\x1b2" in one read reaches Textual as alt+2: escape (clear the filter), then view 2.
        app.post_message(events.Key("alt+2", "2"))
        await until(pilot, lambda: app.screen.view == "all")  # type: ignore[attr-defined]
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == ""
        assert app.screen.view == "all"  # type: ignore[attr-defined]


# ----- 5. a returned case is marked, and says why where the clerk looks first ------


def row_text(app, case_id: int) -> str:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(CaseTable)
    return "".join(cell.plain for cell in table.row_cells(str(case_id)))


@sync
async def test_a_returned_case_is_marked_and_its_reason_shows_on_the_current_step(office) -> None:
    svc, _ = office
    budi = svc.users.actor("budi")
    svc.cases.return_for_revision(budi, 3, note="Lampirkan TOR kegiatan")
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert 3 in table_ids(app)  # back with the TU: in sari's inbox
        assert row_text(app, 3).startswith("3↩ ")
        assert not row_text(app, 2).startswith("2↩")
        app.open_case(3)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        text = screen_text(app)  # the first screenful, 80x24
        assert "↩ dikembalikan 1×" in text
        assert "Dikembalikan oleh Budi Santoso" in text and "Lampirkan TOR kegiatan" in text
    # Sent on and returned again: twice.
    sari = svc.users.actor("sari")
    while svc.cases.detail(3).row.waiting_role != "kepala-biro":
        svc.cases.complete(sari, 3)
    svc.cases.return_for_revision(budi, 3, note="TOR belum ditandatangani")
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_text(app, 3).startswith("3↩2 ")


# ----- 7. one order per view, said in the help ---------------------------------------


@sync
async def test_all_lists_the_running_cases_by_due_then_the_paused_and_help_says_so(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "2")
        await until(pilot, lambda: len(table_ids(app)) == 5)
        await settle(pilot)
        rows = svc.cases.list_cases(svc.users.actor("sari"), view="all")
        # Paused (5, its clock standing at "sisa 5m") after every running case.
        assert table_ids(app)[-1] == 5 and [r.status for r in rows][-1] == "paused"
        running = [r.remaining for r in rows if r.status == "open"]
        assert running == sorted(running)
        assert "Tenggat ▲" in screen_text(app)
        burst(app, "?")
        await until(pilot, lambda: "Urutan" in screen_text(app))
        assert "Urutan Semua: yang berjalan dulu" in screen_text(app)


# ----- 6. what is new: marked until opened; told once as it lands -------------------


@sync
async def test_cases_new_since_my_last_look_are_marked_until_opened(office) -> None:
    svc, clock = office
    sari = svc.users.actor("sari")
    svc.cases.inbox_session(sari)  # sari looked yesterday-ish (her previous session)
    clock.advance(minutes=1)
    new = svc.cases.start(sari, "NARSUM-FASILITASI", title="Narasumber koperasi wanita")
    clock.advance(minutes=1)
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_text(app, new).startswith(f"{new}● ")
        assert not row_text(app, 1).startswith("1●")  # there before she last looked
        assert notices(app) == []  # there when the app started: marked, not announced
        app.open_case(new)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        burst(app, "\x1b")
        await until(pilot, lambda: not isinstance(app.screen, CaseScreen))
        await settle(pilot)
        assert row_text(app, new).startswith(f"{new} ")  # opened: no longer new
    assert svc.cases.unread(sari, clock()) == []


@sync
async def test_a_case_landing_while_the_app_is_open_is_told_once_with_the_bell(office) -> None:
    svc, clock = office
    sari = svc.users.actor("sari")
    app = make_app(svc)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(2)  # reading another case when it lands: told all the same
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        clock.advance(minutes=1)
        landed = svc.cases.start(sari, "NARSUM-FASILITASI", title="Dari terminal lain")
        announce()  # written beside the server: pushed as another server's change
        await until(pilot, lambda: bool(notices(app)))
        await settle(pilot)
        assert notices(app) == [f"Masuk ke kotak Anda (1): #{landed}"]
        assert rings == [1]
        announce()  # nothing new: said once
        clock.advance(seconds=61)
        app._tick()  # a new minute
        await settle(pilot)
        assert len(notices(app)) == 1 and rings == [1]

        # Settings: the bell off (kept for the clerk), the notice still shows.
        app.set_bell(False)
        await settle(pilot)
        assert svc.users.preference(sari, "bell") == "off"
        clock.advance(minutes=1)
        again = svc.cases.start(sari, "NARSUM-FASILITASI", title="Satu lagi")
        announce()
        await until(pilot, lambda: any(f"#{again}" in n for n in notices(app)))
        assert rings == [1]
    later = make_app(svc)
    async with later.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert later.bell_on is False
