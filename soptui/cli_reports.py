"""`soptui report ...`: SLA, monitoring, workload, bottlenecks, agenda, narasumber."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import click

from soptui.cli import Options, emit, format_option, parse_date_opt, pass_options
from soptui.formatting import OFFICE_TZ, render
from soptui.views import Report, semester_range


def period(opts: Options, start: str | None, end: str | None) -> tuple[date, date]:
    """--from/--to; by default the last 30 days up to today."""
    today = opts.service().clock().astimezone(OFFICE_TZ).date()
    last = parse_date_opt(end) or today
    first = parse_date_opt(start) or last - timedelta(days=29)
    return first, last


def range_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--to", "end", default=None, help="Last day (default today).")(f)
    return click.option("--from", "start", default=None, help="First day (default 30 days ago).")(f)


def show(report: Report, fmt: str) -> None:
    emit(render(list(report.rows), report.columns, fmt, json_records=list(report.rows)))


@click.group()
def report() -> None:
    """Reports over a period; every one takes --format."""


@report.command("sla")
@range_options
@click.option(
    "--by", type=click.Choice(["step", "role", "person"]), default="step", show_default=True
)
@format_option
@pass_options
def report_sla(opts: Options, start: str | None, end: str | None, by: str, fmt: str) -> None:
    """Per SOP and step: attempts, median/p90 working time vs Mutu Baku, breaches."""
    first, last = period(opts, start, end)
    show(opts.ready().reports.sla(first, last, by=by), fmt)


@report.command("monitoring")
@range_options
@click.option(
    "--semester", default=None, metavar="YYYY-1|YYYY-2", help="A semester instead of --from/--to."
)
@format_option
@click.option("-o", "--output", default=None, metavar="FILE", help="With --format pdf: the file.")
@click.option(
    "--paper", type=click.Choice(["a4", "f4"], case_sensitive=False), default="a4",
    show_default=True, help="With --format pdf: A4 or F4 (215x330 mm).",
)  # fmt: skip
@pass_options
def report_monitoring(
    opts: Options,
    start: str | None,
    end: str | None,
    semester: str | None,
    fmt: str,
    output: str | None,
    paper: str,
) -> None:
    """The six-monthly SOP monitoring table (Permen PAN-RB 35/2012); --format
    pdf -o FILE prints the monitoring form."""
    from soptui.errors import InputError
    from soptui.i18n import t

    if fmt == "pdf" and not output:
        raise InputError("err.pdf_needs_output")
    first, last = semester_range(semester) if semester else period(opts, start, end)
    result = opts.ready().reports.monitoring(first, last)
    if fmt != "pdf":
        show(result, fmt)
        return
    from soptui.printing.monitoring import monitoring_pdf
    from soptui.printing.output import write_pdf

    assert output is not None
    path = write_pdf(output, monitoring_pdf(result, first, last, size=paper))
    emit(t("ok.pdf_written", path=str(path)))


@report.command("workload")
@format_option
@pass_options
def report_workload(opts: Options, fmt: str) -> None:
    """Open, overdue and paused cases by role and person; the oldest wait."""
    show(opts.ready().reports.workload(), fmt)


@report.command("bottlenecks")
@range_options
@format_option
@pass_options
def report_bottlenecks(opts: Options, start: str | None, end: str | None, fmt: str) -> None:
    """Steps by breach rate and total waiting time; return loops by step."""
    first, last = period(opts, start, end)
    show(opts.ready().reports.bottlenecks(first, last), fmt)


@report.command("agenda")
@range_options
@format_option
@pass_options
def report_agenda(opts: Options, start: str | None, end: str | None, fmt: str) -> None:
    """The agenda book of a period."""
    first, last = period(opts, start, end)
    show(opts.ready().agenda(first, last), fmt)


@report.command("narasumber")
@range_options
@click.option(
    "--all", "everyone", is_flag=True, help="Also persons with no booking or block in the period."
)
@format_option
@pass_options
def report_narasumber(
    opts: Options, start: str | None, end: str | None, everyone: bool, fmt: str
) -> None:
    """Bookings and engagement per narasumber: definitif/tentatif/batal, hours,
    cases served, first/last day engaged, days blocked. A booking counts when it
    overlaps the period; its hours are clipped to the period."""
    first, last = period(opts, start, end)
    show(opts.ready().reports.narasumber(first, last, everyone=everyone), fmt)
