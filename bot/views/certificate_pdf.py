"""The certificate as a one-page PDF (A4 landscape), drawn with ReportLab.

ReportLab is imported only when a certificate is drawn. The DejaVu fonts of the pictures are
embedded (as a subset), so ë, ç, ’ and long names render on every reader; a name that is too
wide for one line is set smaller and, if need be, on two or three lines. The QR code is drawn
as vector squares from segno's matrix, so it stays sharp when printed.
"""

from __future__ import annotations

import io
from importlib import resources
from typing import TYPE_CHECKING

import segno

from bot.catalogue import plain
from bot.formatting import long_day_month_year
from bot.services.certificates import CertificateDocument

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = 842.0, 595.0  # A4 landscape, in points
MARGIN = 70.0
TEXT_WIDTH = WIDTH - 2 * MARGIN
ACCENT = (0.12, 0.37, 0.36)  # the dark teal of the frame and headings
INK = (0.1, 0.1, 0.1)
REGULAR, BOLD = "WijkbotSans", "WijkbotSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf"}
QR_SIZE = 96.0


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    for name, file in _FONT_FILES.items():
        if name in registered:
            continue
        with resources.as_file(resources.files("bot.data").joinpath("fonts", file)) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def name_lines(name: str, width: float = TEXT_WIDTH) -> tuple[list[str], float]:
    """The name's lines and font size: one line down to 22 pt, else up to three lines."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _register_fonts()
    for size in range(32, 21, -1):
        if stringWidth(name, BOLD, size) <= width:
            return [name], float(size)
    for lines_allowed in (2, 3):
        for size in range(24, 11, -1):
            lines = simpleSplit(name, BOLD, size, width)
            if len(lines) <= lines_allowed and all(
                stringWidth(line, BOLD, size) <= width for line in lines
            ):
                return lines, float(size)
    smallest = 10.0
    while smallest > 4 and stringWidth(name, BOLD, smallest) > 3 * width:
        smallest -= 1
    return simpleSplit(name, BOLD, smallest, width), smallest


def render_certificate(document: CertificateDocument, verify_link: str) -> bytes:
    """The PDF; ``verify_link`` is what the QR code holds (the bot's /verifieer deep link)."""
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=1)
    canvas.setTitle(plain("certificates.pdf_document_title", name=document.name))
    canvas.setAuthor(document.organisation)
    canvas.setSubject(document.course)
    _frame(canvas)
    y = _heading(canvas, document)
    y = _name(canvas, document.name, y)
    _course(canvas, document, y)
    _modules(canvas, document)
    _footer(canvas, document, verify_link)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(canvas: Canvas) -> None:
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(4)
    canvas.rect(24, 24, WIDTH - 48, HEIGHT - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, WIDTH - 64, HEIGHT - 64)


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(WIDTH / 2, y, text)


def _heading(canvas: Canvas, document: CertificateDocument) -> float:
    canvas.setFillColorRGB(*ACCENT)
    canvas.setFont(BOLD, 12)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 78, document.organisation.upper(), charSpace=2)
    _centred(canvas, plain("certificates.pdf_title"), HEIGHT - 130, BOLD, 44)
    canvas.setFillColorRGB(*INK)
    _centred(canvas, plain("certificates.pdf_intro"), HEIGHT - 170, REGULAR, 13)
    return HEIGHT - 212


def _name(canvas: Canvas, name: str, y: float) -> float:
    lines, size = name_lines(name)
    for line in lines:
        _centred(canvas, line, y, BOLD, size)
        y -= size * 1.15
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.8)
    canvas.line(WIDTH / 2 - 180, y + size * 0.55, WIDTH / 2 + 180, y + size * 0.55)
    return y - 14


def _course(canvas: Canvas, document: CertificateDocument, y: float) -> None:
    _centred(canvas, plain("certificates.pdf_completed"), y, REGULAR, 13)
    canvas.setFillColorRGB(*ACCENT)
    _centred(canvas, document.course, y - 24, BOLD, 18)
    canvas.setFillColorRGB(*INK)
    if document.first_day and document.last_day:
        period = plain("certificates.pdf_period", first=long_day_month_year(document.first_day),
                       last=long_day_month_year(document.last_day), count=len(document.modules))
        _centred(canvas, period, y - 44, REGULAR, 11)


def _modules(canvas: Canvas, document: CertificateDocument) -> None:
    """The modules in two columns above the footer."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    top, column_width, size = 232.0, TEXT_WIDTH / 2 - 10, 8.5
    per_column = (len(document.modules) + 1) // 2
    canvas.setFont(REGULAR, size)
    for index, title in enumerate(document.modules):
        line = plain("certificates.pdf_module_line", number=index + 1, title=title)
        while stringWidth(line, REGULAR, size) > column_width and len(line) > 1:
            line = line[:-2] + "…"
        column, row = divmod(index, per_column)
        canvas.drawString(MARGIN + column * (column_width + 20), top - row * 13, line)


def _footer(canvas: Canvas, document: CertificateDocument, verify_link: str) -> None:
    canvas.setFont(REGULAR, 11)
    issued = plain("certificates.pdf_issued", date=long_day_month_year(document.issued_on))
    canvas.drawString(MARGIN, 92, issued)
    canvas.setFont(BOLD, 11)
    canvas.drawString(MARGIN, 76, document.organisation)
    right = WIDTH - MARGIN
    canvas.setFont(BOLD, 10)
    canvas.drawRightString(right - QR_SIZE - 12, 92,
                           plain("certificates.pdf_code", code=document.code))
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(right - QR_SIZE - 12, 78, plain("certificates.pdf_verify_scan"))
    canvas.drawRightString(right - QR_SIZE - 12, 67,
                           plain("certificates.pdf_verify_command", code=document.code))
    _qr(canvas, verify_link, right - QR_SIZE, 56)


def _qr(canvas: Canvas, content: str, x: float, y: float) -> None:
    """Each row's runs of dark modules as one rectangle: no seams between the squares."""
    code = segno.make(content, error="m", micro=False)
    rows = [list(row) for row in code.matrix]
    module = QR_SIZE / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(rows):
        top = y + QR_SIZE - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            end = column
            while end < len(row) and row[end]:
                end += 1
            canvas.rect(x + column * module, top, (end - column) * module, module * 1.02,
                        stroke=0, fill=1)
            column = end
