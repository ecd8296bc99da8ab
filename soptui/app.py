"""The clerk's terminal app: the Textual `App` that ties the services to the
screens. The only module of the core that imports Textual; screens hold no SQL
and reach the database only through the services, in worker threads."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandInput, CommandPalette, Hit, Hits, Provider
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

import soptui.screens
from soptui.client.startup import FirstPage, stamp_of
from soptui.errors import SoptuiError
from soptui.i18n import LANGUAGES, language, set_language, t
from soptui.identity import Actor
from soptui.lifeline import Lifeline
from soptui.screens.base import (
    LiveScreen,
    in_thread,
    key,
    reword_bindings,
    show_unexpected_on,
)
from soptui.screens.keygate import KeyGate
from soptui.views import VIEWS

if TYPE_CHECKING:
    from soptui.client.remote import Remote

SCREENS_DIR = Path(soptui.screens.__file__).parent
OPEN_WAIT = 0.25  # seconds a case may take to read before its screen opens saying so
POLL_SECONDS = 2.5  # how often the app looks at the clock (a new minute: the due texts)
RECONNECT_SECONDS = 3.0  # the server hung up: try again this often
THEME_ALIASES = {"ansi": "ansi-dark", "dark": "textual-dark", "light": "textual-light"}
FIND_MIN_CHARS = 3  # the palette searches cases from this many characters typed
FIND_LIMIT = 8  # cases the palette offers
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


class CaseNumberCommands(Provider):
    """Palette: find a case as the inbox's / does (its number, perihal,
    pemohon, a letter or agenda number, a narasumber booked for it), any
    status, best matches first, each saying what it was found by."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, SoptuiApp)
        text = query.strip()
        number = text.lstrip("#").strip()
        if number.isdigit():
            title = t("cmd.open_case", id=int(number))
            yield Hit(1.0, title, partial(app.open_case, int(number)), text=title)
        if len(text) < FIND_MIN_CHARS or app.actor is None:
            return
        try:
            # Called here, not in a worker thread: a keystroke's search takes a
            # few milliseconds, and while a provider is still out the palette
            # keeps showing the previous query's hits, which enter would take.
            rows = app.svc.cases.list_cases(
                app.actor, view="all", status="all", search=text, limit=FIND_LIMIT
            )
        except SoptuiError:
            return  # the database is busy: the palette offers the rest
        for rank, row in enumerate(rows):
            if number.isdigit() and row.id == int(number):
                continue  # offered above
            if row.match in (None, "perihal"):
                shown = t("cmd.found_case_title", id=row.id, title=row.title)
            else:
                field = t("search.field." + (row.match or ""))
                shown = t(
                    "cmd.found_case", id=row.id, title=row.title, field=field, value=row.match_text
                )
            yield Hit(0.9 - rank * 0.01, shown, partial(app.open_case, row.id), text=shown)

    async def discover(self) -> Hits:
        return
        yield  # an async generator that finds nothing until something is typed


class QuietPalette(CommandPalette):
    """The command palette, translated and without a blinking cursor (a blink
    repaints twice a second: bytes over a slow link while the clerk reads)."""

    def on_mount(self) -> None:
        self.query_one(CommandInput).cursor_blink = False


class SoptuiApp(App[None]):
    # The inbox's rules load with the app's: it is the first screen, and a pushed
    # screen's CSS_PATH reparses every stylesheet before the first paint.
    CSS_PATH = [SCREENS_DIR / "app.tcss", SCREENS_DIR / "inbox.tcss"]
    TITLE = "soptui"
    COMMANDS = App.COMMANDS | {CaseNumberCommands}
    BINDINGS = [
        # Not a priority binding, so the inbox's copy (shown there) wins the
        # Footer; no widget of this app takes ctrl+q for itself.
        key("ctrl+q", "quit", "app.quit", show=False),
        key("f1", "help", "app.help"),
        key("question_mark", "help", "app.help_q", show=False),
        # Hidden: the case screen's Footer is full at 80 columns. F1 lists it, the
        # palette offers "Laporan".
        key("f4", "reports", "app.reports", show=False),
        # The registry and the quick lookup, from anywhere (the lookup keeps the
        # case being worked on underneath, and books for it at its speaker step).
        key("f2", "registry", "app.registry", show=False),
        key("f3", "lookup", "app.lookup", show=False),
        key("ctrl+p", "command_palette", "app.palette", show=False, priority=True),
        key("ctrl+c", "help_quit", "app.ctrl_c", show=False),
    ]

    def __init__(
        self,
        svc: Remote,
        actor: Actor | None,
        *,
        theme: str | None = None,
        poll_seconds: float = POLL_SECONDS,
        inbox_limit: int = 200,
        first_page: FirstPage | None = None,
    ) -> None:
        super().__init__()
        self.svc = svc
        self.actor: Actor | None = actor
        # The inbox's first rows, read while Textual loaded (soptui.client.startup).
        self.first_page = first_page
        self.startup_error: SoptuiError | None = None
        self.actor = actor
        self.poll_seconds = poll_seconds
        self.inbox_limit = inbox_limit
        # (change token, minute): what the newest poll saw. Screens compare the
        # stamp they loaded with against it. A first page read before the app
        # started counts as seen (the first poll repaints nothing unless changed).
        self.stamp: tuple[str, str] | None = first_page.stamp if first_page else None
        # Scrolling animations cost a frame every few milliseconds over SSH.
        self.animation_level = "none"
        self._requested_theme = theme
        self._poll_broken = False  # the server hung up; said once
        self._reconnect_timer: Timer | None = None
        self._opening: Timer | None = None
        self.lifeline: Lifeline | None = None
        # Keys typed in a burst act in order, each where the one before left off.
        self.keys = KeyGate(self)
        self._open_held = False
        # What is new in the clerk's inbox (soptui.inbox_marks): since when a
        # case counts as new, the unopened ones now, and whether to ring.
        self.inbox_since: datetime | None = None
        self.unread: frozenset[int] | None = None  # None: not read yet
        self.bell_on = True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            for typed in self.keys.expand(event):
                if self.keys.admit(typed):  # else held: it follows in turn
                    before = self.keys.before()
                    await super().on_event(typed)
                    self.keys.delivered(typed, before)
            return
        await super().on_event(event)

    # ----- life cycle ------------------------------------------------------------

    def on_mount(self) -> None:
        reword_bindings(self)
        self._apply_requested_theme()
        if self.lifeline is None:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                # A dropped SSH session sends SIGHUP: leave cleanly, restoring the tty.
                # (Run for a terminal, the lifeline handles it - even when the loop
                # itself is stuck: see soptui.lifeline.)
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        # The server tells of every change; the timer only notices a new
        # minute (the due texts), asking nothing.
        self.set_interval(self.poll_seconds, self._tick)
        self.svc.on_change(self._pushed)
        self.svc.on_gone(self._gone)
        if self.actor is not None:
            self._begin_inbox_session()
        # The case screen loads on first use; once the first rows are drawn,
        # load it while the clerk reads (not when the first case opens).
        self.call_after_refresh(
            lambda: in_thread(self, self._warm_up, lambda _: None, group="warm-up")
        )

    def get_default_screen(self) -> Screen[Any]:
        from soptui.screens.inbox import InboxScreen

        return InboxScreen()

    def _warm_up(self) -> None:
        import soptui.screens.case  # noqa: F401  (with its dialogs)

    # ----- what is new in the clerk's inbox --------------------------------------

    def _begin_inbox_session(self) -> None:
        actor = self.actor
        assert actor is not None

        def begin() -> tuple[datetime, bool]:
            since = self.svc.cases.inbox_session(actor)
            return since, self.svc.users.preference(actor, "bell") == "on"

        def begun(result: tuple[datetime, bool]) -> None:
            self.inbox_since, self.bell_on = result
            self.refresh_unread()

        in_thread(self, begin, begun, group="inbox-session")

    def refresh_unread(self) -> None:
        """Read which cases are new to the clerk; fed by every refresh that saw
        a change (today the poll; a pushed change can call it the same way)."""
        actor, since = self.actor, self.inbox_since
        if actor is None or since is None:
            return
        in_thread(
            self,
            lambda: self.svc.cases.unread(actor, since),
            self._unread_seen,
            group="inbox-unread",
            crashed=lambda _exc: None,  # the poll says so if the database is gone
        )

    def _unread_seen(self, ids: list[int]) -> None:
        """The one place that tells a case landed in the clerk's inbox: once,
        as it lands (not the ones there when the app started, nor a case the
        clerk has open)."""
        unread = frozenset(ids)
        before, self.unread = self.unread, unread
        if unread == before:
            return
        from soptui.screens.inbox import InboxScreen

        for screen in self.screen_stack:
            if isinstance(screen, InboxScreen):
                screen.marks_changed()
        if before is None:
            return
        looking = {getattr(s, "case_id", None) for s in self.screen_stack}
        landed = sorted(unread - before - looking)
        if not landed:
            return
        numbers = ", ".join(f"#{case_id}" for case_id in landed)
        self.notify(t("ui.inbox.landed", n=len(landed), ids=numbers), markup=False)
        if self.bell_on:
            self.bell()

    def case_opened(self, case_id: int) -> None:
        """The clerk has the case on screen: it is no longer new to them."""
        actor = self.actor
        if actor is None or self.inbox_since is None:
            return
        in_thread(
            self,
            lambda: self.svc.cases.mark_read(actor, case_id),
            lambda _none: self.refresh_unread(),
            group=f"case-read-{case_id}",
            crashed=lambda _exc: None,
        )

    def set_bell(self, on: bool) -> None:
        actor = self.actor
        if actor is None:
            return

        def saved(_none: None) -> None:
            self.bell_on = on
            self.notify(t("ui.ok.bell_on" if on else "ui.ok.bell_off"), markup=False)

        in_thread(
            self,
            lambda: self.svc.users.set_preference(actor, "bell", "on" if on else "off"),
            saved,
            group="bell",
        )

    def on_unmount(self) -> None:
        if self.lifeline is None:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def exit(self, result: None = None, return_code: int = 0, message: Any = None) -> None:
        """Any exit (ctrl+q, the palette, a lost terminal) has GRACE seconds to
        finish once asked; then the lifeline ends the process."""
        if self.lifeline is not None:
            self.lifeline.leaving(return_code)
        super().exit(result, return_code, message)

    def _apply_requested_theme(self) -> None:
        wanted = self._requested_theme
        if not wanted:
            return
        name = THEME_ALIASES.get(wanted.lower(), wanted)
        if name in self.available_themes:
            self.theme = name
        else:
            choices = ", ".join(["ansi", *sorted(self.available_themes)])
            self.notify(t("ui.err.theme", name=wanted, choices=choices), severity="warning")

    # ----- live refresh ----------------------------------------------------------

    def read_stamp(self) -> tuple[str, str]:
        """(change token, minute): the token as the server's pushes last said."""
        return stamp_of(self.svc.conn.token, self.svc.clock())

    def data_written(self) -> None:
        """This app just wrote: screens below reload when shown again, without
        waiting for the push."""
        self.stamp = None

    def _pushed(self, _token: str) -> None:
        """A change anywhere (called on the connection's reader thread)."""
        self._from_reader(self._tick)

    def _tick(self) -> None:
        self._stamp_seen(self.read_stamp())

    def _gone(self) -> None:
        """The server hung up (called on the connection's reader thread)."""
        self._from_reader(self._connection_lost)

    def _from_reader(self, callback: Callable[[], Any]) -> None:
        if not self.is_running:
            return  # the app has ended; nothing to tell
        with contextlib.suppress(RuntimeError):  # it ended just now
            self.call_from_thread(callback)

    def _connection_lost(self) -> None:
        if self._poll_broken:
            return
        self._poll_broken = True
        self.notify(t("ui.err.server_gone"), severity="error", markup=False, timeout=8)
        if self.svc.can_reconnect:
            self._reconnect_timer = self.set_interval(RECONNECT_SECONDS, self._try_reconnect)

    def _try_reconnect(self) -> None:
        def reconnected(_: Any) -> None:
            if self._reconnect_timer is not None:
                self._reconnect_timer.stop()
                self._reconnect_timer = None
            self._tick()

        in_thread(self, self.svc.reconnect, reconnected, group="reconnect",
                  failed=lambda _exc: None)

    def _stamp_seen(self, stamp: tuple[str, str]) -> None:
        if self._poll_broken and not self.svc.conn.gone:
            self._poll_broken = False
            self.notify(t("ui.ok.server_back"), markup=False)
        if stamp == self.stamp:
            return  # nothing written, same minute: nothing to do, nothing repaints
        self.stamp = stamp
        screen = self.screen
        if isinstance(screen, LiveScreen):
            screen.data_changed()
        # Screens below the top one catch up when they are shown again; what
        # is new in the inbox is told wherever the clerk is.
        self.refresh_unread()

    # ----- navigation ------------------------------------------------------------

    def open_case(self, case_id: int) -> None:
        """Read the case, then open its screen with it: one compose with the
        right actions. A read slower than OPEN_WAIT opens the screen at once,
        saying it is loading (it then reads for itself)."""
        from soptui.screens.case import CaseScreen, read_case

        opened = False
        if self._opening is not None:
            self._opening.stop()  # a second enter while the first case reads: the second wins
        # Keys typed after the enter are meant for the case: they wait for its screen.
        if not self._open_held:
            self._open_held = True
            self.keys.hold()

        def opened_or_refused() -> None:
            if self._open_held:
                self._open_held = False
                self.keys.release()

        def open_screen(read: Any = None) -> None:
            nonlocal opened
            waiting.stop()
            if not opened:
                opened = True
                self.push_screen(CaseScreen(case_id, read=read))
                opened_or_refused()

        def refused(exc: SoptuiError) -> None:
            nonlocal opened
            waiting.stop()
            if not opened:  # e.g. no such case: say so where the clerk is
                opened = True
                self.notify(exc.message(), severity="error", markup=False)
                opened_or_refused()

        def crashed(exc: Exception) -> None:
            show_unexpected_on(self)(exc)
            opened_or_refused()

        waiting = self._opening = self.set_timer(OPEN_WAIT, open_screen)
        in_thread(
            self,
            lambda: read_case(self, case_id),
            open_screen,
            group="case-open",
            failed=refused,
            crashed=crashed,
        )

    def show_view(self, view: str) -> None:
        from soptui.screens.inbox import InboxScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, InboxScreen):
            self.pop_screen()
        if isinstance(self.screen, InboxScreen):
            self.screen.set_view(view)

    def action_new_case(self) -> None:
        from soptui.screens.dialogs import NewCaseDialog, SopPicker

        def picked(code: str | None) -> None:
            if code:
                self.push_screen(NewCaseDialog(code), opened)

        def opened(case_id: int | None) -> None:
            if case_id is not None:
                self.data_written()
                self.notify(t("ui.ok.case_new", id=case_id), markup=False)
                self.open_case(case_id)

        self.push_screen(SopPicker(), picked)

    def action_reports(self) -> None:
        from soptui.screens.reports import ReportsScreen

        # Not over a dialog or help (esc there would come back to a half-done form).
        if not isinstance(self.screen, ReportsScreen | ModalScreen):
            self.push_screen(ReportsScreen())

    def action_registry(self) -> None:
        from soptui.screens.registry import RegistryScreen

        if isinstance(self.screen, ModalScreen):
            return  # not over a half-done form
        if any(isinstance(s, RegistryScreen) for s in self.screen_stack):
            while not isinstance(self.screen, RegistryScreen):
                self.pop_screen()
        else:
            self.push_screen(RegistryScreen())

    def action_lookup(self) -> None:
        from soptui.screens.narasumber_dialogs import LookupDialog

        if isinstance(self.screen, ModalScreen):
            return
        # A case screen at its speaker step lends its case: the booking serves it.
        context = getattr(self.screen, "lookup_context", lambda: None)()
        topic = context.title if context is not None else ""
        screen = self.screen

        def booked(booking: Any) -> None:
            if booking is None:
                return
            self.data_written()
            self.notify(
                t(
                    "ok.nr.booked",
                    id=booking.id,
                    name=booking.narasumber_name,
                    when=self.svc.narasumber.span(booking.starts_at, booking.ends_at),
                    activity=booking.activity,
                    status=t(f"nr.booking.{booking.status}"),
                ),
                markup=False,
            )
            if isinstance(screen, LiveScreen):
                screen.reload()

        self.push_screen(LookupDialog(context, topic=topic), booked)

    def action_help(self) -> None:
        from soptui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_help_quit(self) -> None:
        self.notify(t("ui.ctrl_c"), markup=False)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(QuietPalette(placeholder=t("ui.palette"), id="--command-palette"))

    # ----- language and theme ----------------------------------------------------

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        reword_bindings(self)
        for screen in self.screen_stack:
            for node in screen.walk_children(with_self=True):
                reword_bindings(node)
            if isinstance(screen, LiveScreen):
                screen.retranslate()
        self.refresh_bindings()
        self.notify(t("ui.ok.language", name=LANGUAGE_NAMES[lang]), markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        def command(title: str, help_key: str, callback: Callable[[], Any]) -> SystemCommand:
            return SystemCommand(title, t(help_key), callback)

        yield command(t("cmd.new_case"), "cmd.new_case.help", self.action_new_case)
        for view in VIEWS:
            yield command(
                t("cmd.view", view=t(f"ui.view.{view}")),
                "cmd.view.help",
                partial(self.show_view, view),
            )
        yield command(t("cmd.registry"), "cmd.registry.help", self.action_registry)
        yield command(t("cmd.lookup"), "cmd.lookup.help", self.action_lookup)
        yield command(t("cmd.reports"), "cmd.reports.help", self.action_reports)
        yield command(t("cmd.help"), "cmd.help.help", self.action_help)
        yield command(
            t("cmd.bell_off" if self.bell_on else "cmd.bell_on"),
            "cmd.bell.help",
            partial(self.set_bell, not self.bell_on),
        )
        for lang in LANGUAGES:
            if lang != language():
                yield command(
                    t("cmd.language", name=LANGUAGE_NAMES[lang]),
                    "cmd.language.help",
                    partial(self.switch_language, lang),
                )
        for name in sorted(self.available_themes):
            if name != self.theme:
                yield command(
                    t("cmd.theme", name=name),
                    "cmd.theme.help",
                    partial(setattr, self, "theme", name),
                )
        yield command(t("cmd.quit"), "cmd.quit.help", self.exit)


def run_app(
    svc: Remote,
    actor: Actor,
    *,
    mouse: bool = True,
    theme: str | None = None,
    first_page: FirstPage | None = None,
    lifeline: Lifeline | None = None,
) -> None:
    """Run the app for a terminal. `lifeline` (started by the caller as early
    as it can, see soptui.lifeline) ends the process if the terminal goes and
    shutdown does not finish."""
    app = SoptuiApp(svc, actor, theme=theme, first_page=first_page)
    app.lifeline = lifeline or Lifeline().start()
    app.lifeline.attach(app.exit)
    try:
        app.run(mouse=mouse)
    finally:
        app.lifeline.stop()


__all__ = ["SoptuiApp", "run_app"]
