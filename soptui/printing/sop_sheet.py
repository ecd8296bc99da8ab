"""The SOP sheet as the Permen PAN-RB 35/2012 lays it out: the identity block,
then the flowchart table (No, Uraian Prosedur, a lane per Pelaksana with the
symbols drawn in it, Mutu Baku: Kelengkapan, Waktu, Output, Keterangan),
landscape, its header repeated on every page."""

from __future__ import annotations

from dataclasses import dataclass

from soptui.catalog import SopDefinition, Step
from soptui.i18n import t
from soptui.printing.base import FONT, Paper

LINE = 3.6  # mm per text line at 8 pt
SYMBOL_W, SYMBOL_H = 11.0, 6.0
ARROW = 1.2


@dataclass(frozen=True)
class _Cols:
    no: float
    uraian: float
    lanes: tuple[float, ...]  # x of each lane's left edge
    lane_w: float
    kelengkapan: float
    waktu: float
    output: float
    ket: float
    right: float

    @property
    def mutu_x(self) -> float:
        return self.lanes[-1] + self.lane_w


def sop_sheet_pdf(sop: SopDefinition, *, size: str = "a4") -> bytes:
    pdf = Paper(size=size, landscape=True, title=f"SOP {sop.name} ({sop.code} v{sop.version})")
    pdf.add_page()
    _identity(pdf, sop)
    pdf.add_page()
    _flowchart(pdf, sop)
    return pdf.output_bytes()


def _identity(pdf: Paper, sop: SopDefinition) -> None:
    w = pdf.inner_width
    half = w / 2
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(half, 5, t("pdf.gov"), border="LTR", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, t("pdf.agency"), border="LR", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(half, 5, sop.unit or "-", border="LR", align="C", new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(x0 + half, y0)
    rows = [
        (t("pdf.nomor"), sop.nomor),
        (t("pdf.made"), sop.tanggal_pembuatan),
        (t("pdf.revised"), sop.tanggal_revisi),
        (t("pdf.effective"), sop.tanggal_efektif),
        (t("pdf.approved"), sop.disahkan_oleh),
        (t("pdf.name"), sop.name),
    ]
    for label, value in rows:
        pdf.set_x(x0 + half)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(half * 0.35, 6, label, border=1)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(half * 0.65, 6, value or "", border=1, new_x="LMARGIN", new_y="NEXT")
    bottom = max(left_bottom, pdf.get_y())
    pdf.line(x0, left_bottom, x0, bottom)
    pdf.line(x0, bottom, x0 + half, bottom)
    pdf.set_y(bottom)
    for (left_key, left), (right_key, right) in (
        (("pdf.legal", sop.dasar_hukum), ("pdf.qualification", sop.kualifikasi)),
        (("pdf.related", sop.keterkaitan), ("pdf.equipment", sop.peralatan)),
        (("pdf.warning", sop.peringatan), ("pdf.records", sop.pencatatan)),
    ):
        pdf.set_font(FONT, "B", 9)
        pdf.cell(half, 6, t(left_key), border=1)
        pdf.cell(half, 6, t(right_key), border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8.5)
        y = pdf.get_y()
        _numbered(pdf, x0, y, half, left)
        h_left = pdf.get_y() - y
        _numbered(pdf, x0 + half, y, half, right)
        h = max(h_left, pdf.get_y() - y) + 1
        pdf.rect(x0, y, half, h)
        pdf.rect(x0 + half, y, half, h)
        pdf.set_y(y + h)


def _numbered(pdf: Paper, x: float, y: float, w: float, items: tuple[str, ...]) -> None:
    pdf.set_xy(x, y)
    text = "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)) if items else "-"
    pdf.multi_cell(w, 4.2, text, padding=(0.5, 1.5), align="L", new_x="LEFT", new_y="NEXT")


def _columns(pdf: Paper, sop: SopDefinition) -> _Cols:
    w = pdf.inner_width
    x = pdf.l_margin
    no, kel, waktu, out, ket = 8.0, 32.0, 16.0, 32.0, 18.0
    uraian = 70.0 if w > 280 else 62.0
    lanes_w = w - no - uraian - kel - waktu - out - ket
    lane_w = lanes_w / len(sop.roles)
    lanes = tuple(x + no + uraian + i * lane_w for i in range(len(sop.roles)))
    return _Cols(no, uraian, lanes, lane_w, kel, waktu, out, ket, x + w)


def _table_header(pdf: Paper, sop: SopDefinition, c: _Cols) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT, "B", 8)
    pdf.set_fill_color(230)
    mutu_w = c.kelengkapan + c.waktu + c.output + c.ket
    h1, h2 = 5.0, 11.0
    pdf.set_xy(x, y)
    pdf.multi_cell(c.no, h1 + h2, t("pdf.col.no"), border=1, align="C", fill=True)
    pdf.set_xy(x + c.no, y)
    pdf.multi_cell(c.uraian, h1 + h2, t("pdf.col.uraian"), border=1, align="C", fill=True)
    pdf.set_xy(c.lanes[0], y)
    pdf.cell(c.lane_w * len(c.lanes), h1, t("pdf.col.pelaksana"), border=1, align="C", fill=True)
    pdf.set_xy(c.mutu_x, y)
    pdf.cell(mutu_w, h1, t("pdf.col.mutu"), border=1, align="C", fill=True)
    pdf.set_font(FONT, "B", 6.5)
    for lane_x, role in zip(c.lanes, sop.roles, strict=True):
        pdf.rect(lane_x, y + h1, c.lane_w, h2, style="DF")
        pdf.set_xy(lane_x, y + h1 + 0.5)
        pdf.multi_cell(c.lane_w, 2.8, role.name, align="C", max_line_height=2.8)
    mx = c.mutu_x
    pdf.set_font(FONT, "B", 7.5)
    for width, key in (
        (c.kelengkapan, "pdf.col.kelengkapan"),
        (c.waktu, "pdf.col.waktu"),
        (c.output, "pdf.col.output"),
        (c.ket, "pdf.col.ket"),
    ):
        pdf.set_xy(mx, y + h1)
        pdf.multi_cell(width, h2, t(key), border=1, align="C", fill=True)
        mx += width
    pdf.set_font(FONT, "", 8)
    pdf.set_y(y + h1 + h2)


def _row_height(pdf: Paper, step: Step, c: _Cols) -> float:
    lines = max(
        len(pdf.multi_cell(c.uraian - 2, LINE, step.text, dry_run=True, output="LINES")),
        len(
            pdf.multi_cell(c.kelengkapan - 2, LINE, step.kelengkapan, dry_run=True, output="LINES")
        ),
        len(pdf.multi_cell(c.output - 2, LINE, step.output, dry_run=True, output="LINES")),
    )
    return max(15.0, lines * LINE + 3)


def _flowchart(pdf: Paper, sop: SopDefinition) -> None:
    pdf.heading(f"SOP {sop.name}", 11)
    pdf.ln(1)
    c = _columns(pdf, sop)
    pdf.set_font(FONT, "", 8)
    bottom_limit = pdf.h - pdf.b_margin
    _table_header(pdf, sop, c)
    centres: dict[int, tuple[float, float, int]] = {}  # step index -> (cx, cy, page)
    lane_of = {r.key: i for i, r in enumerate(sop.roles)}
    for step in sop.steps:
        h = _row_height(pdf, step, c)
        if pdf.get_y() + h > bottom_limit:
            pdf.add_page()
            _table_header(pdf, sop, c)
        y = pdf.get_y()
        _row_cells(pdf, step, c, y, h)
        cx = c.lanes[lane_of[step.role]] + c.lane_w / 2
        cy = y + h / 2
        centres[step.index] = (cx, cy, pdf.page_no())
        kind = (
            "decision"
            if step.decision
            else ("terminal" if step.index in (0, len(sop.steps) - 1) else "process")
        )
        pdf.set_line_width(0.35)
        _symbol(pdf, kind, cx, cy)
        if step.index > 0:
            px, py, page = centres[step.index - 1]
            top = cy - SYMBOL_H / 2
            if page == pdf.page_no():
                _connector(pdf, px, py + SYMBOL_H / 2, cx, top, y)
                if sop.steps[step.index - 1].decision:
                    pdf.set_font(FONT, "", 6.5)
                    pdf.text(px + 1.2, py + SYMBOL_H / 2 + 2.8, t("flow.yes"))
                    pdf.set_font(FONT, "", 8)
            else:  # continued from the previous page: an arrow from the table's top
                _connector(pdf, cx, y, cx, top, y)
        pdf.set_line_width(0.2)
        pdf.set_y(y + h)
    _returns(pdf, sop, c, centres)


def _row_cells(pdf: Paper, step: Step, c: _Cols, y: float, h: float) -> None:
    x = pdf.l_margin
    pdf.rect(x, y, c.no, h)
    pdf.set_xy(x, y + 1)
    pdf.cell(c.no, LINE, step.no, align="C")
    pdf.rect(x + c.no, y, c.uraian, h)
    pdf.set_xy(x + c.no, y + 1)
    pdf.multi_cell(c.uraian, LINE, step.text, padding=(0, 1), align="L")
    for lane_x in c.lanes:
        pdf.rect(lane_x, y, c.lane_w, h)
    mx = c.mutu_x
    for width, text in (
        (c.kelengkapan, step.kelengkapan),
        (c.waktu, step.waktu),
        (c.output, step.output),
        (c.ket, step.ket),
    ):
        pdf.rect(mx, y, width, h)
        pdf.set_xy(mx, y + 1)
        pdf.multi_cell(width, LINE, text, padding=(0, 1), align="C" if width == c.waktu else "L")
        mx += width


def _symbol(pdf: Paper, kind: str, cx: float, cy: float) -> None:
    w, h = SYMBOL_W, SYMBOL_H
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    if kind == "terminal":
        pdf.rect(cx - w / 2, cy - h / 2, w, h, style="DF", round_corners=True, corner_radius=h / 2)
    elif kind == "process":
        pdf.rect(cx - w / 2, cy - h / 2, w, h, style="DF")
    else:
        dh = h * 1.3
        pdf.polygon(
            [(cx, cy - dh / 2), (cx + w / 2, cy), (cx, cy + dh / 2), (cx - w / 2, cy)], style="DF"
        )


def _arrowhead(pdf: Paper, x: float, y: float, direction: str) -> None:
    a = ARROW
    points = {
        "down": [(x, y), (x - a / 2, y - a), (x + a / 2, y - a)],
        "left": [(x, y), (x + a, y - a / 2), (x + a, y + a / 2)],
    }[direction]
    pdf.set_fill_color(0)
    pdf.polygon(points, style="F")
    pdf.set_fill_color(255)


def _connector(pdf: Paper, x0: float, y0: float, x1: float, y1: float, row_top: float) -> None:
    """Down from (x0, y0), across at the row's top edge, down into (x1, y1)."""
    if abs(x0 - x1) < 0.1:
        pdf.line(x0, y0, x1, y1 - 0.2)
    else:
        elbow = row_top + 1.5
        pdf.line(x0, y0, x0, elbow)
        pdf.line(x0, elbow, x1, elbow)
        pdf.line(x1, elbow, x1, y1 - 0.2)
    _arrowhead(pdf, x1, y1, "down")


def _returns(
    pdf: Paper, sop: SopDefinition, c: _Cols, centres: dict[int, tuple[float, float, int]]
) -> None:
    """Each decision's Tidak branch: out of its right vertex onto a rail at the
    lanes' right edge, and into the target's right side (same page), or a note."""
    page_now = pdf.page
    rail_no = 0
    pdf.set_line_width(0.35)
    for step in sop.steps:
        targets = []
        if step.return_to:
            targets.append(sop.step(step.return_to))
        if step.refuse_to and step.refuse_to != "end":
            targets.append(sop.step(step.refuse_to))
        for target in targets:
            sx, sy, spage = centres[step.index]
            tx, ty, tpage = centres[target.index]
            pdf.page = spage
            pdf.set_font(FONT, "", 6.5)
            pdf.text(sx + SYMBOL_W / 2 + 0.6, sy - 0.8, t("flow.no"))
            if tpage != spage:
                pdf.text(sx + SYMBOL_W / 2 + 0.6, sy + 2.6, t("pdf.to_step", no=target.no))
                continue
            rail = c.mutu_x - 1.5 - (rail_no % 3) * 1.5
            rail_no += 1
            pdf.line(sx + SYMBOL_W / 2, sy, rail, sy)
            pdf.line(rail, sy, rail, ty)
            pdf.line(rail, ty, tx + SYMBOL_W / 2 + 0.2, ty)
            _arrowhead(pdf, tx + SYMBOL_W / 2, ty, "left")
        if step.refuse_to == "end":
            sx, sy, spage = centres[step.index]
            pdf.page = spage
            pdf.set_font(FONT, "", 6.5)
            pdf.text(sx + SYMBOL_W / 2 + 0.6, sy + 2.6, f"{t('flow.no')}: {t('flow.end')}")
    pdf.page = page_now
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, "", 8)
