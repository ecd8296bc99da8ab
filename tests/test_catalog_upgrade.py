"""`soptui init` on a database of the first release (both backends): the SOPs
whose reading changed arrive as new versions, the cases in flight stay on the
version they started on (with its rules), and a file whose comments alone
changed keeps its published version.

tests/sops_release_1/ holds the first release's text of the four files that
changed since; the other five are as bundled."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_fixtures import FakeClock

from soptui import catalog_store
from soptui.errors import RuleError
from soptui.service import Soptui

RELEASE_1 = Path(__file__).parent / "sops_release_1"
BUNDLED = catalog_store.bundled_sources()  # this release's, before any patching
CLERKS = {"anggota": "anggota-tim-kerja", "ketua": "ketua-tim-kerja", "level2": "pejabat-level-2"}


def release_1_sources() -> list[tuple[str, str]]:
    old = {p.name: p.read_text(encoding="utf-8") for p in RELEASE_1.glob("*.toml")}
    return [(name, old.get(Path(name).name, source)) for name, source in BUNDLED]


@pytest.fixture
def first_release(db_url: str, monkeypatch: pytest.MonkeyPatch):
    """A database initialised by the first release, with one clerk per
    Pendaftaran role; yields (service, clock, monkeypatch)."""
    clock = FakeClock()
    svc = Soptui(db_url, clock=clock)
    with monkeypatch.context() as m:
        m.setattr(catalog_store, "bundled_sources", release_1_sources)
        svc.init(admin_login="admin")
    admin = svc.users.actor("admin")
    for login, role in CLERKS.items():
        svc.users.add(admin, login, name=login.title(), roles=[role])
    yield svc, clock, monkeypatch
    svc.close()


def drive(svc: Soptui, clock: FakeClock, case_id: int, steps: int) -> None:
    holders = {role: svc.users.actor(login) for login, role in CLERKS.items()}
    for _ in range(steps):
        row = svc.cases.detail(case_id).row
        svc.cases.complete(holders[row.waiting_role or ""], case_id)
        clock.advance(minutes=3)


def versions(svc: Soptui) -> dict[str, int]:
    return {s.code: s.version for s in svc.sop_summaries()}


def test_the_release_files_are_version_1_of_what_is_bundled() -> None:
    bundled = dict(BUNDLED)
    for path in sorted(RELEASE_1.glob("*.toml")):
        old, new = path.read_text(encoding="utf-8"), bundled[f"soptui/sops/{path.name}"]
        assert old != new and "\nversion = 1\n" in old, path.name


def test_init_publishes_the_new_versions_and_cases_in_flight_keep_theirs(first_release):
    svc, clock, _ = first_release
    assert set(versions(svc).values()) == {1}
    nr = svc.narasumber
    anggota = svc.users.actor("anggota")
    # In flight when the office upgrades: one at the Ketua's decision, one at step 5.
    waiting = nr.register(anggota, name="Lina Marlina", topics=["Koperasi"])
    drive(svc, clock, waiting.registration_case_id, 3)
    at_letter = nr.register(anggota, name="Yusuf Hidayat", topics=["UMKM"])
    drive(svc, clock, at_letter.registration_case_id, 4)
    assert nr.get(at_letter.id).status == "disetujui"  # version 1: the Ketua approves

    count, admin = svc.init()  # the upgrade: the bundled catalog of this release
    assert (count, admin) == (9, None)
    now = versions(svc)
    assert now.pop("NARSUM-PENDAFTARAN") == 2 and now.pop("DIKLAT-KONSULTASI") == 2
    assert set(now.values()) == {1}  # Pelaksanaan and Fasilitasi: comments only
    assert svc.init() == (9, None)  # and again: nothing more

    # The cases in flight stay on version 1, with its rule.
    for person in (waiting, at_letter):
        assert svc.cases.detail(person.registration_case_id).row.sop_version == 1
    drive(svc, clock, waiting.registration_case_id, 1)
    assert nr.get(waiting.id).status == "disetujui"
    drive(svc, clock, at_letter.registration_case_id, 1)
    assert svc.cases.detail(at_letter.registration_case_id).row.status == "closed"

    # A registration from now on runs version 2: approved only at step 5.
    fresh = nr.register(anggota, name="Maya Sari", topics=["Pemasaran"])
    detail = svc.cases.detail(fresh.registration_case_id)
    assert detail.row.sop_version == 2 and detail.sop.step("kirim-surat-keterangan").decision
    drive(svc, clock, fresh.registration_case_id, 4)
    assert nr.get(fresh.id).status == "diverifikasi"
    drive(svc, clock, fresh.registration_case_id, 1)
    assert nr.get(fresh.id).status == "disetujui"
    konsultasi = svc.cases.start(svc.users.actor("ketua"), "DIKLAT-KONSULTASI", title="Tanya")
    assert svc.cases.detail(konsultasi).sop.step("koreksi-level-1").return_to == (
        "identifikasi-jawaban"
    )


def test_a_bundled_file_that_changes_steps_without_a_new_version_is_refused(first_release):
    svc, _, monkeypatch = first_release
    changed = [
        (name, source.replace("version = 2", "version = 1", 1))
        if name.endswith("narsum-pendaftaran.toml")
        else (name, source)
        for name, source in BUNDLED
    ]
    monkeypatch.setattr(catalog_store, "bundled_sources", lambda: changed)
    with pytest.raises(RuleError) as err:
        svc.init()
    assert "NARSUM-PENDAFTARAN" in err.value.message()
    # Nothing written: not even Konsultasi's version 2, published before it in the run.
    assert set(versions(svc).values()) == {1}
