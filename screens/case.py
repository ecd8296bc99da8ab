"""One case: its header, the SOP's steps as a timeline, the current step's
Kelengkapan checklist, the notes thread, and the actions of the current step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from soptui.catalog import Step, return_target
from soptui.errors import NotFoundError, SoptuiError, StaleError
from soptui.formatting import due_text, local, minutes_text
from soptui.i18n import t
from soptui.identity import Actor
from soptui.screens import present
from soptui.screens.base import LiveScreen, Reworded, in_thread, key, soptui_app
from soptui.screens.dialogs import ActionDialog, DialogResult, SopInfoScreen
from soptui.screens.export import SaveDialog
from soptui.screens.narasumber_dialogs import CaseContext
from soptui.screens.registry import booking_line, this_year
from soptui.views import AttemptView, CaseDetail, EventView, StepView

if TYPE_CHECKING:
    from soptui.app import SoptuiApp
    from soptui.narasumber_views import Booking, SpeakerStep

OPEN = ("open", "paused")
STEP_STYLES = {
    "done": "$text-success",
    "current": "bold $text-accent",
    "returned": "$text-warning",
    "pending": "$text-muted",
    "refused": "$text-error",
    "paused": "$text-warning",
    "cancelled": "$text-muted",
}


class Timeline(Reworded, OptionList):
    """Steps, checklist items and notes as one list the cursor walks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        key("j", "cursor_down", "timeline.down", show=False),
        key("k", "cursor_up", "timeline.up", show=False),
        key("g", "first", "timeline.top", show=False),
        key("G", "last", "timeline.bottom", show=False),
    ]


@dataclass(frozen=True)
class CaseSpeakers:
    """The narasumber side of a case: its speaker step (if it stands at one)
    and who is booked for it."""

    step: SpeakerStep | None
    bookings: tuple[Booking, ...]


CaseRead = tuple[tuple[str, str], CaseDetail, bool, CaseSpeakers]


def read_case(app: SoptuiApp, case_id: int) -> CaseRead:
    """What the case screen shows, read in one go (from a worker thread)."""
    stamp = app.read_stamp()
    detail = app.svc.cases.detail(case_id)
    registry = app.svc.narasumber
    speakers = CaseSpeakers(registry.speaker_step(case_id), tuple(registry.case_bookings(case_id)))
    return stamp, detail, app.svc.cases.may_act(app.actor, detail.row), speakers


class CaseScreen(LiveScreen):
    CSS_PATH = "case.tcss"
    AUTO_FOCUS = "#timeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "back", "case.back"),
        key("q", "back", "case.back_q", show=False),
        # Each action key has a second, hidden binding that says why the action
        # is not offered (not your role, paused, ...) instead of doing nothing.
        key("a", "complete", "case.complete"),
        key("a", "approve", "case.approve"),
        key("a", "explain('complete')", "case.why_complete", show=False),
        key("r", "return", "case.return"),
        key("r", "explain('return')", "case.why_return", show=False),
        key("x", "refuse", "case.refuse"),
        key("x", "explain('refuse')", "case.why_refuse", show=False),
        key("c", "note", "case.note"),
        key("p", "pause", "case.pause"),
        key("p", "resume", "case.resume"),
        key("p", "explain('pause')", "case.why_pause", show=False),
        key("space", "toggle", "case.toggle", show=False),
        key("i", "sop", "case.sop", show=False),
        key("f", "flow", "case.flow"),
        # The footer is full at 80 columns: P is in the F1 help.
        key("P", "print", "case.print", show=False),
        # At a step that decides or checks the speaker: find one and book for the case.
        key("b", "app.lookup", "case.speaker", show=False),
        key("f5", "reload", "case.reload", show=False),
    ]

    def __init__(self, case_id: int, *, read: CaseRead | None = None) -> None:
        """read: the case as read_case found it, when the app read it before
        opening the screen (its actions are then right from the first frame)."""
        super().__init__(id=f"case-{case_id}")
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self.may_act = False
        self.speakers: CaseSpeakers | None = None
        self._jump_to_current = False
        self._drawn_width: int | None = None  # what the timeline was wrapped to
        if read is not None:
            self.loaded_stamp, self.detail, self.may_act, self.speakers = read

    def compose(self) -> ComposeResult:
        yield Static(t("ui.loading"), id="case-header", markup=False)
        yield Timeline(id="timeline", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        soptui_app(self).case_opened(self.case_id)  # no longer new to the clerk
        if self.detail is None:
            self.reload()
        else:
            # Read before the screen opened: drawn before the first frame, and
            # the Footer composed with the right actions already (no second
            # compose, no reload).
            self._render_header()
            self._render_timeline(keep=False)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    # ----- loading ---------------------------------------------------------------

    def reload(self) -> None:
        app, case_id = soptui_app(self), self.case_id
        in_thread(
            self,
            lambda: read_case(app, case_id),
            self._loaded,
            group="case-load",
            failed=self._load_failed,
        )

    def action_reload(self) -> None:
        self.reload()

    def _load_failed(self, exc: SoptuiError) -> None:
        self.notify(exc.message(), severity="error", markup=False)
        if isinstance(exc, NotFoundError) and self.detail is None:
            self.dismiss()

    def _loaded(self, result: CaseRead) -> None:
        stamp, detail, may_act, speakers = result
        self.loaded_stamp = stamp
        if detail == self.detail and may_act == self.may_act and speakers == self.speakers:
            return  # nothing changed: nothing repaints
        self.speakers = speakers
        # After the clerk's own action the cursor goes to the step now current;
        # after someone else's it stays where the clerk was reading.
        jump = self.detail is None or self._jump_to_current
        self._jump_to_current = False
        if self.detail is not None and detail.row.step_key != self.detail.row.step_key:
            soptui_app(self).case_opened(self.case_id)  # read where it now stands
        self.detail = detail
        self.may_act = may_act
        self._render_header()
        self._render_timeline(keep=not jump)
        self.refresh_bindings()

    # ----- rendering -------------------------------------------------------------

    @property
    def current_step(self) -> Step | None:
        detail = self.detail
        if detail is None or detail.row.status not in OPEN or detail.row.step_key is None:
            return None
        return detail.sop.step(detail.row.step_key)

    def _waiting_role_name(self) -> str:
        detail = self.detail
        if detail is None or not detail.row.waiting_role:
            return ""
        try:
            return detail.sop.role(detail.row.waiting_role).name
        except KeyError:
            return detail.row.waiting_role

    def _render_header(self) -> None:
        detail = self.detail
        assert detail is not None
        row = detail.row
        sop = detail.sop
        muted = "$text-muted"
        lines: list[Content] = [
            Content.assemble(
                (f"#{row.id} ", "bold"), (sop.name, "bold"), (f"  {sop.nomor}", muted)
            ),
            Content.assemble((t("col.title") + ": ", muted), row.title),
        ]
        parts: list[Content | str | tuple[str, str]] = []
        if row.requester:
            parts += [(t("col.requester") + ": ", muted), row.requester]
        if row.letter_no or detail.letter_date:
            letter = ", ".join(x for x in (row.letter_no, str(detail.letter_date or "")) if x)
            parts += [" · " if parts else "", (t("ui.case.letter") + ": ", muted), letter]
        if parts:
            lines.append(Content.assemble(*parts))
        opened = local(row.opened_at) + (f" ({detail.opened_by})" if detail.opened_by else "")
        lines.append(
            Content.assemble(
                (t("col.urgency") + ": ", muted),
                present.urgency(row.urgency),
                " · ",
                (t("ui.case.opened") + ": ", muted),
                opened,
            )
        )
        status: list[Content | str | tuple[str, str]] = [(present.case_status(row.status), "bold")]
        if row.status in OPEN and row.step_position:
            status.append(" · " + t("ui.case.position", at=row.step_position, of=row.step_count))
            due = due_text(row.remaining, row.status)
            status += [" · ", (due, "bold $text-error") if row.overdue else due]
            if row.returns:
                status += [" · ", (t("ui.case.returns", n=row.returns), "bold $text-warning")]
        elif detail.closed_at:
            status.append(f" · {local(detail.closed_at)}")
        lines.append(Content.assemble(*status))
        lines += self._speaker_lines()
        if row.status in OPEN and not self.may_act:
            lines.append(
                Content.styled(t("ui.case.read_only", role=self._waiting_role_name()), muted)
            )
        self.query_one("#case-header", Static).update(Content("\n").join(lines))

    def _speaker_lines(self) -> list[Content]:
        """Who is booked for the case; at its speaker step, how to book one."""
        speakers = self.speakers
        if speakers is None:
            return []
        lines: list[Content] = []
        year = this_year(self)
        active = [b for b in speakers.bookings if b.active]
        for booking in active[:2]:
            lines.append(
                Content.assemble(
                    (t("ui.case.speakers") + ": ", "$text-muted"),
                    booking_line(booking, year, brief=True),
                )
            )
        if speakers.step is not None:
            lines.append(Content.styled(t("ui.case.speaker_hint"), "$text-accent"))
        return lines

    def lookup_context(self) -> CaseContext | None:
        """The case a lookup opened from here books for (at its speaker step)."""
        speakers = self.speakers
        if speakers is None or speakers.step is None:
            return None
        return CaseContext(speakers.step.case_id, speakers.step.title)

    def _wrap_width(self) -> int:
        timeline = self.timeline
        # Not laid out yet (drawn before the first frame): the screen's width
        # less the timeline's padding.
        width = timeline.scrollable_content_region.width or (
            self.app.size.width - timeline.styles.gutter.width
        )
        return max(10, width - 1)

    def _render_timeline(self, *, keep: bool) -> None:
        detail = self.detail
        assert detail is not None
        timeline = self.timeline
        highlighted = (
            timeline.highlighted_option.id if keep and timeline.highlighted_option else None
        )
        self._drawn_width = self._wrap_width()
        options = self._options(detail, self._drawn_width)
        timeline.clear_options()
        timeline.add_options(options)
        ids = [o.id for o in options]
        target = highlighted if highlighted in ids else None
        if target is None and self.current_step is not None:
            target = f"step:{self.current_step.key}"
        if target is None:
            target = ids[0] if ids else None
        if target is not None:
            timeline.highlighted = ids.index(target)
            if not keep:
                # The current step at the top, the steps still to come below it
                # (after the refresh: the new options' heights are known then).
                self.call_after_refresh(timeline.scroll_to_highlight, top=True)

    def _options(self, detail: CaseDetail, width: int) -> list[Option]:
        options: list[Option] = []
        current = self.current_step
        for view in detail.steps:
            options.append(Option(self._step_prompt(view, width), id=f"step:{view.step.key}"))
            if current is not None and view.step.key == current.key:
                ticked = view.attempts[-1].checklist if view.attempts else ()
                for index, item in enumerate(view.step.checklist):
                    mark = "[x]" if item in ticked else "[ ]"
                    prompt = indent(Content.assemble(f"{mark} ", item), width, 4)
                    options.append(Option(prompt, id=f"check:{index}"))
        notes = detail.notes
        options.append(
            Option(
                Content.assemble(
                    ("── " + t("ui.case.notes", n=len(notes)) + " ──", "bold $text-muted")
                ),
                id="notes",
            )
        )
        if not notes:
            options.append(
                Option(Content.styled(t("ui.case.no_notes"), "$text-muted"), id="note:none")
            )
        for event in notes:
            options.append(Option(self._note_prompt(event, width), id=f"note:{event.seq}"))
        return options

    def _step_prompt(self, view: StepView, width: int) -> Content:
        step = view.step
        style = STEP_STYLES.get(view.status, "")
        head = Content.assemble(
            (present.step_status(view.status), style),
            f"  {step.no}. ",
            (view.role_name, "bold"),
            ("  " + (step.waktu or t("ui.case.relative")), "$text-muted"),
        )
        lines = [*indent(head, width, 0, hang=2).split("\n")]
        body: list[Content] = []
        if view.status in ("current", "paused") and (why := self._return_reason(view)):
            # Why it came back, first thing under the step (the notes are below the fold).
            body.append(indent(why, width, 2))
        body.append(indent(Content(step.text), width, 2))
        for attempt in view.attempts:
            body.append(indent(self._attempt_line(view, attempt), width, 2))
        if view.status in ("current", "paused"):
            if step.output:
                body.append(
                    indent(
                        Content.assemble((t("col.output") + ": ", "$text-muted"), step.output),
                        width,
                        2,
                    )
                )
            if step.checklist:
                body.append(indent(Content.styled(t("ui.case.checklist"), "$text-muted"), width, 2))
        return Content("\n").join([*lines, *body])

    def _return_reason(self, view: StepView) -> Content | None:
        """Who sent the case back to this step, when and why, if its attempt
        now running began with a return."""
        detail = self.detail
        if detail is None or not view.attempts:
            return None
        started = view.attempts[-1].started_at
        for event in reversed(detail.events):
            if (
                event.kind == "returned"
                and event.data.get("to") == view.step.key
                and event.at == started
            ):
                who = event.actor_name or event.actor_login or ""
                return Content.styled(
                    t("ui.case.returned_why", who=who, at=local(event.at), note=event.note or ""),
                    "bold $text-warning",
                )
        return None

    def _attempt_line(self, view: StepView, attempt: AttemptView) -> Content:
        parts: list[str | tuple[str, str] | Content] = []
        if len(view.attempts) > 1:
            parts.append((t("ui.case.attempt", n=attempt.attempt_no) + " ", "$text-muted"))
        if attempt.ended_at is None:
            parts.append(t("ui.case.since", at=local(attempt.started_at)))
        else:
            who = attempt.actor_name or attempt.actor_login or ""
            # Acting in one's own role needs no label; admin / for the requester does.
            acted = (
                t(f"acted.{attempt.acted_as}", login=attempt.on_behalf_of or "")
                if attempt.acted_as not in (None, "self")
                else ""
            )
            parts.append(t(f"event.{attempt.outcome}") if attempt.outcome else "")
            parts.append(f" · {who}" + (f" ({acted})" if acted else ""))
            parts.append(f" · {local(attempt.ended_at)}")
        worked = minutes_text(attempt.worked_s)
        standard = minutes_text(attempt.standard_s)
        parts.append(" · ")
        if attempt.over_standard:
            parts.append((f"{worked} / {standard} ▲ {t('ui.case.over')}", "bold $text-warning"))
        else:
            parts.append(f"{worked} / {standard}")
        if attempt.paused_s:
            parts.append(
                (" · " + t("ui.case.paused_for", d=minutes_text(attempt.paused_s)), "$text-muted")
            )
        return Content.assemble(*parts)

    def _note_prompt(self, event: EventView, width: int) -> Content:
        who = event.actor_name or event.actor_login or ""
        head = Content.assemble(
            (local(event.at), "$text-muted"),
            " · ",
            (who, "bold"),
            " · ",
            (t(f"event.{event.kind}"), "$text-muted"),
        )
        return Content("\n").join(
            [indent(head, width, 0, hang=2), indent(Content(event.note or ""), width, 2)]
        )

    def reload_labels(self) -> None:
        if self.detail is not None:
            self._render_header()
            self._render_timeline(keep=True)

    def on_resize(self, _event: events.Resize) -> None:
        # Only a new width rewraps (a rebuild would also lose the scroll).
        if self.detail is not None and self._wrap_width() != self._drawn_width:
            self._render_header()
            self._render_timeline(keep=True)

    # ----- what may be done --------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        detail = self.detail
        step = self.current_step
        status = detail.row.status if detail else None
        may = self.may_act and step is not None
        # A refused case at its notification step only tells the requester:
        # that step completes even where it is a decision, and refuses nothing.
        refusing = detail is not None and detail.refusing
        decides = step is not None and step.decision and not refusing
        allowed = {
            "complete": may and status == "open" and step is not None and not decides,
            "approve": may and status == "open" and decides,
            "return": may and status == "open" and step is not None and step.index > 0,
            "refuse": may and status == "open" and decides and bool(step and step.refuse_to),
            "pause": may and status == "open",
            "resume": may and status == "paused",
            "note": detail is not None,
            "sop": detail is not None,
            "print": detail is not None,
            "toggle": detail is not None,
        }
        if action == "explain":
            what = str(parameters[0]) if parameters else ""
            related = {
                "complete": ("complete", "approve"),
                "return": ("return",),
                "refuse": ("refuse",),
                "pause": ("pause", "resume"),
            }.get(what, ())
            return detail is not None and not any(allowed[a] for a in related)
        return allowed.get(action, True)

    def _why_not(self, what: str) -> str:
        detail = self.detail
        assert detail is not None
        row = detail.row
        step = self.current_step
        if row.status not in OPEN or step is None:
            return t("err.case_not_open", id=row.id, status=t(f"status.{row.status}"))
        if not self.may_act:
            return t("err.not_your_role", role=self._waiting_role_name())
        if row.status == "paused" and what != "pause":
            return t("err.case_paused", id=row.id)
        if what == "return":
            return t("err.no_return_target")
        if what == "refuse" and detail.refusing:
            return t("err.already_refused", id=row.id)
        if what == "refuse":
            return t("ui.case.cannot_refuse")
        return t("err.case_not_open", id=row.id, status=t(f"status.{row.status}"))

    def action_explain(self, what: str) -> None:
        if self.detail is not None:
            self.notify(self._why_not(what), severity="warning", markup=False)

    # ----- actions -------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_sop(self) -> None:
        if self.detail is not None:
            self.app.push_screen(SopInfoScreen(self.detail.sop))

    def action_flow(self) -> None:
        if self.detail is not None:
            from soptui.screens.flowchart import FlowchartScreen

            self.app.push_screen(FlowchartScreen(self.detail.sop, self.detail))

    def action_print(self) -> None:
        """The case's record with its lembar disposisi as a PDF, written here
        (by the clerk's own process) where the clerk chooses."""
        app, case_id = soptui_app(self), self.case_id

        def produce(_fmt: str, paper: str) -> bytes:
            # Read afresh: the paper shows the case as it stands now.
            from soptui.printing.case_record import case_record_pdf

            detail = app.svc.cases.detail(case_id)
            letters = app.svc.letters.list(case_id=case_id)
            return case_record_pdf(detail, letters, size=paper)

        def written(path: str | None) -> None:
            if path:
                self.notify(t("ui.print.written", id=case_id, path=path), markup=False)

        dialog = SaveDialog(
            title=t("ui.print.title", id=case_id),
            formats=("pdf",),
            default_name=lambda _fmt: f"soptui-case-{case_id}.pdf",
            produce=produce,
            what=t("ui.print.what"),
        )
        self.app.push_screen(dialog, written)

    def _step_words(self, step: Step) -> str:
        assert self.detail is not None
        role = self.detail.sop.role(step.role).name
        return t("ui.dlg.step", no=step.no, role=role, text=present.fit(step.text, 60))

    def _open_dialog(
        self,
        title: str,
        explanation: str,
        *,
        note_required: bool,
        run: Callable[[str | None, int], object],
        done: str,
    ) -> None:
        detail = self.detail
        assert detail is not None
        version = detail.row.version  # what the clerk saw when deciding

        def submit(note: str | None) -> None:
            run(note, version)

        def finished(result: DialogResult | None) -> None:
            if result is None or (not result.done and result.error is None):
                return
            if result.error is not None:
                self.notify(result.error.message(), severity="error", markup=False)
                if isinstance(result.error, StaleError):
                    self.reload()
                    return
            else:
                self.notify(t("ok.case_action", id=detail.row.id, what=done), markup=False)
                self._jump_to_current = True
            soptui_app(self).data_written()
            self.reload()

        dialog = ActionDialog(
            title=title,
            subject=f"#{detail.row.id} {detail.row.title}",
            explanation=explanation,
            note_required=note_required,
            submit=submit,
        )
        self.app.push_screen(dialog, finished)

    def _services(self) -> tuple[Any, Actor, int]:  # (svc.cases, the clerk, the case)
        app = soptui_app(self)
        return app.svc.cases, app.actor, self.case_id

    def action_complete(self) -> None:
        self._complete(approve=False)

    def action_approve(self) -> None:
        self._complete(approve=True)

    def _complete(self, *, approve: bool) -> None:
        detail, step = self.detail, self.current_step
        assert detail is not None and step is not None
        nxt = detail.sop.next_step(step.key)
        if detail.refusing:
            what = t("ui.dlg.complete_refused")
        elif nxt is None:
            what = t("ui.dlg.complete_last")
        else:
            what = (
                t("ui.dlg.forward", role=detail.sop.role(nxt.role).name)
                + "\n"
                + self._step_words(nxt)
            )
        cases, actor, case_id = self._services()
        title_key = "ui.dlg.approve" if approve else "ui.dlg.complete"
        self._open_dialog(
            t(title_key, no=step.no),
            what,
            note_required=False,
            run=lambda note, version: cases.complete(
                actor,
                case_id,
                note=note,
                expected_version=version,
            ),
            done=t("event.approved" if approve else "event.completed"),
        )

    def action_return(self) -> None:
        detail, step = self.detail, self.current_step
        assert detail is not None and step is not None
        target = return_target(detail.sop, step)
        cases, actor, case_id = self._services()
        self._open_dialog(
            t("ui.dlg.return", no=step.no),
            t("ui.dlg.return_to", no=target.no, role=detail.sop.role(target.role).name)
            + "\n"
            + present.fit(target.text, 70),
            note_required=True,
            run=lambda note, version: cases.return_for_revision(
                actor,
                case_id,
                note=note,
                expected_version=version,
            ),
            done=t("event.returned"),
        )

    def action_refuse(self) -> None:
        detail, step = self.detail, self.current_step
        assert detail is not None and step is not None
        if step.refuse_to == "end":
            what = t("ui.dlg.refuse_end")
        else:
            notify_step = detail.sop.step(step.refuse_to or "")
            what = (
                t("ui.dlg.refuse_notify", role=detail.sop.role(notify_step.role).name)
                + "\n"
                + self._step_words(notify_step)
            )
        cases, actor, case_id = self._services()
        self._open_dialog(
            t("ui.dlg.refuse", no=step.no),
            what,
            note_required=True,
            run=lambda note, version: cases.refuse(
                actor,
                case_id,
                note=note,
                expected_version=version,
            ),
            done=t("event.refused"),
        )

    def action_pause(self) -> None:
        cases, actor, case_id = self._services()
        self._open_dialog(
            t("ui.dlg.pause"),
            t("ui.dlg.pause_what"),
            note_required=True,
            run=lambda note, version: cases.pause(
                actor,
                case_id,
                note=note,
                expected_version=version,
            ),
            done=t("event.paused"),
        )

    def action_resume(self) -> None:
        cases, actor, case_id = self._services()
        self._open_dialog(
            t("ui.dlg.resume"),
            t("ui.dlg.resume_what"),
            note_required=False,
            run=lambda note, version: cases.resume(
                actor,
                case_id,
                note=note,
                expected_version=version,
            ),
            done=t("event.resumed"),
        )

    def action_note(self) -> None:
        cases, actor, case_id = self._services()
        self._open_dialog(
            t("ui.dlg.note"),
            t("ui.dlg.note_what"),
            note_required=True,
            run=lambda note, _version: cases.add_note(actor, case_id, text=note),
            done=t("event.note"),
        )

    # ----- the checklist -----------------------------------------------------------

    def action_toggle(self) -> None:
        option = self.timeline.highlighted_option
        step = self.current_step
        if (
            option is not None
            and step is not None
            and option.id == f"step:{step.key}"
            and step.checklist
            and self.detail is not None
        ):
            # On the current step itself: its first item not ticked yet (then
            # the cursor is on the list, for the next space).
            view = next(v for v in self.detail.steps if v.step.key == step.key)
            ticked = view.attempts[-1].checklist if view.attempts else ()
            index = next((i for i, item in enumerate(step.checklist) if item not in ticked), 0)
            ids = [o.id for o in self.timeline.options]
            self.timeline.highlighted = ids.index(f"check:{index}")
            self._toggle(index)
            return
        if option is None or not (option.id or "").startswith("check:"):
            self.notify(t("ui.case.toggle_where"), severity="information", markup=False)
            return
        self._toggle(int((option.id or "").split(":", 1)[1]))

    @on(OptionList.OptionSelected, "#timeline")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if (event.option.id or "").startswith("check:"):
            self._toggle(int((event.option.id or "").split(":", 1)[1]))

    def _toggle(self, index: int) -> None:
        detail, step = self.detail, self.current_step
        if detail is None or step is None:
            return
        if not self.may_act:
            self.action_explain("complete")
            return
        view = next(v for v in detail.steps if v.step.key == step.key)
        item = step.checklist[index]
        checked = item not in (view.attempts[-1].checklist if view.attempts else ())
        cases, actor, case_id = self._services()
        in_thread(
            self,
            lambda: cases.set_checklist_item(actor, case_id, item=item, checked=checked),
            lambda _none: self._toggled(),
            group="case-toggle",
            exclusive=False,
        )

    def _toggled(self) -> None:
        soptui_app(self).data_written()
        self.reload()


def indent(content: Content, width: int, by: int, *, hang: int | None = None) -> Content:
    """Wrap to `width` with every line indented `by` cells (continuation lines
    by `hang`, when given): a hanging indent, which OptionList does not do."""
    rest = by if hang is None else hang
    lines: list[Content] = []
    for number, line in enumerate(content.wrap(max(4, width - max(by, rest)))):
        lines.append(line.pad_left(by if number == 0 else rest))
    return Content("\n").join(lines)
