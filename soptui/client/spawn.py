"""Which server a client talks to, and the user's private server on demand.

`--server PATH` / SOPTUI_SERVER: the office server's socket. Otherwise the
user's own private server for the database URL: its socket lives in a 0700
folder of the user's runtime directory (XDG_RUNTIME_DIR, else the cache
directory), named after the URL; when nobody answers there, the client
starts `soptui serve --private` detached (its own session, like tmux) and
waits for it. It leaves a few minutes after its last client, so the next
start finds it warm.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from soptui.client.connection import Connection
from soptui.errors import InputError, RuleError
from soptui.i18n import language

LINGER_SECONDS = 300
START_TIMEOUT = 60.0


def private_dir() -> Path:
    """The user's own 0700 folder for private server sockets."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK):
        base = Path(runtime) / "soptui"
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("soptui", appauthor=False)) / "servers"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = base.stat()
    if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(base, 0o700)
        info = base.stat()
        if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise InputError("err.server_dir", path=str(base))
    return base


def private_socket(url: str) -> Path:
    key = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return private_dir() / f"{key}.sock"


def connect(
    url: str | None,
    server: str | None,
    *,
    as_user: str | None = None,
    watch: bool = False,
    start: bool = True,
    create: bool = True,
) -> Connection:
    """A connection to the office server at `server`, or to the private
    server for `url` (started when `start` and none is running)."""
    if server:
        conn = Connection(server, as_user=as_user, watch=watch)
        try:
            conn.open()
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise RuleError("err.server_unreachable", path=server) from exc
        except PermissionError as exc:
            raise RuleError("err.server_denied", path=server) from exc
        return conn
    assert url is not None
    path = private_socket(url)
    conn = Connection(path, as_user=as_user, watch=watch)
    try:
        conn.open()
        return conn
    except (FileNotFoundError, ConnectionRefusedError):
        if not start:
            raise RuleError("err.server_none") from None
    start_private(url, path, create=create)
    conn.open()
    return conn


def linger_seconds() -> float:
    """How long a private server stays after its last client (SOPTUI_LINGER)."""
    try:
        value = float(os.environ.get("SOPTUI_LINGER", LINGER_SECONDS))
    except ValueError:
        return LINGER_SECONDS
    return value if 0 <= value <= 86400 else LINGER_SECONDS


def start_private(url: str, path: Path, *, create: bool = True) -> None:
    """Start the private server for `url` and wait until it answers. Two
    clients starting at once: the server's lock lets one of them win and the
    other's server leaves at once; both then connect to the winner."""
    log_path = path.with_suffix(".log")
    with open(path.with_name(path.name + ".start"), "a+") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # one starter at a time
        if _answers(path):
            return
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "soptui",
                    "--lang",
                    language(),  # its start-up errors reach this clerk
                    "--db",
                    url,
                    "serve",
                    "--private",
                    "--socket",
                    str(path),
                    "--linger",
                    str(linger_seconds()),
                    "--create" if create else "--no-create",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # not in the terminal's process group
                close_fds=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if _answers(path):
                return
            code = process.poll()
            if code is not None:
                detail = _last_line(log_path).removeprefix("soptui: ")
                if code == 2:  # the server's own one-line refusal of its input
                    raise InputError("err.server_refused", detail=detail)
                raise RuleError("err.server_failed", detail=detail, code=code)
            time.sleep(0.02)
        raise RuleError("err.server_failed", detail=_last_line(log_path), code="timeout")


def _answers(path: Path) -> bool:
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1][:300] if lines else ""
