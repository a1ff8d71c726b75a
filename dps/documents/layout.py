"""The look shared by every PDF: letterhead, type styles, tables, numbered pages and formats.

Documents are built from platypus flowables in reading order, so the PDF holds real text that
a screen reader or a copy-and-paste reads in the order a person would.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dps.state.clock import format_london_date

__all__ = [
    "CONTENT_WIDTH",
    "STYLES",
    "Authority",
    "NumberedCanvas",
    "build_pdf",
    "bullet_list",
    "data_table",
    "esc",
    "format_money",
    "format_number",
    "format_score",
    "key_value_table",
    "letterhead",
    "ordinal",
    "para",
    "table_heading",
    "printable",
    "recipient_block",
]

TEXT = colors.HexColor("#0b0c0c")
SECONDARY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
HEADER_FILL = colors.HexColor("#f3f2f1")

PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE_MARGIN = 20 * mm
FRAME_PADDING = 6  # SimpleDocTemplate's frame pads its text by 6pt on each side
TEXT_LEFT = SIDE_MARGIN + FRAME_PADDING
TEXT_RIGHT = PAGE_WIDTH - SIDE_MARGIN - FRAME_PADDING
CONTENT_WIDTH = TEXT_RIGHT - TEXT_LEFT
FOOTER_Y = 12 * mm
TABLE_START_ROOM = 35 * mm


@dataclass(frozen=True)
class Authority:
    """The council a document comes from: its letterhead and who to contact."""

    name: str
    address_lines: Sequence[str] = field(default_factory=tuple)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _style(name: str, **values) -> ParagraphStyle:
    defaults = {"fontName": "Helvetica", "fontSize": 10, "leading": 14, "textColor": TEXT}
    return ParagraphStyle(name, **{**defaults, **values})


STYLES: dict[str, ParagraphStyle] = {
    "body": _style("body", spaceAfter=6),
    "title": _style("title", fontName="Helvetica-Bold", fontSize=18, leading=23, spaceAfter=4),
    "subtitle": _style("subtitle", fontSize=11, leading=15, textColor=SECONDARY, spaceAfter=10),
    "h2": _style(
        "h2", fontName="Helvetica-Bold", fontSize=13, leading=17, spaceBefore=10, spaceAfter=5
    ),
    "h3": _style(
        "h3", fontName="Helvetica-Bold", fontSize=11, leading=15, spaceBefore=6, spaceAfter=4
    ),
    "bullet": _style("bullet", leftIndent=12, bulletIndent=2, spaceAfter=3),
    "letterhead": _style("letterhead", alignment=TA_RIGHT, leading=13),
    "address": _style("address", leading=13),
    "cell": _style("cell", fontSize=9, leading=12),
    "cell_right": _style("cell_right", fontSize=9, leading=12, alignment=TA_RIGHT),
    "cell_head": _style("cell_head", fontName="Helvetica-Bold", fontSize=9, leading=12),
    "cell_head_right": _style(
        "cell_head_right", fontName="Helvetica-Bold", fontSize=9, leading=12, alignment=TA_RIGHT
    ),
}
for _heading in ("title", "h2", "h3"):
    STYLES[_heading].keepWithNext = 1


# Letters whose plain form is not a decomposition (NFKD leaves "Ł" alone).
_PLAIN_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"}
)


def _plain_letter(char: str) -> str:
    """``char`` if Helvetica's Windows-1252 encoding has it, else its unaccented letters.

    The standard PDF fonts draw other characters as black boxes, so "Łódź" prints "Lódz"
    rather than "■ód■". Characters with no plain form are left for reportlab to substitute.
    """
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFKD", char.translate(_PLAIN_LETTERS))
    plain = "".join(part for part in decomposed if not unicodedata.combining(part))
    try:
        plain.encode("cp1252")
    except UnicodeEncodeError:
        return char
    return plain or char


def printable(text: object) -> str:
    """Text as Helvetica can show it (see :func:`_plain_letter`)."""
    return "".join(_plain_letter(char) for char in str(text))


def esc(text: object) -> str:
    """Escape text for a Paragraph, whose markup is XML: "&" and "<" would break it."""
    return escape(printable(text))


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped here, so callers never pass markup by accident)."""
    return Paragraph(esc(text), STYLES[style])


def table_heading(text: str, style: str = "h3") -> list[Flowable]:
    """A heading over a table that may run over pages.

    keepWithNext would move the whole table to the next page and leave a gap; instead start
    a new page only when too little room is left for the heading and the first few rows.
    """
    heading = para(text, style)
    heading.keepWithNext = 0
    return [CondPageBreak(TABLE_START_ROOM), heading]


def bullet_list(items: Iterable[str]) -> list[Paragraph]:
    """A bulleted list as one paragraph per item, so a long list flows over pages."""
    return [Paragraph(esc(item), STYLES["bullet"], bulletText="\u2022") for item in items]


def _decimal(value: Decimal | int) -> Decimal:
    """Money and scores are Decimal; a float here is a bug upstream, so refuse it."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"expected a Decimal or int, got {type(value).__name__}")
    return Decimal(value)


def format_score(value: Decimal | int) -> str:
    """Scores to 2 decimal places, half up: 57.6 shows as "57.60"."""
    return f"{_decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def format_number(value: Decimal | int) -> str:
    """A mark or a weighting without trailing zeros: 60.00 shows as "60", 2.50 as "2.5"."""
    text = f"{_decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_money(value: Decimal | int) -> str:
    """Pounds with pence and thousands separators: "£1,250,000.00"."""
    return f"£{_decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def letterhead(authority: Authority) -> list[Flowable]:
    """The authority's name and address at the top right, then a rule across the page."""
    lines = [f"<b>{esc(authority.name)}</b>", *(esc(line) for line in authority.address_lines)]
    return [
        Paragraph("<br/>".join(lines), STYLES["letterhead"]),
        Spacer(0, 3 * mm),
        HRFlowable(width="100%", thickness=0.8, color=RULE, spaceAfter=5 * mm),
    ]


def recipient_block(dated: datetime, name: str, address_lines: Sequence[str]) -> list[Flowable]:
    """The date of the letter, then who it is to."""
    lines = [f"<b>{esc(name)}</b>", *(esc(line) for line in address_lines)]
    return [
        para(format_london_date(dated)),
        Paragraph("<br/>".join(lines), STYLES["address"]),
        Spacer(0, 5 * mm),
    ]


_TABLE_STYLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ("LINEBELOW", (0, 0), (-1, 0), 1, TEXT),
    ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]

_SUMMARY_STYLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    *_TABLE_STYLE[4:],
]


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    numeric: Collection[int] = (),
    bold_rows: Collection[int] = (),
) -> Table:
    """A table with a header row that repeats on every page it runs onto.

    ``widths`` are fractions of the text width; ``numeric`` columns are right-aligned;
    ``bold_rows`` (indexes into ``rows``) are set in bold, for "your bid" rows.
    """
    if len(widths) != len(header) or any(len(row) != len(header) for row in rows):
        raise ValueError("every row needs one cell per column")

    def cell(text: str, column: int, head: bool) -> Paragraph:
        name = "cell_head" if head else "cell"
        style = STYLES[f"{name}_right" if column in numeric else name]
        return Paragraph(esc(text), style)

    cells = [[cell(text, column, True) for column, text in enumerate(header)]]
    for index, row in enumerate(rows):
        head = index in bold_rows
        cells.append([cell(text, column, head) for column, text in enumerate(row)])
    table = Table(
        cells,
        colWidths=[fraction * CONTENT_WIDTH for fraction in widths],
        repeatRows=1,
        hAlign="LEFT",
        spaceAfter=4 * mm,
    )
    table.setStyle(TableStyle(_TABLE_STYLE))
    return table


def key_value_table(rows: Sequence[tuple[str, str]], label_width: float = 0.3) -> Table:
    """Label and value pairs (a summary list), labels in bold; values may hold line breaks."""
    cells = [
        [
            Paragraph(esc(label), STYLES["cell_head"]),
            Paragraph(esc(value).replace("\n", "<br/>"), STYLES["cell"]),
        ]
        for label, value in rows
    ]
    table = Table(
        cells,
        colWidths=[label_width * CONTENT_WIDTH, (1 - label_width) * CONTENT_WIDTH],
        hAlign="LEFT",
        spaceAfter=4 * mm,
    )
    table.setStyle(TableStyle(_SUMMARY_STYLE))
    return table


class NumberedCanvas(Canvas):
    """A canvas that holds each page back until the end, to print "Page 2 of 3" on it.

    The usual reportlab recipe: the total is only known once the story has been laid out.
    """

    def __init__(self, *args, footer_text: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_text = footer_text
        self._saved_pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont("Helvetica", 8.5)
        self.setFillColor(SECONDARY)
        self.drawString(TEXT_LEFT, FOOTER_Y, printable(self._footer_text))
        self.drawRightString(TEXT_RIGHT, FOOTER_Y, f"Page {number} of {total}")
        self.restoreState()


def build_pdf(
    story: Iterable[Flowable], *, title: str, author: str, subject: str, footer_text: str
) -> bytes:
    """Lay out ``story`` on A4 with numbered pages and the document's metadata.

    ``invariant`` makes the bytes depend only on the data (no creation time or random id), so
    the same letter rendered twice is byte-for-byte the same.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=16 * mm,
        bottomMargin=22 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Commission",
        lang="en-GB",
        displayDocTitle=True,
        invariant=True,
    )
    document.build(list(story), canvasmaker=partial(NumberedCanvas, footer_text=footer_text))
    return buffer.getvalue()
