"""Fixtures for the terminal app's tests: a small office on SQLite with a frozen
clock, and helpers to let the app's workers finish.

The office (built once per session, copied per test):

    clerk "sari"   petugas-informasi-tu + pejabat-level-1, the clerk at the keyboard
    "budi"         kepala-biro
    "teknis"       petugas-teknis
    "eselon"       eselon-fungsional-khusus
    "admin"        admin

    case 1  Fasilitas Narsum, step 1 (Pemohon, recorded by TU)  sari's, late
    case 2  Fasilitas Narsum, step 2 (cek berkas, a decision)   sari's
    case 3  Fasilitas Narsum, step 4 (Kepala Biro)              budi's
    case 4  Permintaan Narsum, step 4 (Kepala Dinas, may refuse) sari's, sangat segera
    case 5  Fasilitas Narsum, step 3, paused                    sari's
    case 6  Permintaan Narsum, closed
"""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from textual import events
from textual.pilot import Pilot
from textual.worker import WorkerState

from soptui.app import SoptuiApp
from soptui.service import Soptui

WIB = ZoneInfo("Asia/Jakarta")
NOW = "2026-03-10 10:00"  # a Tuesday, a plain working day


class FrozenClock:
    """Stands still unless a test moves it (local WIB in, aware UTC out)."""

    def __init__(self, local: str = NOW) -> None:
        self.at = datetime.fromisoformat(local).replace(tzinfo=WIB).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def set(self, local: str) -> None:
        self.at = datetime.fromisoformat(local).replace(tzinfo=WIB).astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def build_office(path: Path) -> None:
    clock = FrozenClock("2026-03-09 08:00")
    svc = Soptui(f"sqlite:///{path}", clock=clock)
    try:
        svc.init(admin_login="admin")
        admin = svc.users.actor("admin")
        for login, name, roles in (
            ("sari", "Sari Utami", ["petugas-informasi-tu", "pejabat-level-1"]),
            ("budi", "Budi Santoso", ["kepala-biro"]),
            ("teknis", "Rudi Teknis", ["petugas-teknis"]),
            ("eselon", "Eko Eselon", ["eselon-fungsional-khusus"]),
        ):
            svc.users.add(admin, login, name=name, roles=roles)
        sari = svc.users.actor("sari")
        teknis = svc.users.actor("teknis")
        eselon = svc.users.actor("eselon")
        budi = svc.users.actor("budi")
        cases = svc.cases

        # 1: waiting since yesterday on the requester's step (recorded by TU): late.
        cases.start(
            sari,
            "NARSUM-FASILITASI",
            title="Narasumber pelatihan koperasi simpan pinjam",
            requester="Dinas Koperasi Kab. Sambas",
            letter_no="005/123/DK",
            letter_date=date(2026, 3, 2),
        )
        clock.set("2026-03-10 09:58")
        # 2: at the TU's check (a decision that may return to step 1), due soon.
        two = cases.start(sari, "NARSUM-FASILITASI", title="Narasumber bimtek pemasaran digital")
        cases.complete(sari, two, note="Berkas diterima lengkap")
        # 3: with the Kepala Biro, late.
        clock.set("2026-03-10 09:30")
        three = cases.start(sari, "NARSUM-FASILITASI", title="Narasumber literasi keuangan")
        for _ in range(3):
            cases.complete(sari, three)
        # 4: a Permintaan at the Kepala Dinas's approval, which may refuse.
        clock.set("2026-03-10 09:55")
        four = cases.start(
            teknis, "NARSUM-PERMINTAAN", title="Permintaan narasumber UMKM", urgency="sangat segera"
        )
        cases.complete(teknis, four)
        cases.complete(teknis, four)
        cases.complete(eselon, four, note="Telaahan terlampir")
        # 5: paused, waiting on the requester.
        five = cases.start(sari, "NARSUM-FASILITASI", title="Narasumber sertifikasi halal")
        cases.complete(sari, five)
        cases.complete(sari, five)
        cases.pause(sari, five, note="Menunggu surat pengantar")
        # 6: closed.
        six = cases.start(teknis, "NARSUM-PERMINTAAN", title="Narasumber koperasi pemuda")
        cases.complete(teknis, six)
        cases.complete(teknis, six)
        cases.complete(eselon, six)
        cases.complete(sari, six)
        cases.complete(eselon, six)
        assert budi.login == "budi"
    finally:
        svc.close()


def copy_office(template: Path, target: Path) -> tuple[Soptui, FrozenClock]:
    shutil.copyfile(template, target)
    clock = FrozenClock()
    return Soptui(f"sqlite:///{target}", clock=clock), clock


def make_app(svc: Soptui, login: str = "sari", **options: object) -> SoptuiApp:
    """The app as a clerk runs it: a client of a real server (on a socket, in
    a thread of this process, over the test's services and clock) that tells
    it of changes."""
    options.setdefault("poll_seconds", 3600)  # tests drive refreshes themselves
    from server_support import remote, serve_for_test

    svc.mark_demo()  # the server honours as_user on a demo database
    client = remote(serve_for_test(svc), login, watch=True)
    return SoptuiApp(client, client.actor, **options)  # type: ignore[arg-type]


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers finish and their results reach the screen. A worker hands
    its result over (call_from_thread) before it completes; the result may start
    another worker (a reload after an action), hence waiting until none runs.
    Polls states rather than awaiting workers: a cancelled one would raise."""
    app = pilot.app
    await pilot.pause()
    deadline = monotonic() + 10
    while monotonic() < deadline and any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers
    ):
        await pilot.pause(0.01)
    await pilot.pause()


async def until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 5.0) -> None:
    """Pause until `done()` holds (debounced filters, the palette's search)."""
    deadline = monotonic() + timeout
    while not done() and monotonic() < deadline:
        await pilot.pause(0.02)


BURST_KEYS = {
    "/": "slash",
    " ": "space",
    "#": "number_sign",
    "\t": "tab",
    "\r": "enter",
    "\x1b": "escape",
    "-": "minus",
    ".": "full_stop",
    ":": "colon",
    ",": "comma",
    "?": "question_mark",
}


def burst(app: SoptuiApp, text: str) -> None:
    """Keys queued at once, as a fast typist's (or a slow link's) arrive; as on
    the wire, "\t" is tab, "\r" enter and "\x1b" escape."""
    for char in text:
        app.post_message(events.Key(BURST_KEYS.get(char, char), char))


def screen_text(app: SoptuiApp) -> str:
    """Everything the screen shows, as plain text (for wording checks)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def notices(app: SoptuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test without an async pytest plugin (none is a
    dependency); pytest still sees the test's fixtures through functools.wraps."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run
