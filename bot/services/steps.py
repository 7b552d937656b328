"""What a coordinator's next typed message is for: stored, so a restart loses nothing.

One step per coordinator at a time; starting another flow replaces it. A step left alone for
``STEP_TIMEOUT`` is dropped, so text typed much later reaches the normal handlers again.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from bot.database import Database
from bot.models import CoordinatorStep

STEP_TIMEOUT = dt.timedelta(hours=3)


class StepKind(enum.StrEnum):
    ANNOUNCEMENT_TEXT = "announcement_text"
    ANNOUNCEMENT_TIME = "announcement_time"
    ANNOUNCEMENT_EDIT = "announcement_edit"
    GROUP_NAME = "group_name"
    GROUP_RENAME = "group_rename"


_KINDS = frozenset(kind.value for kind in StepKind)


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    announcement_id: int | None = None
    group_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class StepStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def set(self, coordinator: int, step: Step, now: dt.datetime) -> None:
        async with self._db.transaction() as session:
            row = await session.get(CoordinatorStep, coordinator)
            if row is None:
                row = CoordinatorStep(coordinator_id=coordinator)
                session.add(row)
            row.step = step.kind.value
            row.announcement_id = step.announcement_id
            row.group_id = step.group_id
            row.payload = dict(step.payload)
            row.updated_at = now

    async def current(self, coordinator: int, now: dt.datetime) -> Step | None:
        """The coordinator's step, or None (a step that timed out is removed)."""
        async with self._db.transaction() as session:
            row = await session.get(CoordinatorStep, coordinator)
            if row is None:
                return None
            if now - row.updated_at > STEP_TIMEOUT or row.step not in _KINDS:
                await session.delete(row)
                return None
            return Step(StepKind(row.step), row.announcement_id, row.group_id, dict(row.payload))

    async def clear(self, coordinator: int) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(CoordinatorStep).where(CoordinatorStep.coordinator_id == coordinator)
            )
            return bool(getattr(result, "rowcount", 0))
