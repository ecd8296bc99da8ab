"""Parallel start-up of the terminal app.

Importing SQLAlchemy and the services costs about half a second, Textual
about a fifth, and both are CPU-bound, so threads would not overlap them (the
GIL). Instead a forked helper process opens the database, identifies the
clerk and reads the first inbox page while this process imports Textual and
draws the app; the page arrives over a pipe as plain data (the same
dataclasses the services return). On SQLite the helper usually reads it
without importing SQLAlchemy at all (soptui.fastpath, from statements the
services' own path recorded). The services are then imported in a worker
thread, on first use, while the clerk is already reading the inbox.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from soptui.errors import InputError, SoptuiError

if TYPE_CHECKING:
    from sqlalchemy import Select

    from soptui.identity import Actor
    from soptui.service import Soptui
    from soptui.views import CaseRow

FIRST_VIEW = "mine"
STAMP_FORMAT = "%Y-%m-%d %H:%M"


def stamp_of(token: str, now: datetime) -> tuple[str, str]:
    return token, now.strftime(STAMP_FORMAT)


def change_stamp(svc: Soptui) -> tuple[str, str]:
    """(change token, minute): what a screen was loaded with; a new write or a
    new minute (the due texts) means it is due a refresh."""
    return stamp_of(svc.cases.last_change(), svc.clock())


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


def first_page_statements(
    svc: Soptui, actor: Actor
) -> tuple[Callable[..., Select[Any]], Callable[..., Select[Any]]]:
    """The statements read_first_page's list_cases and counts run for `actor`,
    as functions of their inputs (now, limit, offset): what the fast path
    records and replays."""

    def rows(now: datetime, limit: int, offset: int) -> Select[Any]:
        return svc.cases.list_query(
            actor,
            view=FIRST_VIEW,
            search=None,
            sop_code=None,
            role=None,
            status=None,
            limit=limit,
            offset=offset,
            now=now,
        )

    def counts(now: datetime) -> Select[Any]:
        return svc.cases.counts_query(actor, search=None, now=now)

    return rows, counts


class StartupRead:
    """What the start-up helper does: the fast path when it can; else open the
    services (`open_services` also creates or checks the schema) and read the
    page through them, then - after the app has it - record the fast path's
    file for the next start."""

    def __init__(
        self,
        url: str,
        requested: str | None,
        limit: int,
        open_services: Callable[[], Soptui],
    ) -> None:
        self.url = url
        self.requested = requested
        self.limit = limit
        self.open_services = open_services
        self.svc: Soptui | None = None

    def __call__(self) -> FirstPage:
        from soptui import fastpath

        page = fastpath.first_page(self.url, self.requested, self.limit)
        if page is not None:
            return page
        self.svc = self.open_services()
        return read_first_page(self.svc, self.requested, self.limit)

    def after(self, page: FirstPage) -> None:
        if self.svc is not None:
            from soptui import fastpath

            fastpath.save(self.svc, self.url, page, self.limit)


class Prefetch:
    """Run `work` in a forked child; `result()` returns what it returned, or
    raises the SoptuiError it raised (anything else becomes one). `after`, if
    given, runs in the child with the result once it has been sent (its
    errors are ignored); the child is then reaped in the background."""

    def __init__(self, work: Callable[[], Any], after: Callable[[Any], None] | None = None) -> None:
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
            if after is not None and payload[0] == "ok":
                # Nothing of this may reach the terminal the app now draws on,
                # and a ctrl+c there is for the app.
                with contextlib.suppress(BaseException), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    after(payload[1])
            os._exit(0)  # no atexit handlers or buffers of the parent's
        os.close(write_end)
        self._pid = pid
        self._read_end = read_end

    def result(self) -> Any:
        with os.fdopen(self._read_end, "rb") as incoming:
            data = incoming.read()
        if os.waitpid(self._pid, os.WNOHANG) == (0, 0):
            # Still running `after`: nobody need wait for that.
            threading.Thread(target=os.waitpid, args=(self._pid, 0), daemon=True).start()
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
