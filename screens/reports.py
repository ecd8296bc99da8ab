"""Reports: SLA (per step, role or person), the six-monthly monitoring table,
workload, bottlenecks, the agenda book and the narasumber engagement, over a
period typed from the keyboard, drawn as a table with text bars; any report
exported to a file.

A report is a snapshot: it runs when opened, when the report or the period
changes, and on F5 - not on every poll (no repaint, no query while idle)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Label, Static

from soptui.errors import InputError, SoptuiError
from soptui.formatting import OFFICE_TZ, local, render
from soptui.i18n import t
from soptui.screens import present
from soptui.screens.base import Dialog, LiveScreen, Reworded, in_thread, key, soptui_app
from soptui.screens.dialogs import (
    quiet_input,
)
from soptui.screens.export import EXTENSIONS, SaveDialog, format_label
from soptui.validate import parse_date

if TYPE_CHECKING:
    from soptui.client.remote import Remote
    from soptui.views import Report


@dataclass(frozen=True)
class Kind:
    """One report of the screen. period: "range" (default the last 30 days),
    "semester" (default the current one) or "none" (the state right now)."""

    id: str  # in file names; its message is ui.report.<id with _>
    period: str
    bar_after: str | None = None  # where the bar goes if the report's columns lack it
    # Groups of columns left out of the table (in this order) when the terminal
    # is too narrow to show the others whole; enter and the export still show them.
    optional: tuple[tuple[str, ...], ...] = ()

    @property
    def label(self) -> str:
        return t("ui.report." + self.id.replace("-", "_"))


KINDS = (
    Kind("sla", "range"),
    Kind("sla-role", "range"),
    Kind("sla-person", "range"),
    Kind("monitoring", "semester", bar_after="runs_well"),
    Kind("workload", "none"),
    Kind("bottlenecks", "range"),
    Kind("agenda", "range"),
    Kind("narasumber", "range", optional=(("first", "last"), ("instansi",))),
)
KIND_BY_ID = {k.id: k for k in KINDS}
DEFAULT_DAYS = 30
SEMESTER = re.compile(r"^\s*(\d{4})\s*-\s*([12])\s*$")


def run_report(svc: Remote, kind: str, start: date, end: date) -> Report:
    """The service call behind each report (call it in a worker thread)."""
    reports = svc.reports
    if kind == "sla":
        return reports.sla(start, end)
    if kind == "sla-role":
        return reports.sla(start, end, by="role")
    if kind == "sla-person":
        return reports.sla(start, end, by="person")
    if kind == "monitoring":
        return reports.monitoring(start, end)
    if kind == "workload":
        return reports.workload()
    if kind == "bottlenecks":
        return reports.bottlenecks(start, end)
    if kind == "agenda":
        return svc.agenda(start, end)
    if kind == "narasumber":
        return reports.narasumber(start, end)
    raise ValueError(kind)


def default_period(period: str, today: date) -> tuple[date, date]:
    if period == "semester":
        from soptui.views import semester_range  # worker thread: the data layer is loaded there

        return semester_range(f"{today.year}-{1 if today.month <= 6 else 2}")
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def export_name(kind: str, period: tuple[date, date] | None, today: date, fmt: str) -> str:
    """soptui-sla-2026-03-01_2026-03-31.csv (workload: the day it was taken)."""
    span = f"{period[0]}_{period[1]}" if period else str(today)
    return f"soptui-{kind}-{span}.{EXTENSIONS[fmt]}"


def kinds_line(labels: list[str], chosen: int, width: int) -> Text:
    """ " 1 SLA  2 SLA peran ...": the reports and their keys, the one shown in
    reverse video with a marker (readable without colour). One space between
    them instead of two where the line would not fit the terminal."""
    spaced = sum(cell_len(label) + 4 for label in labels) <= width
    parts: list[Text] = []
    for number, label in enumerate(labels, start=1):
        text = f" {number} {label}" + (" " if spaced else "")
        parts.append(
            Text("▸" + text[1:], style="bold reverse") if number - 1 == chosen else Text(text)
        )
    return Text("").join(parts)


# ----- the table ---------------------------------------------------------------------

BAR_CELLS = 10  # blocks in a bar where there is room
BAR_MIN_CELLS = 4
PERCENT_CELLS = 5  # " 100%"
TEXT_MIN = 6  # a text column narrower than this says nothing
TEXT_MAX = 80  # nor does one wider than this need to be
SHORT_TEXT = 10  # a text column this narrow is shown whole first (dates, codes of time)
TEXT_FIRST = 16  # what every text column gets before the bar grows


def bar(
    value: float | None, width: int, scale: float | None = None, figure: int = PERCENT_CELLS
) -> str:
    """ "███████░░░  70%": blocks for the share, the figure beside them (no colour needed).
    With a scale the value is a plain figure (hours): "███████░░░ 10.5" fills
    value / scale and writes the value in `figure` cells."""
    if value is None:
        return "-"
    cells = max(1, width - figure)
    if scale is None:
        share = min(1.0, max(0.0, float(value)))
        text = f"{share:>{figure}.0%}"
    else:
        share = min(1.0, max(0.0, float(value) / scale)) if scale > 0 else 0.0
        text = cell_text(value).rjust(figure)
    filled = round(share * cells)
    return "█" * filled + "░" * (cells - filled) + text


def cell_text(value: Any) -> str:
    """A value as the table shows it (the CSV export writes the same text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # in full (the row's detail, the export)
    numeric: bool
    is_bar: bool
    natural: int  # the width that shows every value and the heading whole
    minimum: int
    figure: int = PERCENT_CELLS  # a bar's cells for the figure beside it
    label: str = ""  # the table's heading: a shorter form where one exists

    @property
    def title(self) -> str:
        return self.label or self.heading


def table_heading(heading_key: str) -> str:
    """ "<key>.short" where the messages have it ("Def" for "Definitif": a
    one-digit column need not be nine cells wide), else the heading."""
    short = t(heading_key + ".short")
    return short if short != heading_key + ".short" else t(heading_key)


def plan_columns(report: Report, bar_after: str | None = None) -> list[Column]:
    """The report's columns, the bar column placed (inserted if the report's
    own columns lack it), each with its natural and minimum widths."""
    columns = list(report.columns)
    if report.bar and report.bar not in [k for k, _ in columns]:
        at = next((i + 1 for i, (k, _) in enumerate(columns) if k == bar_after), len(columns))
        columns.insert(at, (report.bar, "col.within"))
    planned: list[Column] = []
    for column_key, heading_key in columns:
        heading = t(heading_key)
        label = table_heading(heading_key)
        if column_key == report.bar:
            figure = PERCENT_CELLS
            if report.bar_max is not None:  # plain figures: as wide as the widest, and a space
                figure = 1 + max(
                    (cell_len(cell_text(r.get(column_key))) for r in report.rows), default=1
                )
            natural = max(cell_len(label), BAR_CELLS + figure)
            planned.append(
                Column(
                    column_key, heading, True, True, natural, BAR_MIN_CELLS + figure, figure, label
                )
            )
            continue
        values = [row.get(column_key) for row in report.rows]
        texts = [cell_text(v) for v in values]
        longest = max((cell_len(x) for x in texts), default=0)
        numeric = bool(values) and all(is_number(v) for v in values if v is not None)
        natural = min(TEXT_MAX, max(cell_len(label), longest, 1))
        minimum = max(1, longest) if numeric else min(natural, TEXT_MIN)
        planned.append(
            Column(
                column_key,
                heading,
                numeric,
                False,
                natural,
                min(natural, minimum),
                label=label,
            )
        )
    return planned


def fit_widths(columns: list[Column], width: int) -> list[int]:
    """Widths for a terminal `width` cells wide: each column one trailing space,
    one cell kept for the scrollbar. From the minimums, the spare cells go
    first to the numbers and short columns (whole, headings too), then a
    little to every text column, then to the bar, then to the texts again,
    one cell at a time round the columns so that no text starves the others.
    A wider terminal shows more; too narrow even for the minimums, the table
    scrolls sideways."""
    widths = [c.minimum for c in columns]
    spare = width - 1 - len(columns) - sum(widths)
    text = [i for i, c in enumerate(columns) if not c.numeric]
    short = [i for i, c in enumerate(columns) if c.numeric and not c.is_bar]
    short += [i for i in text if columns[i].natural <= SHORT_TEXT]
    bars = [i for i, c in enumerate(columns) if c.is_bar]
    for chosen, cap in (
        (short, None),
        (text, TEXT_FIRST),
        (bars, None),
        (text, None),
    ):
        while spare > 0:
            grew = False
            # The column that still lacks the most goes first in each round.
            for i in sorted(chosen, key=lambda i: widths[i] - columns[i].natural):
                limit = columns[i].natural if cap is None else min(columns[i].natural, cap)
                if spare > 0 and widths[i] < limit:
                    widths[i] += 1
                    spare -= 1
                    grew = True
            if not grew:
                break
    return widths


def comfortable(columns: list[Column]) -> int:
    """The width that shows every number and short text whole, every bar at
    its least and every other text in TEXT_FIRST cells (or whole if shorter)."""
    total = 1 + len(columns)
    for c in columns:
        if c.is_bar:
            total += c.minimum
        elif c.numeric or c.natural <= SHORT_TEXT:
            total += c.natural
        else:
            total += min(c.natural, TEXT_FIRST)
    return total


def shown_columns(
    columns: list[Column], optional: tuple[tuple[str, ...], ...], width: int
) -> list[Column]:
    """The columns the table shows: the optional groups go, in their order,
    while the rest would not fit comfortably."""
    shown = list(columns)
    for dropped in optional:
        if comfortable(shown) <= width:
            break
        shown = [c for c in shown if c.key not in dropped]
    return shown


class ReportTable(Reworded, DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        key("enter", "select_cursor", "rtable.detail"),
        key("j", "cursor_down", "rtable.down", show=False),
        key("k", "cursor_up", "rtable.up", show=False),
        key("g", "scroll_top", "rtable.top", show=False),
        key("G", "scroll_bottom", "rtable.bottom", show=False),
        key("home", "scroll_top", "rtable.home", show=False),
        key("end", "scroll_bottom", "rtable.end", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"reporttable--bar"}

    def __init__(self) -> None:
        super().__init__(cursor_type="row", cell_padding=0, zebra_stripes=False, id="report")


# ----- the screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    kind: str
    period: tuple[date, date] | None
    today: date
    report: Report


class ReportsScreen(LiveScreen):
    CSS_PATH = "reports.tcss"
    AUTO_FOCUS = "#report"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "back", "reports.back"),
        key("q", "back", "reports.back_q", show=False),
        *(
            key(
                str(n),
                f"kind('{kind.id}')",
                "reports." + kind.id.replace("-", "_"),
                show=n == 1,
                key_display=f"1-{len(KINDS)}" if n == 1 else None,
            )
            for n, kind in enumerate(KINDS, start=1)
        ),
        key("p", "period", "reports.period"),
        key("e", "export", "reports.export"),
        key("f5", "rerun", "reports.rerun", show=False),
    ]

    def __init__(self, kind: str = "sla") -> None:
        super().__init__(id="reports")
        self.kind = KIND_BY_ID[kind]
        self.periods: dict[str, tuple[date, date]] = {}  # per kind of period, once known
        self.today: date | None = None
        self.result: Run | None = None
        self.running = False
        self.layout_widths: list[int] = []  # of the columns shown
        self.table_layout: list[tuple[str, int]] = []  # which columns, how wide
        self._editing_message = False

    def compose(self) -> ComposeResult:
        yield Static(id="kinds", markup=False)
        with Horizontal(id="period-bar"):
            yield Label(id="period-label", markup=False)
            yield quiet_input(id="from", compact=True, max_length=30)
            yield Label(id="period-to", markup=False)
            yield quiet_input(id="to", compact=True, max_length=30)
            yield Label(id="period-none", markup=False)
            yield Label(id="count", markup=False)
        yield Static(id="message", markup=False)
        yield ReportTable()
        yield Static(id="empty", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.query_one("#empty").display = False
        self._render_labels()
        self.reload()
        # The bar's colour comes from the theme: redraw when it changes.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._render_table(force=True))

    @property
    def table(self) -> ReportTable:
        return self.query_one(ReportTable)

    # ----- running ---------------------------------------------------------------

    def data_changed(self) -> None:
        """A report is a snapshot: others' work shows on F5, not on every poll."""

    def reload(self) -> None:
        app = soptui_app(self)
        kind = self.kind
        chosen = self.periods.get(kind.period)

        def job() -> Run:
            svc = app.svc
            today = svc.clock().astimezone(OFFICE_TZ).date()
            period = None if kind.period == "none" else chosen or default_period(kind.period, today)
            start, end = period or (today, today)
            return Run(kind.id, period, today, run_report(svc, kind.id, start, end))

        self.running = True
        if not self._editing_message:
            self._say(None)
        self._render_period()  # "Memuat…" where the row count goes: nothing shifts
        in_thread(
            self, job, self._loaded, group="report", failed=self._failed, crashed=self._crashed
        )

    def _loaded(self, run: Run) -> None:
        self.running = False
        if run.kind != self.kind.id:
            return
        self.today = run.today
        if run.period is not None:
            self.periods.setdefault(self.kind.period, run.period)
        self.result = run
        self._render_period()
        self._render_table(force=True)

    def _failed(self, exc: SoptuiError) -> None:
        self.running = False
        self._render_period()
        self._say(exc.message())

    def _crashed(self, exc: Exception) -> None:
        self.running = False
        self._render_period()
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        self._say(t("ui.err.unexpected", detail=detail))

    # ----- rendering -------------------------------------------------------------

    def _say(self, message: str | None, *, error: bool = True, editing: bool = False) -> None:
        """One line under the period: what went wrong, or what is going on.
        `editing`: it is about the period being typed; it goes when the
        clerk leaves the fields."""
        self._editing_message = editing
        widget = self.query_one("#message", Static)
        widget.display = message is not None
        if message is not None:
            widget.update(message)
            widget.set_class(error, "error")
            widget.set_class(not error, "hint")

    def _render_labels(self) -> None:
        self._render_kinds()
        self.query_one("#period-label", Label).update(t("ui.report.period") + " ")
        self.query_one("#period-to", Label).update(" " + t("ui.report.until") + " ")
        for field_id in ("from", "to"):
            self.query_one(f"#{field_id}", Input).placeholder = t("ui.report.date_hint")
        self._render_period()

    def _render_kinds(self) -> None:
        labels = [kind.label for kind in KINDS]
        chosen = KINDS.index(self.kind)
        width = self.size.width or self.app.size.width
        self.query_one("#kinds", Static).update(kinds_line(labels, chosen, width))

    def _render_period(self) -> None:
        has_period = self.kind.period != "none"
        for selector in ("#period-label", "#from", "#period-to", "#to"):
            self.query_one(selector).display = has_period
        none = self.query_one("#period-none", Label)
        none.display = not has_period
        if not has_period:
            none.update(t("ui.report.now", day=str(self.today or "")))
        period = self.periods.get(self.kind.period)
        if has_period and not self._editing():
            self.query_one("#from", Input).value = str(period[0]) if period else ""
            self.query_one("#to", Input).value = str(period[1]) if period else ""
        count = self.query_one("#count", Label)
        result = self.result
        shown = result is not None and result.kind == self.kind.id
        if self.running:
            count.update(t("ui.loading"))
        else:
            count.update(t("ui.report.rows", n=len(result.report.rows)) if shown and result else "")

    def _columns(self) -> list[Column]:
        assert self.result is not None
        return plan_columns(self.result.report, self.kind.bar_after)

    def _render_table(self, *, force: bool = False) -> None:
        result = self.result
        table = self.table
        if result is None or result.kind != self.kind.id:
            table.clear(columns=True)
            self.layout_widths = []
            self.table_layout = []
            return
        width = self.size.width or self.app.size.width
        columns = shown_columns(self._columns(), self.kind.optional, width)
        widths = fit_widths(columns, width)
        layout = [(c.key, w) for c, w in zip(columns, widths, strict=True)]
        if not force and layout == self.table_layout:
            return
        self.table_layout = layout
        self.layout_widths = widths
        rows = result.report.rows
        scale = result.report.bar_max
        bar_style = table.get_component_rich_style("reporttable--bar", partial=True)
        table.clear(columns=True)
        for column, width in zip(columns, widths, strict=True):
            heading = present.fit(column.title, width)
            heading = heading.rjust(width) if column.numeric else heading.ljust(width)
            table.add_column(Text(heading + " ", no_wrap=True), width=width + 1, key=column.key)
        for index, row in enumerate(rows):
            cells: list[Text] = []
            for column, width in zip(columns, widths, strict=True):
                value = row.get(column.key)
                if column.is_bar:
                    text = bar(value, width, scale, column.figure)
                    cell = Text(no_wrap=True)
                    blocks = len(text) - column.figure if value is not None else 0
                    cell.append(text[:blocks], style=bar_style)
                    cell.append(text[blocks:].rjust(width - blocks) + " ")
                    cells.append(cell)
                    continue
                text = cell_text(value)
                if column.key == "who":
                    # A role: its gloss dropped, middle words cut to initials
                    # ("Pejabat L. 1"), keeping the word that tells roles apart.
                    text = present.short_role(text, width)
                text = present.fit(text, width)
                text = text.rjust(width) if column.numeric else text
                cells.append(Text(text + " ", no_wrap=True))
            table.add_row(*cells, key=str(index))
        empty = self.query_one("#empty", Static)
        empty.display = not rows
        if not rows:
            empty.update(
                t("ui.report.empty_now" if self.kind.period == "none" else "ui.report.empty")
            )
        self.set_class(not rows, "-empty")

    def reload_labels(self) -> None:
        self._render_labels()
        # The reports word some cells themselves (monitoring, workload): run again.
        self.reload()

    def on_resize(self, _event: events.Resize) -> None:
        self._render_kinds()
        if self.result is not None:
            self._render_table()

    # ----- keys ------------------------------------------------------------------

    def action_back(self) -> None:
        if self._editing():
            self._cancel_edit()
            return
        self.dismiss()

    def action_kind(self, kind_id: str) -> None:
        kind = KIND_BY_ID[kind_id]
        if kind is self.kind:
            return
        self.kind = kind
        self.result = None
        self._render_kinds()
        self._render_period()
        self._render_table()
        self.query_one("#empty").display = False
        self.reload()

    def action_rerun(self) -> None:
        self.reload()

    def action_period(self) -> None:
        if self.kind.period == "none":
            self.notify(t("ui.report.no_period"), severity="information", markup=False)
            return
        field = self.query_one("#from", Input)
        field.focus()
        field.select_all()
        self._say(t("ui.report.edit_keys"), error=False, editing=True)

    def _editing(self) -> bool:
        focused = self.app.focused
        return isinstance(focused, Input) and focused.id in ("from", "to")

    def _cancel_edit(self) -> None:
        self.table.focus()  # -> restores the fields (see _focus_moved)

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        if event.widget is self.table:
            # Leaving the fields without enter: they show the period in use again.
            if self._editing_message:
                self._say(None)
            self._render_period()

    @on(Input.Submitted, "#from, #to")
    def _apply_period(self, event: Input.Submitted) -> None:
        event.stop()
        from_field = self.query_one("#from", Input)
        to_field = self.query_one("#to", Input)
        try:
            semester = SEMESTER.match(from_field.value)
            if semester:
                from soptui.views import semester_range

                start, end = semester_range(f"{semester[1]}-{semester[2]}")
            else:
                try:
                    start = parse_date(from_field.value)
                except InputError:
                    from_field.focus()
                    raise
                try:
                    end = parse_date(to_field.value)
                except InputError:
                    to_field.focus()
                    raise
            if end < start:
                to_field.focus()
                raise InputError("err.bad_range")
        except InputError as exc:
            self._say(exc.message(), editing=True)  # nothing runs
            return
        self.periods[self.kind.period] = (start, end)
        self.table.focus()
        self._render_period()
        self.reload()

    def action_export(self) -> None:
        result = self.result
        if result is None or result.kind != self.kind.id or self.running:
            self.notify(t("ui.report.nothing"), severity="warning", markup=False)
            return

        def written(path: str | None) -> None:
            if path:
                self._say(t("ui.export.written", path=path), error=False)

        self.app.push_screen(ExportDialog(result, self.kind.label), written)

    @on(DataTable.RowSelected, "#report")
    def _detail(self, event: DataTable.RowSelected) -> None:
        result = self.result
        if result is None or event.row_key.value is None:
            return
        row = result.report.rows[int(event.row_key.value)]
        self.app.push_screen(
            RowDetail(self._columns(), row, int(event.row_key.value) + 1, result.report.bar_max)
        )


# ----- dialogs -------------------------------------------------------------------------


class RowDetail(Dialog[None]):
    """One row in full: the table cuts long texts to fit the terminal."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("q", "cancel", "rdetail.close", show=False),
        key("enter", "cancel", "rdetail.close_enter", show=False),
    ]

    def __init__(
        self,
        columns: list[Column],
        row: dict[str, Any],
        number: int,
        scale: float | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.columns = columns
        self.row = row
        self.number = number
        self.scale = scale  # the report's bar_max

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box") as box:
            box.border_title = t("ui.report.detail", n=self.number)
            box.border_subtitle = t("ui.dlg.close_keys")
            yield Static(self._content(), id="detail")

    def _content(self) -> Content:
        lines: list[Content] = []
        for column in self.columns:
            value = self.row.get(column.key)
            text = (
                bar(value, BAR_CELLS + column.figure, self.scale, column.figure)
                if column.is_bar
                else cell_text(value)
            )
            lines.append(Content.assemble((column.heading + ": ", "$text-muted"), text or "-"))
        step = self.row.get("step")
        if isinstance(step, str) and step:
            lines.append(Content.assemble((t("col.text") + ": ", "$text-muted"), step))
        return Content("\n").join(lines)


REPORT_FORMATS = ("csv", "json", "github")
PDF_KINDS = ("monitoring",)  # the reports with a paper form of their own


class ExportDialog(SaveDialog):
    """Write the report shown to a file: csv (default), json or a github
    markdown table, and for the monitoring report its Permen form as a PDF;
    into the current folder or a path typed here."""

    def __init__(self, result: Run, label: str) -> None:
        self.result = result
        self.label = label
        formats = REPORT_FORMATS + (("pdf",) if result.kind in PDF_KINDS else ())
        labels = [format_label(f) for f in formats]
        if "pdf" in formats:
            labels[-1] += f" ({t('ui.export.pdf_form')})"
        offers = t("ui.export.offers", formats=", ".join(labels))
        if "pdf" not in formats:
            number = [k.id for k in KINDS].index("monitoring") + 1
            offers += " · " + t("ui.export.pdf_only", name=f"{number} {KINDS[number - 1].label}")
        super().__init__(
            title=t("ui.export.title", name=label),
            formats=formats,
            default_name=lambda fmt: export_name(result.kind, result.period, result.today, fmt),
            produce=self._content,
            offers=offers,
        )

    def _content(self, fmt: str, paper: str) -> str | bytes:
        """The file's content (in the worker thread)."""
        report = self.result.report
        if fmt == "pdf":
            from soptui.printing.monitoring import monitoring_pdf

            assert self.result.period is not None  # monitoring runs over a semester
            start, end = self.result.period
            return monitoring_pdf(report, start, end, size=paper)
        rows = list(report.rows)
        return render(rows, report.columns, fmt, json_records=rows) + "\n"
