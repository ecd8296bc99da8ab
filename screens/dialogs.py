"""Small modal dialogs: act on a step, start a case, read an SOP's identity.

Every dialog says what will happen, enter confirms (a note is a single line,
so enter in it confirms too) and escape cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.input import Selection
from textual.widgets.option_list import Option

from soptui.catalog import SopDefinition
from soptui.errors import InputError, SoptuiError
from soptui.i18n import t
from soptui.screens.base import Dialog, T, in_thread, key, soptui_app
from soptui.validate import NOTE_MAX, parse_date
from soptui.views import SopSummary

URGENCY_KEYS = ("biasa", "segera", "sangat_segera", "rahasia")


@dataclass(frozen=True)
class DialogResult:
    """done: the service accepted it; error: it refused (the dialog has closed)."""

    done: bool
    error: SoptuiError | None = None


class QuietInput(Input):
    """A one-line input without a blinking cursor (a blink repaints twice a
    second: bytes over a slow link while the clerk thinks). Tab into it
    selects its text (typing replaces a default); after a refusal the cursor
    goes to the end instead (focus_at_end), to fix what was typed."""

    keep_text = False  # the next focus puts the cursor at the end, selecting nothing

    def on_focus(self, _event: events.Focus) -> None:
        # Textual runs Input's own focus handler too (which selects): after it.
        if self.keep_text:
            self.keep_text = False
            self.call_next(self._cursor_to_end)

    def _cursor_to_end(self) -> None:
        self.selection = Selection.cursor(len(self.value))


def quiet_input(**kwargs: Any) -> Input:
    field = QuietInput(**kwargs)
    field.cursor_blink = False
    return field


class FormSelect(Select[str]):
    """A Select in a form where enter confirms the form, as the hint says
    (space, up and down open the list)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", show=False),
        Binding("down,space,up", "show_overlay", show=False),
    ]

    class Confirmed(Message):
        """Enter on the select: the form's enter."""

        def __init__(self, select: FormSelect) -> None:
            super().__init__()
            self.select = select

        @property
        def control(self) -> FormSelect:
            return self.select

    def action_confirm(self) -> None:
        self.post_message(self.Confirmed(self))


def focus_at_end(field: Input) -> None:
    """Focus a field now with the cursor after its text (nothing selected)."""
    if isinstance(field, QuietInput) and not field.has_focus:
        field.keep_text = True
    field.screen.set_focus(field)
    field.selection = Selection.cursor(len(field.value))


class ActionDialog(Dialog[DialogResult | None]):
    """Confirm one action on a case, with a note (required or optional)."""

    CSS_PATH = "dialogs.tcss"

    def __init__(
        self,
        *,
        title: str,
        subject: str,
        explanation: str,
        note_required: bool,
        submit: Callable[[str | None], object],
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.subject = subject
        self.explanation = explanation
        self.note_required = note_required
        self.submit = submit
        self.sending = False

    def action_cancel(self) -> None:
        # Once sent, the answer is awaited: escape must not hide an action that
        # may already be applied.
        if not self.sending:
            super().action_cancel()

    def compose(self) -> ComposeResult:
        with Vertical(id="box") as box:
            box.border_title = self.title_text
            yield Static(self.subject, classes="subject", markup=False)
            yield Static(self.explanation, id="explanation", markup=False)
            label = "ui.dlg.note_required" if self.note_required else "ui.dlg.note_optional"
            yield Label(t(label))
            yield quiet_input(id="note", max_length=NOTE_MAX, placeholder=t("ui.dlg.note_hint"))
            yield Static("", id="message", classes="error", markup=False)
            yield Static(t("ui.dlg.keys"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.query_one("#note", Input).focus()

    def _say(self, message: str) -> None:
        widget = self.query_one("#message", Static)
        widget.update(message)
        widget.display = True

    @on(Input.Submitted, "#note")
    def _confirm(self, event: Input.Submitted) -> None:
        event.stop()
        note = event.value.strip() or None
        if self.note_required and note is None:
            self._say(t("err.note_required"))  # nothing is sent
            return
        field = self.query_one("#note", Input)
        if field.disabled:
            return  # already sent, waiting for the answer
        field.disabled = True
        self.sending = True
        self._say(t("ui.dlg.sending"))

        def refused(exc: SoptuiError) -> None:
            self.sending = False
            if isinstance(exc, InputError):
                field.disabled = False
                field.focus()
                self._say(exc.message())  # fix the input and try again
            else:
                self.dismiss(DialogResult(False, exc))

        in_thread(
            self,
            lambda: self.submit(note),
            lambda _result: self.dismiss(DialogResult(True)),
            group="dialog-submit",
            failed=refused,
        )


class SopInfoScreen(Dialog[None]):
    """The SOP's identity block: nomor, dates, legal basis, qualifications, ..."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("j", "scroll('down')", "sop.down", show=False),
        key("k", "scroll('up')", "sop.up", show=False),
        key("i", "cancel", "sop.close", show=False),
        key("q", "cancel", "sop.close_q", show=False),
        key("f", "flow", "sop.flow", show=False),
    ]

    def __init__(self, sop: SopDefinition) -> None:
        super().__init__(classes="dialog")
        self.sop = sop

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box", classes="wide") as box:
            box.border_title = t("ui.sop.title")
            box.border_subtitle = t("ui.sop.keys")
            yield Static(self._content(), id="sop-info")

    def action_flow(self) -> None:
        from soptui.screens.flowchart import FlowchartScreen

        self.app.push_screen(FlowchartScreen(self.sop))

    def _content(self) -> Content:
        sop = self.sop
        muted = "$text-muted"
        lines: list[Content] = [
            Content.assemble((sop.name, "bold")),
            Content.assemble((t("ui.sop.code") + ": ", muted), f"{sop.code} v{sop.version}"),
            Content.assemble((t("col.nomor") + ": ", muted), sop.nomor),
            Content.assemble((t("ui.sop.unit") + ": ", muted), sop.unit),
        ]
        for label, value in (
            ("ui.sop.made", sop.tanggal_pembuatan),
            ("ui.sop.revised", sop.tanggal_revisi),
            ("ui.sop.effective", sop.tanggal_efektif),
            ("ui.sop.approved_by", sop.disahkan_oleh),
        ):
            lines.append(Content.assemble((t(label) + ": ", muted), value or "-"))
        for label, items in (
            ("ui.sop.legal", sop.dasar_hukum),
            ("ui.sop.qualification", sop.kualifikasi),
            ("ui.sop.related", sop.keterkaitan),
            ("ui.sop.equipment", sop.peralatan),
            ("ui.sop.warning", sop.peringatan),
            ("ui.sop.records", sop.pencatatan),
        ):
            lines.append(Content(""))
            lines.append(Content.styled(t(label), "bold"))
            lines.extend(Content(f"{n}. {item}") for n, item in enumerate(items, start=1))
            if not items:
                lines.append(Content.styled("-", muted))
        lines.append(Content(""))
        lines.append(Content.styled(t("ui.sop.roles"), "bold"))
        lines.extend(Content(f"· {role.name}") for role in sop.roles)
        return Content("\n").join(lines)

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#box", VerticalScroll)
        if direction == "down":
            box.scroll_down(animate=False)
        else:
            box.scroll_up(animate=False)


class SopList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = []


class SopPicker(Dialog[str | None]):
    """Step 1 of a new case: pick the SOP from a list filtered as you type."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("down", "move(1)", "picker.down", show=False),
        key("up", "move(-1)", "picker.up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.summaries: list[SopSummary] | None = None  # None: still being read
        self._pick_when_loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box") as box:
            box.border_title = t("ui.new.pick_title")
            yield quiet_input(id="sop-filter", placeholder=t("ui.new.pick_filter"))
            yield OptionList(id="sops", compact=True)
            yield Static("", id="message", classes="error", markup=False)
            yield Static(t("ui.new.pick_keys"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.query_one("#sops", OptionList).can_focus = False  # typing stays in the filter
        self.query_one("#sop-filter", Input).focus()
        app = soptui_app(self)
        in_thread(self, app.svc.sop_summaries, self._loaded, group="sops")

    def _loaded(self, summaries: list[SopSummary]) -> None:
        self.summaries = summaries
        self._show(self.query_one("#sop-filter", Input).value)
        if self._pick_when_loaded:  # enter came before the list: it picks now
            self._pick_when_loaded = False
            self._pick_highlighted()
            soptui_app(self).keys.release()

    def _show(self, text: str) -> None:
        words = text.lower().split()
        options = self.query_one("#sops", OptionList)
        width = max(10, options.scrollable_content_region.width or 66)
        options.clear_options()
        for summary in self.summaries or ():
            haystack = f"{summary.code} {summary.short_name} {summary.name}".lower()
            if all(word in haystack for word in words):
                detail = f"  {summary.name} ({t('ui.new.steps', n=summary.steps)})"
                line = Content.assemble((summary.short_name, "bold"), (detail, "$text-muted"))
                # One line per SOP: the list stays short enough for 24 rows.
                options.add_option(Option(line.truncate(width, ellipsis=True), id=summary.code))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#sop-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, by: int) -> None:
        options = self.query_one("#sops", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + by))

    @on(Input.Submitted, "#sop-filter")
    def _pick(self, event: Input.Submitted) -> None:
        event.stop()
        if self.summaries is None:
            if not self._pick_when_loaded:
                self._pick_when_loaded = True
                soptui_app(self).keys.hold()  # what is typed next is for the form
            return
        self._pick_highlighted()

    def _pick_highlighted(self) -> None:
        options = self.query_one("#sops", OptionList)
        option = options.highlighted_option
        if option is None:
            message = self.query_one("#message", Static)
            message.update(t("ui.new.no_sop"))
            message.display = True
            return
        self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#sops")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class FormDialog(Dialog[T]):
    """A form of one-line fields (label beside input). Tab moves between
    fields; enter in any field submits; the service's refusal shows inside the
    form, which stays open with what was typed."""

    CSS_PATH = "dialogs.tcss"
    first_field = ""

    def __init__(self, *, dense: bool = False) -> None:
        super().__init__(classes="dialog")
        self.dense = dense

    def form_box(self, title: str) -> Vertical:
        box = Vertical(id="box", classes="form dense" if self.dense else "form")
        box.border_title = title
        return box

    def field(self, field_id: str, label: str, hint: str = "", value: str = "") -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label)
            yield quiet_input(id=field_id, placeholder=hint, value=value, compact=True)

    def select_field(
        self, field_id: str, label: str, choices: list[tuple[str, str]], value: str
    ) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label)
            yield FormSelect(choices, value=value, allow_blank=False, id=field_id, compact=True)

    def form_footer(self, keys: str) -> ComposeResult:
        yield Static("", id="message", classes="error", markup=False)
        yield Static(keys, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        if self.first_field:
            self.query_one(f"#{self.first_field}", Input).focus()

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def choice(self, field_id: str) -> str:
        return str(self.query_one(f"#{field_id}", Select).value)

    def _say(self, message: str) -> None:
        widget = self.query_one("#message", Static)
        widget.update(message)
        widget.display = True

    def refuse(self, message: str, field_id: str | None = None) -> None:
        """Say what is wrong (nothing was sent) and put the cursor at the end
        of the field to fix."""
        self._say(message)
        focus_at_end(self.query_one(f"#{field_id or self.first_field}", Input))

    def field_of(self, exc: SoptuiError) -> str | None:
        """The field a refusal is about: the one holding the value it names
        ("NIP tidak valid: 1234..."), else the one whose label it names."""
        value = str(exc.params.get("value", "")).strip()
        inputs = list(self.query(Input))
        if value:
            for field in inputs:
                if field.id and field.value.strip() == value:
                    return field.id
            for field in inputs:
                if field.id and value in field.value:
                    return field.id
        name = str(exc.params.get("field", "")).strip().lower()
        if name:
            for label in self.query(".field Label"):
                if str(label.render()).strip().lower() == name:
                    field = label.parent.query(Input).first() if label.parent else None
                    if field is not None and field.id:
                        return field.id
        return None

    def send(self, job: Callable[[], T], *, group: str) -> None:
        """Run the service call; its result closes the form, a refusal shows."""
        for widget in self.query(Input):
            widget.disabled = True
        self._say(t("ui.dlg.sending"))

        def refused(exc: SoptuiError) -> None:
            for widget in self.query(Input):
                widget.disabled = False
            self.refuse(exc.message(), self.field_of(exc))

        in_thread(self, job, self.dismiss, group=group, failed=refused)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.input.disabled:
            self.submit()

    @on(FormSelect.Confirmed)
    def _confirmed(self, event: FormSelect.Confirmed) -> None:
        event.stop()
        if not any(field.disabled for field in self.query(Input)):  # not while sending
            self.submit()

    def submit(self) -> None:
        raise NotImplementedError


class NewCaseDialog(FormDialog[int | None]):
    """Step 2 of a new case: perihal, pemohon, letter number and date, sifat."""

    first_field = "title"

    def __init__(self, sop_code: str) -> None:
        super().__init__()
        self.sop_code = sop_code

    def compose(self) -> ComposeResult:
        with self.form_box(t("ui.new.title", code=self.sop_code)):
            for field_id, label, hint in (
                ("title", "ui.new.title_field", "ui.new.required"),
                ("requester", "ui.new.requester", "ui.new.optional"),
                ("letter-no", "ui.new.letter_no", "ui.new.letter_no_hint"),
                ("letter-date", "ui.new.letter_date", "ui.new.letter_date_hint"),
            ):
                yield from self.field(field_id, t(label), t(hint))
            yield from self.select_field(
                "urgency",
                t("ui.new.urgency"),
                [(t(f"urgency.{u}"), u) for u in URGENCY_KEYS],
                "biasa",
            )
            yield from self.form_footer(t("ui.new.keys"))

    def submit(self) -> None:
        title = self.value("title")
        if not title:
            self.refuse(t("err.empty", field=t("ui.new.title_field")), "title")
            return
        letter_day: date | None = None
        if raw_date := self.value("letter-date"):
            try:
                letter_day = parse_date(raw_date)
            except InputError as exc:
                self.refuse(exc.message(), "letter-date")
                return
        requester, letter_no = self.value("requester"), self.value("letter-no")
        urgency = self.choice("urgency")
        app = soptui_app(self)
        code = self.sop_code
        self.send(
            lambda: app.svc.cases.start(
                app.actor,
                code,
                title=title,
                requester=requester,
                letter_no=letter_no,
                letter_date=letter_day,
                urgency=urgency,
            ),
            group="new-case",
        )
