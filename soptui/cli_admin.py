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
@format_option
@pass_options
def audit_verify(opts: Options, fmt: str) -> None:
    """Check the hash chain; name the first bad row. Exit 1 when broken."""
    from soptui.formatting import render

    report = opts.ready().audit_verify()
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
