"""The announcement services on their own: moments, content limits, one-time ids, delivery
rows before sending, recovery after a crash, and the person's own data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.database import Database
from bot.models import AnnouncementState, DeliveryStatus, ParticipantStatus
from bot.programme import load_programme
from bot.services.announcement_types import (
    AnnouncementError,
    AnnouncementProblem,
    Content,
    check_content,
)
from bot.services.announcements import AnnouncementService
from bot.services.audiences import Audience, AudienceKind, AudienceService, Resolved
from bot.services.deliveries import DeliveryQueue
from bot.services.groups import GroupKind, GroupService
from bot.services.moments import MomentError, MomentProblem, parse_moment
from bot.services.privacy import PrivacyService
from bot.services.sessions import SessionService
from tests.people import add_participants

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 12, 10, 9, 0, tzinfo=AMS)


def label(resolved: Resolved) -> str:
    return resolved.audience.kind.value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("morgen 9:00", dt.datetime(2024, 12, 11, 9, 0, tzinfo=AMS)),
        ("13-12 17:30", dt.datetime(2024, 12, 13, 17, 30, tzinfo=AMS)),
        ("vr 13 december 9 uur", dt.datetime(2024, 12, 13, 9, 0, tzinfo=AMS)),
        ("vrijdag 13 dec 2024 om 10.15", dt.datetime(2024, 12, 13, 10, 15, tzinfo=AMS)),
        ("13/12/2024 09:00", dt.datetime(2024, 12, 13, 9, 0, tzinfo=AMS)),
        ("17:00", dt.datetime(2024, 12, 10, 17, 0, tzinfo=AMS)),
        ("1-1 0:00", dt.datetime(2025, 1, 1, 0, 0, tzinfo=AMS)),  # next year
        ("overmorgen 13.30", dt.datetime(2024, 12, 12, 13, 30, tzinfo=AMS)),
    ],
)
def test_typed_moments(typed: str, expected: dt.datetime) -> None:
    assert parse_moment(typed, NOW, AMS) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("vandaag 8:00", MomentProblem.PAST),
        ("wo 13 dec 9:00", MomentProblem.WEEKDAY),
        ("30-02 9:00", MomentProblem.BAD_DATE),
        ("morgen", MomentProblem.NO_TIME),
        ("zondag 30 maart 2025 2:30", MomentProblem.NONEXISTENT),
        ("10-12-2026 9:00", MomentProblem.TOO_FAR),
        ("25:00", MomentProblem.UNREADABLE),
        ("x" * 70, MomentProblem.UNREADABLE),
    ],
)
def test_moments_that_are_refused(typed: str, problem: MomentProblem) -> None:
    with pytest.raises(MomentError) as caught:
        parse_moment(typed, NOW, AMS)
    assert caught.value.problem is problem


def test_content_limits() -> None:
    check_content(Content("Hallo"), 5)
    check_content(Content("", "photo", "file"), 0)  # a photo without text is fine
    for content, length, problem in (
        (Content(""), 0, AnnouncementProblem.EMPTY),
        (Content("x" * 5000), 5000, AnnouncementProblem.TOO_LONG),
        (Content("x" * 1100, "document", "file"), 1100, AnnouncementProblem.CAPTION_TOO_LONG),
    ):
        with pytest.raises(AnnouncementError) as caught:
            check_content(content, length)
        assert caught.value.problem is problem


class NoCheckIns:
    async def checked_in_participant_ids(self, session_key: str) -> set[int]:
        return set()


def services(database: Database) -> tuple[AnnouncementService, DeliveryQueue]:
    programme = load_programme(None, AMS)
    sessions = SessionService(database, lambda: programme)
    audiences = AudienceService(database, sessions, NoCheckIns())
    return AnnouncementService(database, audiences), DeliveryQueue(database)


async def people(
    database: Database, count: int, status: str = "approved", first: int = 500
) -> list[int]:
    return await add_participants(
        database,
        range(first, first + count),
        names=[f"P{n}" for n in range(count)],
        status=ParticipantStatus(status),
        since=NOW,
    )


async def test_every_recipient_has_a_row_before_anything_is_sent(database: Database) -> None:
    announcements, queue = services(database)
    await people(database, 3)
    number = await announcements.new_draft(1, Content("Hallo"), NOW)
    draft, resolved = await announcements.choose_audience(
        number, Audience(AudienceKind.APPROVED), NOW
    )
    assert len(resolved.recipients) == 3
    assert draft.token is not None
    started, counts = await announcements.confirm_send(number, draft.token, label, 1, None, NOW)
    assert started.state is AnnouncementState.SENDING
    assert (counts.total, counts.pending) == (3, 3)
    with pytest.raises(AnnouncementError) as caught:
        await announcements.confirm_send(number, draft.token, label, 1, None, NOW)
    assert caught.value.problem is AnnouncementProblem.STALE
    work = await queue.pending(10)
    assert [item.chat_id for item in work] == [500, 501, 502]


async def test_claimed_but_unrecorded_rows_are_not_sent_again(database: Database) -> None:
    announcements, queue = services(database)
    await people(database, 3)
    number = await announcements.new_draft(1, Content("Hallo"), NOW)
    draft, _ = await announcements.choose_audience(number, Audience(AudienceKind.APPROVED), NOW)
    assert draft.token is not None
    await announcements.confirm_send(number, draft.token, label, 1, None, NOW)
    first, second, third = await queue.pending(10)
    assert await queue.claim(first.delivery_id, NOW)
    await queue.settle(
        first.delivery_id, DeliveryStatus.DELIVERED, message_id=7, reason=None,
        revision=1, now=NOW,
    )
    assert await queue.claim(second.delivery_id, NOW)
    assert not await queue.claim(second.delivery_id, NOW)  # nobody claims a row twice
    # The process dies here. At the next start:
    assert await queue.recover(NOW) == 1
    remaining = await queue.pending(10)
    assert [item.delivery_id for item in remaining] == [third.delivery_id]
    counts = await announcements.counts(number)
    assert (counts.delivered, counts.failed, counts.pending) == (1, 1, 1)


async def test_a_scheduled_announcement_takes_its_audience_at_the_time(
    database: Database,
) -> None:
    announcements, _ = services(database)
    await people(database, 1)
    number = await announcements.new_draft(1, Content("Later"), NOW)
    draft, _ = await announcements.choose_audience(number, Audience(AudienceKind.APPROVED), NOW)
    assert draft.token is not None
    when = NOW + dt.timedelta(days=1)
    proposed = await announcements.propose_time(number, when, NOW)
    assert proposed.token is not None
    assert proposed.token != draft.token
    with pytest.raises(AnnouncementError):
        await announcements.confirm_schedule(number, draft.token, NOW)  # the old id
    planned = await announcements.confirm_schedule(number, proposed.token, NOW)
    assert planned.state is AnnouncementState.SCHEDULED
    await people(database, 2, first=600)
    started = await announcements.start_scheduled(number, label, when)
    assert started is not None
    assert started[1].total == 3
    assert await announcements.start_scheduled(number, label, when) is None  # only once


async def test_forgetting_a_person_covers_groups_and_announcements(database: Database) -> None:
    announcements, queue = services(database)
    groups = GroupService(database)
    anna, _bram = await people(database, 2)
    group = await groups.create(GroupKind.INTERVISIE, "Noord", NOW)
    await groups.toggle(group.id, anna, NOW)
    number = await announcements.new_draft(1, Content("Hallo"), NOW)
    draft, _ = await announcements.choose_audience(number, Audience(AudienceKind.APPROVED), NOW)
    assert draft.token is not None
    await announcements.confirm_send(number, draft.token, label, 1, None, NOW)
    privacy = PrivacyService(database)
    data = await privacy.export(500)
    assert data["groups"] == [{"kind": "intervisie", "name": "Noord"}]
    assert [(a["announcement"], a["status"]) for a in data["announcements"]] == [
        (number, "pending")
    ]
    assert await privacy.has_data(500)
    await privacy.forget(500, NOW)
    assert await groups.member_ids(group.id) == set()
    # Nothing more goes out to them; the coordinator's counts stay complete.
    assert [item.chat_id for item in await queue.pending(10)] == [501]
    counts = await announcements.counts(number)
    assert (counts.total, counts.skipped) == (2, 1)
