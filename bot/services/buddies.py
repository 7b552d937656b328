"""Buddies: the members of an intervisiegroep (and of an eindopdracht-groepje) are
introduced to each other, share their Telegram account only after they tap consent, see
their group with /buddies and can send one message to the whole group through the bot.

An introduction goes out once per membership (``buddy_introductions``); when the coordinator
introduces a group again after adding someone, only the newcomer gets the introduction and
the others hear who joined. A member's account is shown to the group only once their
``contact_shared_at`` is set; a message through the bot names the sender, and links their
account only if they consented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import BuddyIntroduction, GroupMember, Participant, ParticipantGroup
from bot.models import ParticipantStatus as Status
from bot.services.goals import GoalService
from bot.services.groups import GroupError, GroupKind, GroupProblem

MESSAGE_MAX = 2000


@dataclass(frozen=True, slots=True)
class Person:
    participant_id: int
    name: str
    chat_id: int | None


@dataclass(frozen=True, slots=True)
class Introduction:
    group_id: int
    kind: GroupKind
    name: str
    newcomers: tuple[Person, ...]  # get the introduction with the consent buttons
    others: tuple[Person, ...]  # were introduced before: hear who joined
    members: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class Buddy:
    participant_id: int
    name: str
    telegram_id: int | None  # only when this member agreed to share their account
    me: bool
    goals: tuple[str, ...]  # shared learning goals (intervisiegroepen only)


@dataclass(frozen=True, slots=True)
class BuddyGroup:
    id: int
    kind: GroupKind
    name: str
    members: tuple[Buddy, ...]
    i_share: bool


@dataclass(frozen=True, slots=True)
class GroupMessage:
    """Who a member's message goes to, and how the sender is named."""

    group_name: str
    kind: GroupKind
    sender_name: str
    sender_telegram_id: int | None  # only with consent
    recipients: tuple[Person, ...]


class BuddyService:
    def __init__(self, database: Database, goals: GoalService) -> None:
        self._db = database
        self._goals = goals

    async def introduce(self, group_id: int, now: dt.datetime) -> Introduction:
        """Mark the members not introduced yet as introduced; says who gets what."""
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            if group is None:
                raise GroupError(GroupProblem.GONE)
            members = await _members(session, group_id)
            ids = [m.participant_id for m in members]
            await session.execute(delete(BuddyIntroduction).where(
                BuddyIntroduction.group_id == group_id,
                BuddyIntroduction.participant_id.not_in(ids),
            ))
            known = set(await session.scalars(
                select(BuddyIntroduction.participant_id)
                .where(BuddyIntroduction.group_id == group_id)
            ))
            newcomers = tuple(m for m in members if m.participant_id not in known)
            session.add_all(BuddyIntroduction(group_id=group_id, participant_id=m.participant_id,
                                              introduced_at=now) for m in newcomers)
            others = tuple(m for m in members if m.participant_id in known)
            return Introduction(group_id, GroupKind(group.kind), group.name, newcomers, others,
                                tuple(members))

    async def consent(self, telegram_id: int, group_id: int, share: bool,
                      now: dt.datetime) -> bool:
        """Share (or stop sharing) one's account with this group; False if not a member."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(BuddyIntroduction)
                .join(Participant, Participant.id == BuddyIntroduction.participant_id)
                .join(GroupMember, (GroupMember.participant_id == Participant.id)
                      & (GroupMember.group_id == BuddyIntroduction.group_id))
                .where(Participant.telegram_id == telegram_id,
                       BuddyIntroduction.group_id == group_id)
            )
            if row is None:
                return False
            row.contact_shared_at = now if share else None
            return True

    async def my_groups(self, telegram_id: int) -> list[BuddyGroup] | None:
        """This participant's groups with their members; None if not a participant."""
        async with self._db.transaction() as session:
            me = await session.scalar(select(Participant.id).where(
                Participant.telegram_id == telegram_id, Participant.status == Status.APPROVED))
            if me is None:
                return None
            groups = list(await session.scalars(
                select(ParticipantGroup)
                .join(GroupMember, GroupMember.group_id == ParticipantGroup.id)
                .where(GroupMember.participant_id == me)
                .order_by(ParticipantGroup.kind.desc(), ParticipantGroup.name)
            ))
            found = []
            for group in groups:
                members = await _members(session, group.id)
                shares = await _sharing(session, group.id)
                goals = (await self._goals.shared_goals(m.participant_id for m in members)
                         if group.kind == GroupKind.INTERVISIE else {})
                found.append(BuddyGroup(
                    group.id, GroupKind(group.kind), group.name,
                    tuple(Buddy(m.participant_id, m.name, shares.get(m.participant_id),
                                m.participant_id == me, tuple(goals.get(m.participant_id, ())))
                          for m in members),
                    me in shares,
                ))
            return found

    async def message(self, telegram_id: int, group_id: int) -> GroupMessage | None:
        """The sender's group and the other members; None if the sender is not in it."""
        async with self._db.transaction() as session:
            group = await session.get(ParticipantGroup, group_id)
            if group is None:
                return None
            members = await _members(session, group_id)
            sender = await session.scalar(select(Participant.id).where(
                Participant.telegram_id == telegram_id, Participant.status == Status.APPROVED))
            me = next((m for m in members if m.participant_id == sender), None)
            if me is None:
                return None
            shares = await _sharing(session, group_id)
            return GroupMessage(group.name, GroupKind(group.kind), me.name,
                                shares.get(me.participant_id),
                                tuple(m for m in members if m is not me))


async def _members(session: AsyncSession, group_id: int) -> list[Person]:
    rows = await session.execute(
        select(Participant.id, Participant.name, Participant.chat_id)
        .join(GroupMember, GroupMember.participant_id == Participant.id)
        .where(GroupMember.group_id == group_id, Participant.status == Status.APPROVED)
        .order_by(Participant.name, Participant.id)
    )
    return [Person(number, name or "", chat) for number, name, chat in rows]


async def _sharing(session: AsyncSession, group_id: int) -> dict[int, int]:
    """Participant id → Telegram id, for the members who agreed to share their account."""
    rows = await session.execute(
        select(Participant.id, Participant.telegram_id)
        .join(BuddyIntroduction, BuddyIntroduction.participant_id == Participant.id)
        .where(BuddyIntroduction.group_id == group_id,
               BuddyIntroduction.contact_shared_at.is_not(None))
    )
    return {number: telegram for number, telegram in rows if telegram is not None}


async def export_buddies(session: AsyncSession, participant_id: int) -> list[dict[str, object]]:
    """For /mijngegevens: per group whether this person was introduced and shares contact."""
    rows = await session.execute(
        select(ParticipantGroup.name, BuddyIntroduction)
        .join(BuddyIntroduction, BuddyIntroduction.group_id == ParticipantGroup.id)
        .where(BuddyIntroduction.participant_id == participant_id)
        .order_by(ParticipantGroup.name)
    )
    return [{"group": name, "introduced_at": row.introduced_at.isoformat(),
             "contact_shared": row.contact_shared_at is not None} for name, row in rows]


async def forget_buddies(session: AsyncSession, participant_id: int) -> None:
    await session.execute(
        delete(BuddyIntroduction).where(BuddyIntroduction.participant_id == participant_id)
    )
