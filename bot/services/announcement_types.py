"""The shapes of announcements shared by the service, the outbox and the handlers."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Announcement, AnnouncementDelivery, AnnouncementState, DeliveryStatus
from bot.services.audiences import Audience, AudienceKind, Resolved

TEXT_MAX = 4096
CAPTION_MAX = 1024
RECENT = 10

# Reasons the bot gives itself (Telegram's own error texts are stored as they come).
NOT_LINKED = "not_linked"
BLOCKED_BEFORE = "blocked_before"
INTERRUPTED = "interrupted"
WITHDRAWN = "withdrawn"
FORGOTTEN = "forgotten"  # the person asked to be forgotten before it was their turn

Labeller = Callable[[Resolved], str]


class AnnouncementProblem(enum.StrEnum):
    GONE = "gone"  # no such announcement, or no longer in a state for this
    STALE = "stale"  # the button's one-time id is used up or replaced
    NO_RECIPIENTS = "no_recipients"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CAPTION_TOO_LONG = "caption_too_long"
    PAST = "past"  # the planned moment went by before it was confirmed


class AnnouncementError(Exception):
    def __init__(self, problem: AnnouncementProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Content:
    """What recipients get: Telegram HTML, optionally as the caption of a photo or document."""

    html: str
    media_kind: str | None = None  # "photo" or "document"
    file_id: str | None = None


def check_content(content: Content, plain_length: int) -> None:
    """Telegram's limits, measured on the text as shown (``plain_length``)."""
    if content.media_kind is None and plain_length == 0:
        raise AnnouncementError(AnnouncementProblem.EMPTY)
    if content.media_kind is not None and plain_length > CAPTION_MAX:
        raise AnnouncementError(AnnouncementProblem.CAPTION_TOO_LONG)
    if plain_length > TEXT_MAX:
        raise AnnouncementError(AnnouncementProblem.TOO_LONG)


@dataclass(frozen=True, slots=True)
class AnnouncementView:
    id: int
    state: AnnouncementState
    content: Content
    audience: Audience | None
    audience_label: str | None
    created_by: int
    created_at: dt.datetime
    scheduled_for: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    edited_at: dt.datetime | None
    revision: int
    token: str | None
    pending_html: str | None

    @classmethod
    def of(cls, row: Announcement) -> AnnouncementView:
        audience = (
            Audience(AudienceKind(row.audience), row.group_id) if row.audience is not None else None
        )
        return cls(
            id=row.id,
            state=AnnouncementState(row.state),
            content=Content(row.html, row.media_kind, row.media_file_id),
            audience=audience,
            audience_label=row.audience_label,
            created_by=row.created_by,
            created_at=row.created_at,
            scheduled_for=row.scheduled_for,
            started_at=row.started_at,
            finished_at=row.finished_at,
            withdrawn_at=row.withdrawn_at,
            edited_at=row.edited_at,
            revision=row.revision,
            token=row.action_token,
            pending_html=row.pending_html,
        )


@dataclass(frozen=True, slots=True)
class Counts:
    pending: int = 0
    delivered: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.delivered + self.blocked + self.failed + self.skipped


@dataclass(frozen=True, slots=True)
class RecipientIssue:
    participant_id: int
    name: str | None
    status: DeliveryStatus
    reason: str | None


@dataclass(frozen=True, slots=True)
class Report:
    announcement: AnnouncementView
    counts: Counts
    issues: tuple[RecipientIssue, ...]
    followup_failed: int  # corrections or removals that did not work


async def counts_of(session: AsyncSession, announcement_ids: Iterable[int]) -> dict[int, Counts]:
    ids = list(announcement_ids)
    found: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return {}
    rows = await session.execute(
        select(AnnouncementDelivery.announcement_id, AnnouncementDelivery.status, func.count())
        .where(AnnouncementDelivery.announcement_id.in_(ids))
        .group_by(AnnouncementDelivery.announcement_id, AnnouncementDelivery.status)
    )
    for announcement_id, status, number in rows:
        found[announcement_id][status] = number
    return {i: Counts(**values) for i, values in found.items()}


def new_token() -> str:
    return secrets.token_urlsafe(6)
