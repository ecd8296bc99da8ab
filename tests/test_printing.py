"""The printed papers (PDF): each opens, has the pages, the text and the
embedded fonts it should, on A4 and F4; the CLI writes them where asked and
refuses bad input with one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from soptui.catalog import bundled_catalog
from soptui.printing.sop_sheet import sop_sheet_pdf

SOPS = {sop.code: sop for sop in bundled_catalog()}
MM = 72 / 25.4


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def embedded_fonts(reader: PdfReader) -> set[str]:
    """Base names of the fonts whose TrueType program is in the file."""
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:
                    names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.parametrize("code", sorted(SOPS))
def test_sop_sheet_has_identity_flowchart_and_embedded_fonts(code: str) -> None:
    sop = SOPS[code]
    reader = read(sop_sheet_pdf(sop, size="a4"))
    assert len(reader.pages) >= 2
    page = reader.pages[0].mediabox
    assert (round(page.width / MM), round(page.height / MM)) == (297, 210)  # landscape
    text = text_of(reader)
    for label in (
        "Nomor SOP",
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Uraian Prosedur",
        "Pelaksana",
        "Mutu Baku",
        "Kelengkapan",
        "Waktu",
        "Output",
        "Keterangan",
    ):
        assert label in text
    assert sop.name in text and sop.nomor in text
    for step in sop.steps:
        assert " ".join(step.text.split()[:3]) in text, step.no
    assert embedded_fonts(reader) >= {"SourceSansPro", "SourceSansProBold"}


def test_f4_is_folio_landscape_and_returns_are_labelled() -> None:
    sop = SOPS["NARSUM-FASILITASI"]
    reader = read(sop_sheet_pdf(sop, size="f4"))
    box = reader.pages[1].mediabox
    assert (round(box.width / MM), round(box.height / MM)) == (330, 215)
    text = text_of(reader)
    assert text.count("Tidak") >= 5 and "Ya" in text
    for role in sop.roles:
        assert role.name.split()[0] in text


def test_indonesian_text_survives_intact() -> None:
    sop = SOPS["DIKLAT-PELAKSANAAN"]
    text = text_of(read(sop_sheet_pdf(sop)))
    assert "Pelaksanaan Kegiatan Diklat" in text
    assert "Peraturan Menteri Dalam Negeri" in text


def test_case_print_writes_the_record_with_the_disposisi(run, tmp_path: Path) -> None:
    rc, out, err = run(
        "--user",
        "tu",
        "case",
        "new",
        "NARSUM-FASILITASI",
        "--title",
        "Narasumber koperasi",
        "--letter-no",
        "005/77/DK",
        "--format",
        "json",
    )
    assert rc == 0, err
    import json

    case_id = json.loads(out)["id"]
    for args in (
        ("case", "complete", str(case_id)),
        ("case", "return", str(case_id), "--note", "Surat PD belum lengkap"),
        ("case", "complete", str(case_id)),
    ):
        rc, _out, err = run("--user", "tu", *args)
        assert rc == 0, err
    target = tmp_path / "kasus.pdf"
    rc, out, err = run("case", "print", str(case_id), "-o", str(target), "--paper", "f4")
    assert rc == 0, err
    assert str(target) in out
    reader = read(target.read_bytes())
    box = reader.pages[0].mediabox
    assert (round(box.width / MM), round(box.height / MM)) == (215, 330)
    text = text_of(reader)
    for expected in (
        "CATATAN KASUS",
        "Narasumber koperasi",
        "005/77/DK",
        "Perihal",
        "Langkah dan Mutu Baku",
        "dikembalikan",
        "Surat PD belum lengkap",
        "LEMBAR DISPOSISI",
        "Diteruskan kepada",
        "Paraf",
    ):
        assert expected in text, expected
    assert embedded_fonts(reader)


def test_sop_print_and_monitoring_form_through_the_cli(run, tmp_path: Path) -> None:
    sheet = tmp_path / "sop.pdf"
    rc, _out, err = run("sop", "print", "DIKLAT-BAHAN", "-o", str(sheet))
    assert rc == 0, err
    assert "Penyiapan Bahan/Materi Diklat" in text_of(read(sheet.read_bytes()))
    form = tmp_path / "monitoring.pdf"
    rc, _out, err = run(
        "report", "monitoring", "--semester", "2026-1", "--format", "pdf", "-o", str(form)
    )
    assert rc == 0, err
    reader = read(form.read_bytes())
    text = text_of(reader)
    for expected in (
        "FORMULIR MONITORING",
        "Prosedur",
        "Berjalan dengan",
        "Catatan",
        "Tindakan yang harus diambil",
        "Paraf penilai",
        "Penilai",
        "NIP",
    ):
        assert expected in text, expected
    for sop in SOPS.values():
        assert sop.name in text


@pytest.mark.parametrize(
    "args",
    [
        ("sop", "print", "NOPE", "-o", "{dir}/x.pdf"),
        ("sop", "print", "DIKLAT-BAHAN", "-o", "{dir}/missing/x.pdf"),
        ("sop", "print", "DIKLAT-BAHAN", "--paper", "letter", "-o", "{dir}/x.pdf"),
        ("report", "monitoring", "--semester", "2026-1", "--format", "pdf"),
        ("case", "print", "999", "-o", "{dir}/x.pdf"),
    ],
)
def test_bad_print_input_is_one_line_and_writes_nothing(run, tmp_path: Path, args) -> None:
    rc, _out, err = run(*(a.format(dir=tmp_path) for a in args))
    assert rc != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not list(tmp_path.rglob("*.pdf"))
