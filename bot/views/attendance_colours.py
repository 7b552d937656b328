"""One colour per attendance status, the same in the picture and in the XLSX export.

Okabe-Ito colours: told apart with the common kinds of colour blindness too.
"""

from __future__ import annotations

from bot.services.attendance_rules import Shown

COLOURS: dict[Shown, str] = {
    Shown.PRESENT: "#009E73",
    Shown.LATE: "#E69F00",
    Shown.EXCUSED: "#56B4E9",
    Shown.ABSENT: "#D55E00",
    Shown.WAITING: "#F0E442",
    Shown.UPCOMING: "#E6E6E6",
}
