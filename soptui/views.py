"""Plain read models: what the services return, the server sends and the
clients (the CLI, the screens) decode (no ORM objects leak out; no SQLAlchemy
here), and how an inbox row and the view counts are built from plain column
values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from soptui.catalog import SopDefinition, Step
from soptui.errors import InputError

if TYPE_CHECKING:
    from soptui.workcal import WorkCalendar

# The inbox views, in the order of their keys 1-5.
VIEWS = ("mine", "all", "overdue", "paused", "closed")
OPEN_STATUSES = ("open", "paused")


@dataclass(frozen=True)
class UserView:
    id: int
    login: str
    name: str
    nip: str | None
    jabatan: str | None
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class DelegationView:
    id: int
    principal: str
    delegate: str
    kind: str
    start: date
    end: date
    note: str
    revoked: bool


@dataclass(frozen=True)
class SopSummary:
    id: int
    code: str
    version: int
    name: str
    short_name: str
    nomor: str
    steps: int


@dataclass(frozen=True)
class CaseRow:
    id: int
    sop_code: str
    sop_short: str
    sop_version: int
    title: str
    requester: str | None
    letter_no: str | None
    urgency: str
    status: str
    outcome: str | None
    step_key: str | None
    step_no: str | None
    step_position: int | None  # 1-based position, for "6/13"
    step_count: int
    step_text: str | None
    role: str | None
    role_name: str | None
    waiting_role: str | None
    due_at: datetime | None
    remaining: timedelta | None  # working time left; negative when overdue
    opened_at: datetime
    updated_at: datetime
    version: int
    # With a search: the field it matched (soptui.case_search: "nomor",
    # "surat", "agenda", "keluar", "perihal", "pemohon", "pengirim",
    # "narasumber", "sop") and the value there (one letter number, one name).
    match: str | None = None
    match_text: str | None = None
    returns: int = 0  # times the case was sent back to an earlier step

    @property
    def overdue(self) -> bool:
        return (
            self.remaining is not None and self.remaining < timedelta(0) and (self.status == "open")
        )


def case_row(
    definition: SopDefinition,
    case: Any,
    paused_at: datetime | None,
    cal: WorkCalendar,
    now: datetime,
) -> CaseRow:
    """An inbox row from a case's columns, read by name (`case` is a Case, a
    result row of the case service's ROW_COLUMNS, or the fast path's tuple of
    the same columns) and the definition of its SOP version."""
    # Each column read once: `case` may be a result row, where reads cost.
    step_key = case.current_step_key
    status = case.status
    due_at = case.due_at
    step = definition.step(step_key) if step_key else None
    remaining = None
    if due_at is not None and status in OPEN_STATUSES:
        # While paused the clock stands still at the pause.
        remaining = cal.working_time_between(paused_at or now, due_at)
    role_name = definition.role(step.role).name if step else None
    return _new_case_row(
        {
            "id": case.id,
            "sop_code": definition.code,
            "sop_short": definition.short_name,
            "sop_version": definition.version,
            "title": case.title,
            "requester": case.requester,
            "letter_no": case.letter_no,
            "urgency": case.urgency,
            "status": status,
            "outcome": case.outcome,
            "step_key": step.key if step else None,
            "step_no": step.no if step else None,
            "step_position": step.index + 1 if step else None,
            "step_count": len(definition.steps),
            "step_text": step.text if step else None,
            "role": step.role if step else None,
            "role_name": role_name,
            "waiting_role": case.waiting_role,
            "due_at": due_at,
            "remaining": remaining,
            "opened_at": case.opened_at,
            "updated_at": case.updated_at,
            "version": case.version,
            "match": None,
            "match_text": None,
            "returns": case.returns or 0,
        }
    )


_CASE_ROW_FIELDS = frozenset(f.name for f in fields(CaseRow))
# Without __post_init__ and __slots__, CaseRow's __init__ only fills __dict__.
_CASE_ROW_PLAIN = not hasattr(CaseRow, "__post_init__") and not hasattr(CaseRow, "__slots__")


def _new_case_row(values: dict[str, Any]) -> CaseRow:
    """CaseRow(**values), the same object made several times faster: a frozen
    dataclass's __init__ sets each of the 25 fields through object.__setattr__,
    half of what building an inbox row costs. All fields must be given, as
    for __init__."""
    if not _CASE_ROW_PLAIN or values.keys() != _CASE_ROW_FIELDS:
        return CaseRow(**values)  # raises as __init__ would
    row = _object_new(CaseRow)
    _object_setattr(row, "__dict__", values)
    return row


_object_new = object.__new__
_object_setattr = object.__setattr__


def view_counts(values: Iterable[Any]) -> dict[str, int]:
    """The counts query's one row (a sum per view, in VIEWS order) as a dict."""
    return dict(zip(VIEWS, (int(v) for v in values), strict=True))


@dataclass(frozen=True)
class EventView:
    seq: int
    at: datetime
    kind: str
    actor_login: str | None
    actor_name: str | None
    acted_as: str | None
    step_key: str | None
    attempt_id: int | None
    note: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class AttemptView:
    id: int
    step_key: str
    attempt_no: int
    started_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    actor_login: str | None
    actor_name: str | None
    acted_as: str | None
    on_behalf_of: str | None
    standard_s: int | None
    worked_s: int | None  # frozen at the end; for the current attempt: so far
    paused_s: int
    checklist: tuple[str, ...]

    @property
    def over_standard(self) -> bool:
        return (
            self.standard_s is not None
            and self.worked_s is not None
            and self.worked_s > self.standard_s
        )


@dataclass(frozen=True)
class StepView:
    step: Step
    role_name: str
    status: str  # done, current, returned, pending, refused, paused, cancelled
    attempts: tuple[AttemptView, ...]


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    sop: SopDefinition
    letter_date: date | None
    opened_by: str | None
    closed_at: datetime | None
    refusing: bool
    steps: tuple[StepView, ...]
    events: tuple[EventView, ...]
    notes: tuple[EventView, ...] = field(default=())


@dataclass(frozen=True)
class Report:
    name: str
    columns: tuple[tuple[str, str], ...]  # (key, heading message key)
    rows: tuple[dict[str, Any], ...]
    bar: str | None = None  # a 0..1 column the screen draws as a bar
    # With bar_max the bar column holds plain figures (hours): the bar is
    # value / bar_max and the figure is written beside it instead of a percent.
    bar_max: float | None = None
    params: dict[str, Any] = field(default_factory=dict)


def semester_range(value: str) -> tuple[date, date]:
    """'2026-1' -> Jan..Jun 2026; '2026-2' -> Jul..Dec 2026."""
    try:
        year_text, half = value.split("-")
        year = int(year_text) if len(year_text) <= 4 else 0
    except ValueError as exc:
        raise InputError("err.bad_semester", value=value) from exc
    if not 1900 <= year <= 2200:  # soptui.validate's YEAR_MIN..YEAR_MAX
        raise InputError("err.bad_semester", value=value)
    if half == "1":
        return date(year, 1, 1), date(year, 6, 30)
    if half == "2":
        return date(year, 7, 1), date(year, 12, 31)
    raise InputError("err.bad_semester", value=value)


@dataclass(frozen=True)
class LetterView:
    id: int
    direction: str
    year: int
    klasifikasi: str
    seq: int
    number: str
    party: str | None
    letter_date: date | None
    received_date: date | None
    sifat: str
    perihal: str
    case_id: int | None
    source: str
    voided: bool
    void_note: str | None
    created_at: datetime


@dataclass(frozen=True)
class ChainReport:
    """What `audit verify` found (soptui.audit.check)."""

    ok: bool
    events: int
    head: str
    first_bad_seq: int | None = None
    problem: str | None = None
    row: str | None = None  # "cases 12": the first state row that disagrees
    seals: int = 0
    legacy_upto: int = 0  # events up to here are checked by the keyless chain only
    key_ids: tuple[str, ...] = ()
    logged: int = 0  # head-log lines checked


@dataclass(frozen=True)
class HeadLine:
    """One line of the head log: `seq key_id head_hmac timestamp`."""

    seq: int
    key_id: str
    mac: str
    at: str  # ISO 8601, UTC

    def text(self) -> str:
        return f"{self.seq} {self.key_id} {self.mac} {self.at}"


LETTER_COLUMNS = (
    ("agenda", "col.agenda"),
    ("number", "col.number"),
    ("date", "col.date"),
    ("party", "col.party"),
    ("perihal", "col.title"),
    ("case_id", "col.case"),
    ("state", "col.status"),
)


def letter_record(v: LetterView) -> dict[str, Any]:
    """One row of the agenda book, as `letter list` and the agenda report show it."""
    from soptui.i18n import t

    return {
        "id": v.id,
        "direction": v.direction,
        "year": v.year,
        "klasifikasi": v.klasifikasi or None,
        "seq": v.seq,
        "agenda": f"{v.seq}/{v.year}" if v.direction == "in" else "",
        "number": v.number,
        "party": v.party,
        "letter_date": v.letter_date,
        "received_date": v.received_date,
        "date": (v.received_date or v.letter_date),
        "sifat": v.sifat,
        "perihal": v.perihal,
        "case_id": v.case_id,
        "source": v.source,
        "voided": v.voided,
        "void_note": v.void_note,
        "state": t("letter.void", note=v.void_note)
        if v.voided
        else (t("letter.external") if v.source == "external" else ""),
    }
