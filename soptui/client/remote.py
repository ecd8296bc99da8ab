"""The services as the screens and the CLI know them (`svc.cases.detail(id)`,
`svc.narasumber.book(actor, ...)`), each call sent to the server.

Where an operation acts as the caller, the Actor the screen passes is not
sent: the placeholder ME goes in its place and the server puts there whom the
kernel says is connected. A few helpers that need no data run here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from soptui.client.connection import Connection
from soptui.identity import Actor
from soptui.protocol import ME, OPS

OFFICE_TZ = "Asia/Jakarta"


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Service:
    def __init__(self, remote: Remote, prefix: str) -> None:
        self._remote = remote
        self._prefix = prefix

    def __getattr__(self, name: str) -> Callable[..., Any]:
        op = f"{self._prefix}.{name}" if self._prefix else name
        if op not in OPS:
            raise AttributeError(name)
        call = self._remote.caller(op)
        setattr(self, name, call)  # looked up once
        return call


class _Cases(_Service):
    @staticmethod
    def may_act(actor: Actor, row: Any) -> bool:
        """Whether the actor holds the role the current step waits on (a hint
        for which keys to show: the server decides when the key is pressed)."""
        from soptui.views import OPEN_STATUSES

        if row.status not in OPEN_STATUSES or row.waiting_role is None:
            return False
        return actor.is_admin or row.waiting_role in actor.roles


class _Narasumber(_Service):
    def span(self, start: datetime, end: datetime) -> str:
        from soptui.narasumber_views import span_text

        tz = ZoneInfo(self._remote.tz)
        return span_text(start, end, tz, self._remote.clock().astimezone(tz).year)


class Remote:
    """The server's services over one connection."""

    def __init__(
        self,
        conn: Connection,
        *,
        clock: Callable[[], datetime] = utcnow,
        reconnect: Callable[[], Connection] | None = None,
    ) -> None:
        self.conn = conn
        self._reconnect = reconnect
        self._change_listeners: list[Callable[[str], None]] = []
        self._gone_listeners: list[Callable[[], None]] = []
        self.clock = clock
        self.tz = OFFICE_TZ
        self.cases = _Cases(self, "cases")
        self.narasumber = _Narasumber(self, "narasumber")
        self.letters = _Service(self, "letters")
        self.reports = _Service(self, "reports")
        self.users = _Service(self, "users")
        self.server = _Service(self, "server")
        self._facade = _Service(self, "")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._facade, name)

    def caller(self, op: str) -> Callable[..., Any]:
        spec = OPS[op]
        if spec.actor is None:

            def call(*args: Any, **kwargs: Any) -> Any:
                return self._live().call(op, list(args), kwargs)

        else:

            def call(*args: Any, **kwargs: Any) -> Any:
                if "actor" in kwargs:
                    given = kwargs.pop("actor")
                elif args:
                    given, args = args[0], args[1:]
                else:
                    given = ME
                me = None if given is None and spec.actor == "optional" else ME
                return self._live().call(op, [me, *args], kwargs)

        call.__name__ = op
        return call

    # ----- a server that went away -------------------------------------------------

    def _live(self) -> Connection:
        """The connection, opened again if the server hung up meanwhile (an
        office server restarted, a private server gone): the call that was
        in flight then failed with err.server_gone, the next ones go through."""
        if self.conn.gone and self._reconnect is not None:
            self.reconnect()
        return self.conn

    def reconnect(self) -> None:
        """Open a new connection (raises why not); listeners move over."""
        assert self._reconnect is not None
        conn = self._reconnect()
        old, self.conn = self.conn, conn
        old.close()
        for listener in self._change_listeners:
            conn.on_change(listener)
        for gone in self._gone_listeners:
            conn.on_gone(gone)

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._change_listeners.append(listener)
        self.conn.on_change(listener)

    def on_gone(self, listener: Callable[[], None]) -> None:
        self._gone_listeners.append(listener)
        self.conn.on_gone(listener)

    @property
    def can_reconnect(self) -> bool:
        return self._reconnect is not None

    @property
    def actor(self) -> Actor:
        return self.conn.actor

    def close(self) -> None:
        self.conn.close()
