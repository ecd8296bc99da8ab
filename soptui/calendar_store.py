"""The office calendar: the weekly schedule and national holidays from code,
office overrides (closures, extra working days, Ramadan-style ranges) from the
database."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from soptui.db.models import CalendarOverride
from soptui.errors import InputError
from soptui.validate import check_year
from soptui.workcal import Override, WeekSchedule, WorkCalendar

# What calendar() checks on every action and timeline: plain columns, built once
# (an ORM entity per override and a new statement each time cost more than the read).
OVERRIDE_ROWS = select(
    CalendarOverride.id,
    CalendarOverride.kind,
    CalendarOverride.start_date,
    CalendarOverride.end_date,
    CalendarOverride.note,
    CalendarOverride.schedule,
).order_by(CalendarOverride.id)


OVERRIDE_DAYS = 366  # a closure, extra working days or a schedule: a year at most


class CalendarStore:
    def __init__(self, tz: str = "Asia/Jakarta") -> None:
        self.tz = tz
        self._lock = threading.Lock()
        self._cached: tuple[tuple[object, ...], WorkCalendar] | None = None
        self._checked_at = 0.0

    def calendar(self, session: Session | Connection, *, max_age: float = 0.0) -> WorkCalendar:
        """The calendar in force. Rebuilt only when the overrides change, so its
        holiday and per-day caches survive between actions. Readers may accept
        one checked up to `max_age` seconds ago (an inbox page need not re-read
        the overrides every time); writers always check."""
        cached = self._cached
        if cached is not None and max_age and time.monotonic() - self._checked_at <= max_age:
            return cached[1]
        self._checked_at = time.monotonic()
        # Through a writer's session, so that what it added is flushed first.
        rows = session.execute(OVERRIDE_ROWS).all()
        key = tuple((r.id, r.kind, r.start_date, r.end_date, str(r.schedule)) for r in rows)
        if cached is not None and cached[0] == key:
            return cached[1]
        overrides = [
            Override(
                kind=r.kind,  # type: ignore[arg-type]
                start=r.start_date,
                end=r.end_date,
                note=r.note,
                schedule=WeekSchedule.from_json(r.schedule) if r.schedule else None,
            )
            for r in rows
        ]
        cal = WorkCalendar(overrides=overrides, tz=self.tz)
        with self._lock:
            self._cached = (key, cal)
        return cal

    def add_override(
        self,
        session: Session,
        *,
        kind: str,
        start: date,
        end: date,
        note: str,
        at: datetime,
        by: int | None,
        schedule: WeekSchedule | None = None,
    ) -> CalendarOverride:
        check_year(start)
        check_year(end)
        if end < start:
            raise InputError("err.bad_range")
        if (end - start).days >= OVERRIDE_DAYS:
            # Every day closed for years leaves no working time to count a
            # deadline in: every later case would fail to open.
            raise InputError("err.range_too_long", days=OVERRIDE_DAYS)
        row = CalendarOverride(
            kind=kind,
            start_date=start,
            end_date=end,
            note=note,
            schedule=schedule.to_json() if schedule else None,
            created_at=at,
            created_by=by,
        )
        session.add(row)
        session.flush()
        from soptui import audit

        audit.append(
            session,
            at=at,
            kind="calendar",
            actor_id=by,
            note=note or None,
            data={"id": row.id, "kind": kind, "from": start.isoformat(), "to": end.isoformat()},
        )
        return row

    def overrides(self, session: Session) -> list[CalendarOverride]:
        return list(
            session.execute(select(CalendarOverride).order_by(CalendarOverride.id)).scalars()
        )
