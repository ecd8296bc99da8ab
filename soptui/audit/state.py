"""Digests of the state tables, by subject.

A subject is one thing the events change: a case with its step attempts, a
user with their roles, a booking, a letter, a counter... Its digest is a hash
of its rows, read back from the database, so the digest a write seals and the
digest verify computes later from the same rows are the same. Columns that
are NULL are left out (a column added later as NULL does not change old
digests). The narasumber word index is derived data and is not covered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from soptui.db.models import (
    CalendarOverride,
    Case,
    Delegation,
    Letter,
    LetterCounter,
    NumberPattern,
    Setting,
    SopVersion,
    StepAttempt,
    User,
    UserRole,
)
from soptui.db.registry_models import (
    Narasumber,
    NarasumberBooking,
    NarasumberEvent,
    NarasumberTopic,
)

# Settings rows the audit machinery itself keeps (the head moves with every event).
UNAUDITED_SETTINGS = frozenset({"audit_head"})


@dataclass(frozen=True)
class Kind:
    """One kind of subject: its main table, key columns and child tables
    (each with the columns that point to the main row)."""

    name: str
    table: Table
    key: tuple[str, ...]
    children: tuple[tuple[Table, tuple[str, ...]], ...] = ()


def _t(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


KINDS: tuple[Kind, ...] = (
    Kind("setting", _t(Setting), ("key",)),
    Kind("user", _t(User), ("id",), ((_t(UserRole), ("user_id",)),)),
    Kind("sop", _t(SopVersion), ("id",)),
    Kind("case", _t(Case), ("id",), ((_t(StepAttempt), ("case_id",)),)),
    Kind("delegation", _t(Delegation), ("id",)),
    Kind("calendar", _t(CalendarOverride), ("id",)),
    Kind("letter", _t(Letter), ("id",)),
    Kind("counter", _t(LetterCounter), ("direction", "klasifikasi", "year")),
    Kind("pattern", _t(NumberPattern), ("klasifikasi",)),
    Kind(
        "narasumber",
        _t(Narasumber),
        ("id",),
        ((_t(NarasumberTopic), ("narasumber_id",)), (_t(NarasumberEvent), ("narasumber_id",))),
    ),
    Kind("booking", _t(NarasumberBooking), ("id",)),
)
BY_NAME = {k.name: k for k in KINDS}
# Which subject an ORM row belongs to: (kind, attributes giving its key).
OWNERS: dict[type, tuple[str, tuple[str, ...]]] = {
    Setting: ("setting", ("key",)),
    User: ("user", ("id",)),
    UserRole: ("user", ("user_id",)),
    SopVersion: ("sop", ("id",)),
    Case: ("case", ("id",)),
    StepAttempt: ("case", ("case_id",)),
    Delegation: ("delegation", ("id",)),
    CalendarOverride: ("calendar", ("id",)),
    Letter: ("letter", ("id",)),
    LetterCounter: ("counter", ("direction", "klasifikasi", "year")),
    NumberPattern: ("pattern", ("klasifikasi",)),
    Narasumber: ("narasumber", ("id",)),
    NarasumberTopic: ("narasumber", ("narasumber_id",)),
    NarasumberEvent: ("narasumber", ("narasumber_id",)),
    NarasumberBooking: ("booking", ("id",)),
}


def subject_name(kind: str, key: Iterable[Any]) -> str:
    """'case:12', 'counter:out|800|2026': the subject's name in a seal."""
    return kind + ":" + "|".join(str(part) for part in key)


def owner_of(obj: Any) -> str | None:
    """The subject an ORM object belongs to (None: not audited state)."""
    owner = OWNERS.get(type(obj))
    if owner is None:
        return None
    kind, attrs = owner
    key = [getattr(obj, a) for a in attrs]
    if any(part is None for part in key):
        return None
    if kind == "setting" and key[0] in UNAUDITED_SETTINGS:
        return None
    return subject_name(kind, key)


_LAYOUT: dict[str, tuple[tuple[str, int], ...]] = {}
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _layout(table: Table) -> tuple[tuple[str, int], ...]:
    """(column name, position in select(table)) in name order. JSON documents
    inside a row are key-sorted too (JSONB reorders keys; a copy between
    backends must not change a digest)."""
    layout = _LAYOUT.get(table.name)
    if layout is None:
        names = [c.name for c in table.columns]
        layout = _LAYOUT[table.name] = tuple(sorted((n, i) for i, n in enumerate(names)))
    return layout


def _row_text(table: Table, row: Any) -> bytes:
    """The table's name and the row's non-NULL columns as key-sorted JSON."""
    values = tuple(row)
    doc = {}
    for name, i in _layout(table):
        value = values[i]
        if value is not None:
            doc[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return (table.name + _ENCODE(doc)).encode("utf-8")


def _pk_order(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


def _key_of(kind: Kind, subject: str) -> list[Any]:
    parts = subject.split(":", 1)[1].split("|")
    out: list[Any] = []
    for name, part in zip(kind.key, parts, strict=True):
        column = kind.table.c[name]
        out.append(int(part) if column.type.python_type is int else part)
    return out


def digest(session: Session, subject: str) -> str | None:
    """The digest of one subject as the database holds it now (None: gone)."""
    kind = BY_NAME[subject.split(":", 1)[0]]
    key = _key_of(kind, subject)
    cond = [kind.table.c[name] == value for name, value in zip(kind.key, key, strict=True)]
    row = session.execute(select(kind.table).where(*cond)).first()
    if row is None:
        return None
    hasher = hashlib.sha256(_row_text(kind.table, row))
    for child, refs in kind.children:
        ccond = [child.c[name] == value for name, value in zip(refs, key, strict=True)]
        for crow in session.execute(select(child).where(*ccond).order_by(*_pk_order(child))):
            hasher.update(b"\n" + _row_text(child, crow))
    return hasher.hexdigest()[:32]


def _stream(session: Session, stmt: Any) -> Iterator[Any]:
    yield from session.execute(stmt.execution_options(yield_per=5000))


def all_digests(session: Session) -> dict[str, str]:
    """Every subject's digest, read table by table (for verify and baselines).
    Same bytes as digest(): the main row, then each child table's rows in
    primary-key order."""
    out: dict[str, str] = {}
    for kind in KINDS:
        hashers: dict[tuple[Any, ...], Any] = {}
        order = [kind.table.c[name] for name in kind.key]
        for row in _stream(session, select(kind.table).order_by(*order)):
            key = tuple(row._mapping[c] for c in order)
            if kind.name == "setting" and key[0] in UNAUDITED_SETTINGS:
                continue
            hashers[key] = hashlib.sha256(_row_text(kind.table, row))
        for child, refs in kind.children:
            ref_cols = [child.c[name] for name in refs]
            stmt = select(child).order_by(*ref_cols, *_pk_order(child))
            for crow in _stream(session, stmt):
                key = tuple(crow._mapping[c] for c in ref_cols)
                hasher = hashers.get(key)
                if hasher is not None:  # an orphan child: its parent's check fails anyway
                    hasher.update(b"\n" + _row_text(child, crow))
                else:
                    out[subject_name(kind.name, key)] = "orphan"
        for key, hasher in hashers.items():
            out[subject_name(kind.name, key)] = hasher.hexdigest()[:32]
    return out


def kind_order(subject: str) -> tuple[int, str, tuple[Any, ...]]:
    """Sort subjects as the tables are listed, numbers as numbers."""
    name, _, rest = subject.partition(":")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rest.split("|"))
    index = next((i for i, k in enumerate(KINDS) if k.name == name), len(KINDS))
    return index, name, parts


def describe(subject: str) -> str:
    """'case:12' -> 'cases 12' (the table and key an admin looks up)."""
    name, _, rest = subject.partition(":")
    kind = BY_NAME.get(name)
    return f"{kind.table.name if kind else name} {rest}"

