"""The baseline: a minimal Textual app (Header, a 50-row DataTable, Footer)
started the same way as soptui, so start-up, memory and bytes can be read as
ratios on a noisy machine."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class Baseline(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("No", "SOP", "Perihal", "Langkah", "Tenggat", "Status")
        for i in range(50):
            table.add_row(str(i), "SOP", f"Perihal baris {i}", "1/5", "sisa 5m", "ready")


if __name__ == "__main__":
    Baseline().run()
