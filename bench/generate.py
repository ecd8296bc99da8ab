"""Deterministic office-scale data for the benchmark.

    python bench/generate.py --db bench.sqlite [--cases 100000] [--seed 7]
        [--persons N] [--bookings N] [--blocks N]

Builds the schema and catalog with `Soptui.init`, then writes users, cases,
step attempts and a hash-chained audit trail (about ten events a case) with
bulk inserts: going through the engine action by action would take hours.
The rows have exactly the shape the engine writes (tests/invariants.py holds
on them), spread over the last three years, with the stage mix of a real
office: most cases closed, a tail open, some paused, returned or refused.

Then the narasumber registry (`_registry`): by default cases / 10 persons
(10,000 at 100,000 cases), 20 bookings a person (200,000) and a block per 20
bookings (10,000). Profiles go through the service's own checks
(`_clean_profile`, `sort_name`) and its word index is written by its own
functions (`index_entries`, `add_vocabulary`), so `narasumber_terms` and
`narasumber_term_grams` hold exactly what `register` would have written.
Bookings and blocks never overlap per person (the database's triggers or
exclusion constraint check every row as it goes in).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soptui import audit
from soptui.db.models import Case, CaseEvent, Setting, StepAttempt, User, UserRole
from soptui.service import Soptui

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB: fixed, so runs compare
BATCH = 20_000


def _users(svc: Soptui, s) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Three clerks per role; returns role -> user ids."""
    roles = sorted(k for k in svc.catalogs.all_role_keys(s) if k != "pemohon")
    by_role: dict[str, list[int]] = {}
    n = 0
    for role in roles:
        for i in range(3):
            n += 1
            user = User(login=f"u{n:03d}", name=f"Pegawai {n}", active=True, created_at=NOW)
            user.roles = [UserRole(role_key=role)]
            s.add(user)
            s.flush()
            by_role.setdefault(role, []).append(user.id)
            _ = i
    return by_role


def generate(
    url: str,
    cases: int,
    seed: int,
    *,
    quiet: bool = False,
    persons: int | None = None,
    bookings: int | None = None,
    blocks: int | None = None,
) -> dict[str, Any]:
    """Fill an empty database; returns the row counts and the seconds taken
    (`seconds` in all, `registry_seconds` of it for the narasumber registry)."""
    persons, bookings, blocks = registry_sizes(cases, persons, bookings, blocks)
    rng = random.Random(seed)
    svc = Soptui(url, clock=lambda: NOW)
    svc.init(admin_login="admin")
    svc.mark_demo()  # made-up data: --user works, as on the demo database
    started = time.perf_counter()
    with svc.db.write() as s:
        by_role = _users(svc, s)
        definitions = [svc.catalogs.definition(s, x.id) for x in svc.catalogs.summaries(s)]
        versions = {
            d.code: x.id for d, x in zip(definitions, svc.catalogs.summaries(s), strict=True)
        }
        cal = svc.calendars.calendar(s)
        head = s.get(Setting, audit.HEAD_KEY)
        seq, prev = (
            (int(head.value.split(":")[0]), head.value.split(":")[1])
            if head
            else (0, audit.GENESIS)
        )
        case_rows: list[dict] = []
        attempt_rows: list[dict] = []
        event_rows: list[dict] = []
        attempt_id = 0
        counts: dict[str, Any] = {"cases": 0, "attempts": 0, "events": 0}
        # Permintaan / Fasilitasi cases a booking can serve: (id, perihal)
        speaker_cases: dict[str, list[tuple[int, str]]] = {"open": [], "closed": []}
        # Perihal, pemohon and letters come from their own generator, so the
        # rest of the office is what it was before they were written.
        text_rng = random.Random(seed + 2)
        letter_cases: list[tuple[int, datetime, str, str, str, str]] = []

        def flush() -> None:
            for table, rows in (
                (Case, case_rows),
                (StepAttempt, attempt_rows),
                (CaseEvent, event_rows),
            ):
                if rows:
                    s.execute(insert(table.__table__), rows)
                    rows.clear()

        def event(case_id: int, at: datetime, kind: str, actor: int | None, **extra) -> None:  # type: ignore[no-untyped-def]
            nonlocal seq, prev
            seq += 1
            at = at.astimezone(UTC)  # the hash covers the UTC form the database gives back
            row = {
                "seq": seq,
                "case_id": case_id,
                "attempt_id": extra.get("attempt_id"),
                "at": at,
                "actor_id": actor,
                "kind": kind,
                "step_key": extra.get("step_key"),
                "acted_as": extra.get("acted_as"),
                "note": extra.get("note"),
                "data": extra.get("data", {}),
            }
            content = dict(row, at=at.isoformat(timespec="microseconds"))
            row["prev_hash"] = prev
            row["hash"] = prev = audit.chain_hash(prev, content)
            event_rows.append(row)
            counts["events"] += 1

        span = 3 * 365 * 24 * 3600
        for case_id in range(1, cases + 1):
            d = definitions[rng.randrange(len(definitions))]
            opened = cal.next_working_instant(NOW - timedelta(seconds=rng.random() ** 0.35 * span))
            fate = rng.random()
            status = (
                "closed"
                if fate < 0.80
                else "open"
                if fate < 0.93
                else "paused"
                if fate < 0.96
                else "refused"
                if fate < 0.98
                else "cancelled"
            )
            if status in ("open", "paused"):  # open work is recent
                opened = cal.next_working_instant(NOW - timedelta(hours=rng.uniform(0.2, 400)))
            opener = rng.choice(by_role[sorted(by_role)[0]])
            event(
                case_id,
                opened,
                "opened",
                opener,
                data={"sop": d.code, "version": 1, "title": f"Kasus {case_id}"},
            )
            at = opened
            index = 0
            stop_at = len(d.steps) if status == "closed" else rng.randrange(len(d.steps))
            current = None
            loops = 0
            while True:
                step = d.steps[index]
                role = d.role(step.role)
                who_role = role.recorded_by if role.external and role.recorded_by else step.role
                actor = rng.choice(by_role[who_role])
                standard = step.minutes * 60 if step.minutes is not None else None
                due = cal.add_working_time(at, timedelta(seconds=standard)) if standard else None
                attempt_id += 1
                attempt = {
                    "id": attempt_id,
                    "case_id": case_id,
                    "step_key": step.key,
                    "step_index": step.index,
                    "attempt_no": 1,
                    "role": step.role,
                    "started_at": at,
                    "due_at": due,
                    "ended_at": None,
                    "outcome": None,
                    "actor_id": None,
                    "acted_as": None,
                    "on_behalf_of": None,
                    "paused_at": None,
                    "standard_s": standard,
                    "paused_s": 0,
                    "worked_s": None,
                    "checklist": [],
                }
                attempt_rows.append(attempt)
                counts["attempts"] += 1
                if index >= stop_at and status != "closed":
                    current = attempt
                    break
                worked = int((standard or 3600) * rng.uniform(0.3, 1.8))
                end = cal.add_working_time(at, timedelta(seconds=worked))
                returned = step.decision and step.return_to and loops < 2 and rng.random() < 0.12
                outcome = "returned" if returned else "approved" if step.decision else "completed"
                attempt.update(
                    ended_at=end,
                    outcome=outcome,
                    actor_id=actor,
                    acted_as="requester" if role.external else "self",
                    worked_s=worked,
                )
                event(
                    case_id,
                    end,
                    outcome,
                    actor,
                    attempt_id=attempt_id,
                    step_key=step.key,
                    acted_as=attempt["acted_as"],
                    note="Perbaiki" if returned else None,
                )
                if rng.random() < 0.08:
                    event(
                        case_id,
                        end,
                        "note",
                        actor,
                        attempt_id=attempt_id,
                        step_key=step.key,
                        note="Harap ditindaklanjuti",
                    )
                at = end
                if returned:
                    loops += 1
                    index = d.step(step.return_to).index
                    continue
                index += 1
                if index == len(d.steps):
                    break
            row = {
                "id": case_id,
                "sop_version_id": versions[d.code],
                "title": _perihal(text_rng, d.short_name),
                "requester": _pemohon(text_rng, rng.randrange(400)),
                "letter_no": f"{rng.choice(['005', '061', '800'])}/{case_id}/X",
                "letter_date": opened.date(),
                "urgency": rng.choice(["biasa"] * 6 + ["segera", "sangat_segera"]),
                "status": status,
                "outcome": None,
                "current_step_key": None,
                "current_step_index": None,
                "current_role": None,
                "waiting_role": None,
                "current_attempt_id": None,
                "due_at": None,
                "refusing": False,
                "opened_at": opened,
                "opened_by": opener,
                "closed_at": None,
                "updated_at": at,
                "version": 1 + counts["attempts"] % 7,
            }
            if current is not None and status in ("open", "paused"):
                step = d.steps[current["step_index"]]
                role = d.role(step.role)
                row.update(
                    current_step_key=step.key,
                    current_step_index=step.index,
                    current_role=step.role,
                    waiting_role=role.recorded_by
                    if role.external and role.recorded_by
                    else step.role,
                    current_attempt_id=current["id"],
                    due_at=current["due_at"],
                )
                if status == "paused":
                    current["paused_at"] = min(NOW, at + timedelta(hours=1))
                    event(
                        case_id,
                        current["paused_at"],
                        "paused",
                        opener,
                        attempt_id=current["id"],
                        step_key=step.key,
                        acted_as="self",
                        note="Menunggu pihak luar",
                    )
            else:
                if current is not None:  # refused or cancelled at its current step
                    last = current
                    last.update(
                        ended_at=at,
                        outcome="refused" if status == "refused" else "cancelled",
                        actor_id=opener,
                        acted_as="self",
                        worked_s=0,
                    )
                    event(
                        case_id,
                        at,
                        status if status == "cancelled" else "refused",
                        opener,
                        attempt_id=last["id"],
                        step_key=last["step_key"],
                        acted_as="self",
                        note="Tidak dilanjutkan",
                    )
                row.update(outcome=status, closed_at=at)
                event(case_id, at, "closed", opener, data={"status": status})
            case_rows.append(row)
            letter_cases.append(
                (case_id, opened, status, row["title"], row["requester"], row["letter_no"])
            )
            counts["cases"] += 1
            if d.code in ("NARSUM-PERMINTAAN", "NARSUM-FASILITASI") and status != "refused":
                if status in ("open", "paused"):
                    speaker_cases["open"].append((case_id, row["title"]))
                elif status == "closed":
                    speaker_cases["closed"].append((case_id, row["title"]))
            if len(event_rows) >= BATCH:
                flush()
                if not quiet:
                    print(f"  {case_id} cases, {counts['events']} events", file=sys.stderr)
        flush()
        s.merge(Setting(key=audit.HEAD_KEY, value=f"{seq}:{prev}"))
        counts.update(_letters(s, text_rng, letter_cases))
        audit.touch_all(s)  # loaded in bulk: sealed as a baseline of every row
    registry_started = time.perf_counter()
    with svc.db.write() as s:
        clerks = by_role["anggota-tim-kerja"] + by_role["petugas-informasi-tu"]
        counts.update(
            _registry(
                svc,
                s,
                random.Random(seed + 1),
                persons=persons,
                bookings=bookings,
                blocks=blocks,
                clerks=clerks,
                speaker_cases=speaker_cases,
                quiet=quiet,
            )
        )
        audit.touch_all(s)
    if svc.db.backend == "postgresql":
        with svc.db.engine.begin() as conn:  # ids were given explicitly: move the sequences on
            for table in ("cases", "step_attempts", "narasumber"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    if svc.db.backend == "postgresql":
        # What autovacuum does within a minute of a bulk load: statistics, and
        # the visibility map that lets index-only scans skip the table. Done
        # here so the figures do not depend on whether it has run yet.
        with svc.db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with svc.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    svc.close()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["registry_seconds"] = round(time.perf_counter() - registry_started, 1)
    return counts


# ----- the narasumber registry -----------------------------------------------------------

WIB = ZoneInfo("Asia/Jakarta")
# Person statuses and their shares: most approved, a tail moving through the
# Pendaftaran SOP, some refused or retired.
PERSON_MIX = (
    ("disetujui", 0.80),
    ("nonaktif", 0.07),
    ("diajukan", 0.06),
    ("diverifikasi", 0.04),
    ("ditolak", 0.03),
)
# What a Dinas Koperasi dan UKM trains on, by theme: a speaker's topics mostly
# come from one theme, sometimes a second.
THEMES: dict[str, list[str]] = {
    "koperasi": [
        "Perkoperasian dasar", "Tata kelola koperasi", "Pengawasan koperasi",
        "Koperasi simpan pinjam", "Penyelenggaraan Rapat Anggota Tahunan",
        "Anggaran dasar dan anggaran rumah tangga koperasi", "Penilaian kesehatan koperasi",
        "Koperasi syariah", "Koperasi produsen", "Pembubaran dan penggabungan koperasi",
    ],
    "akuntansi": [
        "Akuntansi koperasi", "Akuntansi dasar UMKM", "Laporan keuangan UMKM (SAK EMKM)",
        "Perpajakan UMKM", "Audit koperasi", "Akuntansi koperasi simpan pinjam",
        "Laporan pertanggungjawaban pengurus koperasi",
    ],
    "keuangan": [
        "Manajemen keuangan", "Manajemen keuangan usaha mikro", "Literasi keuangan UMKM",
        "Akses pembiayaan dan KUR", "Manajemen arus kas", "Permodalan koperasi",
        "Manajemen risiko kredit koperasi",
    ],
    "pemasaran": [
        "Pemasaran digital", "Branding dan pengemasan produk", "Marketplace dan e-commerce",
        "Fotografi produk untuk UMKM", "Pemasaran melalui media sosial", "Strategi penjualan",
        "Riset pasar sederhana", "Pelayanan pelanggan",
    ],
    "kewirausahaan": [
        "Kewirausahaan", "Kewirausahaan pemuda", "Kewirausahaan perempuan",
        "Penyusunan rencana bisnis", "Manajemen usaha mikro", "Motivasi berwirausaha",
        "Inkubasi bisnis", "Kewirausahaan sosial", "Pengembangan UMKM",
    ],
    "legalitas": [
        "Legalitas usaha dan NIB", "Sertifikasi halal", "Sertifikasi halal UMKM",
        "Pendaftaran merek (HAKI)", "Perizinan berusaha berbasis risiko (OSS)",
        "Standar Nasional Indonesia (SNI) produk UMKM",
    ],
    "ekspor": [
        "Ekspor produk UMKM", "Prosedur ekspor dan kepabeanan", "Kurasi produk ekspor",
        "Kemitraan dan rantai pasok", "Pameran dan promosi dagang",
    ],
    "produk": [
        "Pengolahan produk lidah buaya", "Kerajinan tenun Sambas",
        "Pengolahan hasil hutan bukan kayu", "Keamanan pangan olahan (PIRT)", "Pengolahan kopi",
        "Budidaya dan pengolahan madu kelulut", "Pengolahan hasil perikanan",
        "Desain produk kerajinan",
    ],
    "digital": [
        "Digitalisasi koperasi", "Aplikasi kasir dan pembukuan digital", "Literasi digital UMKM",
        "Keamanan siber untuk usaha kecil", "Sistem informasi manajemen koperasi",
    ],
    "sdm": [
        "Kepemimpinan", "Komunikasi efektif", "Pelayanan publik",
        "Manajemen sumber daya manusia", "Teknik fasilitasi pelatihan",
        "Penyusunan kurikulum diklat",
    ],
}  # fmt: skip
QUALIFIERS = ["bagi pemula", "tingkat lanjut", "untuk pengurus koperasi", "bagi UMKM",
              "di era digital", "berbasis praktik"]  # fmt: skip
FIRST = [
    "Sari", "Budi", "Antonius", "Syarif", "Yohana", "Hendrikus", "Nurul", "Agustinus",
    "Rahmawati", "Uray", "Veronika", "Fransiskus", "Siti", "Gusti", "Lidya", "Rusdi", "Maria",
    "Darmawan", "Fitriani", "Stefanus", "Herlina", "Irawan", "Yuliana", "Abdul", "Kristina",
    "Zulkifli", "Ratih", "Markus", "Wahyuni", "Ferry", "Aisyah", "Petrus", "Nining",
    "Hasanuddin", "Elisabeth", "Taufik", "Melati", "Yosef", "Halimah", "Andreas", "Desi",
    "Robertus", "Suryani", "Iskandar", "Muhammad", "Ahmad", "Dewi", "Eko", "Agus", "Rina",
    "Bambang", "Indah", "Joko", "Lestari", "Hendra", "Novita", "Rudi", "Yanti", "Arif", "Putri",
    "Dedi", "Wulan", "Heri", "Ayu", "Slamet", "Erna", "Syamsul", "Mega", "Fajar", "Kartika",
]  # fmt: skip
LAST = [
    "Wijaya", "Santoso", "Alamsyah", "Rahman", "Lusiana", "Sitorus", "Hidayati", "Pratama",
    "Nugraha", "Kusuma", "Siregar", "Tanoto", "Permana", "Hasibuan", "Anggraini", "Setiadi",
    "Marpaung", "Lubis", "Halim", "Simanjuntak", "Ramadhani", "Saputri", "Gunadi", "Yusuf",
    "Saputra", "Hidayat", "Susanto", "Purnama", "Nasution", "Harahap", "Sinaga", "Wibowo",
    "Gunawan", "Kurniawan", "Firmansyah", "Hakim", "Syahputra", "Utami", "Handayani",
    "Rachmawati", "Setiawan", "Suganda", "Pane", "Manurung", "Effendi", "Maulana", "Junaidi",
]  # fmt: skip
SYLLABLES = ["ma", "ri", "san", "to", "wi", "ja", "ya", "ha", "di", "nu", "gra", "lu", "si",
             "ta", "ra", "ning", "sih", "pu", "tra", "an", "dri", "yan", "ti", "ko"]  # fmt: skip
# A gelar in front goes with fitting ones after the name (Ir. with M.T., not S.Pd.).
GELAR = [
    ("", ["S.E., M.M.", "S.E., M.Ak.", "S.E., Ak., CA", "S.Kom., M.Kom.", "S.Sos., M.Si.",
          "S.H., M.H.", "S.P., M.Sc.", "S.T., M.B.A.", "S.E.", "S.Pd., M.Pd.", "S.E., Ph.D.",
          "S.E.", "S.Sos.", "A.Md."]),
    ("Dr. ", ["S.E., M.M.", "S.E., M.Si.", "S.H., M.H.", "M.Si."]),
    ("Ir. ", ["M.T.", "M.Si.", "M.Sc."]),
    ("Drs. ", ["M.Si.", "M.M."]),
    ("Prof. Dr. ", ["S.E., M.Si.", "M.Sc."]),
    ("H. ", ["S.E., M.M.", "S.Ag., M.Si."]),
]  # fmt: skip
KABUPATEN = ["Kab. Sambas", "Kab. Bengkayang", "Kab. Landak", "Kab. Mempawah", "Kab. Sanggau",
             "Kab. Ketapang", "Kab. Sintang", "Kab. Kapuas Hulu", "Kab. Sekadau", "Kab. Melawi",
             "Kab. Kayong Utara", "Kab. Kubu Raya", "Kota Pontianak", "Kota Singkawang"]  # fmt: skip
INSTANSI = [
    ("Dinas Koperasi, UKM Provinsi Kalimantan Barat", "pns", 6),
    ("Dinas Koperasi dan UKM {kab}", "pns", 14),
    ("Dinas Koperasi dan UKM {kab}", "pppk", 4),
    ("BPSDM Provinsi Kalimantan Barat", "pns", 3),
    ("Kementerian Koperasi dan UKM", "pns", 3),
    ("Universitas Tanjungpura", "pns", 6),
    ("Politeknik Negeri Pontianak", "pns", 3),
    ("Politeknik Negeri Sambas", "pns", 1),
    ("IAIN Pontianak", "pns", 2),
    ("BPOM di Pontianak", "pns", 1),
    ("Kantor Wilayah DJBC Kalimantan Bagian Barat", "pns", 1),
    ("Universitas Muhammadiyah Pontianak", "non_asn", 2),
    ("Bank Indonesia Perwakilan Kalimantan Barat", "non_asn", 1),
    ("OJK Provinsi Kalimantan Barat", "non_asn", 1),
    ("PLUT-KUMKM Kalimantan Barat", "non_asn", 4),
    ("Forum UMKM Kalbar", "non_asn", 3),
    ("Dekranasda Kalimantan Barat", "non_asn", 1),
    ("Koperasi Serba Usaha Maju Bersama", "non_asn", 2),
    ("Koperasi Credit Union Keling Kumang", "non_asn", 2),
    ("Asosiasi Pengusaha Muda Pontianak", "non_asn", 2),
    ("Praktisi / konsultan UMKM", "non_asn", 8),
]
JABATAN = {
    "pns": ["Kepala Bidang", "Kepala Seksi", "Analis Kebijakan Ahli Muda", "Lektor Kepala",
            "Lektor", "Widyaiswara Ahli Madya", "Widyaiswara Ahli Muda",
            "Pengawas Koperasi Ahli Muda", "Penyuluh Perindustrian", "Sekretaris Dinas"],
    "pppk": ["Penyuluh Koperasi", "Pengawas Koperasi Ahli Pertama", "Penyuluh Perdagangan"],
    "non_asn": ["Pendamping UMKM", "Konsultan bisnis", "Ketua Koperasi", "Manajer Koperasi",
                "Pemilik usaha", "Fasilitator kewirausahaan", "Dosen", "Trainer bersertifikat BNSP"],
}  # fmt: skip
PENDIDIKAN = ["S1 Ekonomi", "S1 Akuntansi", "S2 Manajemen", "S2 Akuntansi", "S3 Ilmu Ekonomi",
              "S1 Informatika", "S2 Ilmu Hukum", "S1 Pertanian", "S2 Administrasi Publik",
              "S2 Magister Sains Manajemen", "D3 Perbankan", "S1 Teknologi Pangan"]  # fmt: skip
ACTIVITIES = [
    "Diklat Perkoperasian Angkatan {n}", "Bimtek Pemasaran Digital UMKM {kab}",
    "Pelatihan Kewirausahaan Pemuda Angkatan {n}", "Diklat Pengawas Koperasi Angkatan {n}",
    "Bimtek Laporan Keuangan Koperasi {kab}", "Sosialisasi Legalitas Usaha {kab}",
    "Pelatihan Pengemasan Produk UMKM", "Workshop Sertifikasi Halal {kab}",
    "Pelatihan Kewirausahaan Perempuan", "Bimtek Akses Pembiayaan KUR",
    "Rapat Anggota Tahunan Koperasi (pendampingan)", "Kurasi Produk Ekspor UMKM",
    "Diklat Akuntansi Koperasi Simpan Pinjam", "Temu Usaha dan Kemitraan {kab}",
]  # fmt: skip
LOCATIONS = ["Aula Dinas Koperasi, UKM Prov. Kalbar", "BPSDM Prov. Kalbar, Pontianak",
             "PLUT-KUMKM Kalbar", "Daring (Zoom)", "Hotel Santika Pontianak",
             *KABUPATEN]  # fmt: skip
BLOCK_REASONS = {
    "cuti": ["Cuti tahunan", "Cuti alasan penting", "Cuti sakit", "Cuti bersama keluarga"],
    "dinas_luar": ["Perjalanan dinas ke Jakarta", "Dinas luar ke {kab}",
                   "Rapat koordinasi di Kementerian Koperasi dan UKM", "Monitoring koperasi {kab}"],
    "lainnya": ["Keperluan keluarga", "Tugas belajar", "Ibadah haji", "Sakit"],
}  # fmt: skip
CANCEL_NOTES = ["Kegiatan ditunda", "Narasumber berhalangan hadir", "Anggaran belum tersedia",
                "Diganti narasumber lain", "Jadwal kegiatan berubah"]  # fmt: skip
# Cells of a day a booking can take (bits): morning, afternoon, evening.
MORNING, AFTERNOON, EVENING, WHOLE_DAY = 1, 2, 4, 7
# (start, end, cells, weight); None: two to four consecutive working days, 08:00-16:00.
SLOTS = [
    (time_of_day(8, 0), time_of_day(12, 0), MORNING, 40),
    (time_of_day(9, 0), time_of_day(11, 30), MORNING, 8),
    (time_of_day(13, 0), time_of_day(16, 0), AFTERNOON, 25),
    (time_of_day(8, 0), time_of_day(16, 0), MORNING | AFTERNOON, 17),
    (time_of_day(19, 0), time_of_day(21, 0), EVENING, 3),
    (None, None, 0, 7),
]
PAST_DAYS, FUTURE_DAYS = 365, 120  # bookings over the past year and the coming months


# Perihal of a case: what is asked, on what, for whom (case search, issue 17).
ASKS = ["Permohonan narasumber", "Permohonan fasilitasi", "Permohonan pelatihan",
        "Usulan diklat", "Permohonan bimbingan teknis", "Undangan rapat koordinasi",
        "Permohonan konsultasi", "Laporan pelaksanaan", "Permohonan bantuan sarana"]  # fmt: skip
KLASIFIKASI = ["005", "061", "800.1.2", "500.3", "900.1.15"]


def _perihal(rng: random.Random, short_name: str) -> str:
    theme = rng.choice(list(THEMES))
    topic = rng.choice(THEMES[theme]).lower()
    tail = rng.choice([*QUALIFIERS, *KABUPATEN, short_name])
    return f"{rng.choice(ASKS)} {topic} {tail}"


def _pemohon(rng: random.Random, n: int) -> str:
    kind = rng.random()
    if kind < 0.5:
        return f"Dinas Koperasi dan UKM {rng.choice(KABUPATEN)}"
    if kind < 0.8:
        return f"Koperasi {rng.choice(FIRST)} {rng.choice(['Jaya', 'Mandiri', 'Sejahtera', 'Makmur'])} {n}"
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _letters(
    s: Any, rng: random.Random, cases: list[tuple[int, datetime, str, str, str, str]]
) -> dict[str, int]:
    """The agenda book behind the cases: an incoming letter for 60% of them
    (its number the case's letter number, its sender the pemohon), an
    outgoing number for half the closed ones (3% of those voided). Counters
    as the letter service leaves them."""
    from soptui.db.models import Letter, LetterCounter

    rows: list[dict[str, Any]] = []
    last: dict[tuple[str, str, int], int] = {}

    def take(direction: str, klas: str, year: int) -> int:
        key = (direction, klas, year)
        last[key] = last.get(key, 0) + 1
        return last[key]

    for case_id, opened, status, title, requester, letter_no in cases:
        year = opened.astimezone(WIB).year
        base = {"letter_date": opened.date(), "case_id": case_id, "source": "issued",
                "created_at": opened, "created_by": None, "voided_at": None, "void_note": None}  # fmt: skip
        if rng.random() < 0.6:
            rows.append(dict(base, direction="in", year=year, klasifikasi="",
                             seq=take("in", "", year), number=letter_no, party=requester,
                             received_date=opened.date(), sifat="biasa", perihal=title))  # fmt: skip
        if status == "closed" and rng.random() < 0.5:
            klas = rng.choice(KLASIFIKASI)
            seq = take("out", klas, year)
            voided = rng.random() < 0.03
            rows.append(dict(base, direction="out", year=year, klasifikasi=klas, seq=seq,
                             number=f"{klas}/{seq}/DISKOPUKM", party=requester,
                             received_date=None, sifat="biasa", perihal=f"Balasan {title}"[:500],
                             voided_at=opened if voided else None,
                             void_note="Salah tujuan" if voided else None))  # fmt: skip
    for i in range(0, len(rows), BATCH):
        s.execute(insert(Letter.__table__), rows[i : i + BATCH])
    s.execute(
        insert(LetterCounter.__table__),
        [{"direction": d, "klasifikasi": k, "year": y, "last_seq": n} for (d, k, y), n in last.items()],
    )
    return {"letters": len(rows)}


def registry_sizes(
    cases: int, persons: int | None, bookings: int | None, blocks: int | None
) -> tuple[int, int, int]:
    """The registry's size; by default scaled with the cases (100,000 cases:
    10,000 persons, 200,000 bookings, 10,000 blocks)."""
    p = persons if persons is not None else max(10, cases // 10)
    b = bookings if bookings is not None else 20 * p
    return p, b, blocks if blocks is not None else b // 20


def _digits_nip(rng: random.Random) -> str:
    born = date(1964 + rng.randrange(32), 1 + rng.randrange(12), 1 + rng.randrange(28))
    start = born.year + 22 + rng.randrange(8)
    return f"{born:%Y%m%d}{start}{1 + rng.randrange(12):02d}{1 + rng.randrange(2)}{rng.randrange(1, 1000):03d}"


def _digits_nik(rng: random.Random) -> str:
    region = rng.choice(["6101", "6102", "6103", "6104", "6105", "6106", "6112", "6171", "6172"])
    day = 1 + rng.randrange(28) + (40 if rng.random() < 0.5 else 0)
    born = f"{day:02d}{1 + rng.randrange(12):02d}{rng.randrange(60, 100) % 100:02d}"
    return f"{region}{rng.randrange(1, 30):02d}{born}{rng.randrange(1, 10000):04d}"


def _unique(make: Callable[[], str], taken: set[str]) -> str:
    while (value := make()) in taken:
        pass
    taken.add(value)
    return value


def _person(rng: random.Random, taken: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The fields a clerk would type in the registration form."""
    first = rng.choice(FIRST)
    if rng.random() < 0.3:
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))).title()
    else:
        last = rng.choice(LAST)
    middle = f"{rng.choice(FIRST)} " if rng.random() < 0.3 else ""
    prefix, suffixes = GELAR[0] if rng.random() < 0.55 else rng.choice(GELAR[1:])
    name = f"{prefix}{first} {middle}{last}, {rng.choice(suffixes)}"
    template, asn, _ = rng.choices(INSTANSI, weights=[w for *_, w in INSTANSI])[0]
    themes = sorted(THEMES)
    main = rng.choice(themes)
    count = rng.choices([1, 2, 3, 4, 5], weights=[15, 30, 30, 15, 10])[0]
    topics: list[str] = []
    subjects: set[str] = set()
    while len(topics) < count:
        theme = main if rng.random() < 0.7 else rng.choice(themes)
        subject = rng.choice(THEMES[theme])
        if subject in subjects:
            continue
        subjects.add(subject)
        qualified = rng.random() < 0.15
        topics.append(f"{subject} {rng.choice(QUALIFIERS)}" if qualified else subject)
    eselon = golongan = nip = nik = None
    if asn == "pns":
        golongan = f"{rng.choice(['III', 'III', 'IV'])}/{rng.choice('abcd')}"
        eselon = rng.choice([None, None, None, "III.a", "III.b", "IV.a", "II.b"])
        nip = _unique(lambda: _digits_nip(rng), taken)
    elif asn == "pppk":
        golongan = rng.choice(["IX", "X", "XI"])
        nip = _unique(lambda: _digits_nip(rng), taken)
    elif rng.random() < 0.7:
        nik = _unique(lambda: _digits_nik(rng), taken)
    if nip:  # written the usual way, with spaces, as the form accepts it
        nip = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    slug = f"{first}.{last}".lower()
    values = {
        "name": name,
        "topics": topics,
        "nip": nip,
        "nik": nik,
        "instansi": template.format(kab=rng.choice(KABUPATEN)),
        "jabatan": rng.choice(JABATAN[asn]),
        "pendidikan": rng.choice(PENDIDIKAN),
        "asn_status": asn,
        "eselon": eselon,
        "golongan": golongan,
        "phone": f"08{rng.choice(['11', '12', '13', '52', '53', '57', '21'])}-"
        f"{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        "email": f"{slug}{rng.randrange(100)}@{rng.choice(['gmail.com', 'yahoo.co.id', 'contoh.id'])}",
        "notes": None,
    }
    return values, topics


def _registry(
    svc: Soptui,
    s,  # type: ignore[no-untyped-def]
    rng: random.Random,
    *,
    persons: int,
    bookings: int,
    blocks: int,
    clerks: list[int],
    speaker_cases: dict[str, list[tuple[int, str]]],
    quiet: bool,
) -> dict[str, int]:
    """Persons, topics, word index, bookings and blocks; returns the counts."""
    from soptui.db.registry_models import (
        Narasumber,
        NarasumberBooking,
        NarasumberTerm,
        NarasumberTermGram,
        NarasumberTopic,
    )
    from soptui.narasumber import _clean_profile, add_vocabulary, index_entries, sort_name

    cal = svc.calendars.calendar(s)
    today = NOW.astimezone(WIB).date()
    first_day = today - timedelta(days=PAST_DAYS)
    days = [first_day + timedelta(days=i) for i in range(PAST_DAYS + FUTURE_DAYS + 1)]
    working = [i for i, d in enumerate(days) if cal.is_working_day(d)]
    past = [i for i in working if days[i] < today]

    def cum(items: list[int]) -> list[float]:
        # Bookings thin out the further ahead they lie: not all are made yet.
        out, total = [], 0.0
        for i in items:
            ahead = (days[i] - today).days
            total += 1.0 if ahead < 0 else max(0.03, 1.0 - ahead / FUTURE_DAYS)
            out.append(total)
        return out

    day_weights = {False: (working, cum(working)), True: (past, cum(past))}

    # ----- persons, topics and the word index, as `register` writes them
    person_rows: list[dict[str, Any]] = []
    topic_rows: list[dict[str, Any]] = []
    term_rows: list[dict[str, Any]] = []
    vocabulary: set[str] = set()
    statuses, shares = zip(*PERSON_MIX, strict=True)
    taken: set[str] = set()
    busy: dict[int, float] = {}  # bookable person -> how sought after
    retired: set[int] = set()
    base = int(s.execute(select(func.max(Narasumber.id))).scalar() or 0)
    for n in range(persons):
        pid = base + n + 1
        typed, _ = _person(rng, taken)
        values = _clean_profile(typed, {})
        topics = values.pop("topics")
        status = rng.choices(statuses, weights=shares)[0]
        if status in ("diajukan", "diverifikasi"):  # still in the SOP: came in lately
            created = NOW - timedelta(days=rng.uniform(0.5, 20))
        else:
            created = NOW - timedelta(days=rng.uniform(30, 5 * 365))
        row = Narasumber(
            id=pid,
            **values,
            sort_name=sort_name(values["name"]),
            status=status,
            created_at=created,
            created_by=rng.choice(clerks),
            updated_at=min(NOW, created + timedelta(days=rng.uniform(0, 40))),
            version=1 if status == "diajukan" else 2,
        )
        person_rows.append({c.key: getattr(row, c.key) for c in Narasumber.__table__.columns})
        topic_rows += [
            {"narasumber_id": pid, "position": i, "topic": topic} for i, topic in enumerate(topics)
        ]
        for field_, term, part in index_entries(row, topics):
            term_rows.append({"field": field_, "term": term, "narasumber_id": pid, "part": part})
            vocabulary.add(term)
        if status == "disetujui":
            busy[pid] = min(10.0, rng.lognormvariate(0.0, 0.75))
        elif status == "nonaktif":  # booked before they retired
            busy[pid] = 0.3
            retired.add(pid)

    # ----- bookings and blocks: placed cell by cell, so none overlaps
    taken_cells: dict[int, dict[int, int]] = {pid: {} for pid in busy}
    booking_rows: list[dict[str, Any]] = []

    def free(pid: int, cells: dict[int, int]) -> bool:
        mine = taken_cells[pid]
        return all(not mine.get(i, 0) & bits for i, bits in cells.items())

    def at(i: int, moment: time_of_day) -> datetime:
        return datetime.combine(days[i], moment, WIB)

    def cancel(row: dict[str, Any]) -> None:
        row["status"] = "batal"
        when = row["created_at"] + (min(NOW, row["starts_at"]) - row["created_at"]) * rng.random()
        row.update(
            cancelled_at=when,
            cancelled_by=rng.choice(clerks),
            cancel_note=rng.choice(CANCEL_NOTES),
            updated_at=when,
        )

    def made(start: datetime) -> datetime:
        """When it was entered: days to weeks ahead, never after now."""
        when = start - timedelta(days=rng.uniform(1, 45), hours=rng.uniform(0, 8))
        return min(when, NOW - timedelta(days=rng.uniform(0, 30), hours=rng.uniform(0, 8)))

    ids = sorted(busy)
    weights = list(accumulate(busy[pid] for pid in ids))
    block_done = 0
    tries = 0
    # Blocks first: whole days of an office's leave and travel.
    while block_done < blocks:
        tries += 1
        if tries > 50 * blocks:
            raise RuntimeError(f"{persons} persons cannot take {blocks} blocks")
        pid = rng.choices(ids, cum_weights=weights)[0]
        kind = rng.choices(["cuti", "dinas_luar", "lainnya"], weights=[50, 40, 10])[0]
        if kind == "cuti":
            length = rng.choice([1, 1, 2, 3, 3, 5, 6, 12])
        else:
            length = rng.randrange(1, 5) if kind == "dinas_luar" else rng.randrange(1, 3)
        pool, cw = day_weights[pid in retired]
        first = rng.choices(pool, cum_weights=cw)[0]
        if first + length > len(days):
            continue
        cells = {first + k: WHOLE_DAY for k in range(length)}
        if not free(pid, cells):
            continue
        for i, bits in cells.items():
            taken_cells[pid][i] = taken_cells[pid].get(i, 0) | bits
        start = datetime.combine(days[first], time_of_day(0), WIB)
        created = made(start)
        row = {
            "narasumber_id": pid,
            "kind": kind,
            "status": "definitif",
            "starts_at": start,
            "ends_at": start + timedelta(days=length),
            "activity": rng.choice(BLOCK_REASONS[kind]).format(kab=rng.choice(KABUPATEN)),
            "location": None,
            "case_id": None,
            "note": None,
            "created_at": created,
            "created_by": rng.choice(clerks),
            "updated_at": created,
            "cancelled_at": None,
            "cancelled_by": None,
            "cancel_note": None,
        }
        if rng.random() < 0.07:
            cancel(row)
        booking_rows.append(row)
        block_done += 1
    slot_weights = list(accumulate(w for *_, w in SLOTS))
    placed = 0
    tries = 0
    while placed < bookings:
        tries += 1
        if tries > 50 * bookings:
            raise RuntimeError(f"{persons} persons cannot take {bookings} bookings")
        pid = rng.choices(ids, cum_weights=weights)[0]
        pool, cw = day_weights[pid in retired]
        for _ in range(12):  # a busy speaker: look at other days, then at someone else
            begin, end, bits, _w = rng.choices(SLOTS, cum_weights=slot_weights)[0]
            first = rng.choices(pool, cum_weights=cw)[0]
            if begin is None:  # a diklat over consecutive working days
                length = rng.randrange(2, 5)
                run = range(first, first + length)
                if run[-1] >= len(days) or not all(cal.is_working_day(days[i]) for i in run):
                    continue
                cells = {i: WHOLE_DAY for i in run}
                cells[run[-1]] = MORNING | AFTERNOON
                begin, end, last = time_of_day(8), time_of_day(16), run[-1]
            else:
                cells, last = {first: bits}, first
            if free(pid, cells):
                break
        else:
            continue
        for i, cell in cells.items():
            taken_cells[pid][i] = taken_cells[pid].get(i, 0) | cell
        start, finish = at(first, begin), at(last, end)
        created = made(start)
        ahead = start > NOW
        status = (
            rng.choices(["tentatif", "definitif"], weights=[35, 65])[0]
            if ahead
            else rng.choices(["definitif", "tentatif"], weights=[99, 1])[0]
        )
        case_id = None
        activity = rng.choice(ACTIVITIES).format(
            n=rng.choice(["I", "II", "III", "IV", "V"]), kab=rng.choice(KABUPATEN)
        )
        pool_cases = speaker_cases["open" if ahead else "closed"]
        if pool_cases and rng.random() < (0.3 if ahead else 0.15):
            case_id, activity = rng.choice(pool_cases)  # served a Permintaan/Fasilitasi case
        row = {
            "narasumber_id": pid,
            "kind": "kegiatan",
            "status": status,
            "starts_at": start,
            "ends_at": finish,
            "activity": activity,
            "location": rng.choice(LOCATIONS),
            "case_id": case_id,
            "note": None,
            "created_at": created,
            "created_by": rng.choice(clerks),
            "updated_at": created,
            "cancelled_at": None,
            "cancelled_by": None,
            "cancel_note": None,
        }
        if rng.random() < 0.1:
            cancel(row)
        booking_rows.append(row)
        placed += 1
    # Entered over time, speakers mixed: the table's physical order is the
    # order clerks typed them in, not one person after another.
    booking_rows.sort(key=lambda r: r["created_at"])
    for table, rows in (
        (Narasumber, person_rows),
        (NarasumberTopic, topic_rows),
        (NarasumberTerm, term_rows),
        (NarasumberBooking, booking_rows),
    ):
        for i in range(0, len(rows), BATCH):
            s.execute(insert(table.__table__), rows[i : i + BATCH])
        if not quiet:
            print(f"  {len(rows)} rows in {table.__tablename__}", file=sys.stderr)
    add_vocabulary(s, vocabulary, svc.db.backend)
    grams = s.execute(select(func.count()).select_from(NarasumberTermGram)).scalar_one()
    return {
        "persons": persons,
        "topics": len(topic_rows),
        "terms": len(term_rows),
        "vocabulary": len(vocabulary),
        "grams": int(grams),
        "bookings": placed,
        "blocks": block_done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", required=True, help="SQLite path or PostgreSQL URL (empty database)"
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--persons", type=int, default=None, help="narasumber (cases / 10)")
    parser.add_argument(
        "--bookings", type=int, default=None, help="bookings of speakers (20 a person)"
    )
    parser.add_argument(
        "--blocks", type=int, default=None, help="cuti / dinas luar (bookings / 20)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(
        generate(
            args.db,
            args.cases,
            args.seed,
            persons=args.persons,
            bookings=args.bookings,
            blocks=args.blocks,
        )
    )


if __name__ == "__main__":
    main()
