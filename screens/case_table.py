"""The inbox's table, drawn line by line (Textual's line API).

A DataTable renders every cell through Rich's console pipeline and measures
every cell of every new row for column widths it is then told anyway; the
inbox knows its column widths (screens.inbox.layout_columns) and gets its
cells already fitted to them. So a line here is a few segments, joined: the
first paint and every cursor move cost a fraction, and a cursor move repaints
just the two lines it touches.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from soptui.screens.base import Reworded, key

HEADER_LINES = 1  # the column headings stay on the first line while the rows scroll


def _look(cell: Text) -> tuple[str, str]:
    # Text's own == ignores its style.
    return cell.plain, str(cell.style)


class CaseTable(Reworded, ScrollView, can_focus=True):
    """One row per case, keyed by case id; a row cursor; j/k/g/G like a pager;
    enter (or a click) opens the case under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        key("enter", "select_cursor", "table.open"),
        key("j", "cursor_down", "table.down", show=False),
        key("k", "cursor_up", "table.up", show=False),
        key("g", "scroll_top", "table.top", show=False),
        key("G", "scroll_bottom", "table.bottom", show=False),
        key("home", "scroll_top", "table.home", show=False),
        key("end", "scroll_bottom", "table.end", show=False),
        # No id: the help lists the arrows and page keys once, as for every list.
        Binding("down", "cursor_down", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "casetable--header",
        "casetable--cursor",
        "casetable--late",
        "casetable--urgent",
        "casetable--ended",
    }
    DEFAULT_CSS = """
    CaseTable {
        background: $surface;
        color: $foreground;
        overflow-x: auto;
        overflow-y: auto;
        & > .casetable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .casetable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .casetable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .casetable--header {
                background-tint: $foreground 5%;
            }
        }
        &:ansi > .casetable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
    }
    """

    class Opened(Message):
        """Enter or a click on a row: open this case."""

        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self) -> None:
        super().__init__(id="cases")
        self._headings: list[tuple[str, Text, int]] = []  # (column key, heading, width)
        self._keys: list[str] = []
        self._rows: list[list[Text]] = []
        self._index: dict[str, int] = {}
        self._cursor = 0

    # ----- content ---------------------------------------------------------------

    @property
    def row_keys(self) -> list[str]:
        return list(self._keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self._cursor] if self._rows else None

    def row_cells(self, row_key: str) -> list[Text]:
        return list(self._rows[self._index[row_key]])

    def set_columns(self, columns: list[tuple[str, Text, int]]) -> None:
        """(key, heading, width) per column; the rows are dropped."""
        self._headings = list(columns)
        self.set_rows([])

    def set_rows(self, rows: list[tuple[str, list[Text]]]) -> None:
        """All rows at once, as (key, cells in column order)."""
        self._keys = [row_key for row_key, _ in rows]
        self._rows = [cells for _, cells in rows]
        self._index = {row_key: i for i, row_key in enumerate(self._keys)}
        self._cursor = min(self._cursor, max(0, len(self._rows) - 1))
        width = sum(w for _, _, w in self._headings)
        self.virtual_size = Size(width, len(self._rows) + HEADER_LINES)
        self.refresh()

    def update_row(self, row_key: str, cells: list[Text]) -> None:
        """New cells for a row; repainted only if they read or look different
        (a refresh brings rows whose working time left moved by seconds)."""
        index = self._index[row_key]
        if [_look(c) for c in cells] == [_look(c) for c in self._rows[index]]:
            return
        self._rows[index] = cells
        self._refresh_row(index)

    # ----- the cursor --------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def move_cursor(self, *, row: int) -> None:
        if not self._rows:
            return
        row = max(0, min(row, len(self._rows) - 1))
        old, self._cursor = self._cursor, row
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + self._visible_rows:
            self.scroll_to(y=row - self._visible_rows + 1, animate=False, immediate=True)
        if old != row:
            self._refresh_row(old)
            self._refresh_row(row)

    def _refresh_row(self, index: int) -> None:
        y = index - round(self.scroll_y) + HEADER_LINES
        if HEADER_LINES <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_page_down(self) -> None:
        self._page(self._visible_rows)

    def action_page_up(self) -> None:
        self._page(-self._visible_rows)

    def _page(self, step: int) -> None:
        """A page on: the view and the cursor both move by a screenful."""
        top = max(0, min(round(self.max_scroll_y), round(self.scroll_y) + step))
        self.scroll_to(y=top, animate=False, immediate=True)
        self.move_cursor(row=self._cursor + step)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.Opened(int(self._keys[self._cursor])))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y - HEADER_LINES
        if event.y >= HEADER_LINES and 0 <= index < len(self._rows):
            self.move_cursor(row=index)
            self.action_select_cursor()

    def on_focus(self) -> None:
        self._refresh_row(self._cursor)  # the cursor's colour follows the focus

    def on_blur(self) -> None:
        self._refresh_row(self._cursor)

    # ----- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        scroll_x = round(self.scroll_x)
        if y < HEADER_LINES:
            style = base + self.get_component_rich_style("casetable--header")
            return self._strip([h for _, h, _ in self._headings], style, None, scroll_x, width)
        index = round(self.scroll_y) + y - HEADER_LINES
        if index >= len(self._rows):
            return Strip.blank(width, base)
        # On the cursor's line its colours win over a cell's (as in a DataTable).
        over = self.get_component_rich_style("casetable--cursor") if index == self._cursor else None
        return self._strip(self._rows[index], base, over, scroll_x, width)

    def _strip(
        self, cells: list[Text], style: Style, over: Style | None, scroll_x: int, width: int
    ) -> Strip:
        # Runs of one style become one segment: every segment costs its own
        # colour codes on the wire, and most cells of a row share a style.
        runs: list[tuple[str, Style]] = []
        for cell, (_, _, cell_width) in zip(cells, self._headings, strict=False):
            # A cell is one text in one style (the inbox's are).
            own = cell.style
            cell_style = style + (Style.parse(own) if isinstance(own, str) and own else own or None)
            if over is not None:
                cell_style += over
            text = cell.plain + " " * max(0, cell_width - cell.cell_len)
            if runs and runs[-1][1] == cell_style:
                runs[-1] = (runs[-1][0] + text, cell_style)
            else:
                runs.append((text, cell_style))
        strip = Strip([Segment(text, run_style) for text, run_style in runs])
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        fill = style + over if over is not None else style
        return strip.extend_cell_length(width, fill).crop(0, width)


__all__ = ["CaseTable"]
