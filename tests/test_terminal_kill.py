"""The app never outlives its terminal (issue 13, part 3).

The terminal app runs under tmux (a private socket per test) or on plain
pipes (as under `ssh -T`), and its terminal is taken away at a random moment
of its life: during start-up, idle, with a dialog open, while quitting. Each
way a terminal goes: tmux's server killed (SIGHUP, pty closed), the tmux
server killed -9 (the pty's master closed, no signal from tmux), SIGHUP or
SIGTERM to the app, the pipes closed. Every process of the run (found by a
marker in its environment: the app and its start-up helper) must be gone
within 3 s, and the database must be whole afterwards.

12 kills by default, 50 with --heavy; a figure line says how many were left.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from soptui.demo import build_demo
from soptui.service import Soptui

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

DEADLINE = 3.0  # seconds from the kill to no process left (the figure)
METHODS = ("tmux-kill-server", "tmux-server-kill-9", "sighup", "sigterm", "pipes-closed")
MOMENTS = ("start-up", "idle", "dialog", "quitting")


def soptui_command() -> list[str]:
    return [sys.executable, "-m", "soptui"]


def _is_server(pid: int) -> bool:
    """The private server the app started on demand: it outlives its clients
    by design (SOPTUI_LINGER), and is counted apart."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"serve" in f.read().split(b"\0")
    except OSError:
        return False


def marked(marker: str, *, servers: bool = False) -> list[int]:
    """Pids of the app's processes (or of its private server) whose
    environment holds the marker."""
    needle = f"SOPTUI_KILL_TEST={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return [pid for pid in found if not _zombie(pid) and _is_server(pid) == servers]


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return 0


def wait_gone(marker: str, limit: float, *, servers: bool = False) -> tuple[float, list[int]]:
    start = time.monotonic()
    while True:
        left = marked(marker, servers=servers)
        elapsed = time.monotonic() - start
        if not left or elapsed > limit:
            return elapsed, left
        time.sleep(0.05)


class Run:
    """One app under a private tmux server, or on pipes."""

    def __init__(self, db: Path, method: str) -> None:
        self.marker = uuid.uuid4().hex
        self.socket = f"hardening-{self.marker[:12]}"
        self.method = method
        self.proc: subprocess.Popen[bytes] | None = None
        env = {**os.environ, "SOPTUI_KILL_TEST": self.marker, "TERM": "xterm-256color",
               "SOPTUI_LINGER": "1"}  # fmt: skip
        env.pop("SOPTUI_DEBUG", None)
        args = [*soptui_command(), "--db", str(db), "--user", "demo"]
        if method == "pipes-closed":
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        else:
            command = " ".join(f"'{a}'" for a in args)
            env_args = [f"SOPTUI_KILL_TEST={self.marker}", "TERM=xterm-256color", "SOPTUI_LINGER=1"]
            self.tmux("new-session", "-d", "-x", "80", "-y", "24",
                      "env", *env_args, "sh", "-c", f"exec {command}")  # fmt: skip

    def tmux(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            timeout=10,
        )

    def keys(self, *keys: str) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            data = {"C-p": b"\x10", "F1": b"\x1bOP", "C-q": b"\x11"}
            for k in keys:
                try:
                    self.proc.stdin.write(data.get(k, k.encode()))
                    self.proc.stdin.flush()
                except OSError:
                    pass
        else:
            self.tmux("send-keys", *keys)

    def app_pids(self) -> list[int]:
        return marked(self.marker)

    def kill(self) -> None:
        if self.method == "pipes-closed":
            assert self.proc is not None
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
        elif self.method == "tmux-kill-server":
            self.tmux("kill-server")
        elif self.method == "tmux-server-kill-9":
            server = self.tmux("display-message", "-p", "#{pid}").stdout.strip()
            if server:
                os.kill(int(server), signal.SIGKILL)
            else:
                self.tmux("kill-server")
        else:
            sig = signal.SIGHUP if self.method == "sighup" else signal.SIGTERM
            pids = self.app_pids()
            for pid in pids:  # the app itself, not its start-up helper
                if _parent(pid) not in pids:
                    os.kill(pid, sig)

    def cleanup(self) -> None:
        for pid in [*self.app_pids(), *marked(self.marker, servers=True)]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if self.method != "pipes-closed":
            self.tmux("kill-server")
            tmpdir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
            (tmpdir / self.socket).unlink(missing_ok=True)  # left by a server killed -9
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("kill") / "demo.sqlite"
    svc = Soptui(str(db))
    try:
        build_demo(svc)
    finally:
        svc.close()
    return db


def kill_runs(demo_db: Path, count: int, figures, seed: int) -> None:
    rng = random.Random(seed)
    left_behind: list[str] = []
    slowest = 0.0
    for i in range(count):
        method = METHODS[i % len(METHODS)]
        moment = MOMENTS[(i // len(METHODS)) % len(MOMENTS)]
        run = Run(demo_db, method)
        try:
            if moment == "start-up":
                time.sleep(rng.uniform(0.0, 0.8))
            else:
                time.sleep(2.0)  # drawn and idle (start-up takes ~1 s)
                if moment == "dialog":
                    run.keys(rng.choice(["C-p", "F1"]))
                    time.sleep(rng.uniform(0.1, 0.6))
                elif moment == "quitting":
                    run.keys("C-q")
                    time.sleep(rng.uniform(0.0, 0.2))
                else:
                    time.sleep(rng.uniform(0.0, 1.5))
            run.kill()
            elapsed, left = wait_gone(run.marker, DEADLINE + 2)
            slowest = max(slowest, elapsed)
            if left or elapsed > DEADLINE:
                left_behind.append(f"{method} at {moment}: {len(left)} left after {elapsed:.1f}s")
            # Its private server leaves once it has had no client for SOPTUI_LINGER.
            _, servers = wait_gone(run.marker, 1 + DEADLINE + 2, servers=True)
            if servers:
                left_behind.append(f"{method} at {moment}: the private server stayed")
        finally:
            run.cleanup()
    figures(
        f"terminal kills: {count} runs ({', '.join(METHODS)} x {', '.join(MOMENTS)}), "
        f"{len(left_behind)} with a process left after {DEADLINE:.0f} s, "
        f"slowest end {slowest:.2f} s"
    )
    assert not left_behind, left_behind
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = subprocess.run(
        [*soptui_command(), "--db", str(demo_db), "audit", "verify"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_terminal_kills_leave_no_process(demo_db, figures):
    kill_runs(demo_db, 12, figures, seed=13)


@pytest.mark.slow
def test_fifty_terminal_kills_leave_no_process(demo_db, figures):
    kill_runs(demo_db, 50, figures, seed=1313)


def test_lifeline_ends_a_process_whose_shutdown_hangs(tmp_path):
    """The mechanism itself: exit asked, shutdown stuck forever -> os._exit
    within the grace period."""
    script = tmp_path / "stuck.py"
    script.write_text(
        "import os, signal, threading, time\n"
        "from soptui.lifeline import Lifeline\n"
        "asked = threading.Event()\n"
        "life = Lifeline(asked.set, grace=0.5, fds=()).start()\n"
        "os.kill(os.getpid(), signal.SIGHUP)\n"
        "threading.Event().wait()  # a shutdown that never ends\n"
    )
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], timeout=20, capture_output=True)
    assert done.returncode == 128 + signal.SIGHUP, done.stderr
    assert time.monotonic() - start < 10


def test_lifeline_sees_a_closed_pipe(tmp_path):
    """ssh -T: no tty, no SIGHUP; the pipe's other end closes."""
    script = tmp_path / "piped.py"
    script.write_text(
        "import threading\n"
        "from soptui.lifeline import Lifeline\n"
        "life = Lifeline(lambda: None, grace=0.3, fds=(0,)).start()\n"
        "threading.Event().wait()\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE)
    time.sleep(1.0)
    assert proc.poll() is None
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        assert proc.wait(10) == 128 + signal.SIGHUP
    finally:
        proc.kill()
