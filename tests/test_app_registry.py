"""Pilot tests of the narasumber screens: the registry (search, pane, detail,
week grid), the quick lookup from anywhere, booking for a case at its speaker
step, and the forms - at 80x24 on the small frozen office of test_app_support,
with three narasumber added.

    #1 Dr. Siti Aminah      disetujui  Akuntansi koperasi; Audit koperasi
                            booked Thu 12 Mar 08:00-12:00 (Diklat Koperasi, definitif)
    #2 Budi Hartono         disetujui  Pemasaran digital; Akuntansi UMKM
                            cuti all of Wed 11 Mar
    #3 Rina Wati            diajukan   Akuntansi koperasi (not bookable)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from soptui.app import SoptuiApp
from soptui.i18n import set_language
from soptui.screens.case import CaseScreen
from soptui.screens.dialogs import ActionDialog
from soptui.screens.inbox import InboxScreen
from soptui.screens.narasumber_dialogs import (
    BlockDialog,
    BookingDialog,
    LookupDialog,
    PersonForm,
)
from soptui.screens.registry import AvailabilityScreen, PersonScreen, RegistryScreen
from soptui.screens.week_grid import BLOCKED, DEFINITE, FREE, TENTATIVE
from soptui.service import Soptui

SIZE = (80, 24)
WIB = ZoneInfo("Asia/Jakarta")
PERMINTAAN_AT_KADIS = 4  # the office's case 4: at the Kepala Dinas's approval


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "office.sqlite"
    build_office(path)
    svc = Soptui(f"sqlite:///{path}", clock=FrozenClock("2026-03-09 09:00"))
    try:
        admin = svc.users.actor("admin")
        nr = svc.narasumber
        siti = nr.register(
            admin,
            name="Dr. Siti Aminah, S.E., M.Si.",
            topics=["Akuntansi koperasi", "Audit koperasi"],
            instansi="Universitas Tanjungpura",
            asn_status="pns",
            golongan="IV/a",
        )
        budi = nr.register(
            admin, name="Budi Hartono, S.Kom.", topics=["Pemasaran digital", "Akuntansi UMKM"]
        )
        nr.register(admin, name="Rina Wati, S.E.", topics=["Akuntansi koperasi"])
        for person in (siti, budi):
            nr.set_status(admin, person.id, "disetujui", note="Dari daftar lama.")
        nr.book(
            admin,
            siti.id,
            wib("2026-03-12 08:00"),
            wib("2026-03-12 12:00"),
            activity="Diklat Koperasi",
        )
        nr.block(
            admin, budi.id, wib("2026-03-11 00:00"), wib("2026-03-12 00:00"), note="Cuti tahunan"
        )
    finally:
        svc.close()
    return path


@pytest.fixture
def office(registry_template: Path, tmp_path: Path) -> Iterator[tuple[Soptui, FrozenClock]]:
    svc, clock = copy_office(registry_template, tmp_path / "office.sqlite")
    yield svc, clock
    svc.close()


def listed(app: SoptuiApp) -> list[int]:
    table = app.screen.query_one("#persons", DataTable)
    return [int(str(key.value)) for key in table.rows]


async def open_registry(pilot: Pilot[None]) -> RegistryScreen:
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RegistryScreen)
    return screen


async def fill(pilot: Pilot[None], field_id: str, value: str) -> None:
    field = pilot.app.screen.query_one(f"#{field_id}", Input)
    field.value = value
    field.focus()
    await pilot.pause()


async def search(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await until(pilot, lambda: pilot.app.screen.search == text)
    await pilot.pause(0.3)  # the search waits for a pause in typing
    await settle(pilot)


# ----- the registry --------------------------------------------------------------------


@sync
async def test_f2_opens_the_registry_by_name_with_statuses_and_counts(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        assert listed(app) == [2, 3, 1]  # by name, gelar ignored: Budi, Rina, Siti
        counts = str(screen.query_one("#nr-counts", Static).render())
        assert "✓ disetujui 2" in counts and "○ diajukan 1" in counts
        text = screen_text(app)
        assert "○ diajukan" in text and "Rina Wati" in text
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)
        # From a case screen too, and back to the case.
        app.open_case(1)
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_search_as_you_type_forgives_typos_and_escape_clears(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        await search(pilot, "akuntasi kop")
        assert listed(app)[:1] == [1]  # Siti: "Akuntansi koperasi", despite the typo
        assert 2 not in listed(app)  # Budi's "Akuntansi UMKM" lacks "kop..."
        await search(pilot, "zzqx")
        assert listed(app) == []
        assert "Tidak ada narasumber yang cocok" in screen_text(app)
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        assert listed(app) == [2, 3, 1]
        assert isinstance(app.screen, RegistryScreen) and screen.search == ""


@sync
async def test_keys_typed_right_after_slash_land_in_the_search(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        burst(app, "/siti")
        search = app.screen.query_one("#nr-search", Input)
        await until(pilot, lambda: len(search.value) == 4)
        assert search.value == "siti" and app.focused is search


@sync
async def test_the_pane_shows_the_highlighted_persons_profile_and_next_booking(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        await pilot.press("j", "j")  # Budi, Rina, Siti
        await pilot.pause(0.2)
        await settle(pilot)
        pane = str(screen.query_one("#nr-pane", Static).render())
        assert "Dr. Siti Aminah" in pane and "Universitas Tanjungpura" in pane
        assert "Golongan IV/a" in pane
        assert f"{DEFINITE} 12 Mar 08:00-12:00 Diklat Koperasi (definitif)" in pane


@sync
async def test_person_detail_lists_bookings_and_history_confirm_and_cancel(office) -> None:
    svc, _ = office
    app = make_app(svc)
    admin = svc.users.actor("admin")
    tentative = svc.narasumber.book(
        admin,
        1,
        wib("2026-03-13 13:00"),
        wib("2026-03-13 15:00"),
        activity="Bimtek",
        tentative=True,
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        text = screen_text(app)
        assert "Jadwal mendatang" in text and "Riwayat" in text
        assert "12 Mar 08:00-12:00 Diklat Koperasi" in text
        lines = app.screen.query_one(OptionList)
        index = next(
            i
            for i in range(lines.option_count)
            if lines.get_option_at_index(i).id == f"b:{tentative.id}"
        )
        lines.highlighted = index
        await pilot.press("d")  # tentatif -> definitif
        await settle(pilot)
        assert svc.narasumber.booking(tentative.id).status == "definitif"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        await pilot.press("enter")  # a cancel needs a reason: nothing is sent
        assert svc.narasumber.booking(tentative.id).status == "definitif"
        await pilot.press(*"Acara diundur")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert svc.narasumber.booking(tentative.id).status == "batal"
        assert any("dibatalkan" in n for n in notices(app))


@sync
async def test_book_from_the_registry_and_a_conflict_is_refused_in_the_form(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "b")  # Siti
        await settle(pilot)
        assert isinstance(app.screen, BookingDialog)
        await fill(pilot, "start", "12-03-2026 10.00")
        await fill(pilot, "end", "12-03-2026 11.00")
        await fill(pilot, "activity", "Rapat koordinasi")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDialog)  # stays open, says why
        message = str(app.screen.query_one("#message", Static).render())
        assert "bentrok: Diklat Koperasi, 12 Mar 08:00-12:00" in message
        assert len(svc.narasumber.bookings(narasumber_id=1)) == 1
        await fill(pilot, "start", "12-03-2026 12.00")  # touching is not a conflict
        await fill(pilot, "end", "12-03-2026 13.00")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        booked = svc.narasumber.bookings(narasumber_id=1)
        assert [b.activity for b in booked] == ["Diklat Koperasi", "Rapat koordinasi"]
        assert booked[1].status == "definitif" and booked[1].case_id is None
        # Bad times: one line, nothing written.
        await pilot.press("b")
        await settle(pilot)
        await fill(pilot, "start", "kemarin sore")
        await pilot.press("enter")
        message = str(app.screen.query_one("#message", Static).render())
        assert "kemarin sore" in message
        assert len(svc.narasumber.bookings(narasumber_id=1)) == 2


@sync
async def test_book_is_offered_only_for_approved_persons(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        await pilot.press("j")  # Rina, diajukan
        await pilot.pause()
        assert screen.person is not None and screen.person.id == 3
        await pilot.press("b")  # not booked: said why (issue 14 #14), not in silence
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        assert any("belum bisa dipesan" in n for n in notices(app))


@sync
async def test_block_marks_a_person_unavailable(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "u")
        await settle(pilot)
        assert isinstance(app.screen, BlockDialog)
        await fill(pilot, "start", "16-03-2026")
        await fill(pilot, "end", "17-03-2026")
        await pilot.press("enter")  # no reason yet
        assert isinstance(app.screen, BlockDialog)
        await fill(pilot, "note", "Dinas ke Jakarta")
        await pilot.press("enter")
        await settle(pilot)
        blocks = [b for b in svc.narasumber.bookings(narasumber_id=1) if b.is_block]
        assert [(b.kind, b.activity) for b in blocks] == [("cuti", "Dinas ke Jakarta")]
        assert blocks[0].ends_at - blocks[0].starts_at == wib("2026-03-18") - wib("2026-03-16")


@sync
async def test_register_opens_a_registration_case_and_edit_is_refused_when_stale(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PersonForm)
        await pilot.press("enter")  # no name: refused, nothing written
        assert isinstance(app.screen, PersonForm)
        assert svc.narasumber.counts()["diajukan"] == 1
        await fill(pilot, "name", "Ir. Yohanes Tan, M.T.")
        await fill(pilot, "topics", "Pengemasan produk; Sertifikasi halal")
        await fill(pilot, "nip", "6171015203900001")  # 16 digits: a NIK
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        person = svc.narasumber.search("Yohanes")[0].person
        assert person.status == "diajukan" and person.nik == "6171015203900001"
        assert person.topics == ("Pengemasan produk", "Sertifikasi halal")
        assert svc.cases.detail(person.registration_case_id).sop.code == "NARSUM-PENDAFTARAN"
        assert any(f"kasus pendaftaran #{person.registration_case_id}" in n for n in notices(app))

        # Edit Budi, while someone else edits him meanwhile: refused, kept open.
        app.screen.table.move_cursor(row=0)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PersonForm)
        svc.narasumber.update(svc.users.actor("admin"), 2, phone="0812-0000-1111")
        await fill(pilot, "instansi", "Politeknik Negeri Pontianak")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonForm)
        assert "sudah diubah orang lain" in str(app.screen.query_one("#message", Static).render())
        assert svc.narasumber.get(2).instansi is None


@sync
async def test_week_grid_shows_bookings_and_blocks_and_moves_by_week(office) -> None:
    svc, _ = office
    admin = svc.users.actor("admin")
    svc.narasumber.book(
        admin,
        2,
        wib("2026-03-13 13:00"),
        wib("2026-03-13 16:00"),
        activity="Bimtek",
        tentative=True,
    )
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AvailabilityScreen)
        assert "9 Mar - 15 Mar 2026" in str(screen.query_one("#week-title", Static).render())
        table = screen.query_one("#week", DataTable)

        def days(row: int) -> list[str]:
            return [str(c).strip() for c in table.get_row_at(row)[1:]]

        # Budi: cuti all Wednesday, a tentatif Friday afternoon.
        assert days(0) == [
            FREE * 3,
            FREE * 3,
            BLOCKED * 3,
            FREE * 3,
            FREE + TENTATIVE + FREE,
            FREE * 3,
            FREE * 3,
        ]
        assert days(2)[3] == DEFINITE + FREE + FREE  # Siti: Thursday morning
        await pilot.press("right")
        await settle(pilot)
        assert "16 Mar - 22 Mar 2026" in str(screen.query_one("#week-title", Static).render())
        assert days(2) == [FREE * 3] * 7
        await pilot.press("t")
        await settle(pilot)
        assert days(2)[3] == DEFINITE + FREE + FREE
        await pilot.press("enter")  # Budi's row is highlighted first: his detail
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == 2


# ----- the quick lookup ----------------------------------------------------------------------


async def lookup(pilot: Pilot[None], topic: str, start: str, end: str) -> LookupDialog:
    await pilot.press("f3")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, LookupDialog)
    await fill(pilot, "start", start)
    await fill(pilot, "end", end)
    await fill(pilot, "topic", topic)
    await pilot.press("enter")
    await settle(pilot)
    return dialog


@sync
async def test_lookup_from_the_inbox_names_conflicts_and_books_a_free_person(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await lookup(pilot, "akuntansi", "12-03-2026 09.00", "12-03-2026 11.00")
        names = [o.name for o in dialog.offers]
        assert "Rina Wati, S.E." not in names  # not approved: not offered
        siti = next(o for o in dialog.offers if o.id == 1)
        assert not siti.free
        text = screen_text(app)
        assert "bentrok: Diklat Koperasi, 12 Mar 08:00-12:00" in text
        assert "1 bebas dari 2" in text
        results = dialog.query_one("#offers", OptionList)
        await pilot.press("down")
        assert results.has_focus
        results.highlighted = [o.id for o in dialog.offers].index(1)
        await pilot.press("enter")  # Siti is busy: said, nothing opens
        assert app.screen is dialog
        assert "tidak tersedia" in str(dialog.query_one("#message", Static).render())
        results.highlighted = [o.id for o in dialog.offers].index(2)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingDialog)
        assert app.screen.query_one("#start", Input).value == "12-03-2026 09:00"
        await fill(pilot, "activity", "Pelatihan pembukuan")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        booked = svc.narasumber.bookings(narasumber_id=2)
        assert [(b.activity, b.case_id) for b in booked if not b.is_block] == [
            ("Pelatihan pembukuan", None)
        ]
        assert any("Pemesanan #" in n for n in notices(app))


@sync
async def test_lookup_refuses_unreadable_times_with_one_line(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await lookup(pilot, "akuntansi", "12-03-2026 11.00", "12-03-2026 09.00")
        assert "Akhir harus setelah awal" in str(dialog.query_one("#message", Static).render())
        assert dialog.offers == []


@sync
async def test_case_at_its_speaker_step_books_for_the_case_and_refusal_releases_it(office) -> None:
    svc, _ = office
    app = make_app(svc)  # sari holds pejabat-level-1: the Kepala Dinas's approval
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(PERMINTAAN_AT_KADIS)
        await settle(pilot)
        case_screen = app.screen
        assert isinstance(case_screen, CaseScreen)
        assert "b: cari dan pesan narasumber" in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        assert dialog.context is not None and dialog.context.case_id == PERMINTAAN_AT_KADIS
        assert dialog.query_one("#topic", Input).value == "Permintaan narasumber UMKM"
        await fill(pilot, "start", "13-03-2026 08.00")
        await fill(pilot, "end", "13-03-2026 12.00")
        await fill(pilot, "topic", "akuntansi UMKM")
        await pilot.press("enter")
        await settle(pilot)
        assert "untuk kasus #4" in screen_text(app)
        await pilot.press("down")
        dialog.query_one("#offers", OptionList).highlighted = [o.id for o in dialog.offers].index(2)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BookingDialog)
        assert form.query_one("#activity", Input).value == "Permintaan narasumber UMKM"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is case_screen
        (booking,) = svc.narasumber.case_bookings(PERMINTAAN_AT_KADIS)
        assert (booking.narasumber_id, booking.status) == (2, "tentatif")
        assert f"Narasumber: {TENTATIVE} Budi Hartono, S.Kom., 13 Mar 08:00-12:00 (tentatif)" in (
            screen_text(app)
        )
        # The Kepala Dinas refuses the request: the tentatif booking is released.
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"Tidak ada anggaran")
        await pilot.press("enter")
        await settle(pilot)
        assert svc.narasumber.booking(booking.id).status == "batal"


@sync
async def test_lookup_outside_a_speaker_step_books_without_a_case(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(1)  # a Fasilitasi case at step 1: not its speaker step
        await settle(pilot)
        assert "b: cari dan pesan" not in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, LookupDialog) and app.screen.context is None


@sync
async def test_registry_in_english(office) -> None:
    svc, _ = office
    set_language("en")
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        text = screen_text(app)
        assert "✓ approved 2" in text
        assert "Book" in text and "Register" in text
        await pilot.press("w")
        await settle(pilot)
        assert "Mon  9" in screen_text(app)


@sync
async def test_registry_repaints_nothing_on_a_new_minute_and_shows_others_bookings(office) -> None:
    svc, clock = office
    app = make_app(svc, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        await pilot.press("j", "j")  # Siti
        await pilot.pause(0.2)
        await settle(pilot)
        calls: list[str] = []
        for widget_id in ("#persons", "#nr-pane", "#nr-counts"):
            widget = screen.query_one(widget_id)
            original = widget.refresh

            def counting(*args, _id=widget_id, _original=original, **kwargs):  # type: ignore[no-untyped-def]
                calls.append(_id)
                return _original(*args, **kwargs)

            widget.refresh = counting  # type: ignore[method-assign]
        clock.advance(minutes=1)  # a new minute: the screens reload, nothing differs
        await pilot.pause(0.5)
        await settle(pilot)
        assert calls == []
        # Another clerk books Siti: the pane shows it without a key press.
        svc.narasumber.book(
            svc.users.actor("admin"),
            1,
            wib("2026-03-11 08:00"),
            wib("2026-03-11 10:00"),
            activity="Rapat pimpinan",
        )
        announce()
        await until(pilot, lambda: "Rapat pimpinan" in screen_text(app))
        assert "11 Mar 08:00-10:00 Rapat pimpinan" in screen_text(app)


# ----- issue 14: focus after a refusal, the booking form's order, enter on a select


def form_message(app: SoptuiApp) -> str:
    found = app.screen.query("#message")
    return str(found.first().render()) if found else ""


@sync
async def test_a_refused_nip_puts_the_cursor_at_its_end_and_keeps_the_name(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        # Name, three fields on, then a NIP one digit short, enter: all in one burst.
        burst(app, "nDr. Uji Coba\t\t\t\t19800101200501100\r")
        await until(pilot, lambda: "NIP" in form_message(app))
        await settle(pilot)
        assert isinstance(app.screen, PersonForm)
        nip = app.screen.query_one("#nip", Input)
        assert "NIP" in str(app.screen.query_one("#message", Static).render())
        assert app.focused is nip
        assert nip.cursor_position == len(nip.value) and nip.selection.is_empty
        burst(app, "1\r")  # the missing digit goes where the cursor is: registered
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, RegistryScreen))
        person = svc.narasumber.search("Uji Coba")[0].person
        assert person.name == "Dr. Uji Coba" and person.nip == "19800101 200501 1 001"


@sync
async def test_the_booking_form_starts_on_the_time_and_tabs_down_the_form(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "b")  # Siti
        await settle(pilot)
        assert isinstance(app.screen, BookingDialog)
        assert app.focused is app.screen.query_one("#start", Input)
        order = [w.id for w in app.screen.focus_chain]
        assert order[:5] == ["start", "end", "activity", "location", "status"]
        burst(app, "\t\t\tAula Diskop UKM")  # three tabs: Lokasi
        await until(pilot, lambda: app.screen.query_one("#location", Input).value != "")
        assert app.screen.query_one("#location", Input).value == "Aula Diskop UKM"
        assert "Aula" not in app.screen.query_one("#start", Input).value


@sync
async def test_enter_on_the_status_select_books_instead_of_reopening_it(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "b")  # Siti
        await settle(pilot)
        await fill(pilot, "start", "13-03-2026 08.00")
        await fill(pilot, "end", "13-03-2026 10.00")
        await fill(pilot, "activity", "Rapat koordinasi")
        app.screen.query_one("#status").focus()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)  # booked, the form closed
        assert [b.activity for b in svc.narasumber.bookings(narasumber_id=1)].count(
            "Rapat koordinasi"
        ) == 1


@sync
async def test_a_lookup_with_an_unreadable_time_drops_the_old_results(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await lookup(pilot, "akuntansi", "13-03-2026 09.00", "13-03-2026 11.00")
        assert dialog.offers and dialog.query_one("#offers", OptionList).display
        assert "Dibaca: Jumat 13 Mar 2026 09.00-11.00." in form_message(app)
        # February has no 31st: said so, the old results go (enter cannot book them).
        await fill(pilot, "start", "31-02-2026 09.00")
        await pilot.press("enter")
        await settle(pilot)
        message = form_message(app)
        assert "Februari 2026 tidak punya tanggal 31" in message
        assert dialog.offers == [] and not dialog.query_one("#offers", OptionList).display
        assert app.focused is dialog.query_one("#start", Input)
        # Times edited after a search: its results no longer answer them.
        await fill(pilot, "start", "13-03-2026 09.00")
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.offers
        await fill(pilot, "end", "13-03-2026 12.00")
        await settle(pilot)
        assert dialog.offers == []


@sync
async def test_b_on_a_person_not_approved_says_why_and_the_week_shows_status_and_today(
    office,
) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_registry(pilot)
        rina = listed(app).index(3)
        screen.table.move_cursor(row=rina)
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)  # no form for her
        assert any("belum bisa dipesan: statusnya diajukan" in n for n in notices(app))
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, AvailabilityScreen)
        text = screen_text(app)
        assert "Rina Wati, S.E. (diajukan)" in text
        assert "▸Sel 10" in text  # today, Tuesday 10 March
        await pilot.press("b")  # the cursor stays on Rina: says why here too
        await settle(pilot)
        assert isinstance(app.screen, AvailabilityScreen)
        assert sum("belum bisa dipesan" in n for n in notices(app)) == 2


@sync
async def test_an_unusual_time_is_asked_about_once_saying_how_it_was_read(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "b")  # Siti
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BookingDialog)
        # The default is the next working morning: Wednesday, not a weekend.
        assert form.query_one("#start", Input).value == "11-03-2026 08:00"
        await fill(pilot, "start", "15-03-2026 02.00")  # a Sunday, at night
        await fill(pilot, "end", "15-03-2026 03.00")
        await fill(pilot, "activity", "Rapat malam")
        await pilot.press("enter")
        await settle(pilot)
        message = form_message(app)
        assert "Minggu 15 Mar 2026 02.00-03.00" in message
        assert "bukan hari kerja" in message
        assert len(svc.narasumber.bookings(narasumber_id=1)) == 1  # nothing booked yet
        await pilot.press("enter")  # confirmed: booked
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        assert len(svc.narasumber.bookings(narasumber_id=1)) == 2
        # Yesterday, in working hours: asked too.
        await pilot.press("b")
        await settle(pilot)
        await fill(pilot, "start", "09-03-2026 08.00")
        await fill(pilot, "end", "09-03-2026 09.00")
        await fill(pilot, "activity", "Terlambat dicatat")
        await pilot.press("enter")
        await settle(pilot)
        assert "sudah lewat" in form_message(app)
        # An ordinary working time is booked at once.
        await fill(pilot, "start", "13-03-2026 09.00")
        await fill(pilot, "end", "13-03-2026 10.00")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistryScreen)
        assert len(svc.narasumber.bookings(narasumber_id=1)) == 3


@sync
async def test_a_person_screen_starts_on_the_first_booking_and_j_skips_headings(office) -> None:
    svc, _ = office
    admin = svc.users.actor("admin")
    later = svc.narasumber.book(
        admin, 1, wib("2026-03-16 08:00"), wib("2026-03-16 10:00"), activity="Bimtek"
    )
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "enter")  # Siti: 12 Mar and 16 Mar upcoming
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        first = screen.booking
        assert first is not None and first.activity == "Diklat Koperasi"
        await pilot.press("j")
        assert screen.booking is not None and screen.booking.id == later.id
        await pilot.press("k", "x")  # x at once acts on the booking under the cursor
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)


@sync
async def test_tab_into_a_prefilled_time_and_typing_replaces_it(office) -> None:
    svc, _ = office
    app = make_app(svc)
    async with app.run_test(size=SIZE) as pilot:
        await open_registry(pilot)
        await pilot.press("j", "j", "b")  # Siti
        await settle(pilot)
        burst(app, "\t13-03-2026 10.00")  # the default end, typed over
        await until(pilot, lambda: app.screen.query_one("#end", Input).value.endswith("10.00"))
        assert app.screen.query_one("#end", Input).value == "13-03-2026 10.00"
