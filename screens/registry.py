"""The narasumber registry: search as you type, a profile pane, a person's
detail with bookings and history, and a week grid of availability."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from soptui.formatting import local
from soptui.i18n import t
from soptui.screens import present, week_grid
from soptui.screens.base import LiveScreen, Reworded, in_thread, key, soptui_app
from soptui.screens.dialogs import ActionDialog, DialogResult
from soptui.screens.narasumber_dialogs import BlockDialog, BookingDialog, PersonForm
from soptui.screens.week_grid import Week

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from soptui.narasumber_views import Booking, Person, PersonDetail, SearchHit

SEARCH_DELAY = 0.15
LIST_LIMIT = 200  # persons listed; the search narrows the rest
PERSON_STATUSES = ("disetujui", "diajukan", "diverifikasi", "ditolak", "nonaktif")
PERSON_GLYPHS = {
    "disetujui": "✓",
    "diajukan": "○",
    "diverifikasi": "◐",
    "ditolak": "✗",
    "nonaktif": "⊘",
}
BOOKING_GLYPHS = {"definitif": week_grid.DEFINITE, "tentatif": week_grid.TENTATIVE, "batal": "⊘"}
OFFICE_TZ = ZoneInfo("Asia/Jakarta")


def person_status(status: str) -> str:
    """ "✓ disetujui" - a glyph beside the word, never colour alone."""
    return f"{PERSON_GLYPHS.get(status, '?')} {t('nr.status.' + status)}"


def booking_line(
    booking: Booking, year: int, *, with_name: bool = False, brief: bool = False
) -> str:
    """ "▒ 3 Des 08:00-12:00 Diklat Koperasi (tentatif, kasus #12)"; brief (on
    the case it serves): "▒ Dr. Siti, 3 Des 08:00-12:00 (tentatif)"."""
    glyph = week_grid.BLOCKED if booking.is_block else BOOKING_GLYPHS.get(booking.status, "?")
    when = span_text(booking, year)
    if brief:
        return f"{glyph} {booking.narasumber_name}, {when} ({t(f'nr.booking.{booking.status}')})"
    what = booking.activity if not booking.is_block else t(f"nr.kind.{booking.kind}")
    if booking.is_block and booking.activity:
        what += f": {booking.activity}"
    extras = [t(f"nr.booking.{booking.status}")] if not booking.is_block else []
    if booking.is_block and not booking.active:
        extras.append(t("nr.booking.batal"))
    if booking.case_id is not None:
        extras.append(t("ui.nr.case_ref", id=booking.case_id))
    name = f"{booking.narasumber_name}, " if with_name else ""
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"{glyph} {name}{when} {what}{tail}"


def span_text(booking: Booking, year: int) -> str:
    """ "3 Des 08:00-12:00" (the year only when it is not `year`)."""
    from soptui.narasumber_views import span_text as narasumber_span

    return narasumber_span(booking.starts_at, booking.ends_at, OFFICE_TZ, year)


def this_year(node: DOMNode) -> int:
    return soptui_app(node).svc.clock().astimezone(OFFICE_TZ).year


def profile_lines(person: Person) -> list[Content]:
    """Who the person is, for the pane and the detail screen."""
    muted = "$text-muted"
    none = t("nr.none")
    lines = [
        Content.assemble(
            (person.name, "bold"), "  ", person_status(person.status), f"  #{person.id}"
        ),
        Content.assemble(
            (t("col.nr.instansi") + ": ", muted),
            person.instansi or none,
            " · ",
            (t("nr.label.jabatan") + ": ", muted),
            person.jabatan or none,
        ),
    ]
    identity = [
        f"NIP {person.nip}" if person.nip else (f"NIK {person.nik}" if person.nik else ""),
        t(f"nr.asn.{person.asn_status}") if person.asn_status else "",
        f"{t('nr.label.eselon')} {person.eselon}" if person.eselon else "",
        f"{t('nr.label.golongan')} {person.golongan}" if person.golongan else "",
        person.pendidikan or "",
    ]
    lines.append(
        Content.assemble(
            " · ".join(x for x in identity if x) or none,
            " · ",
            (t("nr.label.honor") + ": ", muted),
            t(f"nr.honor.{person.honor_class}"),
        )
    )
    contact = " · ".join(x for x in (person.phone, person.email) if x)
    if contact:
        lines.append(Content(contact))
    lines.append(
        Content.assemble((t("col.nr.topics") + ": ", muted), "; ".join(person.topics) or none)
    )
    return lines


class PersonTable(Reworded, DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        key("enter", "select_cursor", "nr.table.open"),
        key("j", "cursor_down", "table.down", show=False),
        key("k", "cursor_up", "table.up", show=False),
        key("g", "scroll_top", "table.top", show=False),
        key("G", "scroll_bottom", "table.bottom", show=False),
    ]

    def __init__(self, table_id: str) -> None:
        super().__init__(cursor_type="row", cell_padding=0, zebra_stripes=False, id=table_id)

    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(row_key.value)

    def fill(self, rows: list[tuple[str, list[Text]]]) -> None:
        """Replace the rows, keeping the cursor on the same key if it is still there."""
        keep, index = self.cursor_key, self.cursor_row
        self.clear()
        for row_key, cells in rows:
            self.add_row(*cells, key=row_key)
        if rows:
            keys = [k for k, _ in rows]
            self.move_cursor(row=keys.index(keep) if keep in keys else min(index, len(rows) - 1))


def cell(text: str, width: int, style: str = "") -> Text:
    return Text(present.fit(text, width) + " ", style=style, no_wrap=True)


class RegistryScreen(LiveScreen):
    """Persons by name, or by how well they match what is typed."""

    CSS_PATH = "registry.tcss"
    AUTO_FOCUS = "#persons"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so that keys typed right after it reach the search (as in the inbox).
        key("slash", "search", "nr.search", priority=True),
        key("b", "book", "nr.book"),
        key("n", "register", "nr.register"),
        key("e", "edit", "nr.edit"),
        key("w", "week", "nr.week"),
        key("u", "block", "nr.block", show=False),
        key("f3", "app.lookup", "nr.lookup", show=False),
        key("escape", "back", "nr.back"),
        key("q", "back", "nr.back_q", show=False),
        key("f5", "reload", "nr.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="registry")
        self.search = ""
        self.hits: list[SearchHit] = []
        self.counts: dict[str, int] = {}
        self.details: dict[int, PersonDetail] = {}
        self._search_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._pane_source: Person | PersonDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="nr-counts", markup=False)
        with Horizontal(id="filter-bar"):
            yield Label("/ ", id="filter-label")
            yield Input(placeholder=t("ui.nr.search_hint"), id="nr-search", compact=True)
        yield PersonTable("persons")
        yield Static(id="nr-empty", markup=False)
        yield Static(id="nr-pane")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#nr-search", Input).cursor_blink = False
        self.query_one("#nr-empty").display = False
        self.reload()

    @property
    def table(self) -> PersonTable:
        return self.query_one(PersonTable)

    @property
    def person(self) -> Person | None:
        wanted = self.table.cursor_key
        return next((h.person for h in self.hits if str(h.person.id) == wanted), None)

    # ----- loading ---------------------------------------------------------------

    def reload(self) -> None:
        app = soptui_app(self)
        text = self.search.strip()

        def job() -> tuple[tuple[str, str], dict[str, int], list[SearchHit]]:
            stamp = app.read_stamp()
            registry = app.svc.narasumber
            return stamp, registry.counts(), registry.search(text, limit=LIST_LIMIT)

        in_thread(self, job, self._loaded, group="nr-list")

    def action_reload(self) -> None:
        self.reload()

    def _loaded(self, result: tuple[tuple[str, str], dict[str, int], list[SearchHit]]) -> None:
        stamp, counts, hits = result
        # (change token, minute): only a write makes the cached details stale.
        if self.loaded_stamp is None or stamp[0] != self.loaded_stamp[0]:
            self.details.clear()
        self.loaded_stamp = stamp
        if counts != self.counts:
            self.counts = counts
            self._render_counts()
        if [h.person for h in hits] != [h.person for h in self.hits] or not self.table.columns:
            self.hits = hits
            self._render_table()
        self._show_pane()

    def _render_counts(self) -> None:
        parts = [f"{person_status(s)} {self.counts.get(s, 0)}" for s in PERSON_STATUSES]
        self.query_one("#nr-counts", Static).update(" " + "  ".join(parts))

    def _widths(self) -> dict[str, int]:
        """Number, name, status, (instansi from 120 columns), topics take the rest."""
        width = (self.size.width or self.app.size.width) - 1
        widths = {"id": max(3, len(str(max((h.person.id for h in self.hits), default=9))) + 1)}
        widths["name"] = 28
        widths["status"] = 15
        if width >= 120:
            widths["instansi"] = 30
        widths["topics"] = max(8, width - sum(widths.values()) - len(widths) - 1)
        return widths

    def _render_table(self) -> None:
        table = self.table
        widths = self._widths()
        table.clear(columns=True)
        headings = {
            "id": "col.id",
            "name": "col.nr.person",
            "status": "col.status",
            "instansi": "col.nr.instansi",
            "topics": "col.nr.topics",
        }
        for name, width in widths.items():
            table.add_column(cell(t(headings[name]), width), width=width + 1, key=name)
        muted = "dim"
        rows = []
        for hit in self.hits:
            p = hit.person
            style = "" if p.bookable else muted
            values = {
                "id": str(p.id),
                "name": p.name,
                "status": person_status(p.status),
                "instansi": p.instansi or "",
                "topics": "; ".join(p.topics),
            }
            rows.append((str(p.id), [cell(values[n], w, style) for n, w in widths.items()]))
        table.fill(rows)
        empty = self.query_one("#nr-empty", Static)
        empty.update(t("ui.nr.no_match", text=self.search) if self.search else t("ui.nr.empty"))
        empty.display = not self.hits

    def on_resize(self, _event: events.Resize) -> None:
        if self.hits:
            self._render_table()

    # ----- the profile pane --------------------------------------------------------

    @on(DataTable.RowHighlighted, "#persons")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # Loaded after a short pause: holding j down does not read every person.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.1, self._show_pane)

    def _show_pane(self) -> None:
        person = self.person
        pane = self.query_one("#nr-pane", Static)
        pane.display = person is not None
        if person is None:
            return
        detail = self.details.get(person.id)
        if detail is not None and detail.person == person:
            self._draw_pane(detail, lambda: self._pane_lines(detail))
            return
        self._draw_pane(person, lambda: profile_lines(person))
        app = soptui_app(self)
        person_id = person.id
        in_thread(
            self,
            lambda: app.svc.narasumber.detail(person_id, bookings=3),
            self._detail_loaded,
            group="nr-pane",
        )

    def _detail_loaded(self, detail: PersonDetail) -> None:
        self.details[detail.person.id] = detail
        person = self.person
        if person is not None and person.id == detail.person.id:
            self._draw_pane(detail, lambda: self._pane_lines(detail))

    def _draw_pane(self, source: Person | PersonDetail, lines: Callable[[], list[Content]]) -> None:
        """Repaint the pane only when what it shows changed (no bytes over a
        slow link when a refresh brings the same person back)."""
        if source == self._pane_source:
            return
        self._pane_source = source
        self.query_one("#nr-pane", Static).update(Content("\n").join(lines()))

    def _pane_lines(self, detail: PersonDetail) -> list[Content]:
        lines = profile_lines(detail.person)
        upcoming = [b for b in detail.upcoming if b.active][:2]
        label = (t("nr.label.upcoming") + ": ", "$text-muted")
        if upcoming:
            year = this_year(self)
            # The label once; a second booking lines up under the first.
            indent = (" " * cell_len(label[0]), "")
            lines += [
                Content.assemble(label if i == 0 else indent, booking_line(b, year))
                for i, b in enumerate(upcoming)
            ]
        else:
            lines.append(Content.assemble(label, t("ui.nr.no_upcoming")))
        return lines

    # ----- search ----------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#nr-search", Input)
        if self.focused is search:  # a "/" typed in the search itself
            # Queued behind the keys it already has, as typed.
            search.post_message(events.Key("slash", "/"))
            return
        self.set_focus(search)

    @on(Input.Changed, "#nr-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search = event.value
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.reload)

    @on(Input.Submitted, "#nr-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#nr-search", Input)
        if search.has_focus and event.key == "down":
            event.stop()
            self.table.focus()

    def action_back(self) -> None:
        search = self.query_one("#nr-search", Input)
        if search.value:
            search.value = ""  # escape clears the search first, then leaves
            self.table.focus()
        else:
            self.dismiss()

    # ----- actions -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("book", "edit", "block") and self.person is None:
            return None  # shown dimmed: nothing to act on
        return True  # b on a person not approved says why (action_book)

    @on(DataTable.RowSelected, "#persons")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        event.stop()
        person = self.person
        if person is not None:
            self.app.push_screen(PersonScreen(person.id))

    def action_book(self) -> None:
        if (person := self.person) is not None and bookable(self, person):
            self.app.push_screen(BookingDialog(person), written(self, "ui.nr.ok.booked"))

    def action_block(self) -> None:
        if (person := self.person) is not None:
            self.app.push_screen(BlockDialog(person), written(self, "ui.nr.ok.blocked"))

    def action_register(self) -> None:
        self.app.push_screen(PersonForm(), written(self, "ui.nr.ok.registered"))

    def action_edit(self) -> None:
        if (person := self.person) is not None:
            self.app.push_screen(PersonForm(person), written(self, "ui.nr.ok.updated"))

    def action_week(self) -> None:
        persons = [h.person for h in self.hits]
        if persons:
            start = self.table.cursor_row
            self.app.push_screen(AvailabilityScreen(persons, cursor=start))


def bookable(screen: LiveScreen, person: Person) -> bool:
    """Whether the person may be booked; if not, say why (not in silence)."""
    if person.bookable:
        return True
    status = t("nr.status." + person.status)
    screen.notify(t("ui.nr.not_bookable", name=person.name, status=status), markup=False)
    return False


def written(screen: LiveScreen, message: str) -> Any:
    """A dialog's callback: say what was saved and show it at once."""

    def done(result: Any) -> None:
        if result is None:
            return
        app = soptui_app(screen)
        app.data_written()
        fields = {"id": getattr(result, "id", ""), "name": getattr(result, "name", "")}
        if hasattr(result, "narasumber_name"):
            fields["name"] = result.narasumber_name
            fields["when"] = span_text(result, this_year(screen))
        if hasattr(result, "registration_case_id"):
            fields["case"] = result.registration_case_id
        app.notify(t(message, **fields), markup=False)
        screen.reload()

    return done


class PersonLines(Reworded, OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        key("j", "cursor_down", "timeline.down", show=False),
        key("k", "cursor_up", "timeline.up", show=False),
        key("g", "first", "timeline.top", show=False),
        key("G", "last", "timeline.bottom", show=False),
    ]


class PersonScreen(LiveScreen):
    """One person: profile, registration, upcoming and past bookings, history."""

    CSS_PATH = "registry.tcss"
    AUTO_FOCUS = "#person-lines"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "back", "nr.back"),
        key("q", "back", "nr.back_q", show=False),
        key("b", "book", "nr.book"),
        key("d", "confirm", "nr.confirm"),
        key("x", "cancel_booking", "nr.cancel"),
        key("o", "open_case", "nr.open_case"),
        key("e", "edit", "nr.edit"),
        key("u", "block", "nr.block", show=False),
        key("f5", "reload", "nr.reload", show=False),
    ]

    def __init__(self, person_id: int) -> None:
        super().__init__(id=f"person-{person_id}")
        self.person_id = person_id
        self.detail: PersonDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("ui.loading"), id="person-header")
        yield PersonLines(id="person-lines", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.reload()

    def reload(self) -> None:
        app = soptui_app(self)
        person_id = self.person_id

        def job() -> tuple[tuple[str, str], PersonDetail]:
            return app.read_stamp(), app.svc.narasumber.detail(person_id)

        in_thread(self, job, self._loaded, group="person-load")

    def action_reload(self) -> None:
        self.reload()

    def _loaded(self, result: tuple[tuple[str, str], PersonDetail]) -> None:
        stamp, detail = result
        self.loaded_stamp = stamp
        if detail == self.detail:
            return
        self.detail = detail
        header = profile_lines(detail.person)
        if detail.person.registration_case_id is not None:
            status = detail.registration_status
            header.append(
                Content.assemble(
                    (t("nr.label.registration") + ": ", "$text-muted"),
                    t("ui.nr.case_ref", id=detail.person.registration_case_id),
                    f" · {present.case_status(status)}" if status else "",
                )
            )
        self.query_one("#person-header", Static).update(Content("\n").join(header))
        lines = self.query_one(PersonLines)
        keep = lines.highlighted
        options = self._options(detail)
        lines.set_options(options)
        if keep is not None and lines.option_count:
            lines.highlighted = min(keep, lines.option_count - 1)
        if lines.highlighted is None or options[lines.highlighted].disabled:
            # On the first thing to act on (the next booking), not a heading.
            lines.highlighted = next(
                (i for i, option in enumerate(options) if not option.disabled), None
            )
        self.refresh_bindings()

    def _options(self, detail: PersonDetail) -> list[Option]:
        heading = "bold $text-muted"
        year = this_year(self)
        options: list[Option] = []
        for label, bookings in (
            ("nr.label.upcoming", detail.upcoming),
            ("nr.label.past", detail.past),
        ):
            # Headings and "none" take no cursor: j goes from booking to booking.
            options.append(
                Option(Content.styled(t(label), heading), id=f"h:{label}", disabled=True)
            )
            if not bookings:
                options.append(
                    Option(Content("  " + t("nr.none")), id=f"n:{label}", disabled=True)
                )
            for b in bookings:
                style = "" if b.active else "$text-muted"
                line = Content.styled("  " + booking_line(b, year), style)
                options.append(Option(line, id=f"b:{b.id}"))
        options.append(
            Option(Content.styled(t("nr.label.history"), heading), id="h:history", disabled=True)
        )
        for item in detail.history:
            words = t(f"event.{item.kind}")
            who = f" ({item.actor_login})" if item.actor_login else ""
            note = f": {item.note}" if item.note else ""
            option_id = f"c:{item.case_id}:{item.seq}" if item.case_id else f"e:{item.seq}"
            options.append(Option(f"  {local(item.at)} {words}{who}{note}", id=option_id))
        return options

    @property
    def booking(self) -> Booking | None:
        lines = self.query_one(PersonLines)
        if self.detail is None or lines.highlighted is None:
            return None
        option_id = lines.get_option_at_index(lines.highlighted).id or ""
        if not option_id.startswith("b:"):
            return None
        wanted = int(option_id[2:])
        return next((b for b in self.detail.upcoming + self.detail.past if b.id == wanted), None)

    def _case_here(self) -> int | None:
        lines = self.query_one(PersonLines)
        if self.detail is None:
            return None
        if lines.highlighted is not None:
            option_id = lines.get_option_at_index(lines.highlighted).id or ""
            if option_id.startswith("c:"):
                return int(option_id.split(":")[1])
        booking = self.booking
        if booking is not None and booking.case_id is not None:
            return booking.case_id
        return self.detail.person.registration_case_id

    @on(OptionList.OptionHighlighted)
    def _moved(self, _event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        booking = self.booking
        person = self.detail.person if self.detail else None
        allowed = {
            "book": person is not None,  # not approved: b says why
            "edit": person is not None,
            "block": person is not None,
            "confirm": booking is not None and booking.status == "tentatif",
            "cancel_booking": booking is not None and booking.active,
            "open_case": self._case_here() is not None,
        }
        return True if allowed.get(action, True) else None

    def action_back(self) -> None:
        self.dismiss()

    def action_book(self) -> None:
        if self.detail is not None and bookable(self, self.detail.person):
            self.app.push_screen(
                BookingDialog(self.detail.person), written(self, "ui.nr.ok.booked")
            )

    def action_block(self) -> None:
        if self.detail is not None:
            self.app.push_screen(BlockDialog(self.detail.person), written(self, "ui.nr.ok.blocked"))

    def action_edit(self) -> None:
        if self.detail is not None:
            self.app.push_screen(PersonForm(self.detail.person), written(self, "ui.nr.ok.updated"))

    def action_open_case(self) -> None:
        if (case_id := self._case_here()) is not None:
            soptui_app(self).open_case(case_id)

    def action_confirm(self) -> None:
        booking = self.booking
        if booking is None or booking.status != "tentatif":
            return
        app = soptui_app(self)
        booking_id = booking.id
        in_thread(
            self,
            lambda: app.svc.narasumber.confirm(app.actor, booking_id),
            written(self, "ui.nr.ok.confirmed"),
            group="nr-confirm",
        )

    def action_cancel_booking(self) -> None:
        booking = self.booking
        if booking is None or not booking.active:
            return
        app = soptui_app(self)
        booking_id = booking.id

        def finished(result: DialogResult | None) -> None:
            if result is None:
                return
            if result.error is not None:
                self.notify(result.error.message(), severity="error", markup=False)
            else:
                app.data_written()
                self.notify(t("ok.nr.cancelled", id=booking_id), markup=False)
            self.reload()

        self.app.push_screen(
            ActionDialog(
                title=t("ui.nr.cancel.title"),
                subject=booking_line(booking, this_year(self), with_name=True),
                explanation=t("ui.nr.cancel.explain"),
                note_required=True,
                submit=lambda note: app.svc.narasumber.cancel(app.actor, booking_id, note=note),
            ),
            finished,
        )


class AvailabilityScreen(LiveScreen):
    """A week per screen: one row per person, three parts per day, one glyph
    per part (free, tentatif, definitif, unavailable)."""

    CSS_PATH = "registry.tcss"
    AUTO_FOCUS = "#week"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "back", "nr.back"),
        key("q", "back", "nr.back_q", show=False),
        # Priority: the table would take left/right for sideways scrolling.
        key("left", "shift(-1)", "nr.week_prev", key_display="←→", priority=True),
        key("right", "shift(1)", "nr.week_next", show=False, priority=True),
        key("h", "shift(-1)", "nr.week_prev_h", show=False),
        key("l", "shift(1)", "nr.week_next_l", show=False),
        key("t", "this_week", "nr.week_this"),
        key("b", "book", "nr.book"),
        key("f5", "reload", "nr.reload", show=False),
    ]

    def __init__(self, persons: list[Person], *, cursor: int = 0) -> None:
        super().__init__(id="availability")
        self.persons = persons
        self.start_row = cursor
        self.week: Week | None = None
        self.schedule: dict[int, tuple[Booking, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="week-title", markup=False)
        yield PersonTable("week")
        yield Static(week_grid.legend(), id="week-legend", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        now = soptui_app(self).svc.clock().astimezone(OFFICE_TZ)
        self.week = Week.of(now.date())
        self.reload()

    def reload(self) -> None:
        app = soptui_app(self)
        week = self.week
        assert week is not None
        ids = [p.id for p in self.persons]

        def job() -> tuple[tuple[str, str], Week, dict[int, tuple[Booking, ...]]]:
            stamp = app.read_stamp()
            return stamp, week, app.svc.narasumber.schedule(ids, *week.bounds(OFFICE_TZ))

        in_thread(self, job, self._loaded, group="week-load")

    def action_reload(self) -> None:
        self.reload()

    def _loaded(self, result: tuple[tuple[str, str], Week, dict[int, tuple[Booking, ...]]]) -> None:
        stamp, week, schedule = result
        self.loaded_stamp = stamp
        if week != self.week or schedule == self.schedule:
            return
        first = self.schedule is None
        self.schedule = schedule
        self._draw(week, schedule)
        if first:
            self.query_one(PersonTable).move_cursor(row=self.start_row)

    def _draw(self, week: Week, schedule: dict[int, tuple[Booking, ...]]) -> None:
        self.query_one("#week-title", Static).update(
            t("ui.nr.week_title", week=week_grid.week_title(week))
        )
        table = self.query_one(PersonTable)
        width = (self.size.width or self.app.size.width) - 1
        name_width = max(10, min(40, width - 7 * 7 - 1))
        keep = table.cursor_row
        table.clear(columns=True)  # the day headings change with the week
        table.add_column(cell(t("col.nr.person"), name_width), width=name_width + 1)
        today = soptui_app(self).svc.clock().astimezone(OFFICE_TZ).date()
        for index, day in enumerate(week.days):
            mark = "▸" if day == today else " "  # today, readable without colour
            table.add_column(f"{mark}{week_grid.day_heading(day)}", width=7, key=f"d{index}")
        rows = []
        for person in self.persons:
            glyphs = week_grid.part_glyphs(schedule.get(person.id, ()), week, OFFICE_TZ)
            name = (
                person.name
                if person.bookable
                else f"{person.name} ({t('nr.status.' + person.status)})"
            )
            cells = [cell(name, name_width, "" if person.bookable else "dim")]
            cells += [Text(f" {day}   ", no_wrap=True) for day in week_grid.day_cells(glyphs)]
            rows.append((str(person.id), cells))
        table.fill(rows)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    def action_shift(self, weeks: int) -> None:
        assert self.week is not None
        self.week = self.week.shifted(weeks)
        self.schedule = {}  # the next answer always repaints
        self.reload()

    def action_this_week(self) -> None:
        now = soptui_app(self).svc.clock().astimezone(OFFICE_TZ)
        self.week = Week.of(now.date())
        self.schedule = {}
        self.reload()

    def _person(self) -> Person | None:
        wanted = self.query_one(PersonTable).cursor_key
        return next((p for p in self.persons if str(p.id) == wanted), None)

    @on(DataTable.RowSelected, "#week")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (person := self._person()) is not None:
            self.app.push_screen(PersonScreen(person.id))

    def action_book(self) -> None:
        person = self._person()
        if person is not None and bookable(self, person):
            self.app.push_screen(BookingDialog(person), written(self, "ui.nr.ok.booked"))

    def action_back(self) -> None:
        self.dismiss()
