"""Whether registration is open: the coordinator closes it (the course is full) and opens
it again with /aanmelding. Closed, /aanmelden turns newcomers away; people already
registered, a registration in progress and invite links are not affected."""

from __future__ import annotations

import datetime as dt

from bot.database import Database
from bot.models import RegistrationWindow

_ROW = 1


class RegistrationWindowService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def is_open(self) -> bool:
        async with self._db.transaction() as session:
            row = await session.get(RegistrationWindow, _ROW)
            return row is None or row.open

    async def set_open(self, open_: bool, by: int, now: dt.datetime) -> bool:
        """Open or close registration; False if it already was."""
        async with self._db.transaction() as session:
            row = await session.get(RegistrationWindow, _ROW, with_for_update=True)
            if row is None:
                session.add(RegistrationWindow(id=_ROW, open=open_, updated_at=now,
                                               updated_by=by))
                return not open_  # no row means open
            if row.open == open_:
                return False
            row.open, row.updated_at, row.updated_by = open_, now, by
            return True
