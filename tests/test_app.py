"""Pilot tests of the terminal app: every path of the inbox, the case screen,
the dialogs, help, palette and language, at 80x24 on a small frozen office."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from server_support import announce, remote, serving
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
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static
from textual.widgets._footer import FooterKey

from soptui.app import SoptuiApp
from soptui.i18n import set_language
from soptui.screens.case import CaseScreen
from soptui.screens.case_table import CaseTable
from soptui.screens.dialogs import ActionDialog, NewCaseDialog, SopInfoScreen, SopPicker
from soptui.screens.help import HelpScreen
from soptui.screens.inbox import InboxScreen, Shape, layout_columns
from soptui.server.serve import Server
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


def table_ids(app: SoptuiApp) -> list[int]:
    table = app.screen.query_one(CaseTable)
    return [int(key) for key in table.row_keys]


def cursor_id(app: SoptuiApp) -> int:
    row_key = app.screen.query_one(CaseTable).cursor_key
    assert row_key is not None
    return int(row_key)


def count_refreshes(table: CaseTable) -> list[int]:
    """A list that grows by one whenever the table asks to be repainted."""
    calls: list[int] = []
    original = table.refresh

    def counting_refresh(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)

    table.refresh = counting_refresh  # type: ignore[method-assign]
    return calls


async def footer_keys(pilot: Pilot[None]) -> list[str]:
    """The keys the Footer shows, once it has caught up with the screen's live
    bindings (it recomposes a moment after they change)."""
    app = pilot.app

    def shown() -> list[str]:
        return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)]

    def expected() -> set[str]:
        return {
            f"{app.get_key_display(active.binding)} {active.binding.description}"
            for active in app.screen.active_bindings.values()
            if active.binding.show
        }

    for _ in range(250):
        if set(shown()) == expected():
            break
        await pilot.pause(0.02)
    return shown()


async def run_command(pilot: Pilot[None], query: str) -> None:
    """ctrl+p, type the query, take the first hit."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    palette = pilot.app.screen
    palette.query_one(CommandInput).value = query
    hits = palette.query_one(CommandList)
    await until(pilot, lambda: hits.option_count > 0 and hits.highlighted is not None)
    await pilot.press("enter")
    await settle(pilot)


# ----- inbox -------------------------------------------------------------------------


@sync
async def test_inbox_lists_my_cases_most_urgent_first_with_counts(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert table_ids(app) == [1, 2, 4]
        views = str(app.screen.query_one("#views", Static).render())
        for text in ("1 Saya 3", "2 Semua 5", "3 Terlambat 2", "4 Dijeda 1", "5 Selesai/ditolak 1"):
            assert text in views
        text = screen_text(app)
        assert "telat 1 hari" in text  # "terlambat 1 hari 1j", short at 80 columns
        assert "terbuka" not in text  # every row of "Saya" is open: no status column
        assert "segera!" in text  # sangat segera, short at 80 columns
        keys = await footer_keys(pilot)
        assert "⏎ Buka" in keys and "/ Saring" in keys and "n Baru" in keys
        assert sum(len(k) + 2 for k in keys) <= 80


@sync
async def test_big_view_lists_the_first_rows_and_says_so(office) -> None:
    svc, _ = office
    app = make_app(svc, inbox_limit=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_ids(app) == [1, 2]
        assert "2 teratas dari 3 kasus; / menyaring" in screen_text(app)


@sync
async def test_navigation_jkgG_enter_escape(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cursor_id(app) == 1
        await pilot.press("j")
        assert cursor_id(app) == 2
        await pilot.press("G")
        assert cursor_id(app) == 4
        await pilot.press("k")
        assert cursor_id(app) == 2
        await pilot.press("g")
        assert cursor_id(app) == 1
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 2
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert cursor_id(app) == 2  # back where the clerk was


@sync
async def test_page_keys_and_a_click_on_a_row(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("pagedown")  # fewer rows than a screenful: to the last
        assert cursor_id(app) == table_ids(app)[-1]
        await pilot.press("pageup")
        assert cursor_id(app) == table_ids(app)[0]
        second = table_ids(app)[1]
        await pilot.click(CaseTable, offset=(3, 2))  # line 0 holds the headings
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == second


@sync
async def test_a_row_repaints_only_when_it_reads_or_looks_different(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        key = table.row_keys[0]
        calls = count_refreshes(table)
        same = [cell.copy() for cell in table.row_cells(key)]
        table.update_row(key, same)
        assert calls == []
        restyled = [Text(same[0].plain, style="bold"), *same[1:]]
        table.update_row(key, restyled)
        assert calls == [1]
        assert table.row_cells(key)[0].style == "bold"


@sync
async def test_view_switching_with_counts(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert sorted(table_ids(app)) == [1, 2, 3, 4, 5]
        assert "▸2 Semua 5" in str(app.screen.query_one("#views", Static).render())
        await pilot.press("3")
        await settle(pilot)
        assert sorted(table_ids(app)) == [1, 3]
        await pilot.press("4")
        await settle(pilot)
        assert table_ids(app) == [5]
        assert "‖ sisa" in screen_text(app)  # its due time stands still, marked
        await pilot.press("5")
        await settle(pilot)
        assert table_ids(app) == [6]
        assert "✓ selesai" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert table_ids(app) == [1, 2, 4]


@sync
async def test_filter_as_you_type_and_escape_clears(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "slash")
        assert app.focused is app.screen.query_one("#filter", Input)
        await pilot.press(*"pemas")
        await until(pilot, lambda: table_ids(app) == [2])
        await settle(pilot)
        assert table_ids(app) == [2]
        assert "2 Semua 1" in str(app.screen.query_one("#views", Static).render())
        # By number, and by requester.
        filter_input = app.screen.query_one("#filter", Input)
        filter_input.value = "#4"
        await until(pilot, lambda: table_ids(app) == [4])
        assert table_ids(app) == [4]
        filter_input.value = "sambas"
        await until(pilot, lambda: table_ids(app) == [1])
        assert table_ids(app) == [1]
        await pilot.press("escape")
        await until(pilot, lambda: len(table_ids(app)) == 5)
        await settle(pilot)
        assert filter_input.value == ""
        assert sorted(table_ids(app)) == [1, 2, 3, 4, 5]
        assert isinstance(app.focused, CaseTable)


@sync
async def test_keys_typed_right_after_slash_land_in_the_filter(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "2/sambas")
        await until(pilot, lambda: table_ids(app) == [1])
        filter_input = app.screen.query_one("#filter", Input)
        assert filter_input.value == "sambas"
        filter_input.value = ""
        burst(app, "800/")  # a "/" in the filter is text (letter numbers)
        await until(pilot, lambda: len(filter_input.value) == 4)
        assert filter_input.value == "800/" and app.focused is filter_input


@sync
async def test_filter_finds_by_letter_number_and_the_row_shows_it(office) -> None:
    """A letter number half typed, with its slash, finds the case; the row
    leads with the number it matched (the perihal cell, 80 columns)."""
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "2/005/12")
        await until(pilot, lambda: table_ids(app) == [1])
        await settle(pilot)
        assert "005/123/DK" in screen_text(app)
        filter_input = app.screen.query_one("#filter", Input)
        filter_input.value = "pemasran"  # a typo
        await until(pilot, lambda: table_ids(app) == [2])
        assert table_ids(app) == [2]


@sync
async def test_palette_finds_a_case_by_its_text(office) -> None:
    """The palette's open-case search finds any case as the inbox filter
    does (a closed one too) and says what it found it by."""
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        app.screen.query_one(CommandInput).value = "005/123"
        hits = app.screen.query_one(CommandList)

        def offered() -> list[str]:
            return [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]

        await until(pilot, lambda: any("005/123/DK" in o for o in offered()))
        assert any(o.startswith("#1 ") and "no. surat: 005/123/DK" in o for o in offered())
        app.screen.query_one(CommandInput).value = "pemuda"  # case 6 is closed
        await until(pilot, lambda: any(o.startswith("#6 ") for o in offered()))
        index = next(i for i, o in enumerate(offered()) if o.startswith("#6 "))
        hits.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 6


@sync
async def test_filter_with_no_match_says_so(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zz")
        await until(pilot, lambda: table_ids(app) == [])
        await settle(pilot)
        assert table_ids(app) == []
        assert "Tidak ada kasus yang cocok" in screen_text(app)


@sync
async def test_live_refresh_keeps_cursor_on_the_same_case(office) -> None:
    svc, _ = office
    app = make_app(svc, poll_seconds=0.1)
    budi = svc.users.actor("budi")
    sari = svc.users.actor("sari")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        ids = table_ids(app)
        await pilot.press("j", "j")
        on = cursor_id(app)
        # Another clerk acts: case 3 leaves the Kepala Biro, case 1 is recorded.
        svc.cases.complete(budi, 3)
        svc.cases.complete(sari, 1)
        announce()  # written beside the server: as another server's NOTIFY
        for _ in range(30):
            await pilot.pause(0.1)
            if table_ids(app) != ids:
                break
        assert table_ids(app) != ids, "the inbox did not refresh by itself"
        assert cursor_id(app) == on
        row = app.screen.rows[[r.id for r in app.screen.rows].index(3)]
        assert row.step_position == 5


@sync
async def test_nothing_repaints_when_nothing_changed(office) -> None:
    svc, _ = office
    app = make_app(svc, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        calls = count_refreshes(table)
        await pilot.pause(0.5)  # ten polls, nothing written
        assert calls == []


# ----- case screen ---------------------------------------------------------------------


async def open_case(pilot: Pilot[None], app: SoptuiApp, case_id: int) -> CaseScreen:
    app.open_case(case_id)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CaseScreen)
    return screen


@sync
async def test_case_timeline_shows_steps_with_glyphs_words_and_times(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 3)
        header = str(screen.query_one("#case-header", Static).render())
        assert "#3 Fasilitas Penyediaan Narasumber" in header
        assert "Narasumber literasi keuangan" in header
        assert "▶ terbuka · langkah 4/13" in header
        assert "terlambat 25m" in header
        timeline = screen.query_one(OptionList)
        prompts = [
            str(timeline.get_option_at_index(i).prompt) for i in range(timeline.option_count)
        ]
        text = "\n".join(prompts)
        assert "✓ selesai  1. Pemohon" in text
        assert "▶ berjalan  4. Kepala Biro" in text
        assert "· belum  5. Kepala Bagian Terkait" in text
        assert "Sari Utami (atas nama pemohon)" in text  # step 1 recorded for the requester
        assert "berjalan sejak 2026-03-10 09:30 · 30m / 5m ▲ lewat Mutu Baku" in text
        assert "[ ] Surat PD" in text and "[ ] disposisi" in text
        assert "Catatan & disposisi (0)" in text
        # Sari does not hold the Kepala Biro's role: read only, no action keys offered.
        assert "Menunggu Kepala Biro: Anda hanya dapat membaca dan mencatat (c)." in header
        keys = await footer_keys(pilot)
        assert not any(k.startswith(("a ", "r ", "x ", "p ")) for k in keys)
        assert "c Catatan" in keys
        await pilot.press("a")
        assert notices(app)[-1] == "Bukan peran Anda: langkah ini menunggu Kepala Biro."
        await pilot.press("space")
        await settle(pilot)


@sync
async def test_complete_forwards_to_next_role(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 1)
        assert "a Selesai" in await footer_keys(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        explanation = str(dialog.query_one("#explanation", Static).render())
        assert explanation.startswith("Teruskan ke Petugas Informasi/ TU.")
        await pilot.press(*"oke", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert notices(app)[-1] == "Kasus 1: langkah selesai"
        assert screen.detail is not None and screen.detail.row.step_position == 2
        assert screen.detail.notes[-1].note == "oke"
        # The cursor moved to the step now current.
        assert screen.query_one(OptionList).highlighted_option.id == "step:cek-berkas"
        # Back in the inbox the row shows it at once, without waiting for a poll.
        await pilot.press("escape")
        await settle(pilot)
        row = next(r for r in app.screen.rows if r.id == 1)
        assert row.step_position == 2


@sync
async def test_approve_on_a_decision_step(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        assert "a Setujui" in await footer_keys(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        assert "Setujui langkah 2" in app.screen.query_one("#box").border_title
        await pilot.press("enter")  # the note is optional
        await settle(pilot)
        assert screen.detail.row.step_position == 3
        assert notices(app)[-1] == "Kasus 2: disetujui"


@sync
async def test_return_needs_a_note_and_goes_to_the_defined_step(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert str(dialog.query_one("#explanation", Static).render()).startswith(
            "Kembalikan ke langkah 1: Pemohon, untuk diperbaiki."
        )
        await pilot.press("enter")  # no note: refused inline, nothing sent
        await settle(pilot)
        assert app.screen is dialog
        assert "Catatan wajib diisi." in str(dialog.query_one("#message", Static).render())
        assert svc.cases.detail(2).row.step_position == 2
        await pilot.press(*"kurang", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.detail.row.step_position == 1
        steps = {v.step.key: v.status for v in screen.detail.steps}
        assert steps["cek-berkas"] == "returned"


@sync
async def test_escape_cancels_a_dialog_and_sends_nothing(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        version = screen.detail.row.version
        await pilot.press("r", *"lupa", "escape")
        await settle(pilot)
        assert app.screen is screen
        assert svc.cases.detail(2).row.version == version


@sync
async def test_escape_does_not_hide_an_action_being_sent(office) -> None:
    svc, _ = office
    app = make_app(svc)
    release = threading.Event()
    real = svc.cases.return_for_revision

    def slow_return(*args: object, **kwargs: object) -> str:
        release.wait(5)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    svc.cases.return_for_revision = slow_return  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        await pilot.press("r", *"kurang", "enter")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.sending
        assert "Mengirim" in str(dialog.query_one("#message", Static).render())
        await pilot.press("escape")
        assert app.screen is dialog
        release.set()
        await settle(pilot)
        assert app.screen is screen
        assert screen.detail.row.step_position == 1


@sync
async def test_refuse_needs_a_note_and_goes_to_the_notice_step(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 4)
        assert "x Tolak" in await footer_keys(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert "diteruskan ke Eselon/Fungsional Khusus" in str(
            dialog.query_one("#explanation", Static).render()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert "Catatan wajib diisi." in str(dialog.query_one("#message", Static).render())
        await pilot.press(*"tidak", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.detail.refusing
        assert notices(app)[-1] == "Kasus 4: ditolak"


@sync
async def test_refuse_not_offered_where_the_step_cannot_refuse(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, app, 2)
        assert not any(k.startswith("x ") for k in await footer_keys(pilot))
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ActionDialog)
        assert notices(app)[-1] == "Langkah ini tidak dapat menolak permohonan."


@sync
async def test_the_letter_after_a_refusal_completes_where_step_5_would_decide(office) -> None:
    """Pendaftaran step 5 is the Pejabat Level 2's decision; after the Ketua's
    refusal at step 4 it only sends the letter: complete, not approve or refuse."""
    svc, _ = office
    admin = svc.users.actor("admin")
    clerks = {"anggota-tim-kerja": "anggota", "ketua-tim-kerja": "ketua", "pejabat-level-2": "dua"}
    for role, login in clerks.items():
        svc.users.add(admin, login, name=login.title(), roles=[role])
    holder = {role: svc.users.actor(login) for role, login in clerks.items()}
    nr = svc.narasumber
    refused = nr.register(holder["anggota-tim-kerja"], name="Budi Ditolak", topics=["Koperasi"])
    waiting = nr.register(holder["anggota-tim-kerja"], name="Dewi Menunggu", topics=["UMKM"])
    for person in (refused, waiting):
        for _ in range(3 if person is refused else 4):
            row = svc.cases.detail(person.registration_case_id).row
            svc.cases.complete(holder[row.waiting_role or ""], person.registration_case_id)
    svc.cases.refuse(holder["ketua-tim-kerja"], refused.registration_case_id, note="Belum sesuai.")
    app = make_app(svc, "dua")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, app, waiting.registration_case_id)
        keys = await footer_keys(pilot)
        assert "a Setujui" in keys and "x Tolak" in keys
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_case(pilot, app, refused.registration_case_id)
        keys = await footer_keys(pilot)
        assert "a Selesai" in keys and not any(k.startswith("x ") for k in keys)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ActionDialog)
        assert "sudah ditolak" in notices(app)[-1]
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert "Selesaikan langkah 5" in dialog.query_one("#box").border_title
        assert "Pemberitahuan penolakan selesai" in str(
            dialog.query_one("#explanation", Static).render()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.detail.row.status == "refused"
    assert nr.get(refused.id).status == "ditolak"
    assert nr.get(waiting.id).status == "diverifikasi"


@sync
async def test_note_is_added_to_the_thread(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 3)  # not her step: notes are still allowed
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        assert "Catatan wajib diisi." in str(app.screen.query_one("#message", Static).render())
        await pilot.press(*"cepat", "enter")
        await settle(pilot)
        assert app.screen is screen
        timeline = screen.query_one(OptionList)
        text = "\n".join(
            str(timeline.get_option_at_index(i).prompt) for i in range(timeline.option_count)
        )
        assert "Catatan & disposisi (1)" in text
        assert "Sari Utami · catatan" in text and "cepat" in text


@sync
async def test_pause_needs_a_note_then_resume(office) -> None:
    svc, clock = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        assert "p Jeda" in await footer_keys(pilot)
        await pilot.press("p", "enter")
        await settle(pilot)
        assert "Catatan wajib diisi." in str(app.screen.query_one("#message", Static).render())
        await pilot.press(*"tunggu", "enter")
        await settle(pilot)
        assert screen.detail.row.status == "paused"
        assert "‖ dijeda" in str(screen.query_one("#case-header", Static).render())
        keys = await footer_keys(pilot)
        assert "p Lanjutkan" in keys and not any(k.startswith("a ") for k in keys)
        await pilot.press("a")
        assert notices(app)[-1] == "Kasus 2 sedang dijeda; lanjutkan dulu."
        clock.advance(minutes=30)
        await pilot.press("p", "enter")
        await settle(pilot)
        assert screen.detail.row.status == "open"


@sync
async def test_checklist_toggle_with_space(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        timeline = screen.query_one(OptionList)
        # On the step itself the first space ticks its first item (issue 14 #16).
        await pilot.press("space")
        await settle(pilot)
        assert "[x] Surat PD" in str(timeline.get_option("check:0").prompt)
        assert timeline.highlighted_option.id == "check:0"  # the cursor stays
        assert svc.cases.detail(2).steps[1].attempts[-1].checklist == ("Surat PD",)
        await pilot.press("enter")  # enter toggles too
        await settle(pilot)
        assert "[ ] Surat PD" in str(timeline.get_option("check:0").prompt)


@sync
async def test_stale_case_is_refused_and_reloaded(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 4)
        await pilot.press("a")
        await settle(pilot)
        # Meanwhile another Kepala Dinas desk approves the same case.
        svc.cases.complete(svc.users.actor("admin"), 4)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "sudah diubah orang lain" in notices(app)[-1]
        assert screen.detail.row.step_position == 5  # reloaded
        step4 = str(screen.query_one(OptionList).get_option("step:persetujuan-kadis").prompt)
        assert "disetujui · admin (sebagai admin)" in step4


@sync
async def test_sop_identity_one_key_away(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 1)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, SopInfoScreen)
        text = str(app.screen.query_one("#sop-info", Static).render())
        assert "Dasar hukum" in text and "NARSUM-FASILITASI v1" in text
        await pilot.press("escape")
        assert app.screen is screen


@sync
async def test_missing_case_is_a_message_not_a_traceback(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(999)
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert notices(app)[-1] == "Kasus 999 tidak ditemukan."


@sync
async def test_a_case_slow_to_read_opens_saying_it_is_loading(office, monkeypatch) -> None:
    """A read slower than OPEN_WAIT opens the screen at once with "Memuat..."
    (it then reads for itself); a quick one opens with the case drawn."""
    import soptui.app as app_module
    import soptui.screens.case as case_module

    svc, _ = office
    app = make_app(svc)
    release = threading.Event()
    quick = case_module.read_case

    def slow(app_: SoptuiApp, case_id: int):  # type: ignore[no-untyped-def]
        release.wait(5)
        return quick(app_, case_id)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app_module, "OPEN_WAIT", 10.0)  # a busy test machine is no slow read
        app.open_case(1)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert app.screen.detail is not None  # read first, drawn at once
        await pilot.press("escape")
        await settle(pilot)
        monkeypatch.setattr(app_module, "OPEN_WAIT", 0.05)
        monkeypatch.setattr(case_module, "read_case", slow)
        app.open_case(2)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        screen = app.screen
        assert screen.case_id == 2 and screen.detail is None
        assert "Memuat" in str(screen.query_one("#case-header", Static).render())
        release.set()
        await until(pilot, lambda: screen.detail is not None)
        assert len(app.screen_stack) == 2  # the late first read opened nothing more


# ----- new case ------------------------------------------------------------------------


@sync
async def test_new_case_pick_sop_validate_and_open(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SopPicker)
        sops = app.screen.query_one(OptionList)
        assert sops.option_count == 9
        await pilot.press(*"minta")
        assert sops.option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewCaseDialog)
        await pilot.press("enter")  # no perihal
        message = dialog.query_one("#message", Static)
        assert "Perihal wajib diisi." in str(message.render())
        await pilot.press(*"Ekspor", "tab", *"Sanggau", "tab", *"1/A", "tab")
        dialog.query_one("#letter-date", Input).value = "31 Februari 2026"
        await pilot.press("enter")
        assert "Tanggal tidak terbaca" in str(message.render())
        date_input = dialog.query_one("#letter-date", Input)
        date_input.value = "17 Maret 2026"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.case_id == 7
        assert notices(app)[-1] == "Kasus 7 dibuka."
        row = svc.cases.detail(7)
        assert row.row.title == "Ekspor"
        assert row.row.requester == "Sanggau" and row.row.letter_no == "1/A"
        assert str(row.letter_date) == "2026-03-17"


@sync
async def test_new_case_escape_cancels(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


# ----- help, palette, language, theme, resize ------------------------------------------


@sync
async def test_help_lists_the_live_bindings(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys", Static).render())
        assert "Saring" in text and "Baru" in text and "Keluar" in text
        await pilot.press("escape")
        await open_case(pilot, app, 2)
        await pilot.press("f1")
        text = str(app.screen.query_one("#help-keys", Static).render())
        assert "Setujui" in text and "Kembalikan" in text and "Identitas SOP" in text
        assert "Tolak (tidak tersedia; tekan untuk alasannya)" in text
        await pilot.press("f1")
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_palette_opens_a_case_by_number(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press("3")  # typed, as a clerk would
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 3


@sync
async def test_palette_goes_to_a_view(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, app, 2)
        await run_command(pilot, "dijeda")
        assert isinstance(app.screen, InboxScreen)
        assert table_ids(app) == [5]


@sync
async def test_language_switch_from_the_palette(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "English")
        keys = await footer_keys(pilot)
        assert "/ Filter" in keys and "n New" in keys
        views = str(app.screen.query_one("#views", Static).render())
        assert "1 Mine 3" in views
        text = screen_text(app)
        assert "Subject" in text and "Due ▲" in text and "1 day 1h late" in text


@sync
async def test_english_from_the_start(office) -> None:
    set_language("en")
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 2)
        assert "a Approve" in await footer_keys(pilot)
        header = str(screen.query_one("#case-header", Static).render())
        assert "▶ open · step 2/13 · 3m left" in header
        await pilot.press("r")
        await settle(pilot)
        assert "Return to step 1: Pemohon" in str(
            app.screen.query_one("#explanation", Static).render()
        )


@sync
async def test_theme_option_and_palette(office) -> None:
    svc, _ = office
    app = make_app(svc, theme="ansi")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
    app = make_app(svc, theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Tema tidak dikenal" in notices(app)[0]


@sync
async def test_survives_resize_to_20x10_and_back(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(20, 10)
        await settle(pilot)
        await pilot.press("j")
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        text = screen_text(app)
        assert "Pemohon" in text and "No. Surat" in text and "Dinas Koperasi" in text
        await open_case(pilot, app, 1)
        await pilot.resize_terminal(20, 10)
        await settle(pilot)
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert "Narasumber pelatihan" in str(app.screen.query_one("#case-header", Static).render())


@sync
async def test_quit_with_ctrl_q(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


@sync
async def test_closed_case_offers_no_step_action(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 6)
        assert "✓ selesai" in str(screen.query_one("#case-header", Static).render())
        assert [v.status for v in screen.detail.steps] == ["done"] * 5
        keys = await footer_keys(pilot)
        assert not any(k.startswith(("a ", "r ", "x ", "p ")) for k in keys)
        await pilot.press("a")
        assert notices(app)[-1] == "Kasus 6 tidak terbuka (status: selesai)."


@sync
async def test_case_screen_refreshes_live_and_keeps_the_cursor(office) -> None:
    svc, _ = office
    app = make_app(svc, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 3)
        timeline = screen.query_one(OptionList)
        await pilot.press("k")
        on = timeline.highlighted_option.id
        svc.cases.add_note(svc.users.actor("budi"), 3, text="sudah saya baca")
        announce()
        for _ in range(30):
            await pilot.pause(0.1)
            if screen.detail.notes:
                break
        assert screen.detail.notes[-1].note == "sudah saya baca"
        assert timeline.highlighted_option.id == on


@sync
async def test_palette_switches_theme(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "ansi-light")
        assert app.theme == "ansi-light"


@sync
async def test_sighup_exits_cleanly(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loop = asyncio.get_running_loop()
        # Only send the signal when the app's handler is in place (else it
        # would end the test run).
        assert signal.SIGHUP in loop._signal_handlers  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert signal.SIGHUP not in loop._signal_handlers  # type: ignore[attr-defined]


def test_screens_hold_no_sql_and_only_app_imports_textual() -> None:
    """The boundary: screens reach the database only through the services (no
    SQLAlchemy, no sessions); in the core only soptui/app.py imports Textual."""
    root = Path(__file__).resolve().parent.parent

    def imports(path: Path) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        return names

    for path in sorted((root / "screens").glob("*.py")):
        found = imports(path)
        assert not {n for n in found if n.split(".")[0] == "sqlalchemy"}, path
        assert not {n for n in found if n.startswith("soptui.db")}, path
        source = path.read_text(encoding="utf-8")
        assert ".db.read()" not in source and ".db.write()" not in source, path
    for path in sorted((root / "soptui").glob("*.py")):
        if path.name != "app.py":
            assert not {n for n in imports(path) if n.split(".")[0] == "textual"}, path


def test_column_layout_fits_80_and_grows() -> None:
    for width in (80, 100, 120, 160):
        columns = layout_columns(width, 99999)
        assert sum(w + 1 for _, w in columns) + 1 == width, (width, columns)
    narrow = [c.key for c, _ in layout_columns(80, 9)]
    assert narrow == ["id", "sop", "title", "step", "role", "due", "urgency"]
    wide = [c.key for c, _ in layout_columns(160, 9)]
    assert wide[:5] == ["id", "sop", "title", "requester", "letter"]


def test_the_perihal_gets_24_cells_at_80_columns_and_every_extra_one() -> None:
    """Issue 14 #4: 13 cells of perihal read "Pendaft… Pendaftaran…"."""

    def title(width: int, shape: Shape) -> int:
        return dict((c.key, w) for c, w in layout_columns(width, shape))["title"]

    # Five-digit case numbers, each marked "●↩2": still 24 at 80 columns.
    crowded = Shape(view="all", max_id=99999, mark=3, title=60)
    assert title(80, crowded) >= 24
    assert title(120, crowded) == 60  # whole before anything else widens
    usual = Shape(view="all", max_id=999, mark=2, title=60)
    widths = [title(w, usual) for w in range(80, 112)]
    assert widths[0] >= 24
    assert widths == list(range(widths[0], widths[0] + len(widths)))  # one more per column
    # What a view makes redundant is not shown.
    mine_one_role = [c.key for c, _ in layout_columns(80, Shape(view="mine", one_role=True))]
    assert "role" not in mine_one_role and "status" not in mine_one_role
    closed = [c.key for c, _ in layout_columns(80, Shape(view="closed"))]
    assert closed == ["id", "sop", "title", "ended", "status"]


@sync
async def test_the_app_says_when_the_server_left_and_reconnects_by_itself(office) -> None:
    svc, _ = office
    svc.mark_demo()
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(serving(svc, private=True))
        path = first.path
        client = remote(first, "sari", watch=True)
        app = SoptuiApp(client, client.actor, poll_seconds=3600)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            first.stop()  # the office server restarts (an upgrade)
            for _ in range(50):
                await pilot.pause(0.1)
                if any("terputus" in n for n in notices(app)):
                    break
            assert any("terputus" in n for n in notices(app))
            second = Server(svc, path, private=True)
            # The first server's thread has closed the socket and its services:
            # the same services serve again, as after a restart.
            assert second.bind()
            thread = threading.Thread(target=second.serve_forever, daemon=True)
            thread.start()
            try:
                for _ in range(100):
                    await pilot.pause(0.1)
                    if any("Tersambung lagi" in n for n in notices(app)):
                        break
                assert any("Tersambung lagi" in n for n in notices(app))
                rows = client.cases.list_cases(client.actor, view="all", limit=10)
                assert rows  # calls go through the new connection
            finally:
                second.stop()
                thread.join(timeout=10)


@sync
async def test_the_admin_acts_for_anyone_in_the_app_as_in_the_cli(office) -> None:
    """Case 3 waits on the Kepala Biro: the admin may complete it from the
    app, as `soptui case complete` allows (the server's rule, recorded as the
    admin's act)."""
    svc, _ = office
    app = make_app(svc, "admin")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, app, 3)
        position = screen.detail.row.step_position
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog), notices(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.detail.row.step_position == position + 1
    events = svc.cases.detail(3).events
    assert events[-1].actor_login == "admin"
