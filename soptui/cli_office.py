"""Command line: the SOP catalog, cases and the office calendar (soptui sop,
case, calendar). Loaded only when one of them is called (soptui.cli)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from soptui.cli import (
    ID,
    Options,
    emit,
    format_option,
    parse_date_opt,
    pass_options,
    read_input_file,
)
from soptui.errors import InputError
from soptui.i18n import t

# ----- sop ---------------------------------------------------------------------------


@click.group()
def sop() -> None:
    """The SOP catalog."""


@sop.command("list")
@format_option
@pass_options
def sop_list(opts: Options, fmt: str) -> None:
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "nomor": r.nomor,
            "steps": r.steps,
            "version": r.version,
        }
        for r in opts.ready().sop_summaries()
    ]
    from soptui.formatting import render

    cols = [
        ("code", "col.code"),
        ("name", "col.name"),
        ("nomor", "col.nomor"),
        ("steps", "col.steps"),
        ("version", "col.version"),
    ]
    emit(render(rows, cols, fmt))


@sop.command("show")
@click.argument("code")
@click.option(
    "--version", "version", type=ID, default=None, help="A given version (default newest)."
)
@format_option
@pass_options
def sop_show(opts: Options, code: str, version: int | None, fmt: str) -> None:
    """One SOP; --format flow draws its flowchart (Permen PAN-RB 35/2012)."""
    from soptui.formatting import render

    definition = opts.ready().sop_version(code, version)
    if fmt == "flow":
        emit(flow_text(definition))
        return
    data = definition.to_dict()
    data["roles"] = [r["name"] if isinstance(r, dict) else r for r in data["roles"]]
    data["role_keys"] = [r.key for r in definition.roles]
    if fmt == "json":
        emit(render([], [], fmt, json_records=data))
        return
    head = [
        f"{definition.name}  ({definition.code} v{definition.version})",
        f"{t('col.nomor')}: {definition.nomor}    {definition.unit}",
        f"{t('col.roles')}: " + ", ".join(f"{r.name} [{r.key}]" for r in definition.roles),
        "",
    ]
    steps = [
        {
            "no": st.no,
            "role": definition.role(st.role).name,
            "text": st.text,
            "waktu": st.waktu,
            "decision": _decision_text(definition, st),
        }
        for st in definition.steps
    ]
    cols = [
        ("no", "col.no"),
        ("role", "col.role"),
        ("text", "col.text"),
        ("waktu", "col.waktu"),
        ("decision", "col.decision"),
    ]
    if fmt in ("simple", "plain", "grid", "fancy_grid", "rounded_grid", "simple_grid"):
        for st in steps:
            st["text"] = _wrap(st["text"], 60)
    emit("\n".join(head) + render(steps, cols, fmt))


def paper_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--paper",
        type=click.Choice(["a4", "f4"], case_sensitive=False),
        default="a4",
        show_default=True,
        help="A4, or F4 (folio, 215x330 mm).",
    )(f)


def out_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-o", "--output", "output", required=True, metavar="FILE.pdf", help="Where to write."
    )(f)


def written(path: Path) -> None:
    emit(t("ok.pdf_written", path=str(path)))


@sop.command("print")
@click.argument("code")
@click.option("--version", "version", type=int, default=None, help="A given version.")
@out_option
@paper_option
@pass_options
def sop_print(opts: Options, code: str, version: int | None, output: str, paper: str) -> None:
    """The SOP sheet (Permen PAN-RB 35/2012 layout) as a landscape PDF."""
    from soptui.printing.output import write_pdf
    from soptui.printing.sop_sheet import sop_sheet_pdf

    definition = opts.ready().sop_version(code, version)
    written(write_pdf(output, sop_sheet_pdf(definition, size=paper)))


def flow_text(definition: Any, detail: Any = None) -> str:
    """The flowchart for this terminal (its width, ASCII on the Linux console)
    or, piped into a file, 80 columns of box-drawing characters."""
    import os
    import shutil
    import sys

    from soptui.flowchart import draw, plain, wants_ascii

    width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
    ascii_only = wants_ascii(
        os.environ.get("TERM") if sys.stdout.isatty() else None, sys.stdout.encoding
    )
    return plain(draw(definition, detail, width=max(60, width), ascii=ascii_only))


def _decision_text(definition: Any, step: Any) -> str:
    if not step.decision:
        return ""
    parts = []
    if step.return_to:
        parts.append("↩ " + definition.step(step.return_to).no)
    if step.refuse_to:
        parts.append(
            "✗ " + ("end" if step.refuse_to == "end" else definition.step(step.refuse_to).no)
        )
    return " ".join(parts) or "✓"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


@sop.command("import")
@click.argument("file")
@pass_options
def sop_import(opts: Options, file: str) -> None:
    """Add a new SOP or a new version of one (admin)."""
    source = read_input_file(file)
    svc = opts.service()
    code, version, created = svc.sop_import(svc.actor, source, file)
    emit(t("ok.sop_import" if created else "ok.sop_same", code=code, version=version))


# ----- case ------------------------------------------------------------------------


@click.group()
def case() -> None:
    """Cases: SOP instances moving step by step."""


def case_record(row: Any) -> dict[str, Any]:
    from soptui.formatting import due_text, local

    return {
        "id": row.id,
        "sop": row.sop_code,
        "sop_version": row.sop_version,
        "title": row.title,
        "requester": row.requester,
        "letter_no": row.letter_no,
        "urgency": row.urgency,
        "status": row.status,
        "status_text": t("status." + row.status),
        "step": f"{row.step_position}/{row.step_count}" if row.step_position else None,
        "step_no": row.step_no,
        "step_key": row.step_key,
        "step_text": row.step_text,
        "role": row.role,
        "role_name": row.role_name,
        "waiting_role": row.waiting_role,
        "due_at": row.due_at,
        "due_local": local(row.due_at),
        "remaining_s": int(row.remaining.total_seconds()) if row.remaining is not None else None,
        "due": due_text(row.remaining, row.status),
        "overdue": row.overdue,
        "version": row.version,
        "opened_at": row.opened_at,
        # With --search: the field it matched and the value there.
        "match": row.match,
        "match_text": row.match_text,
        "match_shown": (
            f"{t('search.field.' + row.match)}: {row.match_text or ''}" if row.match else None
        ),
    }


CASE_COLUMNS = [
    ("id", "col.id"),
    ("sop", "col.sop"),
    ("title", "col.title"),
    ("status_text", "col.status"),
    ("step", "col.step"),
    ("role_name", "col.role"),
    ("due", "col.due"),
]


@case.command("new")
@click.argument("sop_code")
@click.option("--title", default=None, help="Perihal (from the letter with --from-letter).")
@click.option("--requester", default=None, help="Pemohon.")
@click.option("--letter-no", default=None)
@click.option("--letter-date", default=None, help="ISO or 17-03-2026 or '17 Maret 2026'.")
@click.option("--urgency", default=None, help="biasa, segera, sangat segera, rahasia.")
@click.option(
    "--from-letter",
    "from_letter",
    type=ID,
    default=None,
    help="Start from a registered incoming letter (its id).",
)
@format_option
@pass_options
def case_new(
    opts: Options,
    sop_code: str,
    title: str,
    requester: str | None,
    letter_no: str | None,
    letter_date: str | None,
    urgency: str | None,
    from_letter: int | None,
    fmt: str,
) -> None:
    from soptui.formatting import render

    letter_day = parse_date_opt(letter_date)
    actor = opts.actor()
    svc = opts.service()
    case_id = svc.cases.start(
        actor,
        sop_code,
        title=title,
        requester=requester,
        letter_no=letter_no,
        letter_date=letter_day,
        urgency=urgency,
        from_letter=from_letter,
    )
    row = svc.cases.detail(case_id).row
    if fmt == "json":
        emit(render([], [], fmt, json_records=case_record(row)))
    else:
        emit(t("ok.case_new", id=case_id, title=row.title))


@case.command("list")
@click.option("--mine", is_flag=True, help="Waiting on my roles.")
@click.option("--role", default=None)
@click.option("--overdue", is_flag=True)
@click.option(
    "--status",
    type=click.Choice(["open", "paused", "closed", "refused", "cancelled", "all"]),
    default=None,
)
@click.option("--sop", "sop_code", default=None)
@click.option("--search", default=None)
@click.option("--limit", type=ID, default=None)
@format_option
@pass_options
def case_list(
    opts: Options,
    mine: bool,
    role: str | None,
    overdue: bool,
    status: str | None,
    sop_code: str | None,
    search: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    from soptui.formatting import render

    svc = opts.ready()
    actor = opts.actor() if mine else None
    role_key = None
    if role:
        role_key = svc.role_key(role)
    view = "mine" if mine else "overdue" if overdue else "all"
    if status in ("closed", "refused", "cancelled") and view == "all":
        view = "closed" if status == "closed" else "all"
    rows = svc.cases.list_cases(
        actor,
        view=view,
        search=search,
        sop_code=sop_code,
        role=role_key,
        status=status,
        limit=limit,
    )
    columns = [*CASE_COLUMNS, ("match_shown", "col.match")] if search else CASE_COLUMNS
    emit(render([case_record(r) for r in rows], columns, fmt))


@case.command("print")
@click.argument("case_id", type=int)
@out_option
@paper_option
@pass_options
def case_print(opts: Options, case_id: int, output: str, paper: str) -> None:
    """The case's record with its lembar disposisi, as a PDF."""
    from soptui.printing.case_record import case_record_pdf
    from soptui.printing.output import write_pdf

    svc = opts.ready()
    detail = svc.cases.detail(case_id)
    letters = svc.letters.list(case_id=case_id)
    written(write_pdf(output, case_record_pdf(detail, letters, size=paper)))


@case.command("show")
@click.argument("case_id", type=ID)
@format_option
@pass_options
def case_show(opts: Options, case_id: int, fmt: str) -> None:
    from soptui.formatting import local, minutes_text, render

    svc = opts.ready()
    detail = svc.cases.detail(case_id)
    record = case_record(detail.row)
    record["letter_date"] = detail.letter_date
    record["opened_by"] = detail.opened_by
    record["closed_at"] = detail.closed_at
    timeline: list[dict[str, Any]] = []
    for sv in detail.steps:
        for a in sv.attempts:
            timeline.append(
                {
                    "type": "attempt",
                    "step_no": sv.step.no,
                    "step_key": sv.step.key,
                    "attempt": a.attempt_no,
                    "role": sv.step.role,
                    "started_at": a.started_at,
                    "due_at": a.due_at,
                    "ended_at": a.ended_at,
                    "outcome": a.outcome,
                    "actor": a.actor_login,
                    "acted_as": a.acted_as,
                    "on_behalf_of": a.on_behalf_of,
                    "worked_s": a.worked_s,
                    "standard_s": a.standard_s,
                    "paused_s": a.paused_s,
                    "over": a.over_standard,
                }
            )
    for e in detail.events:
        timeline.append(
            {
                "type": "event",
                "seq": e.seq,
                "at": e.at,
                "kind": e.kind,
                "actor": e.actor_login,
                "acted_as": e.acted_as,
                "step_key": e.step_key,
                "note": e.note,
                "data": e.data,
            }
        )
    record["timeline"] = timeline
    record["steps"] = [
        {"no": sv.step.no, "key": sv.step.key, "status": sv.status} for sv in detail.steps
    ]
    if fmt == "json":
        emit(render([], [], fmt, json_records=record))
        return
    r = detail.row
    lines = [
        f"#{r.id}  {r.title}",
        f"{detail.sop.name} ({detail.sop.nomor})",
        f"{t('col.status')}: {t('status.' + r.status)}   "
        + f"{t('col.urgency')}: {t('urgency.' + r.urgency)}"
        + (f"   {t('col.due')}: {record['due']}" if record["due"] else ""),
        f"{t('col.requester')}: {r.requester or '-'}   {t('col.letter')}: {r.letter_no or '-'}"
        + (f" ({detail.letter_date.isoformat()})" if detail.letter_date else ""),
        "",
    ]
    steps = []
    for sv in detail.steps:
        last = sv.attempts[-1] if sv.attempts else None
        steps.append(
            {
                "no": sv.step.no,
                "status": t("step." + sv.status)
                + (f" ×{len(sv.attempts)}" if len(sv.attempts) > 1 else ""),
                "role": sv.role_name,
                "who": last.actor_login if last else "",
                "when": local(last.ended_at) if last else "",
                "waktu": (
                    f"{minutes_text(last.worked_s)} / {minutes_text(last.standard_s)}"
                    + (" !" if last.over_standard else "")
                )
                if last
                else sv.step.waktu,
            }
        )
    cols = [
        ("no", "col.no"),
        ("status", "col.status"),
        ("role", "col.role"),
        ("who", "col.who"),
        ("when", "col.when"),
        ("waktu", "col.waktu"),
    ]
    emit("\n".join(lines) + render(steps, cols, fmt))
    if detail.notes:
        emit("")
        notes = [
            {
                "when": local(n.at),
                "who": n.actor_login,
                "what": t("event." + n.kind),
                "note": n.note,
            }
            for n in detail.notes
        ]
        emit(
            render(
                notes,
                [
                    ("when", "col.when"),
                    ("who", "col.who"),
                    ("what", "col.what"),
                    ("note", "col.note"),
                ],
                fmt,
            )
        )


def _expect_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--expect-version",
        type=ID,
        default=None,
        help="Refuse if the case changed since this version was read.",
    )(f)


def _done(case_id: int, what: str) -> None:
    emit(t("ok.case_action", id=case_id, what=t(what)))


@case.command("complete")
@click.argument("case_id", type=ID)
@click.option("--note", default=None)
@_expect_option
@pass_options
def case_complete(
    opts: Options, case_id: int, note: str | None, expect_version: int | None
) -> None:
    """Complete the current step (on a decision step: approve)."""
    opts.service().cases.complete(opts.actor(), case_id, note=note, expected_version=expect_version)
    _done(case_id, "event.completed")


@case.command("return")
@click.argument("case_id", type=ID)
@click.option("--note", required=True)
@click.option(
    "--to", "to", default=None, metavar="STEP_NO", help="An earlier step (number or key)."
)
@_expect_option
@pass_options
def case_return(
    opts: Options, case_id: int, note: str, to: str | None, expect_version: int | None
) -> None:
    """Return for revision to an earlier step."""
    opts.service().cases.return_for_revision(
        opts.actor(), case_id, note=note, to=to, expected_version=expect_version
    )
    _done(case_id, "event.returned")


@case.command("refuse")
@click.argument("case_id", type=ID)
@click.option("--note", required=True)
@_expect_option
@pass_options
def case_refuse(opts: Options, case_id: int, note: str, expect_version: int | None) -> None:
    opts.service().cases.refuse(opts.actor(), case_id, note=note, expected_version=expect_version)
    _done(case_id, "event.refused")


@case.command("note")
@click.argument("case_id", type=ID)
@click.option("--text", required=True)
@pass_options
def case_note(opts: Options, case_id: int, text: str) -> None:
    opts.service().cases.add_note(opts.actor(), case_id, text=text)
    _done(case_id, "event.note")


@case.command("pause")
@click.argument("case_id", type=ID)
@click.option("--note", required=True)
@_expect_option
@pass_options
def case_pause(opts: Options, case_id: int, note: str, expect_version: int | None) -> None:
    """Pause while waiting on an outsider (the clock stops)."""
    opts.service().cases.pause(opts.actor(), case_id, note=note, expected_version=expect_version)
    _done(case_id, "event.paused")


@case.command("resume")
@click.argument("case_id", type=ID)
@click.option("--note", default=None)
@_expect_option
@pass_options
def case_resume(opts: Options, case_id: int, note: str | None, expect_version: int | None) -> None:
    opts.service().cases.resume(opts.actor(), case_id, note=note, expected_version=expect_version)
    _done(case_id, "event.resumed")


@case.command("cancel")
@click.argument("case_id", type=ID)
@click.option("--note", required=True)
@_expect_option
@pass_options
def case_cancel(opts: Options, case_id: int, note: str, expect_version: int | None) -> None:
    """Close a case without finishing it (admin or whoever opened it)."""
    opts.service().cases.cancel(opts.actor(), case_id, note=note, expected_version=expect_version)
    _done(case_id, "event.cancelled")


# ----- calendar ----------------------------------------------------------------------

CALENDAR_SHOW_DAYS = 3660  # ten years a listing
SCHEDULE_FILE_MAX = 64 * 1024


@click.group()
def calendar() -> None:
    """The office working calendar."""


@calendar.command("show")
@click.option("--from", "start", default=None, help="Default: today.")
@click.option("--to", "end", default=None, help="Default: 14 days on.")
@format_option
@pass_options
def calendar_show(opts: Options, start: str | None, end: str | None, fmt: str) -> None:
    from soptui.formatting import OFFICE_TZ, render

    first = parse_date_opt(start) or opts.service().clock().astimezone(OFFICE_TZ).date()
    last = parse_date_opt(end) or first + timedelta(days=13)
    if last < first:
        raise InputError("err.bad_range")
    if (last - first).days > CALENDAR_SHOW_DAYS:
        raise InputError("err.range_too_long", days=CALENDAR_SHOW_DAYS)
    days = opts.ready().calendar_days(first, last)
    rows = [
        {
            "date": d.day.isoformat(),
            "day": d.day.strftime("%a"),
            "working": d.working,
            "hours": ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in d.periods),
            "reason": d.reason,
        }
        for d in days
    ]
    emit(
        render(
            rows,
            [
                ("date", "col.date"),
                ("working", "col.working"),
                ("hours", "col.hours"),
                ("reason", "col.reason"),
            ],
            fmt,
        )
    )


def _override(
    opts: Options,
    kind: str,
    day: str,
    until: str | None,
    note: str,
    week: dict[str, Any] | None = None,
    preset: str | None = None,
) -> None:
    first = parse_date_opt(day)
    last = parse_date_opt(until) or first
    svc = opts.service()
    svc.calendar_override(svc.actor, kind, first, last, note, week=week, preset=preset)
    span = first.isoformat() + ("" if last == first else f"..{last.isoformat()}")
    emit(t("ok.calendar", day=span, what=t("cal." + kind)))


@calendar.command("close")
@click.argument("day")
@click.option("--until", default=None, help="Last day of a closure range.")
@click.option("--note", required=True)
@pass_options
def calendar_close(opts: Options, day: str, until: str | None, note: str) -> None:
    """Mark a day (or range) as an office closure (admin)."""
    _override(opts, "closed", day, until, note)


@calendar.command("open")
@click.argument("day")
@click.option("--until", default=None)
@click.option("--note", required=True)
@pass_options
def calendar_open(opts: Options, day: str, until: str | None, note: str) -> None:
    """Mark a day (or range) as an extra working day (admin)."""
    _override(opts, "open", day, until, note)


@calendar.command("schedule")
@click.option("--from", "start", required=True)
@click.option("--to", "end", required=True)
@click.option("--preset", type=click.Choice(["ramadan"]), default=None)
@click.option(
    "--file",
    "file",
    default=None,
    help='JSON week, e.g. {"mon": [["08:00","12:00"]], ...}',
)
@click.option("--note", required=True)
@pass_options
def calendar_schedule(
    opts: Options, start: str, end: str, preset: str | None, file: str | None, note: str
) -> None:
    """A date range with its own weekly hours, e.g. Ramadan (admin)."""
    import json

    week = None
    if file:
        text = read_input_file(file, SCHEDULE_FILE_MAX)
        try:
            week = json.loads(text)
        except RecursionError as exc:
            raise InputError("err.too_deep", path=file) from exc
        except ValueError as exc:
            raise InputError("err.schedule", reason=str(exc)) from exc
        if not isinstance(week, dict):
            raise InputError("err.schedule", reason="JSON object expected")
    elif preset != "ramadan":
        raise InputError("err.schedule", reason="--preset ramadan or --file FILE")
    _override(opts, "schedule", start, end, note, week=week, preset=preset)
