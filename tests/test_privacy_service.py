"""The privacy service, used directly: export everything, forget everything personal."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from bot.database import Database
from bot.models import Absence, InboxQuestion, ParticipantStatus
from bot.programme import load_programme
from bot.services.contacts import ContactService
from bot.services.participants import ParticipantService
from bot.services.pending import PendingInputs
from bot.services.privacy import PrivacyService
from bot.services.registration import RegistrationService
from tests.postgres import dump_rows

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 12, 10, 9, 0, tzinfo=AMS)
USER = 100001


async def register(database: Database, user: int = USER) -> int:
    rules = load_programme(None, AMS).data.eligibility
    service = RegistrationService(database, PendingInputs(database))
    await ContactService(database).seen(user, user, NOW)
    await service.begin(user, user, "Sanne de Vries", NOW)
    await service.choose(user, "consent", "yes", NOW, rules)
    await service.choose(user, "name", "suggested", NOW, rules)
    await service.choose(user, "org", "0", NOW, rules)
    await service.answer_text(user, "Lefier", NOW, rules)
    await service.choose(user, "gr", "1", NOW, rules)
    await service.answer_text(user, "2", NOW, rules)
    await service.answer_text(user, "sanne@lefier.nl", NOW, rules)
    done = await service.choose(user, "confirm", "ok", NOW, rules)
    assert done.submission is not None
    return done.submission.participant.id


async def test_export_holds_everything_and_is_json(database: Database) -> None:
    number = await register(database)
    data = await PrivacyService(database).export(USER)
    json.dumps(data)
    assert data["telegram_id"] == USER
    assert data["contact"]["chat_id"] == USER
    person = data["participant"]
    assert person["number"] == number
    assert person["name"] == "Sanne de Vries"
    assert person["email"] == "sanne@lefier.nl"
    assert person["organisation_name"] == "Lefier"
    assert person["status"] == "pending"
    assert data["registration_in_progress"] is None


async def add_question_and_absence(database: Database, number: int) -> None:
    async with database.transaction() as session:
        session.add(
            InboxQuestion(
                asker_telegram_id=USER,
                asker_chat_id=USER,
                text="Mag mijn collega Geheimvraag ook komen?",
                status="open",
                asked_at=NOW,
            )
        )
        session.add(
            Absence(
                participant_id=number,
                session_key="module-4",
                reason="Ziek: Geheimreden",
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def test_export_includes_questions_and_absences(database: Database) -> None:
    number = await register(database)
    await add_question_and_absence(database, number)
    data = await PrivacyService(database).export(USER)
    assert data["questions"][0]["question"] == "Mag mijn collega Geheimvraag ook komen?"
    reported = NOW.astimezone(dt.UTC).isoformat()
    assert data["absences"] == [
        {"session": "module-4", "reason": "Ziek: Geheimreden", "reported_at": reported}
    ]


async def test_forget_clears_personal_data_but_keeps_the_anonymous_row(
    database: Database,
) -> None:
    number = await register(database)
    await add_question_and_absence(database, number)
    privacy = PrivacyService(database)
    result = await privacy.forget(USER, NOW)
    assert result.erased
    assert result.participant_id == number
    assert result.previous_status is ParticipantStatus.PENDING
    assert not await privacy.has_data(USER)
    row = await ParticipantService(database).get(number)
    assert row is not None
    assert row.status is ParticipantStatus.FORGOTTEN
    assert (row.name, row.email, row.telegram_id, row.organisation_name) == (None,) * 4
    dump = await dump_rows(database)
    for personal in ("Sanne", "sanne@lefier.nl", "Lefier", str(USER), "Geheim"):
        assert personal not in dump
    assert "module-4" in dump  # the absence itself stays, anonymous
    again = await register(database)
    assert again != number
    assert (await privacy.forget(999, NOW)).erased is False
