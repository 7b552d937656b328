"""Planned announcements: typed time, the job, a restart in between, listing and cancelling."""

from __future__ import annotations

import datetime as dt

import time_machine

from bot.config import Settings
from bot.models import ParticipantStatus
from tests.conftest import AMSTERDAM, RunningBot, amsterdam, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import (
    add_people,
    announcement_messages,
    compose,
    preview,
    replay,
    tap,
)

PLAN = "🕒 Inplannen"


async def plan(
    app: RunningBot, text: str, when: str, audience: str = "Alle deelnemers (toegelaten)"
) -> FakeMessage:
    """Write, preview, tap Inplannen and type ``when``; returns the confirmation question."""
    coordinator = app.coordinator
    question = await compose(coordinator, text)
    _, control = await preview(coordinator, question, audience)
    await tap(coordinator, control, PLAN)
    asked = await coordinator.next_message()
    assert "Wanneer moet het bericht weg?" in asked.content
    return await coordinator.ask(when)


def jobs(app: RunningBot, number: int) -> list[dt.datetime]:
    queue = app.application.job_queue
    assert queue is not None
    found = queue.get_jobs_by_name(f"announcement-{number}")
    return [job.next_t.astimezone(AMSTERDAM) for job in found if job.next_t is not None]


async def run_job(app: RunningBot, number: int) -> None:
    queue = app.application.job_queue
    assert queue is not None
    (job,) = queue.get_jobs_by_name(f"announcement-{number}")
    await job.run(app.application)


def received(user: SimulatedUser, marker: str) -> int:
    return len(announcement_messages(user, marker))


async def test_plan_restart_and_send_at_the_time(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 2)
        confirm = await plan(app, "Vergeet je boek niet", "morgen 9:00")
        assert "Inplannen voor woensdag 11 december 2024 om 09:00?" in confirm.content
        assert "Doelgroep: Alle deelnemers (toegelaten)" in confirm.content
        confirm_data = confirm.button_data()[0][0] or ""
        await tap(app.coordinator, confirm, "✅ Inplannen")
        done = await app.coordinator.next_message()
        assert "Bericht #1 is ingepland voor woensdag 11 december 2024 om 09:00" in done.content
        assert jobs(app, 1) == [amsterdam(2024, 12, 11, 9, 0)]
        # The confirmation cannot be used twice.
        answer = await replay(app.coordinator, confirm, confirm_data)
        assert "werkt niet meer" in answer["text"]
    # A deploy in between: the job comes back from the database.
    async with run_bot(fake, settings) as app:
        assert jobs(app, 1) == [amsterdam(2024, 12, 11, 9, 0)]
        listing = await app.coordinator.ask("/geplandeberichten")
        assert "#1 · wo 11 december 2024 om 09:00" in listing.content
        assert "Vergeet je boek niet" in listing.content
        assert all(received(fake.user(i), "Vergeet je boek") == 0 for i in ids)
        # One more participant is approved before the time: the audience is taken then.
        late = await add_people(app, 1, first=250001)
        frozen_time.move_to(amsterdam(2024, 12, 11, 9, 0))
        await run_job(app, 1)
        report = await app.coordinator.next_message()
        await fake.wait_until(lambda: "is verstuurd" in report.content, what="the report")
        assert "3 afgeleverd, 0 hebben de bot geblokkeerd, 0 mislukt" in report.content
        assert [received(fake.user(i), "Vergeet je boek") for i in ids + late] == [1, 1, 1]
        empty = await app.coordinator.ask("/geplandeberichten")
        assert "geen ingeplande berichten" in empty.content


async def test_a_time_in_the_past_is_refused_with_a_reason(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        await add_people(app, 1)
        answer = await plan(app, "Te laat", "vandaag 8:00")
        assert "Dat moment is al voorbij." in answer.content
        assert "Wanneer moet het bericht weg?" in answer.content
        answer = await app.coordinator.ask("wo 13 december 9:00")
        assert "De dag van de week past niet bij die datum." in answer.content
        confirm = await app.coordinator.ask("13-12 17:30")
        assert "vrijdag 13 december 2024 om 17:30" in confirm.content
        # The coordinator waits too long: the moment has passed at the confirm.
        frozen_time.move_to(amsterdam(2024, 12, 13, 18, 0))
        refused = await tap(app.coordinator, confirm, "✅ Inplannen")
        assert "inmiddels voorbij" in refused["text"]
        assert jobs(app, 1) == []


async def test_cancel_a_planned_announcement(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 1)
        pending = await add_people(app, 1, status=ParticipantStatus.PENDING, first=300001)
        confirm = await plan(app, "Gaat niet door", "vrijdag 10:00")
        await tap(app.coordinator, confirm, "✅ Inplannen")
        await app.coordinator.next_message()
        listing = await app.coordinator.ask("/geplandeberichten")
        assert listing.buttons() == [["👁 #1", "❌ #1 annuleren"]]
        await tap(app.coordinator, listing, "👁 #1")
        shown = await app.coordinator.next_message()
        assert shown.text == "Gaat niet door"
        await tap(app.coordinator, listing, "❌ #1 annuleren")
        cancelled = await app.coordinator.next_message()
        assert "Het ingeplande bericht #1 is geannuleerd" in cancelled.content
        assert jobs(app, 1) == []
        again = await tap(app.coordinator, listing, "❌ #1 annuleren")
        assert "niet (meer) ingepland" in again["text"]
    async with run_bot(fake, settings) as app:
        assert jobs(app, 1) == []
        assert received(fake.user(ids[0]), "Gaat niet door") == 0
        assert received(fake.user(pending[0]), "Gaat niet door") == 0


async def test_a_draft_can_be_cancelled_and_its_buttons_die(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 1)
        coordinator = app.coordinator
        question = await compose(coordinator, "Toch maar niet")
        _, control = await preview(coordinator, question, "Alle deelnemers (toegelaten)")
        send_data = control.button_data()[0][0] or ""
        await tap(coordinator, control, "❌ Annuleren")
        told = await coordinator.next_message()
        assert "Geannuleerd: er is niets verstuurd." in told.content
        answer = await replay(coordinator, control, send_data)
        assert "werkt niet meer" in answer["text"]
        await app.outbox.idle()
        assert received(fake.user(ids[0]), "Toch maar niet") == 0


async def test_a_planned_announcement_with_nobody_left_is_not_sent_and_explained(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        applicant = await add_people(app, 1, status=ParticipantStatus.PENDING, first=300001)
        confirm = await plan(
            app, "Voor de aanmelders", "morgen 9:00", "Aanmelders (nog niet beoordeeld)"
        )
        await tap(app.coordinator, confirm, "✅ Inplannen")
        await app.coordinator.next_message()
        found = await app.services.participants.by_telegram_id(applicant[0])
        assert found is not None
        await app.services.participants.decide(found.id, True, app.services.now())
        frozen_time.move_to(amsterdam(2024, 12, 11, 9, 0))
        await run_job(app, 1)
        told = await app.coordinator.next_message()
        assert "Het ingeplande bericht #1 is niet verstuurd" in told.content
        assert "niemand in de doelgroep" in told.content
        assert received(fake.user(applicant[0]), "Voor de aanmelders") == 0
        listing = await app.coordinator.ask("/geplandeberichten")
        assert "geen ingeplande berichten" in listing.content
