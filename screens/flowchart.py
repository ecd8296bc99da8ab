"""The SOP drawn as its flowchart (soptui.flowchart), with a case on it when
opened from one: a full screen that scrolls both ways and redraws to its width."""

from __future__ import annotations

import os
import sys
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from soptui.catalog import SopDefinition
from soptui.flowchart import ROW, Line, draw, wants_ascii
from soptui.screens.base import Reworded, key
from soptui.views import CaseDetail

# What a tag means, as a style; "current" is reversed so it stays visible
# without colour (NO_COLOR), and every state also has its mark in the text.
TAG_STYLES = {
    "head": "bold",
    "muted": "$text-muted",
    "done": "$text-success",
    "current": "reverse bold",
    "returned": "$text-warning",
    "path": "bold $text-warning",
    "refused": "$text-error",
}
HEADER_LINES = 3  # title, lane heads, rule (plus two for a case)


def terminal_wants_ascii() -> bool:
    stream = sys.__stdout__
    return wants_ascii(os.environ.get("TERM"), stream.encoding if stream else None)


def to_content(lines: list[Line]) -> Content:
    return Content("\n").join(
        Content.assemble(*((seg.text, TAG_STYLES.get(seg.tag, "")) for seg in line))
        for line in lines
    )


class FlowScroll(ScrollableContainer):
    BINDINGS: ClassVar[list[BindingType]] = []


class FlowchartScreen(Reworded, Screen[None]):
    CSS_PATH = "flowchart.tcss"
    AUTO_FOCUS = "#flow-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "close", "flow.close"),
        key("f", "close", "flow.close_f", show=False),
        key("q", "close", "flow.close_q", show=False),
        key("j", "scroll('down')", "flow.down", show=False),
        key("k", "scroll('up')", "flow.up", show=False),
        key("h", "scroll('left')", "flow.left", show=False),
        key("l", "scroll('right')", "flow.right", show=False),
        key("g", "scroll('home')", "flow.top", show=False),
        key("G", "scroll('end')", "flow.bottom", show=False),
        key("c", "to_current", "flow.current"),
    ]

    def __init__(self, sop: SopDefinition, detail: CaseDetail | None = None) -> None:
        super().__init__(id="flowchart")
        self.sop = sop
        self.detail = detail
        self.ascii = terminal_wants_ascii()
        self._drawn_width: int | None = None

    def compose(self) -> ComposeResult:
        with FlowScroll(id="flow-scroll"):
            yield Static("", id="flow", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._draw()
        self.call_after_refresh(self.action_to_current)

    def on_resize(self, _event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        width = max(60, (self.size.width or 80) - 3)  # padding and the scrollbar
        if width == self._drawn_width:
            return
        self._drawn_width = width
        lines = draw(self.sop, self.detail, width=width, ascii=self.ascii)
        self.query_one("#flow", Static).update(to_content(lines))

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, where: str) -> None:
        box = self.query_one(FlowScroll)
        {
            "down": box.scroll_down,
            "up": box.scroll_up,
            "left": box.scroll_left,
            "right": box.scroll_right,
            "home": box.scroll_home,
            "end": box.scroll_end,
        }[where](animate=False)

    def current_line(self) -> int | None:
        """The first line of the current step's row in the drawing."""
        if self.detail is None or self.detail.row.step_key is None:
            return None
        index = self.sop.step(self.detail.row.step_key).index
        return HEADER_LINES + 2 + index * ROW

    def action_to_current(self) -> None:
        line = self.current_line()
        if line is not None:
            box = self.query_one(FlowScroll)
            box.scroll_to(y=max(0, line - 3), animate=False)
