"""/export: the whole course's attendance as CSV and XLSX, one row per participant."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import time_machine

from bot.models import Participant, ParticipantStatus
from bot.services.attendance_rules import Mark, Shown
from bot.views.attendance_colours import COLOURS
from tests.conftest import PARTICIPANT_ID, RunningBot
from tests.test_attendance_support import (
    EARLY,
    LATE,
    MODULE_4,
    approve,
    code_now,
    excuse,
)

FORMULA_NAME = '=HYPERLINK("http://example.invalid","klik")'


async def prepare_course(bot: RunningBot, frozen_time: time_machine.Coordinates) -> dict[str, int]:
    services = bot.services
    sanne = await approve(services, PARTICIPANT_ID, "Sanne de Vries")
    piet = await approve(services, PARTICIPANT_ID + 1, "Piet Jansen")
    gone = await approve(services, PARTICIPANT_ID + 2, "Fatima Bakker")
    now = services.now()
    async with services.database.transaction() as session:
        odd = Participant(status=ParticipantStatus.APPROVED, source="hand", name=FORMULA_NAME,
                          created_at=now)
        session.add(odd)
        await session.flush()
        odd_id = odd.id
    for module in (1, 2, 3):
        for number in (sanne, piet, gone):
            await services.attendance.correct(number, f"module-{module}", Mark.PRESENT,
                                              "papieren lijst", by=1, now=now)
    await excuse(services.database, piet, "module-3", "Ziek")
    await services.attendance.correct(piet, "module-3", Mark.EXCUSED, "afgemeld", by=1, now=now)
    frozen_time.move_to(EARLY)
    await bot.user().ask(f"/checkin {await code_now(services)}")
    frozen_time.move_to(LATE)
    await bot.user(PARTICIPANT_ID + 2, "Fatima").ask(f"/checkin {await code_now(services)}")
    await services.privacy.forget(PARTICIPANT_ID + 2, services.now())
    frozen_time.move_to(LATE + dt.timedelta(days=1))  # module 4 is over
    return {"sanne": sanne, "piet": piet, "gone": gone, "odd": odd_id}


async def test_export_sends_csv_and_xlsx_with_a_row_per_participant(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    numbers = await prepare_course(bot, frozen_time)
    coordinator = bot.coordinator
    await coordinator.send("/export")
    await bot.fake.wait_for_call("sendDocument", 2)
    csv_message, xlsx_message = coordinator.documents()[-2:]
    assert csv_message.document is not None
    assert xlsx_message.document is not None
    assert csv_message.document["file_name"] == (
        "aanwezigheid-leergang-wijkontwikkeling-2024-2025-2024-12-13.csv"
    )
    assert xlsx_message.document["file_name"].endswith(".xlsx")
    assert "4 deelnemers, 10 bijeenkomsten" in (csv_message.caption or "")
    assert csv_message.file_bytes is not None
    assert csv_message.file_bytes.startswith(b"\xef\xbb\xbf")
    text = csv_message.file_bytes.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = table[0]
    assert header[:3] == ["Nr.", "Naam", "Status"]
    assert header[3] == "Module 1 (19-09-2024)"
    assert header[6] == "Module 4 (12-12-2024)"
    assert header[13:] == ["Modules aanwezig", "Waarvan te laat", "Afgemeld", "Afwezig",
                           "Nog te gaan", "Aanwezigheidseis"]
    rows = {row[0]: row for row in table[1:]}
    assert len(rows) == 4
    sanne = rows[str(numbers["sanne"])]
    assert sanne[1:7] == ["Sanne de Vries", "deelnemer", "aanwezig", "aanwezig", "aanwezig",
                          "aanwezig"]
    assert sanne[7:13] == [""] * 6  # modules still to come
    assert sanne[13:] == ["4", "0", "0", "0", "6", "op koers"]
    piet = rows[str(numbers["piet"])]
    assert piet[5:7] == ["afgemeld", "afwezig"]
    assert piet[13:] == ["2", "0", "1", "1", "6", "niet gehaald"]
    gone = rows[str(numbers["gone"])]
    assert gone[1:3] == ["(gewist)", "gewist"]
    assert gone[6] == "te laat"
    assert gone[13:15] == ["4", "1"]
    odd = rows[str(numbers["odd"])]
    assert odd[1] == "'" + FORMULA_NAME  # a spreadsheet shows it as text, never runs it
    assert odd[3:7] == ["afwezig"] * 4

    assert xlsx_message.file_bytes is not None
    book = openpyxl.load_workbook(io.BytesIO(xlsx_message.file_bytes))
    sheet = book["Aanwezigheid"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["Nr.", "Naam", "Status", "Module 1 (19-09-2024)"]
    by_number = {row[0]: row for row in values[1:]}
    assert by_number[numbers["sanne"]][13:] == [4, 0, 0, 0, 6, "op koers"]
    odd_cell = next(
        cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == FORMULA_NAME
    )
    assert odd_cell.data_type == "s"
    assert sheet.freeze_panes == "D2"
    # Session cells have their status's colour, as in the attendance picture.
    sanne_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == numbers["sanne"])
    piet_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == numbers["piet"])
    colour = {cell.column_letter: str(cell.fill.fgColor.rgb)[-6:] for cell in sanne_row}
    assert colour["D"] == COLOURS[Shown.PRESENT].lstrip("#")
    assert colour["H"] == COLOURS[Shown.UPCOMING].lstrip("#")  # module 5, still to come
    piet_fills = [str(cell.fill.fgColor.rgb)[-6:] for cell in piet_row[5:7]]
    assert piet_fills == [COLOURS[Shown.EXCUSED].lstrip("#"), COLOURS[Shown.ABSENT].lstrip("#")]
    assert sanne_row[1].fill.fill_type is None  # the name is not coloured


async def test_export_of_an_empty_course_still_has_the_header(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    await coordinator.send("/export")
    await bot.fake.wait_for_call("sendDocument", 2)
    csv_message = coordinator.documents()[-2]
    assert csv_message.file_bytes is not None
    lines = csv_message.file_bytes.decode("utf-8-sig").splitlines()
    assert len(lines) == 1
    assert "Module 10 (19-06-2025)" in lines[0]


async def test_present_ids_for_other_features(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    numbers = await prepare_course(bot, frozen_time)
    ids = await bot.services.attendance.checked_in_participant_ids(MODULE_4)
    assert ids == {numbers["sanne"], numbers["gone"]}
    assert await bot.services.attendance.checked_in_participant_ids("module-3") == {
        numbers["sanne"], numbers["gone"]
    }
