"""A process that never outlives its terminal (issue 13, part 3).

Textual 8.2.8 writes to the terminal from a writer thread with a bounded
queue. When the terminal goes away the thread can die on a write; shutdown
(or the next frame, on the event loop itself) then waits in ``Queue.put``
forever, and the process stays - with the database open - long after the
clerk's SSH session or tmux is gone. A handler that asks the app to exit is
not enough when the loop that would run it is the one stuck.

The lifeline does not depend on the event loop:
- SIGHUP and SIGTERM get plain Python handlers (they run in the main thread
  even when the loop is blocked) that ask the app to exit and arm a deadline;
- a daemon thread watches the terminal's file descriptors: a hung-up tty or a
  closed pipe (``ssh -T`` killed) shows as POLLHUP/POLLERR, and counts as the
  same request;
- once the app was asked to exit (by anyone: ctrl+q too), the thread ends
  the process with ``os._exit`` if shutdown has not finished within GRACE
  seconds. Every action a clerk was told is saved was committed before the
  confirmation: ending without cleanup loses nothing acknowledged.

This module imports no Textual: the app hands it a callable that asks for
the exit.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

GRACE = 2.0  # seconds shutdown may take once asked (the issue allows 3 s in all)
WATCH_EVERY = 0.2
GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


class Lifeline:
    def __init__(
        self,
        request_exit: Callable[[], None] | None = None,
        *,
        grace: float = GRACE,
        fds: Iterable[int] = (0, 1),
        signals: Iterable[int] = (signal.SIGHUP, signal.SIGTERM),
    ) -> None:
        self.request_exit = request_exit
        self.grace = grace
        self.fds = tuple(fds)
        self.signals = tuple(signals)
        self._deadline: float | None = None
        self._code = 0
        self._asked = False
        self._stopped = threading.Event()
        self._previous: dict[int, Any] = {}
        self._thread = threading.Thread(target=self._watch, name="soptui-lifeline", daemon=True)

    def start(self) -> Lifeline:
        for sig in self.signals:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                self._previous[sig] = signal.signal(sig, self._on_signal)
        self._thread.start()
        return self

    def attach(self, request_exit: Callable[[], None]) -> None:
        """The app now exists: a lost terminal asks it to exit (until now the
        process simply ended: nothing had been shown, nothing acknowledged)."""
        self.request_exit = request_exit

    def leaving(self, code: int = 0) -> None:
        """The app was asked to exit: from now on it has `grace` seconds."""
        if self._deadline is None:
            self._code = code
            self._deadline = time.monotonic() + self.grace

    def stop(self) -> None:
        """The app's run has returned normally: nothing more to watch. After
        a lost terminal the deadline stays (the interpreter's own shutdown
        may still wait on threads)."""
        for sig, handler in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)
        self._previous.clear()
        if not self._asked:
            self._deadline = None
            self._stopped.set()

    # ----- internals ------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._ask(128 + signum)

    def _ask(self, code: int) -> None:
        self.leaving(code)
        if self._asked:
            return
        self._asked = True
        if self.request_exit is None:
            os._exit(code)
        with contextlib.suppress(Exception):
            self.request_exit()

    def terminal_gone(self) -> bool:
        poller = select.poll()
        for fd in self.fds:
            poller.register(fd, 0)  # no events asked: only HUP/ERR/NVAL come back
        try:
            return any(events & GONE for _, events in poller.poll(0))
        except OSError:
            return True

    def _watch(self) -> None:
        while not self._stopped.wait(WATCH_EVERY):
            deadline = self._deadline
            if deadline is not None and time.monotonic() >= deadline:
                os._exit(self._code or 1)
            if not self._asked and self.terminal_gone():
                self._ask(128 + signal.SIGHUP)
