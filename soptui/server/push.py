"""What changed, told to the clients instead of their polling.

After every write the server reads the change token (the audit head) once
and pushes it to the watching clients; equal tokens mean nothing new, so a
client repaints only on a real change. On PostgreSQL several servers (several
hosts) share the database: each also NOTIFYs the others, and a listening
connection of its own hears theirs (LISTEN, no polling: an idle office costs
no queries).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from soptui.service import Soptui

log = logging.getLogger("soptui.server")
CHANNEL = "soptui_changed"


class ChangeFeed:
    def __init__(self, svc: Soptui, broadcast: Callable[[str], None]) -> None:
        self.svc = svc
        self.broadcast = broadcast
        self.lock = threading.Lock()
        self.token = svc.token()
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        if not self.svc.db.is_sqlite:
            self._listener = threading.Thread(target=self._listen, daemon=True)
            self._listener.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.join(timeout=2)

    def changed(self) -> None:
        """This server just wrote: tell its clients and the other servers."""
        token = self.svc.token()
        self._publish(token)
        if not self.svc.db.is_sqlite:
            from sqlalchemy import text

            with self.svc.db.engine.begin() as conn:
                conn.execute(text("SELECT pg_notify(:c, :t)"), {"c": CHANNEL, "t": token})

    def _publish(self, token: str) -> None:
        with self.lock:
            if token == self.token:
                return
            self.token = token
        self.broadcast(token)

    def _listen(self) -> None:
        """Hear the other servers' changes (PostgreSQL LISTEN)."""
        while not self._stopping.is_set():
            raw = None
            try:
                raw = self.svc.db.engine.raw_connection()
                conn = raw.driver_connection
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                while not self._stopping.is_set():
                    # A timeout only to see the stop flag: waiting costs no query.
                    for note in conn.notifies(timeout=1.0):
                        self._publish(note.payload)
            except Exception as exc:  # lost connection: listen again shortly
                if not self._stopping.is_set():
                    log.warning("LISTEN failed (%s); again in 2 s", exc)
                    self._stopping.wait(2)
            finally:
                if raw is not None:
                    with contextlib.suppress(Exception):
                        raw.invalidate()
