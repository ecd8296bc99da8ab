"""The wire between a client (the terminal app, the CLI) and `soptui serve`.

One Unix stream socket per client. Every message is a 4-byte big-endian
length and a MessagePack body (msgspec), a tagged struct:

    client -> server   Hello (once, first), Call
    server -> client   Welcome (answers Hello), Reply (answers a Call by id),
                       Changed (pushed to watching clients after any write)

A Call names an operation of OPS and its arguments. It never says who is
asking: the server takes that from the kernel (SO_PEERCRED). Where an
operation acts as the caller, the client sends the placeholder ME in the
actor's place (or None where the operation allows no actor) and the server
puts the identified clerk there. The server converts every argument to the
type the service method declares (msgspec.convert): a wrong type is refused
before any service runs. The client decodes every answer into the result type
OPS names: typed on both ends. Errors cross as the service's own message key
and parameters, and are raised again on the client as the same class, so they
read in the clerk's language, one line.

Versioning: PROTOCOL changes whenever a message or an operation changes
incompatibly; a client and a server of different PROTOCOL refuse each other
in one line. This module imports no SQLAlchemy (clients import it).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from soptui.catalog import SopDefinition
from soptui.identity import Actor
from soptui.views import (
    CaseDetail,
    CaseRow,
    ChainReport,
    DelegationView,
    LetterView,
    Report,
    SopSummary,
    UserView,
)

PROTOCOL = 1
# A request is a few fields of text: far below this. Answers may be large
# (a report, a long inbox page).
MAX_REQUEST = 1 << 20
MAX_ANSWER = 64 << 20
ME = "@me"  # stands for the caller in an actor argument; the server resolves it


class Hello(msgspec.Struct, tag="hello"):
    protocol: int
    version: str
    lang: str = "id"
    as_user: str | None = None  # honoured on a demo database or for an admin only
    watch: bool = False  # push Changed messages to this client


class Failure(msgspec.Struct):
    kind: str  # the soptui.errors class name
    key: str  # message key
    params: dict[str, Any] = {}


class Welcome(msgspec.Struct, tag="welcome"):
    protocol: int
    version: str
    actor: Actor | None = None
    token: str = ""  # the change token now (see Changed)
    failure: Failure | None = None


class Call(msgspec.Struct, tag="call"):
    id: int
    op: str
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    lang: str = "id"


NIL = msgspec.Raw(b"\xc0")  # MessagePack's nil, as an undecoded result


class Reply(msgspec.Struct, tag="reply"):
    id: int
    result: msgspec.Raw = NIL  # decoded by the client with the operation's type
    failure: Failure | None = None


class Changed(msgspec.Struct, tag="changed"):
    token: str  # the audit head after the change: equal tokens, nothing new


class ServerStatus(msgspec.Struct):
    version: str
    pid: int
    private: bool
    database: str  # the URL, password hidden
    clients: int
    uptime_s: float
    linger_s: float | None


ClientMessage = Hello | Call
ServerMessage = Welcome | Reply | Changed


@dataclass(frozen=True)
class Op:
    # The answer's type, or its text when it names types of modules the
    # terminal app needs only later (the narasumber views, the calendar):
    # resolved on first use (result_type), so a client's start imports
    # what its first screen needs and no more.
    result: Any
    actor: str | None = None  # "required", "optional" (the caller or nobody), or None
    write: bool = False  # a change: watching clients are told after it
    admin: bool = False  # the server refuses it to anyone but an admin


def _op(result: Any, actor: str | None = None, *, write: bool = False, admin: bool = False) -> Op:
    return Op(result, actor, write, admin)


ME_, ANYONE = "required", "optional"  # the caller / the caller or no one

# Every operation a client may ask for: "service.method" of the server's
# Soptui facade (soptui/service.py), or a facade method itself. Nothing else is
# reachable over the socket.
OPS: dict[str, Op] = {
    # the server itself (answered by soptui.server, not the services)
    "server.status": _op(ServerStatus),
    "server.stop": _op(None),
    # the facade
    "whoami": _op(Actor, ME_),
    "token": _op(str),
    "init": _op(tuple[int, str | None], write=True),
    "is_empty": _op(bool),
    "sop_summaries": _op(list[SopSummary]),
    "sop_definition": _op(SopDefinition),
    "sop_version": _op(SopDefinition),
    "sop_import": _op(tuple[str, int, bool], ME_, write=True, admin=True),
    "calendar_days": _op("list[DayInfo]"),
    "calendar_override": _op(None, ME_, write=True, admin=True),
    "role_key": _op(str),
    "agenda": _op(Report),
    "audit_verify": _op(ChainReport),
    "audit_repair_tail": _op(int, ME_, write=True, admin=True),
    "audit_head": _op(str),
    "demo": _op(tuple[int, int], write=True),
    # cases
    "cases.start": _op(int, ME_, write=True),
    "cases.complete": _op(None, ME_, write=True),
    "cases.return_for_revision": _op(str, ME_, write=True),
    "cases.refuse": _op(None, ME_, write=True),
    "cases.add_note": _op(None, ME_, write=True),
    "cases.pause": _op(None, ME_, write=True),
    "cases.resume": _op(None, ME_, write=True),
    "cases.cancel": _op(None, ME_, write=True),
    "cases.set_checklist_item": _op(None, ME_, write=True),
    "cases.list_cases": _op(list[CaseRow], ANYONE),
    "cases.counts": _op(dict[str, int], ANYONE),
    "cases.detail": _op(CaseDetail),
    # what is new to the clerk (per-clerk marks: no change for anyone else)
    "cases.inbox_session": _op(datetime, ME_),
    "cases.unread": _op(list[int], ME_),
    "cases.mark_read": _op(None, ME_),
    # narasumber
    "narasumber.register": _op("Person", ME_, write=True),
    "narasumber.update": _op("Person", ME_, write=True),
    "narasumber.set_status": _op("Person", ME_, write=True),
    "narasumber.book": _op("Booking", ME_, write=True),
    "narasumber.block": _op("Booking", ME_, write=True),
    "narasumber.confirm": _op("Booking", ME_, write=True),
    "narasumber.cancel": _op("Booking", ME_, write=True),
    "narasumber.get": _op("Person"),
    "narasumber.detail": _op("PersonDetail"),
    "narasumber.list": _op("list[Person]"),
    "narasumber.counts": _op(dict[str, int]),
    "narasumber.search": _op("list[SearchHit]"),
    "narasumber.lookup": _op("list[Offer]"),
    "narasumber.check": _op("tuple[Conflict, ...]"),
    "narasumber.schedule": _op("dict[int, tuple[Booking, ...]]"),
    "narasumber.booking": _op("Booking"),
    "narasumber.bookings": _op("list[Booking]"),
    "narasumber.case_bookings": _op("list[Booking]"),
    "narasumber.speaker_step": _op("SpeakerStep | None"),
    "narasumber.person_for_case": _op("Person | None"),
    "narasumber.span_concerns": _op(tuple[str, ...]),
    # letters
    "letters.register_incoming": _op(LetterView, ME_, write=True),
    "letters.issue_number": _op(LetterView, ME_, write=True),
    "letters.record_external": _op(LetterView, ME_, write=True),
    "letters.void": _op(LetterView, ME_, write=True),
    "letters.set_pattern": _op(None, ME_, write=True),
    "letters.get": _op(LetterView),
    "letters.list": _op(list[LetterView]),
    # reports
    "reports.sla": _op(Report),
    "reports.monitoring": _op(Report),
    "reports.workload": _op(Report),
    "reports.bottlenecks": _op(Report),
    "reports.narasumber": _op(Report),
    # users
    "users.add": _op(UserView, ANYONE, write=True),
    "users.list": _op(list[UserView]),
    "users.count": _op(int),
    "users.delegate": _op(int, ME_, write=True),
    "users.revoke_delegation": _op(None, ME_, write=True),
    "users.delegations": _op(list[DelegationView]),
    "users.preference": _op(str, ME_),
    "users.set_preference": _op(None, ME_),
}


# ----- encoding and framing ------------------------------------------------------


def _enc_hook(value: Any) -> Any:
    # Values typed Any (report cells, event data) that MessagePack lacks.
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise NotImplementedError(f"cannot send {type(value).__name__}")


_encoder = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
_client_decoder = msgspec.msgpack.Decoder(ServerMessage)
_server_decoder = msgspec.msgpack.Decoder(ClientMessage)
_HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """The other end broke the framing or sent what this end cannot read."""


def encode(value: Any) -> bytes:
    return _encoder.encode(value)


def frame(message: Any) -> bytes:
    body = _encoder.encode(message)
    return _HEADER.pack(len(body)) + body


def _read_exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = sock.recv(min(n, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket, limit: int) -> bytes | None:
    """The next message body; None when the other end closed cleanly.
    Raises ProtocolError for a message over `limit` bytes (not read)."""
    header = _read_exactly(sock, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        raise ProtocolError(f"message of {size} bytes (at most {limit})")
    body = _read_exactly(sock, size)
    if body is None:
        raise ProtocolError("connection closed mid-message")
    return body


def decode_client_message(body: bytes) -> Hello | Call:
    try:
        return _server_decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ProtocolError(str(exc)) from exc


def decode_server_message(body: bytes) -> Welcome | Reply | Changed:
    try:
        return _client_decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ProtocolError(str(exc)) from exc


_RESULT_TYPES: dict[str, Any] = {}


def _late_types() -> dict[str, Any]:
    """The types a result's text may name."""
    from soptui import narasumber_views, workcal

    names = ("Booking", "Conflict", "Offer", "Person", "PersonDetail", "SearchHit", "SpeakerStep")
    space: dict[str, Any] = {name: getattr(narasumber_views, name) for name in names}
    return {**space, "DayInfo": workcal.DayInfo}


def result_type(op: str) -> Any:
    """The type an operation's answer decodes into."""
    kind = _RESULT_TYPES.get(op)
    if kind is None:
        kind = OPS[op].result
        if isinstance(kind, str):
            kind = eval(kind, _late_types())  # our own constant text, never input
        _RESULT_TYPES[op] = kind
    return kind


def decode_result(op: str, raw: msgspec.Raw) -> Any:
    try:
        return msgspec.msgpack.decode(raw, type=result_type(op))
    except msgspec.DecodeError as exc:
        raise ProtocolError(f"{op}: {exc}") from exc


def convert(value: Any, kind: Any) -> Any:
    """An argument as the type its service method declares (the server side)."""
    return msgspec.convert(value, kind, strict=False)


__all__ = [
    "MAX_ANSWER",
    "MAX_REQUEST",
    "ME",
    "OPS",
    "PROTOCOL",
    "Call",
    "Changed",
    "Failure",
    "Hello",
    "Op",
    "ProtocolError",
    "Reply",
    "Welcome",
    "decode_client_message",
    "decode_result",
    "decode_server_message",
    "encode",
    "frame",
    "read_frame",
    "result_type",
]
