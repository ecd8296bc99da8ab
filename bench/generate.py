"""Deterministic office-scale data for the benchmark.

    python bench/generate.py --db bench.sqlite [--cases 100000] [--seed 7]

Builds the schema and catalog with `Soptui.init`, then writes users, cases,
step attempts and a hash-chained audit trail (about ten events a case) with
bulk inserts: going through the engine action by action would take hours.
The rows have exactly the shape the engine writes (tests/invariants.py holds
on them), spread over the last three years, with the stage mix of a real
office: most cases closed, a tail open, some paused, returned or refused.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soptui import audit
from soptui.db.models import Case, CaseEvent, Setting, StepAttempt, User, UserRole
from soptui.service import Soptui

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB: fixed, so runs compare
BATCH = 20_000


def _users(svc: Soptui, s) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Three clerks per role; returns role -> user ids."""
    roles = sorted(k for k in svc.catalogs.all_role_keys(s) if k != "pemohon")
    by_role: dict[str, list[int]] = {}
    n = 0
    for role in roles:
        for i in range(3):
            n += 1
            user = User(login=f"u{n:03d}", name=f"Pegawai {n}", active=True, created_at=NOW)
            user.roles = [UserRole(role_key=role)]
            s.add(user)
            s.flush()
            by_role.setdefault(role, []).append(user.id)
            _ = i
    return by_role


def generate(url: str, cases: int, seed: int, *, quiet: bool = False) -> dict[str, int]:
    rng = random.Random(seed)
    svc = Soptui(url, clock=lambda: NOW)
    svc.init(admin_login="admin")
    svc.mark_demo()  # made-up data: --user works, as on the demo database
    started = time.perf_counter()
    with svc.db.write() as s:
        by_role = _users(svc, s)
        definitions = [svc.catalogs.definition(s, x.id) for x in svc.catalogs.summaries(s)]
        versions = {
            d.code: x.id for d, x in zip(definitions, svc.catalogs.summaries(s), strict=True)
        }
        cal = svc.calendars.calendar(s)
        head = s.get(Setting, audit.HEAD_KEY)
        seq, prev = (
            (int(head.value.split(":")[0]), head.value.split(":")[1])
            if head
            else (0, audit.GENESIS)
        )
        case_rows: list[dict] = []
        attempt_rows: list[dict] = []
        event_rows: list[dict] = []
        attempt_id = 0
        counts = {"cases": 0, "attempts": 0, "events": 0}

        def flush() -> None:
            for table, rows in (
                (Case, case_rows),
                (StepAttempt, attempt_rows),
                (CaseEvent, event_rows),
            ):
                if rows:
                    s.execute(insert(table), rows)
                    rows.clear()

        def event(case_id: int, at: datetime, kind: str, actor: int | None, **extra) -> None:  # type: ignore[no-untyped-def]
            nonlocal seq, prev
            seq += 1
            at = at.astimezone(UTC)  # the hash covers the UTC form the database gives back
            row = {
                "seq": seq,
                "case_id": case_id,
                "attempt_id": extra.get("attempt_id"),
                "at": at,
                "actor_id": actor,
                "kind": kind,
                "step_key": extra.get("step_key"),
                "acted_as": extra.get("acted_as"),
                "note": extra.get("note"),
                "data": extra.get("data", {}),
            }
            content = dict(row, at=at.isoformat(timespec="microseconds"))
            row["prev_hash"] = prev
            row["hash"] = prev = audit.chain_hash(prev, content)
            event_rows.append(row)
            counts["events"] += 1

        span = 3 * 365 * 24 * 3600
        for case_id in range(1, cases + 1):
            d = definitions[rng.randrange(len(definitions))]
            opened = cal.next_working_instant(NOW - timedelta(seconds=rng.random() ** 0.35 * span))
            fate = rng.random()
            status = (
                "closed"
                if fate < 0.80
                else "open"
                if fate < 0.93
                else "paused"
                if fate < 0.96
                else "refused"
                if fate < 0.98
                else "cancelled"
            )
            if status in ("open", "paused"):  # open work is recent
                opened = cal.next_working_instant(NOW - timedelta(hours=rng.uniform(0.2, 400)))
            opener = rng.choice(by_role[sorted(by_role)[0]])
            event(
                case_id,
                opened,
                "opened",
                opener,
                data={"sop": d.code, "version": 1, "title": f"Kasus {case_id}"},
            )
            at = opened
            index = 0
            stop_at = len(d.steps) if status == "closed" else rng.randrange(len(d.steps))
            current = None
            loops = 0
            while True:
                step = d.steps[index]
                role = d.role(step.role)
                who_role = role.recorded_by if role.external and role.recorded_by else step.role
                actor = rng.choice(by_role[who_role])
                standard = step.minutes * 60 if step.minutes is not None else None
                due = cal.add_working_time(at, timedelta(seconds=standard)) if standard else None
                attempt_id += 1
                attempt = {
                    "id": attempt_id,
                    "case_id": case_id,
                    "step_key": step.key,
                    "step_index": step.index,
                    "attempt_no": 1,
                    "role": step.role,
                    "started_at": at,
                    "due_at": due,
                    "ended_at": None,
                    "outcome": None,
                    "actor_id": None,
                    "acted_as": None,
                    "on_behalf_of": None,
                    "paused_at": None,
                    "standard_s": standard,
                    "paused_s": 0,
                    "worked_s": None,
                    "checklist": [],
                }
                attempt_rows.append(attempt)
                counts["attempts"] += 1
                if index >= stop_at and status != "closed":
                    current = attempt
                    break
                worked = int((standard or 3600) * rng.uniform(0.3, 1.8))
                end = cal.add_working_time(at, timedelta(seconds=worked))
                returned = step.decision and step.return_to and loops < 2 and rng.random() < 0.12
                outcome = "returned" if returned else "approved" if step.decision else "completed"
                attempt.update(
                    ended_at=end,
                    outcome=outcome,
                    actor_id=actor,
                    acted_as="requester" if role.external else "self",
                    worked_s=worked,
                )
                event(
                    case_id,
                    end,
                    outcome,
                    actor,
                    attempt_id=attempt_id,
                    step_key=step.key,
                    acted_as=attempt["acted_as"],
                    note="Perbaiki" if returned else None,
                )
                if rng.random() < 0.08:
                    event(
                        case_id,
                        end,
                        "note",
                        actor,
                        attempt_id=attempt_id,
                        step_key=step.key,
                        note="Harap ditindaklanjuti",
                    )
                at = end
                if returned:
                    loops += 1
                    index = d.step(step.return_to).index
                    continue
                index += 1
                if index == len(d.steps):
                    break
            row = {
                "id": case_id,
                "sop_version_id": versions[d.code],
                "title": f"Permohonan {d.short_name} {case_id}",
                "requester": f"Instansi {rng.randrange(400)}",
                "letter_no": f"{rng.choice(['005', '061', '800'])}/{case_id}/X",
                "letter_date": opened.date(),
                "urgency": rng.choice(["biasa"] * 6 + ["segera", "sangat_segera"]),
                "status": status,
                "outcome": None,
                "current_step_key": None,
                "current_step_index": None,
                "current_role": None,
                "waiting_role": None,
                "current_attempt_id": None,
                "due_at": None,
                "refusing": False,
                "opened_at": opened,
                "opened_by": opener,
                "closed_at": None,
                "updated_at": at,
                "version": 1 + counts["attempts"] % 7,
            }
            if current is not None and status in ("open", "paused"):
                step = d.steps[current["step_index"]]
                role = d.role(step.role)
                row.update(
                    current_step_key=step.key,
                    current_step_index=step.index,
                    current_role=step.role,
                    waiting_role=role.recorded_by
                    if role.external and role.recorded_by
                    else step.role,
                    current_attempt_id=current["id"],
                    due_at=current["due_at"],
                )
                if status == "paused":
                    current["paused_at"] = min(NOW, at + timedelta(hours=1))
                    event(
                        case_id,
                        current["paused_at"],
                        "paused",
                        opener,
                        attempt_id=current["id"],
                        step_key=step.key,
                        acted_as="self",
                        note="Menunggu pihak luar",
                    )
            else:
                if current is not None:  # refused or cancelled at its current step
                    last = current
                    last.update(
                        ended_at=at,
                        outcome="refused" if status == "refused" else "cancelled",
                        actor_id=opener,
                        acted_as="self",
                        worked_s=0,
                    )
                    event(
                        case_id,
                        at,
                        status if status == "cancelled" else "refused",
                        opener,
                        attempt_id=last["id"],
                        step_key=last["step_key"],
                        acted_as="self",
                        note="Tidak dilanjutkan",
                    )
                row.update(outcome=status, closed_at=at)
                event(case_id, at, "closed", opener, data={"status": status})
            case_rows.append(row)
            counts["cases"] += 1
            if len(event_rows) >= BATCH:
                flush()
                if not quiet:
                    print(f"  {case_id} cases, {counts['events']} events", file=sys.stderr)
        flush()
        s.merge(Setting(key=audit.HEAD_KEY, value=f"{seq}:{prev}"))
    if svc.db.backend == "postgresql":
        with svc.db.engine.begin() as conn:  # ids were given explicitly: move the sequences on
            for table in ("cases", "step_attempts"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    with svc.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    svc.close()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", required=True, help="SQLite path or PostgreSQL URL (empty database)"
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.db, args.cases, args.seed))


if __name__ == "__main__":
    main()
