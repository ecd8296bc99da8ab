"""What every printed paper shares: the paper sizes, the embedded font, a
document with the office's header and page numbers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fpdf import FPDF

from soptui.errors import InputError

# Width x height in mm, portrait. F4 (folio) is the paper Indonesian offices use.
PAPERS = {"a4": (210.0, 297.0), "f4": (215.0, 330.0)}
FONT = "SopSans"
_FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}
_FALLBACK_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FALLBACK_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def font_files() -> dict[str, Path]:
    """The TTF files embedded in every PDF: Source Sans Pro from its PyPI
    package (a dependency), else DejaVu Sans where Debian installed it."""
    try:
        folder = resources.files("font_source_sans_pro") / "files"
        files = {style: Path(str(folder / name)) for style, name in _FONT_FILES.items()}
        if all(p.is_file() for p in files.values()):
            return files
    except ModuleNotFoundError:
        pass
    files = {style: _FALLBACK_DIR / name for style, name in _FALLBACK_FILES.items()}
    if all(p.is_file() for p in files.values()):
        return files
    raise InputError("err.pdf_no_font")


def paper(name: str) -> tuple[float, float]:
    try:
        return PAPERS[name.lower()]
    except KeyError:
        raise InputError("err.pdf_paper", value=name) from None


class Paper(FPDF):
    """A document in the embedded font, with a footer: title and page x of y."""

    def __init__(self, *, size: str = "a4", landscape: bool = False, title: str = "") -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format=paper(size))
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=9)
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=14)
        self.footer_text = title
        self.set_title(title)
        self.set_creator("soptui")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.set_text_color(90)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 12) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)

    @property
    def inner_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def output_bytes(self) -> bytes:
        return bytes(self.output())
