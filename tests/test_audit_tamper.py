"""The audit trail against an attacker with a copy of the database and the
source code (issue 13, part 1): each tampering is done as they would - the
append-only triggers dropped, plain SQL on the database's own connection, the
chain recomputed with soptui's own functions - and `verify` must catch it and
name it. Both backends where the tampering applies.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from soptui import audit
from soptui.audit import headlog
from soptui.audit.keys import DEV_KEY, AuditKeyError, load_or_create_key, rotate_key
from soptui.errors import RuleError
from soptui.narasumber import parse_range
from soptui.service import Soptui

pytestmark = pytest.mark.usefixtures("office")


def _drive(office, case_id: int, steps: int) -> None:
    for _ in range(steps):
        row = office.svc.cases.detail(case_id).row
        office.svc.cases.complete(office.holder(row.waiting_role), case_id)
        office.clock.advance(minutes=3)


@pytest.fixture
def keyed(office, tmp_path: Path) -> Iterator:
    """The office served with a real key (the server's), a day of work done."""
    key = load_or_create_key(tmp_path / "keys" / "audit.key")
    svc = Soptui(office.svc.db.url, clock=office.clock, audit_key=key)
    assert svc.seal_trail()  # the dev-sealed trail adopted: a baseline
    office.svc.close()
    office.svc = svc
    office.key = key
    case_id = office.start("NARSUM-FASILITASI")
    _drive(office, case_id, 2)
    other = office.start("NARSUM-FASILITASI", title="Kedua")
    svc.cases.add_note(office.sekda, other, text="catatan")
    person = svc.narasumber.register(
        office.anggota, name="Dr. Contoh Narasumber", topics=["Tata kelola"]
    )
    _drive(office, person.registration_case_id, 5)
    svc.narasumber.book(
        office.tu,
        person.id,
        *parse_range("2026-12-02 08:00", "2026-12-02 10:00"),
        activity="Bimtek",
    )
    svc.letters.register_incoming(office.tu, sender="Dinas X", number="100/1", perihal="Undangan")
    out = svc.letters.issue_number(office.tu, klasifikasi="005", perihal="Balasan")
    svc.letters.issue_number(office.tu, klasifikasi="005", perihal="Lain")
    svc.letters.void(office.tu, out.number, note="salah tulis")
    svc.users.delegate(
        office.admin,
        "karo",
        "kabag",
        start=date(2026, 3, 10),
        end=date(2026, 3, 12),
        kind="plh",
        note="SP 1",
    )
    with svc.db.write() as s:
        svc.calendars.add_override(
            s,
            kind="closed",
            start=date(2026, 4, 1),
            end=date(2026, 4, 1),
            note="Cuti bersama",
            at=office.clock(),
            by=office.admin.id,
        )
    report = svc.audit_verify()
    assert report.ok, report
    office.case_id, office.person_id = case_id, person.id
    yield office


def attacker(office) -> Connection:
    """A raw connection with the guards dropped, as the database owner would."""
    # Its own connection, not one from the service's pool (the settings below
    # must not leak into the service's connections).
    conn = create_engine(office.svc.db.engine.url, poolclass=NullPool).connect()
    if office.svc.db.is_sqlite:
        for name in (
            "case_events_no_update",
            "case_events_no_delete",
            "audit_seals_no_update",
            "audit_seals_no_delete",
            "narasumber_bookings_no_overlap_insert",
            "narasumber_bookings_no_overlap_update",
        ):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(text("PRAGMA foreign_keys=OFF"))
    else:
        conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        conn.execute(text("ALTER TABLE audit_seals DISABLE TRIGGER USER"))
        conn.execute(
            text(
                "ALTER TABLE narasumber_bookings DROP CONSTRAINT IF EXISTS "
                "ex_narasumber_bookings_no_overlap"
            )
        )
        conn.execute(text("SET session_replication_role = replica"))  # no FK checks
    conn.commit()
    return conn


def verify(office, against: list[str] | None = None):
    return office.svc.audit_verify(against)


def last_seq(conn: Connection) -> int:
    return int(conn.execute(text("SELECT max(seq) FROM case_events")).scalar_one())


def set_head(conn: Connection, seq: int) -> None:
    value = "0:" + audit.GENESIS
    if seq:
        value = (
            f"{seq}:"
            + conn.execute(
                text("SELECT hash FROM case_events WHERE seq = :s"), {"s": seq}
            ).scalar_one()
        )
    conn.execute(text("UPDATE settings SET value = :v WHERE key = 'audit_head'"), {"v": value})


def rechain(conn: Connection, start: int = 1) -> None:
    """Recompute the keyless chain from `start` with soptui's own functions,
    and the head: what a copy of the code lets anyone do."""
    from sqlalchemy.orm import Session

    from soptui.db.models import CaseEvent

    with Session(bind=conn) as s:
        events = list(
            s.execute(
                select(CaseEvent).where(CaseEvent.seq >= start).order_by(CaseEvent.seq)
            ).scalars()
        )
        prev = audit.GENESIS if start == 1 else s.get(CaseEvent, start - 1).hash
        for ev in events:
            ev.prev_hash = prev
            ev.hash = prev = audit.chain_hash(prev, audit.event_content(ev))
        s.flush()
    set_head(conn, last_seq(conn))


# --- the event chain ---


def test_the_last_events_deleted_and_the_head_set_back(keyed):
    conn = attacker(keyed)
    top = last_seq(conn)
    conn.execute(text("DELETE FROM case_events WHERE seq > :s"), {"s": top - 5})
    set_head(conn, top - 5)
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "truncated" and report.first_bad_seq == top - 4


def test_events_and_their_seals_deleted_show_against_the_head_log(keyed, tmp_path):
    log = headlog.HeadLog(tmp_path / "head.log")
    log.record(keyed.svc)
    conn = attacker(keyed)
    top = last_seq(conn)
    for table in ("narasumber_events", "case_events", "audit_seals"):
        conn.execute(text(f"DELETE FROM {table} WHERE seq > :s"), {"s": top - 5})
    set_head(conn, top - 5)
    conn.commit()
    report = verify(keyed, headlog.read_lines(tmp_path / "head.log"))
    assert not report.ok and report.problem == "log_truncated" and report.first_bad_seq == top
    assert report.row == "1"  # the log's line
    # Without the log: the rows those events made have no sealed record left.
    report = verify(keyed)
    assert not report.ok and report.problem == "state" and report.first_bad_seq is None


def test_every_event_and_the_head_deleted(keyed, tmp_path):
    log = headlog.HeadLog(tmp_path / "head.log")
    log.record(keyed.svc)
    conn = attacker(keyed)
    for table in ("narasumber_events", "case_events", "audit_seals"):
        conn.execute(text(f"DELETE FROM {table}"))
    conn.execute(text("DELETE FROM settings WHERE key = 'audit_head'"))
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "state" and report.row == "users 1"
    report = verify(keyed, headlog.read_lines(tmp_path / "head.log"))
    assert not report.ok and report.problem == "log_truncated"


def test_an_event_edited_and_the_chain_recomputed(keyed):
    conn = attacker(keyed)
    seq = conn.execute(text("SELECT seq FROM case_events WHERE kind = 'note'")).scalar_one()
    conn.execute(text("UPDATE case_events SET note = 'diubah' WHERE seq = :s"), {"s": seq})
    rechain(conn, seq)
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "rewritten" and report.first_bad_seq == seq


def test_events_deleted_renumbered_and_rechained(keyed):
    conn = attacker(keyed)
    seq = conn.execute(text("SELECT seq FROM case_events WHERE kind = 'note'")).scalar_one()
    conn.execute(text("DELETE FROM case_events WHERE seq = :s"), {"s": seq})
    conn.execute(text("UPDATE narasumber_events SET seq = seq - 1 WHERE seq > :s"), {"s": seq})
    conn.execute(text("UPDATE case_events SET seq = seq - 1 WHERE seq > :s"), {"s": seq})
    rechain(conn, seq)
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "rewritten" and report.first_bad_seq == seq


def test_a_whole_chain_resealed_with_the_public_dev_key(keyed):
    """The development key is in the source: a trail forged with it fails
    under the server's key."""
    conn = attacker(keyed)
    conn.execute(text("DELETE FROM audit_seals"))
    conn.commit()
    forger = Soptui(keyed.svc.db.url, clock=keyed.clock)  # dev key
    try:
        forger.cases.add_note(keyed.sekda, keyed.case_id, text="palsu")  # resealed as a baseline
    finally:
        forger.close()
    report = verify(keyed)
    assert not report.ok and report.problem == "devonly"


def test_a_forged_seal(keyed):
    conn = attacker(keyed)
    top = conn.execute(text("SELECT max(seq) FROM audit_seals")).scalar_one()
    conn.execute(text("UPDATE audit_seals SET mac = :m WHERE seq = :s"), {"m": "0" * 64, "s": top})
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "seal" and report.first_bad_seq == top


# --- the state tables ---

STATE_EDITS = [
    (
        "cases",
        "UPDATE cases SET status = 'closed', outcome = 'closed' WHERE id = {case}",
        "cases {case}",
    ),
    (
        "attempts",
        "UPDATE step_attempts SET actor_id = 1, outcome = 'done' WHERE case_id = {case}",
        "cases {case}",
    ),
    ("case version", "UPDATE cases SET version = version + 1 WHERE id = {case}", "cases {case}"),
    ("users", "UPDATE users SET name = 'Orang Lain' WHERE login = 'tu'", "users 2"),
    ("roles", "INSERT INTO user_roles (user_id, role_key) VALUES (2, 'admin')", "users 2"),
    ("delegation", "UPDATE delegations SET end_date = '2027-12-31'", "delegations 1"),
    ("calendar", "UPDATE calendar_overrides SET kind = 'open'", "calendar_overrides 1"),
    (
        "letter voided undone",
        "UPDATE letters SET voided_at = NULL, void_note = NULL WHERE voided_at IS NOT NULL",
        "letters 2",
    ),
    ("letter number", "UPDATE letters SET number = 'X/1' WHERE id = 3", "letters 3"),
    ("counter", "UPDATE letter_counters SET last_seq = 0 WHERE direction = 'out'", None),
    ("booking moved", "UPDATE narasumber_bookings SET location = 'Jauh'", "narasumber_bookings 1"),
    ("person", "UPDATE narasumber SET phone = '0800' WHERE id = {person}", "narasumber {person}"),
    ("setting", "INSERT INTO settings (key, value) VALUES ('extra', '1')", "settings extra"),
]


@pytest.mark.parametrize(
    "sql,row", [(s, r) for _, s, r in STATE_EDITS], ids=[n for n, _, _ in STATE_EDITS]
)
def test_a_state_row_edited_directly_is_named(keyed, sql, row):
    conn = attacker(keyed)
    conn.execute(text(sql.format(case=keyed.case_id, person=keyed.person_id)))
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "state"
    if row is None:
        assert report.row.startswith("letter_counters out|005|")
    else:
        assert report.row == row.format(case=keyed.case_id, person=keyed.person_id)


def test_an_overlapping_booking_inserted_past_its_guard(keyed):
    conn = attacker(keyed)
    conn.execute(
        text(
            "INSERT INTO narasumber_bookings (id, narasumber_id, kind, status, starts_at,"
            " ends_at, activity, created_at, updated_at) SELECT 99, narasumber_id, kind,"
            " status, starts_at, ends_at, 'Bentrok', created_at, updated_at"
            " FROM narasumber_bookings WHERE id = 1"
        )
    )
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "state" and report.row == "narasumber_bookings 99"
    assert report.first_bad_seq is None  # no event ever made it


def test_an_sop_source_edited(keyed):
    conn = attacker(keyed)
    sop_id = conn.execute(text("SELECT min(id) FROM sop_versions")).scalar_one()
    conn.execute(
        text("UPDATE sop_versions SET source = source || ' ' WHERE id = :i"), {"i": sop_id}
    )
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "sop_hash" and report.row == f"sop_versions {sop_id}"


def test_an_sop_source_edited_with_its_hash(keyed):
    from soptui.catalog_store import content_hash

    conn = attacker(keyed)
    sop_id, source = conn.execute(text("SELECT id, source FROM sop_versions ORDER BY id")).first()
    forged = source.replace("Ketua", "Anggota")
    conn.execute(
        text("UPDATE sop_versions SET source = :s, content_hash = :h WHERE id = :i"),
        {"s": forged, "h": content_hash(forged), "i": sop_id},
    )
    conn.commit()
    report = verify(keyed)
    assert not report.ok and report.problem == "state" and report.row == f"sop_versions {sop_id}"


# --- a forged row does not wedge the office ---


def test_a_forged_event_with_the_next_seq_refuses_writes_in_one_line(keyed):
    conn = attacker(keyed)
    top = last_seq(conn)
    conn.execute(
        text(
            "INSERT INTO case_events (seq, at, kind, data, prev_hash, hash) "
            "SELECT seq + 1, at, 'note', data, hash, hash FROM case_events WHERE seq = :s"
        ),
        {"s": top},
    )
    conn.commit()
    problem = keyed.svc.trail_problem()
    assert problem is not None and "soptui audit verify" in problem and "\n" not in problem
    with pytest.raises(RuleError) as err:
        keyed.svc.cases.add_note(keyed.sekda, keyed.case_id, text="tidak tersimpan")
    assert err.value.key == "err.audit_damaged"
    report = verify(keyed)
    assert not report.ok and report.first_bad_seq == top + 1


def test_the_dev_key_may_not_write_to_a_server_sealed_trail(keyed):
    dev = Soptui(keyed.svc.db.url, clock=keyed.clock)
    try:
        with pytest.raises(RuleError) as err:
            dev.cases.add_note(keyed.sekda, keyed.case_id, text="x")
        assert err.value.key == "err.audit_dev_key"
    finally:
        dev.close()
    assert verify(keyed).ok


# --- keys, rotation, legacy, head log ---


def test_key_rotation_keeps_old_seals_verifiable(keyed, tmp_path):
    new = rotate_key(tmp_path / "keys" / "audit.key")
    assert new.key_id != keyed.key.key_id
    svc = Soptui(keyed.svc.db.url, clock=keyed.clock, audit_key=new)
    try:
        svc.cases.add_note(keyed.sekda, keyed.case_id, text="sesudah rotasi")
        report = svc.audit_verify()
        assert report.ok and report.key_ids[-2:] == (keyed.key.key_id, new.key_id)
    finally:
        svc.close()
    assert not verify(keyed).ok  # the old key alone does not know the new one


def test_head_log_lines_check_and_a_rewrite_shows(keyed, tmp_path):
    log = headlog.HeadLog(tmp_path / "head.log")
    first = log.record(keyed.svc)
    assert first is not None and log.record(keyed.svc) is None  # unchanged: no line
    assert log.record(keyed.svc, force=True) is not None  # at shutdown, always
    path = tmp_path / "head.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    seq, key_id, mac, stamp = path.read_text().splitlines()[0].split()
    assert (int(seq), key_id) == (first.seq, keyed.key.key_id) and len(mac) == 64 and stamp
    report = verify(keyed, headlog.read_lines(path))
    assert report.ok and report.logged == 2
    conn = attacker(keyed)
    seq_note = conn.execute(text("SELECT seq FROM case_events WHERE kind = 'note'")).scalar_one()
    conn.execute(text("UPDATE case_events SET note = 'diubah' WHERE seq = :s"), {"s": seq_note})
    rechain(conn, seq_note)
    conn.execute(text("DELETE FROM audit_seals"))
    conn.commit()
    report = verify(keyed, headlog.read_lines(path))
    assert not report.ok


def test_a_keyless_trail_migrates_to_seals(office, tmp_path):
    """A trail from before the seals: verified as legacy up to its last event;
    the server's first start seals a baseline; later edits of old rows show."""
    conn = attacker(office)
    conn.execute(text("DELETE FROM audit_seals"))  # as revision 0004 left it
    conn.commit()
    report = office.svc.audit_verify()
    events = report.events
    assert report.ok and report.legacy_upto == events and report.seals == 0
    key = load_or_create_key(tmp_path / "k" / "audit.key")
    svc = Soptui(office.svc.db.url, clock=office.clock, audit_key=key)
    try:
        assert svc.seal_trail() and not svc.seal_trail()
        report = svc.audit_verify()
        assert report.ok and report.legacy_upto == events and report.key_ids == (key.key_id,)
        conn.execute(text("UPDATE users SET name = 'X' WHERE login = 'karo'"))
        conn.commit()
        report = svc.audit_verify()
        assert not report.ok and report.problem == "state" and report.row.startswith("users ")
    finally:
        svc.close()


def test_key_file_is_private_and_refused_when_not(tmp_path):
    path = tmp_path / "srv" / "audit.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_key(path) == key and len(key.secret) == 32 and not key.is_dev
    assert key.key_id != DEV_KEY.key_id
    os.chmod(path, 0o640)
    with pytest.raises(AuditKeyError) as err:
        load_or_create_key(path)
    assert err.value.key == "err.audit_key_mode" and str(path) in err.value.message()
    os.chmod(path, 0o600)
    path.write_text("rusak\n")
    with pytest.raises(AuditKeyError):
        load_or_create_key(path)


def test_an_admin_moves_the_forged_rows_out_and_writes_work_again(keyed):
    conn = attacker(keyed)
    top = last_seq(conn)
    conn.execute(
        text(
            "INSERT INTO case_events (seq, at, kind, data, prev_hash, hash) "
            "SELECT seq + 1, at, 'note', data, hash, hash FROM case_events WHERE seq = :s"
        ),
        {"s": top},
    )
    conn.commit()
    conn.close()
    with pytest.raises(RuleError):
        keyed.svc.audit_repair_tail(keyed.tu)  # admins only
    assert keyed.svc.audit_repair_tail(keyed.admin) == 1
    assert keyed.svc.trail_problem() is None
    keyed.svc.cases.add_note(keyed.sekda, keyed.case_id, text="tersimpan lagi")
    report = verify(keyed)
    assert report.ok, report
    with keyed.svc.db.read() as s:
        from soptui.db.models import CaseEvent

        repaired = s.execute(
            select(CaseEvent).where(CaseEvent.kind == "trail_repaired")
        ).scalar_one()
        assert [e["seq"] for e in repaired.data["events"]] == [top + 1]
        # the guard is back
        from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError), keyed.svc.db.engine.begin() as c:
        c.execute(text("DELETE FROM case_events WHERE seq = 1"))
    with pytest.raises(RuleError) as err:
        keyed.svc.audit_repair_tail(keyed.admin)  # nothing to repair
    assert err.value.key == "err.audit_no_repair"


def test_cli_audit_head_and_verify_against_the_log(run, office_url, tmp_path):
    """Through the server: `audit head` gives a head-log line, `audit verify
    --against` checks it; a cut-back trail fails in one line, exit 1."""
    code, out, err = run("--user", "admin", "audit", "head")
    assert code == 0, err
    seq, key_id, mac, _stamp = out.strip().split()
    assert int(seq) > 0 and key_id == "dev" and len(mac) == 64
    log = tmp_path / "head.log"
    log.write_text(out)
    code, out, err = run("--user", "admin", "audit", "verify", "--against", str(log))
    assert code == 0 and "Cocok dengan log kepala: 1 baris" in out, (out, err)
    conn = create_engine(office_url, poolclass=NullPool).connect()
    if conn.dialect.name == "sqlite":
        for name in ("case_events_no_delete", "audit_seals_no_delete"):
            conn.execute(text(f"DROP TRIGGER {name}"))
    else:
        conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        conn.execute(text("ALTER TABLE audit_seals DISABLE TRIGGER USER"))
    top = last_seq(conn)
    for table in ("narasumber_events", "case_events", "audit_seals"):
        conn.execute(text(f"DELETE FROM {table} WHERE seq > :s"), {"s": top - 2})
    set_head(conn, top - 2)
    conn.commit()
    conn.close()
    code, out, err = run("--user", "admin", "audit", "verify", "--against", str(log))
    assert code == 1 and "Traceback" not in err
    assert err.strip().count("\n") == 0 and "log kepala" in err, err
