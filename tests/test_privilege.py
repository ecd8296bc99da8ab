"""The privilege suite: clients as real, different OS users against an office
server run as its service account, installed and configured from the files
docs/deployment.md ships (deploy/soptui.service, deploy/postgresql.sql,
deploy/sshd-soptui.conf). Both backends; then the SSH path on SQLite.

Needs root (it makes throwaway accounts: tests/privilege_support.py); skips
without it, except under CI, where it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from privilege_support import (
    TIMINGS,
    Account,
    Accounts,
    Office,
    accounts,
    install,
    need_root,
    need_tool,
    processes_of,
    python_of,
    run_as,
    session_folder,
    sshd_snippet,
    start_office,
)

HERE = Path(__file__).resolve().parent
SOP = "NARSUM-PERMINTAAN"  # started by petugas-teknis (it records the pemohon's request)
FORGED_ENV = {
    "USER": "{bob}",
    "LOGNAME": "{bob}",
    "SUDO_USER": "{bob}",
    "SUDO_UID": "{bob_uid}",
    "SOPTUI_IDENTITY": "database",
}


# ----- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    need_root()
    path = session_folder()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def venv(folder: Path) -> Path:
    return install(folder)


@pytest.fixture(scope="module")
def people(folder: Path) -> Iterator[Accounts]:
    with accounts() as made:
        yield made


@pytest.fixture(scope="module")
def probe(folder: Path) -> Path:
    """The hand-made-request script, where the clerks can read it."""
    target = folder / "privilege_probe.py"
    shutil.copy(HERE / "privilege_probe.py", target)
    os.chmod(target, 0o644)
    return target


def _backends() -> list[pytest.param]:
    return [
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]


@pytest.fixture(scope="module", params=_backends())
def office(
    request: pytest.FixtureRequest, folder: Path, venv: Path, people: Accounts
) -> Iterator[Office]:
    if request.param == "postgresql":
        from pg_server import PgNotFound, find_bindir

        try:
            find_bindir()
        except PgNotFound as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(str(exc), pytrace=False)
            pytest.skip(str(exc))
    office = start_office(request.param, venv, people, folder)
    try:
        setup_office(office)
        yield office
    finally:
        office.stop()
        if office.pg is not None:
            office.pg.stop()
        leftover = processes_of(people["soptui"].uid)
        assert not leftover, f"the server account left processes: {leftover}"


def setup_office(office: Office) -> None:
    """As the guide: root adds the first admin (boss); boss adds the clerks."""
    people = office.accounts
    # An office database with no users yet: no clerk makes themselves its admin.
    for args in (
        ["user", "add", people.name("alice"), "--name", "A", "--role", "admin"],
        ["init"],
    ):
        line = one_line(office.cli("alice", *args))
        assert "has no admin yet" in line, line
    root = subprocess.run(
        [office.soptui, "--lang", "en", "--server", str(office.socket), "user", "add",
         people.name("boss"), "--name", "Boss Admin", "--role", "admin"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert root.returncode == 0, root.stderr
    for role, name, job in (
        ("alice", "Alice Clerk", "petugas-teknis"),
        ("bob", "Bob Clerk", "pejabat-level-1"),
    ):
        done = office.cli("boss", "user", "add", people.name(role), "--name", name, "--role", job)
        assert done.returncode == 0, done.stderr


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The refusal: exactly one line on stderr, nothing on stdout."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0, proc
    assert len(lines) == 1 and lines[0].startswith("soptui: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == "", proc.stdout
    return lines[0]


def probe_as(office: Office, who: str, probe: Path, *args: str) -> dict[str, dict]:
    proc = run_as(
        office.accounts[who],
        [python_of(office.venv), str(probe), str(office.socket), *args],
        office.venv,
    )
    assert proc.returncode == 0, proc.stderr
    return {entry["probe"]: entry for entry in map(json.loads, proc.stdout.splitlines())}


def logins_on_case(office: Office, case_id: int) -> set[str]:
    rows = office.sql(
        "SELECT DISTINCT u.login FROM case_events e JOIN users u ON u.id = e.actor_id"
        f" WHERE e.case_id = {int(case_id)}"
    )
    return {row[0] for row in rows}


def counts(office: Office) -> tuple[str, ...]:
    """Users, cases, events, calendar overrides, SOP versions: any change shows."""
    (row,) = office.sql(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM cases),"
        " (SELECT count(*) FROM case_events), (SELECT count(*) FROM calendar_overrides),"
        " (SELECT count(*) FROM sop_versions)"
    )
    return row


def test_the_app_without_a_terminal_says_so_in_one_line() -> None:
    """ssh -T, a pipe, cron: the app does not draw a screen nobody sees."""
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "soptui", "--lang", "en"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "needs a terminal" in one_line(proc)


# ----- the database is the server's alone ---------------------------------------------------


def test_the_clerk_cannot_open_the_database(office: Office) -> None:
    people = office.accounts
    alice = people["alice"]
    if office.backend == "sqlite":
        path = Path(office.url.removeprefix("sqlite:///"))
        info, folder = path.stat(), path.parent.stat()
        assert info.st_uid == folder.st_uid == people["soptui"].uid
        assert stat.S_IMODE(info.st_mode) == 0o600, oct(info.st_mode)
        assert stat.S_IMODE(folder.st_mode) == 0o700, oct(folder.st_mode)
        script = (
            "import sqlite3, sys\n"
            "for way in ('open', 'sqlite'):\n"
            "    try:\n"
            "        if way == 'open': open(sys.argv[1], 'rb').read(16)\n"
            "        else: sqlite3.connect(sys.argv[1]).execute('select * from users').fetchall()\n"
            "        print(way, 'OPENED')\n"
            "    except Exception as exc: print(way, 'refused', type(exc).__name__)\n"
        )
        proc = run_as(alice, [python_of(office.venv), "-c", script, str(path)], office.venv)
        assert proc.stdout.split("\n")[:2] == [
            "open refused PermissionError",
            "sqlite refused OperationalError",
        ], proc.stdout + proc.stderr
    else:
        assert office.pg is not None
        script = (
            "import psycopg, sys\n"
            "for user in sys.argv[2:]:\n"
            "    for db in ('soptui', 'postgres'):\n"
            "        try:\n"
            "            psycopg.connect(host=sys.argv[1], dbname=db, user=user).close()\n"
            "            print(user, db, 'CONNECTED')\n"
            "        except psycopg.OperationalError as exc:\n"
            "            why = str(exc).lower()\n"
            "            known = 'peer authentication' in why or 'not exist' in why\n"
            "            print(user, db, 'refused', known)\n"
        )
        roles = [alice.login, people.name("soptui"), "postgres"]
        proc = run_as(
            alice,
            [python_of(office.venv), "-c", script, str(office.pg.workdir), *roles],
            office.venv,
        )
        lines = proc.stdout.splitlines()
        assert len(lines) == 6 and all(line.endswith("refused True") for line in lines), (
            proc.stdout + proc.stderr
        )
        # And the clerks have no role of their own.
        assert (
            office.pg.query(f"SELECT rolname FROM pg_roles WHERE rolname = '{alice.login}'") == []
        )


# ----- identity: from the kernel, nothing else ---------------------------------------------


def test_actions_land_under_the_login_whatever_the_clerk_claims(office: Office) -> None:
    people = office.accounts
    bob = people["bob"]
    env = {k: v.format(bob=bob.login, bob_uid=bob.uid) for k, v in FORGED_ENV.items()}
    made = office.cli("alice", "case", "new", SOP, "--title", "Claims to be bob",
                      "--format", "json", env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    case_id = json.loads(made.stdout)["id"]
    note = office.cli("alice", "case", "note", str(case_id), "--text", "noted as whoever", env=env)
    assert note.returncode == 0, note.stderr
    bob_note = office.cli("bob", "case", "note", str(case_id), "--text", "bob's own note")
    assert bob_note.returncode == 0, bob_note.stderr
    rows = office.sql(
        "SELECT e.kind, u.login FROM case_events e JOIN users u ON u.id = e.actor_id"
        f" WHERE e.case_id = {case_id} ORDER BY e.seq"
    )
    by_kind: dict[str, list[str]] = {}
    for kind, login in rows:
        by_kind.setdefault(kind, []).append(login)
    assert by_kind["opened"] == [people.name("alice")], rows
    assert sorted(by_kind["note"]) == sorted([people.name("alice"), bob.login]), rows
    assert set(login for _, login in rows) == {people.name("alice"), bob.login}


@pytest.mark.parametrize("how", ["--user", "SOPTUI_USER"])
def test_the_clerk_cannot_ask_to_be_someone_else(office: Office, how: str) -> None:
    people = office.accounts
    before = counts(office)
    bob = people.name("bob")
    args = ["--user", bob] if how == "--user" else []
    env = {"SOPTUI_USER": bob} if how == "SOPTUI_USER" else None
    for command in (["case", "list"], ["case", "new", SOP, "--title", "as bob"]):
        line = one_line(office.cli("alice", *args, *command, env=env))
        assert "--user" in line and people.name("alice") in line, line
    assert counts(office) == before


def test_hand_made_requests_cannot_name_the_actor(office: Office, probe: Path) -> None:
    people = office.accounts
    before = counts(office)
    bob = people.name("bob")
    (bob_id,) = office.sql(f"SELECT id FROM users WHERE login = '{bob}'")[0]
    asked = probe_as(office, "alice", probe, "as-user", bob)
    assert asked["hello"]["result"] is None
    assert {asked[p]["failure"] for p in asked} == {"err.impersonation"}, asked

    forged = probe_as(office, "alice", probe, "forged-actor", bob, bob_id)
    assert forged["hello"]["result"] == people.name("alice")
    for name in ("start-args", "start-kwargs", "start-login", "user-add", "calendar",
                 "sop-import"):  # fmt: skip
        assert forged[name]["failure"] == "err.server_args", forged[name]
    assert forged["user-add-nobody"]["failure"] == "err.admin_only"
    for name in [p for p in forged if p.startswith("op:")]:
        assert forged[name]["failure"] == "err.server_op", forged[name]
    assert forged["demo"]["failure"] == "err.server_demo"
    assert forged["init"]["failure"] == "err.admin_only"
    assert forged["stop"]["failure"] == "err.server_stop"
    assert forged["whoami"]["result"]["login"] == people.name("alice")
    assert counts(office) == before


def test_a_login_registered_nowhere_is_refused_in_one_line(office: Office, probe: Path) -> None:
    people = office.accounts
    mallory = people.name("mallory")
    before = counts(office)
    for command in ([], ["case", "list"], ["report", "workload"], ["narasumber", "list"]):
        if not command:
            continue  # the app itself: see the SSH tests (it needs a terminal)
        line = one_line(office.cli("mallory", *command))
        assert f"'{mallory}'" in line and "user add" in line, line
    # By hand: every read and write refused, the first-admin door shut.
    answers = probe_as(office, "mallory", probe, "unregistered", mallory)
    assert answers["hello"]["result"] is None
    for name, answer in answers.items():
        if name == "user-add-self":
            assert answer["failure"] == "err.admin_only", answer
        else:
            assert answer["failure"] == "err.not_registered", answer
    # Someone outside the clerks group cannot even open the socket.
    nobody = Account.of("nobody")
    proc = run_as(
        nobody,
        [office.soptui, "--server", str(office.socket), "case", "list"],
        office.venv,
        env={"HOME": "/tmp"},
    )
    assert "not in the soptui group" in one_line(proc)
    assert counts(office) == before


# ----- admin requests and files --------------------------------------------------------------


def test_admin_requests_are_refused_to_a_clerk(office: Office, folder: Path) -> None:
    before = counts(office)
    sop_copy = folder / "sop-copy.toml"
    shutil.copy(Path(__file__).parent.parent / "soptui/sops/narsum-permintaan.toml", sop_copy)
    os.chmod(sop_copy, 0o644)
    refused = {
        "user add": (["user", "add", "eve", "--name", "Eve", "--role", "admin"], "Only an admin"),
        "calendar close": (["calendar", "close", "2030-01-02", "--note", "x"], "Only an admin"),
        "sop import": (["sop", "import", str(sop_copy)], "Only an admin"),
        "demo": (["demo"], "The demo only runs"),
        "demo --force": (["demo", "--force"], "The demo only runs"),
        "init": (["init"], "Only an admin"),
        "server stop": (["server", "stop"], "Only the server's owner"),
    }
    for what, (args, expected) in refused.items():
        line = one_line(office.cli("alice", *args))
        assert expected in line, (what, line)
    assert counts(office) == before
    status = office.cli("boss", "server", "status")
    assert status.returncode == 0, status.stderr  # still serving


def test_the_server_reads_and_writes_no_file_for_the_clerk(office: Office, probe: Path) -> None:
    people = office.accounts
    alice = people["alice"]
    database = office.url.removeprefix("sqlite:///") if office.backend == "sqlite" else None
    for path in ["/etc/shadow", *([database] if database else [])]:
        # The client reads the file, as alice: the server never sees a path.
        line = one_line(office.cli("boss", "sop", "import", path))
        assert path in line and ("readable" in line or "denied" in line.lower()), line
    # The report export dialog's writer, run by alice: where she may not
    # write, refused in one line; in her home, the file is hers.
    mine = alice.home / f"workload-{office.backend}.csv"
    targets = [str(office.state / "pwned.csv"), str(mine)]
    if database:
        targets.insert(0, database)
    answers = probe_as(office, "alice", probe, "export", *targets)
    for target in targets[:-1]:
        answer = answers[f"write:{target}"]
        assert answer["failure"] == "error" and "denied" in answer["result"], answer
    assert answers[f"write:{mine}"]["failure"] is None, answers
    assert mine.stat().st_uid == alice.uid
    assert not (office.state / "pwned.csv").exists()
    if database:
        assert office.sql("SELECT count(*) FROM users")[0][0] != "0"  # still a database


# ----- the SSH path (the guide's Match block), on the SQLite office -----------------------


@pytest.fixture(scope="module")
def sshd(folder: Path, venv: Path, people: Accounts) -> Iterator[dict]:
    need_tool("/usr/sbin/sshd", "ssh", "sftp", "scp", "ssh-keygen", "tmux")
    start = time.monotonic()
    ssh_dir = folder / "ssh"
    ssh_dir.mkdir(mode=0o700)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh_dir / "host")],
                   check=True)  # fmt: skip
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh_dir / "clerk")],
                   check=True)  # fmt: skip
    for role in ("alice", "mallory"):
        who = people[role]
        dot = who.home / ".ssh"
        dot.mkdir(mode=0o700, exist_ok=True)
        shutil.copy(ssh_dir / "clerk.pub", dot / "authorized_keys")
        os.chmod(dot / "authorized_keys", 0o600)
        for path in (dot, dot / "authorized_keys"):
            os.chown(path, who.uid, who.gid)
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    yield {"dir": ssh_dir, "port": port, "start": start}


def _sshd_config(ssh_dir: Path, port: int, office: Office) -> Path:
    """Debian's layout: the drop-in first, then a main file that would let
    more through (it accepts SOPTUI_* and LANG, as a careless one might)."""
    snippet = ssh_dir / "soptui.conf"
    snippet.write_text(sshd_snippet(office.venv, office.socket, office.accounts.group))
    config = ssh_dir / "sshd_config"
    config.write_text(
        f"Include {snippet}\n"
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {ssh_dir / 'host'}\n"
        f"PidFile {ssh_dir / 'sshd.pid'}\nAuthorizedKeysFile .ssh/authorized_keys\n"
        "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin no\nStrictModes yes\nAcceptEnv LANG LC_* SOPTUI_*\n"
        "X11Forwarding yes\nAllowTcpForwarding yes\n"
        "Subsystem sftp /usr/lib/openssh/sftp-server\n"
    )
    return config


@pytest.fixture(scope="module")
def ssh_office(
    sshd: dict, folder: Path, venv: Path, people: Accounts
) -> Iterator[tuple[Office, list[str]]]:
    office = _sqlite_office(folder, venv, people)
    config = _sshd_config(sshd["dir"], sshd["port"], office)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    check = subprocess.run(["/usr/sbin/sshd", "-t", "-f", str(config)], capture_output=True,
                           text=True)  # fmt: skip
    assert check.returncode == 0, check.stderr
    daemon = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=open(sshd["dir"] / "sshd.log", "wb"),  # noqa: SIM115
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", sshd["port"])) == 0:
                    break
            assert time.monotonic() < deadline and daemon.poll() is None, (
                sshd["dir"] / "sshd.log"
            ).read_text()
            time.sleep(0.05)
        TIMINGS["sshd up"] = time.monotonic() - sshd["start"]
        ssh = [
            "ssh", "-F", "/dev/null", "-i", str(sshd["dir"] / "clerk"), "-p", str(sshd["port"]),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
        ]  # fmt: skip
        yield office, ssh
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        office.stop()


def _sqlite_office(folder: Path, venv: Path, people: Accounts) -> Office:
    (folder / "ssh-office").mkdir(mode=0o755)
    office = start_office("sqlite", venv, people, folder / "ssh-office")
    setup_office(office)
    made = office.cli("alice", "case", "new", SOP, "--title", "Narasumber untuk pelatihan kopi")
    assert made.returncode == 0, made.stderr
    return office


def no_process_left(who: Account, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while processes_of(who.uid):
        assert time.monotonic() < deadline, f"left behind: {processes_of(who.uid)}"
        time.sleep(0.1)


def test_sshd_gives_clerks_no_forwarding_and_no_environment(
    ssh_office: tuple[Office, list[str]], sshd: dict
) -> None:
    office, _ = ssh_office
    dump = subprocess.run(
        ["/usr/sbin/sshd", "-T", "-f", str(sshd["dir"] / "sshd_config"), "-C",
         f"user={office.accounts.name('alice')},host=localhost,addr=127.0.0.1"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    effective = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in dump if " " in line}
    assert effective["forcecommand"] == f"{office.soptui} --server {office.socket}"
    for option in ("allowtcpforwarding", "allowagentforwarding", "x11forwarding",
                   "permittunnel", "permituserrc", "permituserenvironment",
                   "allowstreamlocalforwarding"):  # fmt: skip
        assert effective[option] == "no", (option, effective[option])
    assert [line for line in dump if line.startswith("acceptenv ")] == ["acceptenv -*"]


def _tmux(server: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", server, *args], capture_output=True, text=True).stdout


def _wait_screen(server: str, wanted: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(server, "capture-pane", "-p", "-t", "clerk")
        if wanted in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{wanted!r} not on screen:\n{screen}")


@pytest.mark.parametrize("setenv", [False, True], ids=["plain", "SetEnv"])
def test_a_clerk_logs_in_with_a_key_and_reaches_the_inbox(
    ssh_office: tuple[Office, list[str]], setenv: bool
) -> None:
    office, ssh = ssh_office
    people = office.accounts
    alice = people["alice"]
    tmux = f"soptui-priv-{os.getpid()}"
    extra = []
    if setenv:  # the main file accepts these; the Match block does not
        extra = ["-o", f"SetEnv SOPTUI_USER={people.name('bob')} SOPTUI_SERVER=/nowhere"
                 " SOPTUI_LANG=en LANG=C.UTF-8"]  # fmt: skip
    command = [*ssh, *extra, "-tt", f"{alice.login}@127.0.0.1"]
    _tmux(tmux, "new-session", "-d", "-s", "clerk", "-x", "100", "-y", "30",
          "env TERM=xterm-256color " + " ".join(map(_quote, command)))  # fmt: skip
    try:
        # alice's inbox: her case, in Indonesian (SOPTUI_LANG=en did not pass;
        # SOPTUI_USER=bob would have been refused, SOPTUI_SERVER unreachable).
        screen = _wait_screen(tmux, "Narasumber untuk pe")
        assert "Saya 1" in screen and "Semua" in screen, screen
        _tmux(tmux, "send-keys", "-t", "clerk", "C-q")
        deadline = time.monotonic() + 15
        while _tmux(tmux, "list-sessions"):
            assert time.monotonic() < deadline, _tmux(tmux, "capture-pane", "-p", "-t", "clerk")
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "-L", tmux, "kill-server"], capture_output=True)
    no_process_left(alice)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def test_no_shell_no_command_no_files_over_ssh(
    ssh_office: tuple[Office, list[str]], folder: Path
) -> None:
    office, ssh = ssh_office
    alice = office.accounts["alice"]
    host = f"{alice.login}@127.0.0.1"
    port = ssh[ssh.index("-p") + 1]
    key = ssh[ssh.index("-i") + 1]
    opts = ssh[ssh.index("-o") :]

    def run(argv: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)

    # No terminal: the app says so in one line and leaves.
    for remote in ([], ["cat /etc/passwd; id"], ["sh -i"]):
        proc = run([*ssh, "-T", host, *remote])
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        assert len(lines) == 1 and "perlu terminal" in lines[0], (remote, proc)
        assert "root:" not in proc.stdout and "uid=" not in proc.stdout
        no_process_left(alice)
    # No file in or out: sftp, scp (sftp protocol and the old one).
    here = folder / "sent.txt"
    here.write_text("hello")
    tried = [
        ["sftp", "-F", "/dev/null", "-i", key, "-P", port, *opts, "-b", "-", host],
        ["scp", "-F", "/dev/null", "-i", key, "-P", port, *opts, str(here), f"{host}:sent.txt"],
        ["scp", "-O", "-F", "/dev/null", "-i", key, "-P", port, *opts, str(here),
         f"{host}:sent.txt"],
        ["scp", "-F", "/dev/null", "-i", key, "-P", port, *opts, f"{host}:/etc/hostname",
         str(folder / "got.txt")],
    ]  # fmt: skip
    for argv in tried:
        proc = run(argv, stdin=f"put {here} sent.txt\nget /etc/hostname {folder / 'got.txt'}\n")
        assert proc.returncode != 0, (argv, proc)
        no_process_left(alice)
    assert not (alice.home / "sent.txt").exists()
    assert not (folder / "got.txt").exists()
