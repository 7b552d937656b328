"""The delivery log and preferences, used directly: claims, recipients, crashes, privacy."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.config import ReminderKind
from bot.database import Database
from bot.models import Absence, Participant, ParticipantStatus, ReminderDelivery
from bot.services.privacy import PrivacyService
from bot.services.reminders import DeliveryStatus, Outcome, ReminderService

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 12, 11, 18, 0, tzinfo=AMS)
KEY, KIND, WHEN = "module-4", "day", "2024-12-12T12:00Z"


async def person(
    database: Database,
    number: int,
    status: ParticipantStatus = ParticipantStatus.APPROVED,
    *,
    linked: bool = True,
    blocked: bool = False,
) -> int:
    async with database.transaction() as session:
        row = Participant(
            telegram_id=number if linked else None, chat_id=number if linked else None,
            status=status.value, source="test", name=f"Deelnemer {number}", created_at=NOW,
            decided_at=NOW, blocked_at=NOW if blocked else None,
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_a_reminder_is_claimed_once_even_by_simultaneous_rounds(database: Database) -> None:
    reminders = ReminderService(database)
    ids = [await person(database, 700 + n) for n in range(40)]
    first, second = await asyncio.gather(
        reminders.claim(KEY, KIND, WHEN, ids, NOW), reminders.claim(KEY, KIND, WHEN, ids, NOW)
    )
    assert sorted(first.keys() | second.keys()) == ids
    assert not first.keys() & second.keys()
    assert await reminders.claim(KEY, KIND, WHEN, ids, NOW) == {}
    # Another kind, or the same session on a new date, is a different reminder.
    assert len(await reminders.claim(KEY, "hours", WHEN, ids[:1], NOW)) == 1
    assert len(await reminders.claim(KEY, KIND, "2024-12-19T12:00Z", ids[:1], NOW)) == 1
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ReminderDelivery)) == 42


async def test_recipients_are_approved_reachable_and_still_waiting(database: Database) -> None:
    reminders = ReminderService(database)
    sanne = await person(database, 801)
    joost = await person(database, 802)
    absent = await person(database, 803)
    quiet = await person(database, 804)
    await person(database, 805, ParticipantStatus.PENDING)
    await person(database, 806, ParticipantStatus.REJECTED)
    await person(database, 807, ParticipantStatus.FORGOTTEN, linked=False)
    await person(database, 808, linked=False)  # added by hand, never opened the link
    await person(database, 809, blocked=True)
    async with database.transaction() as session:
        session.add(Absence(participant_id=absent, session_key=KEY, reason=None,
                            created_at=NOW, updated_at=NOW))
    await reminders.set_preference(quiet, ReminderKind.DAY, False, NOW)
    await reminders.claim(KEY, KIND, WHEN, [joost], NOW)
    found = await reminders.recipients(KEY, KIND, WHEN)
    assert [r.participant_id for r in found] == [sanne]
    # Change notices reach everyone approved and reachable, afgemeld or not.
    notices = await reminders.recipients(KEY, "changed", "r1", reminder=False)
    assert [r.participant_id for r in notices] == [sanne, joost, absent, quiet]


async def test_outcomes_and_claims_left_by_a_crash(database: Database) -> None:
    reminders = ReminderService(database)
    ids = [await person(database, 900 + n) for n in range(3)]
    claimed = await reminders.claim(KEY, KIND, WHEN, ids, NOW)
    await reminders.finish(
        [
            Outcome(claimed[ids[0]], DeliveryStatus.SENT, message_id=12),
            Outcome(claimed[ids[1]], DeliveryStatus.BLOCKED, error="bot was blocked by the user"),
        ],
        NOW,
    )
    assert await reminders.interrupted(NOW, NOW) == 0  # a fresh claim may still be sending
    later = NOW + dt.timedelta(minutes=15)
    assert await reminders.interrupted(later - dt.timedelta(minutes=10), later) == 1
    statuses = {d.participant_id: d.status for d in await reminders.deliveries()}
    assert statuses == {
        ids[0]: DeliveryStatus.SENT,
        ids[1]: DeliveryStatus.BLOCKED,
        ids[2]: DeliveryStatus.INTERRUPTED,
    }
    assert await reminders.recipients(KEY, KIND, WHEN) == []  # never sent again


async def test_preferences_default_on_and_are_kept(database: Database) -> None:
    reminders = ReminderService(database)
    sanne = await person(database, 950)
    assert await reminders.preferences(sanne) == {kind: True for kind in ReminderKind}
    await reminders.set_preference(sanne, ReminderKind.WEEK, False, NOW)
    await reminders.set_preference(sanne, ReminderKind.WEEK, False, NOW)
    await reminders.set_preference(sanne, ReminderKind.HOURS, False, NOW)
    await reminders.set_preference(sanne, ReminderKind.HOURS, True, NOW)
    assert await reminders.preferences(sanne) == {
        ReminderKind.WEEK: False, ReminderKind.DAY: True, ReminderKind.HOURS: True
    }


async def test_privacy_export_and_forget_cover_reminders(database: Database) -> None:
    reminders = ReminderService(database)
    sanne = await person(database, 960)
    await reminders.set_preference(sanne, ReminderKind.DAY, False, NOW)
    claimed = await reminders.claim(KEY, "hours", WHEN, [sanne], NOW)
    await reminders.finish([Outcome(claimed[sanne], DeliveryStatus.SENT, 5)], NOW)
    privacy = PrivacyService(database)
    data = await privacy.export(960)
    assert data["reminder_preferences"] == {"week": True, "day": False, "hours": True}
    assert data["reminders"] == [
        {"session": KEY, "kind": "hours", "status": "sent",
         "at": NOW.astimezone(dt.UTC).isoformat()}
    ]
    await privacy.forget(960, NOW)
    assert await reminders.deliveries() == []
    assert await reminders.preferences(sanne) == {kind: True for kind in ReminderKind}
