"""Demo narasumber: 44 fictional speakers over the subjects the Dinas trains
on, every status represented, and bookings and blocks in the coming weeks.

Names, NIPs and NIKs are made up. Registrations go through real Pendaftaran
cases on a simulated clock (so their timelines and the audit trail are
genuine); most are long approved and closed, a few are still in progress.
Bookings are made through the service, so none overlaps, and some serve the
demo's open Permintaan / Fasilitas Penyediaan cases as tentative bookings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from soptui.errors import SoptuiError
from soptui.identity import Actor

if TYPE_CHECKING:
    from soptui.service import Soptui

WIB = ZoneInfo("Asia/Jakarta")

FIRST = [
    "Sari", "Budi", "Antonius", "Syarif", "Yohana", "Hendrikus", "Nurul", "Agustinus",
    "Rahmawati", "Uray", "Veronika", "Fransiskus", "Siti", "Gusti", "Lidya", "Rusdi",
    "Maria", "Darmawan", "Fitriani", "Stefanus", "Herlina", "Irawan", "Yuliana", "Abdul",
    "Kristina", "Zulkifli", "Ratih", "Markus", "Wahyuni", "Ferry", "Aisyah", "Petrus",
    "Nining", "Hasanuddin", "Elisabeth", "Taufik", "Melati", "Yosef", "Halimah", "Andreas",
    "Desi", "Robertus", "Suryani", "Iskandar",
]  # fmt: skip
LAST = [
    "Wijaya", "Santoso", "Alamsyah", "Rahman", "Lusiana", "Sitorus", "Hidayati", "Pratama",
    "Nugraha", "Kusuma", "Siregar", "Tanoto", "Permana", "Hasibuan", "Anggraini", "Setiadi",
    "Marpaung", "Lubis", "Halim", "Simanjuntak", "Ramadhani", "Saputri", "Gunadi", "Yusuf",
]  # fmt: skip
FEMALE = {
    "Sari", "Yohana", "Nurul", "Rahmawati", "Veronika", "Siti", "Lidya", "Maria", "Fitriani",
    "Herlina", "Yuliana", "Kristina", "Ratih", "Wahyuni", "Aisyah", "Nining", "Elisabeth",
    "Melati", "Halimah", "Desi", "Suryani",
}  # fmt: skip
# A gelar in front goes with fitting ones after the name (Ir. with M.T., not S.Pd.).
GELAR = [
    ("", ["S.E., M.M.", "S.E., M.Ak.", "S.E., Ak., CA", "S.Kom., M.Kom.", "S.Sos., M.Si.",
          "S.H., M.H.", "S.P., M.Sc.", "S.T., M.B.A.", "S.E.", "S.Pd., M.Pd.", "S.E., Ph.D."]),
    ("Dr. ", ["S.E., M.M.", "S.E., M.Si.", "S.H., M.H.", "M.Si."]),
    ("Ir. ", ["M.T.", "M.Si.", "M.Sc."]),
    ("Drs. ", ["M.Si.", "M.M."]),
    ("Prof. Dr. ", ["S.E., M.Si.", "M.Sc."]),
    ("H. ", ["S.E., M.M.", "S.Ag., M.Si."]),  # a man who has made the hajj
    ("Hj. ", ["S.E., M.M.", "S.Pd."]),  # a woman who has
]  # fmt: skip
INSTANSI = [
    ("Dinas Koperasi, UKM Provinsi Kalimantan Barat", "pns"),
    ("Universitas Tanjungpura", "pns"),
    ("Politeknik Negeri Pontianak", "pns"),
    ("BPSDM Provinsi Kalimantan Barat", "pns"),
    ("Dinas Koperasi Kota Pontianak", "pns"),
    ("Dinas Koperasi Kab. Kubu Raya", "pppk"),
    ("Kementerian Koperasi dan UKM", "pns"),
    ("PLUT-KUMKM Kalimantan Barat", "non_asn"),
    ("Forum UMKM Kalbar", "non_asn"),
    ("Koperasi Serba Usaha Maju Bersama", "non_asn"),
    ("Praktisi / konsultan UMKM", "non_asn"),
    ("Asosiasi Pengusaha Muda Pontianak", "non_asn"),
]
JABATAN = {
    "pns": ["Kepala Bidang", "Analis Kebijakan Ahli Muda", "Lektor Kepala",
            "Widyaiswara Ahli Madya", "Pengawas Koperasi Ahli Muda", "Kepala Seksi"],
    "pppk": ["Penyuluh Koperasi", "Pengawas Koperasi Ahli Pertama"],
    "non_asn": ["Pendamping UMKM", "Konsultan bisnis", "Ketua Koperasi", "Pemilik usaha",
                "Fasilitator kewirausahaan"],
}  # fmt: skip
PENDIDIKAN = ["S1 Ekonomi", "S2 Manajemen", "S2 Akuntansi", "S3 Ilmu Ekonomi", "S1 Informatika",
              "S2 Ilmu Hukum", "S1 Pertanian", "S2 Administrasi Publik"]  # fmt: skip
THEMES = {
    "koperasi": ["Tata kelola koperasi", "Perkoperasian dasar", "Pengawasan koperasi",
                 "Koperasi simpan pinjam", "Penyelenggaraan Rapat Anggota Tahunan"],
    "akuntansi": ["Akuntansi koperasi", "Laporan keuangan UMKM (SAK EMKM)",
                  "Perpajakan UMKM", "Audit koperasi"],
    "pemasaran": ["Pemasaran digital", "Branding dan pengemasan produk",
                  "Marketplace dan e-commerce", "Fotografi produk untuk UMKM"],
    "kewirausahaan": ["Kewirausahaan pemuda", "Kewirausahaan perempuan",
                      "Penyusunan rencana bisnis", "Manajemen usaha mikro"],
    "legalitas": ["Legalitas usaha dan NIB", "Sertifikasi halal UMKM",
                  "Pendaftaran merek (HAKI)"],
    "pembiayaan": ["Akses pembiayaan dan KUR", "Literasi keuangan UMKM",
                   "Manajemen risiko kredit koperasi"],
    "produk": ["Pengolahan produk lidah buaya", "Kerajinan tenun Sambas",
               "Pengolahan hasil hutan bukan kayu", "Keamanan pangan olahan (PIRT)"],
    "digital": ["Digitalisasi koperasi", "Aplikasi kasir dan pembukuan digital"],
}  # fmt: skip
ACTIVITIES = [
    "Diklat Perkoperasian Angkatan I", "Bimtek Pemasaran Digital UMKM",
    "Pelatihan Kewirausahaan Pemuda", "Diklat Pengawas Koperasi",
    "Bimtek Laporan Keuangan Koperasi", "Sosialisasi Legalitas Usaha",
    "Pelatihan Pengemasan Produk UMKM", "Workshop Sertifikasi Halal",
    "Pelatihan Kewirausahaan Perempuan", "Bimtek Akses Pembiayaan KUR",
]  # fmt: skip
LOCATIONS = ["Aula Dinas Koperasi, UKM Prov. Kalbar", "BPSDM Prov. Kalbar, Pontianak",
             "PLUT-KUMKM Kalbar", "Kab. Sambas", "Kab. Sanggau", "Kota Singkawang",
             "Kab. Ketapang", "Daring (Zoom)"]  # fmt: skip
SLOTS = [(time(8, 0), time(12, 0)), (time(13, 0), time(16, 0)), (time(8, 0), time(16, 0)),
         (time(9, 0), time(11, 30))]  # fmt: skip
# (status, how many): most long approved; some still moving through the SOP.
PLAN = [("disetujui", 32), ("diajukan", 4), ("diverifikasi", 3), ("ditolak", 3), ("nonaktif", 2)]
# Refusal notes by step index: the Ketua Tim Kerja's (step 4), the Pejabat Level 2's (5).
REFUSALS = {
    3: "Materi tidak sesuai modul standar Diklat.",
    4: "Pengalaman belum memenuhi kualifikasi narasumber.",
}


@dataclass(frozen=True)
class DemoRegistry:
    persons: int
    bookings: int
    cases: int


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _nip(rng: random.Random) -> str:
    born = date(1965 + rng.randrange(25), 1 + rng.randrange(12), 1 + rng.randrange(28))
    start = born.year + 24 + rng.randrange(5)
    month, sex, seq = 1 + rng.randrange(12), 1 + rng.randrange(2), rng.randrange(1, 40)
    return f"{born:%Y%m%d} {start}{month:02d} {sex} {seq:03d}"


def _nik(rng: random.Random) -> str:
    day = 1 + rng.randrange(28) + (40 if rng.random() < 0.5 else 0)
    # 61 Kalimantan Barat, 71 Kota Pontianak, a district, birth date, a sequence
    district, month, year = rng.randrange(1, 7), 1 + rng.randrange(12), rng.randrange(60, 99)
    return f"6171{district:02d}{day:02d}{month:02d}{year}{rng.randrange(1, 9999):04d}"


def _holders(svc: Soptui, role: str, fallback: Actor) -> list[Actor]:
    found = [svc.users.actor(u.login) for u in svc.users.list() if role in u.roles]
    return found or [fallback]


def _working_day(cal, day: date) -> bool:  # type: ignore[no-untyped-def]
    return bool(cal.is_working_day(day))


def build_narasumber_demo(
    svc: Soptui, admin: Actor, *, seed: int = 2026, now: datetime | None = None
) -> DemoRegistry:
    """Fill the registry of an initialised database (see soptui.demo)."""
    from soptui.demo import _working_time_before
    from soptui.service import Soptui

    real_now = (now or svc.clock()).astimezone(UTC)
    rng = random.Random(seed + 4)
    clock = _Clock(real_now)
    sim = Soptui(svc.db.url, clock=clock, tz=svc.tz, audit_key=svc.audit_key)
    anggota = _holders(sim, "anggota-tim-kerja", admin)
    ketua = _holders(sim, "ketua-tim-kerja", admin)
    level2 = _holders(sim, "pejabat-level-2", admin)
    statuses = [status for status, n in PLAN for _ in range(n)]
    rng.shuffle(statuses)
    approved: list[int] = []
    seen: dict[str, int] = {}
    cases = 0
    try:
        with sim.db.read() as s:
            cal = sim.calendars.calendar(s)
        for i, status in enumerate(statuses):
            # Old registrations are settled; the open ones came in lately
            # (working hours back, so none starts on a Sunday).
            settled = status in ("disetujui", "ditolak", "nonaktif")
            hours = rng.uniform(40, 600) if settled else rng.uniform(0.2, 12)
            clock.at = _working_time_before(cal, real_now, timedelta(hours=hours))
            pid, case_id = _register(sim, rng, i, rng.choice(anggota))
            cases += 1
            nth = seen[status] = seen.get(status, 0) + 1
            # Every other diverifikasi has the Ketua's approval and waits on the
            # Pejabat Level 2 (step 5); every third refusal is the Pejabat's.
            verified = 3 if nth % 2 else 4
            steps = {"diajukan": rng.randrange(0, 2), "diverifikasi": verified}.get(status, 5)
            refused_at = 4 if nth % 3 == 0 else 3
            plan = [
                rng.choice(anggota),
                rng.choice(ketua),
                rng.choice(anggota),
                rng.choice(ketua),
                rng.choice(level2),
            ]
            for step in range(steps):
                clock.at = cal.add_working_time(clock.at, timedelta(minutes=rng.randrange(3, 90)))
                clock.at = min(clock.at, real_now)
                if step == refused_at and status == "ditolak":
                    sim.cases.refuse(plan[step], case_id, note=REFUSALS[refused_at])
                else:
                    sim.cases.complete(plan[step], case_id)
            if status == "nonaktif":
                clock.at = min(cal.add_working_time(clock.at, timedelta(hours=30)), real_now)
                reason = rng.choice(["Pensiun.", "Pindah tugas ke luar provinsi."])
                sim.narasumber.set_status(admin, pid, "nonaktif", note=reason)
            if status == "disetujui":
                approved.append(pid)
        clock.at = real_now
        bookings = _bookings(sim, cal, rng, approved, real_now)
    finally:
        sim.close()
    return DemoRegistry(len(statuses), bookings, cases)


def _register(sim: Soptui, rng: random.Random, i: int, actor: Actor) -> tuple[int, int]:
    first, last = FIRST[i % len(FIRST)], rng.choice(LAST)
    prefix, suffixes = GELAR[0] if rng.random() < 0.5 else rng.choice(GELAR[1:])
    if prefix in ("H. ", "Hj. "):
        prefix = "Hj. " if first in FEMALE else "H. "
    name = f"{prefix}{first} {last}, {rng.choice(suffixes)}"
    instansi, asn = rng.choice(INSTANSI)
    themes = rng.sample(sorted(THEMES), 2 if rng.random() < 0.6 else 1)
    topics = [topic for theme in themes for topic in rng.sample(THEMES[theme], 2)]
    eselon = golongan = None
    if asn == "pns":
        golongan = f"{rng.choice(['III', 'IV'])}/{rng.choice('abcd')}"
        eselon = rng.choice([None, None, "III.a", "III.b", "IV.a", "II.b"])
    elif asn == "pppk":
        golongan = rng.choice(["IX", "X", "XI"])
    slug = f"{first}.{last}".lower()
    p = sim.narasumber.register(
        actor,
        name=name,
        topics=topics[: rng.choice([2, 3, 4])],
        nip=_nip(rng) if asn in ("pns", "pppk") else None,
        nik=_nik(rng) if asn == "non_asn" and rng.random() < 0.7 else None,
        instansi=instansi,
        jabatan=rng.choice(JABATAN[asn]),
        pendidikan=rng.choice(PENDIDIKAN),
        asn_status=asn,
        eselon=eselon,
        golongan=golongan,
        phone=f"08{rng.choice(['11', '12', '13', '52', '53', '57'])}-{rng.randrange(1000, 9999)}-"
        f"{rng.randrange(1000, 9999)}",
        email=f"{slug}@contoh.id",
    )
    assert p.registration_case_id is not None
    return p.id, p.registration_case_id


def _bookings(
    sim: Soptui,
    cal,  # type: ignore[no-untyped-def]
    rng: random.Random,
    approved: list[int],
    now: datetime,
) -> int:
    """Bookings from two weeks ago to six weeks ahead on working days, blocks
    for a few, and tentative bookings for the open speaker cases."""
    today = now.astimezone(WIB).date()
    days = [today + timedelta(days=d) for d in range(-14, 43)]
    working = [d for d in days if _working_day(cal, d)]
    clerk = _holders(sim, "petugas-informasi-tu", sim.users.actor(sim.users.list()[0].login))[0]
    made = 0

    def at(day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, WIB)

    for pid in rng.sample(approved, min(5, len(approved))):
        first = rng.choice([d for d in working if d > today])
        kind = rng.choice(["cuti", "dinas-luar"])
        note = "Cuti tahunan" if kind == "cuti" else "Perjalanan dinas ke Jakarta"
        length = rng.randrange(1, 4)
        try:
            sim.narasumber.block(
                clerk,
                pid,
                at(first, time(0, 0)),
                at(first + timedelta(days=length), time(0, 0)),
                note=note,
                kind=kind,
            )
            made += 1
        except SoptuiError:
            pass
    for pid in approved:
        for _ in range(rng.choice([0, 1, 2, 2, 3, 4])):
            day = rng.choice(working)
            start, end = rng.choice(SLOTS)
            try:
                sim.narasumber.book(
                    clerk,
                    pid,
                    at(day, start),
                    at(day, end),
                    activity=rng.choice(ACTIVITIES),
                    location=rng.choice(LOCATIONS),
                    tentative=day > today and rng.random() < 0.25,
                )
                made += 1
            except SoptuiError:
                pass  # taken or on leave then: a real clerk would pick another
    # The open speaker cases get a tentative booking each (released if refused).
    for sop in ("NARSUM-PERMINTAAN", "NARSUM-FASILITASI"):
        for row in sim.cases.list_cases(None, view="all", sop_code=sop)[:3]:
            day = rng.choice([d for d in working if d > today + timedelta(days=7)])
            start, end = rng.choice(SLOTS[:2])
            for pid in rng.sample(approved, min(6, len(approved))):
                try:
                    sim.narasumber.book(
                        clerk, pid, at(day, start), at(day, end), case_id=row.id, tentative=True
                    )
                    made += 1
                    break
                except SoptuiError:
                    continue
    return made


# ----- office scale (benchmarks) -------------------------------------------------------

SYLLABLES = ["ma", "ri", "san", "to", "wi", "ja", "ya", "ha", "di", "nu", "gra", "lu", "si",
             "ta", "ra", "ning", "sih", "pu", "tra", "an", "dri", "yan", "ti", "ko"]  # fmt: skip


def generate_scale(
    svc: Soptui, *, persons: int = 10_000, bookings: int = 200_000, seed: int = 7
) -> None:
    """Add `persons` speakers (mostly approved) and about `bookings`
    non-overlapping bookings around today by bulk inserts - no cases, no audit
    events, as for a registry carried over from elsewhere. For measuring
    search and lookup at office scale, not for a real office."""
    from sqlalchemy import func, insert, select, text

    from soptui.db.registry_models import (
        Narasumber,
        NarasumberBooking,
        NarasumberTerm,
        NarasumberTopic,
    )
    from soptui.narasumber import add_vocabulary, index_entries, sort_name

    rng = random.Random(seed)
    now = svc.clock().astimezone(UTC)
    statuses = ["disetujui"] * 8 + ["diajukan", "diverifikasi", "ditolak", "nonaktif"]
    all_topics = [topic for items in THEMES.values() for topic in items]
    first_day = now.astimezone(WIB).date() - timedelta(days=180)
    per_person = max(1, bookings // persons)
    rows: dict[type, list[dict[str, object]]] = {
        Narasumber: [],
        NarasumberTopic: [],
        NarasumberTerm: [],
        NarasumberBooking: [],
    }
    vocabulary: set[str] = set()
    with svc.db.write() as s:
        base = int(s.execute(select(func.max(Narasumber.id))).scalar() or 0)
        for n in range(persons):
            pid = base + n + 1
            surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))).title()
            prefix, suffixes = rng.choice(GELAR)
            instansi, asn = rng.choice(INSTANSI)
            person = Narasumber(
                id=pid,
                name=f"{prefix}{rng.choice(FIRST)} {surname}, {rng.choice(suffixes)}",
                instansi=instansi,
                jabatan=rng.choice(JABATAN[asn]),
                asn_status=asn,
                status=rng.choice(statuses),
                created_at=now,
                updated_at=now,
                version=1,
            )
            person.sort_name = sort_name(person.name)
            rows[Narasumber].append(
                {c.key: getattr(person, c.key) for c in Narasumber.__table__.columns}
            )
            topics = rng.sample(all_topics, rng.randrange(1, 5))
            rows[NarasumberTopic] += [
                {"narasumber_id": pid, "position": i, "topic": t} for i, t in enumerate(topics)
            ]
            for f, term, part in index_entries(person, topics):
                rows[NarasumberTerm].append(
                    {"field": f, "term": term, "narasumber_id": pid, "part": part}
                )
                vocabulary.add(term)
            # One after another on working days from six months back: no overlaps.
            day = first_day + timedelta(days=rng.randrange(5))
            for k in range(per_person):
                day += timedelta(days=rng.randrange(1, 18))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                begin, end = SLOTS[k % 2]
                rows[NarasumberBooking].append(
                    {
                        "narasumber_id": pid,
                        "kind": "kegiatan",
                        "status": rng.choice(["definitif", "definitif", "tentatif", "batal"]),
                        "starts_at": datetime.combine(day, begin, WIB),
                        "ends_at": datetime.combine(day, end, WIB),
                        "activity": rng.choice(ACTIVITIES),
                        "location": rng.choice(LOCATIONS),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        for table, items in rows.items():
            for i in range(0, len(items), 5000):
                s.execute(insert(table), items[i : i + 5000])
        add_vocabulary(s, vocabulary, svc.db.backend)
        from soptui import audit

        audit.touch_all(s)  # carried over in bulk: sealed as a baseline
        if svc.db.backend == "postgresql":  # explicit ids: move the sequence past them
            s.execute(
                text("SELECT setval(pg_get_serial_sequence('narasumber', 'id'), :n)"),
                {"n": base + persons},
            )
