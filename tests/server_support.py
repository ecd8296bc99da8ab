"""A real soptui server for tests: `serving(svc)` runs the server on a Unix
socket in a thread of the test process, over the test's own services (its
clock too); clients connect to it as the app and the CLI do. Private
servers that clients start on demand land in the test session's own runtime
folder and are all stopped when the session ends (see conftest)."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from soptui.client.connection import Connection
from soptui.client.remote import Remote
from soptui.server.serve import Server
from soptui.service import Soptui


@contextlib.contextmanager
def serving(svc: Soptui, path: Path | None = None, *, private: bool = True) -> Iterator[Server]:
    folder = None
    if path is None:
        folder = tempfile.mkdtemp(prefix="soptui-sock-")
        path = Path(folder) / "s.sock"
    server = Server(svc, path, private=private)
    assert server.bind()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server did not stop"
        if folder is not None:
            with contextlib.suppress(OSError):
                for leftover in Path(folder).iterdir():
                    leftover.unlink()
                os.rmdir(folder)


_STARTED: list[contextlib.ExitStack] = []
_SERVERS: dict[int, list[Server]] = {}


def serve_for_test(svc: Soptui) -> Server:
    """A server on `svc` that lives until the end of the current test
    (conftest's autouse fixture calls stop_test_servers)."""
    stack = contextlib.ExitStack()
    server = stack.enter_context(serving(svc))
    _STARTED.append(stack)
    _SERVERS[id(stack)] = [server]
    return server


def announce() -> None:
    """The test wrote through its own services (as another server of the same
    PostgreSQL would): the test's servers tell their clients, as they do after
    their own writes and on another server's NOTIFY."""
    for stack in _STARTED:
        for server in _SERVERS.get(id(stack), ()):
            server.feed.changed()


def stop_test_servers() -> None:
    while _STARTED:
        stack = _STARTED.pop()
        _SERVERS.pop(id(stack), None)
        stack.close()


def remote(server: Server, login: str | None = None, *, watch: bool = False) -> Remote:
    def reconnect() -> Connection:
        conn = Connection(server.path, as_user=login, watch=watch)
        conn.open()
        return conn

    return Remote(reconnect(), clock=server.svc.clock, reconnect=reconnect)


def kill_servers_under(folder: str) -> int:
    """Kill every process whose command line names `folder` (the private
    servers that tests started); returns how many."""
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if folder in cmdline and " serve" in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGTERM)
                killed += 1
    return killed
