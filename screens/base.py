"""What every soptui screen shares: key bindings worded in the current language,
service calls in a worker thread, and the live-refresh contract."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, get_current_worker

from soptui.errors import SoptuiError
from soptui.i18n import t
from soptui.messages import MESSAGES

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from soptui.app import SoptuiApp

log = logging.getLogger("soptui.screens")

T = TypeVar("T")


def key(
    keys: str,
    action: str,
    id: str,
    *,
    show: bool = True,
    key_display: str | None = None,
    priority: bool = False,
) -> Binding:
    """A binding with an id; its description is the message ``key.<id>``."""
    return Binding(
        keys,
        action,
        t(f"key.{id}"),
        show=show,
        key_display=key_display,
        priority=priority,
        id=id,
    )


def reword_bindings(node: DOMNode) -> None:
    """Re-word the node's bindings in the current language. Textual copies class
    BINDINGS into each node when it is created, so a language switch (or a
    language set after import, as in tests) has to re-word the copies."""
    table = node._bindings.key_to_bindings
    for keys, bindings in table.items():
        table[keys] = [
            replace(b, description=t(f"key.{b.id}")) if has_message(f"key.{b.id}") else b
            for b in bindings
        ]


class Reworded:
    """Mixin for widgets and screens with bindings: worded in the language of the
    moment when they mount."""

    def on_mount(self) -> None:
        reword_bindings(cast("DOMNode", self))


def soptui_app(node: DOMNode) -> SoptuiApp:
    return cast("SoptuiApp", node.app)


def in_thread(
    node: DOMNode,
    job: Callable[[], T],
    done: Callable[[T], Any],
    *,
    group: str,
    failed: Callable[[SoptuiError], Any] | None = None,
    crashed: Callable[[Exception], Any] | None = None,
    exclusive: bool = True,
) -> Worker[None]:
    """Run a service call in a worker thread and hand its result to `done` on the
    UI thread. A refused call goes to `failed` (default: a one-line
    notification); anything unexpected (database gone, a bug) becomes a one-line
    notification too (or goes to `crashed`): never a traceback on the clerk's screen. A result that
    arrives after a newer call in the same group was started is dropped."""
    app = node.app

    def deliver(callback: Callable[..., Any], value: Any) -> None:
        if not node.is_attached:
            return
        try:
            callback(value)
        except Exception as exc:
            # A bug in drawing the answer: say so in one line (the worker would
            # swallow it silently, leaving a screen that never updates).
            log.exception("showing a service result failed")
            show_unexpected_on(app)(exc)

    def run() -> None:
        worker = get_current_worker()
        try:
            result = job()
        except SoptuiError as exc:
            if not worker.is_cancelled:
                app.call_from_thread(deliver, failed or show_error_on(app), exc)
            return
        except Exception as exc:
            log.exception("service call failed")
            if not worker.is_cancelled:
                app.call_from_thread(deliver, crashed or show_unexpected_on(app), exc)
            return
        if not worker.is_cancelled:
            app.call_from_thread(deliver, done, result)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


def show_error_on(app: Any) -> Callable[[SoptuiError], None]:
    def show(exc: SoptuiError) -> None:
        app.notify(exc.message(), severity="error", markup=False)

    return show


def show_unexpected_on(app: Any) -> Callable[[Exception], None]:
    def show(exc: Exception) -> None:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        app.notify(t("ui.err.unexpected", detail=detail), severity="error", markup=False)

    return show


def has_message(key: str) -> bool:
    return key in MESSAGES["id"]


class LiveScreen(Reworded, Screen[None]):
    """A screen that shows service data and reloads when someone changes it.

    The app polls a change token; `stamp` is (token, minute). A screen records
    the stamp it loaded with and reloads only when the app has seen a newer one,
    and the reload itself repaints only what differs.
    """

    loaded_stamp: tuple[str, str] | None = None

    def reload(self) -> None:
        raise NotImplementedError

    def data_changed(self) -> None:
        # app.stamp None: this app just wrote something; reload to show it.
        if self.loaded_stamp is not None and self.loaded_stamp != soptui_app(self).stamp:
            self.reload()

    def on_screen_resume(self) -> None:
        self.data_changed()

    def retranslate(self) -> None:
        """Re-word what is on screen after a language switch."""
        self.reload_labels()

    def reload_labels(self) -> None:
        pass


class Dialog(Reworded, ModalScreen[T]):
    """A small modal: escape cancels (dismisses with `cancel_value`)."""

    BINDINGS = [key("escape", "cancel", "dialog.cancel", show=False)]

    cancel_value: Any = None

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_value)
