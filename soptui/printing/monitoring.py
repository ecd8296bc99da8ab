"""The six-monthly SOP monitoring form of the Permen PAN-RB 35/2012: No,
Prosedur, berjalan dengan baik (ya/tidak), catatan, tindakan yang harus
diambil, paraf penilai; filled from the monitoring report, with room to sign."""

from __future__ import annotations

from datetime import date

from soptui.i18n import t
from soptui.printing.base import FONT, Paper
from soptui.views import Report


def monitoring_pdf(
    report: Report, start: date, end: date, *, size: str = "a4", place: str = "Pontianak"
) -> bytes:
    """The form for the period [start, end] (given, not read back from the
    report's params, which cross the socket as plain values)."""
    period = f"{start.strftime('%d-%m-%Y')} - {end.strftime('%d-%m-%Y')}"
    pdf = Paper(size=size, landscape=True, title=f"{t('pdf.mon.title')} {period}")
    pdf.add_page()
    pdf.heading(t("pdf.mon.title"), 12)
    pdf.heading(t("pdf.agency"), 10)
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 6, f"{t('pdf.mon.period')}: {period}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    w = pdf.inner_width
    cols = (10.0, 70.0, 14.0, 14.0, w - 10 - 70 - 28 - 60 - 28, 60.0, 28.0)
    y = pdf.get_y()
    pdf.set_font(FONT, "B", 8.5)
    pdf.set_fill_color(230)
    x = pdf.l_margin
    heads = (
        "pdf.col.no",
        "pdf.mon.procedure",
        None,
        None,
        "pdf.mon.notes",
        "pdf.mon.action",
        "pdf.mon.paraf",
    )
    for width, key in zip(cols, heads, strict=True):
        if key is not None:
            pdf.set_xy(x, y)
            pdf.multi_cell(width, 12, t(key), border=1, align="C", fill=True)
        x += width
    well_x = pdf.l_margin + cols[0] + cols[1]
    pdf.set_xy(well_x, y)
    pdf.multi_cell(cols[2] + cols[3], 6, t("pdf.mon.runs_well"), border=1, align="C", fill=True)
    pdf.set_xy(well_x, y + 6)
    pdf.cell(cols[2], 6, t("pdf.mon.yes"), border=1, align="C", fill=True)
    pdf.cell(cols[3], 6, t("pdf.mon.no"), border=1, align="C", fill=True)
    pdf.set_y(y + 12)
    pdf.set_font(FONT, "", 8.5)
    for row in report.rows:
        texts = (str(row["no"]), row["procedure"], "", "", row["notes"], row["action"], "")
        heights = [
            len(pdf.multi_cell(width - 2, 4.2, text, dry_run=True, output="LINES")) * 4.2 + 2
            for width, text in zip(cols, texts, strict=True)
        ]
        h = max(10.0, *heights)
        if pdf.get_y() + h > pdf.h - pdf.b_margin:
            pdf.add_page()
        y, x = pdf.get_y(), pdf.l_margin
        for width, text in zip(cols, texts, strict=True):
            pdf.rect(x, y, width, h)
            pdf.set_xy(x, y + 1)
            pdf.multi_cell(width, 4.2, text, padding=(0, 1), align="L")
            x += width
        mark = {t("yes"): 0, t("no"): 1}.get(row["runs_well"])
        if mark is not None:
            _check(pdf, well_x + cols[2] * mark + cols[2] / 2, y + h / 2)
        pdf.set_y(y + h)
    _signature(pdf, place, end)
    return pdf.output_bytes()


def _check(pdf: Paper, cx: float, cy: float) -> None:
    """A drawn tick (no font glyph needed)."""
    pdf.set_line_width(0.5)
    pdf.line(cx - 2, cy, cx - 0.6, cy + 1.6)
    pdf.line(cx - 0.6, cy + 1.6, cx + 2.2, cy - 2)
    pdf.set_line_width(0.2)


def _signature(pdf: Paper, place: str, day: date) -> None:
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(6)
    x = pdf.w - pdf.r_margin - 80
    pdf.set_x(x)
    pdf.cell(
        80, 5, f"{place}, ....................... {day.year}", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_x(x)
    pdf.cell(80, 5, t("pdf.mon.assessor"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(x)
    pdf.cell(
        80, 5, "(.......................................)", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_x(x)
    pdf.cell(80, 5, "NIP.", align="L")
