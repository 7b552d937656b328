"""A change to the timetable that participants hear about, and the notice of it.

Found and tracked by scheduling/changes.py, rendered by bot/views/reminders.py.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.programme import Session


class ChangeKind(enum.StrEnum):
    MOVED = "changed"  # new time or place
    ADDED = "added"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Notice:
    """A change notice still to be sent to (some) participants."""

    kind: ChangeKind
    session: Session  # as it is now; for a cancelled one, as it was
    revision: int
    previous_start: dt.datetime | None

    @property
    def occurrence(self) -> str:
        return f"r{self.revision}"
