"""The soptui benchmark: every timing a ratio against a baseline measured in
the same run (alternating, median of the pairs), because these machines are
noisy.

    python bench/run.py --small            # CI: ~2.5 minutes, fails on gross regressions
    python bench/run.py --pg               # full: 100,000 cases, 50 clerks, and PostgreSQL
    python bench/run.py --db postgresql://...  # the data-layer figures on PostgreSQL

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import compileall
import errno
import fcntl
import multiprocessing as mp
import os
import pty
import re
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import NOW, WIB, generate, registry_sizes  # noqa: E402
from server_bench import (  # noqa: E402
    Sandbox,
    clerks,
    office,
    servers_under,
    stop_private,
    warm_server,
)

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>PNOc\\]|\x1b\][^\x07]*\x07"
)
CLERK = "u001"  # three clerks per role; u001 holds the first role (anggota-tim-kerja)
# The narasumber figures ask what the screens ask: the quick lookup (F3) shows
# 30 offers for a topic and a time, the registry (F2) lists up to 200 matches
# of what is typed (here with a typo: "akuntasi" for "akuntansi").
LOOKUP_TOPIC = "pemasaran digital"
LOOKUP_LIMIT = 30
REGISTRY_SEARCH = "akuntasi koperasi"
REGISTRY_LIMIT = 200
LOOKUP_RATIO = 3.0
REGISTRY_RATIO = 3.0
SEARCH_RATIO = 3.0


def _lookup_week() -> tuple[Any, Any]:
    """The week after the generated office's "now" (Monday to Monday, WIB)."""
    from datetime import datetime, timedelta

    today = NOW.astimezone(WIB).date()
    monday = today + timedelta(days=7 - today.weekday())
    start = datetime.combine(monday, datetime.min.time(), WIB)
    return start, start + timedelta(days=7)


LOOKUP_WEEK = _lookup_week()


# ----- a program on a pseudo-terminal ---------------------------------------------------


class PtyProgram:
    """Run argv on a pty of the given size; read what it draws, send keys."""

    def __init__(self, argv: list[str], *, cols: int = 120, rows: int = 40) -> None:
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.out = bytearray()
        self.total = 0

    def _read(self, timeout: float) -> int:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return 0
        try:
            chunk = os.read(self.fd, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:
                return -1
            raise
        self.out += chunk
        self.total += len(chunk)
        return len(chunk)

    def text(self) -> str:
        return ANSI.sub(b"", bytes(self.out)).decode("utf-8", "replace")

    def wait_for(self, pattern: str, timeout: float = 30.0) -> float:
        """Seconds until the screen text matches `pattern` (since the last clear)."""
        regex = re.compile(pattern)
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self._read(0.01) < 0:
                break
            if regex.search(self.text()):
                return time.perf_counter() - start
        raise TimeoutError(f"{pattern!r} did not appear; screen: {self.text()[-400:]!r}")

    def settle(self, quiet: float = 0.4, limit: float = 5.0) -> int:
        """Read until nothing came for `quiet` seconds; returns the bytes read."""
        before = self.total
        start = last = time.perf_counter()
        while time.perf_counter() - start < limit:
            n = self._read(0.02)
            if n < 0:
                break
            if n:
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                break
        return self.total - before

    def idle_bytes(self, seconds: float) -> int:
        before = self.total
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if self._read(0.05) < 0:
                break
        return self.total - before

    def send(self, keys: str) -> None:
        self.out.clear()
        os.write(self.fd, keys.encode())

    def peak_rss_kib(self) -> int:
        """VmHWM: the peak resident set of the program's own image (ru_maxrss
        would include the benchmark's memory, inherited through fork)."""
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def close(self) -> int:
        """Stop the program; returns its peak RSS in KiB."""
        peak = self.peak_rss_kib()
        with _quiet():
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.time() + 5
        while time.time() < deadline:
            self._read(0.02)
            done, _status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self.fd)
                return peak
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return peak


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)  # type: ignore[arg-type]


# ----- figures ---------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    ok: bool | None
    command: str
    note: str = ""


@dataclass
class Run:
    small: bool
    figures: list[Figure] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: float,
        unit: str,
        target: str,
        ok: bool | None,
        command: str,
        note: str = "",
    ) -> None:
        fig = Figure(name, value, unit, target, ok, command, note)
        self.figures.append(fig)
        mark = "ok" if ok else ("-" if ok is None else "MISSED")
        print(f"{name:58} {value:10.3f} {unit:6} target {target:18} {mark}  {note}", flush=True)


def median_ratio(
    a: Callable[[], float], b: Callable[[], float], pairs: int
) -> tuple[float, float, float]:
    """Alternate a and b `pairs` times: (median ratio a/b, median a, median b)."""
    ratios, xs, ys = [], [], []
    for i in range(pairs):
        if i % 2:
            y, x = b(), a()
        else:
            x, y = a(), b()
        xs.append(x)
        ys.append(y)
        ratios.append(x / y)
    return statistics.median(ratios), statistics.median(xs), statistics.median(ys)


def soptui_argv(db: str) -> list[str]:
    return [sys.executable, "-m", "soptui", "--db", db, "--user", CLERK]


def baseline_argv() -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "baseline_app.py")]


READY_SOPTUI = r"(telat|sisa) \d"  # a due text in an inbox row: the rows are painted
READY_BASELINE = r"ready"


def cold_start_pty(argv: list[str], ready: str) -> float:
    prog = PtyProgram(argv)
    try:
        prog.wait_for(ready)
        return time.perf_counter() - prog.started
    finally:
        prog.close()


_TMUX_RUNS = iter(range(1, 10**6))
# The benchmark's own tmux server (a private socket): started with the
# benchmark's environment (its XDG_RUNTIME_DIR), killed at the end.
TMUX = ["tmux", "-L", f"soptui-bench-{os.getpid()}"]


def cold_start_tmux(argv: list[str], ready: str) -> float:
    # A fresh session name each time: a killed session's name can linger while
    # its server shuts down, and reusing it fails ("duplicate session").
    session = f"bench{os.getpid()}-{next(_TMUX_RUNS)}"
    command = shlex.join(argv)
    start = time.perf_counter()
    subprocess.run(
        [*TMUX, "new-session", "-d", "-x", "120", "-y", "40", "-s", session, command],
        check=True,
        capture_output=True,
    )
    try:
        while time.perf_counter() - start < 30:
            shown = subprocess.run(
                [*TMUX, "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if re.search(ready, shown):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise TimeoutError(f"tmux: {ready!r} never appeared")
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)


# ----- the data layer against raw SQL twins -------------------------------------------


def data_layer(run: Run, db: str, pairs: int, command: str) -> None:

    svc = office(db)
    actor = svc.users.actor(CLERK)
    mine = svc.cases.list_cases(actor, view="mine", limit=50)
    case_id = mine[len(mine) // 2].id if mine else 1
    conn = svc.db.engine.connect()

    def timed(fn: Callable[[], Any]) -> Callable[[], float]:
        def inner() -> float:
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0

        return inner

    def replay(service_call: Callable[[], Any]) -> Callable[[], Any]:
        """The raw-SQL twin: the very statements the service sends, replayed
        through the driver with no ORM and no Python on top."""
        from sqlalchemy import event

        captured: list[tuple[str, Any]] = []

        def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
            captured.append((statement, parameters))

        event.listen(svc.db.engine, "before_cursor_execute", capture)
        service_call()
        event.remove(svc.db.engine, "before_cursor_execute", capture)
        captured = [
            (st, p) for st, p in captured if st.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        return lambda: [conn.exec_driver_sql(st, p).fetchall() for st, p in captured]

    def inbox() -> Any:
        return svc.cases.list_cases(actor, view="mine", limit=50)

    def counts() -> Any:
        return svc.cases.counts(actor)

    def detail() -> Any:
        return svc.cases.detail(case_id)

    def keystroke(query: str) -> Callable[[], Any]:
        """What the inbox asks on a keystroke of its filter: the rows of the
        view and the five counts with the same search."""

        def call() -> Any:
            return (
                svc.cases.list_cases(actor, view="all", search=query, limit=50),
                svc.cases.counts(actor, search=query),
            )

        return call

    keystrokes = [(label, query, keystroke(query)) for label, query in search_samples(svc)]

    week = LOOKUP_WEEK

    def lookup() -> Any:
        return svc.narasumber.lookup(LOOKUP_TOPIC, *week, limit=LOOKUP_LIMIT)

    def registry_search() -> Any:
        return svc.narasumber.search(REGISTRY_SEARCH, limit=REGISTRY_LIMIT)

    for warm in (inbox, counts, detail, lookup, registry_search):
        warm()  # definitions and calendar cached, as in a running app
    for _label, _query, call in keystrokes:
        call()
    twins: list[tuple[str, Callable[[], Any], Callable[[], Any], float | None, float]] = [
        ("inbox page (50 rows)", inbox, replay(inbox), 2.0, 6.0),
        ("counts per view", counts, replay(counts), None, 1.5),
        ("case with timeline", detail, replay(detail), 2.0, 6.0),
        *(
            (f"search keystroke: {label} {query!r}", call, replay(call), 10.0, SEARCH_RATIO)
            for label, query, call in keystrokes
        ),
        (
            f"lookup {LOOKUP_TOPIC!r}, 1 week ({LOOKUP_LIMIT})",
            lookup,
            replay(lookup),
            10.0,
            LOOKUP_RATIO,
        ),
        (
            f"narasumber search {REGISTRY_SEARCH!r} ({REGISTRY_LIMIT})",
            registry_search,
            replay(registry_search),
            None,
            REGISTRY_RATIO,
        ),
    ]
    if run.small:
        twins = [(n, a, b, None if lim is None else lim * 10, r * 5) for n, a, b, lim, r in twins]
    for name, ours, twin, limit_ms, limit_ratio in twins:
        ours(), twin()  # warm caches
        ratio, ours_s, _ = median_ratio(timed(ours), timed(twin), pairs)
        ms = ours_s * 1000
        ok = ratio <= limit_ratio and (limit_ms is None or ms <= limit_ms)
        target = f"<= {limit_ratio:g}x" + (f", {limit_ms:g} ms" if limit_ms else "")
        run.add(
            f"data: {name} ({svc.db.backend})", ratio, "x twin", target, ok, command, f"{ms:.2f} ms"
        )
    _plans(run, svc, actor, conn, command)
    _conflict_plan(run, svc, conn, lookup, command)
    _search_index(run, svc, conn, pairs, command)
    conn.close()
    svc.close()


def search_samples(svc: Any) -> list[tuple[str, str]]:
    """What clerks type to find a case (issue 17), taken from the generated
    office: a letter number (half typed and whole), an outgoing number, the
    agenda number, a perihal with a typo, a pemohon, a narasumber booked for
    a case, a case number."""
    from sqlalchemy import text

    with svc.db.engine.connect() as c:
        cases = c.execute(text("SELECT count(*) FROM cases")).scalar_one()
        incoming = c.execute(
            text("SELECT number, seq, year FROM letters WHERE direction = 'in' ORDER BY id LIMIT 1 OFFSET :n"),
            {"n": cases // 3},
        ).one()
        outgoing = c.execute(
            text("SELECT number FROM letters WHERE direction = 'out' AND voided_at IS NULL ORDER BY id LIMIT 1 OFFSET :n"),
            {"n": cases // 7},
        ).scalar_one()
        person = c.execute(
            text(
                "SELECT n.name FROM narasumber n JOIN narasumber_bookings b ON b.narasumber_id = n.id "
                "WHERE b.case_id IS NOT NULL AND b.status <> 'batal' ORDER BY b.id LIMIT 1"
            )
        ).scalar()
    number = incoming.number
    samples = [
        ("letter no., half typed", number[: len(number) - 2]),
        ("letter no.", number),
        ("outgoing no.", outgoing),
        ("agenda no.", f"{incoming.seq}/{incoming.year}"),
        ("perihal, typo", "akuntasi koperasi"),
        ("perihal, half typed", "pengawasan kop"),
        ("pemohon", "sambas"),
        ("case no.", str(cases * 2 // 5)),
    ]
    if person:
        last = person.replace(",", " ").split()
        samples.append(("narasumber", " ".join(w for w in last[:3] if "." not in w)))
    return samples


def _search_index(run: Run, svc: Any, conn: Any, pairs: int, command: str) -> None:
    """The case search index: its size, and what keeping it costs a write
    that changes an indexed field (a case's perihal rewritten: the trigger
    rewrites its document) against one that does not (updated_at), each in a
    transaction rolled back."""
    from sqlalchemy import text

    if svc.db.is_sqlite:
        try:
            size = conn.exec_driver_sql(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'case_search%'"
            ).scalar()
        except Exception:  # SQLite built without dbstat
            size = None
        total = conn.exec_driver_sql("PRAGMA page_count").scalar() * conn.exec_driver_sql(
            "PRAGMA page_size"
        ).scalar()
    else:
        size = conn.exec_driver_sql("SELECT pg_total_relation_size('case_search')").scalar()
        total = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    conn.rollback()
    if size is not None:
        run.add(
            "search index size",
            size / 2**20,
            "MiB",
            "-",
            None,
            command,
            f"{100 * size / total:.1f}% of the database ({total / 2**20:.0f} MiB)",
        )
    middle = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar() // 2
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM cases ORDER BY id LIMIT 200 OFFSET {middle}")]
    conn.rollback()

    def timed(sql: str) -> Callable[[], float]:
        state = {"i": 0}

        def inner() -> float:
            case_id = ids[state["i"] % len(ids)]
            state["i"] += 1
            with svc.db.engine.connect() as c:
                c.begin()
                t0 = time.perf_counter()
                c.execute(text(sql), {"id": case_id})
                elapsed = time.perf_counter() - t0
                c.rollback()
            return elapsed

        return inner

    ratio, ours, base = median_ratio(
        timed("UPDATE cases SET title = title || ' ' WHERE id = :id"),
        timed("UPDATE cases SET updated_at = updated_at WHERE id = :id"),
        max(pairs, 31),
    )
    run.add(
        "search index: cost of a write to an indexed field",
        (ours - base) * 1000,
        "ms",
        "-",
        None,
        command,
        f"{ours * 1000:.2f} ms vs {base * 1000:.2f} ms unindexed ({ratio:.1f}x)",
    )


def _plans(run: Run, svc: Any, actor: Any, conn: Any, command: str) -> None:
    """The inbox query must use an index, not scan the cases table."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM cases" in statement and "LIMIT" in statement:
            seen.append((statement, parameters))

    event.listen(svc.db.engine, "before_cursor_execute", capture)
    svc.cases.list_cases(actor, view="mine", limit=50)
    event.remove(svc.db.engine, "before_cursor_execute", capture)
    plan = _explain(svc, conn, *seen[-1])
    if svc.db.backend == "sqlite":
        ok = "ix_cases_inbox" in plan and "SCAN cases" not in plan
    else:
        ok = "ix_cases_inbox" in plan
    run.add(
        "plan: inbox query uses ix_cases_inbox",
        1.0 if ok else 0.0,
        "bool",
        "index",
        ok,
        command,
        plan[:160],
    )


def _explain(svc: Any, conn: Any, statement: str, parameters: Any) -> str:
    if svc.db.backend == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return " | ".join(str(r[-1]) for r in rows)
    return " | ".join(
        r[0].strip() for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)
    )


def _conflict_plan(run: Run, svc: Any, conn: Any, lookup: Callable[[], Any], command: str) -> None:
    """The availability lookup's conflict query (the one `book` and `block`
    run too, for one person) must find a person's bookings through an index,
    not scan the bookings table."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM narasumber_bookings" in statement and "ends_at >" in statement:
            seen.append((statement, parameters))

    event.listen(svc.db.engine, "before_cursor_execute", capture)
    lookup()
    event.remove(svc.db.engine, "before_cursor_execute", capture)
    plan = _explain(svc, conn, *seen[-1])
    index = "ix_narasumber_bookings_slot"
    if svc.db.backend == "sqlite":
        ok = index in plan and "SCAN narasumber_bookings" not in plan
    else:  # the exclusion constraint's gist index serves as well
        ok = (index in plan or "ex_narasumber_bookings_no_overlap" in plan) and (
            "Seq Scan on narasumber_bookings" not in plan
        )
    scans = [step for step in plan.split(" | ") if "SCAN" in step.upper() or "SEARCH" in step]
    run.add(
        f"plan: conflict query uses {index}",
        1.0 if ok else 0.0,
        "bool",
        "index",
        ok,
        command,
        " | ".join(scans)[:160],
    )


# ----- writes ----------------------------------------------------------------------------


def _writer(db: str, case_ids: list[int], seconds: float, out: mp.Queue) -> None:
    from soptui.errors import SoptuiError

    svc = office(db)
    admin = svc.users.actor("admin")
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        case_id = case_ids[i % len(case_ids)]
        i += 1
        t0 = time.perf_counter()
        try:
            if i % 2:
                svc.cases.add_note(admin, case_id, text=f"catatan {i}")
            else:
                svc.cases.pause(admin, case_id, note="jeda") if i % 4 == 0 else svc.cases.resume(
                    admin, case_id
                )
        except SoptuiError:
            pass  # refused by the rules (paused/not paused): still a committed-or-refused action
        except Exception:
            errors += 1
        latencies.append(time.perf_counter() - t0)
    svc.close()
    out.put((latencies, errors))


def writes(run: Run, db: str, seconds: float, command: str) -> None:

    svc = office(db)
    admin = svc.users.actor("admin")
    ids = [r.id for r in svc.cases.list_cases(admin, view="all", limit=400)]
    svc.close()
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db, ids[w::4], seconds, out)) for w in range(4)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    rate = len(lat) / elapsed
    p99 = lat[int(0.99 * (len(lat) - 1))] * 1000
    run.add(
        "writes: 4 processes, actions/s",
        rate,
        "1/s",
        ">= 500" if not run.small else ">= 50",
        rate >= (50 if run.small else 500),
        command,
        f"{len(lat)} actions",
    )
    run.add(
        "writes: p99 latency",
        p99,
        "ms",
        "<= 150" if not run.small else "<= 1500",
        p99 <= (1500 if run.small else 150),
        command,
    )
    run.add("writes: errors", errors, "count", "0", errors == 0, command)


# ----- many clerks on one server --------------------------------------------------------


def clerk_figures(run: Run, db: str, tmp: Path, args: Any, command: str) -> None:
    """Simulated clerks (processes, each a watching client as the app is) on
    one server working the mix of server_bench.MIX; see bench/README.md."""
    small = run.small
    count = args.clerks or (10 if small else 50)
    seconds = args.clerk_seconds or (10.0 if small else 120.0)
    idle = 5.0 if small else 10.0
    f = clerks(
        db, tmp / "run" / "clerks.sock", count=count, seconds=seconds, think=args.think, idle=idle
    )
    what = f"{count} clerks x {seconds:g} s"
    p99_limit = 1000.0 if small else 100.0
    run.add(
        f"clerks: {what}, actions",
        f.actions,
        "count",
        "-",
        None,
        command,
        f"{f.writes} confirmed writes, {f.actions / seconds:.1f} actions/s, "
        f"{f.queries} queries, think {args.think:g} s",
    )
    run.add(
        "clerks: errors",
        len(f.errors),
        "count",
        "0",
        not f.errors,
        command,
        "; ".join(sorted(set(f.errors)))[:200],
    )
    run.add(
        "clerks: lost (confirmed, not in the audit trail)",
        f.lost,
        "count",
        "0",
        f.lost == 0 and f.unconfirmed == 0 and f.chain_ok,
        command,
        f"{f.unconfirmed} written unconfirmed; chain {'verifies' if f.chain_ok else 'BROKEN'}",
    )
    run.add(
        "clerks: refused by the rules (stale, conflict)",
        sum(f.refused.values()),
        "count",
        "-",
        None,
        command,
        ", ".join(f"{k} {v}" for k, v in f.refused.most_common(4)),
    )
    run.add(
        "clerks: p99 action latency (SQLite)",
        f.p99_ms,
        "ms",
        f"<= {p99_limit:g}",
        f.p99_ms <= p99_limit,
        command,
        f"p50 {f.p50_ms:.1f} ms; reads p99 {f.p99_read_ms:.0f}, writes p99 "
        f"{f.p99_write_ms:.0f}; "
        + ", ".join(f"{op} {p:.0f}" for op, (n, p) in f.by_op.items() if n),
    )
    run.add(
        "clerks: change visible to the others, p99",
        f.visible_p99_ms,
        "ms",
        "<= 1000",
        f.visible_p99_ms <= 1000 and f.not_seen == 0,
        command,
        f"p50 {f.visible_p50_ms:.1f} ms over {f.visible_samples} (write, watcher) pairs; "
        f"{f.not_seen} never seen",
    )
    run.add(
        f"clerks: queries while {count} clients sit idle {idle:g} s",
        f.idle_queries,
        "count",
        "0",
        f.idle_queries == 0,
        command,
    )
    per_client = (f.rss_many_kib - f.rss_one_kib) / max(1, count - 1) / 1024
    run.add(
        f"server RSS: per connected client (1 -> {count})",
        per_client,
        "MiB",
        "<= 2",
        per_client <= 2,
        command,
        f"{f.rss_one_kib / 1024:.0f} -> {f.rss_many_kib / 1024:.0f} MiB; "
        f"{f.rss_after_kib / 1024:.0f} MiB after the work",
    )


def pg_figures(run: Run, args: Any, pairs: int, command: str) -> Any:
    """The start figures on PostgreSQL: a throwaway server (as the test suite
    starts one), an office generated into it. Returns the server to stop."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import PgNotFound, start

    try:
        pg = start("soptui_bench")
    except PgNotFound:
        print("no PostgreSQL binaries: PostgreSQL figures skipped", flush=True)
        return None
    url = pg.url
    cases = args.pg_cases or (3_000 if run.small else 20_000)
    t0 = time.perf_counter()
    counts = generate(url, cases, 7, quiet=True)
    print(f"generated on PostgreSQL {counts} in {time.perf_counter() - t0:.0f} s", flush=True)
    start_figures(run, url, "PostgreSQL", pairs, command)
    stop_private(url)
    return pg


def audit_verify(run: Run, db: str, command: str) -> None:
    """`soptui audit verify` over the whole trail: chain, seals, SOP hashes and
    every state row against the seals (the generated data is one baseline seal)."""
    svc = office(db)
    try:
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            report = svc.audit_verify()
            times.append(time.perf_counter() - t0)
    finally:
        svc.close()
    limit = 60.0 if not run.small else 30.0
    run.add(
        "audit verify: whole trail and state",
        min(times),
        "s",
        f"<= {limit:.0f}",
        report.ok and min(times) <= limit,
        command,
        f"{report.events} events, {report.seals} seals, ok={report.ok}",
    )


# ----- the whole run ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="soptui benchmark")
    parser.add_argument("--small", action="store_true", help="CI mode: small data, generous limits")
    parser.add_argument(
        "--db", default=None, help="use this database (else a generated SQLite file)"
    )
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument(
        "--persons", type=int, default=None, help="narasumber to generate (cases / 10)"
    )
    parser.add_argument(
        "--bookings", type=int, default=None, help="bookings to generate (20 a person)"
    )
    parser.add_argument("--pairs", type=int, default=None)
    parser.add_argument(
        "--data-only",
        action="store_true",
        help="only the data-layer figures and query plans (no terminal, no writes)",
    )
    parser.add_argument(
        "--audit-only", action="store_true", help="only the audit verify figure"
    )
    parser.add_argument("--write-doc", default=None, help="write the figures as markdown here")
    parser.add_argument(
        "--clerks", type=int, default=None, help="simulated clerks on one server (10 small, 50)"
    )
    parser.add_argument(
        "--clerk-seconds", type=float, default=None, help="how long they work (10 small, 120)"
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="a clerk's mean pause between actions, s"
    )
    parser.add_argument(
        "--pg", action="store_true", help="also the start figures on a throwaway PostgreSQL"
    )
    parser.add_argument(
        "--pg-cases", type=int, default=None, help="cases generated into it (3,000 small, 20,000)"
    )
    args = parser.parse_args()
    small = args.small
    cases = args.cases or (3_000 if small else 100_000)
    persons, bookings, _ = registry_sizes(cases, args.persons, args.bookings, None)
    pairs = args.pairs or (5 if small else 15)
    command = (
        "python bench/run.py"
        + (" --small" if small else "")
        + (f" --cases {cases}" if args.cases else "")
        + (f" --persons {persons}" if args.persons else "")
        + (f" --bookings {bookings}" if args.bookings else "")
        + (" --data-only" if args.data_only else "")
        + (f" --clerks {args.clerks}" if args.clerks else "")
        + (f" --clerk-seconds {args.clerk_seconds:g}" if args.clerk_seconds else "")
        + (f" --think {args.think:g}" if args.think != 1.0 else "")
        + (" --pg" if args.pg else "")
        + (f" --pg-cases {args.pg_cases}" if args.pg_cases else "")
        + (" --audit-only" if args.audit_only else "")
    )
    run = Run(small)
    # Measure what an installed copy starts with: compiled modules (a
    # checkout run with PYTHONDONTWRITEBYTECODE would compile every soptui
    # module at every start, and the baseline's Textual is compiled).
    for folder in ("soptui", "screens", "db"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="soptui-bench-"))
    # Every private server a client spawns: under tmp (and, for the office the
    # benchmark generates, its audit key and head log too).
    sandbox = Sandbox(tmp, own_data=args.db is None)
    pg = None
    try:
        db = args.db or str(tmp / "bench.sqlite")
        if args.db is None:
            t0 = time.perf_counter()
            counts = generate(db, cases, 7, quiet=True, persons=persons, bookings=bookings)
            print(f"generated {counts} in {time.perf_counter() - t0:.0f} s", flush=True)
        # The server's first start seals the generated trail with its key, as
        # in an office; everything after writes and verifies with that key.
        warm_server(db)
        ui = db if "://" not in db or db.startswith("sqlite") else None
        if args.audit_only:
            audit_verify(run, db, command)
        else:
            if ui and not args.data_only:
                ui_figures(run, ui, pairs, command)
            data_layer(run, db, max(pairs, 15), command)
            audit_verify(run, db, command)
        if not args.data_only and not args.audit_only:
            writes(run, db, 3.0 if small else 10.0, command)
            clerk_figures(run, db, tmp, args, command)
        if args.pg and not args.data_only and not args.audit_only:
            pg = pg_figures(run, args, pairs, command)
    finally:
        if pg is not None:
            pg.stop()
        stopped = sandbox.stop()
        left = servers_under(str(tmp))
        print(f"private servers stopped at the end: {stopped}; still running: {len(left)}")
        shutil.rmtree(tmp, ignore_errors=True)
    if left:
        run.add("processes left behind", len(left), "count", "0", False, command)
    if args.write_doc:
        write_doc(Path(args.write_doc), run, command, cases)
    missed = [f for f in run.figures if f.ok is False]
    if small and missed:
        print(f"{len(missed)} figure(s) out of bounds", file=sys.stderr)
        sys.exit(1)


IDLE_WINDOW_START = (4, 48)  # seconds past the minute: polled since the turn, done before the next


def _wait_for_quiet_minute(prog: PtyProgram) -> None:
    """Let the program run (its output read) until the clock is within IDLE_WINDOW_START."""
    first, last = IDLE_WINDOW_START
    second = time.localtime().tm_sec
    if first <= second <= last:
        return
    wait = (60 - second + first) if second > last else (first - second)
    prog.idle_bytes(float(wait))


def start_figures(run: Run, db: str, backend: str, pairs: int, command: str) -> None:
    """Cold start to inbox rows, soptui against the bare Textual app: with the
    user's private server already running (warm), and as the first start of
    the day (no server yet: the app spawns it)."""
    ours = soptui_argv(db)
    base = baseline_argv()
    # Small mode only catches gross regressions (CI machines are busy and
    # small); the full run holds the targets.
    warm_limit, first_limit = (6.0, 8.0) if run.small else (1.1, 1.5)

    def first_of_day(start: Callable[[list[str], str], float]) -> Callable[[list[str], str], float]:
        def measure(argv: list[str], ready: str) -> float:
            if argv is ours:
                stop_private(db)  # not timed: the app finds no server and spawns one
            return start(argv, ready)

        return measure

    def start_ratio(
        what: str, start: Callable[[list[str], str], float], count: int, limit: float
    ) -> None:
        name = f"cold start to inbox rows, {what} ({backend})"
        try:
            ratio, a, b = median_ratio(
                lambda: start(ours, READY_SOPTUI), lambda: start(base, READY_BASELINE), count
            )
        except (subprocess.CalledProcessError, TimeoutError) as exc:
            if "tmux" not in what:
                raise
            # tmux itself misbehaving is not a soptui regression: say so, go on.
            detail = getattr(exc, "stderr", b"") or str(exc)
            run.add(
                name,
                float("nan"),
                "x base",
                f"<= {limit}",
                None,
                command,
                f"tmux failed: {detail!r:.80}",
            )
            return
        run.add(
            name,
            ratio,
            "x base",
            f"<= {limit}",
            ratio <= limit,
            command,
            f"{a * 1000:.0f} ms vs {b * 1000:.0f} ms",
        )

    tmux = shutil.which("tmux") is not None
    keeper = f"bench-keep-{os.getpid()}"
    if tmux:
        # A session that outlives the measured ones keeps the tmux server up:
        # otherwise killing the last session stops the server, and the next
        # start can meet it half-way down ("server exited unexpectedly").
        subprocess.run(
            [*TMUX, "new-session", "-d", "-s", keeper, "sleep 3600"], capture_output=True
        )
    try:
        warm_server(db)
        start_ratio("server warm, pty 120x40", cold_start_pty, pairs, warm_limit)
        if tmux:
            start_ratio("server warm, tmux 120x40", cold_start_tmux, max(3, pairs // 2), warm_limit)
        first = max(3, pairs // 2 + 1)
        start_ratio(
            "first of the day (spawns the server), pty 120x40",
            first_of_day(cold_start_pty),
            first,
            first_limit,
        )
        if tmux:
            start_ratio(
                "first of the day (spawns the server), tmux 120x40",
                first_of_day(cold_start_tmux),
                max(3, first // 2 + 1),
                first_limit,
            )
    finally:  # else a "sleep 3600" session outlives every run by an hour
        if tmux:
            subprocess.run([*TMUX, "kill-server"], capture_output=True)
            # and its socket file, which tmux leaves behind
            tmux_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
            (tmux_dir / TMUX[2]).unlink(missing_ok=True)
        warm_server(db)  # what follows measures the app with its server running


def ui_figures(run: Run, db: str, pairs: int, command: str) -> None:
    ours = soptui_argv(db)
    base = baseline_argv()
    start_figures(run, db, "SQLite", pairs, command)
    # one long session of each for keys, bytes and memory
    base_prog = PtyProgram(base)
    base_prog.wait_for(READY_BASELINE)
    base_first = base_prog.total + base_prog.settle()
    base_rss = base_prog.close()
    prog = PtyProgram(ours)
    prog.wait_for(READY_SOPTUI)
    first = prog.total + prog.settle(quiet=0.8)
    timeline, filtered = [], []
    for _ in range(max(3, pairs // 3)):
        prog.send("\r")
        timeline.append(prog.wait_for(r"Output:|Kelengkapan"))
        prog.settle()
        prog.send("\x1b")
        prog.wait_for(READY_SOPTUI)
        prog.settle()
    for term in ("1", "12"):
        prog.send("/" + term)
        filtered.append(prog.wait_for(r"Saya \d+"))
        prog.settle()
        prog.send("\x1b")
        prog.settle()
    cursor_bytes = []
    for _ in range(5):
        prog.send("j")
        cursor_bytes.append(prog.settle())
    cursor = statistics.median(cursor_bytes)
    prog.send("\x1b[6~")  # PageDown
    scroll = prog.settle()
    # Due texts ("sisa 4m") change when the minute turns: that is content, not
    # idle repainting. So the window starts once the app has polled since the
    # last turn (a poll every 2.5 s) and ends before the next one.
    _wait_for_quiet_minute(prog)
    idle = prog.idle_bytes(10.0)
    rss = prog.close()
    t_ms = statistics.median(timeline) * 1000
    run.add(
        "key press to case timeline drawn",
        t_ms,
        "ms",
        "<= 100",
        t_ms <= (500 if run.small else 100),
        command,
    )
    f_ms = statistics.median(filtered) * 1000
    run.add("key press to inbox filter applied (rows and counts)", f_ms, "ms", "-", None, command)
    ratio = first / base_first
    run.add(
        "bytes: first paint",
        ratio,
        "x base",
        "<= 1.1",
        ratio <= (3 if run.small else 1.1),
        command,
        f"{first} B vs {base_first} B",
    )
    run.add(
        "bytes: cursor key",
        cursor,
        "B",
        "<= 2048",
        cursor <= 2048 * (3 if run.small else 1),
        command,
    )
    run.add("bytes: scrolling key (PageDown)", scroll, "B", "-", None, command)
    # Small mode catches a repainting clock or spinner (tens of KB in 10 s); a
    # single late repaint of ~1.5 KB was seen in busy CI runs before the window
    # kept clear of the minute's turn.
    idle_limit = 4096 if run.small else 0
    run.add("bytes: 10 s idle", idle, "B", "0", idle <= idle_limit, command)
    ratio = rss / base_rss
    run.add(
        "peak RSS of the clerk's process",
        ratio,
        "x base",
        "<= 1.3",
        ratio <= (3 if run.small else 1.3),
        command,
        f"{rss / 1024:.0f} MiB vs {base_rss / 1024:.0f} MiB",
    )


def write_doc(path: Path, run: Run, command: str, cases: int) -> None:
    lines = [
        "# Performance: figures of the latest full benchmark run",
        "",
        f"Command: `{command}` ({cases:,} generated cases; every timing a median ratio "
        "against a baseline measured in the same run, alternating). Machine: "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}.",
        "",
        "| figure | value | unit | target | met | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in run.figures:
        met = "yes" if f.ok else ("-" if f.ok is None else "**no**")
        note = f.note.replace("|", "/")
        lines.append(f"| {f.name} | {f.value:.3f} | {f.unit} | {f.target} | {met} | {note} |")
    # The hand-written sections (what a missed target costs and why; the data
    # layer on both backends over several runs) stay.
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    for first, last in KEPT_SECTIONS:
        begin, end = old.find(first), old.find(last)
        if 0 <= begin < end:
            lines += ["", old[begin : end + len(last)]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


NOTES_SECTION = ("<!-- notes section", "<!-- end of the notes section -->")
DATA_SECTION = ("<!-- data-layer section", "<!-- end of the data-layer section -->")
KEPT_SECTIONS = (NOTES_SECTION, DATA_SECTION)


if __name__ == "__main__":
    main()
