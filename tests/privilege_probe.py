"""Hand-made requests, run as a clerk by tests/test_privilege.py with the
installed soptui's python: `python privilege_probe.py SOCKET PROBE [ARG...]`.
Prints one JSON object per request: what the server answered.

The frames are built here from plain dicts (4-byte length + MessagePack), not
with the client's own classes, so that a field the client would never send
(an Actor in the actor's place, `as_user` in Hello) reaches the server as a
curious clerk would send it.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
from pathlib import Path
from typing import Any

import msgspec

from soptui import __version__
from soptui.protocol import ME, PROTOCOL

HEADER = struct.Struct(">I")


class Wire:
    def __init__(self, path: str, **hello: Any) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.ids = 0
        self.send({"type": "hello", "protocol": PROTOCOL, "version": __version__, "lang": "en",
                   **hello})  # fmt: skip
        self.welcome = self.receive()

    def send(self, message: dict[str, Any]) -> None:
        body = msgspec.msgpack.encode(message)
        self.sock.sendall(HEADER.pack(len(body)) + body)

    def receive(self) -> dict[str, Any]:
        (size,) = HEADER.unpack(self._exactly(HEADER.size))
        return msgspec.msgpack.decode(self._exactly(size))

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def call(self, op: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.ids += 1
        self.send({"type": "call", "id": self.ids, "op": op, "args": list(args),
                   "kwargs": kwargs, "lang": "en"})  # fmt: skip
        while True:
            answer = self.receive()
            if answer.get("type") == "reply" and answer.get("id") == self.ids:
                break
        failure = answer.get("failure")
        result = answer.get("result") if failure is None else None
        return {"op": op, "failure": failure and failure["key"], "result": _plain(result)}


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)[:200]


def report(name: str, answer: dict[str, Any]) -> None:
    print(json.dumps({"probe": name, **answer}), flush=True)


def welcome_of(wire: Wire) -> dict[str, Any]:
    actor = wire.welcome.get("actor")
    failure = wire.welcome.get("failure")
    return {"op": "hello", "failure": failure and failure["key"],
            "result": actor and actor["login"]}  # fmt: skip


def forged_actor(login: str, user_id: int) -> dict[str, Any]:
    return {"id": user_id, "login": login, "name": login, "roles": ["admin", "pejabat-level-1"],
            "delegated": {}}  # fmt: skip


def main(path: str, probe: str, *extra: str) -> None:
    if probe == "as-user":  # Hello asks to be someone else
        (other,) = extra
        wire = Wire(path, as_user=other)
        report("hello", welcome_of(wire))
        report("start", wire.call("cases.start", ME, "NARSUM-PERMINTAAN", title="as-user probe"))
        report("list", wire.call("cases.list_cases", None, view="all"))
        report("whoami", wire.call("whoami", ME))
    elif probe == "forged-actor":  # an Actor-shaped dict where ME belongs
        other, other_id = extra
        wire = Wire(path)
        report("hello", welcome_of(wire))
        bob = forged_actor(other, int(other_id))
        report("start-args", wire.call("cases.start", bob, "NARSUM-PERMINTAAN", title="forged"))
        report("start-kwargs", wire.call("cases.start", "NARSUM-PERMINTAAN", title="forged",
                                         actor=bob))  # fmt: skip
        report("start-login", wire.call("cases.start", other, "NARSUM-PERMINTAAN", title="x"))
        report("user-add", wire.call("users.add", bob, "eve", name="Eve", roles=["admin"]))
        report("user-add-nobody", wire.call("users.add", None, "eve", name="Eve",
                                            roles=["admin"]))  # fmt: skip
        report("calendar", wire.call("calendar_override", bob, "closed", "2030-01-02",
                                     "2030-01-02", "forged"))  # fmt: skip
        report("sop-import", wire.call("sop_import", bob, "format = 1", "x.toml"))
        for op in ("wipe", "db", "users.identify", "__init__", "svc.db.engine", "close",
                   "users._lookups", "cases.db"):  # fmt: skip
            report(f"op:{op}", wire.call(op))
        report("demo", wire.call("demo", force=True))
        report("init", wire.call("init"))
        report("stop", wire.call("server.stop"))
        report("whoami", wire.call("whoami", ME))
    elif probe == "unregistered":  # connects fine, registered nowhere
        wire = Wire(path)
        report("hello", welcome_of(wire))
        report("whoami", wire.call("whoami", ME))
        for op, args, kwargs in (
            ("cases.list_cases", [None], {"view": "all"}),
            ("cases.counts", [None], {}),
            ("cases.detail", [1], {}),
            ("narasumber.list", [], {}),
            ("users.list", [], {}),
            ("letters.list", [], {}),
            ("reports.workload", [], {}),
            ("audit_head", [], {}),
        ):
            report(f"read:{op}", wire.call(op, *args, **kwargs))
        report("user-add-self", wire.call("users.add", None, extra[0], name="M",
                                          roles=["admin"]))  # fmt: skip
        report("start", wire.call("cases.start", ME, "NARSUM-PERMINTAAN", title="x"))
    elif probe == "export":  # the report export dialog's writer, as the clerk
        from soptui.client.spawn import connect
        from soptui.i18n import set_language

        set_language("en")
        from soptui.screens.export import write_file as write_report

        conn = connect(None, path)
        remote_report = conn.call("reports.workload", [], {})
        content = "\n".join(str(row) for row in remote_report.rows) or "empty"
        for target in extra:
            written = write_report(Path(target), content, overwrite=False)
            report(f"write:{target}", {"op": target, "failure": None if written.status == "written"
                             else written.status, "result": written.text})  # fmt: skip
        conn.close()
    else:
        raise SystemExit(f"unknown probe {probe}")


if __name__ == "__main__":
    main(*sys.argv[1:])
