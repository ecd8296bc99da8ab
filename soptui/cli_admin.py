"""Administrative commands: the audit trail."""

from __future__ import annotations

import click

from soptui.cli import Options, emit, format_option, pass_options
from soptui.errors import RuleError
from soptui.i18n import t


@click.group()
def audit() -> None:
    """The audit trail (append-only, hash-chained)."""


@audit.command("verify")
@format_option
@pass_options
def audit_verify(opts: Options, fmt: str) -> None:
    """Check the hash chain; name the first bad row. Exit 1 when broken."""
    from soptui import audit as trail
    from soptui.formatting import render

    svc = opts.ready()
    with svc.db.read() as s:
        report = trail.verify(s)
    record = {
        "ok": report.ok,
        "events": report.events,
        "head": report.head,
        "first_bad_seq": report.first_bad_seq,
        "problem": report.problem,
    }
    if fmt == "json":
        emit(render([], [], fmt, json_records=record))
    elif report.ok:
        emit(t("ok.audit", events=report.events, head=report.head))
    if not report.ok:
        raise RuleError(
            "err.audit_broken", seq=report.first_bad_seq, problem=t("audit." + str(report.problem))
        )


@audit.command("head")
@pass_options
def audit_head(opts: Options) -> None:
    """Print SEQ:HASH of the newest event, to keep outside the database."""
    from soptui import audit as trail

    svc = opts.ready()
    with svc.db.read() as s:
        head = s.get(trail.Setting, trail.HEAD_KEY)
    emit(head.value if head is not None else f"0:{trail.GENESIS}")
