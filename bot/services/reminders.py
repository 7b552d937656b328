"""The reminder delivery log and the participants' reminder preferences.

Exactly once: a reminder (or change notice) for a participant is *claimed* by inserting its
row in ``reminder_deliveries`` before it is sent; the unique key (participant, session,
kind, occurrence) means a second process, a retry or a restart finds the claim and does not
send again. After sending, the row gets its outcome (sent, blocked or failed).

A row still ``claimed`` after a crash may or may not have reached Telegram (the process
stopped between the claim and the answer). We choose *at most once*: such a row is never
sent again; :meth:`ReminderService.interrupted` marks old ones ``interrupted`` so they are
visible, and the log says how many. Each claim is made just before its message is sent and
settled right after, so a crash leaves only the message on its way without an outcome.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ReminderKind
from bot.database import Database
from bot.models import (
    Absence,
    Participant,
    ParticipantStatus,
    ReminderDelivery,
    ReminderPreference,
)

log = logging.getLogger(__name__)

ERROR_MAX = 200


class DeliveryStatus(enum.StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    SKIPPED = "skipped"  # stale: missed while the bot was down and no longer useful
    INTERRUPTED = "interrupted"  # claimed, then the process stopped: never sent again


@dataclass(frozen=True, slots=True)
class Recipient:
    participant_id: int
    chat_id: int
    member_since: dt.datetime  # approved (or added) at


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    status: DeliveryStatus
    message_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryView:
    participant_id: int
    session_key: str
    kind: str
    occurrence: str
    status: DeliveryStatus
    claimed_at: dt.datetime
    finished_at: dt.datetime | None


def _insert(session: AsyncSession) -> Any:
    """An INSERT that can skip rows violating the unique key (SQLite and PostgreSQL)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        return postgresql.insert(ReminderDelivery)
    return sqlite.insert(ReminderDelivery)


def _outcome_values(outcomes: Iterable[Outcome], now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": o.delivery_id,
            "status": o.status.value,
            "finished_at": now,
            "message_id": o.message_id,
            "error": (o.error or "")[:ERROR_MAX] or None,
        }
        for o in outcomes
    ]


class ReminderService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # -- who gets what -------------------------------------------------------------------------

    async def recipients(
        self, session_key: str, kind: str, occurrence: str, *, reminder: bool = True
    ) -> list[Recipient]:
        """Approved, reachable participants without a row for this delivery yet.

        For reminders (not change notices) also: the kind is not switched off and the
        participant has not sent an afmelding for the session.
        """
        logged = exists().where(
            ReminderDelivery.participant_id == Participant.id,
            ReminderDelivery.session_key == session_key,
            ReminderDelivery.kind == kind,
            ReminderDelivery.occurrence == occurrence,
        )
        conditions = [
            Participant.status == ParticipantStatus.APPROVED,
            Participant.chat_id.is_not(None),
            Participant.blocked_at.is_(None),
            ~logged,
        ]
        if reminder:
            absent = exists().where(
                Absence.participant_id == Participant.id, Absence.session_key == session_key
            )
            switched_off = exists().where(
                ReminderPreference.participant_id == Participant.id,
                ReminderPreference.kind == kind,
                ReminderPreference.enabled.is_(False),
            )
            conditions += [~absent, ~switched_off]
        query = (
            select(Participant.id, Participant.chat_id, Participant.decided_at,
                   Participant.created_at)
            .where(and_(*conditions))
            .order_by(Participant.id)
        )
        async with self._db.transaction() as session:
            rows = (await session.execute(query)).all()
        return [
            Recipient(pid, int(chat_id), decided or created)
            for pid, chat_id, decided, created in rows
            if chat_id is not None
        ]

    # -- the delivery log ------------------------------------------------------------------------

    async def claim(
        self,
        session_key: str,
        kind: str,
        occurrence: str,
        participant_ids: Sequence[int],
        now: dt.datetime,
        status: DeliveryStatus = DeliveryStatus.CLAIMED,
        *,
        settle: Sequence[Outcome] = (),
    ) -> dict[int, int]:
        """Insert rows for these participants; returns participant id -> row id of the rows
        this call inserted (someone else's earlier claim is left out). ``settle`` records
        earlier outcomes in the same transaction (as :meth:`finish`)."""
        if not participant_ids and not settle:
            return {}
        async with self._db.transaction() as session:
            if settle:
                await session.execute(update(ReminderDelivery), _outcome_values(settle, now))
            return await self._claim(
                session, session_key, kind, occurrence, participant_ids, now, status
            )

    @staticmethod
    async def _claim(
        session: AsyncSession,
        session_key: str,
        kind: str,
        occurrence: str,
        participant_ids: Sequence[int],
        now: dt.datetime,
        status: DeliveryStatus,
    ) -> dict[int, int]:
        if not participant_ids:
            return {}
        values = [
            {
                "participant_id": pid,
                "session_key": session_key,
                "kind": kind,
                "occurrence": occurrence,
                "status": status.value,
                "claimed_at": now,
                "finished_at": now if status is not DeliveryStatus.CLAIMED else None,
            }
            for pid in participant_ids
        ]
        statement = (
            _insert(session)
            .values(values)
            .on_conflict_do_nothing(
                index_elements=["participant_id", "session_key", "kind", "occurrence"]
            )
            .returning(ReminderDelivery.participant_id, ReminderDelivery.id)
        )
        rows = (await session.execute(statement)).all()
        return {pid: row_id for pid, row_id in rows}

    async def finish(self, outcomes: Iterable[Outcome], now: dt.datetime) -> None:
        """Record what happened to claimed deliveries (one transaction)."""
        values = _outcome_values(outcomes, now)
        if not values:
            return
        async with self._db.transaction() as session:
            await session.execute(update(ReminderDelivery), values)

    async def interrupted(self, claimed_before: dt.datetime, now: dt.datetime) -> int:
        """Mark claims left without an outcome (a crash while sending); never sent again."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(ReminderDelivery)
                .where(
                    ReminderDelivery.status == DeliveryStatus.CLAIMED,
                    ReminderDelivery.claimed_at < claimed_before,
                )
                .values(status=DeliveryStatus.INTERRUPTED, finished_at=now)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning(
                "%d reminder(s) were claimed but the bot stopped while sending; "
                "they may not have arrived and are not sent again",
                count,
            )
        return count

    async def deliveries(self, session_key: str | None = None) -> list[DeliveryView]:
        query = select(ReminderDelivery).order_by(ReminderDelivery.id)
        if session_key is not None:
            query = query.where(ReminderDelivery.session_key == session_key)
        async with self._db.transaction() as session:
            rows = list(await session.scalars(query))
        return [
            DeliveryView(
                r.participant_id, r.session_key, r.kind, r.occurrence,
                DeliveryStatus(r.status), r.claimed_at, r.finished_at,
            )
            for r in rows
        ]

    async def count(self, status: DeliveryStatus | None = None) -> int:
        query = select(func.count()).select_from(ReminderDelivery)
        if status is not None:
            query = query.where(ReminderDelivery.status == status)
        async with self._db.transaction() as session:
            return int(await session.scalar(query) or 0)

    # -- preferences ---------------------------------------------------------------------------

    async def preferences(self, participant_id: int) -> dict[ReminderKind, bool]:
        """Every reminder kind and whether this participant gets it (on unless switched off)."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(ReminderPreference.kind, ReminderPreference.enabled).where(
                    ReminderPreference.participant_id == participant_id
                )
            )
            stored = {kind: enabled for kind, enabled in rows}
        return {kind: bool(stored.get(kind.value, True)) for kind in ReminderKind}

    async def set_preference(
        self, participant_id: int, kind: ReminderKind, enabled: bool, now: dt.datetime
    ) -> None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(ReminderPreference).where(
                    ReminderPreference.participant_id == participant_id,
                    ReminderPreference.kind == kind.value,
                )
            )
            if row is None:
                session.add(
                    ReminderPreference(
                        participant_id=participant_id, kind=kind.value, enabled=enabled,
                        updated_at=now,
                    )
                )
            else:
                row.enabled, row.updated_at = enabled, now
        log.info("participant #%d switched %s reminders %s", participant_id, kind.value,
                 "on" if enabled else "off")

    # -- privacy ---------------------------------------------------------------------------------

    async def export(self, participant_id: int) -> dict[str, Any]:
        """The participant's reminder choices, the reminders sent, and a pending question."""
        preferences = await self.preferences(participant_id)
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(ReminderDelivery)
                    .where(ReminderDelivery.participant_id == participant_id)
                    .order_by(ReminderDelivery.claimed_at, ReminderDelivery.id)
                )
            )
        return {
            "reminder_preferences": {kind.value: on for kind, on in preferences.items()},
            "reminders": [
                {
                    "session": r.session_key,
                    "kind": r.kind,
                    "status": r.status,
                    "at": (r.finished_at or r.claimed_at).isoformat(),
                }
                for r in rows
            ],
        }

    @staticmethod
    async def forget(session: AsyncSession, participant_id: int) -> None:
        """Delete the participant's reminder log and preferences (in the caller's transaction)."""
        for table in (ReminderDelivery, ReminderPreference):
            await session.execute(delete(table).where(table.participant_id == participant_id))
