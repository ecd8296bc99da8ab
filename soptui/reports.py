"""Reports: the Mutu Baku made visible. Each returns a Report (columns and
plain rows in a deterministic order) that the CLI prints in any format and the
reports screen draws with text bars.

Time figures are the frozen working time of each step attempt (paused time
credited back), so a report does not move when the calendar is edited later.
Percentiles use the nearest-rank method (p90 of 10 values is the 9th).

The narasumber report counts a booking or block in a period when its
half-open interval [starts_at, ends_at) overlaps the period's days (office
time): one that straddles a bound counts once, and only its part inside the
period adds to the hours and the days. Touching a bound is not overlapping.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from soptui.catalog import SopDefinition
from soptui.catalog_store import CatalogStore
from soptui.db.engine import Database
from soptui.db.models import Case, StepAttempt, User, UserRole
from soptui.db.registry_models import Narasumber, NarasumberBooking
from soptui.errors import InputError
from soptui.validate import guarded
from soptui.views import Report, semester_range  # noqa: F401  (re-exported)

OFFICE_TZ = ZoneInfo("Asia/Jakarta")
# A SOP "runs well" in the monitoring table when at least this share of its
# step attempts kept the Mutu Baku and no step breaches more often than not.
WELL_WITHIN = 0.8
STEP_BREACH_LIMIT = 0.5


def nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in office time, as UTC."""
    if end < start:
        raise InputError("err.bad_range")
    lo = datetime.combine(start, time(0), OFFICE_TZ).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), OFFICE_TZ).astimezone(UTC)
    return lo, hi


@guarded
class ReportService:
    def __init__(self, db: Database, catalogs: CatalogStore, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.catalogs = catalogs
        self.clock = clock

    def _ended_attempts(
        self, start: date, end: date
    ) -> list[tuple[StepAttempt, SopDefinition, str]]:
        """Attempts that ended in the period, with their SOP version and who acted."""
        lo, hi = day_bounds(start, end)
        with self.db.read() as s:
            rows = s.execute(
                select(StepAttempt, Case, User.login)
                .join(Case, Case.id == StepAttempt.case_id)
                .outerjoin(User, User.id == StepAttempt.actor_id)
                .where(StepAttempt.ended_at >= lo, StepAttempt.ended_at < hi)
                .order_by(StepAttempt.id)
            ).all()
            return [
                (a, self.catalogs.definition(s, c.sop_version_id), login or "")
                for a, c, login in rows
            ]

    def sla(self, start: date, end: date, *, by: str = "step") -> Report:
        """Per SOP and step (and per role or person): attempts, median and p90
        working time against the Mutu Baku, share within it, breaches."""
        if by not in ("step", "role", "person"):
            raise InputError("err.bad_format", value=by)
        groups: dict[tuple[Any, ...], list[tuple[int, int | None]]] = defaultdict(list)
        labels: dict[tuple[Any, ...], dict[str, Any]] = {}
        for attempt, d, login in self._ended_attempts(start, end):
            if attempt.outcome == "cancelled" or attempt.worked_s is None:
                continue
            step = d.step(attempt.step_key)
            who = {"step": "", "role": d.role(step.role).name, "person": login}[by]
            key = (d.code, step.index, who)
            groups[key].append((attempt.worked_s, attempt.standard_s))
            labels[key] = {
                "sop": d.code,
                "step_no": step.no,
                "step": step.text,
                "role": d.role(step.role).name,
                "who": who,
                "waktu": step.waktu,
                "standard_min": minutes(attempt.standard_s),
            }
        rows = []
        for key in sorted(groups):
            values = groups[key]
            worked = [w for w, _ in values]
            standard = values[0][1]
            within = [w <= std for w, std in values if std is not None]
            rows.append(
                {
                    **labels[key],
                    "attempts": len(values),
                    "median_min": minutes(statistics.median(worked)),
                    "p90_min": minutes(nearest_rank(worked, 0.9)),
                    "within": round(sum(within) / len(within), 3) if within else None,
                    "breaches": len(within) - sum(within) if within else None,
                }
            )
            if standard is None:
                rows[-1]["standard_min"] = None
        cols = [("sop", "col.sop"), ("step_no", "col.no")]
        if by != "step":
            cols.append(("who", "col.role" if by == "role" else "col.who"))
        cols += [
            ("waktu", "col.waktu"),
            ("attempts", "col.attempts"),
            ("median_min", "col.median"),
            ("p90_min", "col.p90"),
            ("within", "col.within"),
            ("breaches", "col.breaches"),
        ]
        return Report(
            "sla",
            tuple(cols),
            tuple(rows),
            bar="within",
            params={"from": start, "to": end, "by": by},
        )

    def monitoring(self, start: date, end: date) -> Report:
        """The Permen PAN-RB 35/2012 monitoring table for a period (a semester)."""
        from soptui.i18n import t

        sla = self.sla(start, end)
        by_sop: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in sla.rows:
            by_sop[row["sop"]].append(row)
        lo, hi = day_bounds(start, end)
        with self.db.read() as s:
            summaries = self.catalogs.summaries(s)
            opened: dict[str, int] = defaultdict(int)
            for (code,) in s.execute(
                select(Case.sop_version_id).where(Case.opened_at >= lo, Case.opened_at < hi)
            ):
                opened[self.catalogs.definition(s, code).code] += 1
            returns = self._returns_by_step(s, lo, hi)
        rows = []
        for n, summary in enumerate(summaries, start=1):
            steps = by_sop.get(summary.code, [])
            checked = [r for r in steps if r["within"] is not None]
            total = sum(r["attempts"] for r in checked)
            kept = sum(round(r["within"] * r["attempts"]) for r in checked)
            share = kept / total if total else None
            worst = max(checked, key=lambda r: (1 - r["within"], r["step_no"]), default=None)
            loops = sum(v for (code, _), v in returns.items() if code == summary.code)
            runs_well = None
            if total:
                runs_well = share >= WELL_WITHIN and all(
                    1 - r["within"] <= STEP_BREACH_LIMIT for r in checked
                )
            notes = t(
                "mon.notes",
                cases=opened.get(summary.code, 0),
                attempts=total,
                share=f"{share:.0%}" if share is not None else "-",
                returns=loops,
            )
            if runs_well is None:
                action = t("mon.no_data")
            elif runs_well:
                action = t("mon.keep")
            else:
                action = t("mon.review", no=worst["step_no"], share=f"{1 - worst['within']:.0%}")
            rows.append(
                {
                    "no": n,
                    "sop": summary.code,
                    "procedure": summary.name,
                    "runs_well": t("yes")
                    if runs_well
                    else (t("no") if runs_well is False else "-"),
                    "notes": notes,
                    "action": action,
                    "within": share,
                }
            )
        cols = (
            ("no", "col.no"),
            ("procedure", "col.procedure"),
            ("runs_well", "col.runs_well"),
            ("notes", "col.note"),
            ("action", "col.action"),
        )
        return Report(
            "monitoring", cols, tuple(rows), bar="within", params={"from": start, "to": end}
        )

    def _returns_by_step(self, s, lo: datetime, hi: datetime) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for attempt, case in s.execute(
            select(StepAttempt, Case)
            .join(Case, Case.id == StepAttempt.case_id)
            .where(
                StepAttempt.outcome == "returned",
                StepAttempt.ended_at >= lo,
                StepAttempt.ended_at < hi,
            )
        ):
            d = self.catalogs.definition(s, case.sop_version_id)
            counts[(d.code, d.step(attempt.step_key).no)] += 1
        return counts

    def workload(self) -> Report:
        """Open, overdue and paused cases by waiting role and by person; the oldest wait."""
        from soptui.i18n import t

        now = self.clock()
        with self.db.read() as s:
            cases = s.execute(
                select(Case, StepAttempt.started_at)
                .join(StepAttempt, StepAttempt.id == Case.current_attempt_id)
                .where(Case.status.in_(("open", "paused")))
            ).all()
            holders: dict[str, list[str]] = defaultdict(list)
            for login, role in s.execute(
                select(User.login, UserRole.role_key)
                .join(UserRole, UserRole.user_id == User.id)
                .where(User.active.is_(True))
                .order_by(User.login)
            ):
                holders[role].append(login)
            names = self.catalogs.all_role_keys(s)
        per: dict[tuple[str, str], dict[str, Any]] = {}

        def bump(kind: str, who: str, case: Case, started: datetime) -> None:
            row = per.setdefault(
                (kind, who),
                {
                    "by": kind,
                    "by_text": t("col.role" if kind == "role" else "col.who"),
                    "who": who,
                    "open": 0,
                    "overdue": 0,
                    "paused": 0,
                    "oldest_case": None,
                    "oldest_since": None,
                },
            )
            if case.status == "paused":
                row["paused"] += 1
            else:
                row["open"] += 1
                if case.due_at is not None and case.due_at < now:
                    row["overdue"] += 1
            if row["oldest_since"] is None or (started, case.id) < (
                row["oldest_since"],
                row["oldest_case"],
            ):
                row["oldest_since"], row["oldest_case"] = started, case.id

        for case, started in cases:
            role = case.waiting_role or ""
            bump("role", names.get(role, role), case, started)
            for login in holders.get(role, []):
                bump("person", login, case, started)
        rows = [per[k] for k in sorted(per, key=lambda k: (k[0] != "role", k[1]))]
        for row in rows:
            row["oldest_days"] = round((now - row["oldest_since"]).total_seconds() / 86400, 1)
        cols = (
            ("by_text", "col.kind"),
            ("who", "col.who"),
            ("open", "col.open"),
            ("overdue", "col.overdue"),
            ("paused", "col.paused"),
            ("oldest_case", "col.case"),
            ("oldest_days", "col.oldest_days"),
        )
        return Report("workload", cols, tuple(rows))

    def bottlenecks(self, start: date, end: date) -> Report:
        """Steps ranked by breach rate, then by total waiting time; return loops."""
        totals: dict[tuple[str, int], dict[str, Any]] = {}
        for attempt, d, _login in self._ended_attempts(start, end):
            if attempt.worked_s is None or attempt.outcome == "cancelled":
                continue
            step = d.step(attempt.step_key)
            row = totals.setdefault(
                (d.code, step.index),
                {
                    "sop": d.code,
                    "step_no": step.no,
                    "step": step.text,
                    "waktu": step.waktu,
                    "attempts": 0,
                    "breaches": 0,
                    "checked": 0,
                    "total_min": 0.0,
                    "returns": 0,
                },
            )
            row["attempts"] += 1
            row["total_min"] += attempt.worked_s / 60
            if attempt.standard_s is not None:
                row["checked"] += 1
                row["breaches"] += attempt.worked_s > attempt.standard_s
            if attempt.outcome == "returned":
                row["returns"] += 1
        rows = []
        for row in totals.values():
            row["breach_rate"] = (
                round(row["breaches"] / row["checked"], 3) if row["checked"] else None
            )
            row["total_min"] = round(row["total_min"], 1)
            rows.append(row)
        rows.sort(key=lambda r: (-(r["breach_rate"] or 0), -r["total_min"], r["sop"], r["step_no"]))
        cols = (
            ("sop", "col.sop"),
            ("step_no", "col.no"),
            ("waktu", "col.waktu"),
            ("attempts", "col.attempts"),
            ("breach_rate", "col.breach_rate"),
            ("total_min", "col.total_min"),
            ("returns", "col.returns"),
        )
        return Report(
            "bottlenecks", cols, tuple(rows), bar="breach_rate", params={"from": start, "to": end}
        )

    def agenda(self, start: date, end: date, letters) -> Report:  # type: ignore[no-untyped-def]
        """The agenda book of a period (incoming and outgoing)."""
        if end < start:
            raise InputError("err.bad_range")
        from soptui.views import LETTER_COLUMNS, letter_record  # as `letter list` shows them

        rows = tuple(letter_record(v) for v in letters.list(start=start, end=end))
        cols = LETTER_COLUMNS
        return Report("agenda", cols, rows, params={"from": start, "to": end})

    def narasumber(self, start: date, end: date, *, everyone: bool = False) -> Report:
        """Bookings and engagement per narasumber in a period.

        Per person (with their status now): bookings (kind kegiatan)
        definitif, tentatif and batal that overlap the period; engaged hours
        (definitif and tentatif bookings, clipped to the period); distinct
        cases those bookings serve; the first and last day engaged inside the
        period; days blocked (office-time days of the period touched by an
        active cuti, dinas luar or lainnya block; a part of a day counts).
        Persons with no booking or block in the period are left out unless
        `everyone`. Ordered by engaged hours (most first), then name (gelar
        ignored, as the registry sorts), then id."""
        from soptui.i18n import t

        lo, hi = day_bounds(start, end)
        per: dict[int, dict[str, Any]] = {}

        def row_for(
            pid: int, name: str, sort: str, instansi: str | None, status: str
        ) -> dict[str, Any]:
            return per.setdefault(
                pid,
                {
                    "id": pid,
                    "name": name,
                    "instansi": instansi,
                    "status": status,
                    "status_text": t(f"nr.status.{status}"),
                    "definitif": 0,
                    "tentatif": 0,
                    "batal": 0,
                    "hours": 0.0,
                    "cases": 0,
                    "first": None,
                    "last": None,
                    "blocked_days": 0,
                    "_sort": sort,
                    "_seconds": 0.0,
                    "_cases": set(),
                    "_days": set(),
                },
            )

        person_cols = (
            Narasumber.id,
            Narasumber.name,
            Narasumber.sort_name,
            Narasumber.instansi,
            Narasumber.status,
        )
        with self.db.read() as s:
            booked = s.execute(
                select(
                    *person_cols,
                    NarasumberBooking.kind,
                    NarasumberBooking.status,
                    NarasumberBooking.starts_at,
                    NarasumberBooking.ends_at,
                    NarasumberBooking.case_id,
                )
                .join(Narasumber, Narasumber.id == NarasumberBooking.narasumber_id)
                .where(NarasumberBooking.starts_at < hi, NarasumberBooking.ends_at > lo)
                .order_by(NarasumberBooking.id)
            ).all()
            everybody = s.execute(select(*person_cols)).all() if everyone else []
        for pid, name, sort, instansi, status in everybody:
            row_for(pid, name, sort, instansi, status)
        for pid, name, sort, instansi, status, kind, state, starts, ends, case_id in booked:
            row = row_for(pid, name, sort, instansi, status)
            first, last = max(starts, lo), min(ends, hi)
            # The office-time days the clipped interval touches (its end is open).
            day_from = first.astimezone(OFFICE_TZ).date()
            day_to = (last - timedelta(microseconds=1)).astimezone(OFFICE_TZ).date()
            if kind != "kegiatan":
                if state != "batal":
                    row["_days"].update(
                        day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)
                    )
                continue
            row[state] += 1
            if state == "batal":
                continue
            row["_seconds"] += (last - first).total_seconds()
            if case_id is not None:
                row["_cases"].add(case_id)
            row["first"] = day_from if row["first"] is None else min(row["first"], day_from)
            row["last"] = day_to if row["last"] is None else max(row["last"], day_to)
        rows = sorted(per.values(), key=lambda r: (-r["_seconds"], r["_sort"], r["id"]))
        for row in rows:
            row["hours"] = round(row.pop("_seconds") / 3600, 2)
            row["cases"] = len(row.pop("_cases"))
            row["blocked_days"] = len(row.pop("_days"))
            del row["_sort"]
        cols = (
            ("name", "col.nr.person"),
            ("instansi", "col.nr.instansi"),
            ("status_text", "col.status"),
            ("definitif", "col.nr.definitif"),
            ("tentatif", "col.nr.tentatif"),
            ("batal", "col.nr.batal"),
            ("hours", "col.nr.hours"),
            ("cases", "col.nr.cases"),
            ("first", "col.nr.first"),
            ("last", "col.nr.last"),
            ("blocked_days", "col.nr.blocked_days"),
        )
        return Report(
            "narasumber",
            cols,
            tuple(rows),
            bar="hours",
            bar_max=max((r["hours"] for r in rows), default=0.0) or 1.0,
            params={"from": start, "to": end, "all": everyone},
        )
