"""The head kept outside the database.

The server appends a line to a file (and, if asked, to syslog) on a schedule
and when it shuts down:

    <seq> <key_id> <head_hmac> <timestamp>

head_hmac = HMAC(key, "soptui-head|<seq>|<hash of event seq>"). Nobody
without the key can write a line that checks, and a trail that was cut back
(the newest events deleted, head row set back) or rebuilt shows against any
earlier line: `soptui audit verify --against FILE`. Keep the file where the
database's owner cannot rewrite it (another host, or syslog to one).
"""

from __future__ import annotations

import os
import syslog as _syslog
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soptui.audit.keys import AuditKey
from soptui.views import HeadLine

if TYPE_CHECKING:
    from soptui.service import Soptui


def head_mac(key: AuditKey, key_id: str, seq: int, event_hash: str) -> str:
    return key.mac(f"soptui-head|{seq}|{event_hash}".encode(), key_id)


def make_line(key: AuditKey, seq: int, event_hash: str, at: datetime | None = None) -> HeadLine:
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return HeadLine(seq, key.key_id, head_mac(key, key.key_id, seq, event_hash), stamp)


def parse(lines: Sequence[str]) -> list[HeadLine | str]:
    """Each line parsed; a line that does not parse stays a str (verify names it)."""
    out: list[HeadLine | str] = []
    for raw in lines:
        if not raw.strip():
            continue
        parts = raw.split()
        if len(parts) != 4 or not parts[0].isdigit() or len(parts[2]) != 64:
            out.append(raw)
            continue
        out.append(HeadLine(int(parts[0]), parts[1], parts[2], parts[3]))
    return out


class HeadLog:
    """Where the server writes heads: a file (appended, 0600, fsync'd) and/or
    syslog (facility LOG_AUTH, ident "soptui-audit"). Writes a line only when
    the head moved since the last one, unless forced (at shutdown)."""

    def __init__(self, path: str | os.PathLike[str] | None, *, use_syslog: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.use_syslog = use_syslog
        self._last: int | None = None

    def record(self, svc: Soptui, *, force: bool = False) -> HeadLine | None:
        line = svc.audit_head_line()
        if not force and line.seq == self._last:
            return None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line.text() + "\n").encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
        if self.use_syslog:
            _syslog.openlog("soptui-audit", 0, _syslog.LOG_AUTH)
            _syslog.syslog(_syslog.LOG_INFO, "head " + line.text())
        self._last = line.seq
        return line


SEND_MAX = 5_000  # lines sent to the server (its argument limit is 10,000 items)


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """A head log's lines (syslog copies: the part after 'head '), the newest
    SEND_MAX of them: the newest line alone catches a cut-back trail, and any
    line a rewrite of the events before it."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    lines = [line.split("head ", 1)[-1] if " head " in line else line for line in text.splitlines()]
    return [line for line in lines if line.strip()][-SEND_MAX:]
