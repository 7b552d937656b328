"""Who may have a typed answer pending, so most text messages need no database check.

Every private text message passes three step handlers before it is read as a question: a
registration in progress (``registration_drafts``), a check-in code or a coordinator's reason
(``attendance_inputs``) and the reason for an afmelding (``absence_prompts``). Each would ask
the database. This index holds the (few) Telegram ids that have such a row, read with one
query, and reads them again after any transaction that wrote one of those tables (or
``participants``, which links prompts to Telegram accounts) has been committed. The writes are
watched on the engine itself, so no code path can forget to report one.

It is only a filter: for a person in the set the step handlers read their own rows as before.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, select, union

from bot.database import Database
from bot.models import AbsencePrompt, AttendanceInput, Participant, RegistrationDraft

# Statements that can make an answer pending for someone: those that write one of these
# tables (a table only read, as in INSERT INTO attendance ... SELECT FROM participants, is
# not a write to it).
_WATCHED_WRITE = re.compile(
    r"\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE)\s+\"?"
    r"(?:registration_drafts|attendance_inputs|absence_prompts|participants)\b",
    re.IGNORECASE,
)
_FLAG = "wijkbot_wrote_typed_inputs"


class TypedInputs:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._pending: frozenset[int] | None = None  # None: read again before use
        self._generation = 0
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._on_statement)
        # Back in the pool means committed (or rolled back): what readers see from now on.
        event.listen(engine, "checkin", self._on_checkin)

    def _on_statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if _WATCHED_WRITE.match(statement):
            conn.info[_FLAG] = True  # the pooled connection's info, seen again at checkin
            self._forget()

    def _on_checkin(self, dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_FLAG, False):
            self._forget()

    def _forget(self) -> None:
        self._generation += 1
        self._pending = None

    async def may_be_pending(self, telegram_id: int) -> bool:
        """False when this person certainly has no typed answer pending."""
        pending = self._pending
        if pending is None:
            generation = self._generation
            async with self._db.engine.connect() as conn:
                found = await conn.scalars(
                    union(
                        select(RegistrationDraft.telegram_id),
                        select(AttendanceInput.telegram_id),
                        select(Participant.telegram_id).join(
                            AbsencePrompt, AbsencePrompt.participant_id == Participant.id
                        ),
                    )
                )
                pending = frozenset(value for value in found if value is not None)
            # Keep it only if no such write was committed while we read.
            if generation == self._generation:
                self._pending = pending
        return telegram_id in pending
