"""The terminal app's start: connect (starting the private server when none
runs), set up an empty database, read the first inbox page: in a thread,
while the main thread imports Textual (waiting on the socket releases the
GIL, so the two overlap)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soptui.errors import InputError, SoptuiError
from soptui.identity import Actor
from soptui.views import CaseRow

FIRST_VIEW = "mine"
STAMP_FORMAT = "%Y-%m-%d %H:%M"


def stamp_of(token: str, now: datetime) -> tuple[str, str]:
    """(change token, minute): what a screen was loaded with; a new write or
    a new minute (the due texts) means it is due a refresh."""
    return token, now.strftime(STAMP_FORMAT)


@dataclass(frozen=True)
class FirstPage:
    actor: Actor
    stamp: tuple[str, str]
    rows: list[CaseRow]
    counts: dict[str, int]


def read_first_page(svc: Any, limit: int) -> FirstPage:
    actor = svc.actor
    stamp = stamp_of(svc.conn.token, svc.clock())
    rows = svc.cases.list_cases(actor, view=FIRST_VIEW, limit=limit)
    return FirstPage(actor, stamp, rows, svc.cases.counts(actor))


class Startup:
    def __init__(
        self, url: str, server: str | None, requested: str | None, *, demo: bool, limit: int
    ) -> None:
        self.url = url
        self.server = server
        self.requested = requested
        self.demo = demo
        self.limit = limit
        self._result: tuple[Any, FirstPage] | None = None
        self._error: SoptuiError | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="soptui-start")

    def begin(self) -> None:
        self._thread.start()

    def result(self) -> tuple[Any, FirstPage]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def _run(self) -> None:
        try:
            self._result = self._read()
        except SoptuiError as exc:
            self._error = exc
        except Exception as exc:  # the socket, the spawn: one line, not a traceback
            self._error = InputError("err.db_connect", reason=" ".join(str(exc).split())[:300])

    def _read(self) -> tuple[Any, FirstPage]:
        from soptui.client.connection import Connection
        from soptui.client.remote import Remote
        from soptui.client.spawn import connect

        def reconnect() -> Connection:
            return connect(self.url, self.server, as_user=self.requested, watch=True)

        conn = reconnect()
        remote = Remote(conn, reconnect=reconnect)
        try:
            if conn.welcome is not None and conn.welcome.actor is None and remote.is_empty():
                # A new database: the demo (--demo), else set it up with this
                # clerk as its first admin, as `soptui init` does.
                if self.demo:
                    remote.demo()
                else:
                    remote.init()
                remote.reconnect()  # who is at the keyboard, now that they are registered
            return remote, read_first_page(remote, self.limit)
        except BaseException:
            remote.close()
            raise
