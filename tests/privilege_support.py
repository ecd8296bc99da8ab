"""Real OS users for the privilege and SSH tests (tests/test_privilege.py).

Run as root (CI is), this makes what docs/deployment.md makes, with names of
its own so that it never meets a real installation or another test session:

- soptui installed the way the guide installs it: a venv of Debian's
  /usr/bin/python3 with `pip install` of a copy of this repository (not
  editable), in a world-readable folder. The dependencies live in a venv kept
  between sessions (/var/tmp, keyed by pyproject.toml's dependency lists);
  each session installs this tree's soptui on top (a few seconds);
- the accounts: the server's service account, the clerks alice and bob in a
  clerks group, mallory in the group but registered nowhere (tag = our pid,
  e.g. alice_1234; removed at the end; a killed session's are removed by the
  next one);
- the server started from deploy/soptui.service's own ExecStart line, as the
  service account, with its UMask, over SQLite or PostgreSQL.

Not root: the tests skip, except under CI (CI=true), where they fail saying why.
"""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import grp
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
UNIT_FILE = DEPLOY / "soptui.service"
SSHD_SNIPPET = DEPLOY / "sshd-soptui.conf"
PG_SETUP = DEPLOY / "postgresql.sql"
SYSTEM_PYTHON = Path("/usr/bin/python3")
CACHE = Path("/var/tmp/soptui-privilege")
MARK = "soptui privilege test"  # the GECOS of every account made here
ROLES = ("soptui", "alice", "bob", "mallory", "boss")  # service account, clerks, admin
GUIDE_PATHS = ("/opt/soptui", "/run/soptui", "/var/lib/soptui")
TIMINGS: dict[str, float] = {}  # what set-up cost, printed by the test module


def need_root() -> None:
    """Skip when not root; under CI, fail instead (the suite must run there)."""
    problem = None
    if os.geteuid() != 0:
        problem = "needs root (it creates OS accounts)"
    elif not SYSTEM_PYTHON.exists():
        problem = f"needs {SYSTEM_PYTHON} (Debian's python3)"
    else:
        missing = [t for t in ("useradd", "userdel", "groupadd", "groupdel") if not shutil.which(t)]
        if missing:
            problem = "needs " + ", ".join(missing)
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"privilege suite: {problem}; under CI it must run", pytrace=False)
    pytest.skip(f"privilege suite {problem}")


def need_tool(*names: str) -> None:
    missing = [n for n in names if not shutil.which(n) and not Path(n).exists()]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (.ci/run installs them)"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _run(argv: Sequence[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        **kw,  # type: ignore[call-overload]
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(argv)}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
        )
    return proc


# ----- the install (as the guide does it) -----------------------------------------------


def _deps_key() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {
        "deps": project["dependencies"],
        "postgres": project["optional-dependencies"]["postgres"],
        "python": subprocess.run(
            [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
        ).stdout,
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16]


def _site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python3*/site-packages")
    return found


def _deps_venv() -> Path:
    """soptui's dependencies in a venv of Debian's python, kept between sessions."""
    CACHE.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(CACHE, 0o755)
    key = _deps_key()
    venv = CACHE / f"deps-{key}"
    with open(CACHE / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "ready").exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        start = time.monotonic()
        _run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)])
        # The project's own dependency lists (the postgres extra too), and
        # setuptools to build soptui with, without a network round per session.
        project = tomllib.loads((REPO / "pyproject.toml").read_text())
        deps = [
            *project["project"]["dependencies"],
            *project["project"]["optional-dependencies"]["postgres"],
            *project["build-system"]["requires"],
        ]
        _run([str(venv / "bin/pip"), "install", "-q", *deps], timeout=900)
        (venv / "ready").write_text(key)
        TIMINGS["dependencies venv (first time on this machine)"] = time.monotonic() - start
        for old in CACHE.glob("deps-*"):
            if old != venv and time.time() - old.stat().st_mtime > 86400:
                shutil.rmtree(old, ignore_errors=True)
    return venv


def install(folder: Path) -> Path:
    """A venv at folder/opt with soptui installed from a copy of this tree, as
    the guide's `python3 -m venv /opt/soptui; pip install ...`. Returns it."""
    start = time.monotonic()
    deps = _deps_venv()
    source = folder / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("soptui", "screens", "db"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    venv = folder / "opt"
    # Without a pip of its own: the kept venv's pip and setuptools (and every
    # dependency) are seen through a .pth line, and install into this one.
    _run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)])
    (_site_packages(venv) / "soptui-deps.pth").write_text(f"{_site_packages(deps)}\n")
    _run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps",
         "--no-build-isolation", "--no-warn-script-location", str(source)],
        cwd=folder,
        timeout=300,
    )  # fmt: skip
    shutil.rmtree(source)
    TIMINGS["install soptui into a venv"] = time.monotonic() - start
    return venv


# ----- accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    login: str
    uid: int
    gid: int
    home: Path
    groups: tuple[int, ...]

    @classmethod
    def of(cls, login: str) -> Account:
        entry = pwd.getpwnam(login)
        return cls(
            login,
            entry.pw_uid,
            entry.pw_gid,
            Path(entry.pw_dir),
            tuple(os.getgrouplist(login, entry.pw_gid)),
        )

    def env(self, venv: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            "PATH": f"{venv}/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "USER": self.login,
            "LOGNAME": self.login,
            "LANG": "C.UTF-8",
            "SOPTUI_LANG": "en",
        }
        env.update(extra or {})
        return env


def processes_of(uid: int) -> list[str]:
    """Command lines of the processes running as uid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(f"{entry.name}: {cmd.strip()}")
    return found


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_account(login: str) -> None:
    for line in processes_of(pwd.getpwnam(login).pw_uid):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(line.split(":")[0]), 9)
    subprocess.run(["userdel", "--remove", login], capture_output=True, check=False)


def reap_stale_accounts() -> None:
    """Accounts and groups a killed session left (their pid is gone)."""
    for entry in pwd.getpwall():
        if not entry.pw_gecos.startswith(MARK):
            continue
        pid = int(entry.pw_gecos.split()[-1]) if entry.pw_gecos.split()[-1].isdigit() else 0
        if pid and not _pid_alive(pid):
            _remove_account(entry.pw_name)
    for group in grp.getgrall():
        match = re.fullmatch(r"clerks_(\d+)", group.gr_name)
        if match and not _pid_alive(int(match.group(1))):
            subprocess.run(["groupdel", group.gr_name], capture_output=True, check=False)


@dataclass
class Accounts:
    tag: str
    group: str
    made: list[str] = field(default_factory=list)

    def name(self, role: str) -> str:
        return f"{role}_{self.tag}"

    def __getitem__(self, role: str) -> Account:
        return Account.of(self.name(role))

    def remove(self) -> None:
        for login in reversed(self.made):
            with contextlib.suppress(KeyError):
                _remove_account(login)
        subprocess.run(["groupdel", self.group], capture_output=True, check=False)


@contextlib.contextmanager
def accounts() -> Iterator[Accounts]:
    """The service account, alice and bob (clerks), mallory (in the clerks
    group, registered nowhere), boss (the office's first admin)."""
    start = time.monotonic()
    reap_stale_accounts()
    tag = str(os.getpid())
    made = Accounts(tag, f"clerks_{tag}")
    try:
        _run(["groupadd", made.group])
        gecos = f"{MARK} {tag}"
        # As the guide: a system account, in the clerks group so that it may
        # give its socket to that group.
        service = made.name("soptui")
        _run(
            ["useradd", "--system", "--user-group", "--groups", made.group, "--comment", gecos,
             "--home-dir", "/nonexistent", "--no-create-home", "--shell", "/usr/sbin/nologin",
             service]
        )  # fmt: skip
        made.made.append(service)
        for role in ROLES[1:]:
            login = made.name(role)
            # '*': no password, and not a locked account (sshd refuses those).
            _run(
                ["useradd", "--create-home", "--user-group", "--groups", made.group,
                 "--comment", gecos, "--shell", "/bin/sh", "--password", "*", login]
            )  # fmt: skip
            made.made.append(login)
        TIMINGS["accounts"] = time.monotonic() - start
        yield made
    finally:
        made.remove()


# ----- running things as someone -----------------------------------------------------------


def run_as(
    who: Account,
    argv: Sequence[str],
    venv: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """argv as `who` (uid, gid and groups as at login), in their home."""
    return subprocess.run(
        list(argv),
        user=who.uid,
        group=who.gid,
        extra_groups=list(who.groups),
        env=who.env(venv, env),
        cwd=who.home if who.home.is_dir() else "/",
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ----- the unit file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """The parts of deploy/soptui.service the tests run by hand."""

    exec_start: list[str]
    environment: dict[str, str]
    user: str
    group: str
    umask: int
    runtime_mode: int
    state_mode: int

    @classmethod
    def load(cls, path: Path = UNIT_FILE) -> Unit:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(path)
        service = parser["Service"]
        env = dict(part.split("=", 1) for part in shlex.split(service["Environment"]))
        return cls(
            shlex.split(service["ExecStart"]),
            env,
            service["User"],
            service["Group"],
            int(service["UMask"], 8),
            int(service["RuntimeDirectoryMode"], 8),
            int(service["StateDirectoryMode"], 8),
        )

    def command(self, env: dict[str, str], paths: dict[str, str], group: str) -> list[str]:
        """ExecStart with ${VAR} expanded from env (as systemd does), the
        guide's folders moved to the test's, and the clerks group renamed."""
        argv = []
        for i, arg in enumerate(self.exec_start):
            arg = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], arg)
            for old, new in paths.items():
                if arg == old or arg.startswith(old + "/"):
                    arg = new + arg[len(old) :]
            if i and self.exec_start[i - 1] == "--group":
                arg = group
            argv.append(arg)
        return argv


def sshd_snippet(venv: Path, socket_path: Path, group: str) -> str:
    """deploy/sshd-soptui.conf for the test's install, socket and group."""
    text = SSHD_SNIPPET.read_text()
    assert "/opt/soptui/bin/soptui --server /run/soptui/soptui.sock" in text
    text = text.replace("/opt/soptui", str(venv)).replace(
        "/run/soptui/soptui.sock", str(socket_path)
    )
    return re.sub(r"^Match Group clerks$", f"Match Group {group}", text, flags=re.M)


# ----- the office server ---------------------------------------------------------------------


def wait_for_socket(
    path: Path, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server left (exit {process.returncode}):\n{log.read_text()}")
        if path.exists():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(path))
                return
            except OSError:
                pass
            finally:
                probe.close()
        time.sleep(0.05)
    raise RuntimeError(f"no server on {path} after {timeout} s:\n{log.read_text()}")


@dataclass
class Office:
    """One office server, as the service account, and what the tests need."""

    backend: str
    venv: Path
    accounts: Accounts
    socket: Path
    state: Path  # the service account's 0700 folder (the SQLite file lives there)
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    pg: PgCluster | None = None

    @property
    def soptui(self) -> str:
        return str(self.venv / "bin/soptui")

    def cli(
        self, who: str | Account, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`soptui --server SOCKET ARGS` as who (a role name, or an account)."""
        account = who if isinstance(who, Account) else self.accounts[who]
        return run_as(
            account, [self.soptui, "--server", str(self.socket), *args], self.venv, env=env
        )

    def sql(self, query: str) -> list[tuple[str, ...]]:
        """A query on the office database, by root (SQLite) or the postgres
        superuser: what was really recorded, not what soptui says."""
        if self.pg is not None:
            return self.pg.query(query)
        import sqlite3

        path = self.url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return [tuple(str(v) for v in row) for row in db.execute(query)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_office(backend: str, venv: Path, made: Accounts, folder: Path) -> Office:
    """The server as the guide runs it by hand where systemd does not run:
    the unit's ExecStart, as its User, with its UMask, /run/soptui (0755,
    the service account's) and /var/lib/soptui (0700) made first."""
    start = time.monotonic()
    unit = Unit.load()
    assert unit.user == "soptui" and unit.group == "soptui"
    service = made["soptui"]
    run_dir = folder / f"run-{backend}"
    state = folder / f"state-{backend}"
    run_dir.mkdir(mode=unit.runtime_mode)
    state.mkdir(mode=unit.state_mode)
    for path, mode in ((run_dir, unit.runtime_mode), (state, unit.state_mode)):
        os.chown(path, service.uid, service.gid)
        os.chmod(path, mode)
    pg = None
    env = dict(unit.environment)
    if backend == "postgresql":
        pg = PgCluster.start(folder / "pg")
        pg.setup_for(service.login)
        env["SOPTUI_DB"] = pg.url_for(service.login)
    paths = {"/opt/soptui": str(venv), "/run/soptui": str(run_dir), "/var/lib/soptui": str(state)}
    argv = unit.command(env, paths, made.group)
    url = argv[argv.index("--db") + 1]
    sock = Path(argv[argv.index("--socket") + 1])
    log = folder / f"server-{backend}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv,
            user=service.uid,
            group=service.gid,
            extra_groups=list(service.groups),
            umask=unit.umask,
            env={"PATH": "/usr/bin:/bin", "HOME": str(state), "LANG": "C.UTF-8", **env},
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    office = Office(backend, venv, made, sock, state, url, process, log, pg)
    try:
        wait_for_socket(sock, process, log)
    except BaseException:
        office.stop()
        if pg is not None:
            pg.stop()
        raise
    TIMINGS[f"server up ({backend})"] = time.monotonic() - start
    return office


# ----- a PostgreSQL cluster the way Debian sets one up (peer authentication) ----------------


@dataclass
class PgCluster:
    bindir: Path
    workdir: Path

    @classmethod
    def start(cls, workdir: Path) -> PgCluster:
        from pg_server import SERVER_OPTIONS, find_bindir

        bindir = find_bindir()
        workdir.mkdir(mode=0o755)
        shutil.chown(workdir, "postgres", "postgres")
        cluster = cls(bindir, workdir)
        # Debian's defaults for local connections: peer, nothing over TCP.
        cluster._as_pg(
            [str(bindir / "initdb"), "-D", str(workdir / "data"), "-U", "postgres",
             "--auth-local=peer", "--auth-host=reject", "--no-sync", "-E", "UTF8",
             "--locale=C.UTF-8"]
        )  # fmt: skip
        cluster._as_pg(
            [str(bindir / "pg_ctl"), "-D", str(workdir / "data"), "-l", str(workdir / "log"),
             "-w", "-t", "30", "-o", f"-k {workdir} {SERVER_OPTIONS}", "start"]
        )  # fmt: skip
        return cluster

    def _as_pg(self, argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return _run(argv, user="postgres", group="postgres", cwd=self.workdir, timeout=timeout)

    def psql(self, *args: str, database: str = "postgres") -> str:
        return self._as_pg(
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
             str(self.workdir), "-U", "postgres", "-d", database, *args]
        ).stdout  # fmt: skip

    def setup_for(self, role: str) -> None:
        """deploy/postgresql.sql, as the guide runs it, for this role."""
        self.psql("-v", f"role={role}", "-f", str(PG_SETUP))

    def url_for(self, role: str) -> str:
        return f"postgresql+psycopg://{role}@/soptui?host={self.workdir}"

    def query(self, sql: str) -> list[tuple[str, ...]]:
        out = self.psql("-A", "-t", "-F", "\t", "-c", sql, database="soptui")
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._as_pg(
                [str(self.bindir / "pg_ctl"), "-D", str(self.workdir / "data"), "-m",
                 "immediate", "-w", "stop"],
                timeout=30,
            )  # fmt: skip
        shutil.rmtree(self.workdir, ignore_errors=True)


def session_folder() -> Path:
    """A world-readable (0755) temp folder; /tmp keeps socket paths short."""
    folder = Path(tempfile.mkdtemp(prefix="soptui-priv-", dir="/tmp"))
    os.chmod(folder, 0o755)
    return folder


def python_of(venv: Path) -> str:
    return str(venv / "bin/python")


__all__ = [
    "Account",
    "Accounts",
    "Office",
    "PgCluster",
    "Unit",
    "accounts",
    "install",
    "need_root",
    "need_tool",
    "processes_of",
    "python_of",
    "run_as",
    "session_folder",
    "sshd_snippet",
    "start_office",
]
