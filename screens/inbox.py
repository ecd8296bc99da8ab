"""The inbox: cases waiting on the clerk, most urgent first, five views with
counts, a filter as you type, refreshed live when others act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static

from soptui.client.startup import FIRST_VIEW
from soptui.i18n import t
from soptui.screens import present
from soptui.screens.base import LiveScreen, in_thread, key, soptui_app
from soptui.screens.case_table import CaseTable
from soptui.views import VIEWS, CaseRow

FILTER_DELAY = 0.15
TITLE_FLOOR = 8  # seconds of typing pause before the filter queries


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # message key
    minimum: int
    ideal: int


TITLE_MIN = 24  # the perihal is what tells cases apart: this much of it at 80 columns
ID = Column("id", "col.id", 2, 6)  # the case number, and its marks: ● new, ↩2 returned twice
SOP = Column("sop", "col.sop", 5, 5)  # the SOP's short code ("N-FAS")
TITLE = Column("title", "col.title", TITLE_MIN, 60)
OPEN_COLUMNS = (
    ID,
    SOP,
    TITLE,
    Column("step", "col.step", 5, 32),
    Column("role", "col.role", 13, 28),
    Column("due", "col.due", 13, 20),
    Column("urgency", "col.urgency", 7, 13),
)
# Ended cases have no step, role or due time: when they ended and how instead.
CLOSED_COLUMNS = (
    ID,
    SOP,
    TITLE,
    Column("ended", "col.ended", 10, 10),
    Column("status", "col.status", 12, 12),
)
# Shown from this width on, after the perihal.
WIDE_COLUMNS = (
    (120, Column("requester", "col.requester", 16, 28)),
    (140, Column("letter", "col.letter", 14, 22)),
)
# Who gets spare width once the perihal is whole: the due text in full, the
# step text, the role, then the rest; the perihal takes whatever is left.
GROW_ORDER = (
    ("due", 20),
    ("step", 20),
    ("role", 18),
    ("urgency", 13),
    ("step", 32),
    ("role", 28),
    ("requester", 28),
    ("letter", 22),
)
# Who gives up cells first when even the minimums do not fit.
SHRINK_ORDER = (("role", 10), ("title", 8))
# The column each view is sorted by, and which way (closed: newest first).
ORDER_ARROWS = {(False, "due"): "▲", (True, "ended"): "▼"}
# A step text cut to a few letters says nothing: the step column grows only
# when it can show this much of it, else it stays "6/13".
STEP_TEXT_MIN = 20


@dataclass(frozen=True)
class Shape:
    """What the rows of a view need from the table: which columns say
    something there, and how wide the varying ones are."""

    view: str = "mine"
    max_id: int = 9
    mark: int = 0  # cells of the widest mark after a case number ("↩2", "●")
    title: int = 60  # cells of the longest perihal
    one_role: bool = False  # the clerk holds one role: in "mine" every row is it


def layout_columns(width: int, shape: Shape | int = 9) -> list[tuple[Column, int]]:
    """The columns and their widths for a terminal `width` cells wide. Every
    column gets one trailing space as the gap; one cell is kept for the
    scrollbar. The perihal gets TITLE_MIN cells, then every spare one until
    it is whole. Too narrow for the minimums: the table scrolls sideways."""
    if isinstance(shape, int):
        shape = Shape(max_id=shape)
    base = CLOSED_COLUMNS if shape.view == "closed" else OPEN_COLUMNS
    columns = [c for c in base if not (c.key == "role" and shape.one_role and shape.view == "mine")]
    layout = _widths(width, shape, columns)
    for from_width, column in WIDE_COLUMNS:
        # Pemohon, then the letter number, once the perihal is whole beside them.
        if width >= from_width:
            wider = list(columns)
            wider.insert(wider.index(TITLE) + 1 + (column.key == "letter"), column)
            widths = _widths(width, shape, wider)
            if dict((c.key, w) for c, w in widths)["title"] >= shape.title:
                columns, layout = wider, widths
    return layout


def _widths(width: int, shape: Shape, columns: list[Column]) -> list[tuple[Column, int]]:
    widths = {c.key: c.minimum for c in columns}
    widths["id"] = max(2, len(str(shape.max_id)) + shape.mark, cell_len(t("col.id")))
    widths["sop"] = max(SOP.minimum, cell_len(t("col.sop")))
    if "ended" in widths:
        widths["ended"] = max(widths["ended"], cell_len(t("col.ended")) + 2)
    spare = width - 1 - len(columns) - sum(widths.values())
    for name, floor in SHRINK_ORDER:
        if spare >= 0:
            break
        if name in widths:
            give = min(-spare, max(0, widths[name] - floor))
            widths[name] -= give
            spare += give
    whole = max(0, min(spare, shape.title - widths["title"]))
    widths["title"] += whole
    spare -= whole
    for name, upto in GROW_ORDER:
        if spare <= 0:
            break
        if name in widths and widths[name] < upto:
            if (
                name == "step"
                and widths[name] < STEP_TEXT_MIN
                and spare < STEP_TEXT_MIN - widths[name]
            ):
                continue
            grow = min(spare, upto - widths[name])
            widths[name] += grow
            spare -= grow
    if spare > 0:
        widths["title"] += spare
    return [(c, widths[c.key]) for c in columns]


class InboxScreen(LiveScreen):
    # The app's default screen; inbox.tcss loads with the app's stylesheet.
    AUTO_FOCUS = "#cases"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the App runs it as the key arrives, before it hands on the
        # keys typed right after it ("/diklat" in one burst, as over SSH).
        key("slash", "filter", "inbox.filter", priority=True),
        key("n", "app.new_case", "inbox.new"),
        key("f2", "app.registry", "inbox.registry"),
        key("1", "view('mine')", "inbox.view_mine", key_display="1-5"),
        key("2", "view('all')", "inbox.view_all", show=False),
        key("3", "view('overdue')", "inbox.view_overdue", show=False),
        key("4", "view('paused')", "inbox.view_paused", show=False),
        key("5", "view('closed')", "inbox.view_closed", show=False),
        key("escape", "clear_filter", "inbox.clear", show=False),
        key("f5", "reload", "inbox.reload", show=False),
        # q leaves, as in a pager; ctrl+q too (from anywhere, the app's binding).
        key("q", "app.quit", "inbox.quit_q"),
    ]

    def __init__(self) -> None:
        super().__init__(id="inbox")
        self.view = "mine"
        self.search = ""
        self.rows: list[CaseRow] = []
        self.counts: dict[str, int] | None = None
        self.column_layout: list[tuple[Column, int]] = []
        self._filter_timer: Timer | None = None
        self._loaded_once = False

    def compose(self) -> ComposeResult:
        yield Static(id="views", markup=False)
        with Horizontal(id="filter-bar"):
            yield Label("/ ", id="filter-label")
            yield Input(placeholder=t("ui.inbox.filter_hint"), id="filter", compact=True)
        yield CaseTable()
        yield Static(id="empty", markup=False)
        yield Static(id="more", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.cursor_blink = False  # no idle repaint over slow links
        self.query_one("#filter-bar").display = False
        self.query_one("#empty", Static).display = False
        self.query_one("#more", Static).display = False
        self._render_views()
        self.reload()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._rebuild())

    @property
    def table(self) -> CaseTable:
        return self.query_one(CaseTable)

    # ----- loading ---------------------------------------------------------------

    def reload(self) -> None:
        app = soptui_app(self)
        view, search = self.view, self.search.strip() or None
        if app.actor is None:
            return  # the start-up helper has not answered yet: it reloads us
        page = app.first_page
        if page is not None:
            # Read by the start-up helper while the app was loading: show it
            # at once; later reloads go to the database as usual.
            app.first_page = None
            if view == FIRST_VIEW and search is None:
                self._rows_loaded((page.stamp, page.rows))
                self._counts_loaded(page.counts)
                return

        def rows() -> tuple[tuple[str, str], list[CaseRow]]:
            stamp = app.read_stamp()  # before the data: a change after it shows up next poll
            return stamp, app.svc.cases.list_cases(
                app.actor, view=view, search=search, limit=app.inbox_limit
            )

        def counts() -> dict[str, int]:
            return app.svc.cases.counts(app.actor, search=search)

        # Two workers: the rows show as soon as they are read; the five counts
        # (a scan each when filtering a big database) follow.
        in_thread(self, rows, self._rows_loaded, group="inbox-rows")
        in_thread(self, counts, self._counts_loaded, group="inbox-counts")

    def action_reload(self) -> None:
        self.reload()

    def _rows_loaded(self, result: tuple[tuple[str, str], list[CaseRow]]) -> None:
        stamp, rows = result
        self.loaded_stamp = stamp
        self._show_rows(rows)
        self._render_more()

    def _counts_loaded(self, counts: dict[str, int]) -> None:
        if counts != self.counts:
            self.counts = counts
            self._render_views()
            self._render_more()

    # ----- rendering -------------------------------------------------------------

    def _render_more(self) -> None:
        """Only the first rows of a big view are listed: say so, and how to narrow it."""
        more = self.query_one("#more", Static)
        total = (self.counts or {}).get(self.view, 0)
        shown = len(self.rows)
        if total > shown:
            more.update(t("ui.inbox.more", shown=shown, total=total))
        more.display = total > shown

    def _render_views(self) -> None:
        parts: list[Text] = []
        for number, view in enumerate(VIEWS, start=1):
            label = t(f"ui.view.{view}")
            count = "" if self.counts is None else f" {self.counts.get(view, 0)}"
            text = f" {number} {label}{count} "
            # The active view: reverse video and a marker, readable without colour.
            parts.append(
                Text("▸" + text.lstrip(" "), style="bold reverse")
                if view == self.view
                else Text(text)
            )
        line = Text(" ").join(parts)
        self.query_one("#views", Static).update(line)

    def _layout_for_width(self) -> list[tuple[Column, int]]:
        return layout_columns(self.size.width or self.app.size.width, self._shape())

    def _cell_styles(self) -> tuple[Style, Style, Style]:
        """(late, urgent, ended): read once per repaint, not once per row."""
        table = self.table
        return (
            table.get_component_rich_style("casetable--late", partial=True),
            table.get_component_rich_style("casetable--urgent", partial=True),
            table.get_component_rich_style("casetable--ended", partial=True),
        )

    def _cells(self, row: CaseRow, styles: tuple[Style, Style, Style]) -> list[Text]:
        late, urgent, ended = styles
        widths = {column.key: width for column, width in self.column_layout}
        values: dict[str, tuple[str, Style | None]] = {}
        muted = ended if row.status not in ("open", "paused") else None
        values["id"] = (f"{row.id}{self._marks(row)}", muted)
        values["sop"] = (present.sop_code(row.sop_code), muted)
        values["title"] = (present.title_with_match(row), muted)
        values["requester"] = (row.requester or "", muted)
        values["letter"] = (row.letter_no or "", muted)
        values["step"] = (present.step_label(row, widths.get("step")), muted)
        values["status"] = (present.case_status(row.status), muted)
        values["ended"] = (present.day(row.updated_at), muted)
        cells: list[Text] = []
        for column, width in self.column_layout:
            if column.key == "role":
                name = present.short_role(row.role_name, width)
                values["role"] = (name if row.status in ("open", "paused") else "", muted)
            elif column.key == "due":
                due = present.due(row, width - 2 if row.status == "paused" else width)
                if row.status == "paused":  # its clock stands still: the mark says why
                    due = f"{present.CASE_GLYPHS['paused']} {due}"
                values["due"] = (due, late if row.overdue else muted)
            elif column.key == "urgency":
                full = present.urgency(row.urgency)
                text = full if cell_len(full) <= width else present.urgency(row.urgency, short=True)
                values["urgency"] = (text, urgent if row.urgency != "biasa" else muted)
            text, style = values[column.key]
            cell = Text(present.fit(text, width) + " ", style=style or "", no_wrap=True)
            cells.append(cell)
        return cells

    def _marks(self, row: CaseRow) -> str:
        unread = soptui_app(self).unread
        return present.marks(row, new=unread is not None and row.id in unread)

    def marks_changed(self) -> None:
        """The app read anew which cases are new to the clerk: redraw the marks."""
        if not self._loaded_once:
            return
        if self._layout_for_width() != self.column_layout:
            self._rebuild()
            return
        styles = self._cell_styles()
        for row in self.rows:
            self.table.update_row(str(row.id), self._cells(row, styles))

    def _shape(self) -> Shape:
        actor = soptui_app(self).actor
        rows = self.rows
        return Shape(
            view=self.view,
            max_id=max((r.id for r in rows), default=9),
            mark=max((cell_len(self._marks(r)) for r in rows), default=0),
            title=max((cell_len(r.title) for r in rows), default=TITLE_MIN),
            one_role=actor is not None and len(actor.roles) == 1,
        )

    def _show_rows(self, rows: list[CaseRow], *, force: bool = False) -> None:
        first = not self._loaded_once
        self._loaded_once = True
        old_rows = self.rows
        self.rows = rows
        layout = self._layout_for_width()
        table = self.table
        if not force and not first and rows == old_rows and layout == self.column_layout:
            return  # nothing changed: nothing repaints
        self._set_empty(rows)
        styles = self._cell_styles()
        if (
            not force
            and layout == self.column_layout
            and [r.id for r in rows] == [r.id for r in old_rows]
        ):
            # Same cases in the same order: repaint only the rows that differ.
            for old, new in zip(old_rows, rows, strict=True):
                if old != new:
                    table.update_row(str(new.id), self._cells(new, styles))
            return
        keep_id = self._cursor_case_id()
        keep_index = table.cursor_row
        scroll_y = table.scroll_y
        if layout != self.column_layout or force:
            self.column_layout = layout
            table.set_columns(
                [
                    (column.key, Text(present.fit(self._heading(column), width) + " "), width + 1)
                    for column, width in layout
                ]
            )
        table.set_rows([(str(row.id), self._cells(row, styles)) for row in rows])
        if not rows:
            return
        # The cursor stays on the same case; if it is gone, on the same line.
        index = min(keep_index, len(rows) - 1)
        if keep_id is not None:
            index = next((i for i, r in enumerate(rows) if r.id == keep_id), index)
        table.scroll_to(y=scroll_y, animate=False, immediate=True)
        table.move_cursor(row=index)

    def help_notes(self) -> list[str]:
        """For the help: this view's order, and what the marks mean."""
        return [
            t("ui.inbox.order", view=t(f"ui.view.{self.view}"), order=t(f"ui.order.{self.view}")),
            t("ui.inbox.marks"),
        ]

    def _heading(self, column: Column) -> str:
        """The column's name; the one the view is sorted by says which way."""
        arrow = ORDER_ARROWS.get((self.view == "closed", column.key))
        return f"{t(column.heading)} {arrow}" if arrow else t(column.heading)

    def _set_empty(self, rows: list[CaseRow]) -> None:
        empty = self.query_one("#empty", Static)
        if not rows:
            empty.update(t("ui.inbox.empty_search" if self.search.strip() else "ui.inbox.empty"))
        empty.display = not rows
        self.set_class(not rows, "-empty")

    def _cursor_case_id(self) -> int | None:
        row_key = self.table.cursor_key
        return int(row_key) if row_key is not None else None

    def _rebuild(self) -> None:
        self.column_layout = []
        self._show_rows(self.rows, force=True)

    def reload_labels(self) -> None:
        self.query_one("#filter", Input).placeholder = t("ui.inbox.filter_hint")
        self._render_views()
        self._render_more()
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        if self._loaded_once and self._layout_for_width() != self.column_layout:
            self._rebuild()

    # ----- keys ------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.set_view(view)

    def set_view(self, view: str) -> None:
        if view != self.view:
            self.view = view
            self._render_views()
            self.reload()

    def action_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if self.focused is filter_input:  # a "/" typed in the filter (letter numbers have them)
            # Queued behind the keys it already has, as typed.
            filter_input.post_message(events.Key("slash", "/"))
            return
        self.query_one("#filter-bar").display = True
        # At once (Widget.focus waits for the queued keys to go elsewhere).
        self.set_focus(filter_input)

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.value:
            filter_input.value = ""  # Changed -> reload with no filter
        self.query_one("#filter-bar").display = False
        self.table.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.search = event.value
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self.reload)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        # Down from the filter goes to the list: type, then walk the results.
        if event.key == "down" and self.query_one("#filter", Input).has_focus:
            event.stop()
            self.table.focus()

    @on(CaseTable.Opened)
    def _open(self, event: CaseTable.Opened) -> None:
        soptui_app(self).open_case(event.case_id)
