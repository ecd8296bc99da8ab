"""The case engine: an SOP instance moving step by step.

Every action is one short writing transaction: lock the case, check the
version the clerk saw, check the role, change the small state tables, append
the audit event, commit. Nothing is applied half-way.
"""

from __future__ import annotations

import functools
import json
import time
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, aliased

from soptui import audit
from soptui.calendar_store import CalendarStore
from soptui.catalog import SopDefinition, Step, return_target
from soptui.catalog_store import CatalogStore
from soptui.db.engine import Database
from soptui.db.models import (
    URGENCIES,
    Case,
    CaseEvent,
    Letter,
    SopVersion,
    StepAttempt,
    User,
)
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError, StaleError
from soptui.identity import Actor
from soptui.inbox_marks import InboxMarks
from soptui.validate import (
    NAME_MAX,
    NOTE_MAX,
    SHORT_MAX,
    TITLE_MAX,
    check_search,
    clean_text,
    guarded,
)
from soptui.views import (
    OPEN_STATUSES,
    VIEWS,
    AttemptView,
    CaseDetail,
    CaseRow,
    EventView,
    StepView,
    case_row,
    view_counts,
)
from soptui.workcal import WorkCalendar

if TYPE_CHECKING:
    from soptui.case_search import SearchPlan

Clock = Callable[[], datetime]
# Called inside the action's transaction, so what they write commits or rolls
# back with the action: (session, case, definition, step, outcome, at).
StepOutcomeHook = Callable[[Session, Case, SopDefinition, Step, str, datetime], None]
# (session, case, final status, at) when a case ends: closed, refused, cancelled.
CaseEndHook = Callable[[Session, Case, str, datetime], None]

ENDED_STATUSES = ("closed", "refused", "cancelled")
# Built read statements kept per shape (CaseService._statement): a few views
# per role set, plus searches.
STATEMENTS_KEPT = 256
# Search plans (misspelt words looked up) kept per text, briefly: the rows and
# the counts of one keystroke share one.
PLAN_SECONDS = 2.0
PLANS_KEPT = 64
_S = TypeVar("_S")  # a statement, or a tuple of them


@dataclass(frozen=True)
class Capacity:
    """In which capacity a clerk acts on a step: self, admin, requester (the
    front desk for an outside role) or delegate (Plt/Plh, for on_behalf_of)."""

    acted_as: str
    on_behalf_of: str | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_urgency(value: str | None) -> str:
    if value is None or not value.strip():
        return "biasa"
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in URGENCIES:
        raise InputError("err.bad_urgency", value=value)
    return key


def _required_note(note: str | None) -> str:
    text = clean_text(note, "Catatan", max_len=NOTE_MAX)
    if text is None:
        raise InputError("err.note_required")
    return text


@functools.cache
def _columns_type(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A named tuple type for result rows with these column names."""
    return namedtuple("CaseColumns", names)  # type: ignore[misc]


def _roles_key(actor: Actor | None) -> tuple[str, ...] | None:
    """All a read statement depends on of the clerk."""
    return None if actor is None else tuple(sorted(actor.roles))


# What an inbox row needs of a case (CaseService._row reads these by name).
ROW_COLUMNS = (
    Case.id,
    Case.sop_version_id,
    Case.title,
    Case.requester,
    Case.letter_no,
    Case.urgency,
    Case.status,
    Case.outcome,
    Case.current_step_key,
    Case.waiting_role,
    Case.due_at,
    Case.opened_at,
    Case.updated_at,
    Case.version,
    # How many times the case was sent back (the inbox marks it "↩2").
    select(func.count())
    .select_from(StepAttempt)
    .where(StepAttempt.case_id == Case.id, StepAttempt.outcome == "returned")
    .correlate(Case)
    .scalar_subquery()
    .label("returns"),
)


def _detail_queries() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """What detail reads, by the named parameter case_id: the case (with its
    opener's login), its attempts and its events (each with its actor's login
    and name), in timeline order."""
    case_id = bindparam("case_id", type_=Integer())
    opener = aliased(User)
    case_q = (
        select(
            *ROW_COLUMNS,
            Case.letter_date,
            Case.closed_at,
            Case.refusing,
            Case.current_attempt_id,
            opener.login.label("opener_login"),
        )
        .outerjoin(opener, opener.id == Case.opened_by)
        .where(Case.id == case_id)
    )
    attempts_q = (
        select(
            StepAttempt.id,
            StepAttempt.step_key,
            StepAttempt.attempt_no,
            StepAttempt.started_at,
            StepAttempt.due_at,
            StepAttempt.ended_at,
            StepAttempt.outcome,
            StepAttempt.acted_as,
            StepAttempt.on_behalf_of,
            StepAttempt.paused_at,
            StepAttempt.standard_s,
            StepAttempt.paused_s,
            StepAttempt.worked_s,
            StepAttempt.checklist,
            User.login.label("actor_login"),
            User.name.label("actor_name"),
        )
        .outerjoin(User, User.id == StepAttempt.actor_id)
        .where(StepAttempt.case_id == case_id)
        .order_by(StepAttempt.id)
    )
    events_q = (
        select(
            CaseEvent.seq,
            CaseEvent.at,
            CaseEvent.kind,
            CaseEvent.acted_as,
            CaseEvent.step_key,
            CaseEvent.attempt_id,
            CaseEvent.note,
            CaseEvent.data,
            User.login.label("actor_login"),
            User.name.label("actor_name"),
        )
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    )
    return case_q, attempts_q, events_q


@guarded
class CaseService:
    def __init__(
        self, db: Database, catalogs: CatalogStore, calendars: CalendarStore, clock: Clock = utcnow
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.calendars = calendars
        self.clock = clock
        self.step_outcome_hooks: list[StepOutcomeHook] = []
        self.case_end_hooks: list[CaseEndHook] = []
        self._statements: dict[tuple[Any, ...], Any] = {}
        self._plans: dict[str, tuple[float, SearchPlan]] = {}
        self.marks = InboxMarks(db, clock)

    # ----- what is new to a clerk (soptui.inbox_marks) ----------------------------

    def inbox_session(self, actor: Actor) -> datetime:
        """Begin a session of the clerk's inbox: since when a case counts as
        new (when their previous session began)."""
        return self.marks.begin_session(actor)

    def unread(self, actor: Actor, since: datetime) -> list[int]:
        """Cases waiting on the clerk that reached them after `since`, unopened since."""
        return self.marks.unread(actor, since)

    def mark_read(self, actor: Actor, case_id: int) -> None:
        """The clerk opened the case: it is no longer new to them."""
        self.marks.mark_read(actor, case_id)

    # ----- writing -------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        sop_code: str,
        *,
        title: str,
        requester: str | None = None,
        letter_no: str | None = None,
        letter_date: date | None = None,
        urgency: str | None = None,
        from_letter: int | None = None,
    ) -> int:
        """Open a case. Started from a registered incoming letter, the letter's
        perihal, sender, number, date and sifat fill what was not given, and
        the letter is linked to the case."""
        letter = self._letter(from_letter) if from_letter is not None else None
        if letter is not None:
            title = title or letter.perihal
            requester = requester or letter.party
            letter_no = letter_no or letter.number
            letter_date = letter_date or letter.letter_date
            urgency = urgency or letter.sifat
        clean_title = clean_text(title, "Perihal", max_len=TITLE_MAX, required=True)
        clean_requester = clean_text(requester, "Pemohon", max_len=NAME_MAX)
        clean_letter = clean_text(letter_no, "No. surat", max_len=SHORT_MAX)
        urgency_key = parse_urgency(urgency)
        now = self.clock()
        with self.db.write() as s:
            case = self.start_in(
                s,
                actor,
                sop_code,
                now=now,
                title=clean_title,
                requester=clean_requester,
                letter_no=clean_letter,
                letter_date=letter_date,
                urgency=urgency_key,
                data={"letter": from_letter} if from_letter is not None else None,
            )
            if from_letter is not None:
                row = s.execute(
                    select(Letter).where(Letter.id == from_letter).with_for_update()
                ).scalar_one()
                if row.case_id is not None:
                    raise RuleError("err.letter_has_case", id=row.case_id)
                row.case_id = case.id
            return case.id

    def start_in(
        self,
        s: Session,
        actor: Actor,
        sop_code: str,
        *,
        now: datetime,
        title: str,
        requester: str | None = None,
        letter_no: str | None = None,
        letter_date: date | None = None,
        urgency: str = "biasa",
        data: dict[str, Any] | None = None,
    ) -> Case:
        """Open a case inside the caller's write transaction (so a caller's own
        rows, e.g. a narasumber, commit together with the case or not at all).
        The values must already be clean; `data` joins the opened event."""
        sop = self.catalogs.latest(s, sop_code)
        definition = self.catalogs.definition(s, sop.id)
        case = Case(
            sop_version_id=sop.id,
            title=title,
            requester=requester,
            letter_no=letter_no,
            letter_date=letter_date,
            urgency=urgency,
            status="open",
            refusing=False,
            opened_at=now,
            opened_by=actor.id,
            updated_at=now,
            version=1,
        )
        s.add(case)
        s.flush()
        self._record(
            s,
            now,
            kind="opened",
            case=case,
            actor=actor,
            data={"sop": sop.code, "version": sop.version, "title": title, **(data or {})},
        )
        self._open_attempt(s, case, definition, definition.steps[0], now)
        return case

    def complete(
        self,
        actor: Actor,
        case_id: int,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> None:
        text = clean_text(note, "Catatan", max_len=NOTE_MAX)
        with self.db.write() as s:
            case, definition, step, attempt = self._current(s, case_id, expected_version)
            now = self._now(case)
            cap = self._capacity(actor, definition, step)
            # A decision step reached to tell a refusal (refuse_to) only sends
            # the notice: it completes, it approves nothing.
            outcome = "approved" if step.decision and not case.refusing else "completed"
            self._close_attempt(s, attempt, now, outcome, actor, cap)
            self._record(
                s,
                now,
                kind=outcome,
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                note=text,
            )
            nxt = definition.next_step(step.key)
            if case.refusing:
                self._finish(s, case, now, "refused", actor)
            elif nxt is None:
                self._finish(s, case, now, "closed", actor)
            else:
                self._open_attempt(s, case, definition, nxt, now)
            self._touch(case, now)

    def return_for_revision(
        self,
        actor: Actor,
        case_id: int,
        *,
        note: str | None,
        to: str | None = None,
        expected_version: int | None = None,
    ) -> str:
        """Send the case back to an earlier step; returns the target step key."""
        text = _required_note(note)
        with self.db.write() as s:
            case, definition, step, attempt = self._current(s, case_id, expected_version)
            now = self._now(case)
            cap = self._capacity(actor, definition, step)
            target = return_target(definition, step, to)
            self._close_attempt(s, attempt, now, "returned", actor, cap)
            self._record(
                s,
                now,
                kind="returned",
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                note=text,
                data={"to": target.key},
            )
            self._open_attempt(s, case, definition, target, now)
            self._touch(case, now)
            return target.key

    def refuse(
        self, actor: Actor, case_id: int, *, note: str | None, expected_version: int | None = None
    ) -> None:
        text = _required_note(note)
        with self.db.write() as s:
            case, definition, step, attempt = self._current(s, case_id, expected_version)
            now = self._now(case)
            cap = self._capacity(actor, definition, step)
            if case.refusing:
                # Already refused: the step left is telling the requester so.
                raise RuleError("err.already_refused", id=case.id)
            if not step.refuse_to:
                raise RuleError("err.cannot_refuse")
            self._close_attempt(s, attempt, now, "refused", actor, cap)
            self._record(
                s,
                now,
                kind="refused",
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                note=text,
                data={"to": step.refuse_to},
            )
            if step.refuse_to == "end":
                self._finish(s, case, now, "refused", actor)
            else:
                # The refusal still has to be told to the requester: run the
                # notification step, then end with the refusal outcome.
                case.refusing = True
                self._open_attempt(s, case, definition, definition.step(step.refuse_to), now)
            self._touch(case, now)

    def add_note(self, actor: Actor, case_id: int, *, text: str | None) -> None:
        body = _required_note(text)
        with self.db.write() as s:
            case = self._lock(s, case_id)
            now = self._now(case)
            self._record(
                s,
                now,
                kind="note",
                case=case,
                attempt_id=case.current_attempt_id,
                actor=actor,
                step_key=case.current_step_key,
                note=body,
            )
            # A note conflicts with nobody: it does not bump the version.
            case.updated_at = now

    def pause(
        self, actor: Actor, case_id: int, *, note: str | None, expected_version: int | None = None
    ) -> None:
        text = _required_note(note)
        with self.db.write() as s:
            case, definition, step, attempt = self._current(s, case_id, expected_version)
            now = self._now(case)
            cap = self._capacity(actor, definition, step)
            attempt.paused_at = now
            case.status = "paused"
            self._record(
                s,
                now,
                kind="paused",
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                note=text,
            )
            self._touch(case, now)

    def resume(
        self,
        actor: Actor,
        case_id: int,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> None:
        text = clean_text(note, "Catatan", max_len=NOTE_MAX)
        with self.db.write() as s:
            case = self._lock(s, case_id)
            now = self._now(case)
            self._check_version(case, expected_version)
            if case.status != "paused":
                raise RuleError("err.case_not_paused", id=case.id)
            definition = self.catalogs.definition(s, case.sop_version_id)
            step = definition.step(case.current_step_key or "")
            attempt = s.get(StepAttempt, case.current_attempt_id)
            assert attempt is not None and attempt.paused_at is not None
            cap = self._capacity(actor, definition, step)
            cal = self.calendars.calendar(s)
            # The clock stood still while waiting on the outsider: the paused
            # working time is credited back and the due time moves by as much.
            paused = cal.working_time_between(attempt.paused_at, now)
            attempt.paused_s += int(paused.total_seconds())
            if attempt.due_at is not None:
                attempt.due_at = cal.add_working_time(attempt.due_at, paused)
            attempt.paused_at = None
            case.due_at = attempt.due_at
            case.status = "open"
            self._record(
                s,
                now,
                kind="resumed",
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                note=text,
                data={"paused_s": int(paused.total_seconds())},
            )
            self._touch(case, now)

    def cancel(
        self, actor: Actor, case_id: int, *, note: str | None, expected_version: int | None = None
    ) -> None:
        text = _required_note(note)
        with self.db.write() as s:
            case = self._lock(s, case_id)
            now = self._now(case)
            self._check_version(case, expected_version)
            if case.status not in OPEN_STATUSES:
                raise RuleError("err.case_not_open", id=case.id, status=case.status)
            if not actor.is_admin and case.opened_by != actor.id:
                raise PermissionDenied("err.cannot_cancel")
            attempt = s.get(StepAttempt, case.current_attempt_id)
            cap = Capacity("admin" if actor.is_admin and case.opened_by != actor.id else "self")
            if attempt is not None:
                self._close_attempt(s, attempt, now, "cancelled", actor, cap)
            self._record(
                s,
                now,
                kind="cancelled",
                case=case,
                attempt_id=case.current_attempt_id,
                actor=actor,
                step_key=case.current_step_key,
                cap=cap,
                note=text,
            )
            self._finish(s, case, now, "cancelled", actor, event=False)
            self._touch(case, now)

    def set_checklist_item(self, actor: Actor, case_id: int, *, item: str, checked: bool) -> None:
        """Tick or untick one Kelengkapan item of the current step."""
        with self.db.write() as s:
            case, definition, step, attempt = self._current(s, case_id, None, allow_paused=True)
            now = self._now(case)
            cap = self._capacity(actor, definition, step)
            if item not in step.checklist:
                raise InputError("err.checklist_item", item=item)
            ticked = [i for i in attempt.checklist if i != item]
            if checked:
                ticked.append(item)
            attempt.checklist = [i for i in step.checklist if i in ticked]
            self._record(
                s,
                now,
                kind="checklist",
                case=case,
                attempt_id=attempt.id,
                actor=actor,
                step_key=step.key,
                cap=cap,
                data={"item": item, "checked": checked},
            )
            case.updated_at = now

    def _letter(self, letter_id: int) -> Letter:
        with self.db.read() as s:
            row = s.get(Letter, letter_id)
            if row is None or row.direction != "in":
                raise NotFoundError("err.letter_not_found", number=str(letter_id))
            if row.case_id is not None:
                raise RuleError("err.letter_has_case", id=row.case_id)
            return row

    # ----- reading -------------------------------------------------------------

    def list_cases(
        self,
        actor: Actor | None,
        *,
        view: str = "all",
        search: str | None = None,
        sop_code: str | None = None,
        role: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CaseRow]:
        """An inbox view's cases, most urgent first; with a search, the cases
        it finds (soptui.case_search), best matches first, each row saying
        which field matched (CaseRow.match, match_text)."""
        check_search(search)
        check_search(sop_code, "SOP")
        check_search(role, "Peran")
        now = self.clock()
        params: dict[str, Any] = {"now": now, "limit": limit, "offset": offset}
        # A plain connection: rows without the ORM's result layer (the statement
        # selects columns only, nothing to load) and without a Session.
        with self.db.read_rows() as conn:
            found = self._plan(conn, search)
            shape = found.shape if found else None
            key = ("list", _roles_key(actor), view, shape, sop_code, role, status, limit is None)
            query = self._statement(
                key,
                lambda: self.list_query(
                    actor,
                    view=view,
                    search=found,
                    sop_code=sop_code,
                    role=role,
                    status=status,
                    limit=limit,
                    offset=offset,
                    now=now,
                ),
            )
            if found is not None:
                params.update(found.params)
            cal = self.calendars.calendar(conn, max_age=30)
            result = conn.execute(query, params)
            # case_row reads ~15 columns a row by name: a named tuple's fields
            # are several times faster to read than a result Row's.
            make = _columns_type(tuple(result.keys()))._make
            rows = [
                self._row(conn, case, case.paused_at, cal, now) for case in map(make, result.all())
            ]
            if found is not None and rows:
                rows = self._with_matches(conn, found, rows)
            return rows

    def _plan(self, conn: Connection, search: str | None) -> SearchPlan | None:
        """The search made ready for the index. A keystroke asks for the rows
        and the counts at once: the misspelt-word look-ups of one text are
        kept PLAN_SECONDS, not redone by the second call."""
        if not (search and search.strip()):
            return None
        from soptui import case_search

        now = time.monotonic()
        kept = self._plans.get(search)
        if kept is not None and now - kept[0] < PLAN_SECONDS:
            if self.db.backend == "postgresql" and any(p.fuzzy for p in kept[1].parts):
                case_search.set_fuzzy_threshold(conn)
            return kept[1]
        found = case_search.plan(conn, self.db.backend, search)
        if len(self._plans) >= PLANS_KEPT:
            self._plans.clear()
        self._plans[search] = (now, found)
        return found

    def _with_matches(
        self, conn: Connection, found: SearchPlan, rows: list[CaseRow]
    ) -> list[CaseRow]:
        """The rows with the field each one was found by (read from the index
        for these rows only)."""
        from soptui import case_search

        ids = [r.id for r in rows]
        backend = self.db.backend
        query = self._statement(("documents",), lambda: case_search.documents_query(backend))
        param: Any = json.dumps(ids) if self.db.is_sqlite else ids
        documents = {d.case_id: d._mapping for d in conn.execute(query, {"ids": param})}
        out = []
        similar: dict[tuple[str, str], float] = {}
        for row in rows:
            name, value = case_search.matched_field(found, row.id, documents.get(row.id), similar)
            out.append(replace(row, match=name, match_text=value) if name else row)
        return out

    def list_query(
        self,
        actor: Actor | None,
        *,
        view: str,
        search: SearchPlan | None,
        sop_code: str | None,
        role: str | None,
        status: str | None,
        limit: int | None,
        offset: int,
        now: datetime,
    ) -> Select[Any]:
        """The statement list_cases runs."""
        # Plain columns, not ORM entities: an inbox page is read often and
        # nothing here is changed, so the identity map is pure overhead.
        query = (
            select(*ROW_COLUMNS, StepAttempt.paused_at)
            .join(SopVersion, SopVersion.id == Case.sop_version_id)
            .outerjoin(StepAttempt, StepAttempt.id == Case.current_attempt_id)
        )
        query = self._filtered(query, actor, view, sop_code, role, status, now)
        order: list[Any] = []
        if search is not None:
            found = search.candidates()
            query = query.join(found, found.c.case_id == Case.id)
            order.append(found.c.score)
        if view == "closed" or status in ENDED_STATUSES or status == "all":
            order += [Case.closed_at.desc().nulls_first(), Case.due_at.asc().nulls_last(), Case.id]
        else:
            # One order per view (VIEW_ORDER): due first; in "all" the open
            # cases before the paused ones ("open" < "paused"), whose clock stands still.
            order += [Case.status, Case.due_at.asc().nulls_last(), Case.id]
        query = query.order_by(*order)
        if limit is not None:
            # Named parameters: list_cases runs one built statement per shape
            # with each call's values.
            query = query.limit(bindparam("limit", limit, type_=Integer())).offset(
                bindparam("offset", offset, type_=Integer())
            )
        return query

    def counts(self, actor: Actor | None, *, search: str | None = None) -> dict[str, int]:
        """How many cases each inbox view holds (with the same filter), in one pass."""
        check_search(search)
        now = self.clock()
        with self.db.read_rows() as conn:
            found = self._plan(conn, search)
            query = self._statement(
                ("counts", _roles_key(actor), found.shape if found else None),
                lambda: self.counts_query(actor, search=found, now=now),
            )
            params: dict[str, Any] = {"now": now, **(found.params if found else {})}
            return view_counts(conn.execute(query, params).one())

    def counts_query(
        self, actor: Actor | None, *, search: SearchPlan | None, now: datetime
    ) -> Select[Any]:
        """The statement counts runs: one row, a count per view in VIEWS order."""
        if search is None:
            # A count per view, each a range of ix_cases_inbox/ix_cases_status_due
            # (index only): 5 ms instead of 30 ms for one pass over 100,000 cases.
            return select(
                *(
                    select(func.count())
                    .select_from(Case)
                    .where(self._view_condition(actor, view, now))
                    .scalar_subquery()
                    for view in VIEWS
                )
            )
        # Filtered: one pass over the cases the index found.
        columns = [
            func.coalesce(
                func.sum(sql_case((self._view_condition(actor, view, now), 1), else_=0)), 0
            )
            for view in VIEWS
        ]
        found = search.candidates(scored=False)
        return select(*columns).select_from(Case).join(found, found.c.case_id == Case.id)

    def last_change(self) -> str:
        """A token that changes whenever anything is written (the audit head)."""
        with self.db.read() as s:
            return s.execute(self.head_query()).scalar_one_or_none() or ""

    @staticmethod
    def head_query() -> Select[Any]:
        """The statement last_change runs: the audit head's value, if any."""
        return select(audit.Setting.value).where(audit.Setting.key == audit.HEAD_KEY)

    def detail(self, case_id: int) -> CaseDetail:
        now = self.clock()
        case_q, attempts_q, events_q = self._statement(("detail",), _detail_queries)
        params = {"case_id": case_id}
        # Plain columns on a plain connection, each actor's login and name joined
        # in: nothing here is changed, so ORM entities (and the users' eagerly
        # loaded roles) and a Session would be pure overhead.
        with self.db.read_rows() as conn:
            case = conn.execute(case_q, params).one_or_none()
            if case is None:
                raise NotFoundError("err.case_not_found", id=case_id)
            definition = self.catalogs.definition(conn, case.sop_version_id)
            cal = self.calendars.calendar(conn)
            attempts = conn.execute(attempts_q, params).all()
            events = conn.execute(events_q, params).all()
        attempt_views = [self._attempt_view(a, cal, now) for a in attempts]
        event_views = tuple(self._event_view(e) for e in events)
        paused_at = next((a.paused_at for a in attempts if a.id == case.current_attempt_id), None)
        row = case_row(definition, case, paused_at, cal, now)
        steps = tuple(
            self._step_view(
                definition, step, case, [a for a in attempt_views if a.step_key == step.key]
            )
            for step in definition.steps
        )
        return CaseDetail(
            row=row,
            sop=definition,
            letter_date=case.letter_date,
            opened_by=case.opener_login,
            closed_at=case.closed_at,
            refusing=case.refusing,
            steps=steps,
            events=event_views,
            notes=tuple(e for e in event_views if e.note),
        )

    def may_act(self, actor: Actor, row: CaseRow) -> bool:
        """Whether the actor holds the role the current step waits on."""
        if row.status not in OPEN_STATUSES or row.waiting_role is None:
            return False
        return actor.is_admin or row.waiting_role in actor.roles

    # ----- internals -----------------------------------------------------------

    def _statement(self, key: tuple[Any, ...], build: Callable[[], _S]) -> _S:
        """The read statement of one shape, built once: building and cache-keying
        a statement costs more than running an inbox page's. The calls' varying
        values (now, limit, offset, ids) are named parameters given at execution;
        everything else the statement holds is in `key`. Dict operations are
        atomic, so threads at worst build a statement twice."""
        found = self._statements.get(key)
        if found is None:
            found = build()
            if len(self._statements) >= STATEMENTS_KEPT:
                self._statements.clear()
            self._statements[key] = found
        return found

    def _lock(self, s: Session, case_id: int) -> Case:
        # FOR UPDATE on PostgreSQL; on SQLite the writer already holds the
        # database write lock (BEGIN IMMEDIATE) and SQLAlchemy omits the clause.
        query = select(Case).where(Case.id == case_id)
        if self.db.lock_rows:
            query = query.with_for_update(of=Case)
        case = s.execute(query).scalar_one_or_none()
        if case is None:
            raise NotFoundError("err.case_not_found", id=case_id)
        return case

    def _now(self, case: Case) -> datetime:
        """The time of an action on a locked case. Read only once the lock is
        held: a clerk who waited for it must not act 'before' the one who
        held it (a resume would credit back negative paused time). Never
        earlier than the case's last change, should clocks disagree."""
        return max(self.clock(), case.updated_at)

    @staticmethod
    def _check_version(case: Case, expected: int | None) -> None:
        if expected is not None and case.version != expected:
            raise StaleError("err.stale", id=case.id)

    def _current(
        self, s: Session, case_id: int, expected_version: int | None, *, allow_paused: bool = False
    ) -> tuple[Case, SopDefinition, Step, StepAttempt]:
        case = self._lock(s, case_id)
        self._check_version(case, expected_version)
        if case.status == "paused" and not allow_paused:
            raise RuleError("err.case_paused", id=case.id)
        if case.status not in OPEN_STATUSES:
            raise RuleError("err.case_not_open", id=case.id, status=case.status)
        definition = self.catalogs.definition(s, case.sop_version_id)
        step = definition.step(case.current_step_key or "")
        attempt = s.get(StepAttempt, case.current_attempt_id)
        assert attempt is not None, "an open case always has a current attempt"
        return case, definition, step, attempt

    @staticmethod
    def _capacity(actor: Actor, definition: SopDefinition, step: Step) -> Capacity:
        """In which capacity the actor may act on the step, or refuse."""
        role = definition.role(step.role)
        needed = role.recorded_by if role.external and role.recorded_by else step.role
        if needed in actor.own_roles:
            # the front desk records the requester's step
            return Capacity("requester" if role.external else "self")
        if needed in actor.delegated:
            return Capacity("delegate", actor.delegated[needed])
        if actor.is_admin:
            return Capacity("admin")
        waiting = (
            definition.role(role.recorded_by).name
            if role.external and role.recorded_by
            else role.name
        )
        raise PermissionDenied("err.not_your_role", role=waiting)

    def _open_attempt(
        self, s: Session, case: Case, definition: SopDefinition, step: Step, now: datetime
    ) -> StepAttempt:
        cal = self.calendars.calendar(s)
        previous = s.execute(
            select(func.count()).where(
                StepAttempt.case_id == case.id, StepAttempt.step_key == step.key
            )
        ).scalar_one()
        standard = timedelta(minutes=step.minutes) if step.minutes is not None else None
        attempt = StepAttempt(
            case_id=case.id,
            step_key=step.key,
            step_index=step.index,
            attempt_no=int(previous) + 1,
            role=step.role,
            started_at=now,
            due_at=cal.add_working_time(now, standard) if standard is not None else None,
            standard_s=int(standard.total_seconds()) if standard is not None else None,
            paused_s=0,
            checklist=[],
        )
        s.add(attempt)
        s.flush()
        role = definition.role(step.role)
        case.current_step_key = step.key
        case.current_step_index = step.index
        case.current_role = step.role
        case.waiting_role = role.recorded_by if role.external and role.recorded_by else step.role
        case.current_attempt_id = attempt.id
        case.due_at = attempt.due_at
        return attempt

    def _close_attempt(
        self,
        s: Session,
        attempt: StepAttempt,
        now: datetime,
        outcome: str,
        actor: Actor,
        cap: Capacity,
    ) -> None:
        cal = self.calendars.calendar(s)
        if attempt.paused_at is not None:
            attempt.paused_s += int(
                cal.working_time_between(attempt.paused_at, now).total_seconds()
            )
            attempt.paused_at = None
        worked = (
            cal.working_time_between(attempt.started_at, now).total_seconds() - attempt.paused_s
        )
        attempt.worked_s = max(0, int(worked))
        attempt.ended_at = now
        attempt.outcome = outcome
        attempt.actor_id = actor.id
        attempt.acted_as = cap.acted_as
        attempt.on_behalf_of = cap.on_behalf_of
        if self.step_outcome_hooks:
            case = s.get(Case, attempt.case_id)
            assert case is not None
            definition = self.catalogs.definition(s, case.sop_version_id)
            step = definition.step(attempt.step_key)
            for hook in self.step_outcome_hooks:
                hook(s, case, definition, step, outcome, now)

    def _finish(
        self,
        s: Session,
        case: Case,
        now: datetime,
        status: str,
        actor: Actor,
        *,
        event: bool = True,
    ) -> None:
        case.status = status
        case.outcome = status
        case.closed_at = now
        case.waiting_role = None
        case.due_at = None
        case.refusing = False
        for hook in self.case_end_hooks:
            hook(s, case, status, now)
        if event:
            self._record(
                s,
                now,
                kind="closed",
                case=case,
                actor=actor,
                data={"status": status},
            )

    @staticmethod
    def _record(
        s: Session,
        now: datetime,
        *,
        kind: str,
        case: Case,
        actor: Actor,
        cap: Capacity | None = None,
        attempt_id: int | None = None,
        step_key: str | None = None,
        note: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append the audit event of an action (in its transaction)."""
        payload = dict(data or {})
        if cap is not None and cap.on_behalf_of:
            payload["on_behalf_of"] = cap.on_behalf_of
        audit.append(
            s,
            at=now,
            kind=kind,
            case_id=case.id,
            attempt_id=attempt_id,
            actor_id=actor.id,
            step_key=step_key,
            acted_as=cap.acted_as if cap is not None else None,
            note=note,
            data=payload,
        )

    @staticmethod
    def _touch(case: Case, now: datetime) -> None:
        case.version += 1
        case.updated_at = now

    @staticmethod
    def _view_condition(
        actor: Actor | None, view: str, now: datetime, *, status: str | None = None
    ) -> ColumnElement[bool]:
        """Which cases an inbox view holds."""
        if view == "mine":
            roles: Sequence[str] = sorted(actor.roles) if actor else []
            return and_(Case.status == "open", Case.waiting_role.in_(roles))
        if view == "overdue":
            # Named: the built statement is reused with each call's "now".
            return and_(
                Case.status == "open", Case.due_at < bindparam("now", now, Case.due_at.type)
            )
        if view == "paused":
            return Case.status == "paused"
        if view == "closed":
            return Case.status.in_(ENDED_STATUSES)
        if view == "all":
            return Case.status.in_(OPEN_STATUSES) if status is None else true()
        raise InputError("err.bad_format", value=view)

    def _filtered(
        self,
        query: Select[Any],
        actor: Actor | None,
        view: str,
        sop_code: str | None,
        role: str | None,
        status: str | None,
        now: datetime,
    ) -> Select[Any]:
        query = query.where(self._view_condition(actor, view, now, status=status))
        if status is not None and status != "all":
            query = query.where(Case.status == status)
        if role:
            query = query.where(or_(Case.waiting_role == role, Case.current_role == role))
        if sop_code:
            query = query.where(func.upper(SopVersion.code) == sop_code.strip().upper())
        return query

    def _row(
        self,
        s: Session | Connection,
        case: Any,
        paused_at: datetime | None,
        cal: WorkCalendar,
        now: datetime,
    ) -> CaseRow:
        """An inbox row from a Case, or from a result row with ROW_COLUMNS."""
        definition = self.catalogs.definition(s, case.sop_version_id)
        return case_row(definition, case, paused_at, cal, now)

    @staticmethod
    def _attempt_view(a: Any, cal: WorkCalendar, now: datetime) -> AttemptView:
        """An attempt of the timeline from a row of _detail_queries' attempts."""
        worked = a.worked_s
        if a.ended_at is None:
            so_far = cal.working_time_between(a.started_at, a.paused_at or now).total_seconds()
            worked = max(0, int(so_far) - a.paused_s)
        return AttemptView(
            id=a.id,
            step_key=a.step_key,
            attempt_no=a.attempt_no,
            started_at=a.started_at,
            due_at=a.due_at,
            ended_at=a.ended_at,
            outcome=a.outcome,
            actor_login=a.actor_login,
            actor_name=a.actor_name,
            acted_as=a.acted_as,
            on_behalf_of=a.on_behalf_of,
            standard_s=a.standard_s,
            worked_s=worked,
            paused_s=a.paused_s,
            checklist=tuple(a.checklist or ()),
        )

    @staticmethod
    def _event_view(e: Any) -> EventView:
        """An event of the timeline from a row of _detail_queries' events."""
        return EventView(
            seq=e.seq,
            at=e.at,
            kind=e.kind,
            actor_login=e.actor_login,
            actor_name=e.actor_name,
            acted_as=e.acted_as,
            step_key=e.step_key,
            attempt_id=e.attempt_id,
            note=e.note,
            data=dict(e.data or {}),
        )

    @staticmethod
    def _step_view(
        definition: SopDefinition, step: Step, case: Any, attempts: list[AttemptView]
    ) -> StepView:
        if case.current_step_key == step.key and case.status in OPEN_STATUSES:
            status = "paused" if case.status == "paused" else "current"
        elif attempts:
            status = {
                "completed": "done",
                "approved": "done",
                "returned": "returned",
                "refused": "refused",
                "cancelled": "cancelled",
            }.get(attempts[-1].outcome or "", "done")
        else:
            status = "pending"
        return StepView(step, definition.role(step.role).name, status, tuple(attempts))


__all__ = ["VIEWS", "CaseService", "utcnow"]
