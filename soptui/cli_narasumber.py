"""`soptui narasumber ...`: the registry, availability and bookings.

Loaded lazily by the main command group, so the terminal app's start-up does
not pay for it. Same conventions as the core CLI: --format json/csv/tabulate,
exit 0 done, 1 refused by the rules (a conflict, a person not approved), 2 bad
input; one-line errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from soptui.cli import ID, Options, emit, format_option, pass_options
from soptui.formatting import local, render
from soptui.i18n import t

PERSON_COLUMNS = [
    ("id", "col.id"),
    ("name", "col.name"),
    ("status_text", "col.status"),
    ("instansi", "col.nr.instansi"),
    ("topics", "col.nr.topics"),
]
OFFER_COLUMNS = [
    ("id", "col.id"),
    ("name", "col.nr.person"),
    ("score", "col.nr.score"),
    ("matched", "col.nr.topics"),
    ("free", "col.nr.free"),
    ("conflict_text", "col.nr.conflicts"),
]
BOOKING_COLUMNS = [
    ("id", "col.id"),
    ("narasumber", "col.nr.person"),
    ("when", "col.nr.when"),
    ("activity", "col.nr.activity"),
    ("kind_text", "col.nr.kind"),
    ("status_text", "col.status"),
    ("case_id", "col.case"),
]


def person_record(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "status": p.status,
        "status_text": t(f"nr.status.{p.status}"),
        "bookable": p.bookable,
        "topics": list(p.topics),
        "nip": p.nip,
        "nik": p.nik,
        "instansi": p.instansi,
        "jabatan": p.jabatan,
        "pendidikan": p.pendidikan,
        "asn_status": p.asn_status,
        "eselon": p.eselon,
        "golongan": p.golongan,
        "honor_class": p.honor_class,
        "phone": p.phone,
        "email": p.email,
        "notes": p.notes,
        "registration_case_id": p.registration_case_id,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


def conflict_record(c: Any) -> dict[str, Any]:
    return {
        "booking_id": c.booking_id,
        "kind": c.kind,
        "status": c.status,
        "activity": c.activity,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "case_id": c.case_id,
        "text": c.text,
    }


def offer_record(o: Any) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "status": o.person.status,
        "bookable": o.bookable,
        "instansi": o.person.instansi,
        "topics": list(o.topics),
        "matched_topics": list(o.matched_topics),
        "matched": ", ".join(o.matched_topics),
        "score": o.score,
        "free": o.free,
        "conflicts": [conflict_record(c) for c in o.conflicts],
        "conflict_text": o.conflict_text,
    }


def booking_record(b: Any, span: Callable[[Any, Any], str]) -> dict[str, Any]:
    return {
        "id": b.id,
        "narasumber_id": b.narasumber_id,
        "narasumber": b.narasumber_name,
        "kind": b.kind,
        "kind_text": t(f"nr.kind.{b.kind}"),
        "status": b.status,
        "status_text": t(f"nr.booking.{b.status}"),
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "start_local": local(b.starts_at),
        "end_local": local(b.ends_at),
        "when": span(b.starts_at, b.ends_at),
        "activity": b.activity,
        "location": b.location,
        "case_id": b.case_id,
        "note": b.note,
        "created_by": b.created_by,
        "cancelled_at": b.cancelled_at,
        "cancel_note": b.cancel_note,
    }


def _one(record: dict[str, Any], fmt: str, message: str) -> None:
    """An action's result: the record in JSON, else one confirmation line."""
    emit(render([], [], fmt, json_records=record) if fmt == "json" else message)


def _range_options(required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "--to",
            "end",
            required=required,
            metavar="DATETIME",
            help="Local end; a date alone means the end of that day.",
        )(f)
        return click.option(
            "--from",
            "start",
            required=required,
            metavar="DATETIME",
            help="Local start, e.g. '2026-12-03 08:00' or '3 Desember 2026 08:00'.",
        )(f)

    return wrap


def _span(opts: Options, start: str, end: str) -> tuple[Any, Any]:
    from soptui.narasumber_views import parse_range

    return parse_range(start, end, opts.service().tz)


@click.group()
def narasumber() -> None:
    """The narasumber registry: persons, availability, bookings."""


@narasumber.command("add")
@click.option("--name", required=True, help="Name with gelar.")
@click.option("--topic", "topics", multiple=True, help="Materi / modul; repeat.")
@click.option("--instansi", default=None)
@click.option("--nip", default=None, help="18 digits (a 16-digit number is taken as NIK).")
@click.option("--nik", default=None, help="16 digits.")
@click.option("--jabatan", default=None)
@click.option("--pendidikan", default=None)
@click.option("--asn", "asn_status", default=None, help="pns, pppk or non-asn.")
@click.option("--eselon", default=None, help="I, II, III, IV (II.a ...).")
@click.option("--golongan", default=None, help="e.g. III/c.")
@click.option("--phone", default=None)
@click.option("--email", default=None)
@click.option("--notes", default=None)
@format_option
@pass_options
def nr_add(
    opts: Options,
    name: str,
    topics: tuple[str, ...],
    instansi: str | None,
    nip: str | None,
    nik: str | None,
    jabatan: str | None,
    pendidikan: str | None,
    asn_status: str | None,
    eselon: str | None,
    golongan: str | None,
    phone: str | None,
    email: str | None,
    notes: str | None,
    fmt: str,
) -> None:
    """Register a person (status diajukan) and open their Pendaftaran case."""
    from soptui.narasumber_views import split_nip_nik

    if nik is None:
        nip, nik = split_nip_nik(nip)  # lenient: a NIK given as --nip
    actor = opts.actor()
    p = opts.service().narasumber.register(
        actor,
        name=name,
        topics=topics,
        instansi=instansi,
        nip=nip,
        nik=nik,
        jabatan=jabatan,
        pendidikan=pendidikan,
        asn_status=asn_status,
        eselon=eselon,
        golongan=golongan,
        phone=phone,
        email=email,
        notes=notes,
    )
    _one(
        person_record(p),
        fmt,
        t("ok.nr.added", id=p.id, name=p.name, case=p.registration_case_id),
    )


@narasumber.command("edit")
@click.argument("narasumber_id", type=ID)
@click.option("--name", default=None)
@click.option("--topic", "topics", multiple=True, help="Replaces all topics; repeat.")
@click.option("--instansi", default=None)
@click.option("--nip", default=None)
@click.option("--nik", default=None)
@click.option("--jabatan", default=None)
@click.option("--pendidikan", default=None)
@click.option("--asn", "asn_status", default=None)
@click.option("--eselon", default=None)
@click.option("--golongan", default=None)
@click.option("--phone", default=None)
@click.option("--email", default=None)
@click.option("--notes", default=None)
@click.option("--expect-version", type=ID, default=None, help="Refuse if changed since.")
@format_option
@pass_options
def nr_edit(
    opts: Options,
    narasumber_id: int,
    topics: tuple[str, ...],
    expect_version: int | None,
    fmt: str,
    **fields: str | None,
) -> None:
    """Change profile fields ('' clears an optional one)."""
    changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if topics:
        changes["topics"] = list(topics)
    actor = opts.actor()
    p = opts.service().narasumber.update(
        actor, narasumber_id, expected_version=expect_version, **changes
    )
    _one(person_record(p), fmt, t("ok.nr.updated", id=p.id))


@narasumber.command("status")
@click.argument("narasumber_id", type=ID)
@click.argument("status")
@click.option("--note", required=True, help="The reason (kept in the history).")
@format_option
@pass_options
def nr_status(opts: Options, narasumber_id: int, status: str, note: str, fmt: str) -> None:
    """Set a person's status (admin): diajukan (opens a new Pendaftaran case),
    diverifikasi, disetujui, ditolak, nonaktif."""
    actor = opts.actor()
    svc = opts.service()
    before = svc.narasumber.get(narasumber_id).registration_case_id
    p = svc.narasumber.set_status(actor, narasumber_id, status, note=note)
    new_case = p.registration_case_id if p.registration_case_id != before else None
    text = t(f"nr.status.{p.status}")
    message = (
        t("ok.nr.status_case", id=p.id, name=p.name, status=text, case=new_case)
        if new_case
        else t("ok.nr.status", id=p.id, name=p.name, status=text)
    )
    _one(person_record(p), fmt, message)


@narasumber.command("list")
@click.option(
    "--status", default=None, help="diajukan, diverifikasi, disetujui, ditolak, nonaktif."
)
@click.option("--topic", default=None, help="Only persons whose topics match (best first).")
@click.option("--limit", type=ID, default=None)
@format_option
@pass_options
def nr_list(
    opts: Options, status: str | None, topic: str | None, limit: int | None, fmt: str
) -> None:
    """The registry in name order (gelar ignored)."""
    rows = opts.ready().narasumber.list(status=status, topic=topic, limit=limit)
    emit(render([person_record(p) for p in rows], PERSON_COLUMNS, fmt))


@narasumber.command("search")
@click.argument("text")
@click.option("--status", default=None)
@click.option("--limit", type=ID, default=50, show_default=True)
@format_option
@pass_options
def nr_search(opts: Options, text: str, status: str | None, limit: int, fmt: str) -> None:
    """Typo-tolerant search over name, NIP/NIK, topics, instansi, jabatan."""
    hits = opts.ready().narasumber.search(text, status=status, limit=limit)
    records = [{**person_record(h.person), "score": h.score} for h in hits]
    emit(render(records, [*PERSON_COLUMNS, ("score", "col.nr.score")], fmt))


@narasumber.command("show")
@click.argument("narasumber_id", type=ID)
@format_option
@pass_options
def nr_show(opts: Options, narasumber_id: int, fmt: str) -> None:
    """Profile, registration case, upcoming and past bookings, history."""
    svc = opts.ready()
    d = svc.narasumber.detail(narasumber_id)
    span = svc.narasumber.span
    record = person_record(d.person)
    record["registration_status"] = d.registration_status
    record["registration_step"] = d.registration_step
    record["upcoming"] = [booking_record(b, span) for b in d.upcoming]
    record["past"] = [booking_record(b, span) for b in d.past]
    record["history"] = [
        {
            "seq": h.seq,
            "at": h.at,
            "kind": h.kind,
            "actor": h.actor_login,
            "case_id": h.case_id,
            "note": h.note,
            "data": h.data,
        }
        for h in d.history
    ]
    if fmt == "json":
        emit(render([], [], fmt, json_records=record))
        return
    p = d.person
    none = t("nr.none")
    registration = none
    if p.registration_case_id is not None:
        registration = (
            f"#{p.registration_case_id} ({t('status.' + (d.registration_status or 'open'))}"
        )
        registration += f", {d.registration_step})" if d.registration_step else ")"
    asn = t(f"nr.asn.{p.asn_status}") if p.asn_status else none
    lines = [
        f"#{p.id}  {p.name}  [{t('nr.status.' + p.status)}]",
        f"{t('col.nr.topics')}: " + ("; ".join(p.topics) or none),
        f"{t('col.nr.instansi')}: {p.instansi or none}   "
        f"{t('nr.label.jabatan')}: {p.jabatan or none}",
        f"{t('col.nip')}: {p.nip or none}   {t('nr.label.nik')}: {p.nik or none}",
        f"{t('nr.label.asn')}: {asn}   {t('nr.label.eselon')}: {p.eselon or none}   "
        f"{t('nr.label.golongan')}: {p.golongan or none}   "
        f"{t('nr.label.honor')}: {t('nr.honor.' + p.honor_class)}",
        f"{t('nr.label.pendidikan')}: {p.pendidikan or none}",
        f"{t('nr.label.phone')}: {p.phone or none}   {t('nr.label.email')}: {p.email or none}",
        f"{t('nr.label.registration')}: {registration}",
    ]
    if p.notes:
        lines.append(f"{t('nr.label.notes')}: {p.notes}")
    emit("\n".join(lines))
    for label, items in (
        ("nr.label.upcoming", record["upcoming"]),
        ("nr.label.past", record["past"]),
    ):
        if items:
            emit(f"\n{t(label)}:")
            emit(render(items, BOOKING_COLUMNS, fmt))
    if d.history:
        emit(f"\n{t('nr.label.history')}:")
        rows = [
            {
                "when": local(h.at),
                "who": h.actor_login,
                "what": t("event." + h.kind),
                "note": h.note or _history_detail(h.data),
            }
            for h in d.history
        ]
        cols = [
            ("when", "col.when"),
            ("who", "col.who"),
            ("what", "col.what"),
            ("note", "col.note"),
        ]
        emit(render(rows, cols, fmt))


def _history_detail(data: dict[str, Any]) -> str:
    if "to" in data and "from" in data and "booking" not in data:
        return f"{t('nr.status.' + data['from'])} -> {t('nr.status.' + data['to'])}"
    if "changes" in data:
        return ", ".join(sorted(data["changes"]))
    return str(data.get("activity") or "")


@narasumber.command("available")
@click.option("--topic", default=None, help="Topic words (typos tolerated); none: everyone.")
@_range_options(required=True)
@click.option("--all", "include_all", is_flag=True, help="Also persons not (yet) approved.")
@click.option("--free", "free_only", is_flag=True, help="Only the free ones.")
@click.option("--limit", type=ID, default=50, show_default=True)
@format_option
@pass_options
def nr_available(
    opts: Options,
    topic: str | None,
    start: str,
    end: str,
    include_all: bool,
    free_only: bool,
    limit: int,
    fmt: str,
) -> None:
    """Who can speak on a topic in a time: ranked by topic match, each free
    or with its conflicts named."""
    first, last = _span(opts, start, end)
    offers = opts.ready().narasumber.lookup(
        topic, first, last, limit=limit, include_unapproved=include_all, free_only=free_only
    )
    records = [offer_record(o) for o in offers]
    if include_all:
        for r in records:
            if not r["bookable"]:
                r["name"] = f"{r['name']} [{t('nr.status.' + r['status'])}]"
    emit(render(records, OFFER_COLUMNS, fmt))


@narasumber.command("book")
@click.argument("narasumber_id", type=ID)
@_range_options(required=True)
@click.option("--activity", default=None, help="Kegiatan (default: the case's perihal).")
@click.option("--location", default=None)
@click.option("--case", "case_id", type=ID, default=None, help="The case this booking serves.")
@click.option("--tentative", is_flag=True, help="Tentatif: released if the case is refused.")
@click.option("--note", default=None)
@format_option
@pass_options
def nr_book(
    opts: Options,
    narasumber_id: int,
    start: str,
    end: str,
    activity: str | None,
    location: str | None,
    case_id: int | None,
    tentative: bool,
    note: str | None,
    fmt: str,
) -> None:
    """Book an approved person; refused (exit 1) with the conflicts named."""
    first, last = _span(opts, start, end)
    actor = opts.actor()
    svc = opts.service()
    b = svc.narasumber.book(
        actor,
        narasumber_id,
        first,
        last,
        activity=activity,
        location=location,
        case_id=case_id,
        tentative=tentative,
        note=note,
    )
    r = booking_record(b, svc.narasumber.span)
    _one(
        r,
        fmt,
        t(
            "ok.nr.booked",
            id=b.id,
            name=b.narasumber_name,
            when=r["when"],
            activity=b.activity,
            status=r["status_text"],
        ),
    )


@narasumber.command("block")
@click.argument("narasumber_id", type=ID)
@_range_options(required=True)
@click.option("--note", required=True, help="The reason, e.g. 'Cuti tahunan'.")
@click.option("--kind", default="cuti", show_default=True, help="cuti, dinas-luar or lainnya.")
@format_option
@pass_options
def nr_block(
    opts: Options, narasumber_id: int, start: str, end: str, note: str, kind: str, fmt: str
) -> None:
    """Mark a person unavailable (cuti, dinas luar); refused if it overlaps a booking."""
    first, last = _span(opts, start, end)
    actor = opts.actor()
    svc = opts.service()
    b = svc.narasumber.block(actor, narasumber_id, first, last, note=note, kind=kind)
    r = booking_record(b, svc.narasumber.span)
    _one(
        r,
        fmt,
        t("ok.nr.blocked", id=b.id, name=b.narasumber_name, when=r["when"], kind=r["kind_text"]),
    )


@narasumber.command("cancel")
@click.argument("booking_id", type=ID)
@click.option("--note", required=True)
@format_option
@pass_options
def nr_cancel(opts: Options, booking_id: int, note: str, fmt: str) -> None:
    """Cancel a booking or withdraw a block (kept, with the reason)."""
    actor = opts.actor()
    svc = opts.service()
    b = svc.narasumber.cancel(actor, booking_id, note=note)
    _one(booking_record(b, svc.narasumber.span), fmt, t("ok.nr.cancelled", id=b.id))


@narasumber.command("confirm")
@click.argument("booking_id", type=ID)
@format_option
@pass_options
def nr_confirm(opts: Options, booking_id: int, fmt: str) -> None:
    """Make a tentative booking definitive."""
    actor = opts.actor()
    svc = opts.service()
    b = svc.narasumber.confirm(actor, booking_id)
    _one(booking_record(b, svc.narasumber.span), fmt, t("ok.nr.confirmed", id=b.id))


@narasumber.command("bookings")
@click.option("--person", "narasumber_id", type=ID, default=None, help="One narasumber.")
@click.option("--case", "case_id", type=ID, default=None, help="Bookings of one case.")
@_range_options(required=False)
@click.option("--all", "include_cancelled", is_flag=True, help="Also cancelled ones.")
@click.option("--limit", type=ID, default=None)
@format_option
@pass_options
def nr_bookings(
    opts: Options,
    narasumber_id: int | None,
    case_id: int | None,
    start: str | None,
    end: str | None,
    include_cancelled: bool,
    limit: int | None,
    fmt: str,
) -> None:
    """Bookings and blocks in time order."""
    from soptui.validate import parse_datetime

    svc = opts.ready()
    first = parse_datetime(start, svc.tz) if start else None
    last = None
    if end:
        last = _span(opts, start, end)[1] if start else parse_datetime(end, svc.tz)
    rows = svc.narasumber.bookings(
        narasumber_id=narasumber_id,
        case_id=case_id,
        start=first,
        end=last,
        include_cancelled=include_cancelled or case_id is not None,
        limit=limit,
    )
    emit(render([booking_record(b, svc.narasumber.span) for b in rows], BOOKING_COLUMNS, fmt))
