"""Invite links: ``https://t.me/<bot>?start=invite_<token>`` approves on registration.

The token is 128 random bits (``secrets.token_urlsafe``); only its SHA-256 is stored, so the
database alone cannot produce a working link. An invite has a use limit and an expiry date.
A personal invite belongs to a participant the coordinator added by hand: opening it and
answering the questions links that person's Telegram account to the prepared row.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database
from bot.models import Invite, Participant, ParticipantStatus
from bot.services.participants import ParticipantView
from bot.services.registration_steps import Problem, check_name

log = logging.getLogger(__name__)

PAYLOAD_PREFIX = "invite_"
DEFAULT_USES = 1
DEFAULT_DAYS = 14
MAX_USES = 500
MAX_DAYS = 365
_TOKEN_BYTES = 16
_TOKEN_MAX = 64


class InviteProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True, slots=True)
class InviteCheck:
    invite_id: int | None
    problem: InviteProblem | None
    participant_id: int | None = None  # a personal invite: the prepared participant row
    name: str | None = None  # the name the coordinator entered for that row

    @property
    def usable(self) -> bool:
        return self.problem is None and self.invite_id is not None


@dataclass(frozen=True, slots=True)
class NewInvite:
    token: str
    invite_id: int
    max_uses: int
    expires_at: dt.datetime

    @property
    def payload(self) -> str:
        return PAYLOAD_PREFIX + self.token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _problem(invite: Invite | None, now: dt.datetime) -> InviteProblem | None:
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED_UP
    return None


async def consume_invite(session: AsyncSession, invite_id: int, now: dt.datetime) -> bool:
    """Count one use of the invite, if it is still valid; False when it is not."""
    invite = await session.get(Invite, invite_id)
    if _problem(invite, now) is not None or invite is None:
        return False
    invite.uses += 1
    log.info("invite #%d used (%d of %d)", invite.id, invite.uses, invite.max_uses)
    return True


class InviteService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(
        self,
        now: dt.datetime,
        max_uses: int = DEFAULT_USES,
        valid_for: dt.timedelta = dt.timedelta(days=DEFAULT_DAYS),
        participant_id: int | None = None,
    ) -> NewInvite:
        async with self._db.transaction() as session:
            return await self._create(session, now, max_uses, valid_for, participant_id)

    async def add_by_hand(
        self, name: str, now: dt.datetime, valid_for: dt.timedelta = dt.timedelta(days=DEFAULT_DAYS)
    ) -> tuple[ParticipantView, NewInvite] | Problem:
        """An approved participant without a Telegram account yet, plus their personal link."""
        checked = check_name(name)
        if isinstance(checked, Problem):
            return checked
        async with self._db.transaction() as session:
            row = Participant(
                status=ParticipantStatus.APPROVED,
                source="manual",
                name=checked,
                created_at=now,
                decided_at=now,
            )
            session.add(row)
            await session.flush()
            invite = await self._create(session, now, 1, valid_for, row.id)
            log.info("participant #%d added by hand", row.id)
            return ParticipantView.of(row), invite

    async def check(self, token: str, now: dt.datetime) -> InviteCheck:
        """Whether a token from a link is valid, without using it."""
        if not token or len(token) > _TOKEN_MAX:
            return InviteCheck(None, InviteProblem.UNKNOWN)
        async with self._db.transaction() as session:
            invite = await session.scalar(
                select(Invite).where(Invite.token_hash == hash_token(token))
            )
            problem = _problem(invite, now)
            if invite is None:
                return InviteCheck(None, problem)
            name: str | None = None
            if invite.participant_id is not None:
                row = await session.get(Participant, invite.participant_id)
                if row is None or row.telegram_id is not None:
                    problem = problem or InviteProblem.USED_UP
                else:
                    name = row.name
            return InviteCheck(invite.id, problem, invite.participant_id, name)

    async def _create(
        self,
        session: AsyncSession,
        now: dt.datetime,
        max_uses: int,
        valid_for: dt.timedelta,
        participant_id: int | None,
    ) -> NewInvite:
        if not 1 <= max_uses <= MAX_USES:
            raise ValueError(f"max_uses must be between 1 and {MAX_USES}")
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        invite = Invite(
            token_hash=hash_token(token),
            max_uses=max_uses,
            uses=0,
            expires_at=now + valid_for,
            created_at=now,
            participant_id=participant_id,
        )
        session.add(invite)
        await session.flush()
        log.info("invite #%d created (%d use(s), until %s)", invite.id, max_uses, invite.expires_at)
        return NewInvite(token, invite.id, max_uses, invite.expires_at)
