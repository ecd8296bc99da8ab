"""`soptui letter ...`: the agenda book and outgoing numbers."""

from __future__ import annotations

import click

from soptui.cli import ID, Options, WholeNumber, emit, format_option, parse_date_opt, pass_options
from soptui.errors import PermissionDenied
from soptui.formatting import render
from soptui.i18n import t
from soptui.views import LETTER_COLUMNS, LetterView, letter_record


def _emit_one(v: LetterView, fmt: str, message: str) -> None:
    if fmt == "json":
        emit(render([], [], fmt, json_records=letter_record(v)))
    else:
        emit(message)


@click.group()
def letter() -> None:
    """Letters: agenda of incoming letters, numbers for outgoing ones."""


@letter.command("in")
@click.option("--from", "sender", required=True, help="Pengirim (sender).")
@click.option("--number", required=True, help="The letter's own number.")
@click.option("--perihal", required=True)
@click.option("--date", "letter_date", default=None, help="Date on the letter.")
@click.option("--received", default=None, help="Received date (default today).")
@click.option("--sifat", default=None, help="biasa, segera, sangat segera, rahasia.")
@format_option
@pass_options
def letter_in(
    opts: Options,
    sender: str,
    number: str,
    perihal: str,
    letter_date: str | None,
    received: str | None,
    sifat: str | None,
    fmt: str,
) -> None:
    """Register an incoming letter; it gets the next agenda number of its year."""
    written, got = parse_date_opt(letter_date), parse_date_opt(received)
    actor = opts.actor()
    v = opts.service().letters.register_incoming(
        actor,
        sender=sender,
        number=number,
        perihal=perihal,
        letter_date=written,
        received_date=got,
        sifat=sifat,
    )
    _emit_one(v, fmt, t("ok.letter_in", agenda=v.seq, year=v.year, id=v.id))


@letter.command("number")
@click.option("--class", "klasifikasi", required=True, help="Classification code, e.g. 061.")
@click.option("--perihal", required=True)
@click.option("--to", "recipient", default=None, help="Recipient.")
@click.option("--case", "case_id", type=ID, default=None)
@format_option
@pass_options
def letter_number(
    opts: Options,
    klasifikasi: str,
    perihal: str,
    recipient: str | None,
    case_id: int | None,
    fmt: str,
) -> None:
    """Give an outgoing letter the next number of its classification."""
    actor = opts.actor()
    v = opts.service().letters.issue_number(
        actor, klasifikasi=klasifikasi, perihal=perihal, recipient=recipient, case_id=case_id
    )
    _emit_one(v, fmt, v.number)


@letter.command("record")
@click.option("--class", "klasifikasi", required=True)
@click.option("--seq", type=ID, required=True, help="Its sequence number.")
@click.option("--year", type=WholeNumber(1945, 2200), required=True)
@click.option("--number", required=True, help="The number as written.")
@click.option("--perihal", required=True)
@format_option
@pass_options
def letter_record_external(
    opts: Options, klasifikasi: str, seq: int, year: int, number: str, perihal: str, fmt: str
) -> None:
    """Record a number issued elsewhere, so it is never given out again."""
    actor = opts.actor()
    v = opts.service().letters.record_external(
        actor, klasifikasi=klasifikasi, seq=seq, year=year, number=number, perihal=perihal
    )
    _emit_one(v, fmt, t("ok.letter_recorded", number=v.number))


@letter.command("void")
@click.argument("number")
@click.option("--note", required=True)
@pass_options
def letter_void(opts: Options, number: str, note: str) -> None:
    """Void an outgoing number: kept with the reason, never reused."""
    actor = opts.actor()
    v = opts.service().letters.void(actor, number, note=note)
    emit(t("ok.letter_void", number=v.number))


@letter.command("list")
@click.option("--year", type=WholeNumber(1945, 2200), default=None)
@click.option("--direction", type=click.Choice(["in", "out"]), default=None)
@click.option("--case", "case_id", type=ID, default=None)
@format_option
@pass_options
def letter_list(
    opts: Options, year: int | None, direction: str | None, case_id: int | None, fmt: str
) -> None:
    """The agenda book, in order."""
    rows = opts.ready().letters.list(year=year, direction=direction, case_id=case_id)
    emit(render([letter_record(v) for v in rows], LETTER_COLUMNS, fmt))


@letter.command("pattern")
@click.option("--class", "klasifikasi", required=True)
@click.option(
    "--pattern",
    required=True,
    help="e.g. '{klasifikasi}/{nomor}/{unit}', '{klasifikasi}/{nomor}/KUKM-SET.2/{tahun}'",
)
@pass_options
def letter_pattern(opts: Options, klasifikasi: str, pattern: str) -> None:
    """How numbers of a classification are written (admin)."""
    actor = opts.actor()
    if not actor.is_admin:
        raise PermissionDenied("err.admin_only")
    opts.service().letters.set_pattern(actor, klasifikasi, pattern)
    emit(t("ok.letter_pattern", klasifikasi=klasifikasi, pattern=pattern))
