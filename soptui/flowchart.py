"""The SOP drawn as its Permen PAN-RB 35/2012 flowchart, as text.

One lane per Pelaksana, each step as its symbol in its performer's lane
(capsule for the first and last step, box for a process, diamond for a
decision), a connector from each step to the next one across the lanes, the
Tidak branch of a decision drawn on a rail to the right of the lanes back to
its target, and the Mutu Baku (Waktu, Output) beside each row. Given a case,
the symbols carry its state (done, current, returned, ...) as a mark inside
the symbol and a word in the Mutu Baku column, never by colour alone.

A pure function of plain data (SopDefinition, optionally CaseDetail): no
Textual, no database. It returns lines of (text, tag) segments; the tag names
what a segment means ("current", "done", ...) and the screen styles it, the
CLI prints the text. ``ascii=True`` draws with plain ASCII for terminals that
cannot show box-drawing characters.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from soptui.catalog import REFUSE_END, SopDefinition, Step
from soptui.formatting import due_text, format_duration, minutes_text
from soptui.i18n import language, t
from soptui.views import CaseDetail, StepView

__all__ = ["Line", "Seg", "draw", "lane_abbreviations", "plain", "wants_ascii"]


class Seg(NamedTuple):
    text: str
    tag: str = ""  # "", "head", "muted", "done", "current", "returned", "refused", "path"


Line = tuple[Seg, ...]

LANE = 8  # one lane: a gap and a 7-wide symbol
SYMBOL = 7
LABEL_RUN = 7  # room for "─Tidak─" between a decision and the first rail
ROW = 4  # three lines of symbol and one of connector

# Line-joining flags of a cell.
UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
_BOX = {
    UP | DOWN: "│", LEFT | RIGHT: "─", DOWN | RIGHT: "┌", DOWN | LEFT: "┐",
    UP | RIGHT: "└", UP | LEFT: "┘", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤",
    DOWN | LEFT | RIGHT: "┬", UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼",
    UP: "│", DOWN: "│", LEFT: "─", RIGHT: "─",
}  # fmt: skip
# Heavy lines: the returns a case has taken (seen without colour too).
_HEAVY = {
    UP | DOWN: "┃", LEFT | RIGHT: "━", DOWN | RIGHT: "┏", DOWN | LEFT: "┓",
    UP | RIGHT: "┗", UP | LEFT: "┛", UP | DOWN | RIGHT: "┣", UP | DOWN | LEFT: "┫",
    DOWN | LEFT | RIGHT: "┳", UP | LEFT | RIGHT: "┻", UP | DOWN | LEFT | RIGHT: "╋",
    UP: "┃", DOWN: "┃", LEFT: "━", RIGHT: "━",
}  # fmt: skip


@dataclass(frozen=True)
class Glyphs:
    capsule: tuple[str, str, str, str, str, str]  # top-left, top, top-right, left, right, ...
    box: tuple[str, str, str, str, str, str]
    diamond: tuple[str, str, str, str, str, str]
    current: tuple[str, str, str, str, str, str]
    arrow_down: str
    arrow_left: str
    tee_down: str
    tee_down_current: str
    marks: dict[str, str]
    ellipsis: str
    rule: str
    dot: str = "·"
    times: str = "×"

    def line(self, flags: int, heavy: bool = False) -> str:
        if self.rule == "─":
            return (_HEAVY if heavy else _BOX)[flags]
        if flags in (UP | DOWN, UP, DOWN):
            return ":" if heavy else "|"
        if flags in (LEFT | RIGHT, LEFT, RIGHT):
            return "=" if heavy else "-"
        return "#" if heavy else "+"


# (top-left, horizontal, top-right, side-left, side-right, bottom-left, bottom-right) minus
# the horizontal of the bottom, which is the same as the top's: see _symbol.
UNICODE = Glyphs(
    capsule=("╭", "─", "╮", "(", ")", "╰╯"),
    box=("┌", "─", "┐", "│", "│", "└┘"),
    diamond=("╱", "─", "╲", "<", ">", "╲╱"),
    current=("╔", "═", "╗", "║", "║", "╚╝"),
    arrow_down="▼",
    arrow_left="◀",
    tee_down="┬",
    tee_down_current="╤",
    marks={
        "done": "✓",
        "current": "▶",
        "paused": "‖",
        "returned": "↩",
        "refused": "✗",
        "cancelled": "×",
        "pending": " ",
    },
    ellipsis="…",
    rule="─",
)
ASCII = Glyphs(
    capsule=(".", "-", ".", "(", ")", "''"),
    box=("+", "-", "+", "|", "|", "++"),
    diamond=("/", "-", "\\", "<", ">", "\\/"),
    current=("#", "=", "#", "#", "#", "##"),
    arrow_down="v",
    arrow_left="<",
    tee_down="+",
    tee_down_current="+",
    marks={
        "done": "*",
        "current": ">",
        "paused": "P",
        "returned": "R",
        "refused": "X",
        "cancelled": "-",
        "pending": " ",
    },
    ellipsis="~",
    rule="-",
    dot="-",
    times="x",
)
_STATUS_TAG = {
    "done": "done",
    "current": "current",
    "paused": "current",
    "returned": "returned",
    "refused": "refused",
    "cancelled": "muted",
    "pending": "",
}


def lane_abbreviations(names: Sequence[str], width: int = SYMBOL) -> list[str]:
    """Short lane headers: the name when it fits, else its words' initials
    ("Petugas Informasi/ TU" -> "PIT"); made unique with a digit."""
    out: list[str] = []
    for name in names:
        short = name
        if len(name) > width:
            words = re.findall(r"\w+", name)
            short = "".join(w[0].upper() for w in words) if len(words) > 1 else name
        short = short[:width]
        base, n = short, 2
        while short in out:
            short = f"{base[: width - len(str(n))]}{n}"
            n += 1
        out.append(short)
    return out


class _Canvas:
    """Characters with tags, and line flags that become box characters."""

    def __init__(self, height: int, width: int) -> None:
        self.chars: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.tags: list[list[str]] = [[""] * width for _ in range(height)]
        self.flags: list[list[int]] = [[0] * width for _ in range(height)]

    def text(self, y: int, x: int, text: str, tag: str = "") -> None:
        for i, ch in enumerate(text):
            if 0 <= x + i < len(self.chars[y]):
                self.chars[y][x + i] = ch
                self.tags[y][x + i] = tag

    def hline(self, y: int, x0: int, x1: int, tag: str = "") -> None:
        lo, hi = sorted((x0, x1))
        for x in range(lo, hi + 1):
            self.flags[y][x] |= (LEFT if x > lo else 0) | (RIGHT if x < hi else 0)
            self._tag(y, x, tag)

    def vline(self, x: int, y0: int, y1: int, tag: str = "") -> None:
        lo, hi = sorted((y0, y1))
        for y in range(lo, hi + 1):
            self.flags[y][x] |= (UP if y > lo else 0) | (DOWN if y < hi else 0)
            self._tag(y, x, tag)

    def _tag(self, y: int, x: int, tag: str) -> None:
        if tag and self.chars[y][x] is None:
            self.tags[y][x] = tag

    def lines(self, glyphs: Glyphs) -> list[Line]:
        out: list[Line] = []
        for row, tags, flags in zip(self.chars, self.tags, self.flags, strict=True):
            cells = [
                ch if ch is not None else (glyphs.line(f, tag == "path") if f else " ")
                for ch, f, tag in zip(row, flags, tags, strict=True)
            ]
            out.append(_segments(cells, tags))
        return out


def _segments(cells: list[str], tags: list[str]) -> Line:
    text = "".join(cells).rstrip()
    segs: list[Seg] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or tags[i] != tags[start]:
            segs.append(Seg(text[start:i], tags[start]))
            start = i
    return tuple(segs)


def _fit(text: str, width: int, glyphs: Glyphs) -> str:
    text = " ".join(text.split())
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + glyphs.ellipsis


@dataclass(frozen=True)
class _Edge:
    src: int  # row of the decision
    dst: int  # row of the target, or -1 for the end
    y0: int  # line it leaves on
    y1: int  # line it arrives on
    label: str
    taken: bool


def _edges(sop: SopDefinition, detail: CaseDetail | None) -> list[_Edge]:
    taken_returns = _taken(detail, "returned")
    taken_refusals = _taken(detail, "refused")
    edges: list[_Edge] = []
    for step in sop.steps:
        base = step.index * ROW
        if step.return_to:
            dst = sop.step(step.return_to).index
            edges.append(
                _Edge(step.index, dst, base + 1, dst * ROW, t("flow.no"), step.key in taken_returns)
            )
        if step.refuse_to and step.refuse_to != REFUSE_END:
            dst = sop.step(step.refuse_to).index
            label = t("flow.refuse") if step.return_to else t("flow.no")
            edges.append(
                _Edge(step.index, dst, base + 2, dst * ROW, label, step.key in taken_refusals)
            )
    return edges


def _taken(detail: CaseDetail | None, outcome: str) -> set[str]:
    if detail is None:
        return set()
    return {sv.step.key for sv in detail.steps if any(a.outcome == outcome for a in sv.attempts)}


def _rails(edges: list[_Edge]) -> list[int]:
    """A rail per edge, so that no two edges share a rail where their spans meet."""
    taken: list[list[tuple[int, int]]] = []
    out: list[int] = []
    for edge in edges:
        span = sorted((edge.y0, edge.y1))
        for i, spans in enumerate(taken):
            if all(span[1] < lo - 1 or span[0] > hi + 1 for lo, hi in spans):
                spans.append((span[0], span[1]))
                out.append(i)
                break
        else:
            taken.append([(span[0], span[1])])
            out.append(len(taken) - 1)
    return out


def _symbol_kind(sop: SopDefinition, step: Step) -> str:
    if step.decision:
        return "diamond"
    if step.index in (0, len(sop.steps) - 1):
        return "capsule"
    return "box"


def draw(
    sop: SopDefinition,
    detail: CaseDetail | None = None,
    *,
    width: int = 80,
    ascii: bool = False,
) -> list[Line]:
    """The flowchart of ``sop`` (with the case ``detail`` on it) for ``width`` columns."""
    g = ASCII if ascii else UNICODE
    lanes = [r.key for r in sop.roles]
    lane_of = {key: i for i, key in enumerate(lanes)}
    heads = lane_abbreviations([r.name for r in sop.roles])
    edges = _edges(sop, detail)
    rails = _rails(edges)
    n_rails = max(rails, default=-1) + 1
    views: dict[str, StepView] = {sv.step.key: sv for sv in detail.steps} if detail else {}

    # Columns: [No | Uraian |] lanes | rails | Mutu Baku.
    lanes_w = LANE * len(lanes) + 1
    zone_w = (LABEL_RUN + 2 * n_rails) if n_rails else 0
    fixed = lanes_w + zone_w
    uraian_w = min(40, width - fixed - 4 - 14)
    show_uraian = uraian_w >= 28
    if not show_uraian:
        uraian_w = 0
    x_lanes = (4 + uraian_w + 1) if show_uraian else 0
    x_zone = x_lanes + lanes_w
    x_mutu = x_zone + zone_w + 1
    mutu_w = max(8, min(30, width - x_mutu))
    total = x_mutu + mutu_w

    body_h = len(sop.steps) * ROW - 1
    c = _Canvas(body_h, total)

    def lane_x(step: Step) -> int:
        return x_lanes + LANE * lane_of[step.role] + 1  # left edge of the symbol

    for step in sop.steps:
        y = step.index * ROW
        sv = views.get(step.key)
        status = sv.status if sv else "pending"
        tag = _STATUS_TAG[status] if sv else ""
        x = lane_x(step)
        _draw_symbol(c, g, y, x, step, _symbol_kind(sop, step), status, tag, bool(sv))
        if show_uraian:
            c.text(y + 1, 0, f"{step.no:>3}", tag)
            wrapped = textwrap.wrap(" ".join(step.text.split()), uraian_w) or [""]
            if len(wrapped) > 3:
                wrapped = [*wrapped[:2], _fit(" ".join(wrapped[2:]), uraian_w, g)]
            for i, part in enumerate(wrapped):
                c.text(y + i, 4, part, tag)
        for i, part in enumerate(_mutu(step, sv, detail, mutu_w, g)):
            c.text(y + i, x_mutu, part, tag if i else "")
        if step.index + 1 < len(sop.steps):
            _connect(c, g, y + 3, x + 3, lane_x(sop.steps[step.index + 1]) + 3, step)
        if step.refuse_to == REFUSE_END:
            right = x + SYMBOL
            c.hline(y + 2, right, right + 1)
            c.text(y + 2, right + 2, f"{t('flow.no')}{g.arrow_left.translate(_FLIP)}", "")
            c.text(y + 2, right + 3 + len(t("flow.no")), t("flow.end"), "muted")

    for edge, rail in zip(edges, rails, strict=True):
        _draw_edge(c, g, edge, x_zone + LABEL_RUN - 1 + 2 * rail, sop, lane_x)

    lines: list[Line] = []
    lines.append((Seg(f"{sop.name}  ({sop.code} v{sop.version})", "head"),))
    if detail is not None:
        r = detail.row
        state = t(f"status.{r.status}")
        if r.step_no is not None and r.status in ("open", "paused"):
            state += (
                f" {g.dot} {t('flow.at_step', no=r.step_no)}: {due_text(r.remaining, r.status)}"
            )
        lines.append((Seg(_fit(f"#{r.id} {r.title}", width, g), "head"),))
        lines.append((Seg(_fit(state, width, g), "current"),))
    header = _Canvas(1, total)
    if show_uraian:
        header.text(0, 0, t("col.no"), "head")
        header.text(0, 4, t("flow.uraian"), "head")
    for i, head in enumerate(heads):
        header.text(0, x_lanes + LANE * i + 1 + (SYMBOL - len(head)) // 2, head, "head")
    mutu_head = t("flow.mutu") if len(t("flow.mutu")) <= mutu_w else t("col.waktu")
    header.text(0, x_mutu, _fit(mutu_head, mutu_w, g), "head")
    lines.extend(header.lines(g))
    lines.append((Seg(g.rule * min(width, total), "muted"),))
    lines.extend(c.lines(g))
    lines.append(())
    lines.extend(_legend(sop, heads, detail, g, width, show_uraian))
    return lines


_FLIP = str.maketrans("◀<", "▶>")


def _draw_symbol(
    c: _Canvas,
    g: Glyphs,
    y: int,
    x: int,
    step: Step,
    kind: str,
    status: str,
    tag: str,
    with_case: bool,
) -> None:
    current = status in ("current", "paused")
    tl, h, tr, sl, sr, bottom = getattr(g, kind)
    if current and kind == "box":
        tl, h, tr, sl, sr, bottom = g.current
    mid = SYMBOL // 2
    top = tl + h * (SYMBOL - 2) + tr
    if step.index > 0:
        top = top[:mid] + g.arrow_down + top[mid + 1 :]
    bot = bottom[0] + h * (SYMBOL - 2) + bottom[1]
    mark = g.marks[status] if with_case else " "
    inner = f"{step.no[:3]:^3}{mark} "
    c.text(y, x, top, tag)
    c.text(y + 1, x, sl + inner + sr, tag)
    c.text(y + 2, x, bot, tag)


def _connect(c: _Canvas, g: Glyphs, y: int, x0: int, x1: int, step: Step) -> None:
    """From the bottom of one symbol (line y-1) to the top of the next (line y+1)."""
    bottom = c.chars[y - 1][x0]
    c.chars[y - 1][x0] = g.tee_down_current if bottom in ("═", "=") else g.tee_down
    if x0 == x1:
        c.flags[y][x0] |= UP | DOWN
    else:
        c.hline(y, x0, x1)
        c.flags[y][x0] |= UP
        c.flags[y][x1] |= DOWN
    if step.decision:
        yes = t("flow.yes")
        c.text(y, x0 - len(yes) - 1 if x1 > x0 else x0 + 2, yes, "muted")


def _draw_edge(
    c: _Canvas,
    g: Glyphs,
    edge: _Edge,
    rail: int,
    sop: SopDefinition,
    lane_x: Callable[[Step], int],
) -> None:
    tag = "path" if edge.taken else ""
    src_right = lane_x(sop.steps[edge.src]) + SYMBOL
    dst_right = lane_x(sop.steps[edge.dst]) + SYMBOL
    c.hline(edge.y0, src_right, rail, tag)
    c.vline(rail, edge.y0, edge.y1, tag)
    c.hline(edge.y1, dst_right, rail, tag)
    c.text(edge.y0, src_right + 1, edge.label, tag or "muted")
    c.text(edge.y1, dst_right, g.arrow_left, tag)


def _mutu(
    step: Step, sv: StepView | None, detail: CaseDetail | None, width: int, g: Glyphs
) -> list[str]:
    """The Mutu Baku column of a row: Waktu, then the Output (an SOP) or what
    the case did there."""
    lines = [_fit(step.waktu, width, g)]
    if detail is None or sv is None:
        lines.append(_fit(step.output, width, g))
        return lines
    mark = g.marks[sv.status]
    last = sv.attempts[-1] if sv.attempts else None
    returns = sum(1 for a in sv.attempts if a.outcome == "returned")
    if sv.status in ("current", "paused"):
        word = t("flow.now") if sv.status == "current" else t("step.paused")
        due = due_text(detail.row.remaining, detail.row.status)
        remaining = detail.row.remaining
        if width < 14 and remaining is not None and remaining < timedelta(0):
            due = t("ui.due.late_short", d=format_duration(remaining, language()))
        said = f"{mark} {word}: {due}" if width >= 14 else f"{mark} {due}"
        wrapped = textwrap.wrap(said, width, break_long_words=False) or [""]
        lines.extend([*wrapped[:1], _fit(" ".join(wrapped[1:]), width, g)])
        return lines
    if sv.status == "pending":
        return lines
    worked = f" {minutes_text(last.worked_s)}" if last and last.worked_s is not None else ""
    over = "!" if last and last.over_standard else ""
    extra = f" {g.marks['returned']}{returns}{g.times}" if returns else ""
    lines.append(_fit(f"{mark}{worked}{over}{extra}", width, g))
    lines.append(_fit(last.actor_login or "" if last else "", width, g))
    return lines


def _legend(
    sop: SopDefinition,
    heads: list[str],
    detail: CaseDetail | None,
    g: Glyphs,
    width: int,
    show_uraian: bool,
) -> list[Line]:
    out: list[Line] = [(Seg(t("flow.lanes"), "head"),)]
    for head, role in zip(heads, sop.roles, strict=True):
        ext = f" ({t('flow.external')})" if role.external else ""
        out.append((Seg(f"  {head:<7} "), Seg(_fit(role.name + ext, width - 10, g))))
    shapes = [
        f"{k[0]}{k[1]}{k[2]} {t(word)}"
        for k, word in (
            (g.capsule, "flow.sym_terminal"),
            (g.box, "flow.sym_process"),
            (g.diamond, "flow.sym_decision"),
        )
    ]
    out.append((Seg(t("flow.symbols"), "head"), Seg(" " + "  ".join(shapes))))
    if detail is not None:
        marks = [
            f"{g.marks[s]} {t('step.' + s)}"
            for s in ("done", "current", "returned", "refused", "paused")
        ]
        out.append((Seg(t("flow.marks"), "head"), Seg(" " + "  ".join(marks))))
        if any(_taken(detail, "returned")):
            out.append((Seg("  "), Seg(t("flow.path_taken"), "path")))
    if not show_uraian:
        out.append(())
        out.append((Seg(t("flow.uraian"), "head"),))
        for step in sop.steps:
            prefix = f"{step.no:>3}. "
            body = textwrap.wrap(" ".join(step.text.split()), max(20, width - len(prefix))) or [""]
            sv_tag = ""
            if detail is not None:
                sv = next((v for v in detail.steps if v.step.key == step.key), None)
                sv_tag = _STATUS_TAG[sv.status] if sv else ""
            out.append((Seg(prefix, sv_tag), Seg(body[0])))
            out.extend((Seg(" " * len(prefix) + part),) for part in body[1:])
    return out


def plain(lines: Sequence[Line]) -> str:
    """The drawing as text (for the CLI and files)."""
    return "\n".join("".join(seg.text for seg in line).rstrip() for line in lines)


ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "dumb", "cons25", "ansi")


def wants_ascii(term: str | None, encoding: str | None) -> bool:
    """Plain ASCII for the Linux console and the like, or an output that
    cannot carry the box-drawing characters."""
    if term and term.split("-")[0] in ASCII_TERMS:
        return True
    try:
        "╭─▼◀✓".encode(encoding or "utf-8")
    except (LookupError, UnicodeEncodeError):
        return True
    return False
