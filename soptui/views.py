"""Plain read models handed to the CLI and the screens (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from soptui.catalog import SopDefinition, Step

# The inbox views, in the order of their keys 1-5.
VIEWS = ("mine", "all", "overdue", "paused", "closed")


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

    @property
    def overdue(self) -> bool:
        return (
            self.remaining is not None and self.remaining < timedelta(0) and (self.status == "open")
        )


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
