"""Intervisiegroepen and eindopdracht-groepjes: named by the coordinator, filled by hand.

A participant is in at most one group of each kind: adding them to another group of the
same kind moves them. Only approved participants are offered for a group.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import GroupMember, Participant, ParticipantGroup, ParticipantStatus

log = logging.getLogger(__name__)

NAME_MAX = 40


class GroupKind(enum.StrEnum):
    INTERVISIE = "intervisie"
    EINDOPDRACHT = "eindopdracht"


class GroupProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CHARACTERS = "characters"
    DUPLICATE = "duplicate"
    GONE = "gone"


class GroupError(Exception):
    def __init__(self, problem: GroupProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Member:
    participant_id: int
    name: str | None


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    kind: GroupKind
    name: str
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An approved participant as offered on a group's buttons."""

    participant_id: int
    name: str | None
    in_group: bool
    other_group: str | None  # the group of the same kind they are in now, if another one


def clean_name(text: str) -> str:
    """A group name as stored: one line, single spaces; raises GroupError when unusable."""
    name = " ".join(text.split())
    if not name:
        raise GroupError(GroupProblem.EMPTY)
    if len(name) > NAME_MAX:
        raise GroupError(GroupProblem.TOO_LONG)
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise GroupError(GroupProblem.CHARACTERS)
    if not any(char.isalnum() for char in name):
        raise GroupError(GroupProblem.CHARACTERS)
    return name


class GroupService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[GroupView]:
        async with self._db.transaction() as session:
            groups = list(
                await session.scalars(
                    select(ParticipantGroup).order_by(ParticipantGroup.kind, ParticipantGroup.name)
                )
            )
            return [await _view(session, group) for group in groups]

    async def get(self, group_id: int) -> GroupView | None:
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            return await _view(session, group) if group else None

    async def create(self, kind: GroupKind, name: str, now: dt.datetime) -> GroupView:
        cleaned = clean_name(name)
        async with self._db.transaction() as session:
            await _check_unique(session, kind, cleaned, None)
            group = ParticipantGroup(kind=kind.value, name=cleaned, created_at=now, updated_at=now)
            session.add(group)
            await session.flush()
            log.info("group #%d (%s) created", group.id, kind.value)
            return await _view(session, group)

    async def rename(self, group_id: int, name: str, now: dt.datetime) -> GroupView:
        cleaned = clean_name(name)
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            if group is None:
                raise GroupError(GroupProblem.GONE)
            await _check_unique(session, GroupKind(group.kind), cleaned, group.id)
            group.name, group.updated_at = cleaned, now
            return await _view(session, group)

    async def toggle(self, group_id: int, participant_id: int, now: dt.datetime) -> bool:
        """Add the participant (moving them from another group of this kind) or remove them.

        Returns whether they are in the group afterwards.
        """
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            person = await session.get(Participant, participant_id)
            if group is None or person is None or person.status != ParticipantStatus.APPROVED:
                raise GroupError(GroupProblem.GONE)
            current = await session.scalar(
                select(GroupMember).where(
                    GroupMember.participant_id == participant_id,
                    GroupMember.kind == group.kind,
                )
            )
            if current is not None and current.group_id == group_id:
                await session.delete(current)
                return False
            if current is not None:
                await session.delete(current)
                await session.flush()
            session.add(
                GroupMember(
                    group_id=group_id, participant_id=participant_id, kind=group.kind, added_at=now
                )
            )
            return True

    async def candidates(self, group_id: int) -> list[Candidate]:
        """Every approved participant, members of this group first, then by name."""
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            if group is None:
                raise GroupError(GroupProblem.GONE)
            people = list(
                await session.scalars(
                    select(Participant).where(Participant.status == ParticipantStatus.APPROVED)
                )
            )
            rows = await session.execute(
                select(GroupMember.participant_id, GroupMember.group_id, ParticipantGroup.name)
                .join(ParticipantGroup, ParticipantGroup.id == GroupMember.group_id)
                .where(GroupMember.kind == group.kind)
            )
            placed = {pid: (gid, name) for pid, gid, name in rows}
        found = []
        for person in people:
            where = placed.get(person.id)
            in_group = where is not None and where[0] == group_id
            other = where[1] if where is not None and not in_group else None
            found.append(Candidate(person.id, person.name, in_group, other))
        found.sort(key=lambda c: (not c.in_group, (c.name or "").lower(), c.participant_id))
        return found

    async def member_ids(self, group_id: int) -> set[int]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(GroupMember.participant_id).where(GroupMember.group_id == group_id)
            )
            return set(rows)


async def _check_unique(
    session: AsyncSession, kind: GroupKind, name: str, group_id: int | None
) -> None:
    # Compared here, not with SQL lower(): SQLite folds only ASCII, PostgreSQL per its locale.
    rows = await session.execute(
        select(ParticipantGroup.id, ParticipantGroup.name).where(
            ParticipantGroup.kind == kind.value
        )
    )
    wanted = name.casefold()
    if any(existing.casefold() == wanted and same != group_id for same, existing in rows):
        raise GroupError(GroupProblem.DUPLICATE)


async def _view(session: AsyncSession, group: ParticipantGroup) -> GroupView:
    rows = await session.execute(
        select(Participant.id, Participant.name)
        .join(GroupMember, GroupMember.participant_id == Participant.id)
        .where(GroupMember.group_id == group.id)
    )
    members = sorted(
        (Member(pid, name) for pid, name in rows),
        key=lambda m: ((m.name or "").lower(), m.participant_id),
    )
    return GroupView(group.id, GroupKind(group.kind), group.name, tuple(members))


async def forget_memberships(session: AsyncSession, participant_id: int) -> None:
    """Used by /vergeetmij: group memberships are removed."""
    await session.execute(delete(GroupMember).where(GroupMember.participant_id == participant_id))


async def memberships(session: AsyncSession, participant_id: int) -> list[dict[str, str]]:
    """For /mijngegevens: the groups this participant is in."""
    rows = await session.execute(
        select(ParticipantGroup.kind, ParticipantGroup.name)
        .join(GroupMember, GroupMember.group_id == ParticipantGroup.id)
        .where(GroupMember.participant_id == participant_id)
        .order_by(ParticipantGroup.kind)
    )
    return [{"kind": kind, "name": name} for kind, name in rows]
