"""A realistic demo database, placed relative to today so it always has
overdue and due-soon work. Every case is driven through the real engine with a
simulated clock, so its timeline and audit trail are genuine. Names and NIPs
are made up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from soptui.catalog import SopDefinition
from soptui.errors import SoptuiError
from soptui.identity import DEFAULT_DEMO_LOGIN, Actor
from soptui.service import Soptui

FIRST_NAMES = [
    "Sari",
    "Budi",
    "Rina",
    "Agus",
    "Dewi",
    "Hendra",
    "Yuliani",
    "Rudi",
    "Nurhayati",
    "Eko",
    "Fitri",
    "Joko",
    "Lestari",
    "Andi",
    "Maya",
    "Taufik",
    "Wulan",
    "Irwan",
    "Ratna",
    "Fajar",
    "Siti",
    "Dedi",
    "Indah",
    "Arif",
    "Mega",
    "Yusuf",
    "Kartini",
    "Bambang",
    "Nining",
    "Rizal",
]
LAST_NAMES = [
    "Pratama",
    "Wijaya",
    "Lestari",
    "Saputra",
    "Rahmawati",
    "Hidayat",
    "Kurniawan",
    "Syahputra",
    "Nugroho",
    "Handayani",
    "Setiawan",
    "Permata",
    "Gunawan",
    "Utami",
    "Firmansyah",
]
TITLES = {
    "NARSUM": [
        "Permohonan narasumber pelatihan koperasi simpan pinjam",
        "Permintaan narasumber bimtek pemasaran digital UMKM",
        "Narasumber sosialisasi tata kelola koperasi",
        "Permohonan narasumber akuntansi koperasi",
        "Narasumber pelatihan kewirausahaan pemuda",
        "Permintaan narasumber literasi keuangan UMKM",
        "Narasumber workshop sertifikasi halal UMKM",
        "Pendaftaran narasumber pengembangan produk",
    ],
    "DIKLAT": [
        "Diklat perkoperasian angkatan I",
        "Bimtek manajemen usaha mikro",
        "Pelatihan pemasaran online bagi UMKM",
        "Diklat pengawas koperasi",
        "Pelatihan pengemasan produk UMKM",
        "Bimtek laporan keuangan koperasi",
        "Pelatihan kewirausahaan perempuan",
        "Diklat teknis pegawai Dinas",
    ],
}
REQUESTERS = [
    "Dinas Koperasi Kab. Sambas",
    "Dinas Koperasi Kota Pontianak",
    "Bappeda Kab. Ketapang",
    "Koperasi Serba Usaha Maju Bersama",
    "Universitas Tanjungpura",
    "Dinas Perindag Kab. Sanggau",
    "Kementerian Koperasi dan UKM",
    "Forum UMKM Kalbar",
    "Dinas Koperasi Kab. Kubu Raya",
    "BPSDM Provinsi Kalimantan Barat",
]
NOTES = [
    "Mohon segera ditindaklanjuti.",
    "Sudah dikoordinasikan via telepon.",
    "Berkas lengkap.",
    "Harap dicek kembali lampirannya.",
    "Disposisi: harap ditindaklanjuti.",
]
RETURN_NOTES = [
    "Lampiran belum lengkap, mohon dilengkapi.",
    "Perbaiki redaksi paragraf kedua.",
    "Nomor surat rujukan keliru.",
]


class _SimulatedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _nip(rng: random.Random, n: int) -> str:
    born = datetime(1968 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
    start = born.year + 23 + rng.randrange(6)
    return f"{born:%Y%m%d}{start}{1 + rng.randrange(12):02d}{1 + rng.randrange(2)}{n:03d}"


def _front_desk_roles(definitions: list[SopDefinition]) -> set[str]:
    return {r.recorded_by for d in definitions for r in d.roles if r.external and r.recorded_by}


def build_demo(svc: Soptui, *, seed: int = 2026, now: datetime | None = None) -> tuple[int, int]:
    """Initialise the database and fill it. Returns (users, cases)."""
    real_now = (now or svc.clock()).astimezone(UTC)
    svc.init(admin_login=DEFAULT_DEMO_LOGIN)
    svc.mark_demo()
    rng = random.Random(seed)
    with svc.db.read() as s:
        definitions = [
            svc.catalogs.definition(s, summary.id) for summary in svc.catalogs.summaries(s)
        ]
    internal_roles: dict[str, str] = {}
    for d in definitions:
        for r in d.roles:
            if not r.external:
                internal_roles.setdefault(r.key, r.name)

    admin = svc.users.actor(DEFAULT_DEMO_LOGIN)
    # The demo login works the front desk and the team roles, so a newcomer
    # sees a full inbox at once.
    demo_roles = sorted(
        _front_desk_roles(definitions) | {k for k in internal_roles if "anggota" in k}
    )
    with svc.db.write() as s:
        from soptui.db.models import User, UserRole

        user = s.get(User, admin.id)
        assert user is not None
        user.name = "Demo Pengguna"
        user.jabatan = "Pengadministrasi Umum"
        for key in demo_roles:
            user.roles.append(UserRole(role_key=key))

    actors_by_role: dict[str, list[Actor]] = {}
    n = 1
    for key, name in sorted(internal_roles.items()):
        for _ in range(2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            login = f"{first.lower()}.{last.lower()}"[:30]
            while any(u.login == login for u in svc.users.list()):
                login = f"{login[:27]}{n}"
            svc.users.add(
                admin, login, name=f"{first} {last}", roles=[key], nip=_nip(rng, n), jabatan=name
            )
            actors_by_role.setdefault(key, []).append(svc.users.actor(login))
            n += 1
    admin = svc.users.actor(DEFAULT_DEMO_LOGIN)
    for key in demo_roles:
        actors_by_role.setdefault(key, []).append(admin)

    clock = _SimulatedClock(real_now)
    sim = Soptui(svc.db.url, clock=clock, tz=svc.tz, audit_key=svc.audit_key)
    cases = 0
    try:
        with sim.db.read() as s:
            cal = sim.calendars.calendar(s)
        for d in definitions:
            family = "NARSUM" if d.code.startswith("NARSUM") else "DIKLAT"
            for i in range(7):
                _one_case(sim, clock, cal, d, rng, actors_by_role, admin, real_now, family, i)
                cases += 1
    finally:
        sim.close()
    from soptui.narasumber_demo import build_narasumber_demo

    cases += build_narasumber_demo(svc, admin, seed=seed, now=real_now).cases
    return len(svc.users.list()), cases


def _working_time_before(cal, now: datetime, amount: timedelta) -> datetime:  # type: ignore[no-untyped-def]
    """The instant that lies `amount` of working time before now (so the
    simulated case never starts in the future, e.g. on a Sunday)."""
    candidate = now - amount
    while (got := cal.working_time_between(candidate, now)) < amount:
        # Working time never exceeds wall time, so this never overshoots.
        candidate -= max(amount - got, timedelta(minutes=1))
    return cal.next_working_instant(candidate)


def _actor_for(
    step_role: str,
    d: SopDefinition,
    rng: random.Random,
    actors_by_role: dict[str, list[Actor]],
    admin: Actor,
) -> Actor:
    role = d.role(step_role)
    key = role.recorded_by if role.external and role.recorded_by else step_role
    return rng.choice(actors_by_role.get(key) or [admin])


def _one_case(
    sim: Soptui,
    clock: _SimulatedClock,
    cal,
    d: SopDefinition,
    rng: random.Random,  # type: ignore[no-untyped-def]
    actors_by_role: dict[str, list[Actor]],
    admin: Actor,
    now: datetime,
    family: str,
    i: int,
) -> None:
    # Stage mix per SOP: i=0 just opened today, 1-2 mid-way (some overdue), 3 returned,
    # 4 paused or refused, 5 closed, 6 mid-way and due soon.
    age = timedelta(hours=[0, 30, 70, 50, 90, 200, 3][i] * (1 + rng.random()))
    if i == 0:  # opened minutes ago: still within its first step's standard
        age = timedelta(minutes=(d.steps[0].minutes or 60) * rng.uniform(0.1, 0.6))
    start = _working_time_before(cal, now, age)
    clock.at = start
    title = rng.choice(TITLES[family])
    requester = rng.choice(REQUESTERS) if family == "NARSUM" or rng.random() < 0.5 else None
    opener = _actor_for(d.steps[0].role, d, rng, actors_by_role, admin)
    letter_day = (start - timedelta(days=rng.randrange(1, 6))).astimezone(UTC).date()
    case_id = sim.cases.start(
        opener,
        d.code,
        title=title,
        requester=requester,
        letter_no=f"{rng.choice(['005', '061', '800', '500'])}/{rng.randrange(100, 2000)}/"
        f"{rng.choice(['DISKOP', 'BPSDM', 'SET', 'UMKM'])}",
        letter_date=letter_day,
        urgency=rng.choice(["biasa", "biasa", "biasa", "segera", "sangat segera"]),
    )
    target = {
        0: 0,
        1: len(d.steps) // 3,
        2: len(d.steps) // 2,
        3: len(d.steps) - 2,
        4: len(d.steps) // 2,
        5: 10 * len(d.steps),
        6: 10 * len(d.steps),
    }[i]
    refusable = any(st.refuse_to for st in d.steps)
    if i == 4 and refusable:
        target = len(d.steps) + 2
    returned = refused = False
    actions = 0
    while actions < target:
        row = sim.cases.detail(case_id).row
        if row.status != "open" or row.role is None:
            break
        step = d.step(row.step_key or "")
        minutes = step.minutes if step.minutes is not None else 120
        took = timedelta(minutes=max(1, int(minutes * rng.uniform(0.4, 1.5))))
        at = cal.add_working_time(clock.at, took)
        if at >= now:
            break
        clock.at = at
        actor = _actor_for(step.role, d, rng, actors_by_role, admin)
        try:
            if rng.random() < 0.15:
                sim.cases.add_note(actor, case_id, text=rng.choice(NOTES))
            if i == 3 and step.decision and step.return_to and not returned:
                sim.cases.return_for_revision(actor, case_id, note=rng.choice(RETURN_NOTES))
                returned = True
            elif i == 4 and step.decision and step.refuse_to and not refused:
                sim.cases.refuse(actor, case_id, note="Materi tidak sesuai dengan kebutuhan.")
                refused = True
                target = actions + 2  # and tell the requester (even at a decision step)
            elif i == 4 and not refusable and (step.minutes is None or actions == target - 1):
                sim.cases.pause(actor, case_id, note="Menunggu tanggapan dari pihak luar.")
                break
            else:
                sim.cases.complete(
                    actor, case_id, note=rng.choice(NOTES) if rng.random() < 0.2 else None
                )
        except SoptuiError:
            break
        actions += 1
