"""Administrative commands: users, their delegations, the audit trail (soptui
user, audit). Loaded only when one of them is called (soptui.cli)."""

from __future__ import annotations

import click

from soptui.cli import ID, Options, emit, format_option, parse_date_opt, pass_options
from soptui.errors import RuleError
from soptui.i18n import t

# ----- user ------------------------------------------------------------------------


@click.group()
def user() -> None:
    """Clerks and their roles."""


@user.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="Role key or name; repeat.")
@click.option("--nip", default=None)
@click.option("--jabatan", default=None)
@pass_options
def user_add(
    opts: Options,
    login: str,
    name: str,
    roles: tuple[str, ...],
    nip: str | None,
    jabatan: str | None,
) -> None:
    svc = opts.ready()
    actor = opts.actor() if svc.users.count() else None
    svc.users.add(actor, login, name=name, roles=roles, nip=nip, jabatan=jabatan)
    emit(t("ok.user_added", login=login))


@user.command("list")
@format_option
@pass_options
def user_list(opts: Options, fmt: str) -> None:
    from soptui.formatting import render

    svc = opts.ready()
    rows = [
        {
            "login": u.login,
            "name": u.name,
            "nip": u.nip,
            "jabatan": u.jabatan,
            "roles": list(u.roles),
        }
        for u in svc.users.list()
    ]
    emit(
        render(
            rows,
            [
                ("login", "col.login"),
                ("name", "col.name"),
                ("nip", "col.nip"),
                ("roles", "col.roles"),
            ],
            fmt,
        )
    )


@click.group()
def audit() -> None:
    """The audit trail (append-only, hash-chained)."""


@audit.command("verify")
@click.option(
    "--against",
    "against",
    type=click.Path(dir_okay=False),
    default=None,
    help="A head log (the server's): catches truncation and a rebuilt chain.",
)
@format_option
@pass_options
def audit_verify(opts: Options, against: str | None, fmt: str) -> None:
    """Check chain, seals, SOP hashes and every row against the trail; name the
    first bad one. Exit 1 when broken. The server checks, with its key."""
    from soptui.audit import headlog
    from soptui.errors import InputError
    from soptui.formatting import render

    lines = None
    if against is not None:
        try:
            lines = headlog.read_lines(against)
        except OSError as exc:
            raise InputError("err.file", path=against, reason=exc.strerror) from None
    report = opts.ready().audit_verify(lines)
    record = {
        "ok": report.ok,
        "events": report.events,
        "head": report.head,
        "first_bad_seq": report.first_bad_seq,
        "problem": report.problem,
        "row": report.row,
        "seals": report.seals,
        "legacy_upto": report.legacy_upto,
        "key_ids": list(report.key_ids),
        "logged": report.logged,
    }
    if fmt == "json":
        emit(render([], [], fmt, json_records=record))
    elif report.ok:
        emit(t("ok.audit", events=report.events, head=report.head))
        if report.legacy_upto:
            emit(t("ok.audit_legacy", seq=report.legacy_upto))
        if lines is not None:
            emit(t("ok.audit_log", lines=report.logged))
    if not report.ok:
        raise RuleError(
            audit_problem_key(report.problem),
            seq=report.first_bad_seq if report.first_bad_seq is not None else "-",
            row=report.row,
            problem=t("audit." + str(report.problem)),
        )


def audit_problem_key(problem: str | None) -> str:
    if problem == "state" or problem == "sop_hash":
        return "err.audit_row"
    if problem and problem.startswith("log_"):
        return "err.audit_log"
    return "err.audit_broken"


@audit.command("repair")
@pass_options
def audit_repair(opts: Options) -> None:
    """Admin: move forged rows after the head out (recorded, sealed), so writes
    work again. Only for rows inserted after the head; see docs/reliability.md."""
    count = opts.ready().audit_repair_tail(opts.actor())
    emit(t("ok.audit_repaired", count=count))


@audit.command("head")
@pass_options
def audit_head(opts: Options) -> None:
    """Print the head as a head-log line (seq key_id hmac time), to keep outside."""
    emit(opts.ready().audit_head())


@user.command("delegate")
@click.argument("principal")
@click.argument("delegate")
@click.option("--from", "start", required=True, help="First day.")
@click.option("--to", "end", required=True, help="Last day.")
@click.option("--kind", type=click.Choice(["plt", "plh"]), default="plh", show_default=True)
@click.option("--note", default=None, help="e.g. the Surat Perintah number.")
@pass_options
def user_delegate(
    opts: Options, principal: str, delegate: str, start: str, end: str, kind: str, note: str | None
) -> None:
    """Plt/Plh: DELEGATE acts in PRINCIPAL's roles for a date range (admin)."""
    first, last = parse_date_opt(start), parse_date_opt(end)
    assert first is not None and last is not None
    svc = opts.ready()
    new_id = svc.users.delegate(
        opts.actor(), principal, delegate, start=first, end=last, kind=kind, note=note
    )
    emit(
        t(
            "ok.delegated",
            id=new_id,
            delegate=delegate,
            kind=kind.upper(),
            principal=principal,
            start=first.isoformat(),
            end=last.isoformat(),
        )
    )


@user.command("delegations")
@format_option
@pass_options
def user_delegations(opts: Options, fmt: str) -> None:
    """Delegations, current and past."""
    from soptui.formatting import render

    rows = [
        {
            "id": d.id,
            "principal": d.principal,
            "delegate": d.delegate,
            "kind": d.kind,
            "from": d.start,
            "to": d.end,
            "note": d.note,
            "revoked": d.revoked,
        }
        for d in opts.ready().users.delegations()
    ]
    cols = [
        ("id", "col.id"),
        ("principal", "col.principal"),
        ("delegate", "col.delegate"),
        ("kind", "col.kind"),
        ("from", "col.from"),
        ("to", "col.to"),
        ("revoked", "col.revoked"),
        ("note", "col.note"),
    ]
    emit(render(rows, cols, fmt))


@user.command("revoke")
@click.argument("delegation_id", type=ID)
@pass_options
def user_revoke(opts: Options, delegation_id: int) -> None:
    """End a delegation now (admin)."""
    opts.ready().users.revoke_delegation(opts.actor(), delegation_id)
    emit(t("ok.revoked", id=delegation_id))
