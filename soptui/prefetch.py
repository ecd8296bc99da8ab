"""Parallel start-up of the terminal app.

Importing SQLAlchemy and the services costs about half a second, Textual
about a fifth, and both are CPU-bound, so threads would not overlap them (the
GIL). Instead a forked helper process opens the database, identifies the
clerk and reads the first inbox page while this process imports Textual and
draws the app; the page arrives over a pipe as plain data (the same
dataclasses the services return). The services are then imported in a worker
thread, on first use, while the clerk is already reading the inbox.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from soptui.errors import InputError, SoptuiError

if TYPE_CHECKING:
    from soptui.identity import Actor
    from soptui.service import Soptui
    from soptui.views import CaseRow

FIRST_VIEW = "mine"
STAMP_FORMAT = "%Y-%m-%d %H:%M"


def change_stamp(svc: Soptui) -> tuple[str, str]:
    """(change token, minute): what a screen was loaded with; a new write or a
    new minute (the due texts) means it is due a refresh."""
    return svc.cases.last_change(), svc.clock().strftime(STAMP_FORMAT)


@dataclass(frozen=True)
class FirstPage:
    actor: Actor
    stamp: tuple[str, str]
    rows: list[CaseRow]
    counts: dict[str, int]


def read_first_page(svc: Soptui, requested: str | None, limit: int) -> FirstPage:
    actor = svc.identify(requested)
    stamp = change_stamp(svc)
    rows = svc.cases.list_cases(actor, view=FIRST_VIEW, limit=limit)
    return FirstPage(actor, stamp, rows, svc.cases.counts(actor))


class Prefetch:
    """Run `work` in a forked child; `result()` returns what it returned, or
    raises the SoptuiError it raised (anything else becomes one)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do the work, send it, leave at once
            os.close(read_end)
            try:
                payload: tuple[str, Any] = ("ok", work())
            except SoptuiError as exc:
                payload = ("error", exc)
            except Exception as exc:
                payload = ("error", InputError("err.db_connect", reason=" ".join(str(exc).split())))
            with os.fdopen(write_end, "wb") as out:
                try:
                    pickle.dump(payload, out)
                except Exception as exc:
                    pickle.dump(("error", InputError("err.db_connect", reason=str(exc))), out)
            os._exit(0)  # no atexit handlers or buffers of the parent's
        os.close(write_end)
        self._pid = pid
        self._read_end = read_end

    def result(self) -> Any:
        with os.fdopen(self._read_end, "rb") as incoming:
            data = incoming.read()
        os.waitpid(self._pid, 0)
        if not data:
            raise InputError("err.db_connect", reason="start-up helper ended without an answer")
        status, value = pickle.loads(data)
        if status == "error":
            raise value
        return value


class LazyServices:
    """Stands in for `Soptui` until first used, then builds it (importing the
    data layer) - from the worker thread that first needs it."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._svc: Soptui | None = None
        self._lock = threading.Lock()

    def _get(self) -> Soptui:
        if self._svc is None:
            with self._lock:
                if self._svc is None:
                    from soptui.service import Soptui

                    self._svc = Soptui(self._url)
        return self._svc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)
