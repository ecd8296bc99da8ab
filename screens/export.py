"""Writing what the clerk asked for to a file of their choosing: the dialog
the reports' export (`e`) and the case's print (`P`) share.

The file is written here, by the client process as the clerk (never by the
server): the dialog asks the content of a `produce` callable in a worker
thread (a service call and a rendering, or a PDF built from plain data) and
writes it. The default name is in the current folder; a typed path (~, a
folder, relative to the current folder) is honoured; an existing file is
overwritten only after a second enter; a refusal is one line in the UI's
language and writes nothing."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from soptui.errors import SoptuiError
from soptui.i18n import t
from soptui.screens.base import Dialog, in_thread
from soptui.screens.dialogs import FormSelect, quiet_input

# A format's file extension; the format a typed extension asks for.
EXTENSIONS = {"csv": "csv", "json": "json", "github": "md", "pdf": "pdf"}
FORMAT_OF_EXTENSION = {"." + ext: fmt for fmt, ext in EXTENSIONS.items()}
PAPERS = ("a4", "f4")

# (format, paper) -> the file's content; called in a worker thread.
Produce = Callable[[str, str], str | bytes]


def format_label(fmt: str) -> str:
    return t(f"ui.export.fmt.{fmt}")


@dataclass(frozen=True)
class Written:
    status: str  # "written", "exists" or "error"
    text: str  # the path written, or the message


def write_file(path: Path, content: str | bytes, *, overwrite: bool) -> Written:
    """Write the file (in a worker thread); a refusal comes back as one line.
    Without overwrite an existing file is left alone ("exists")."""
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    opened = False
    try:
        with open(path, "wb" if overwrite else "xb") as out:
            opened = True
            out.write(data)
    except FileExistsError:
        return Written("exists", str(path))
    except IsADirectoryError:
        return Written("error", t("ui.export.err_dir", path=path))
    except PermissionError:
        return Written("error", t("ui.export.err_denied", path=path))
    except (FileNotFoundError, NotADirectoryError):
        return Written("error", t("ui.export.err_nodir", path=path.parent))
    except OSError as exc:
        if opened:  # cut short (a full disk): no half a file left behind
            with contextlib.suppress(OSError):
                path.unlink()
        reason = exc.strerror or type(exc).__name__
        return Written("error", t("ui.export.err_other", path=path, reason=reason))
    return Written("written", str(path))


class SaveDialog(Dialog[str | None]):
    """Choose the format (when there is a choice), the paper (for a PDF) and
    the file; enter writes. Dismisses with the path written, or None."""

    CSS_PATH = "dialogs.tcss"

    def __init__(
        self,
        *,
        title: str,
        formats: Sequence[str],
        default_name: Callable[[str], str],
        produce: Produce,
        offers: str | None = None,
        what: str | None = None,
    ) -> None:
        """formats: the ones offered, the first the default; offers: a line
        saying what this dialog can write (and where the rest are); what: the
        single format's description, when there is no choice."""
        super().__init__(classes="dialog")
        self.title_text = title
        self.formats = tuple(formats)
        self.default_name = default_name
        self.produce = produce
        self.offers = offers
        self.what = what
        self.confirm: Path | None = None  # the existing file a second enter overwrites
        self.writing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box", classes="form") as box:
            box.border_title = self.title_text
            with Horizontal(classes="field"):
                yield Label(t("ui.export.format"))
                if len(self.formats) > 1:
                    yield FormSelect(
                        [(format_label(f), f) for f in self.formats],
                        value=self.formats[0],
                        allow_blank=False,
                        id="format",
                        compact=True,
                    )
                else:
                    only = format_label(self.formats[0])
                    yield Static(
                        f"{only} · {self.what}" if self.what else only, id="only", markup=False
                    )
            if self.offers:
                yield Static(self.offers, id="offers-line", classes="hint", markup=False)
            with Horizontal(classes="field", id="paper-field"):
                yield Label(t("ui.export.paper"))
                yield FormSelect(
                    [(t(f"ui.export.paper.{p}"), p) for p in PAPERS],
                    value=PAPERS[0],
                    allow_blank=False,
                    id="paper",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label(t("ui.export.file"))
                yield quiet_input(id="path", value=self.default_name(self.formats[0]), compact=True)
            yield Static(t("ui.export.folder", cwd=os.getcwd()), classes="hint", markup=False)
            yield Static("", id="message", classes="error", markup=False)
            yield Static(t("ui.export.keys"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self._show_paper()
        self.query_one("#path", Input).focus()

    def _say(self, message: str) -> None:
        widget = self.query_one("#message", Static)
        widget.update(message)
        widget.display = True

    @property
    def fmt(self) -> str:
        if len(self.formats) == 1:
            return self.formats[0]
        return str(self.query_one("#format", Select).value)

    @property
    def paper(self) -> str:
        return str(self.query_one("#paper", Select).value)

    def _show_paper(self) -> None:
        self.query_one("#paper-field").display = self.fmt == "pdf"

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        # The file name follows the format (when it ends in one of ours).
        self._show_paper()
        field = self.query_one("#path", Input)
        stem, suffix = os.path.splitext(field.value)
        wanted = "." + EXTENSIONS[str(event.value)]
        if suffix.lower() in FORMAT_OF_EXTENSION and suffix.lower() != wanted:
            field.value = stem + wanted
        elif not field.value.strip():
            field.value = self.default_name(str(event.value))

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        # ...and the format follows a typed extension.
        self.confirm = None
        fmt = FORMAT_OF_EXTENSION.get(os.path.splitext(event.value.strip())[1].lower())
        if fmt and fmt != self.fmt and fmt in self.formats:
            self.query_one("#format", Select).value = fmt

    def target(self) -> Path:
        """The file to write: the typed path (~ expanded, relative to the
        current folder); a folder gets the default name inside it."""
        text = self.query_one("#path", Input).value.strip()
        if not text:
            return Path.cwd() / self.default_name(self.fmt)
        path = Path(text).expanduser()
        if text.endswith(("/", os.sep)) or path.is_dir():
            path = path / self.default_name(self.fmt)
        return path if path.is_absolute() else Path.cwd() / path

    @on(Input.Submitted, "#path")
    @on(FormSelect.Confirmed)  # enter on a select confirms the dialog, as the hint says
    def _write(self, event: Input.Submitted | FormSelect.Confirmed) -> None:
        event.stop()
        if self.writing:
            return
        path = self.target()
        asked = FORMAT_OF_EXTENSION.get(path.suffix.lower())
        if asked is not None and asked not in self.formats:
            # report.pdf of a table that has no PDF: say so, rather than
            # writing CSV under a .pdf name.
            self._say(
                t(
                    "ui.export.err_format",
                    ext=path.suffix,
                    formats=", ".join(format_label(f) for f in self.formats),
                )
            )
            return
        overwrite = self.confirm == path
        fmt, paper, produce = self.fmt, self.paper, self.produce
        self.writing = True

        def job() -> Written:
            if not overwrite and path.exists():  # asked first: nothing built for nothing
                return Written("exists", str(path))
            return write_file(path, produce(fmt, paper), overwrite=overwrite)

        def done(result: Written) -> None:
            self.writing = False
            if result.status == "written":
                self.dismiss(result.text)
            elif result.status == "exists":
                self.confirm = path
                self._say(t("ui.export.exists", path=result.text))
            else:
                self._say(result.text)

        def broke(exc: Exception) -> None:
            self.writing = False
            detail = exc.message() if isinstance(exc, SoptuiError) else str(exc)
            self._say(t("ui.err.unexpected", detail=" ".join(detail.split())[:200]))

        def refused(exc: SoptuiError) -> None:
            self.writing = False
            self._say(exc.message())

        in_thread(self, job, done, group="export", failed=refused, crashed=broke)
