"""The server and its wire: identity from the kernel, the whitelist, typed
arguments, refusals in one line, hostile bytes, many clients, pushes, and the
private server started on demand (both backends where a database is involved)."""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
import typing
from pathlib import Path

import msgspec
import pytest
from app_fixtures import Office
from server_support import remote, serving

from soptui import cli
from soptui.client.connection import Connection
from soptui.client.remote import Remote
from soptui.client.spawn import connect, private_socket
from soptui.errors import IdentityError, InputError, PermissionDenied, RuleError
from soptui.identity import os_login
from soptui.protocol import (
    ME,
    PROTOCOL,
    Call,
    Changed,
    Hello,
    Reply,
    Welcome,
    decode_server_message,
    frame,
    read_frame,
    result_type,
)
from soptui.server.dispatch import Dispatcher


def raw_client(path: Path, hello: Hello | None = None) -> tuple[socket.socket, Welcome]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(path))
    sock.sendall(frame(hello or Hello(PROTOCOL, "test")))
    welcome = decode_server_message(read_frame(sock, 1 << 26))
    assert isinstance(welcome, Welcome)
    return sock, welcome


def ask(sock: socket.socket, call: Call) -> Reply:
    sock.sendall(frame(call))
    while True:
        message = decode_server_message(read_frame(sock, 1 << 26))
        if isinstance(message, Reply):
            return message


def events_count(office: Office) -> int:
    return int(office.svc.token().split(":")[0] or 0)


# ----- the whitelist is the services' own signatures ---------------------------------


def test_every_operation_is_a_service_method_with_the_declared_result(office: Office):
    dispatcher = Dispatcher(office.svc)  # raises if an actor op has no Actor first
    for name, target in dispatcher.targets.items():
        declared = result_type(name)  # a late-resolved type too (see protocol)
        returned = target.hints.get("return")
        if name in ("init", "demo"):
            continue
        assert returned == (type(None) if declared is None else declared), name


# ----- identity ----------------------------------------------------------------------


def test_the_caller_is_the_kernels_word_not_the_requests(office: Office):
    """Not a demo: asking to be another clerk, in Hello or by forging the
    actor argument, gets nothing."""
    with serving(office.svc) as server:
        sock, welcome = raw_client(server.path, Hello(PROTOCOL, "t", as_user="kadis"))
        assert welcome.actor is None and welcome.failure is not None
        assert welcome.failure.key == "err.impersonation"
        case_id = office.start("NARSUM-PERMINTAAN")
        forged = {"id": office.kadis.id, "login": "kadis", "name": "K", "roles": ["admin"]}
        reply = ask(sock, Call(1, "cases.add_note", [forged, case_id], {"text": "palsu"}))
        assert reply.failure is not None and reply.failure.kind == "InputError"
        sock.close()
    assert all(e.kind != "note" for e in office.svc.cases.detail(case_id).events)


def test_as_user_is_honoured_on_a_demo_database_only(office: Office):
    office.svc.mark_demo()
    with serving(office.svc) as server:
        client = remote(server, "teknis")
        assert client.actor.login == "teknis"
        case_id = client.cases.start(client.actor, "NARSUM-PERMINTAAN", title="Lewat server")
        client.cases.add_note(client.actor, case_id, text="catatan")
        client.close()
    detail = office.svc.cases.detail(case_id)
    assert {e.actor_login for e in detail.events} == {"teknis"}


def test_a_stranger_is_refused_in_one_line(office: Office):
    with serving(office.svc) as server:
        client = remote(server)  # this process's login is no clerk of the office
        with pytest.raises(IdentityError) as err:
            client.cases.start(client.actor, "NARSUM-PERMINTAAN", title="x")
        assert os_login() in err.value.message() and "\n" not in err.value.message()
        assert client.sop_summaries()  # reading the catalog needs no login
        client.close()


def test_admin_operations_are_refused_to_clerks(office: Office):
    office.svc.mark_demo()
    with serving(office.svc) as server:
        client = remote(server, "teknis")
        from datetime import date

        with pytest.raises(PermissionDenied):
            client.calendar_override(client.actor, "closed", date(2026, 3, 20), date(2026, 3, 20),
                                     "libur")
        with pytest.raises(PermissionDenied):
            client.sop_import(client.actor, office.bundled_source("narsum-permintaan"), "x")
        with pytest.raises(PermissionDenied):
            client.users.add(client.actor, "baru", name="Baru", roles=["sekda"])
        client.close()


def test_a_private_server_serves_its_own_user_only(office: Office):
    with serving(office.svc) as server:
        server.uid = os.geteuid() + 1  # as if it ran as someone else
        with pytest.raises(RuleError) as err:
            Connection(server.path).open()
        assert err.value.key == "err.server_not_yours"


# ----- the wire: typed, bounded, robust ------------------------------------------------


def test_arguments_are_converted_to_the_declared_types(office: Office):
    office.svc.mark_demo()
    with serving(office.svc) as server:
        sock, _ = raw_client(server.path, Hello(PROTOCOL, "t", as_user="teknis"))
        bad = ask(sock, Call(1, "cases.detail", ["satu"], {}))
        assert bad.failure is not None and bad.failure.key == "err.server_args"
        huge = ask(sock, Call(2, "cases.detail", [2**63], {}))
        assert huge.failure is not None and huge.failure.key == "err.server_args"
        unknown = ask(sock, Call(3, "db.engine.dispose", [], {}))
        assert unknown.failure is not None and unknown.failure.key == "err.server_op"
        private = ask(sock, Call(4, "cases._statement", [], {}))
        assert private.failure is not None and private.failure.key == "err.server_op"
        extra = ask(sock, Call(5, "cases.detail", [1], {"sql": "drop table cases"}))
        assert extra.failure is not None and extra.failure.key == "err.server_args"
        sock.close()


def test_a_client_of_another_version_is_told_so_in_one_line(office: Office):
    with serving(office.svc) as server:
        sock, welcome = raw_client(server.path, Hello(PROTOCOL + 1, "9.9"))
        assert welcome.failure is not None and welcome.failure.key == "err.server_version"
        assert read_frame(sock, 1 << 20) is None  # and the server hangs up
        sock.close()


def test_hostile_bytes_harm_no_one_else(office: Office):
    """A 10 MB message, garbage, a frame cut short, a client vanishing with
    its request in flight: each costs its own connection only."""
    office.svc.mark_demo()
    case_id = office.start("NARSUM-PERMINTAAN")
    with serving(office.svc) as server:
        steady = remote(server, "teknis")
        assert steady.cases.detail(case_id).row.id == case_id

        big, _ = raw_client(server.path)
        big.sendall(struct.pack(">I", 10 * 1024 * 1024) + b"x" * 65536)
        message = decode_server_message(read_frame(big, 1 << 20))
        assert isinstance(message, Welcome) and message.failure.key == "err.server_protocol"
        big.close()

        for garbage in (b"\x00\x00\x00\x05hello", os.urandom(64), b"GET / HTTP/1.1\r\n\r\n"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(server.path))
            sock.sendall(garbage)
            sock.settimeout(5)
            try:
                while sock.recv(4096):
                    pass
            except (TimeoutError, ConnectionResetError):
                pass
            sock.close()

        cut, _ = raw_client(server.path)
        cut.sendall(struct.pack(">I", 1000) + b"\x81")
        cut.close()

        vanishing, _ = raw_client(server.path, Hello(PROTOCOL, "t", as_user="teknis"))
        vanishing.sendall(frame(Call(1, "cases.add_note", [ME, case_id], {"text": "pergi"})))
        vanishing.close()

        assert steady.cases.detail(case_id).row.id == case_id  # still served
        steady.close()
    notes = [e for e in office.svc.cases.detail(case_id).events if e.kind == "note"]
    assert len(notes) <= 1  # the vanished client's note: done once or not at all
    assert office.svc.audit_verify().ok


def test_fifty_clients_at_once_lose_nothing(office: Office, figures):
    office.svc.mark_demo()
    case_ids = [office.start("NARSUM-PERMINTAAN", title=f"Kasus {i}") for i in range(5)]
    before = events_count(office)
    errors: list[BaseException] = []
    with serving(office.svc) as server:

        def clerk(n: int) -> None:
            try:
                client = remote(server, "teknis")
                for i in range(4):
                    client.cases.list_cases(client.actor, view="all", limit=50)
                    client.cases.add_note(client.actor, case_ids[(n + i) % 5], text=f"{n}/{i}")
                client.close()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=clerk, args=(n,)) for n in range(50)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - started
    assert not errors, errors[:3]
    assert events_count(office) - before == 200
    assert office.svc.audit_verify().ok
    figures(f"server: 50 clients x 4 notes ({office.svc.db.engine.dialect.name}): {elapsed:.2f} s")


def test_one_account_cannot_take_every_connection(office: Office, monkeypatch):
    from soptui.server import serve

    monkeypatch.setattr(serve, "MAX_PER_UID", 3)
    with serving(office.svc) as server:
        held = [raw_client(server.path)[0] for _ in range(3)]
        with pytest.raises(RuleError) as err:
            Connection(server.path).open()
        assert err.value.key == "err.server_full"
        held.pop().close()
        time.sleep(0.2)
        conn = Connection(server.path)
        conn.open()  # a place is free again
        conn.close()
        for sock in held:
            sock.close()


# ----- pushes --------------------------------------------------------------------------


def test_a_change_is_pushed_to_watching_clients_only(office: Office):
    office.svc.mark_demo()
    with serving(office.svc) as server:
        watcher = Connection(server.path, as_user="kadis", watch=True)
        watcher.open()
        quiet = Connection(server.path, as_user="kadis")
        quiet.open()
        heard: list[str] = []
        got = threading.Event()
        watcher.on_change(lambda token: (heard.append(token), got.set()))
        quiet.on_change(lambda token: heard.append("quiet:" + token))
        writer = remote(server, "tu")
        writer.cases.start(writer.actor, "NARSUM-PERMINTAAN", title="Baru")
        assert got.wait(5)
        time.sleep(0.2)
        assert heard == [office.svc.token()]
        assert watcher.token == office.svc.token()
        for c in (watcher, quiet):
            c.close()
        writer.close()


@pytest.mark.postgres
@pytest.mark.parametrize("office_url", ["postgresql"], indirect=True)
def test_servers_sharing_postgresql_tell_each_other(office: Office, office_url: str):
    """Two servers (two hosts) on one PostgreSQL: a write through one is
    pushed to the other's clients (LISTEN/NOTIFY)."""
    from soptui.service import Soptui

    office.svc.mark_demo()
    other_svc = Soptui(office_url, clock=office.clock)
    with serving(office.svc) as one, serving(other_svc) as two:
        watcher = Connection(two.path, as_user="kadis", watch=True)
        watcher.open()
        got = threading.Event()
        watcher.on_change(lambda _token: got.set())
        writer = remote(one, "tu")
        writer.cases.start(writer.actor, "NARSUM-PERMINTAAN", title="Dari server satu")
        assert got.wait(5), "the other server's client heard nothing"
        assert watcher.token == office.svc.token()
        watcher.close()
        writer.close()


# ----- the private server on demand ----------------------------------------------------


def test_the_private_server_starts_on_demand_and_leaves_when_told(sqlite_url, capsys):
    path = private_socket(sqlite_url)
    assert not path.exists()
    conn = connect(sqlite_url, None)  # starts it (init on first use is the app's job)
    status = Remote(conn).server.status()
    assert status.private and status.pid != os.getpid()
    conn.close()
    again = connect(sqlite_url, None)  # warm: the same server
    assert Remote(again).server.status().pid == status.pid
    again.close()
    cli.main(["--db", sqlite_url, "server", "stop"])
    assert "dihentikan" in capsys.readouterr().out
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(status.pid):
        time.sleep(0.05)
    assert not _alive(status.pid) and not path.exists()
    with pytest.raises(RuleError) as err:
        connect(sqlite_url, None, start=False)
    assert err.value.key == "err.server_none"


def test_the_private_server_leaves_after_its_linger(sqlite_url, monkeypatch):
    monkeypatch.setenv("SOPTUI_LINGER", "1")
    conn = connect(sqlite_url, None)
    pid = Remote(conn).server.status().pid
    time.sleep(2)
    assert _alive(pid)  # a connected client keeps it
    conn.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def test_cli_json_through_the_private_server(sqlite_url, capsys):
    cli.main(["--db", sqlite_url, "init"])
    capsys.readouterr()
    cli.main(["--db", sqlite_url, "user", "list", "--format", "json"])
    (only,) = json.loads(capsys.readouterr().out)
    assert only["login"] == os_login()
    cli.main(["--db", sqlite_url, "server", "stop"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of our own child still answers kill(0): look at its state.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_a_number_too_big_for_the_wire_is_refused_by_the_client(office: Office):
    office.svc.mark_demo()
    with serving(office.svc) as server:
        client = remote(server, "teknis")
        with pytest.raises(InputError) as err:
            client.cases.detail(2**70)
        assert err.value.key == "err.server_args"
        assert client.cases.counts(client.actor)  # the connection is fine
        client.close()


def test_an_unknown_failure_class_reads_as_a_refusal():
    from soptui.client.connection import raise_failure
    from soptui.protocol import Failure

    error = raise_failure(Failure("Nonsense", "err.server_internal"))
    assert isinstance(error, RuleError) and error.exit_code == 1
    assert isinstance(raise_failure(Failure("InputError", "err.empty", {"field": "x"})), InputError)
    assert typing.get_type_hints(Reply)["result"] is msgspec.Raw
    assert Changed("1:x").token == "1:x"
