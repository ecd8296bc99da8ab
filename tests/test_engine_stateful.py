"""A hypothesis state machine over the case engine: random clerks (some
without the role), stale views and arbitrary Unicode notes against a simple
model of the rules. After every step the database must match the model, every
successful action must have added exactly its events, and the audit chain
must verify."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from app_fixtures import CLERKS, FakeClock
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
from soptui.errors import InputError, PermissionDenied, RuleError, StaleError
from soptui.service import Soptui

SOPS = ["NARSUM-PERMINTAAN", "NARSUM-FASILITASI", "DIKLAT-PENGUSULAN", "DIKLAT-BAHAN"]
LOGINS = [*CLERKS, "admin", "outsider"]
HOLDER = "<holder>"  # the clerk holding the waiting role: keeps cases moving
STALE = st.sampled_from([False] * 5 + [True])  # a view read before someone else acted
ACTORS = st.sampled_from([*LOGINS, *[HOLDER] * (2 * len(LOGINS))])
NOTE_MAX = 4000


def note_is_valid(text: str | None) -> bool:
    """The rule for required notes: trimmed, not empty, no control characters
    but tab and newline, at most NOTE_MAX characters."""
    if text is None:
        return False
    body = text.strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in body):
        return False
    return 0 < len(body) <= NOTE_MAX


class ModelCase:
    def __init__(self, sop: SopDefinition) -> None:
        self.sop = sop
        self.index = 0
        self.status = "open"
        self.refusing = False
        self.version = 1


class EngineMachine(RuleBasedStateMachine):
    template: Path

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="soptui-hyp-"))
        shutil.copyfile(self.template, self.dir / "db.sqlite")
        self.clock = FakeClock()
        self.svc = Soptui(f"sqlite:///{self.dir / 'db.sqlite'}", clock=self.clock)
        admin = self.svc.users.actor("admin")
        self.svc.users.add(admin, "outsider", name="Tamu", roles=[])  # a clerk with no role
        self.actors = {u.login: self.svc.users.actor(u.login) for u in self.svc.users.list()}
        self.defs = {code: self.svc.sop_definition(code) for code in SOPS}
        self.cases: dict[int, ModelCase] = {}
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
        valid = len(body) > 0 and not any(
            unicodedata.category(c) == "Cc" and c not in "\t\n" for c in body
        )
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
        applied = self.run(
            err,
            lambda: self.svc.cases.complete(self.actors[login], case_id, expected_version=version),
            case_id,
            added,
        )
        if applied:
            self.advance(case)

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
        if err is None and not step.refuse_to:
            err = RuleError
        added = 2 if step.refuse_to == "end" else 1
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
            if step.refuse_to == "end":
                case.status = "refused"
            else:
                case.refusing = True
                case.index = case.sop.step(step.refuse_to).index

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

    def check_all(self) -> None:
        assert check_invariants(self.svc) == []


def test_engine_state_machine(sqlite_template, request):
    from hypothesis.stateful import run_state_machine_as_test

    EngineMachine.template = sqlite_template
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
