"""How case data reads on screen: glyph and word for every status, short forms
for narrow columns. Plain functions (no widgets), so the table, the timeline and
the tests share one wording."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.cells import cell_len, set_cell_size

from soptui.formatting import OFFICE_TZ, due_text, format_duration
from soptui.i18n import language, t
from soptui.views import CaseRow

# A glyph beside every status word: meaning never rests on colour alone.
CASE_GLYPHS = {
    "open": "▶",
    "paused": "‖",
    "closed": "✓",
    "refused": "✗",
    "cancelled": "⊘",
}
STEP_GLYPHS = {
    "done": "✓",
    "current": "▶",
    "returned": "↩",
    "pending": "·",
    "refused": "✗",
    "paused": "‖",
    "cancelled": "⊘",
}


def case_status(status: str) -> str:
    """ "▶ terbuka", "‖ dijeda", "✓ selesai", ..."""
    return f"{CASE_GLYPHS.get(status, '?')} {t('status.' + status)}"


def step_status(status: str) -> str:
    """ "✓ selesai", "▶ berjalan", "↩ dikembalikan", "· belum", ..."""
    return f"{STEP_GLYPHS.get(status, '?')} {t('step.' + status)}"


def urgency(key: str, *, short: bool = False) -> str:
    if short:
        return t("ui.urgency_short." + key)
    return t("urgency." + key)


def step_label(row: CaseRow, width: int | None = None) -> str:
    """ "6/13 Membuat surat balasan" (empty once the case has ended); just
    "6/13" when the column is too narrow for a useful bit of the text."""
    if row.step_position is None or row.status not in ("open", "paused"):
        return ""
    position = f"{row.step_position}/{row.step_count}"
    if width is not None and width < len(position) + 6:
        return position
    return f"{position} {row.step_text or ''}".rstrip()


def short_role(name: str | None, width: int | None = None) -> str:
    """The role name for a column `width` cells wide: whole if it fits, else
    without its parenthesised gloss ("Pejabat Level 2 (Pimpinan Unit)" ->
    "Pejabat Level 2"), else with the middle words cut to initials
    ("Pejabat L. 2"), which keeps the word that tells roles apart."""
    if not name:
        return ""
    if width is None or cell_len(name) <= width:
        return name
    name = name.split(" (", 1)[0].strip()
    words = name.split()
    if cell_len(name) > width and len(words) > 2:
        initials = " ".join([words[0], *(w[0] + "." for w in words[1:-1]), words[-1]])
        if cell_len(initials) <= width:
            return initials
    return name


DUE_FULL_WIDTH = 20  # "terlambat 17 hari 3j"


def due(row: CaseRow, width: int | None = None) -> str:
    """Working time left or late; in a column too narrow for the longest full
    wording, the short wording on every row (one style down the column)."""
    text = due_text(row.remaining, row.status)
    if width is None or width >= DUE_FULL_WIDTH or row.remaining is None or not text:
        return text
    amount = format_duration(row.remaining, language())
    key = "ui.due.late_short" if row.remaining < timedelta(0) else "ui.due.left_short"
    text = t(key, d=amount)
    if cell_len(text) > width:
        # Drop the minor unit ("17 hari 3j" -> "17 hari"): the day count is what matters.
        amount = amount.rsplit(" ", 1)[0] if amount.count(" ") >= 2 else amount
        text = t(key, d=amount)
    return text


def day(moment: datetime | None) -> str:
    """The office-time date as the forms take it: "31-08-2026"."""
    return moment.astimezone(OFFICE_TZ).strftime("%d-%m-%Y") if moment else ""


def sop_code(code: str) -> str:
    """The SOP's short code for a narrow column: "NARSUM-FASILITASI" ->
    "N-FAS", "DIKLAT-BAHAN" -> "D-BAH" (the case screen names it in full)."""
    head, _, tail = code.rpartition("-")
    if not head:
        return code[:5]
    return f"{head[0]}-{tail[:3]}"


NEW_MARK = "●"
RETURNED_MARK = "↩"


def marks(row: CaseRow, new: bool = False) -> str:
    """What a case number carries in the inbox: "●" new in my inbox since I
    last looked (until opened), "↩2" sent back twice."""
    text = NEW_MARK if new else ""
    if row.returns:
        text += RETURNED_MARK + (str(row.returns) if row.returns > 1 else "")
    return text


def fit(text: str, width: int) -> str:
    """Cut to width (terminal cells) with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


# Fields a search can match that the inbox row shows in a column of its own.
SHOWN_FIELDS = ("perihal",)


def match_label(row: CaseRow) -> str | None:
    """What a search found the case by, when that is not on the row already
    ("narasumber: Dr. Wulan"), in the UI's language."""
    if row.match is None or row.match in SHOWN_FIELDS:
        return None
    return f"{t('search.field.' + row.match)}: {row.match_text or ''}"


def title_with_match(row: CaseRow) -> str:
    """The perihal cell: with a search that found the case by another field,
    the value it matched comes first ("061/1625/DISKOPUKM · Permohonan ..."):
    at 80 columns the cell holds little more than that value."""
    if match_label(row) is None:
        return row.title
    return f"{row.match_text} · {row.title}"
