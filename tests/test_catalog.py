"""The SOP catalog: fidelity of the nine bundled SOPs to the seeds, and the validator."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path

import pytest

from soptui.catalog import (
    CatalogError,
    SopDefinition,
    Step,
    bundled_catalog,
    load_catalog_file,
    parse_catalog,
    parse_waktu,
)

# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sops() -> dict[str, SopDefinition]:
    return {sop.code: sop for sop in bundled_catalog()}


def by_no(sop: SopDefinition, no: str) -> Step:
    """The step printed with number ``no`` (must be unambiguous)."""
    found = [s for s in sop.steps if s.no == no]
    assert len(found) == 1, f"{sop.code}: {len(found)} steps numbered {no!r}"
    return found[0]


# --- the bundled catalog ------------------------------------------------------------------

STEP_COUNTS = {
    "DIKLAT-PELAKSANAAN": 10,
    "NARSUM-PERMINTAAN": 5,
    "DIKLAT-BAHAN": 8,
    "DIKLAT-SARPRAS": 7,
    "DIKLAT-BIMBINGAN": 7,
    "DIKLAT-KONSULTASI": 7,
    "NARSUM-PENDAFTARAN": 5,
    "NARSUM-FASILITASI": 13,
    "DIKLAT-PENGUSULAN": 8,
}


def test_codes_sorted_and_complete() -> None:
    codes = [sop.code for sop in bundled_catalog()]
    assert codes == sorted(STEP_COUNTS)


def test_file_names_are_lower_case_codes(sops: dict[str, SopDefinition]) -> None:
    names = {e.name for e in resources.files("soptui.sops").iterdir() if e.name.endswith(".toml")}
    assert names == {code.lower() + ".toml" for code in sops}


@pytest.mark.parametrize(("code", "count"), STEP_COUNTS.items())
def test_step_counts(sops: dict[str, SopDefinition], code: str, count: int) -> None:
    sop = sops[code]
    assert len(sop.steps) == count
    assert [s.index for s in sop.steps] == list(range(count))
    assert len({s.key for s in sop.steps}) == count


def test_pelaksanaan_keeps_the_printed_numbering(sops: dict[str, SopDefinition]) -> None:
    # The sheet numbers its rows 1-7, 9, 8, 9: ten steps in that order.
    sop = sops["DIKLAT-PELAKSANAAN"]
    assert [s.no for s in sop.steps] == ["1", "2", "3", "4", "5", "6", "7", "9", "8", "9"]
    assert sop.steps[7].text.startswith("Mengkoordinasikan dengan Pejabat Level 2")
    assert sop.steps[9].text.startswith("Mendokumentasikan kebutuhan")


def test_identity_blocks(sops: dict[str, SopDefinition]) -> None:
    assert sops["DIKLAT-PELAKSANAAN"].nomor == "061/ 1625 /DISKOPUKM"
    assert sops["NARSUM-PERMINTAAN"].nomor == "061/ /DISKOPUKM"
    assert sops["NARSUM-FASILITASI"].nomor == "000.8/1619.7/DISKOPUKM.A"
    assert sops["DIKLAT-PENGUSULAN"].nomor == "800/ 866 /KUKM-SET.2"
    # Names cut off in the identity block come from the step-table heading.
    assert sops["DIKLAT-BIMBINGAN"].name == "Bimbingan dan Pendampingan di Lapangan"
    assert sops["DIKLAT-KONSULTASI"].name == "Layanan Konsultasi dan Informasi Pasca Pelatihan"
    assert sops["NARSUM-PENDAFTARAN"].name == "Pendaftaran Narasumber"
    assert sops["DIKLAT-PENGUSULAN"].tanggal_efektif == "22 Juli 2020"
    assert "NIP. 19660719 199311 1 002" in sops["DIKLAT-PENGUSULAN"].disahkan_oleh
    assert sops["DIKLAT-PELAKSANAAN"].disahkan_oleh == ""  # garbled in the source
    for sop in sops.values():
        assert 0 < len(sop.short_name) <= 18
        assert sop.dasar_hukum and sop.peralatan and sop.peringatan
        assert all(not re.match(r"^\d", item) for item in sop.dasar_hukum + sop.keterkaitan)


def test_identity_lists(sops: dict[str, SopDefinition]) -> None:
    assert len(sops["NARSUM-PERMINTAAN"].dasar_hukum) == 7
    assert sops["NARSUM-PERMINTAAN"].keterkaitan == ()
    assert sops["DIKLAT-PENGUSULAN"].keterkaitan == (
        "SOP Penanganan Surat Masuk",
        "SOP Penanganan Surat Keluar",
    )
    assert sops["DIKLAT-SARPRAS"].peralatan[0] == "Name Tag"
    # Cut-off text is kept as given.
    assert sops["NARSUM-PENDAFTARAN"].peringatan == (
        "Apabila SOP Pendaftaran Online Narasumber tidak dilaksanakan maka kinerja Dinas",
    )
    # ... except where another sheet has the whole line: "dalam Pre" + stray "sentasi".
    assert sops["NARSUM-PENDAFTARAN"].kualifikasi[1] == sops["NARSUM-PERMINTAAN"].kualifikasi[1]
    assert sops["NARSUM-PENDAFTARAN"].kualifikasi == (
        "Pendidikan disesuaikan Kompetensi Diklat serta Pengalaman",
        "Memiliki Kemampuan Teknis Mengoperasikan IT dalam Presentasi",
    )
    assert sops["DIKLAT-KONSULTASI"].steps[0].text.endswith("pasca pelatihan dan")


@pytest.mark.parametrize(
    ("code", "index", "waktu", "minutes"),
    [
        ("DIKLAT-PENGUSULAN", 2, "3 Jam", 180),
        ("DIKLAT-PENGUSULAN", 5, "Relatif", None),
        ("DIKLAT-PENGUSULAN", 3, "30 Menit", 30),
        ("DIKLAT-PELAKSANAAN", 3, "1 Hari", 450),
        ("DIKLAT-PELAKSANAAN", 4, "2 Jam", 120),
        ("DIKLAT-BAHAN", 3, "1 Jam", 60),
        ("NARSUM-FASILITASI", 0, "5 menit", 5),
        ("NARSUM-FASILITASI", 5, "20 Menit", 20),
    ],
)
def test_waktu_minutes(
    sops: dict[str, SopDefinition], code: str, index: int, waktu: str, minutes: int | None
) -> None:
    step = sops[code].steps[index]
    assert (step.waktu, step.minutes) == (waktu, minutes)


# Every decision in the catalog: printed number -> (returned-to number, refuses?).
# Pelaksanaan uses positions (its numbers repeat), the others printed numbers.
DECISIONS: dict[str, dict[str, tuple[str | None, bool]]] = {
    "DIKLAT-PELAKSANAAN": {"6": ("5", False), "7": ("6", False)},
    "NARSUM-PERMINTAAN": {"4": (None, True)},
    "DIKLAT-BAHAN": {"4": ("3", False), "5": ("4", False)},
    "DIKLAT-SARPRAS": {"5": ("4", False)},
    "DIKLAT-BIMBINGAN": {"5": ("4", False)},
    # Inferred from its twin Bimbingan dan Pendampingan (see the TOML).
    "DIKLAT-KONSULTASI": {"5": ("4", False)},
    # The Ketua decides, then the Pejabat Level 2 (since version 2).
    "NARSUM-PENDAFTARAN": {"4": (None, True), "5": (None, True)},
    "NARSUM-FASILITASI": {
        "2": ("1", False),
        "7": ("6", False),
        "8": ("7", False),
        "9": ("8", False),
        "10": ("9", False),
    },
    "DIKLAT-PENGUSULAN": {"4": ("3", False), "5": ("4", False)},
}


@pytest.mark.parametrize("code", DECISIONS)
def test_decisions_and_return_targets(sops: dict[str, SopDefinition], code: str) -> None:
    sop = sops[code]
    found = {
        s.no: (sop.step(s.return_to).no if s.return_to else None, s.refuse_to is not None)
        for s in sop.steps
        if s.decision
    }
    assert found == DECISIONS[code]


def test_fasilitasi_paraf_chain_returns_one_step_back(sops: dict[str, SopDefinition]) -> None:
    sop = sops["NARSUM-FASILITASI"]
    chain = [(by_no(sop, n).role, by_no(sop, n).return_to) for n in ("7", "8", "9", "10")]
    assert chain == [
        ("kepala-bagian-terkait", "buat-surat-balasan"),
        ("kepala-biro", "paraf-kabag"),
        ("asisten-administrasi-umum", "paraf-karo"),
        ("sekda", "paraf-asisten"),
    ]
    assert by_no(sop, "6").role == "kasubbag-terkait"


@pytest.mark.parametrize("code", ["NARSUM-PERMINTAAN", "NARSUM-PENDAFTARAN"])
def test_refusal_goes_to_the_notification_step(sops: dict[str, SopDefinition], code: str) -> None:
    sop = sops[code]
    decision = by_no(sop, "4")
    assert decision.decision and decision.return_to is None
    assert decision.refuse_to == by_no(sop, "5").key
    assert sop.next_step(decision.refuse_to) is None  # notification, then the case ends


def test_pendaftaran_step_5_is_the_pejabat_level_2_decision(
    sops: dict[str, SopDefinition],
) -> None:
    sop = sops["NARSUM-PENDAFTARAN"]
    assert sop.version == 2
    step = by_no(sop, "5")
    assert (step.role, step.decision, step.return_to, step.refuse_to) == (
        "pejabat-level-2",
        True,
        None,
        "end",  # the surat keterangan itself says "tidak"
    )
    assert "disetujui/ tidak" in step.text


def test_konsultasi_step_5_returns_like_its_bimbingan_twin(
    sops: dict[str, SopDefinition],
) -> None:
    konsultasi, bimbingan = sops["DIKLAT-KONSULTASI"], sops["DIKLAT-BIMBINGAN"]
    assert konsultasi.version == 2
    mine, twin = by_no(konsultasi, "5"), by_no(bimbingan, "5")
    assert (mine.role, mine.decision, mine.refuse_to) == (twin.role, True, None)
    assert konsultasi.step(mine.return_to or "").no == bimbingan.step(twin.return_to or "").no
    assert konsultasi.step(mine.return_to or "").role == "pejabat-level-2"
    assert "apabila tidak" not in mine.text  # inferred, not read: the text stays as written


def test_only_whole_request_decisions_can_refuse(sops: dict[str, SopDefinition]) -> None:
    refusing = {(sop.code, s.no) for sop in sops.values() for s in sop.steps if s.refuse_to}
    assert refusing == {
        ("NARSUM-PERMINTAAN", "4"),
        ("NARSUM-PENDAFTARAN", "4"),
        ("NARSUM-PENDAFTARAN", "5"),
    }


@pytest.mark.parametrize(
    ("code", "index", "role"),
    [
        # named in the text
        ("DIKLAT-PELAKSANAAN", 3, "pejabat-level-2"),  # "Pejabat Level 2 mempersiapkan ..."
        ("DIKLAT-PELAKSANAAN", 5, "anggota-tim-kerja"),  # "Anggota Tim Kerja Mengoreksi ..."
        ("DIKLAT-PELAKSANAAN", 8, "ketua-tim-kerja"),  # "Ketua Tim Kerja memerintahkan ..."
        ("NARSUM-PERMINTAAN", 1, "petugas-teknis"),
        ("NARSUM-PERMINTAAN", 2, "eselon-fungsional-khusus"),
        ("NARSUM-PERMINTAAN", 3, "pejabat-level-1"),  # "Kadis memberikan persetujuan"
        ("NARSUM-PENDAFTARAN", 1, "ketua-tim-kerja"),
        ("NARSUM-PENDAFTARAN", 2, "anggota-tim-kerja"),
        # read from what the text does
        ("DIKLAT-PELAKSANAAN", 0, "ketua-tim-kerja"),  # "Memerintahkan Anggota Tim Kerja ..."
        ("DIKLAT-PELAKSANAAN", 7, "pejabat-level-1"),  # step 7 forwards to Pejabat Level 1
        ("DIKLAT-SARPRAS", 4, "pejabat-level-1"),
        ("DIKLAT-BAHAN", 3, "pejabat-level-2"),
        ("NARSUM-PERMINTAAN", 0, "pemohon"),
        ("NARSUM-PENDAFTARAN", 4, "pejabat-level-2"),  # who sends: judgement, see the TOML
        ("NARSUM-FASILITASI", 0, "pemohon"),
        ("NARSUM-FASILITASI", 10, "petugas-informasi-tu"),  # numbering at Biro Umum
        ("NARSUM-FASILITASI", 12, "pemohon"),
        ("DIKLAT-PENGUSULAN", 2, "kepala-bidang"),
        ("DIKLAT-PENGUSULAN", 3, "sekretaris-dinas"),
        ("DIKLAT-PENGUSULAN", 4, "pejabat-level-1"),  # the Kepala Dinas
        ("DIKLAT-PENGUSULAN", 7, "pengadministrasi-umum"),
    ],
)
def test_roles_read_from_text(
    sops: dict[str, SopDefinition], code: str, index: int, role: str
) -> None:
    assert sops[code].steps[index].role == role


def test_pendaftaran_has_four_distinct_roles(sops: dict[str, SopDefinition]) -> None:
    roles = sops["NARSUM-PENDAFTARAN"].roles
    assert [r.key for r in roles] == [
        "pemohon",
        "anggota-tim-kerja",
        "ketua-tim-kerja",
        "pejabat-level-2",
    ]


def test_same_role_same_key_across_sops(sops: dict[str, SopDefinition]) -> None:
    diklat = ["DIKLAT-PELAKSANAAN", "DIKLAT-BAHAN", "DIKLAT-SARPRAS"]
    diklat += ["DIKLAT-BIMBINGAN", "DIKLAT-KONSULTASI"]
    for code in diklat:
        assert [r.key for r in sops[code].roles] == [
            "ketua-tim-kerja",
            "anggota-tim-kerja",
            "pejabat-level-2",
            "pejabat-level-1",
        ]
    for code in ("NARSUM-PERMINTAAN", "NARSUM-PENDAFTARAN", "NARSUM-FASILITASI"):
        assert sops[code].role("pemohon").external
    # The Kepala Dinas is Pejabat Level 1 wherever it appears.
    assert sops["NARSUM-PERMINTAAN"].role("pejabat-level-1").name == "Pejabat Level 1"
    assert sops["DIKLAT-PENGUSULAN"].role("pejabat-level-1").name == "Kepala Dinas"
    # A heading (ignoring the parenthesised gloss) never maps to two keys.
    key_of: dict[str, str] = {}
    for sop in sops.values():
        for role in sop.roles:
            heading = re.sub(r"\s*\(.*\)", "", role.name).lower()
            assert key_of.setdefault(heading, role.key) == role.key, (sop.code, role.name)


def test_roles_are_consistent(sops: dict[str, SopDefinition]) -> None:
    for sop in sops.values():
        used = {s.role for s in sop.steps}
        assert used == {r.key for r in sop.roles}, sop.code  # no idle column
        for role in sop.roles:
            if role.external:
                assert role.recorded_by and not sop.role(role.recorded_by).external
            else:
                assert role.recorded_by is None


def test_every_step_text_non_empty(sops: dict[str, SopDefinition]) -> None:
    for sop in sops.values():
        for step in sop.steps:
            assert step.text.strip() and step.text == step.text.strip(), (sop.code, step.key)


# Rows copied from the seed sheets (tab-separated, as extracted), to compare field by field.
SEED_SAMPLE = [
    (
        "NARSUM-PERMINTAAN",
        "4\tKadis memberikan persetujuan/ tidak persetujuan terhadap pemenuhan permintaan "
        "narasumber dan apabila disetujui menunjukkan disposisi personil yang sesuai dengan "
        "permintaan narasumber yang dibutuhkan pihak pemohon\t\t\t\t\tDisetujui\t10 Menit\t"
        "Disiapkan",
    ),
    (
        "NARSUM-FASILITASI",
        "7\tMengoreksi surat. Jika tidak setuju dikembalikan kepada kasubbag untuk diperbaiki, "
        "jika setuju diparaf dan diserahkan kepada Karo\t\t\t\t\t\t\t\tDraft surat\t15 menit\t"
        "Draft surat\t",
    ),
    (
        "DIKLAT-PENGUSULAN",
        "6\tMenerima Draft Surat Perintah Tugas, untuk selanjutnya dikirim kepada Walikota untuk "
        "ditandatangani, dan menerima SPT yang telah ditandatangani dan diserahkan kepada "
        "Kasubbag Umum dan Aparatur\t\t\t\t\t\tDraft SPT, Telaahan Staf\tRelatif\t"
        "Draft SPT, Telaahan Staf\tTerkait SOP Penerbitan SPT/Penandatanganan SPT oleh Walikota",
    ),
    (
        "DIKLAT-BAHAN",
        "3\tMenkonsep bahan/materi yang digunakan untuk pelaksanaan kegiatan Diklat dan "
        "diteruskan kepada Pejabat Level 2 untuk ditindaklanjuti ;\t\t\t\t\tDisposisi\t15 Menit\t"
        "Konsep Bahan/Materi Diklat, Disposisi\t",
    ),
]

_WAKTU_CELL = re.compile(r"^\s*(\d+\s*(menit|jam|hari)|relatif)\s*$", re.IGNORECASE)


def seed_row(line: str) -> dict[str, str]:
    """No, text and Mutu Baku of a seed row; the Waktu cell anchors the columns after it."""
    cells = line.split("\t")
    w = next(i for i in range(2, len(cells)) if _WAKTU_CELL.match(cells[i]))
    rest = [*cells[w + 1 : w + 3], "", ""]
    return {
        "no": cells[0],
        "text": cells[1],
        "kelengkapan": cells[w - 1],
        "waktu": cells[w],
        "output": rest[0],
        "ket": rest[1],
    }


def step_fields(step: Step) -> dict[str, str]:
    return {f: getattr(step, f) for f in ("no", "text", "kelengkapan", "waktu", "output", "ket")}


@pytest.mark.parametrize(("code", "line"), SEED_SAMPLE)
def test_sample_steps_equal_the_seed(sops: dict[str, SopDefinition], code: str, line: str) -> None:
    row = seed_row(line)
    assert step_fields(by_no(sops[code], row["no"])) == row


# Seed files, when present (they live outside the repo): every row, in order.
SEED_DIR = Path(
    os.environ.get("SOPTUI_SEEDS", Path(__file__).resolve().parents[2] / "shared/seeds")
)
SEED_FILES = {
    "000": [
        "DIKLAT-PELAKSANAAN",
        "NARSUM-PERMINTAAN",
        "DIKLAT-BAHAN",
        "DIKLAT-SARPRAS",
        "DIKLAT-BIMBINGAN",
        "DIKLAT-KONSULTASI",
        "NARSUM-PENDAFTARAN",
    ],
    "002": ["NARSUM-FASILITASI"],
    "004": ["DIKLAT-PENGUSULAN"],
}


@pytest.mark.parametrize("prefix", SEED_FILES)
def test_all_steps_equal_the_seed_files(sops: dict[str, SopDefinition], prefix: str) -> None:
    files = sorted(SEED_DIR.glob(f"{prefix}_*.txt")) if SEED_DIR.is_dir() else []
    if not files:
        pytest.skip(f"seed files not found in {SEED_DIR} (set SOPTUI_SEEDS)")
    lines = files[0].read_text(encoding="utf-8").split("\n")
    rows = [seed_row(line) for line in lines if re.match(r"^\d+\t", line)]
    steps = [step_fields(s) for code in SEED_FILES[prefix] for s in sops[code].steps]
    assert steps == rows


def test_lookup_helpers(sops: dict[str, SopDefinition]) -> None:
    sop = sops["NARSUM-FASILITASI"]
    assert sop.step("paraf-karo").no == "8"
    assert sop.next_step("paraf-karo") == sop.step("paraf-asisten")
    assert sop.next_step("terima-surat-kesediaan") is None
    assert sop.role("sekda").name == "Sekda"
    with pytest.raises(KeyError):
        sop.step("nope")
    with pytest.raises(KeyError):
        sop.role("nope")
    step = sops["DIKLAT-PENGUSULAN"].step("buat-usulan")
    assert step.checklist == (step.kelengkapan,)  # no comma: one item
    assert sops["NARSUM-FASILITASI"].step("disposisi-biro").checklist == ("Surat PD", "disposisi")


def test_to_dict_is_json_and_names_the_target_number(sops: dict[str, SopDefinition]) -> None:
    data = json.loads(json.dumps(sops["DIKLAT-PELAKSANAAN"].to_dict()))
    assert data["code"] == "DIKLAT-PELAKSANAAN" and data["nomor"] == "061/ 1625 /DISKOPUKM"
    assert data["roles"][0] == {
        "key": "ketua-tim-kerja",
        "name": "Ketua Tim Kerja",
        "external": False,
        "recorded_by": None,
    }
    step = data["steps"][6]
    assert step["no"] == "7" and step["role_name"] == "Ketua Tim Kerja"
    assert step["decision"] is True
    assert (step["return_to"], step["return_to_key"], step["refuse_to"]) == (
        "6",
        "koreksi-anggota",
        None,
    )
    assert data["steps"][3]["minutes"] == 450
    permintaan = sops["NARSUM-PERMINTAAN"].to_dict()
    assert permintaan["steps"][3]["refuse_to"] == "surat-konfirmasi"
    assert permintaan["roles"][0]["recorded_by"] == "petugas-teknis"


# --- parse_waktu --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("5 Menit", 5),
        ("5 menit", 5),
        ("10 MENIT", 10),
        (" 20 Menit ", 20),
        ("1 Jam", 60),
        ("2 Jam", 120),
        ("3 jam", 180),
        ("1 Hari", 450),
        ("2 Hari", 900),
        ("Relatif", None),
        ("relatif", None),
    ],
)
def test_parse_waktu(text: str, minutes: int | None) -> None:
    assert parse_waktu(text) == minutes


@pytest.mark.parametrize("text", ["", "5", "Menit", "5 Minggu", "1,5 Jam", "-1 Jam", "lima menit"])
def test_parse_waktu_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable Waktu"):
        parse_waktu(text)


# --- the validator ------------------------------------------------------------------------

VALID = """\
format = 1
code = "TEST-SOP"
version = 1
name = "Test SOP"
short_name = "Test"
nomor = "061/ /TEST"
dasar_hukum = ["Satu", "Dua"]

[[roles]]
key = "pemohon"
name = "Pemohon"
external = true
recorded_by = "petugas"

[[roles]]
key = "petugas"
name = "Petugas"

[[roles]]
key = "kepala"
name = "Kepala"

[[steps]]
key = "ajukan"
no = "1"
role = "pemohon"
text = "Mengajukan permohonan"
kelengkapan = "Surat, KTP,"
waktu = "5 Menit"
output = "Diterima"

[[steps]]
key = "periksa"
no = "2"
role = "petugas"
text = "Memeriksa berkas"
waktu = "1 Jam"

[[steps]]
key = "setujui"
no = "3"
role = "kepala"
text = "Menyetujui; jika tidak setuju dikembalikan kepada petugas"
waktu = "1 Hari"
decision = true
return_to = "periksa"
refuse_to = "kabari"

[[steps]]
key = "kabari"
no = "4"
role = "petugas"
text = "Mengabari pemohon"
waktu = "Relatif"
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the nth line containing needle."""
    hits = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    return hits[nth - 1]


def edit(old: str, new: str, count: int = 1) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, count)


def error_of(text: str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "test.toml")
    return info.value


def test_valid_minimal_catalog() -> None:
    sop = parse_catalog(VALID)
    assert sop.code == "TEST-SOP" and sop.dasar_hukum == ("Satu", "Dua")
    assert sop.tanggal_revisi == "" and sop.peralatan == ()
    assert sop.steps[0].checklist == ("Surat", "KTP")
    assert sop.steps[1].kelengkapan == "" and sop.steps[1].ket == ""
    setujui = sop.step("setujui")
    assert (setujui.return_to, setujui.refuse_to, setujui.minutes) == ("periksa", "kabari", 450)
    assert sop.steps[3].minutes is None
    assert sop.role("pemohon") == sop.roles[0]
    assert sop.roles[0].recorded_by == "petugas" and sop.roles[1].recorded_by is None


def test_error_string_format() -> None:
    assert str(CatalogError("a.toml", 7, "bad")) == "a.toml:7: bad"
    assert str(CatalogError("a.toml", None, "bad")) == "a.toml: bad"
    err = CatalogError("a.toml", 7, "bad")
    assert (err.source, err.line, err.message) == ("a.toml", 7, "bad")
    assert isinstance(err, ValueError)


INVALID = [
    # (case id, text, line of the fault, message fragment)
    (
        "toml-syntax",
        edit('name = "Test SOP"', 'name = "Test SOP'),
        line_of(VALID, 'name = "Test SOP"'),
        "TOML syntax error",
    ),
    (
        "missing-top-field",
        edit('code = "TEST-SOP"\n', ""),
        1,
        "missing required field 'code'",
    ),
    (
        "missing-step-field",
        edit('text = "Memeriksa berkas"\n', ""),
        line_of(VALID, "[[steps]]", 2),
        "steps[2] ('periksa'): missing required field 'text'",
    ),
    (
        "missing-role-field",
        edit('name = "Kepala"\n', ""),
        line_of(VALID, "[[roles]]", 3),
        "roles[3] ('kepala'): missing required field 'name'",
    ),
    (
        "unknown-role-on-step",
        edit('role = "kepala"', 'role = "kadis"'),
        line_of(VALID, 'role = "kepala"'),
        "unknown role 'kadis'",
    ),
    (
        "unknown-recorded-by",
        edit('recorded_by = "petugas"', 'recorded_by = "satpam"'),
        line_of(VALID, "recorded_by ="),
        "recorded_by: unknown role 'satpam'",
    ),
    (
        "recorded-by-external",
        edit('recorded_by = "petugas"', 'recorded_by = "pemohon"'),
        line_of(VALID, "recorded_by ="),
        "is itself external",
    ),
    (
        "external-without-recorded-by",
        edit('recorded_by = "petugas"\n', ""),
        line_of(VALID, "[[roles]]"),
        "external role needs recorded_by",
    ),
    (
        "recorded-by-on-internal",
        edit('name = "Kepala"\n', 'name = "Kepala"\nrecorded_by = "petugas"\n'),
        line_of(VALID, 'name = "Kepala"') + 1,
        "recorded_by is for external roles",
    ),
    (
        "return-to-unknown",
        edit('return_to = "periksa"', 'return_to = "periksa-ulang"'),
        line_of(VALID, "return_to ="),
        "return_to: unknown step 'periksa-ulang'",
    ),
    (
        "return-to-later",
        edit('return_to = "periksa"', 'return_to = "kabari"'),
        line_of(VALID, "return_to ="),
        "return_to 'kabari' is not an earlier step",
    ),
    (
        "return-to-itself",
        edit('return_to = "periksa"', 'return_to = "setujui"'),
        line_of(VALID, "return_to ="),
        "return_to 'setujui' is not an earlier step",
    ),
    (
        "refuse-to-unknown",
        edit('refuse_to = "kabari"', 'refuse_to = "tolak"'),
        line_of(VALID, "refuse_to ="),
        "refuse_to: unknown step 'tolak'",
    ),
    (
        "refuse-to-earlier",
        edit('refuse_to = "kabari"', 'refuse_to = "ajukan"'),
        line_of(VALID, "refuse_to ="),
        "refuse_to 'ajukan' is not a later step",
    ),
    (
        "return-without-decision",
        edit("decision = true\n", ""),
        line_of(VALID, "return_to =") - 1,
        "return_to needs decision = true",
    ),
    (
        "decision-without-targets",
        edit('return_to = "periksa"\nrefuse_to = "kabari"\n', ""),
        line_of(VALID, "decision = true"),
        "a decision step needs return_to and/or refuse_to",
    ),
    (
        "unreadable-waktu",
        edit('waktu = "1 Jam"', 'waktu = "Sejam"'),
        line_of(VALID, 'waktu = "1 Jam"'),
        "steps[2] ('periksa'): unreadable Waktu 'Sejam'",
    ),
    (
        "duplicate-step-key",
        edit('key = "kabari"', 'key = "periksa"'),
        line_of(VALID, 'key = "kabari"'),
        "duplicate step key 'periksa' (already steps[2])",
    ),
    (
        "duplicate-role-key",
        edit('key = "kepala"', 'key = "petugas"'),
        line_of(VALID, 'key = "kepala"'),
        "duplicate role key 'petugas'",
    ),
    (
        "bad-code",
        edit('code = "TEST-SOP"', 'code = "test sop"'),
        2,
        "bad code 'test sop'",
    ),
    ("bad-version", edit("version = 1", "version = 0"), 3, "bad version 0"),
    (
        "version-not-int",
        edit("version = 1", 'version = "1"'),
        3,
        "field 'version' must be an integer, not a string",
    ),
    (
        "version-bool",
        edit("version = 1", "version = true"),
        3,
        "field 'version' must be an integer, not a boolean",
    ),
    ("bad-format", edit("format = 1", "format = 2"), 1, "unsupported format 2"),
    (
        "empty-steps",
        VALID[: VALID.index("[[steps]]")].replace("nomor =", "steps = []\nnomor ="),
        line_of(VALID, "nomor ="),
        "no [[steps]]",
    ),
    (
        "no-steps",
        VALID[: VALID.index("[[steps]]")],
        1,
        "no [[steps]]",
    ),
    (
        "text-not-string",
        edit('text = "Memeriksa berkas"', "text = 5"),
        line_of(VALID, 'text = "Memeriksa berkas"'),
        "field 'text' must be a string, not an integer",
    ),
    (
        "decision-not-bool",
        edit("decision = true", 'decision = "ya"'),
        line_of(VALID, "decision = true"),
        "field 'decision' must be true or false, not a string",
    ),
    (
        "list-not-list",
        edit('dasar_hukum = ["Satu", "Dua"]', 'dasar_hukum = "Satu"'),
        line_of(VALID, "dasar_hukum"),
        "field 'dasar_hukum' must be a list of strings, not a string",
    ),
    (
        "list-of-numbers",
        edit('dasar_hukum = ["Satu", "Dua"]', "dasar_hukum = [1, 2]"),
        line_of(VALID, "dasar_hukum"),
        "field 'dasar_hukum' must be a list of strings, not a list with non-string items",
    ),
    (
        "steps-not-tables",
        VALID[: VALID.index("[[steps]]")].replace("nomor =", 'steps = ["a"]\nnomor ='),
        line_of(VALID, "nomor ="),
        "field 'steps' must be an array of tables",
    ),
    (
        "unknown-field",
        edit('output = "Diterima"', 'ouput = "Diterima"'),
        line_of(VALID, 'output = "Diterima"'),
        "steps[1] ('ajukan'): unknown field 'ouput'",
    ),
    (
        "short-name-too-long",
        edit('short_name = "Test"', 'short_name = "Nama yang terlalu panjang"'),
        5,
        "short_name 'Nama yang terlalu panjang' is 25 characters (at most 18)",
    ),
    (
        "empty-text",
        edit('text = "Memeriksa berkas"', 'text = " "'),
        line_of(VALID, 'text = "Memeriksa berkas"'),
        "text must not be empty",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "fragment"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_validator_reports_line_and_fault(text: str, line: int, fragment: str) -> None:
    err = error_of(text)
    assert err.source == "test.toml"
    assert err.line == line, str(err)
    assert fragment in err.message, str(err)
    assert str(err) == f"test.toml:{line}: {err.message}"


def test_syntax_error_column_is_kept() -> None:
    err = error_of('format = 1\ncode = "A"\nversion = = 1\n')
    assert err.line == 3
    assert err.message.startswith("TOML syntax error: ") and "column" in err.message


def test_inline_steps_have_no_line() -> None:
    # Inline tables have no [[steps]] header to point at: the error still names the fault.
    text = VALID[: VALID.index("[[roles]]")].replace(
        "nomor =",
        'steps = [{key = "a", no = "1", role = "x", text = "t", waktu = "5 Menit"}]\nnomor =',
    )
    text += '[[roles]]\nkey = "p"\nname = "P"\n'
    err = error_of(text)
    assert err.line is None and "unknown role 'x'" in err.message
    assert str(err).startswith("test.toml: steps[1]")


def test_load_catalog_file(tmp_path: Path) -> None:
    path = tmp_path / "test-sop.toml"
    path.write_text(VALID, encoding="utf-8")
    assert load_catalog_file(path).code == "TEST-SOP"
    assert load_catalog_file(str(path)).steps[-1].key == "kabari"
    path.write_text(edit('waktu = "1 Jam"', 'waktu = "?"'), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog_file(path)
    line = line_of(VALID, 'waktu = "1 Jam"')
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_load_catalog_file_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(CatalogError) as info:
        load_catalog_file(missing)
    assert info.value.line is None and info.value.source == str(missing)
    assert "cannot read" in info.value.message
