"""The server's figures (issue 12): the app as a client of a warm or a cold
private server, memory of the clerk's process and of the server per
connected client, and many simulated clerks working at once on one server.

Everything the benchmark starts lives under its own temporary folder
(`Sandbox`: XDG_RUNTIME_DIR points there, so the private servers that
clients spawn put their sockets there) and is stopped at the end.
"""

from __future__ import annotations

import bisect
import contextlib
import multiprocessing as mp
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


# ----- no process left behind ------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _alive(pid: int) -> bool:
    """Running (a zombie is not: it only waits for its parent to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def servers_under(folder: str) -> list[int]:
    """The soptui servers whose command line names `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        line = _cmdline(int(entry.name))
        if folder in line and " serve" in line and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def stop_servers_under(folder: str, timeout: float = 10.0) -> int:
    """SIGTERM every server under `folder`, wait for them, SIGKILL the rest;
    returns how many there were."""
    pids = servers_under(folder)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        _reap()
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    _reap()
    return len(pids)


def _reap() -> None:
    """Collect children that exited (a private server this process spawned)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


class Sandbox:
    """XDG_RUNTIME_DIR in the benchmark's temp folder (so every private server
    a client spawns has its socket there, and its command line names it), a
    linger longer than the run; stop() ends every server started under it."""

    def __init__(self, tmp: Path, *, own_data: bool = True) -> None:
        self.tmp = tmp
        self.runtime = tmp / "run"
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        keys = ("XDG_RUNTIME_DIR", "SOPTUI_LINGER", "XDG_DATA_HOME")
        self._saved = {k: os.environ.get(k) for k in keys}
        os.environ["XDG_RUNTIME_DIR"] = str(self.runtime)
        os.environ["SOPTUI_LINGER"] = "3600"  # stopped by us, not by the clock
        if own_data:
            # The servers' audit key and head log (server_data_dir) for the
            # generated office: the benchmark's own, not the user's.
            data = tmp / "data"
            data.mkdir(mode=0o700, exist_ok=True)
            os.environ["XDG_DATA_HOME"] = str(data)

    def stop(self) -> int:
        count = stop_servers_under(str(self.tmp))
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        return count


def audit_key() -> Any:
    """The key the private servers seal the trail with (their data folder):
    every service the benchmark opens itself writes and verifies with it."""
    from soptui.audit.keys import load_or_create_key
    from soptui.server.main import server_data_dir

    return load_or_create_key(server_data_dir() / "audit.key")


def office(url: str) -> Any:
    """The services on `url`, as the server has them (its audit key)."""
    from soptui.service import Soptui

    return Soptui(url, audit_key=audit_key())


# ----- the private server: warm, or not yet started ------------------------------------


def warm_server(url: str) -> int:
    """Make sure the private server for `url` runs (as a client would start
    it); returns its pid."""
    from soptui.client.remote import Remote
    from soptui.client.spawn import connect

    remote = Remote(connect(url, None))
    try:
        return remote.server.status().pid
    finally:
        remote.close()


def stop_private(url: str, timeout: float = 15.0) -> None:
    """Stop the private server for `url`, if one runs, and wait until it is gone."""
    from soptui.client.remote import Remote
    from soptui.client.spawn import connect, private_socket
    from soptui.errors import SoptuiError

    try:
        remote = Remote(connect(url, None, start=False))
    except SoptuiError:
        return
    try:
        pid = remote.server.status().pid
        remote.server.stop()
    finally:
        remote.close()
    deadline = time.monotonic() + timeout
    path = private_socket(url)
    while time.monotonic() < deadline and (_alive(pid) or path.exists()):
        _reap()
        time.sleep(0.01)
    if _alive(pid):
        raise RuntimeError(f"the private server {pid} did not stop")


def vm_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ----- many clerks on one server -------------------------------------------------------

# What a clerk's session is made of, by weight: mostly reading (the inbox, its
# counts, a case), some case actions, the narasumber lookup and a booking.
MIX = (
    ("inbox", 26),
    ("counts", 12),
    ("detail", 20),
    ("complete", 8),
    ("return", 4),
    ("note", 10),
    ("lookup", 14),
    ("book", 6),
)
WRITES = ("complete", "return", "note", "book")
TOPICS = ("pemasaran digital", "akuntansi koperasi", "ekspor", "legalitas usaha", "keuangan")
TAG = "bench-clerk"


@dataclass
class ClerkResult:
    login: str
    ops: list[tuple[str, float]] = field(default_factory=list)  # (op, latency s)
    errors: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    confirmed: list[tuple[str, str, float]] = field(default_factory=list)  # (op, tag, reply t)
    pushes: list[tuple[float, int]] = field(default_factory=list)  # (t, audit seq)


def _seq(token: str) -> int:
    try:
        return int(token.split(":", 1)[0])
    except ValueError:
        return -1


def _slot(rng: random.Random) -> tuple[datetime, datetime]:
    """Two hours on a working day four to twelve weeks ahead, office time."""
    day = datetime.now(WIB).date() + timedelta(days=rng.randrange(28, 84))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, rng.randrange(8, 15), 0, tzinfo=WIB)
    return start, start + timedelta(hours=2)


def clerk_main(
    path: str,
    login: str,
    index: int,
    seconds: float,
    think: float,
    go: Any,
    ready: Any,
    out: Any,
) -> None:
    """One simulated clerk: connect (watching for changes), read the first
    page as the app does, wait for the start, then work the mix with a
    random think time between actions; report everything at the end."""
    from soptui.client.connection import Connection
    from soptui.client.remote import Remote
    from soptui.errors import BusyError, ServerError, SoptuiError

    result = ClerkResult(login)
    rng = random.Random(1000 + index)
    try:
        conn = Connection(path, as_user=login, watch=True)
        conn.open()
    except Exception as exc:
        result.errors.append(f"connect: {type(exc).__name__}: {exc}")
        ready.put(index)
        out.put(result)
        return
    conn.on_change(lambda token: result.pushes.append((time.monotonic(), _seq(token))))
    svc = Remote(conn)
    actor = svc.actor
    mine = svc.cases.list_cases(actor, view="mine", limit=50)
    svc.cases.counts(actor)
    ready.put(index)
    go.wait()
    ops = [name for name, _ in MIX]
    weights = [w for _, w in MIX]
    offers: list[Any] = []
    slot = _slot(rng)
    end = time.monotonic() + seconds
    n = 0
    while True:
        time.sleep(rng.expovariate(1.0 / think))
        if time.monotonic() >= end:
            break
        op = rng.choices(ops, weights)[0]
        n += 1
        tag = f"{TAG} {login} {index}.{n}"
        mayact = [r for r in mine if svc.cases.may_act(actor, r)]
        t0 = time.monotonic()
        try:
            if op == "inbox":
                mine = svc.cases.list_cases(actor, view="mine", limit=50)
            elif op == "counts":
                svc.cases.counts(actor)
            elif op == "detail":
                if not mine:
                    continue
                svc.cases.detail(rng.choice(mine).id)
            elif op in ("complete", "return", "note"):
                if not mayact:
                    continue
                row = rng.choice(mayact)
                if op == "complete":
                    svc.cases.complete(actor, row.id, note=tag, expected_version=row.version)
                elif op == "return":
                    svc.cases.return_for_revision(
                        actor, row.id, note=tag, expected_version=row.version
                    )
                else:
                    svc.cases.add_note(actor, row.id, text=tag)
                if op != "note":
                    mine = [r for r in mine if r.id != row.id]  # it moved on
            elif op == "lookup":
                slot = _slot(rng)
                offers = svc.narasumber.lookup(rng.choice(TOPICS), *slot, limit=30)
            elif op == "book":
                free = [o for o in offers if not o.conflicts]
                if not free:
                    continue
                offer = rng.choice(free)
                offers = [o for o in offers if o is not offer]
                svc.narasumber.book(actor, offer.id, *slot, activity=tag, tentative=True)
            else:  # pragma: no cover
                raise AssertionError(op)
        except (BusyError, ServerError) as exc:
            result.errors.append(f"{op}: {exc.key}")
        except SoptuiError as exc:
            result.refused[f"{op}: {exc.key}"] += 1  # the rules said no: not an error
        except Exception as exc:
            result.errors.append(f"{op}: {type(exc).__name__}: {exc}"[:200])
        else:
            done = time.monotonic()
            if op in WRITES:
                result.confirmed.append((op, tag, done))
            result.ops.append((op, done - t0))
            continue
        result.ops.append((op, time.monotonic() - t0))
    time.sleep(2.0)  # the last changes' pushes
    conn.close()
    out.put(result)


def _server_main(url: str, path: str, pipe: Any) -> None:
    """The server under test, in its own process: the real Server over the
    real services, with every statement the engine runs counted."""
    from sqlalchemy import event

    from soptui.server.serve import Server, open_office

    svc = open_office(url, audit_key=audit_key())
    counted = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    event.listen(svc.db.engine, "before_cursor_execute", count)
    server = Server(svc, Path(path), private=True)
    if not server.bind():
        pipe.send("busy")
        return
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pipe.send("ready")
    while True:
        command = pipe.recv()
        if command == "count":
            pipe.send(counted[0])
        elif command == "stop":
            server.stop()
            thread.join(timeout=10)
            pipe.send("stopped")
            return


@dataclass
class ClerkFigures:
    clerks: int
    seconds: float
    actions: int
    writes: int
    errors: list[str]
    refused: Counter[str]
    lost: int
    unconfirmed: int
    p50_ms: float
    p99_ms: float
    p99_write_ms: float
    p99_read_ms: float
    visible_p50_ms: float
    visible_p99_ms: float
    visible_samples: int
    not_seen: int
    idle_queries: int
    idle_seconds: float
    rss_one_kib: int
    rss_many_kib: int
    rss_after_kib: int
    queries: int
    chain_ok: bool
    by_op: dict[str, tuple[int, float]]  # op -> (count, p99 ms)


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def clerks(
    url: str, sock: Path, *, count: int, seconds: float, think: float, idle: float
) -> ClerkFigures:
    """`count` clerk processes on one server for `seconds`; see clerk_main."""
    from soptui.client.connection import Connection
    from soptui.client.remote import Remote

    svc = office(url)
    logins = [u.login for u in svc.users.list() if u.login.startswith("u")]
    start_seq = _seq(svc.token())
    svc.close()
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_server_main, args=(url, str(sock), child), daemon=True)
    server.start()
    if not parent.poll(120) or parent.recv() != "ready":
        server.kill()
        raise RuntimeError("the bench server could not bind its socket")
    go, ready, out = ctx.Event(), ctx.Queue(), ctx.Queue()
    procs = [
        ctx.Process(
            target=clerk_main,
            args=(str(sock), logins[i % len(logins)], i, seconds, think, go, ready, out),
            daemon=True,
        )
        for i in range(count)
    ]
    try:
        # One client, as a clerk's app leaves it after its first page.
        probe = Connection(sock, as_user=logins[0], watch=True)
        probe.open()
        remote = Remote(probe)
        remote.cases.list_cases(remote.actor, view="mine", limit=50)
        remote.cases.counts(remote.actor)
        time.sleep(0.5)
        rss_one = vm_kib(server.pid, "VmRSS")
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=120)
        remote.close()  # now the `count` clerks only
        time.sleep(0.5)
        rss_many = vm_kib(server.pid, "VmRSS")
        parent.send("count")
        before = parent.recv()
        time.sleep(idle)  # everyone connected, watching, nobody acting
        parent.send("count")
        idle_queries = parent.recv() - before
        go.set()
        results: list[ClerkResult] = [out.get(timeout=seconds + 120) for _ in procs]
        for p in procs:
            p.join(timeout=10)
        rss_after = vm_kib(server.pid, "VmRSS")
        parent.send("count")
        queries = parent.recv() - before
        parent.send("stop")
        parent.recv()
        server.join(timeout=10)
    finally:
        for p in [*procs, server]:
            if p.is_alive():
                p.kill()
                p.join()
    # ---- what reached the audit trail
    svc = office(url)
    from sqlalchemy import select

    from soptui.db.models import CaseEvent

    seq_of: dict[str, int] = {}
    with svc.db.read() as s:
        rows = s.execute(
            select(CaseEvent.seq, CaseEvent.kind, CaseEvent.note, CaseEvent.data).where(
                CaseEvent.seq > start_seq
            )
        ).all()
    for seq, kind, note, data in rows:
        tag = note if note and note.startswith(TAG) else None
        if kind == "booking.created" and isinstance(data, dict):
            activity = data.get("activity") or ""
            tag = activity if activity.startswith(TAG) else tag
        if tag:
            seq_of[tag] = seq
    chain_ok = svc.audit_verify().ok
    svc.close()
    confirmed = [(op, tag, t, i) for i, r in enumerate(results) for op, tag, t in r.confirmed]
    confirmed_tags = {tag for _, tag, _, _ in confirmed}
    lost = sum(1 for _, tag, _, _ in confirmed if tag not in seq_of)
    unconfirmed = sum(1 for tag in seq_of if tag not in confirmed_tags)
    # ---- how soon the other clerks heard of each change
    watchers = []
    for r in results:
        pushes = sorted(r.pushes)
        times = [t for t, _ in pushes]
        best, top = [], -1
        for _, seq in pushes:
            top = max(top, seq)
            best.append(top)
        watchers.append((times, best))
    visible: list[float] = []
    not_seen = 0
    for _op, tag, replied, writer in confirmed:
        seq = seq_of.get(tag)
        if seq is None:
            continue
        for j, (times, best) in enumerate(watchers):
            if j == writer:
                continue
            k = bisect.bisect_left(best, seq)
            if k == len(best):
                not_seen += 1
            else:
                visible.append(max(0.0, times[k] - replied))
    latencies = [lat for r in results for _, lat in r.ops]
    write_lat = [lat for r in results for op, lat in r.ops if op in WRITES]
    read_lat = [lat for r in results for op, lat in r.ops if op not in WRITES]
    by_op = {}
    for name, _ in MIX:
        lats = [lat for r in results for op, lat in r.ops if op == name]
        by_op[name] = (len(lats), _p(lats, 0.99) * 1000)
    refused: Counter[str] = Counter()
    for r in results:
        refused.update(r.refused)
    return ClerkFigures(
        clerks=count,
        seconds=seconds,
        actions=len(latencies),
        writes=len(confirmed),
        errors=[e for r in results for e in r.errors],
        refused=refused,
        lost=lost,
        unconfirmed=unconfirmed,
        p50_ms=_p(latencies, 0.5) * 1000,
        p99_ms=_p(latencies, 0.99) * 1000,
        p99_write_ms=_p(write_lat, 0.99) * 1000,
        p99_read_ms=_p(read_lat, 0.99) * 1000,
        visible_p50_ms=_p(visible, 0.5) * 1000,
        visible_p99_ms=_p(visible, 0.99) * 1000,
        visible_samples=len(visible),
        not_seen=not_seen,
        idle_queries=idle_queries,
        idle_seconds=idle,
        rss_one_kib=rss_one,
        rss_many_kib=rss_many,
        rss_after_kib=rss_after,
        queries=queries,
        chain_ok=chain_ok,
        by_op=by_op,
    )
