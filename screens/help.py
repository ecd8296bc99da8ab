"""Help: the keys that work right now on the screen below, read from its live
bindings (so it never disagrees with what the keys do)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from soptui.i18n import t
from soptui.screens.base import Dialog, has_message, key

# Keys the list widgets handle themselves (their own bindings have no id).
EXTRA_KEYS = ("up", "down", "pageup", "pagedown")


class HelpScreen(Dialog[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("f1", "cancel", "help.close", show=False),
        key("question_mark", "cancel", "help.close_q", show=False),
        key("q", "cancel", "help.close_q2", show=False),
        key("j", "scroll('down')", "help.down", show=False),
        key("k", "scroll('up')", "help.up", show=False),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__(classes="dialog")
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box", classes="wide") as box:
            box.border_title = t("ui.help.title")
            box.border_subtitle = t("ui.dlg.close_keys")
            yield Static(self._content(), id="help-keys")

    def _content(self) -> Content:
        app = self.app
        rows: dict[str, list[str]] = {}
        for binding_key, active in self.below.active_bindings.items():
            binding = active.binding
            if not binding.id or binding.system or not active.enabled:
                continue
            # A longer wording for the help where the Footer's is terse ("1-5 Tampilan").
            long_key = f"help.{binding.id}"
            description = t(long_key) if has_message(long_key) else binding.description
            rows.setdefault(description, [])
            # The key itself, not its Footer display ("1", not "1-5").
            shown = app.get_key_display(replace(binding, key_display=None))
            shown = "G" if binding_key == "G" else shown
            if shown not in rows[description]:
                rows[description].append(shown)
        for extra in EXTRA_KEYS:
            shown = app.get_key_display(Binding(extra, ""))
            rows.setdefault(t(f"ui.help.{extra}"), []).append(shown)
        lines: list[Content] = []
        notes = getattr(self.below, "help_notes", None)
        if notes is not None:
            # First, what the screen below shows that no key says (its order, its marks).
            lines.extend(Content(line) for line in notes())
            lines.append(Content(""))
        lines.append(Content.styled(t("ui.help.keys"), "bold"))
        width = max((len(", ".join(keys)) for keys in rows.values()), default=4) + 2
        for description, keys in rows.items():
            lines.append(Content.assemble((", ".join(keys).ljust(width), "bold"), description))
        lines.append(Content(""))
        lines.append(Content.styled(t("ui.help.live"), "$text-muted"))
        return Content("\n").join(lines)

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#box", VerticalScroll)
        if direction == "down":
            box.scroll_down(animate=False)
        else:
            box.scroll_up(animate=False)
