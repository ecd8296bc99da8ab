"""`soptui serve`: the one process that opens the database.

A Unix stream socket; a thread per connected client reads its requests, a
small pool runs them (so one slow report does not hold up the clerk's other
screens), answers go back under the connection's write lock. Who is asking
comes from the kernel (SO_PEERCRED), once per connection.

A private server (the user's own, started on demand by a client) accepts its
own user only and leaves `linger` seconds after its last client, as tmux and
gpg-agent do. The office server (systemd) serves every registered clerk.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pwd
import socket
import struct
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec

from soptui import __version__
from soptui.errors import IdentityError, InputError, SoptuiError
from soptui.protocol import (
    MAX_REQUEST,
    PROTOCOL,
    Call,
    Changed,
    Failure,
    Hello,
    ProtocolError,
    Reply,
    ServerStatus,
    Welcome,
    decode_client_message,
    encode,
    frame,
    read_frame,
)
from soptui.server.dispatch import Caller, Dispatcher, failure_of
from soptui.server.push import ChangeFeed
from soptui.service import Soptui

log = logging.getLogger("soptui.server")
HELLO_TIMEOUT = 10.0  # seconds a new connection has to say Hello
WORKERS = 16
MAX_CLIENTS = 1000  # connections at once; past it a new one is told so and closed
MAX_PER_UID = 100  # one account cannot take them all
_CRED = struct.Struct("3i")


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process on the other end, as the kernel says."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CRED.size)
    _pid, uid, _gid = _CRED.unpack(raw)
    return uid


class Client:
    """One connected client."""

    def __init__(self, server: Server, sock: socket.socket, caller: Caller) -> None:
        self.server = server
        self.sock = sock
        self.caller = caller
        self.watch = False
        self.lock = threading.Lock()
        self.open = True

    def send(self, message: Any) -> None:
        data = frame(message)
        with self.lock:
            if not self.open:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                self.open = False

    def close(self) -> None:
        with self.lock:
            self.open = False
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Server:
    def __init__(
        self,
        svc: Soptui,
        path: Path,
        *,
        private: bool = False,
        linger: float | None = None,
        group: str | None = None,
    ) -> None:
        self.svc = svc
        self.path = Path(path)
        self.private = private
        self.linger = linger
        self.group = group
        self.uid = os.geteuid()
        self.dispatcher = Dispatcher(svc)
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="soptui-op")
        self.clients: set[Client] = set()
        self.clients_lock = threading.Lock()
        self.stopping = threading.Event()
        self.idle_since: float | None = time.monotonic()
        self.started = time.monotonic()
        self.before_close: list[Callable[[], None]] = []
        self.listener: socket.socket | None = None
        self._lock_file: Any = None
        self.feed = ChangeFeed(svc, self._broadcast)

    # ----- life cycle ------------------------------------------------------------------

    def bind(self) -> bool:
        """Take the socket path. False when another server already holds it
        (the caller should then just use that one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_file = open(lock_path, "a+")  # noqa: SIM115  (held for the server's life)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a socket left by a server that died: we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177 if self.private else 0o117)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        if self.group:
            import grp

            os.chown(self.path, -1, grp.getgrnam(self.group).gr_gid)
        os.chmod(self.path, 0o600 if self.private else 0o660)
        listener.listen(128)
        self.listener = listener
        return True

    def serve_forever(self) -> None:
        assert self.listener is not None, "bind() first"
        self.feed.start()
        watchdog = None
        if self.linger is not None:
            watchdog = threading.Thread(target=self._linger_watch, daemon=True)
            watchdog.start()
        listener = self.listener
        listener.settimeout(0.5)
        try:
            while not self.stopping.is_set():
                try:
                    sock, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    if self.stopping.is_set():
                        break
                    raise
                sock.settimeout(None)
                threading.Thread(target=self._serve_client, args=(sock,), daemon=True).start()
        finally:
            self._close()

    def stop(self) -> None:
        self.stopping.set()

    def _close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if self.listener is not None:
            self.listener.close()
        with self.clients_lock:
            clients = list(self.clients)
        for client in clients:
            client.close()
        self.feed.stop()
        self.pool.shutdown(wait=True, cancel_futures=True)
        for last_word in self.before_close:  # e.g. the head log's line at shutdown
            try:
                last_word()
            except Exception:
                log.exception("at shutdown")
        self.svc.close()
        if self._lock_file is not None:
            self._lock_file.close()

    def _linger_watch(self) -> None:
        assert self.linger is not None
        while not self.stopping.wait(min(1.0, self.linger / 4 or 0.05)):
            with self.clients_lock:
                idle = self.idle_since
            if idle is not None and time.monotonic() - idle >= self.linger:
                log.info("no client for %.0f s: leaving", self.linger)
                self.stop()

    # ----- one connection --------------------------------------------------------------

    def _serve_client(self, sock: socket.socket) -> None:
        client = None
        try:
            client = self._welcome(sock)
            if client is None:
                return
            while not self.stopping.is_set():
                body = read_frame(sock, MAX_REQUEST)
                if body is None:
                    return
                message = decode_client_message(body)
                if not isinstance(message, Call):
                    raise ProtocolError("a second Hello")
                try:
                    self.pool.submit(self._answer, client, message)
                except RuntimeError:  # the server is stopping
                    return
        except ProtocolError as exc:
            log.info("client dropped: %s", exc)
            if client is not None:
                client.send(_refusal("err.server_protocol", detail=str(exc)[:200]))
        except OSError:
            pass  # gone mid-message
        finally:
            if client is not None:
                self._forget(client)
                client.close()
            else:
                with contextlib.suppress(OSError):
                    sock.close()

    def _welcome(self, sock: socket.socket) -> Client | None:
        uid = peer_uid(sock)
        sock.settimeout(HELLO_TIMEOUT)
        body = read_frame(sock, MAX_REQUEST)
        sock.settimeout(None)
        if body is None:
            sock.close()
            return None
        hello = decode_client_message(body)
        if not isinstance(hello, Hello):
            raise ProtocolError("Hello expected first")
        refusal = None
        if hello.protocol != PROTOCOL:
            refusal = _refusal(
                "err.server_version", client=hello.version, server=__version__, protocol=PROTOCOL
            )
        elif self.private and uid != self.uid:
            refusal = _refusal("err.server_not_yours")
        else:
            with self.clients_lock:
                total = len(self.clients)
                mine = sum(1 for c in self.clients if c.caller.uid == uid)
            if total >= MAX_CLIENTS or mine >= MAX_PER_UID:
                refusal = _refusal("err.server_full")
        try:
            login = pwd.getpwuid(uid).pw_name
        except KeyError:
            login = ""
            refusal = refusal or _refusal("err.server_no_login", uid=uid)
        if refusal is not None:
            sock.sendall(frame(refusal))
            sock.close()
            return None
        caller = Caller(uid, login, hello.as_user or None, self.uid, self.private)
        welcome = Welcome(PROTOCOL, __version__, token=self.feed.token)
        try:
            welcome.actor = self.dispatcher.identify(caller)
        except (IdentityError, SoptuiError) as exc:
            # Not (yet) a registered clerk: the connection may still init an
            # empty database; every action will say why it is refused.
            welcome.failure = failure_of(exc)
        client = Client(self, sock, caller)
        client.watch = hello.watch
        with self.clients_lock:
            self.clients.add(client)
            self.idle_since = None
        client.send(welcome)
        return client

    def _forget(self, client: Client) -> None:
        with self.clients_lock:
            self.clients.discard(client)
            if not self.clients:
                self.idle_since = time.monotonic()

    def _answer(self, client: Client, call: Call) -> None:
        if call.op.startswith("server."):
            client.send(self._server_op(client, call))
            return
        reply, wrote = self.dispatcher.handle(call, client.caller)
        client.send(reply)
        if wrote:
            self.feed.changed()

    def _server_op(self, client: Client, call: Call) -> Reply:
        if call.op == "server.status":
            caller = client.caller
            if not (caller.private or caller.is_operator):
                try:
                    self.dispatcher.identify(caller)  # a registered clerk may look
                except SoptuiError as exc:
                    return Reply(call.id, failure=failure_of(exc))
            with self.clients_lock:
                count = len(self.clients)
            status = ServerStatus(
                __version__,
                os.getpid(),
                self.private,
                self.svc.db.engine.url.render_as_string(hide_password=True),
                count,
                round(time.monotonic() - self.started, 1),
                self.linger,
            )
            return Reply(call.id, result=msgspec.Raw(encode(status)))
        if call.op == "server.stop":
            if not (client.caller.is_operator):
                return Reply(call.id, failure=Failure("PermissionDenied", "err.server_stop"))
            log.info("asked to stop by %s", client.caller.login)
            self.stop()
            return Reply(call.id, result=msgspec.Raw(encode(None)))
        return Reply(call.id, failure=Failure("InputError", "err.server_op", {"op": call.op}))

    def _broadcast(self, token: str) -> None:
        message = Changed(token)
        with self.clients_lock:
            watching = [c for c in self.clients if c.watch]
        for client in watching:
            client.send(message)


def _missing_sqlite_file(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    from soptui.db.engine import normalise_url

    parsed = make_url(normalise_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if Path(database).exists() else database


def _refusal(key: str, **params: Any) -> Welcome:
    return Welcome(PROTOCOL, __version__, failure=Failure("RuleError", key, params))


def open_office(
    url: str, *, admin: str | None = None, create: bool = True, audit_key: Any = None
) -> Soptui:
    """The services on `url`, the schema made or upgraded and the bundled
    catalog published (idempotent), so every client finds a ready database.
    Without `create`, a SQLite file that does not exist yet is refused (a
    mistyped --db must not leave a new database behind)."""
    if not create:
        missing = _missing_sqlite_file(url)
        if missing is not None:
            raise InputError("err.db_missing", path=missing)
    svc = Soptui(url, audit_key=audit_key)
    try:
        svc.init(admin_login=admin, create_admin=admin is not None)
        if audit_key is not None:
            svc.seal_trail()  # a trail no real key sealed yet: its baseline now
        problem = svc.trail_problem()
        if problem is not None:
            # The services refuse writes until an admin acts; reads go on.
            log.error("%s", problem)
    except SoptuiError:
        svc.close()
        raise
    except Exception as exc:
        svc.close()
        raise InputError("err.db_connect", reason=" ".join(str(exc).split())[:300]) from exc
    return svc
