"""One client's connection to the server: requests by id from any thread,
answers and pushes read by one reader thread."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from soptui import __version__, errors
from soptui.errors import SoptuiError
from soptui.i18n import language
from soptui.identity import Actor
from soptui.protocol import (
    MAX_ANSWER,
    PROTOCOL,
    Call,
    Changed,
    Failure,
    Hello,
    ProtocolError,
    Reply,
    Welcome,
    decode_result,
    decode_server_message,
    frame,
    read_frame,
)

_ERROR_CLASSES: dict[str, type[SoptuiError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, SoptuiError)
}


def raise_failure(failure: Failure) -> SoptuiError:
    """The service's error again, as its own class (exit codes and messages
    as if raised here); an unknown class name reads as a refusal."""
    cls = _ERROR_CLASSES.get(failure.kind, errors.RuleError)
    error = cls.__new__(cls)
    SoptuiError.__init__(error, failure.key, **failure.params)
    return error


class _Pending:
    __slots__ = ("done", "reply")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: Reply | None = None


class Connection:
    def __init__(self, path: str | Path, *, as_user: str | None = None, watch: bool = False):
        self.path = str(path)
        self.as_user = as_user
        self.watch = watch
        self.sock: socket.socket | None = None
        self.welcome: Welcome | None = None
        self.token = ""
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        self._gone_listeners: list[Callable[[], None]] = []
        self._gone: SoptuiError | None = None
        self._reader: threading.Thread | None = None

    # ----- opening -------------------------------------------------------------------

    def open(self, timeout: float = 30.0) -> Welcome:
        """Connect and say Hello. Raises ConnectionError (no server there) or
        the server's refusal (another version, not yours...)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.path)
            sock.settimeout(timeout)
            sock.sendall(frame(Hello(PROTOCOL, __version__, language(), self.as_user, self.watch)))
            body = read_frame(sock, MAX_ANSWER)
            if body is None:
                raise errors.RuleError("err.server_gone")
            welcome = decode_server_message(body)
        except (ProtocolError, TimeoutError) as exc:
            sock.close()
            raise errors.RuleError("err.server_protocol", detail=str(exc)[:200]) from exc
        except BaseException:
            sock.close()
            raise
        if not isinstance(welcome, Welcome):
            sock.close()
            raise errors.RuleError("err.server_protocol", detail="no Welcome")
        # A refusal (another version, not your server...) comes as a Welcome
        # with a failure the server closes after; "not a registered clerk"
        # leaves the connection open (an empty database can still be set up).
        if welcome.failure is not None and welcome.failure.key.startswith("err.server_"):
            sock.close()
            raise raise_failure(welcome.failure)
        sock.settimeout(None)
        self.sock = sock
        self.welcome = welcome
        self.token = welcome.token
        self._reader = threading.Thread(target=self._read, daemon=True, name="soptui-client")
        self._reader.start()
        return welcome

    @property
    def actor(self) -> Actor:
        """Who the server says we are; raises why not (not registered...)."""
        assert self.welcome is not None
        if self.welcome.actor is None:
            assert self.welcome.failure is not None
            raise raise_failure(self.welcome.failure)
        return self.welcome.actor

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=2)

    # ----- calls ---------------------------------------------------------------------

    def call(self, op: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self._gone is not None:
            raise self._gone
        sock = self.sock
        if sock is None:
            raise errors.RuleError("err.server_gone")
        pending = _Pending()
        call_id = next(self._ids)
        with self._lock:
            self._pending[call_id] = pending
        try:
            data = frame(Call(call_id, op, args, kwargs, language()))
        except (OverflowError, TypeError, NotImplementedError) as exc:
            with self._lock:
                self._pending.pop(call_id, None)
            raise errors.InputError("err.server_args", op=op, detail=str(exc)) from exc
        try:
            with self._send_lock:
                sock.sendall(data)
        except OSError as exc:
            with self._lock:
                self._pending.pop(call_id, None)
            raise errors.RuleError("err.server_gone") from exc
        pending.done.wait()
        reply = pending.reply
        if reply is None:
            raise self._gone or errors.RuleError("err.server_gone")
        if reply.failure is not None:
            raise raise_failure(reply.failure)
        return decode_result(op, reply.result)

    def on_change(self, listener: Callable[[str], None]) -> None:
        """listener(token) runs on the reader thread after any write anywhere."""
        self._listeners.append(listener)

    def on_gone(self, listener: Callable[[], None]) -> None:
        """listener() runs on the reader thread when the server hangs up."""
        self._gone_listeners.append(listener)

    @property
    def gone(self) -> bool:
        return self._gone is not None

    def _read(self) -> None:
        sock = self.sock
        assert sock is not None
        try:
            while True:
                body = read_frame(sock, MAX_ANSWER)
                if body is None:
                    break
                message = decode_server_message(body)
                if isinstance(message, Reply):
                    with self._lock:
                        pending = self._pending.pop(message.id, None)
                    if pending is not None:
                        pending.reply = message
                        pending.done.set()
                elif isinstance(message, Changed):
                    self.token = message.token
                    for listener in list(self._listeners):
                        listener(message.token)
                elif isinstance(message, Welcome) and message.failure is not None:
                    self._gone = raise_failure(message.failure)  # the server dropped us
                    break
        except (OSError, ProtocolError):
            pass
        finally:
            self._gone = self._gone or errors.RuleError("err.server_gone")
            with self._lock:
                waiting = list(self._pending.values())
                self._pending.clear()
            for pending in waiting:
                pending.done.set()
            if self.sock is not None:  # not closed by this side
                for listener in list(self._gone_listeners):
                    listener()
