"""Start and stop a throwaway PostgreSQL server for the test suite.

The server runs as the ``postgres`` OS user when we are root (initdb refuses root), listens
only on a Unix socket in a private temp dir, and trades durability for speed (fsync off).
Everything lives in that one temp dir (in /dev/shm when it has room); stopping the server
removes it.  Servers are also stopped at interpreter exit (atexit; SIGTERM and SIGHUP are
turned into KeyboardInterrupt so that it runs), and servers left behind by a SIGKILLed
process are reaped by the next ``start()``.

Usage::

    server = start()            # PgServer; raises PgNotFound when no binaries exist
    engine = create_engine(server.url)
    ...
    server.stop()

Command line (handy for a manual session or an external ``SOPTUI_TEST_PG``)::

    python tests/pg_server.py   # prints the URL, serves until ctrl+c
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

DIR_PREFIX = "soptui-pg."
OWNER_FILE = "owner"  # "<pid> <pid namespace>" of the Python process that started the server

SERVER_OPTIONS = (
    "-c listen_addresses='' -c fsync=off -c full_page_writes=off"
    " -c synchronous_commit=off -c max_connections=100"
    # Dynamic shared memory as files inside the data dir, not /dev/shm/PostgreSQL.*:
    # even a SIGKILLed server then leaves nothing outside the dir we delete.
    " -c dynamic_shared_memory_type=mmap"
)


class PgNotFound(RuntimeError):
    """No PostgreSQL server binaries (initdb, pg_ctl) on this machine."""


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/*/bin with initdb, else ``pg_config --bindir``."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            if out and (Path(out) / "initdb").exists():
                return Path(out)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PgNotFound(
        "no PostgreSQL server binaries found (looked for /usr/lib/postgresql/*/bin/initdb, "
        "`pg_config --bindir`, initdb on PATH); install them with "
        "`apt-get install postgresql postgresql-contrib`"
    )


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_pg(argv: list[str]) -> list[str]:
    """Prefix ``argv`` so it runs as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *argv] if _is_root() else argv


def _run(argv: list[str], cwd: Path, timeout: float = 60) -> None:
    proc = subprocess.run(
        _as_pg(argv),
        cwd=cwd,  # the caller's cwd may not be readable by the postgres user
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )


def _temp_parents() -> list[str]:
    """Where server dirs may go, best first.

    /dev/shm (RAM) when it has room: on this project's VMs CREATE DATABASE takes ~15 ms
    there against 100-350 ms on disk, and initdb twice as fast.  Unix socket paths are
    limited to ~107 bytes, so a long TMPDIR falls back to /tmp.
    """
    parents = []
    with contextlib.suppress(OSError):
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize >= 1 << 30 and os.access("/dev/shm", os.W_OK | os.X_OK):
            parents.append("/dev/shm")
    tmp = tempfile.gettempdir()
    parents.append(tmp if len(tmp) <= 60 else "/tmp")
    return parents


@dataclass
class PgServer:
    bindir: Path
    workdir: Path
    dbname: str = "postgres"
    owner_pid: int = field(default_factory=os.getpid)
    _stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    @property
    def logfile(self) -> Path:
        return self.workdir / "log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL; the socket directory goes in the ``host`` query parameter."""
        return f"postgresql+psycopg://postgres@/{self.dbname}?host={self.workdir}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server immediately and delete its directory. Idempotent.

        A no-op in a forked child, which inherits this object and the atexit hook.
        """
        if self._stopped or os.getpid() != self.owner_pid:
            return
        self._stopped = True
        _stop_dir(self.bindir, self.workdir)


def _stop_dir(bindir: Path, workdir: Path) -> None:
    datadir = workdir / "data"
    if (datadir / "postmaster.pid").exists():
        with contextlib.suppress(Exception):
            _run(
                [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"],
                cwd=workdir,
                timeout=30,
            )
    shutil.rmtree(workdir, ignore_errors=True)


def _owner_tag() -> str:
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = "?"
    return f"{os.getpid()} {namespace}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(bindir: Path) -> None:
    """Stop servers whose starting process is gone (it was SIGKILLed, say)."""
    for path in {p for parent in _temp_parents() for p in glob.glob(f"{parent}/{DIR_PREFIX}*")}:
        workdir = Path(path)
        try:
            pid, namespace = (workdir / OWNER_FILE).read_text().split()
        except (OSError, ValueError):
            continue  # another user's, or still being set up
        # Only reap what we can judge: a dead pid in our own pid namespace.
        if namespace == _owner_tag().split()[1] and not _pid_alive(int(pid)):
            _stop_dir(bindir, workdir)


_SIGNAL_OWNER = 0  # pid that installed _interrupt; forked children keep the default action


def _interrupt(signum: int, frame: object) -> None:
    if os.getpid() != _SIGNAL_OWNER:  # a forked child (multiprocessing "fork"): die as usual
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt(f"signal {signum}")


def _cleanup_on_signals() -> None:
    """Let SIGTERM/SIGHUP unwind like ctrl+c, so pytest teardown and atexit still run."""
    global _SIGNAL_OWNER
    if threading.current_thread() is not threading.main_thread():
        return
    _SIGNAL_OWNER = os.getpid()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _interrupt)


def start(dbname: str = "postgres", timeout: float = 30) -> PgServer:
    """initdb + pg_ctl start in a fresh temp dir; returns once the server accepts connections."""
    bindir = find_bindir()
    reap_orphans(bindir)
    workdir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=_temp_parents()[0]))
    (workdir / OWNER_FILE).write_text(_owner_tag())
    server = PgServer(bindir=bindir, workdir=workdir, dbname=dbname)
    atexit.register(server.stop)  # also runs after ctrl+c; stop() is idempotent
    _cleanup_on_signals()
    try:
        if _is_root():
            shutil.chown(workdir, user="postgres", group="postgres")
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(server.datadir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            cwd=workdir,
        )
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(server.datadir),
                "-l",
                str(server.logfile),
                "-w",
                "-t",
                str(int(timeout)),
                "-o",
                f"-k {workdir} {SERVER_OPTIONS}",
                "start",
            ],
            cwd=workdir,
            timeout=timeout + 10,
        )
        if dbname != "postgres":
            _run([str(bindir / "createdb"), "-h", str(workdir), "-U", "postgres", dbname], workdir)
    except Exception as exc:
        log = server.log_tail()
        server.stop()
        raise RuntimeError(f"could not start PostgreSQL in {workdir}: {exc}\n{log}") from exc
    return server


if __name__ == "__main__":
    t0 = time.monotonic()
    srv = start("soptui_test")
    print(f"# up in {time.monotonic() - t0:.2f}s; ctrl+c stops it", flush=True)
    print(f"export SOPTUI_TEST_PG='{srv.url}'", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
