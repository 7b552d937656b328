"""The attendance of the whole course as a table: CSV and XLSX (openpyxl); in the XLSX each
session's cell has the colour of its status, as in the attendance picture.

One row per participant, one column per session, then the totals over the modules and the
certificate status. The CSV uses semicolons and UTF-8 with a byte-order mark, which is what
Excel in a Dutch locale opens without asking. Text that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``) is kept as text in both files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from bot.catalogue import plain
from bot.models import ParticipantStatus
from bot.programme import Session, SessionKind
from bot.services.attendance_rules import CertificateStatus, Shown
from bot.services.attendance_views import CourseMatrix, MatrixRow
from bot.views.attendance_colours import COLOURS

Cell = str | int

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CERTIFICATE = {
    CertificateStatus.MET: "export.certificate_met",
    CertificateStatus.ON_TRACK: "export.certificate_on_track",
    CertificateStatus.JUDGE: "export.certificate_judge",
    CertificateStatus.NOT_MET: "export.certificate_not_met",
}
_PARTICIPANT = {
    ParticipantStatus.APPROVED: "export.participant_approved",
    ParticipantStatus.FORGOTTEN: "export.participant_forgotten",
    ParticipantStatus.PENDING: "export.participant_pending",
    ParticipantStatus.REJECTED: "export.participant_rejected",
}
_SESSION_NAMES = {
    SessionKind.MODULE: "sessions.module_name",
    SessionKind.WERKSESSIE: "sessions.werksessie_name",
    SessionKind.INTERVISIE: "sessions.intervisie_name",
}


def status_word(shown: Shown) -> str:
    """The word in a cell; a session still to come stays empty."""
    if shown is Shown.UPCOMING:
        return ""
    return plain(f"attendance.status_{shown.value}")


def session_header(session: Session) -> str:
    # "Module 4", "Werksessie 2": the name without the title keeps the columns narrow.
    name = plain(_SESSION_NAMES[session.kind], number=session.number, title="").rstrip(": ")
    return plain("export.session_column", name=name, date=f"{session.starts_at:%d-%m-%Y}")


_BEFORE_SESSIONS = 3  # number, name and status come before the session columns


def header(sessions: Sequence[Session]) -> list[Cell]:
    return [
        plain("export.number"),
        plain("export.name"),
        plain("export.status"),
        *(session_header(s) for s in sessions),
        plain("export.attended"),
        plain("export.late"),
        plain("export.excused"),
        plain("export.absent"),
        plain("export.remaining"),
        plain("export.certificate"),
    ]


def row_cells(row: MatrixRow) -> list[Cell]:
    progress = row.progress
    return [
        row.participant_id,
        row.name if row.name is not None else plain("export.forgotten"),
        plain(_PARTICIPANT[row.status]),
        *(status_word(cell) for cell in row.cells),
        progress.attended,
        progress.late,
        progress.excused,
        progress.absent,
        progress.remaining,
        plain(_CERTIFICATE[progress.status]),
    ]


def table(matrix: CourseMatrix) -> list[list[Cell]]:
    return [header(matrix.sessions), *(row_cells(row) for row in matrix.rows)]


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(rows: Sequence[Sequence[Cell]]) -> bytes:
    """Rows as a CSV that Excel in a Dutch locale opens as it is; formulas stay text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for cells in rows:
        writer.writerow([_safe(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def to_csv(matrix: CourseMatrix) -> bytes:
    return csv_bytes(table(matrix))


def to_xlsx(matrix: CourseMatrix) -> bytes:
    from openpyxl.styles import PatternFill

    def colour(sheet: Any) -> None:
        fills = {shown: PatternFill("solid", fgColor=colour.lstrip("#"))
                 for shown, colour in COLOURS.items()}
        for r, row in enumerate(matrix.rows, start=2):  # as in the picture's legend
            for offset, shown in enumerate(row.cells):
                sheet.cell(row=r, column=_BEFORE_SESSIONS + 1 + offset).fill = fills[shown]
        sheet.freeze_panes = "D2"

    return xlsx_bytes(table(matrix), plain("export.sheet"), colour)


def xlsx_bytes(
    rows: Sequence[Sequence[Cell]], title: str, finish: Callable[[Any], None] | None = None
) -> bytes:
    """Rows as one XLSX sheet: a bold header, widths to fit, a filter, and text that is never
    run as a formula; ``finish`` may style the sheet further."""
    # Imported here: openpyxl takes a noticeable part of a second to import, at start-up.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever a name starts with
            if r == 1:
                cell.font = Font(bold=True)
    for c in range(1, len(rows[0]) + 1):
        longest = max(len(str(cells[c - 1])) for cells in rows)
        sheet.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, 6), 40)
    sheet.auto_filter.ref = sheet.dimensions
    if finish is not None:
        finish(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
