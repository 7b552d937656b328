"""Every edition of the course in one bot: which editions exist, which one a person or a
coordinator is working with, and creating, opening, closing and archiving them.

Each edition has its own :class:`~bot.services.registry.Services`, built on the database view
of that edition (``Database.scoped``): its services see only its participants, sessions,
groups and announcements, so a feature written for one course works for each edition without
knowing about the others. This directory picks the right one:

- a participant works with their *current* participation: one whose edition has not finished
  (the newest), else the newest one; someone without any, with the edition open for
  registration (else the default);
- a coordinator works with the edition they chose with /editie, else the default;
- the default is the running edition (the one that started last), else the next one to
  start, else the one that finished last.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.database import Database
from bot.models import (
    CoordinatorEdition,
    Edition,
    Participant,
    ParticipantStatus,
    ProgrammeUpload,
    SessionSnapshot,
)
from bot.programme import ProgrammeError

if TYPE_CHECKING:
    from bot.services.registry import Services

log = logging.getLogger(__name__)

NAME_MAX = 40


class EditionState(enum.StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    FINISHED = "finished"
    ARCHIVED = "archived"


class EditionProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"
    HAS_DATA = "has_data"
    GONE = "gone"


class EditionError(Exception):
    def __init__(self, problem: EditionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class EditionInfo:
    """An edition as the bot holds it (updated in place when the coordinator changes it)."""

    id: int
    name: str
    key_prefix: str
    registration_open: bool
    archived: bool
    programme_text: str | None  # None: the configured programme file

    @classmethod
    def of(cls, row: Edition) -> EditionInfo:
        return cls(row.id, row.name, row.key_prefix, row.registration_open,
                   row.archived_at is not None, row.programme_text)


def state_of(services: Services, now: dt.datetime) -> EditionState:
    if services.edition.archived:
        return EditionState.ARCHIVED
    sessions = services.programme.sessions
    if not sessions or now < sessions[0].starts_at:
        return EditionState.UPCOMING
    if now < sessions[-1].ends_at:
        return EditionState.RUNNING
    return EditionState.FINISHED


def first_day(services: Services) -> dt.datetime | None:
    sessions = services.programme.sessions
    return sessions[0].starts_at if sessions else None


class Editions:
    def __init__(self, database: Database, build: Callable[[EditionInfo], Services]) -> None:
        self._db = database
        self._build = build
        self._by_id: dict[int, Services] = {}
        self._chosen: dict[int, int] | None = None  # coordinator → edition (one process)
        # Telegram id → the editions they take part in; emptied whenever a participant row
        # changes (see _participants_changed), so most updates need no query for it.
        self.participations_cache: dict[int, tuple[int, ...]] = {}
        _CACHES.add(self)

    def add(self, services: Services) -> None:
        self._by_id[services.edition.id] = services

    async def load(self) -> None:
        """Read the editions from the database and build the services of new ones."""
        async with self._db.transaction() as session:
            rows = list(await session.scalars(select(Edition).order_by(Edition.id)))
        for row in rows:
            found = self._by_id.get(row.id)
            info = EditionInfo.of(row)
            try:
                if found is None:
                    self._by_id[row.id] = self._build(info)
                    continue
                if row.programme_text is not None and row.programme_text != (
                    found.edition.programme_text
                ):  # the first edition, after a programme was sent through Telegram
                    found.use_programme(found.programme_uploads.parse(row.programme_text,
                                                                      row.name))
            except ProgrammeError as error:  # stored under an older, looser check
                log.error("edition %s: its programme has %d problem(s); %s",
                          row.name, len(error.problems), "left out" if found is None
                          else "the file stays in force")
                continue
            found.edition.name, found.edition.registration_open = row.name, row.registration_open
            found.edition.archived = row.archived_at is not None
            found.edition.programme_text = row.programme_text

    def all(self) -> list[Services]:
        """Every edition, the earliest first (one without sessions last)."""
        never = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted(self._by_id.values(),
                      key=lambda s: (first_day(s) or never, s.edition.id))

    def active(self) -> list[Services]:
        """The editions whose jobs run: not archived (finished ones too, for late notices)."""
        return [s for s in self.all() if not s.edition.archived]

    def get(self, edition_id: int) -> Services | None:
        return self._by_id.get(edition_id)

    def of_session_key(self, key: str) -> Services | None:
        """The edition a session key belongs to (by its prefix: ``e2-module-4``)."""
        match = _KEY_PREFIX.match(key)
        if match is None:
            return None
        prefix = match.group(1) or ""
        return next((s for s in self._by_id.values() if s.edition.key_prefix == prefix), None)

    def by_name(self, name: str) -> Services | None:
        wanted = name.casefold()
        return next((s for s in self._by_id.values() if s.edition.name.casefold() == wanted), None)

    def default(self, now: dt.datetime) -> Services:
        live = self.active() or self.all()
        running = [s for s in live if state_of(s, now) is EditionState.RUNNING]
        if running:
            return running[-1]
        upcoming = [s for s in live if state_of(s, now) is EditionState.UPCOMING]
        if upcoming:
            return upcoming[0]
        return live[-1]

    def open_for_registration(self, now: dt.datetime) -> list[Services]:
        return [s for s in self.all() if s.edition.registration_open and not s.edition.archived
                and state_of(s, now) is not EditionState.FINISHED]

    def next_after(self, services: Services, now: dt.datetime) -> Services | None:
        """The next edition to start after this one (for "it has ended; the next one is …")."""
        start = first_day(services)
        later = [s for s in self.all() if s is not services and not s.edition.archived
                 and state_of(s, now) is EditionState.UPCOMING
                 and (start is None or (first_day(s) or start) > start)]
        return later[0] if later else None

    async def participations(self, telegram_id: int) -> list[Services]:
        """The editions this account takes part in (or applied to), the newest first."""
        ids = self.participations_cache.get(telegram_id)
        if ids is None:
            async with self._db.transaction() as session:
                rows = await session.execute(
                    select(Participant.edition_id, Participant.status)
                    .where(Participant.telegram_id == telegram_id)
                )
                ids = tuple(edition for edition, status in rows
                            if status != ParticipantStatus.FORGOTTEN)
            self.participations_cache[telegram_id] = ids
        found = [s for s in self.all() if s.edition.id in ids]
        return list(reversed(found))

    async def for_person(
        self, telegram_id: int, now: dt.datetime, registering: int | None = None
    ) -> Services:
        """The edition a participant works with; ``registering``: the edition of their
        registration in progress, which wins."""
        if registering is not None and (found := self.get(registering)) is not None:
            return found
        if len(self._by_id) == 1:  # the usual case: no query at all
            return next(iter(self._by_id.values()))
        mine = await self.participations(telegram_id)
        current = [s for s in mine if state_of(s, now) in (EditionState.RUNNING,
                                                           EditionState.UPCOMING)]
        if current:
            return current[0]
        if mine:
            return mine[0]
        open_ = self.open_for_registration(now)
        return open_[0] if open_ else self.default(now)

    async def for_coordinator(self, telegram_id: int, now: dt.datetime) -> Services:
        if self._chosen is None:
            async with self._db.transaction() as session:
                rows = await session.scalars(select(CoordinatorEdition))
                self._chosen = {row.telegram_id: row.edition_id for row in rows}
        chosen = self._chosen.get(telegram_id)
        found = self.get(chosen) if chosen is not None else None
        return found or self.default(now)

    async def choose(self, telegram_id: int, edition_id: int, now: dt.datetime) -> Services:
        found = self.get(edition_id)
        if found is None:
            raise EditionError(EditionProblem.GONE)
        async with self._db.transaction() as session:
            row = await session.get(CoordinatorEdition, telegram_id)
            if row is None:
                session.add(CoordinatorEdition(telegram_id=telegram_id, edition_id=edition_id,
                                               chosen_at=now))
            else:
                row.edition_id, row.chosen_at = edition_id, now
        if self._chosen is not None:
            self._chosen[telegram_id] = edition_id
        return found

    async def create(self, name: str, programme_text: str, now: dt.datetime) -> Services:
        """A new edition (registration closed) with its own programme text."""
        cleaned = clean_name(name)
        if self.by_name(cleaned) is not None:
            raise EditionError(EditionProblem.DUPLICATE)
        try:
            async with self._db.transaction() as session:
                row = Edition(name=cleaned, key_prefix=f"n{secrets.token_hex(3)}",
                              programme_text=programme_text, registration_open=False,
                              created_at=now, archived_at=None)
                session.add(row)
                await session.flush()
                row.key_prefix = f"e{row.id}-"
                info = EditionInfo.of(row)
        except IntegrityError:  # made at the same moment by another coordinator
            raise EditionError(EditionProblem.DUPLICATE) from None
        services = self._build(info)
        self._by_id[info.id] = services
        return services

    async def set_registration(self, edition_id: int, open_: bool) -> bool:
        """Open or close registration for an edition; False if it already was."""
        async with self._db.transaction() as session:
            row = await session.get(Edition, edition_id, with_for_update=True)
            if row is None:
                raise EditionError(EditionProblem.GONE)
            if row.registration_open == open_:
                return False
            row.registration_open = open_
        found = self.get(edition_id)
        if found is not None:
            found.edition.registration_open = open_
        return True

    async def set_programme_text(self, edition_id: int, text: str | None) -> None:
        async with self._db.transaction() as session:
            row = await session.get(Edition, edition_id, with_for_update=True)
            if row is None:
                raise EditionError(EditionProblem.GONE)
            row.programme_text = text
        found = self.get(edition_id)
        if found is not None:
            found.edition.programme_text = text

    async def archive(self, edition_id: int, now: dt.datetime) -> None:
        """Archive an edition: it stays readable but runs no more jobs."""
        async with self._db.transaction() as session:
            row = await session.get(Edition, edition_id, with_for_update=True)
            if row is None:
                raise EditionError(EditionProblem.GONE)
            row.archived_at = row.archived_at or now
        found = self.get(edition_id)
        if found is not None:
            found.edition.archived = True

    async def delete(self, edition_id: int) -> None:
        """Delete an edition without any participant or application; else HAS_DATA."""
        async with self._db.transaction() as session:
            count = await session.scalar(
                select(func.count()).select_from(Participant)
                .where(Participant.edition_id == edition_id)
            )
            if count:
                raise EditionError(EditionProblem.HAS_DATA)
            row = await session.get(Edition, edition_id, with_for_update=True)
            if row is None or len(self._by_id) == 1:
                raise EditionError(EditionProblem.GONE)
        try:
            async with self._db.transaction() as session:
                # The bot's own bookkeeping goes with it; anyone's data stops the delete.
                for table in (SessionSnapshot, ProgrammeUpload):
                    await session.execute(delete(table).where(table.edition_id == edition_id))
                await session.execute(delete(Edition).where(Edition.id == edition_id))
        except IntegrityError:  # session changes, groups, invites or announcements of its own
            raise EditionError(EditionProblem.HAS_DATA) from None
        self._by_id.pop(edition_id, None)

    async def participant_counts(self) -> dict[int, int]:
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Participant.edition_id, func.count())
                .where(Participant.status == ParticipantStatus.APPROVED)
                .group_by(Participant.edition_id)
            )
            return {edition: count for edition, count in rows}


_CACHES: weakref.WeakSet[Editions] = weakref.WeakSet()
_KEY_PREFIX = re.compile(r"^(e\d+-)?(?:module|werksessie|intervisie)-")


@event.listens_for(Session, "after_flush")
def _participants_changed(session: Session, _context: object) -> None:
    """A participant row was added, changed or deleted: forget the cached participations."""
    if any(isinstance(row, Participant)
           for row in (*session.new, *session.dirty, *session.deleted)):
        for editions in list(_CACHES):
            editions.participations_cache.clear()


def clean_name(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise EditionError(EditionProblem.EMPTY)
    if len(cleaned) > NAME_MAX:
        raise EditionError(EditionProblem.TOO_LONG)
    return cleaned
