"""The SOP flowchart as text: golden drawings of the nine bundled SOPs (box
characters and plain ASCII, 80 columns), the shape rules the drawing keeps,
and a running case drawn on it (on both backends).

Regenerate the golden files after a deliberate change with
SOPTUI_UPDATE_GOLDEN=1 python -m pytest tests/test_flowchart.py, then read
the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soptui.catalog import bundled_catalog
from soptui.flowchart import draw, lane_abbreviations, plain, wants_ascii
from soptui.i18n import set_language

GOLDEN = Path(__file__).parent / "golden" / "flow"
SOPS = {sop.code: sop for sop in bundled_catalog()}


@pytest.fixture(autouse=True)
def indonesian() -> None:
    set_language("id")


@pytest.mark.parametrize("style", ["box", "ascii"])
@pytest.mark.parametrize("code", sorted(SOPS))
def test_flowchart_matches_its_golden_drawing(code: str, style: str) -> None:
    text = plain(draw(SOPS[code], width=80, ascii=style == "ascii")) + "\n"
    path = GOLDEN / f"{code}.{style}.txt"
    if os.environ.get("SOPTUI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_golden_files_are_the_nine_sops_in_both_styles() -> None:
    assert len(SOPS) == 9
    assert {p.name for p in GOLDEN.glob("*.txt")} == {
        f"{code}.{style}.txt" for code in SOPS for style in ("box", "ascii")
    }


@pytest.mark.parametrize("code", sorted(SOPS))
def test_every_sop_fits_80_columns_and_ascii_is_plain(code: str) -> None:
    sop = SOPS[code]
    box = plain(draw(sop, width=80))
    ascii_text = plain(draw(sop, width=80, ascii=True))
    assert max(len(line) for line in box.splitlines()) <= 80
    assert max(len(line) for line in ascii_text.splitlines()) <= 80
    assert ascii_text.isascii()
    assert box.count("▼") == len(sop.steps) - 1  # one arrow into every step but the first


@pytest.mark.parametrize("code", sorted(SOPS))
def test_symbols_sit_in_their_performers_lane(code: str) -> None:
    sop = SOPS[code]
    lines = plain(draw(sop, width=60)).splitlines()  # too narrow for the Uraian column
    body = lines[3:]  # title, lane heads, rule
    lanes = [r.key for r in sop.roles]
    for step in sop.steps:
        middle = body[step.index * 4 + 1]
        left = 8 * lanes.index(step.role) + 1
        shape = middle[left] + middle[left + 6]
        expected = {"diamond": "<>", "capsule": "()", "box": "││"}
        kind = (
            "diamond"
            if step.decision
            else "capsule"
            if step.index in (0, len(sop.steps) - 1)
            else "box"
        )
        assert shape == expected[kind], (step.no, middle)
        assert middle[left + 1 : left + 4].strip() == step.no


def test_every_return_is_drawn_to_its_target() -> None:
    sop = SOPS["NARSUM-FASILITASI"]  # 7 lanes, 13 steps, five returns
    lines = plain(draw(sop, width=80)).splitlines()
    body = lines[3:]
    returns = [s for s in sop.steps if s.return_to]
    assert len(returns) == 5
    for step in returns:
        assert "Tidak" in body[step.index * 4 + 1]
        target = sop.step(step.return_to)
        assert "◀" in body[target.index * 4]  # the arrow into the target's row
    assert sum(line.count("Ya") for line in body) == len([s for s in sop.steps if s.decision])
    legend = "\n".join(lines)
    assert "PIT     Petugas Informasi/ TU" in legend
    assert "Asisten Administrasi dan Umum" in legend


def test_a_refusal_to_a_later_step_is_drawn_downwards() -> None:
    sop = SOPS["NARSUM-PENDAFTARAN"]
    body = plain(draw(sop, width=80)).splitlines()[3:]
    decision = sop.step("persetujuan-ketua")
    assert "Tidak" in body[decision.index * 4 + 2]
    assert "◀" in body[sop.step("kirim-surat-keterangan").index * 4]


def test_wide_terminal_shows_the_uraian_column() -> None:
    sop = SOPS["DIKLAT-BAHAN"]
    wide = plain(draw(sop, width=130)).splitlines()
    assert "Uraian Prosedur" in wide[1] and "Mutu Baku" in wide[1]
    assert max(len(line) for line in wide) <= 130
    assert "Ketua Tim Kerja" in wide[3]


def test_english_labels() -> None:
    set_language("en")
    try:
        text = plain(draw(SOPS["DIKLAT-BAHAN"], width=80))
    finally:
        set_language("id")
    assert "─No─" in text and "Yes" in text and "Performers:" in text


def test_lane_abbreviations_are_short_and_unique() -> None:
    assert lane_abbreviations(["Pemohon", "Petugas Informasi/ TU", "Kepala Biro"]) == [
        "Pemohon",
        "PIT",
        "KB",
    ]
    assert lane_abbreviations(["Kepala Bagian", "Ketua Bidang"]) == ["KB", "KB2"]


def test_ascii_for_the_linux_console_and_narrow_encodings() -> None:
    assert wants_ascii("linux", "utf-8")
    assert wants_ascii("xterm-256color", "ascii")
    assert not wants_ascii("xterm-256color", "utf-8")
    assert not wants_ascii("screen", "UTF-8")


def test_a_running_case_on_its_flowchart(office) -> None:
    svc, cases = office.svc, office.svc.cases
    case_id = office.start("NARSUM-FASILITASI", title="Narasumber koperasi")
    cases.complete(office.tu, case_id)  # 1, recorded for the pemohon
    cases.return_for_revision(office.tu, case_id, note="Surat PD belum lengkap")
    cases.complete(office.tu, case_id)  # 1 again
    cases.complete(office.tu, case_id)  # 2 approved
    detail = svc.cases.detail(case_id)
    lines = draw(detail.sop, detail, width=80)
    text = plain(lines)
    body = text.splitlines()[5:]  # title, case, state, heads, rule
    assert "#" + str(case_id) + " Narasumber koperasi" in text
    assert "langkah 3" in text.splitlines()[2]
    assert "( 1 ✓ )" in body[1] and "< 2 ✓ >" in body[5]
    assert "║ 3 ▶ ║" in body[9] and "▶ sisa 5m" in body[9]
    assert "━Tidak━" in body[5]  # the return taken is drawn heavy
    assert "↩1×" in body[5]
    assert "│ 4   │" in body[13]  # still to come: no mark
    tags = {seg.tag for line in lines for seg in line}
    assert {"done", "current", "path"} <= tags
    ascii_text = plain(draw(detail.sop, detail, width=80, ascii=True))
    assert ascii_text.isascii()
    assert "# 3 > #" in ascii_text and "=Tidak=" in ascii_text
