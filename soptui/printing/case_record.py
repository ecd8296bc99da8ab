"""A case's record for the file: the letter's data, every step with who acted
and when against its Mutu Baku, the returns and notes, and the lembar
disposisi with room for paraf."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.fonts import FontFace

from soptui.formatting import local, minutes_text
from soptui.i18n import t
from soptui.printing.base import FONT, Paper
from soptui.views import CaseDetail, LetterView

ROW = 5.0


def case_record_pdf(
    detail: CaseDetail, letters: Sequence[LetterView] = (), *, size: str = "a4"
) -> bytes:
    r = detail.row
    pdf = Paper(size=size, title=f"{t('pdf.case.title')} #{r.id} · {detail.sop.name}")
    pdf.add_page()
    pdf.heading(t("pdf.case.title"), 12)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0, 5, f"{detail.sop.name} ({detail.sop.nomor})", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)
    incoming = next((v for v in letters if v.direction == "in"), None)
    facts = [
        (t("pdf.case.no"), f"#{r.id}"),
        (t("pdf.case.from"), (incoming.party if incoming else None) or r.requester or "-"),
        (t("pdf.case.letter_no"), r.letter_no or (incoming.number if incoming else "") or "-"),
        (
            t("pdf.case.letter_date"),
            _date(detail.letter_date or (incoming and incoming.letter_date)),
        ),
        (t("pdf.case.received"), _date(incoming.received_date) if incoming else local(r.opened_at)),
        (t("pdf.case.agenda"), f"{incoming.seq}/{incoming.year}" if incoming else "-"),
        (t("pdf.case.sifat"), t(f"urgency.{r.urgency}")),
        (t("pdf.case.perihal"), r.title),
        (t("pdf.case.status"), t(f"status.{r.status}")),
    ]
    for label, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(42, 6, label, border=1)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 6, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _steps(pdf, detail)
    _notes(pdf, detail)
    _disposisi(pdf)
    return pdf.output_bytes()


def _date(day: object) -> str:
    return day.strftime("%d-%m-%Y") if hasattr(day, "strftime") else "-"


def _steps(pdf: Paper, detail: CaseDetail) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, t("pdf.case.steps"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    heads = (
        t("pdf.col.no"), t("col.role"), t("col.who"), t("pdf.case.started"),
        t("pdf.case.ended"), t("col.status"), t("pdf.col.waktu"), t("pdf.case.taken"),
    )  # fmt: skip
    with pdf.table(
        col_widths=(8, 36, 30, 24, 24, 22, 18, 24),
        text_align="LEFT",
        line_height=4.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=230),
        repeat_headings=1,
    ) as table:
        head = table.row()
        for text in heads:
            head.cell(text)
        for sv in detail.steps:
            attempts = sv.attempts or (None,)
            for a in attempts:
                row = table.row()
                row.cell(sv.step.no)
                row.cell(sv.role_name)
                row.cell((a.actor_name or a.actor_login or "") if a else "")
                row.cell(local(a.started_at) if a else "")
                row.cell(local(a.ended_at) if a and a.ended_at else "")
                word = t(f"event.{a.outcome}") if a and a.outcome else t(f"step.{sv.status}")
                row.cell(word)
                row.cell(sv.step.waktu)
                over = f" ({t('pdf.case.over')})" if a and a.over_standard else ""
                row.cell((minutes_text(a.worked_s) + over) if a else "")
    pdf.ln(3)


def _notes(pdf: Paper, detail: CaseDetail) -> None:
    # Every note the case screen shows: those given with a return, a refusal,
    # a pause, and those written on completing a step ("Berkas diterima lengkap").
    shown = detail.notes
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, t("pdf.case.notes"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    if not shown:
        pdf.cell(0, 5, "-", new_x="LMARGIN", new_y="NEXT")
    for e in shown:
        who = e.actor_name or e.actor_login or ""
        step = ""
        if e.step_key:
            step = f" · {t('flow.at_step', no=detail.sop.step(e.step_key).no)}"
        pdf.multi_cell(
            0,
            4.5,
            f"{local(e.at)}  {t('event.' + e.kind)}{step} · {who}: {e.note}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)


def _disposisi(pdf: Paper) -> None:
    if pdf.get_y() + 80 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, t("pdf.disp.title"), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 8.5)
    widths = (45, 0.0, 30)
    w = pdf.inner_width
    widths = (45.0, w - 45 - 30, 30.0)
    for width, key in zip(
        widths, ("pdf.disp.to", "pdf.disp.content", "pdf.disp.paraf"), strict=True
    ):
        pdf.cell(width, 6, t(key), border=1, align="C")
    pdf.ln(6)
    for _ in range(6):
        for width in widths:
            pdf.cell(width, 10, "", border=1)
        pdf.ln(10)
