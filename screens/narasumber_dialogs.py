"""Dialogs of the narasumber registry: the quick lookup (topic + dates ->
who is free), booking, blocking a person's time, and the profile form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from soptui.errors import InputError
from soptui.i18n import t
from soptui.screens.base import Dialog, in_thread, key, soptui_app
from soptui.screens.dialogs import FormDialog, focus_at_end, quiet_input

if TYPE_CHECKING:
    from soptui.narasumber_views import Booking, Offer, Person

TYPED_FORMAT = "%d-%m-%Y %H:%M"  # how a prefilled time reads (parse_range reads it back)
LOOKUP_LIMIT = 30
ASN_CHOICES = ("", "pns", "pppk", "non-asn")
BLOCK_KINDS = ("cuti", "dinas_luar", "lainnya")
TOPIC_SEPARATOR = ";"


@dataclass(frozen=True)
class CaseContext:
    """The case a lookup books for: it stands at a step that decides or checks
    its speaker (soptui.narasumber.SPEAKER_STEPS)."""

    case_id: int
    title: str


def typed(moment: datetime, app_tz: str = "Asia/Jakarta") -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(app_tz)).strftime(TYPED_FORMAT)


def default_span(now: datetime) -> tuple[str, str]:
    """The next working morning, 08:00-12:00 office time: the usual request
    (a Saturday or Sunday is skipped; a holiday is asked about on booking)."""
    from zoneinfo import ZoneInfo

    day = now.astimezone(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return f"{day:%d-%m-%Y} 08:00", f"{day:%d-%m-%Y} 12:00"


def understood(start: datetime, end: datetime, app_tz: str = "Asia/Jakarta") -> str:
    """How typed times were read, in words: "Senin 7 Des 2026 08.00-12.00"."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app_tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
    weekdays, months = t("ui.nr.weekdays_long").split(), t("nr.months").split()

    def day(d: datetime) -> str:
        return f"{weekdays[d.weekday()]} {d.day} {months[d.month - 1]} {d.year}"

    clock = t("ui.nr.clock")
    if a.date() == b.date():
        return f"{day(a)} {a.strftime(clock)}-{b.strftime(clock)}"
    return f"{day(a)} {a.strftime(clock)} - {day(b)} {b.strftime(clock)}"


def concerns_text(concerns: tuple[str, ...]) -> str:
    return ", ".join(t(f"ui.nr.concern.{c}") for c in concerns)


def read_span(start: str, end: str) -> tuple[datetime, datetime]:
    from soptui.narasumber_views import parse_range

    if not start or not end:
        raise InputError("err.empty", field=t("ui.nr.when"))
    return parse_range(start, end)


def offer_prompt(offer: Offer) -> Content:
    """Two lines: free or busy, name (and status when not bookable); the
    matched topics, or the conflicts named."""
    mark = ("✓ " + t("nr.free"), "bold $text-success") if offer.free else ("✗", "bold $text-error")
    head = [mark, " ", (offer.name, "bold")]
    if not offer.bookable:
        head.append(f"  ({t('nr.status.' + offer.person.status)})")
    topics = offer.matched_topics or offer.topics
    second = offer.conflict_text if not offer.free else "; ".join(topics)
    return Content.assemble(*head, "\n  ", (second or t("nr.none"), "$text-muted"))


class LookupDialog(Dialog["Booking | None"]):
    """Who can speak on a topic, and is free, in a time: a topic and two times
    in, approved persons ranked by topic match out, each free or with its
    conflicts named. Enter on a free person books them (for the case, when
    opened from one at its speaker step); the case stays underneath."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "cancel", "dialog.cancel", show=False),
        key("down", "to_results", "nr.lookup.results", show=False),
    ]

    def __init__(self, context: CaseContext | None = None, *, topic: str = "") -> None:
        super().__init__(classes="dialog")
        self.context = context
        self.topic = topic
        self.offers: list[Offer] = []
        self.span: tuple[datetime, datetime] | None = None
        self.shown_for: tuple[str, str, str] | None = None  # the fields the results answer
        self.note = ""  # how the times were read

    def compose(self) -> ComposeResult:
        start, end = default_span(soptui_app(self).svc.clock())
        with Vertical(id="box", classes="form lookup") as box:
            box.border_title = t("ui.nr.lookup.title")
            if self.context is not None:
                box.border_subtitle = t("ui.nr.lookup.for_case", id=self.context.case_id)
            with Horizontal(classes="field"):
                yield Label(t("ui.nr.topic"))
                yield quiet_input(
                    id="topic", value=self.topic, placeholder=t("ui.nr.topic_hint"), compact=True
                )
            with Horizontal(classes="field"):
                yield Label(t("ui.nr.from"))
                yield quiet_input(id="start", value=start, compact=True)
                yield Label(t("ui.nr.to"), classes="inline")
                yield quiet_input(id="end", value=end, compact=True)
            yield OptionList(id="offers", compact=True)
            yield Static("", id="message", classes="error", markup=False)
            yield Static(t("ui.nr.lookup.keys"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#offers").display = False
        self.query_one("#message").display = False
        self.query_one("#topic", Input).focus()
        if self.topic:
            self.run_lookup()

    def _say(self, message: str) -> None:
        widget = self.query_one("#message", Static)
        widget.update(message)
        widget.display = bool(message)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_lookup()

    def _fields(self) -> tuple[str, str, str]:
        return (
            self.query_one("#topic", Input).value.strip(),
            self.query_one("#start", Input).value.strip(),
            self.query_one("#end", Input).value.strip(),
        )

    def _clear_results(self) -> None:
        """Results that no longer answer the fields go: enter on one would
        book the times of an earlier search."""
        self.offers, self.span, self.shown_for, self.note = [], None, None, ""
        results = self.query_one("#offers", OptionList)
        results.clear_options()
        results.display = False
        box = self.query_one("#box")
        box.border_subtitle = (
            t("ui.nr.lookup.for_case", id=self.context.case_id) if self.context else ""
        )

    @on(Input.Changed)
    def _edited(self, _event: Input.Changed) -> None:
        if self.shown_for is not None and self._fields() != self.shown_for:
            self._clear_results()

    def run_lookup(self) -> None:
        fields = self._fields()
        topic, start, end = fields
        try:
            span = read_span(start, end)
        except InputError as exc:
            self._clear_results()
            self._say(exc.message())
            field = "end" if str(exc.params.get("value", "")).strip() == end and end else "start"
            focus_at_end(self.query_one(f"#{field}", Input))
            return
        app = soptui_app(self)
        self._say(t("ui.nr.searching"))

        def job() -> tuple[list[Offer], tuple[str, ...]]:
            registry = app.svc.narasumber
            return registry.lookup(
                topic or None, *span, limit=LOOKUP_LIMIT
            ), registry.span_concerns(*span)

        in_thread(
            self,
            job,
            lambda found: self._show(span, found[0], fields, found[1]),
            group="nr-lookup",
            failed=lambda exc: self._say(exc.message()),
        )

    def _show(
        self,
        span: tuple[datetime, datetime],
        offers: list[Offer],
        fields: tuple[str, str, str],
        concerns: tuple[str, ...] = (),
    ) -> None:
        self.span = span
        self.offers = offers
        self.shown_for = fields
        results = self.query_one("#offers", OptionList)
        results.set_options(
            Option(offer_prompt(offer), id=str(offer.id), disabled=not offer.bookable)
            for offer in offers
        )
        results.display = bool(offers)
        free = sum(1 for o in offers if o.free)
        # How the times were read, and what is unusual about them (Sunday, 02:00).
        self.note = t("ui.nr.understood", when=understood(*span))
        if concerns:
            self.note += f" ({concerns_text(concerns)})"
        self._say(self.note if offers else f"{t('ui.nr.lookup.none')} {self.note}")
        if offers:
            found = t("ui.nr.lookup.found", free=free, total=len(offers))
            if self.context is not None:
                found = f"{t('ui.nr.lookup.for_case', id=self.context.case_id)} · {found}"
            self.query_one("#box").border_subtitle = found
            results.highlighted = 0

    def action_to_results(self) -> None:
        results = self.query_one("#offers", OptionList)
        if results.display and not results.has_focus:
            results.focus()

    @on(OptionList.OptionHighlighted, "#offers")
    def _moved(self, _event: OptionList.OptionHighlighted) -> None:
        self._say(self.note)  # a refusal about another person no longer applies

    @on(OptionList.OptionSelected, "#offers")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.span is None or self.shown_for != self._fields():
            return  # stale: cleared already
        offer = next(o for o in self.offers if str(o.id) == event.option.id)
        if not offer.free:
            items = "; ".join(c.text for c in offer.conflicts)
            self._say(t("err.nr.conflict", name=offer.name, items=items))
            return
        assert self.span is not None
        start, end = (typed(moment) for moment in self.span)
        dialog = BookingDialog(offer.person, start=start, end=end, context=self.context)
        self.app.push_screen(dialog, self._booked)

    def _booked(self, booking: Booking | None) -> None:
        if booking is not None:
            self.dismiss(booking)


class SpanForm(FormDialog["Booking | None"]):
    """A form with a start and an end time (fields "start" and "end")."""

    def typed_span(self) -> tuple[datetime, datetime] | None:
        """The typed times, or None after saying what is wrong with them."""
        try:
            return read_span(self.value("start"), self.value("end"))
        except InputError as exc:
            self.refuse(exc.message(), self.field_of(exc) or "start")
            return None


class BookingDialog(SpanForm):
    """Book one person: times, kegiatan, lokasi, tentatif or definitif. For a
    case the kegiatan defaults to its perihal and the booking is tentatif until
    the case confirms it (a refused or cancelled case releases it). The
    cursor starts on the first field, the time; tab goes down the form."""

    first_field = "start"

    def __init__(
        self,
        person: Person,
        *,
        start: str = "",
        end: str = "",
        context: CaseContext | None = None,
    ) -> None:
        super().__init__()
        self.person = person
        self.start, self.end = start, end
        self.context = context
        self.confirmed: tuple[datetime, datetime] | None = None  # an unusual time, confirmed

    def compose(self) -> ComposeResult:
        if not self.start:
            self.start, self.end = default_span(soptui_app(self).svc.clock())
        activity = self.context.title if self.context else ""
        status = "tentatif" if self.context else "definitif"
        with self.form_box(t("ui.nr.book.title", name=self.person.name)) as box:
            if self.context is not None:
                box.border_subtitle = t("ui.nr.lookup.for_case", id=self.context.case_id)
            yield from self.field("start", t("ui.nr.from"), value=self.start)
            yield from self.field("end", t("ui.nr.to"), value=self.end)
            yield from self.field("activity", t("col.nr.activity"), t("ui.new.required"), activity)
            yield from self.field("location", t("col.nr.location"), t("ui.new.optional"))
            yield from self.select_field(
                "status",
                t("ui.nr.booking_status"),
                [(t(f"nr.booking.{s}"), s) for s in ("tentatif", "definitif")],
                status,
            )
            yield from self.form_footer(t("ui.nr.form.keys"))

    def submit(self) -> None:
        span = self.typed_span()
        if span is None:
            return
        activity, location = self.value("activity"), self.value("location")
        if not activity and self.context is None:
            self.refuse(t("err.empty", field=t("col.nr.activity")), "activity")
            return
        tentative = self.choice("status") == "tentatif"
        app = soptui_app(self)
        if span != self.confirmed:
            # Sunday 02:00, yesterday, 19:00: asked once, with how the time was read.
            def checked(concerns: tuple[str, ...]) -> None:
                if concerns:
                    self.confirmed = span
                    self.refuse(
                        t(
                            "ui.nr.confirm_time",
                            when=understood(*span),
                            concerns=concerns_text(concerns),
                        ),
                        "start",
                    )
                else:
                    self.confirmed = span
                    self.submit()

            in_thread(
                self,
                lambda: app.svc.narasumber.span_concerns(*span),
                checked,
                group="nr-span-check",
            )
            return
        person_id = self.person.id
        case_id = self.context.case_id if self.context else None
        self.send(
            lambda: app.svc.narasumber.book(
                app.actor,
                person_id,
                *span,
                activity=activity or None,
                location=location or None,
                case_id=case_id,
                tentative=tentative,
            ),
            group="nr-book",
        )


class BlockDialog(SpanForm):
    """Mark a person unavailable (cuti, dinas luar, lainnya) with the reason."""

    first_field = "start"

    def __init__(self, person: Person) -> None:
        super().__init__()
        self.person = person

    def compose(self) -> ComposeResult:
        start, end = default_span(soptui_app(self).svc.clock())
        with self.form_box(t("ui.nr.block.title", name=self.person.name)):
            yield from self.field("start", t("ui.nr.from"), value=start.split()[0])
            yield from self.field("end", t("ui.nr.to"), value=end.split()[0])
            yield from self.select_field(
                "kind", t("col.nr.kind"), [(t(f"nr.kind.{k}"), k) for k in BLOCK_KINDS], "cuti"
            )
            yield from self.field("note", t("nr.label.notes"), t("ui.new.required"))
            yield from self.form_footer(t("ui.nr.form.keys"))

    def submit(self) -> None:
        span = self.typed_span()
        if span is None:
            return
        note = self.value("note")
        if not note:
            self.refuse(t("err.note_required"), "note")
            return
        kind = self.choice("kind")
        app = soptui_app(self)
        person_id = self.person.id
        self.send(
            lambda: app.svc.narasumber.block(app.actor, person_id, *span, note=note, kind=kind),
            group="nr-block",
        )


# (field id, label key, hint key) of the profile form, in the order typed.
PROFILE_FORM = (
    ("name", "ui.nr.name", "ui.nr.name_hint"),
    ("topics", "col.nr.topics", "ui.nr.topics_hint"),
    ("instansi", "col.nr.instansi", ""),
    ("jabatan", "nr.label.jabatan", ""),
    ("nip", "ui.nr.nip_nik", "ui.nr.nip_nik_hint"),
    ("pendidikan", "nr.label.pendidikan", ""),
    ("eselon", "nr.label.eselon", "ui.nr.eselon_hint"),
    ("golongan", "nr.label.golongan", "ui.nr.golongan_hint"),
    ("phone", "nr.label.phone", ""),
    ("email", "nr.label.email", ""),
    ("notes", "nr.label.notes", ""),
)


def profile_values(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "topics": f"{TOPIC_SEPARATOR} ".join(person.topics),
        "instansi": person.instansi or "",
        "jabatan": person.jabatan or "",
        "nip": person.nip or person.nik or "",
        "pendidikan": person.pendidikan or "",
        "eselon": person.eselon or "",
        "golongan": person.golongan or "",
        "phone": person.phone or "",
        "email": person.email or "",
        "notes": person.notes or "",
    }


class PersonForm(FormDialog["Person | None"]):
    """Register a narasumber (a Pendaftaran case opens for them) or edit one.
    An edit is refused if someone changed the person since it was read."""

    first_field = "name"

    def __init__(self, person: Person | None = None) -> None:
        super().__init__(dense=True)
        self.person = person

    def compose(self) -> ComposeResult:
        values = profile_values(self.person) if self.person else {}
        title = t("ui.nr.form.edit", id=self.person.id) if self.person else t("ui.nr.form.register")
        asn = (self.person.asn_status or "") if self.person else ""
        with self.form_box(title):
            for field_id, label, hint in PROFILE_FORM:
                yield from self.field(
                    field_id, t(label), t(hint) if hint else "", values.get(field_id, "")
                )
                if field_id == "pendidikan":
                    yield from self.select_field(
                        "asn",
                        t("nr.label.asn"),
                        [
                            (t(f"nr.asn.{a.replace('-', '_')}") if a else "-", a)
                            for a in ASN_CHOICES
                        ],
                        asn.replace("_", "-"),
                    )
            yield from self.form_footer(t("ui.nr.form.keys"))

    def submit(self) -> None:
        from soptui.narasumber_views import split_nip_nik

        if not self.value("name"):
            self.refuse(t("err.empty", field=t("ui.nr.name")))
            return
        fields = {f: self.value(f) for f, _, _ in PROFILE_FORM}
        topics = [p.strip() for p in fields.pop("topics").split(TOPIC_SEPARATOR) if p.strip()]
        fields["nip"], nik = split_nip_nik(fields["nip"])
        values: dict[str, object] = {
            **fields,
            "nik": nik,
            "asn_status": self.choice("asn"),
            "topics": topics,
        }
        app = soptui_app(self)
        person = self.person
        if person is None:
            # A new person: empty optional fields are simply not given.
            given = {k: v for k, v in values.items() if v not in ("", None)}
            self.send(lambda: app.svc.narasumber.register(app.actor, **given), group="nr-form")
        else:
            # An edit: "" clears an optional field, as on the CLI.
            changes = {k: ("" if v is None else v) for k, v in values.items()}
            self.send(
                lambda: app.svc.narasumber.update(
                    app.actor, person.id, expected_version=person.version, **changes
                ),
                group="nr-form",
            )
