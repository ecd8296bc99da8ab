"""A hypothesis state machine over the case engine: random clerks (some
without the role), stale views and arbitrary Unicode notes against a simple
model of the rules. After every step the database must match the model, every
successful action must have added exactly its events, and the audit chain
must verify.

The narasumber bookings run in the same machine: two approved persons and
one still diajukan (registered once, before the machine runs, through the
real Pendaftaran case), booked and blocked by any clerk in hour slots of one
day (so that intervals touch and overlap often), optionally for one of the
machine's cases, tentatif or definitif; confirmed and cancelled; a case that
is refused or cancelled releases its tentatif bookings. A booking is refused
iff it overlaps an active booking or block of that person (touching is not
overlapping) or the person is not approved; the active bookings of a person
never overlap in the database and equal the model's."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from app_fixtures import CLERKS, WIB, FakeClock
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from invariants import check_invariants
from sqlalchemy import func, select

from soptui.catalog import SopDefinition
from soptui.db.models import CaseEvent
from soptui.db.registry_models import NarasumberBooking
from soptui.errors import InputError, PermissionDenied, RuleError, StaleError
from soptui.identity import Actor
from soptui.service import Soptui

SOPS = ["NARSUM-PERMINTAAN", "NARSUM-FASILITASI", "DIKLAT-PENGUSULAN", "DIKLAT-BAHAN"]
LOGINS = [*CLERKS, "admin", "outsider"]
HOLDER = "<holder>"  # the clerk holding the waiting role: keeps cases moving
STALE = st.sampled_from([False] * 5 + [True])  # a view read before someone else acted
ACTORS = st.sampled_from([*LOGINS, *[HOLDER] * (2 * len(LOGINS))])
NOTE_MAX = 4000
DAY = datetime(2026, 4, 1, 8, 0, tzinfo=WIB)  # bookings: hour slots 08:00-18:00 of this day
SLOTS = 10


def note_is_valid(text: str | None) -> bool:
    """The rule for required notes: trimmed, not empty, no control characters
    but tab and newline, no invisible or text-direction characters (format
    characters such as a soft hyphen, line and paragraph separators), no
    undecodable bytes, at most NOTE_MAX characters."""
    if text is None:
        return False
    body = text.strip()
    for c in body:
        category = unicodedata.category(c)
        if category == "Cc" and c not in "\t\n":
            return False
        if category in ("Cf", "Zl", "Zp", "Cs"):
            return False
    return 0 < len(body) <= NOTE_MAX


class ModelCase:
    def __init__(self, sop: SopDefinition) -> None:
        self.sop = sop
        self.index = 0
        self.status = "open"
        self.refusing = False
        self.version = 1


@dataclass
class ModelBooking:
    person: int
    start: datetime
    end: datetime
    kind: str  # kegiatan, or cuti (a block)
    status: str  # tentatif, definitif, batal
    case_id: int | None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.status != "batal" and self.start < end and start < self.end


def machine_template(base: Path, target: Path) -> None:
    """The database every example starts from, made once: the office, a
    clerk with no role, and the machine's narasumber (two approved through
    their Pendaftaran case, steps 1-5 by the role holders, one left
    diajukan). What never differs between examples (the clerks as actors,
    the SOP definitions, who is approved) is read here once too."""
    shutil.copyfile(base, target)
    svc = Soptui(f"sqlite:///{target}", clock=FakeClock())
    try:
        admin = svc.users.actor("admin")
        svc.users.add(admin, "outsider", name="Tamu", roles=[])  # a clerk with no role
        actors = {login: svc.users.actor(login) for login in CLERKS}
        holder = {role: actors[login] for login, role in CLERKS.items()}
        persons: dict[int, bool] = {}
        for name, approve in (
            ("Dr. Zainal Arifin", True),
            ("Bambang Hidayat", True),
            ("Citra Dewi", False),
        ):
            person = svc.narasumber.register(actors["anggota"], name=name, topics=["Koperasi"])
            if approve:
                for _ in range(5):
                    row = svc.cases.detail(person.registration_case_id).row
                    svc.cases.complete(holder[row.waiting_role], person.registration_case_id)
            assert svc.narasumber.get(person.id).bookable == approve
            persons[person.id] = approve
        EngineMachine.template = target
        EngineMachine.persons = persons
        EngineMachine.actors = {u.login: svc.users.actor(u.login) for u in svc.users.list()}
        EngineMachine.defs = {code: svc.sop_definition(code) for code in SOPS}
    finally:
        svc.close()


class EngineMachine(RuleBasedStateMachine):
    # Set by machine_template, the same for every example:
    template: Path
    persons: dict[int, bool]  # narasumber id -> approved
    actors: dict[str, Actor]
    defs: dict[str, SopDefinition]

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="soptui-hyp-"))
        shutil.copyfile(self.template, self.dir / "db.sqlite")
        self.clock = FakeClock()
        self.svc = Soptui(f"sqlite:///{self.dir / 'db.sqlite'}", clock=self.clock)
        self.cases: dict[int, ModelCase] = {}
        self.bookings: dict[int, ModelBooking] = {}
        self.events = self._event_count()

    def teardown(self) -> None:
        self.svc.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _event_count(self) -> int:
        with self.svc.db.read() as s:
            return s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()

    # ----- the model's rules -----------------------------------------------------

    def resolve(self, login: str, case: ModelCase) -> str:
        if login != HOLDER:
            return login
        step = case.sop.steps[case.index]
        role = case.sop.role(step.role)
        wanted = role.recorded_by if role.external else step.role
        return next(name for name, key in CLERKS.items() if key == wanted)

    def may_act(self, login: str, case: ModelCase) -> bool:
        actor = self.actors[login]
        step = case.sop.steps[case.index]
        role = case.sop.role(step.role)
        if "admin" in actor.roles:
            return True
        if role.external:
            return role.recorded_by in actor.roles
        return step.role in actor.roles

    def expect(self, case: ModelCase, login: str, stale: bool, *, needs_paused: bool = False):
        """The error the engine must raise before any action-specific rule, or None."""
        if stale:
            return StaleError
        if needs_paused:
            if case.status != "paused":
                return RuleError
        elif case.status != "open":
            return RuleError
        if not self.may_act(login, case):
            return PermissionDenied
        return None

    def run(self, expected_error, action, case_id: int, added_events: int) -> bool:
        """Run the action; check it raised what the model says. True if applied."""
        if expected_error is not None:
            with pytest.raises(expected_error):
                action()
            return False
        action()
        self.events += added_events
        return True

    def advance(self, case: ModelCase) -> int:
        """Move past the current step; returns the events added."""
        case.version += 1
        if case.refusing:
            case.status = "refused"
            return 2
        if case.index + 1 == len(case.sop.steps):
            case.status = "closed"
            return 2
        case.index += 1
        return 1

    # ----- rules --------------------------------------------------------------------

    @initialize(code=st.sampled_from(SOPS))
    def first_case(self, code: str) -> None:
        self.new_case(code, "Permohonan")

    @precondition(lambda self: len(self.cases) < 3)  # few cases, so each gets far
    @rule(code=st.sampled_from(SOPS), title=st.text(max_size=30))
    def new_case(self, code: str, title: str) -> None:
        body = title.strip()
        # A title is one line: no newline or tab either.
        valid = note_is_valid(title) and not any(c in "\t\n" for c in body)
        if not valid:
            with pytest.raises(InputError):
                self.svc.cases.start(self.actors["tu"], code, title=title)
            return
        case_id = self.svc.cases.start(self.actors["tu"], code, title=title)
        self.cases[case_id] = ModelCase(self.defs[code])
        self.events += 1
        assert self.svc.cases.detail(case_id).row.title == body

    @precondition(lambda self: self.cases)
    @rule(data=st.data(), login=ACTORS, stale=STALE)
    def complete(self, data, login: str, stale: bool) -> None:
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        case = self.cases[case_id]
        login = self.resolve(login, case)
        version = case.version - 1 if stale else case.version
        err = self.expect(case, login, stale)
        added = 0 if err else self.advance_preview(case)
        ends_refused = case.refusing
        if ends_refused:  # the case ends refused: its tentatif bookings go
            added += len(self.tentative_of(case_id))
        applied = self.run(
            err,
            lambda: self.svc.cases.complete(self.actors[login], case_id, expected_version=version),
            case_id,
            added,
        )
        if applied:
            self.advance(case)
            if ends_refused:
                self.release(case_id)

    def advance_preview(self, case: ModelCase) -> int:
        return 2 if case.refusing or case.index + 1 == len(case.sop.steps) else 1

    @precondition(lambda self: self.cases)
    @rule(
        data=st.data(),
        login=ACTORS,
        stale=STALE,
        note=st.one_of(st.text(max_size=40), st.just("Perbaiki")),
    )
    def return_(self, data, login: str, stale: bool, note: str) -> None:
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        case = self.cases[case_id]
        login = self.resolve(login, case)
        version = case.version - 1 if stale else case.version
        err = InputError if not note_is_valid(note) else self.expect(case, login, stale)
        if err is None and case.index == 0:
            err = RuleError
        applied = self.run(
            err,
            lambda: self.svc.cases.return_for_revision(
                self.actors[login], case_id, note=note, expected_version=version
            ),
            case_id,
            1,
        )
        if applied:
            step = case.sop.steps[case.index]
            target = (
                case.sop.step(step.return_to) if step.return_to else case.sop.steps[case.index - 1]
            )
            case.index = target.index
            case.version += 1

    @precondition(lambda self: self.cases)
    @rule(data=st.data(), login=ACTORS, stale=STALE)
    def refuse(self, data, login: str, stale: bool) -> None:
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        case = self.cases[case_id]
        login = self.resolve(login, case)
        version = case.version - 1 if stale else case.version
        err = self.expect(case, login, stale)
        step = case.sop.steps[case.index]
        if err is None and (case.refusing or not step.refuse_to):
            err = RuleError  # no refusal here, or the request is refused already
        added = 2 if step.refuse_to == "end" else 1
        added += len(self.tentative_of(case_id))  # released at the refusal itself
        applied = self.run(
            err,
            lambda: self.svc.cases.refuse(
                self.actors[login], case_id, note="Tidak sesuai", expected_version=version
            ),
            case_id,
            added,
        )
        if applied:
            case.version += 1
            self.release(case_id)
            if step.refuse_to == "end":
                case.status = "refused"
            else:
                case.refusing = True
                case.index = case.sop.step(step.refuse_to).index

    @precondition(lambda self: self.cases)
    @rule(
        data=st.data(),
        login=st.sampled_from(["tu", "tu", "admin", "outsider", "kadis"]),
        stale=STALE,
        note=st.one_of(st.just("Kegiatan dibatalkan"), st.text(max_size=10)),
    )
    def cancel_case(self, data, login: str, stale: bool, note: str) -> None:
        """Only the clerk who opened the case (tu) or an admin may cancel it."""
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        case = self.cases[case_id]
        version = case.version - 1 if stale else case.version
        if not note_is_valid(note):
            err = InputError
        elif stale:
            err = StaleError
        elif case.status not in ("open", "paused"):
            err = RuleError
        elif login not in ("tu", "admin"):
            err = PermissionDenied
        else:
            err = None
        applied = self.run(
            err,
            lambda: self.svc.cases.cancel(
                self.actors[login], case_id, note=note, expected_version=version
            ),
            case_id,
            1 + len(self.tentative_of(case_id)),
        )
        if applied:
            case.status = "cancelled"
            case.version += 1
            self.release(case_id)

    # ----- narasumber bookings ------------------------------------------------------

    def tentative_of(self, case_id: int) -> list[int]:
        return [
            i for i, b in self.bookings.items() if b.case_id == case_id and b.status == "tentatif"
        ]

    def release(self, case_id: int) -> None:
        for booking_id in self.tentative_of(case_id):
            self.bookings[booking_id].status = "batal"

    @rule(
        data=st.data(),
        login=st.sampled_from(LOGINS),
        slot=st.integers(0, SLOTS - 1),
        hours=st.integers(1, 3),
        kind=st.sampled_from(["kegiatan"] * 3 + ["cuti"]),
        linked=st.sampled_from([True, True, False]),  # for a case: what a release frees
        tentative=st.sampled_from([True, True, False]),
        activity=st.sampled_from(["Rapat koordinasi", None]),  # None: the case's perihal
    )
    def book(
        self,
        data,
        login: str,
        slot: int,
        hours: int,
        kind: str,
        linked: bool,
        tentative: bool,
        activity: str | None,
    ) -> None:
        person = data.draw(st.sampled_from(sorted(self.persons)))
        case_id = data.draw(st.sampled_from(sorted(self.cases))) if linked and self.cases else None
        start = DAY + timedelta(hours=slot)
        end = min(start + timedelta(hours=hours), DAY + timedelta(hours=SLOTS))
        actor = self.actors[login]
        nr = self.svc.narasumber
        busy = any(b.person == person and b.overlaps(start, end) for b in self.bookings.values())
        if kind == "cuti":
            err = RuleError if busy else None
            case_id = None
            tentative = False

            def action():
                return nr.block(actor, person, start, end, note="Cuti", kind="cuti")
        else:
            case_ended = case_id is not None and self.cases[case_id].status not in (
                "open",
                "paused",
            )
            if activity is None and case_id is None:
                err = InputError
            elif case_ended or not self.persons[person] or busy:
                err = RuleError
            else:
                err = None

            def action():
                return nr.book(
                    actor,
                    person,
                    start,
                    end,
                    activity=activity,
                    case_id=case_id,
                    tentative=tentative,
                )

        if err is not None:
            with pytest.raises(err):
                action()
            return
        booking = action()
        self.events += 1
        self.bookings[booking.id] = ModelBooking(
            person, start, end, kind, "tentatif" if tentative else "definitif", case_id
        )
        assert (booking.narasumber_id, booking.starts_at, booking.ends_at) == (person, start, end)

    @precondition(lambda self: self.bookings)
    @rule(
        data=st.data(),
        login=st.sampled_from(LOGINS),
        note=st.one_of(st.just("Dibatalkan"), st.text(max_size=10)),
    )
    def cancel_booking(self, data, login: str, note: str) -> None:
        booking_id = data.draw(st.sampled_from(sorted(self.bookings)))
        model = self.bookings[booking_id]
        if not note_is_valid(note):
            err = InputError
        elif model.status == "batal":
            err = RuleError
        else:
            err = None
        if self.run(
            err,
            lambda: self.svc.narasumber.cancel(self.actors[login], booking_id, note=note),
            booking_id,
            1,
        ):
            model.status = "batal"

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), login=st.sampled_from(LOGINS))
    def confirm_booking(self, data, login: str) -> None:
        booking_id = data.draw(st.sampled_from(sorted(self.bookings)))
        model = self.bookings[booking_id]
        err = None if model.status == "tentatif" else RuleError
        if self.run(
            err,
            lambda: self.svc.narasumber.confirm(self.actors[login], booking_id),
            booking_id,
            1,
        ):
            model.status = "definitif"

    @precondition(lambda self: self.cases)
    @rule(data=st.data(), login=ACTORS, text=st.text(max_size=60))
    def note(self, data, login: str, text: str) -> None:
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        login = self.resolve(login, self.cases[case_id])
        err = None if note_is_valid(text) else InputError
        applied = self.run(
            err, lambda: self.svc.cases.add_note(self.actors[login], case_id, text=text), case_id, 1
        )
        if applied:
            notes = self.svc.cases.detail(case_id).notes
            assert notes[-1].note == text.strip()  # any Unicode comes back intact

    @precondition(lambda self: self.cases)
    @rule(
        data=st.data(),
        login=ACTORS,
        stale=STALE,
        minutes=st.integers(0, 600),
    )
    def pause_or_resume(self, data, login: str, stale: bool, minutes: int) -> None:
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        case = self.cases[case_id]
        login = self.resolve(login, case)
        version = case.version - 1 if stale else case.version
        self.clock.advance(minutes=minutes)
        actor = self.actors[login]
        if case.status == "paused":
            err = self.expect(case, login, stale, needs_paused=True)
            applied = self.run(
                err,
                lambda: self.svc.cases.resume(actor, case_id, expected_version=version),
                case_id,
                1,
            )
            if applied:
                case.status = "open"
                case.version += 1
        else:
            err = self.expect(case, login, stale)
            applied = self.run(
                err,
                lambda: self.svc.cases.pause(
                    actor, case_id, note="Menunggu", expected_version=version
                ),
                case_id,
                1,
            )
            if applied:
                case.status = "paused"
                case.version += 1

    @precondition(lambda self: self.cases)
    @rule(minutes=st.integers(1, 3000))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    # ----- invariants ---------------------------------------------------------------

    @invariant()
    def database_matches_model(self) -> None:
        for case_id, model in self.cases.items():
            row = self.svc.cases.detail(case_id).row
            assert (row.status, row.version) == (model.status, model.version)
            if model.status in ("open", "paused"):
                assert row.step_key == model.sop.steps[model.index].key
                assert (row.remaining is None) == (model.sop.steps[model.index].minutes is None)

    @invariant()
    def one_event_per_action(self) -> None:
        assert self._event_count() == self.events

    @invariant()
    def bookings_match_model_and_never_overlap(self) -> None:
        with self.svc.db.read() as s:
            rows = s.execute(select(NarasumberBooking).order_by(NarasumberBooking.id)).scalars()
            got = {
                r.id: ModelBooking(
                    r.narasumber_id, r.starts_at, r.ends_at, r.kind, r.status, r.case_id
                )
                for r in rows
            }
        assert got == self.bookings
        for person in self.persons:
            active = sorted(
                (b.start, b.end) for b in got.values() if b.person == person and b.status != "batal"
            )
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(active))

    def check_all(self) -> None:
        assert check_invariants(self.svc) == []


def test_engine_state_machine(sqlite_template, tmp_path, request):
    from hypothesis.stateful import run_state_machine_as_test

    machine_template(sqlite_template, tmp_path / "machine.sqlite")
    heavy = request.config.getoption("--heavy")
    original_teardown = EngineMachine.teardown

    def teardown(self: EngineMachine) -> None:
        try:
            self.check_all()
        finally:
            original_teardown(self)

    EngineMachine.teardown = teardown  # type: ignore[method-assign]
    try:
        run_state_machine_as_test(
            EngineMachine,
            settings=settings(
                max_examples=200 if heavy else 30,
                stateful_step_count=40 if heavy else 30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        EngineMachine.teardown = original_teardown  # type: ignore[method-assign]


class Draws:
    """Stands in for st.data(): hands out the given values in order."""

    def __init__(self, *values: object) -> None:
        self.values = list(values)

    def draw(self, _strategy: object) -> object:
        return self.values.pop(0)


def test_the_machine_walks_a_refusal_that_releases_bookings(sqlite_template, tmp_path):
    """The random runs seldom bring a Permintaan to its refusable step 4, so
    the machine's own rules walk one there once: bookings for the case
    (touching, overlapping, tentatif and definitif), the refusal releasing the
    tentatif ones, a booking made while the case is still open, released when
    the case ends refused. Every invariant is checked after every step."""
    machine_template(sqlite_template, tmp_path / "machine.sqlite")
    m = EngineMachine()

    def checked(step, *args: object) -> None:
        step(*args)
        m.database_matches_model()
        m.one_event_per_action()
        m.bookings_match_model_and_never_overlap()

    try:
        m.first_case("NARSUM-PERMINTAAN")
        (case_id,) = m.cases
        for _ in range(3):
            checked(m.complete, Draws(case_id), HOLDER, False)
        assert m.cases[case_id].sop.steps[m.cases[case_id].index].refuse_to
        first, second = (p for p, ok in sorted(m.persons.items()) if ok)
        (pending,) = (p for p, ok in m.persons.items() if not ok)
        book = m.book
        checked(book, Draws(first, case_id), "kadis", 0, 2, "kegiatan", True, True, None)
        checked(book, Draws(second, case_id), "kadis", 0, 2, "kegiatan", True, False, "Sesi 2")
        checked(book, Draws(first, case_id), "tu", 1, 1, "kegiatan", True, True, "x")  # overlaps
        checked(book, Draws(first, case_id), "tu", 2, 1, "kegiatan", True, True, "x")  # touches
        checked(book, Draws(first), "tu", 3, 1, "cuti", False, False, None)  # touches
        checked(book, Draws(pending), "tu", 5, 1, "kegiatan", False, False, "x")  # not approved
        assert [b.status for b in m.bookings.values()] == [
            "tentatif",
            "definitif",
            "tentatif",
            "definitif",
        ]
        checked(m.refuse, Draws(case_id), HOLDER, False)
        statuses = [b.status for b in m.bookings.values()]
        assert statuses == ["batal", "definitif", "batal", "definitif"]  # the block stays
        checked(book, Draws(first, case_id), "tu", 0, 1, "kegiatan", True, True, "Lagi")
        checked(m.complete, Draws(case_id), HOLDER, False)  # the letter: the case ends refused
        assert m.cases[case_id].status == "refused"
        assert [b.status for b in m.bookings.values()][-1] == "batal"
        checked(book, Draws(first, case_id), "tu", 6, 1, "kegiatan", True, True, "x")  # case ended
        assert len(m.bookings) == 5
        m.check_all()
    finally:
        m.teardown()
