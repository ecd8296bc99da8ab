"""The case engine on both backends: every action, permissions, stale
refusal, return loops, refusal, pause, versioning and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from soptui import audit
from soptui.db.models import CaseEvent, StepAttempt
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError, StaleError

pytestmark = pytest.mark.usefixtures("office")


def event_count(office) -> int:
    with office.svc.db.read() as s:
        return s.execute(select(func.count()).select_from(CaseEvent)).scalar_one()


def drive(office, case_id: int, steps: int) -> None:
    """Complete `steps` steps, each by a clerk holding the waiting role."""
    for _ in range(steps):
        row = office.svc.cases.detail(case_id).row
        office.svc.cases.complete(office.holder(row.waiting_role), case_id)
        office.clock.advance(minutes=3)


def test_start_case_waits_on_front_desk_for_requester_step(office):
    case_id = office.svc.cases.start(
        office.tu,
        "NARSUM-FASILITASI",
        title="Narasumber bimtek koperasi",
        requester="Dinas Koperasi Kab. Sambas",
        letter_no="005/123/DK",
        letter_date=date(2026, 3, 16),
        urgency="sangat segera",
    )
    row = office.svc.cases.detail(case_id).row
    assert row.status == "open"
    assert (row.step_key, row.step_position, row.step_count) == ("sampaikan-berkas", 1, 13)
    assert row.role == "pemohon" and row.waiting_role == "petugas-informasi-tu"
    assert row.urgency == "sangat_segera"
    # 5 working minutes from Tuesday 10:00 WIB
    assert office.local(row.due_at) == "2026-03-10 10:05"


def test_requester_step_is_recorded_on_behalf_by_front_desk(office):
    case_id = office.start("NARSUM-FASILITASI")
    office.svc.cases.complete(office.tu, case_id)
    detail = office.svc.cases.detail(case_id)
    first = detail.steps[0].attempts[0]
    assert first.acted_as == "requester" and first.actor_login == "tu"
    assert detail.row.step_key == "cek-berkas"


def test_not_your_role_is_refused_and_nothing_written(office):
    case_id = office.start("NARSUM-FASILITASI")
    before = event_count(office)
    with pytest.raises(PermissionDenied) as err:
        office.svc.cases.complete(office.sekda, case_id)
    assert "Petugas Informasi" in err.value.message()
    assert event_count(office) == before
    assert office.svc.cases.detail(case_id).row.version == 1


def test_admin_may_act_for_anyone_recorded_as_admin(office):
    case_id = office.start("NARSUM-FASILITASI")
    office.svc.cases.complete(office.admin, case_id)
    attempt = office.svc.cases.detail(case_id).steps[0].attempts[0]
    assert attempt.acted_as == "admin" and attempt.actor_login == "admin"


def test_stale_version_is_refused(office):
    case_id = office.start("NARSUM-FASILITASI")
    seen = office.svc.cases.detail(case_id).row.version
    office.svc.cases.complete(office.tu, case_id, expected_version=seen)
    with pytest.raises(StaleError):
        office.svc.cases.complete(office.tu, case_id, expected_version=seen)
    assert office.svc.cases.detail(case_id).row.step_key == "cek-berkas"


def test_complete_all_steps_closes_the_case(office):
    case_id = office.start("NARSUM-PERMINTAAN")
    drive(office, case_id, 5)
    detail = office.svc.cases.detail(case_id)
    assert detail.row.status == "closed"
    assert [sv.status for sv in detail.steps] == ["done"] * 5
    assert detail.row.waiting_role is None and detail.row.due_at is None
    with pytest.raises(RuleError):
        office.svc.cases.complete(office.teknis, case_id)


def test_return_goes_to_the_step_the_definition_names_and_opens_a_new_attempt(office):
    case_id = office.start("NARSUM-FASILITASI")
    drive(office, case_id, 6)  # now at step 7, Kabag corrects the draft
    assert office.svc.cases.detail(case_id).row.step_no == "7"
    target = office.svc.cases.return_for_revision(office.kabag, case_id, note="Perbaiki redaksi.")
    assert target == "buat-surat-balasan"
    detail = office.svc.cases.detail(case_id)
    assert detail.row.step_no == "6" and detail.row.waiting_role == "kasubbag-terkait"
    by_key = {sv.step.key: sv for sv in detail.steps}
    assert by_key["paraf-kabag"].status == "returned"
    assert [a.attempt_no for a in by_key["buat-surat-balasan"].attempts] == [1, 2]
    assert by_key["buat-surat-balasan"].status == "current"
    # the loop goes round again
    drive(office, case_id, 1)
    assert office.svc.cases.detail(case_id).row.step_no == "7"


def test_return_requires_a_note_and_an_earlier_target(office):
    case_id = office.start("NARSUM-FASILITASI")
    with pytest.raises(InputError):
        office.svc.cases.return_for_revision(office.tu, case_id, note="   ")
    with pytest.raises(RuleError):  # the first step has nothing before it
        office.svc.cases.return_for_revision(office.tu, case_id, note="x")
    drive(office, case_id, 3)
    with pytest.raises(RuleError):
        office.svc.cases.return_for_revision(office.karo, case_id, note="x", to="9")
    office.svc.cases.return_for_revision(office.karo, case_id, note="ulang", to="2")
    assert office.svc.cases.detail(case_id).row.step_no == "2"


def test_chosen_return_target_for_a_repeated_source_number_is_the_latest_earlier(office):
    # Pelaksanaan Diklat numbers its rows 1-7, 9, 8, 9.
    case_id = office.start("DIKLAT-PELAKSANAAN")
    drive(office, case_id, 9)
    row = office.svc.cases.detail(case_id).row
    assert (row.step_position, row.step_no) == (10, "9")
    office.svc.cases.return_for_revision(office.holder(row.waiting_role), case_id, note="x", to="9")
    assert office.svc.cases.detail(case_id).row.step_position == 8


def test_refusal_runs_the_notification_step_then_ends_refused(office):
    case_id = office.start("NARSUM-PERMINTAAN")
    drive(office, case_id, 3)
    row = office.svc.cases.detail(case_id).row
    assert row.step_key == "persetujuan-kadis"
    with pytest.raises(InputError):
        office.svc.cases.refuse(office.kadis, case_id, note="")
    office.svc.cases.refuse(office.kadis, case_id, note="Tidak ada narasumber yang sesuai.")
    row = office.svc.cases.detail(case_id).row
    assert row.status == "open" and row.step_key == "surat-konfirmasi"
    drive(office, case_id, 1)
    detail = office.svc.cases.detail(case_id)
    assert detail.row.status == "refused"
    assert [sv.status for sv in detail.steps][3:] == ["refused", "done"]


def test_refuse_is_refused_where_the_step_cannot_refuse(office):
    case_id = office.start("NARSUM-FASILITASI")
    with pytest.raises(RuleError):
        office.svc.cases.refuse(office.tu, case_id, note="tidak")


def test_pause_stops_the_clock_and_resume_moves_the_due_time(office):
    case_id = office.start("NARSUM-FASILITASI")  # Tue 10 Mar 2026 10:00, 5 min step
    due_before = office.svc.cases.detail(case_id).row.due_at
    office.clock.advance(minutes=2)
    with pytest.raises(InputError):
        office.svc.cases.pause(office.tu, case_id, note="")
    office.svc.cases.pause(office.tu, case_id, note="Menunggu berkas asli")
    with pytest.raises(RuleError):
        office.svc.cases.complete(office.tu, case_id)
    office.clock.advance(hours=24)  # Wed 10:02: a full working day waiting
    paused_row = office.svc.cases.list_cases(office.tu, view="paused")[0]
    assert paused_row.remaining == timedelta(minutes=3)  # frozen at the pause
    office.svc.cases.resume(office.tu, case_id)
    row = office.svc.cases.detail(case_id).row
    assert row.status == "open"
    assert row.due_at - due_before == timedelta(
        days=1
    )  # one working day (7.5 h) later
    office.clock.advance(minutes=1)
    office.svc.cases.complete(office.tu, case_id)
    attempt = office.svc.cases.detail(case_id).steps[0].attempts[0]
    assert attempt.worked_s == 3 * 60 and attempt.paused_s == 450 * 60


def test_an_action_is_never_dated_before_the_change_it_follows(office):
    """A clerk who read the clock before waiting for the lock (or whose
    clock runs behind) acts at the case's last change, not before it: a
    resume credits back no negative paused time and the timeline stays in
    order."""
    case_id = office.start("NARSUM-FASILITASI")
    office.svc.cases.pause(office.tu, case_id, note="Menunggu berkas asli")
    paused_at = office.svc.cases.detail(case_id).row.updated_at
    office.clock.advance(minutes=-1)
    office.svc.cases.resume(office.tu, case_id)
    detail = office.svc.cases.detail(case_id)
    assert detail.row.status == "open"
    assert detail.steps[0].attempts[0].paused_s == 0
    assert [e.at for e in detail.events] == sorted(e.at for e in detail.events)
    assert detail.events[-1].at == paused_at


def test_relatif_step_has_no_due_time(office):
    case_id = office.start("DIKLAT-PENGUSULAN")
    drive(office, case_id, 5)
    row = office.svc.cases.detail(case_id).row
    assert row.step_no == "6" and row.due_at is None and row.remaining is None
    assert not row.overdue


def test_due_time_follows_the_working_calendar_over_idul_fitri(office):
    """The issue's vector: a "2 Jam" step starting Tue 17 March 2026 15:00 WIB
    is due Wed 25 March 2026 08:30 WIB."""
    case_id = office.start("DIKLAT-PELAKSANAAN")
    drive(office, case_id, 3)
    office.clock.set("2026-03-17 15:00")
    office.svc.cases.complete(office.holder("pejabat-level-2"), case_id)
    row = office.svc.cases.detail(case_id).row
    assert row.step_no == "5"  # Pejabat Level 2 mengonsep kebutuhan: 2 Jam
    assert office.local(row.due_at) == "2026-03-25 08:30"


def test_notes_need_text_and_refuse_control_characters(office):
    case_id = office.start("NARSUM-PERMINTAAN")
    office.svc.cases.add_note(office.sekda, case_id, text="Harap ditindaklanjuti — 🙏 مرحبا")
    with pytest.raises(InputError):
        office.svc.cases.add_note(office.sekda, case_id, text="\x00")
    with pytest.raises(InputError):
        office.svc.cases.add_note(office.sekda, case_id, text="  \n ")
    detail = office.svc.cases.detail(case_id)
    assert [n.note for n in detail.notes] == ["Harap ditindaklanjuti — 🙏 مرحبا"]
    assert detail.row.version == 1  # a note conflicts with nobody


def test_checklist_items_toggle_for_the_current_step(office):
    case_id = office.start("DIKLAT-PENGUSULAN")
    drive(office, case_id, 2)
    row = office.svc.cases.detail(case_id).row
    step = office.svc.sop_definition("DIKLAT-PENGUSULAN").step(row.step_key)
    item = step.checklist[0]
    who = office.holder(row.waiting_role)
    office.svc.cases.set_checklist_item(who, case_id, item=item, checked=True)
    current = office.svc.cases.detail(case_id).steps[2].attempts[-1]
    assert current.checklist == (item,)
    office.svc.cases.set_checklist_item(who, case_id, item=item, checked=False)
    assert office.svc.cases.detail(case_id).steps[2].attempts[-1].checklist == ()
    with pytest.raises(InputError):
        office.svc.cases.set_checklist_item(who, case_id, item="bukan butir", checked=True)


def test_cancel_by_opener_or_admin_only(office):
    case_id = office.start("NARSUM-PERMINTAAN", by=office.teknis)
    with pytest.raises(PermissionDenied):
        office.svc.cases.cancel(office.sekda, case_id, note="salah input")
    office.svc.cases.cancel(office.teknis, case_id, note="salah input")
    detail = office.svc.cases.detail(case_id)
    assert detail.row.status == "cancelled" and detail.steps[0].status == "cancelled"


def test_unknown_case_and_sop(office):
    with pytest.raises(NotFoundError):
        office.svc.cases.complete(office.tu, 999)
    with pytest.raises(NotFoundError):
        office.start("TIDAK-ADA")
    with pytest.raises(InputError):
        office.svc.cases.start(office.tu, "NARSUM-PERMINTAAN", title="  ")
    with pytest.raises(InputError):
        office.svc.cases.start(office.tu, "NARSUM-PERMINTAAN", title="x", urgency="kilat")


def test_inbox_lists_my_work_most_urgent_first(office):
    late = office.start("NARSUM-PERMINTAAN", title="lama")  # due 10:05
    office.clock.advance(minutes=3)
    fresh = office.start("NARSUM-PERMINTAAN", title="baru")  # due 10:08
    other = office.start("NARSUM-FASILITASI", title="bukan saya")
    office.clock.advance(minutes=4)  # 10:07: the first is 2 minutes late
    mine = office.svc.cases.list_cases(office.teknis, view="mine")
    assert [r.id for r in mine] == [late, fresh]
    assert mine[0].overdue and not mine[1].overdue
    assert mine[0].remaining == -timedelta(minutes=2)
    assert mine[1].remaining == timedelta(minutes=1)
    assert [r.id for r in office.svc.cases.list_cases(office.teknis, view="overdue")] == [late]
    counts = office.svc.cases.counts(office.teknis)
    assert counts == {"mine": 2, "all": 3, "overdue": 1, "paused": 0, "closed": 0}
    assert [r.id for r in office.svc.cases.list_cases(None, view="all", search="SAYA")] == [other]
    assert office.svc.cases.list_cases(None, view="all", search="100%_") == []



def test_inbox_reads_follow_the_clock_the_page_and_the_clerk(office):
    """The inbox statements are built once per shape and reused: each call's
    clock, page and clerk still decide what they return."""
    cases = office.svc.cases
    late = office.start("NARSUM-PERMINTAAN", title="lama")  # due 10:05
    fresh = office.start("NARSUM-PERMINTAAN", title="baru")
    assert cases.list_cases(office.teknis, view="overdue") == []
    assert cases.counts(office.teknis)["overdue"] == 0
    office.clock.advance(minutes=10)
    assert [r.id for r in cases.list_cases(office.teknis, view="overdue")] == [late, fresh]
    assert cases.counts(office.teknis)["overdue"] == 2
    assert [r.id for r in cases.list_cases(office.teknis, view="mine", limit=1)] == [late]
    page_two = cases.list_cases(office.teknis, view="mine", limit=1, offset=1)
    assert [r.id for r in page_two] == [fresh]
    assert cases.list_cases(office.tu, view="mine") == []
    assert cases.counts(office.tu)["mine"] == 0

def test_every_action_appends_one_event_and_the_chain_verifies(office):
    case_id = office.start("NARSUM-FASILITASI")
    before = event_count(office)
    office.svc.cases.complete(office.tu, case_id)
    assert event_count(office) == before + 1
    office.svc.cases.add_note(office.sekda, case_id, text="catatan")
    assert event_count(office) == before + 2
    with office.svc.db.read() as s:
        report = audit.verify(s)
    assert report.ok and report.events == before + 2
    token = office.svc.cases.last_change()
    assert token.startswith(f"{before + 2}:")


def test_events_are_append_only(office):
    case_id = office.start("NARSUM-FASILITASI")
    office.svc.cases.add_note(office.sekda, case_id, text="asli")
    before = event_count(office)
    for statement in ("UPDATE case_events SET note = 'diubah'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"), office.svc.db.write() as s:
            s.execute(text(statement))
    if not office.svc.db.is_sqlite:
        with pytest.raises(DBAPIError, match="append-only"), office.svc.db.write() as s:
            s.execute(text("TRUNCATE case_events CASCADE"))
    assert event_count(office) == before


def test_audit_verify_names_a_tampered_row(office):
    """Someone with the owner's rights can drop the guard; the chain still tells."""
    case_id = office.start("NARSUM-FASILITASI")
    office.svc.cases.add_note(office.sekda, case_id, text="asli")
    with office.svc.db.write() as s:
        if office.svc.db.is_sqlite:
            s.execute(text("DROP TRIGGER case_events_no_update"))
        else:
            s.execute(text("ALTER TABLE case_events DISABLE TRIGGER case_events_no_change"))
        ev = s.execute(select(CaseEvent).where(CaseEvent.kind == "note")).scalar_one()
        ev.note = "diubah"
        bad_seq = ev.seq
    with office.svc.db.read() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_bad_seq == bad_seq and report.problem == "hash"


def test_new_sop_version_leaves_running_cases_pinned(office):
    old_case = office.start("NARSUM-PERMINTAAN")
    source = office.bundled_source("narsum-permintaan")
    new_source = source.replace("version = 1", "version = 2", 1).replace(
        'waktu = "10 Menit"', 'waktu = "1 Jam"', 1
    )
    with office.svc.db.write() as s:
        _, created = office.svc.catalogs.publish(s, new_source, origin="v2", at=office.clock())
        assert created
        # the same version with other text is refused
        with pytest.raises(RuleError):
            office.svc.catalogs.publish(s, new_source + "\n# x\n", origin="v2b", at=office.clock())
    new_case = office.start("NARSUM-PERMINTAAN")
    assert office.svc.cases.detail(old_case).row.sop_version == 1
    assert office.svc.cases.detail(new_case).row.sop_version == 2
    with office.svc.db.read() as s:
        attempts = s.execute(select(StepAttempt).order_by(StepAttempt.id)).scalars().all()
    assert len(attempts) == 2


def test_init_is_idempotent(office):
    assert office.svc.init() == (9, None)
    assert len(office.svc.sop_summaries()) == 9


def test_plh_acts_in_the_principals_roles_recorded_on_behalf(office):
    case_id = office.start("NARSUM-PERMINTAAN")
    drive(office, case_id, 3)  # now waiting on the Kepala Dinas (pejabat-level-1)
    with pytest.raises(PermissionDenied):
        office.svc.users.delegate(
            office.sekdis, "kadis", "sekdis", start=date(2026, 3, 9), end=date(2026, 3, 13)
        )
    office.svc.users.delegate(
        office.admin, "kadis", "sekdis", start=date(2026, 3, 9), end=date(2026, 3, 13),
        kind="plh", note="Kadis dinas luar",
    )
    plh = office.svc.users.actor("sekdis")
    assert plh.delegated == {"pejabat-level-1": "kadis"} and not plh.is_admin
    assert [r.id for r in office.svc.cases.list_cases(plh, view="mine")] == [case_id]
    office.svc.cases.complete(plh, case_id, note="Disetujui a.n. Kadis")
    detail = office.svc.cases.detail(case_id)
    attempt = detail.steps[3].attempts[0]
    assert (attempt.actor_login, attempt.acted_as, attempt.on_behalf_of) == (
        "sekdis", "delegate", "kadis")
    assert detail.events[-1].data["on_behalf_of"] == "kadis"


def test_delegation_only_counts_inside_its_dates_and_until_revoked(office):
    office.svc.users.delegate(
        office.admin, "kadis", "sekdis", start=date(2026, 3, 11), end=date(2026, 3, 12)
    )
    assert "pejabat-level-1" not in office.svc.users.actor("sekdis").roles  # 10 March
    office.clock.set("2026-03-11 08:00")
    assert "pejabat-level-1" in office.svc.users.actor("sekdis").roles
    (delegation,) = office.svc.users.delegations()
    office.svc.users.revoke_delegation(office.admin, delegation.id)
    assert "pejabat-level-1" not in office.svc.users.actor("sekdis").roles
    with pytest.raises(NotFoundError):
        office.svc.users.revoke_delegation(office.admin, delegation.id)
    with pytest.raises(InputError):
        office.svc.users.delegate(
            office.admin, "kadis", "kadis", start=date(2026, 3, 11), end=date(2026, 3, 12)
        )
    with pytest.raises(InputError):
        office.svc.users.delegate(
            office.admin, "kadis", "sekdis", start=date(2026, 3, 12), end=date(2026, 3, 11)
        )
