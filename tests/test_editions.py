"""Several editions in one bot, through the fake Telegram: /editie nieuw, registration with a
choice of edition, alumni registering again, reminders and /volgende per edition, and the
coordinator switching between editions."""

from __future__ import annotations

import datetime as dt

import time_machine

from bot.services.edition_programme import new_programme_text, propose_dates
from bot.services.registry import Services
from tests.conftest import PARTICIPANT_ID, RunningBot, amsterdam
from tests.faketelegram import FakeMessage, SimulatedUser
from tests.test_announcements_support import replay, tap, tap_and_wait
from tests.test_attendance_support import approve
from tests.test_registration import CONFIRM, CONSENT, flat
from tests.test_registration import tap as tap_next

SANNE, PIET, NORA = PARTICIPANT_ID, PARTICIPANT_ID + 1, PARTICIPANT_ID + 2
AFTER_FIRST = amsterdam(2025, 6, 25, 10, 0)  # the 2024-2025 edition has ended


async def second_edition(bot: RunningBot, *, open_: bool = True) -> Services:
    """A 2025-2026 edition copied from the first, modules monthly from 18 September 2025."""
    svc = bot.services
    dates = propose_dates(dt.date(2025, 9, 18), len(svc.programme.modules), 3)
    text = new_programme_text(svc.programme, "2024-2025", "2025-2026", dates, svc.settings.tz)
    made = await svc.editions.create("2025-2026", text, svc.now())
    if open_:
        await svc.editions.set_registration(made.edition.id, True)
    return made


async def register(user: SimulatedUser, first: FakeMessage) -> FakeMessage:
    """Answer every question after ``first`` (the consent question); returns the reply to
    the confirmation."""
    message = await tap_next(user, first, CONSENT)
    message = await tap_next(user, message, flat(message)[0])
    message = await tap_next(user, message, "gemeente")
    message = await user.ask("Gemeente Groningen")
    message = await tap_next(user, message, "Ja")
    await user.ask("3")
    summary = await user.ask("overslaan")
    return await tap_next(user, summary, CONFIRM)


async def test_a_new_edition_is_made_from_telegram_on_the_course_rhythm(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator
    asked = await coordinator.ask("/editie nieuw")
    assert "Ik neem de modules van 2024-2025 over" in asked.content
    assert "al een editie" in (await coordinator.ask("2024-2025")).content
    assert "Modules zijn op donderdag" in (await coordinator.ask("2025-2026")).content
    assert "al voorbij" in (await coordinator.ask("1 december 2024")).content
    wrong = await coordinator.ask("19 september 2025")
    assert "19 september 2025 is een vrijdag" in wrong.content
    proposal = await coordinator.ask("18 september 2025")
    assert "1. donderdag 18 september 2025 · Kennismaking" in proposal.content
    assert "2. donderdag 16 oktober 2025" in proposal.content
    assert "10. donderdag 18 juni 2026" in proposal.content
    await tap(coordinator, proposal, "✏️ 3")
    assert "Welke dag wordt module 3" in (await coordinator.next_message()).content
    assert "3. donderdag 20 november 2025" in proposal.content
    changed = await coordinator.ask("13 november 2025")
    assert "3. donderdag 13 november 2025" in changed.content
    await tap(coordinator, changed, "✅ Editie aanmaken")
    made = await coordinator.next_message()
    assert "2025-2026 staat klaar: 10 modules, van donderdag 18 september 2025" in made.content
    overview = await coordinator.ask("/editie")
    assert "Je werkt nu in 2025-2026" in overview.content
    assert "2025-2026: begint do 18 september 2025 · 0 deelnemers · aanmelding dicht" in (
        overview.content)
    assert "2024-2025: loopt" in overview.content
    new = bot.services.editions.by_name("2025-2026")
    assert new is not None
    module_3 = new.programme.module(3)
    assert module_3 is not None
    assert module_3.starts_at == amsterdam(2025, 11, 13, 13, 0)
    assert module_3.key == f"e{new.edition.id}-module-3"
    assert new.programme.data.course.name == "Leergang Wijkontwikkeling 2025-2026"


async def test_registration_asks_which_edition_and_keeps_the_people_apart(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, SANNE, "Sanne de Vries")
    await approve(bot.services, PIET, "Piet Jansen")
    new = await second_edition(bot)
    await bot.coordinator.ask("/start")
    nora = bot.user(NORA, "Nora")
    choice = await nora.ask("/aanmelden")
    assert "Voor welke editie wil je je aanmelden?" in choice.content
    assert flat(choice) == ["2024-2025", "2025-2026"]
    first = await tap_next(nora, choice, "2025-2026")
    done = await register(nora, first)
    assert "Je aanmelding is binnen" in done.content
    applied = await new.participants.by_telegram_id(NORA)
    assert applied is not None
    assert await bot.services.participants.by_telegram_id(NORA) is None
    # The notice's button approves in Nora's edition, whichever the coordinator works in.
    notice = await bot.coordinator.next_message()
    assert "Nora" in notice.content
    await tap(bot.coordinator, notice, "✅ Toelaten")
    approved = await new.participants.by_telegram_id(NORA)
    assert approved is not None
    assert approved.status.value == "approved"
    # The coordinator works in the running edition: Nora is not among its participants.
    listing = await bot.coordinator.ask("/deelnemers")
    assert "Nora" not in listing.content
    assert "Sanne de Vries" in listing.content


async def test_an_alumnus_registers_again_and_keeps_the_old_edition(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, SANNE, "Sanne de Vries")
    await approve(bot.services, PIET, "Piet Jansen")
    new = await second_edition(bot)
    frozen_time.move_to(AFTER_FIRST)
    piet = bot.user(PIET, "Piet")
    ended = await piet.ask("/volgende")
    assert "De leergang is afgelopen" in ended.content
    assert "De volgende editie, 2025-2026, begint op donderdag 18 september 2025" in (
        ended.content)
    asked = await piet.ask("Wanneer is de volgende module?")
    assert "2025-2026" in asked.content
    sanne = bot.user(SANNE, "Sanne")
    first = await sanne.ask("/aanmelden")  # only 2025-2026 is open to her now
    assert "al aangemeld" not in first.content
    assert "toegelaten" not in first.content
    assert "Je aanmelding is binnen" in (await register(sanne, first)).content
    again = await new.participants.by_telegram_id(SANNE)
    assert again is not None
    await new.participants.decide(again.id, True, new.now())
    record = await sanne.ask("/aanwezigheid")
    assert "Editie 2025-2026" in record.content
    assert "Editie 2024-2025" in record.content
    # Piet, only in the old edition, still sees his own record there.
    assert "Editie" not in (await piet.ask("/aanwezigheid")).content


async def test_reminders_reach_only_their_own_edition(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PIET, "Piet Jansen")
    new = await second_edition(bot)
    await approve(new, NORA, "Nora Bakker")
    piet, nora_user = bot.user(PIET, "Piet"), bot.user(NORA, "Nora")
    for user in (piet, nora_user):
        await user.ask("/start")
    frozen_time.move_to(amsterdam(2025, 9, 17, 18, 0))  # the day before module 1 of 2025-2026
    await bot.scheduler.sync()
    reminder = await nora_user.next_message()
    assert "Module 1" in reminder.content
    assert "donderdag 18 september 2025" in reminder.content
    await bot.fake.settle()
    assert not [m for m in piet.unread() if "18 september" in m.content]


async def test_the_coordinator_switches_editions_and_runs_registration(
    bot: RunningBot,
) -> None:
    await approve(bot.services, SANNE, "Sanne de Vries")
    new = await second_edition(bot, open_=False)
    coordinator = bot.coordinator
    overview = await coordinator.ask("/editie")
    assert "Je werkt nu in 2024-2025" in overview.content
    await tap_and_wait(coordinator, overview, "➡️ Werk in 2025-2026")
    assert "Je werkt nu in 2025-2026" in overview.content
    assert "Sanne" not in (await coordinator.ask("/deelnemers")).content
    window = await coordinator.ask("/aanmelding")
    assert "2025-2026" in window.content
    await tap_and_wait(coordinator, window, "📝 Aanmelding openen")
    assert new.edition.registration_open
    # An edition with participants cannot be deleted, only archived.
    refused = await replay(coordinator, overview, "edi:dely:1")
    assert "archiveren kan, verwijderen niet" in refused["text"]
    assert bot.services.editions.get(1) is not None
    await replay(coordinator, overview, f"edi:arcy:{new.edition.id}")
    assert new.edition.archived
    assert new not in bot.services.editions.active()


async def test_a_button_of_the_old_edition_still_works_after_registering_again(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    from bot.models import Attendance
    from scheduling.feedback_jobs import send_due

    sanne_id = await approve(bot.services, SANNE, "Sanne de Vries")
    new = await second_edition(bot)
    morning = amsterdam(2025, 6, 20, 9, 0)  # the morning after module 10 of 2024-2025
    async with bot.services.database.transaction() as session:
        session.add(Attendance(participant_id=sanne_id, session_key="module-10",
                               status="present", method="code", checked_in_at=morning,
                               updated_at=morning))
    frozen_time.move_to(morning)
    sanne = bot.user(SANNE, "Sanne")
    await sanne.ask("/start")
    assert await send_due(bot.application) == 1
    question = await sanne.next_message()
    assert "Hoe was Module 10" in question.content
    first = await sanne.ask("/aanmelden")  # 2024-2025 has ended: 2025-2026 it is
    await register(sanne, first)
    assert await new.participants.by_telegram_id(SANNE) is not None
    await tap(sanne, question, "4")
    assert "Je gaf Module 10: Eindpresentaties een 4" in (await sanne.next_message()).content


async def test_an_announcement_reaches_only_the_coordinators_edition(bot: RunningBot) -> None:
    from tests.test_announcements_support import compose, preview

    await approve(bot.services, PIET, "Piet Jansen")
    new = await second_edition(bot)
    await approve(new, NORA, "Nora Bakker")
    piet, nora = bot.user(PIET, "Piet"), bot.user(NORA, "Nora")
    for user in (piet, nora):
        await user.ask("/start")
    coordinator = bot.coordinator
    overview = await coordinator.ask("/editie")
    await tap_and_wait(coordinator, overview, "➡️ Werk in 2025-2026")
    question = await compose(coordinator, "Welkom bij de nieuwe editie!")
    _shown, control = await preview(coordinator, question, "Alle deelnemers (toegelaten)")
    assert "Het gaat naar 1 ontvanger" in control.content
    await tap(coordinator, control, "📨 Nu versturen")
    assert "Welkom bij de nieuwe editie!" in (await nora.next_message()).content
    await bot.outbox.idle()
    await piet.expect_no_message()


async def test_an_edition_without_data_can_be_deleted(bot: RunningBot) -> None:
    new = await second_edition(bot, open_=False)
    await bot.scheduler.sync()  # its timetable is recorded, as after any start
    coordinator = bot.coordinator
    overview = await coordinator.ask("/editie")
    await tap_and_wait(coordinator, overview, "➡️ Werk in 2025-2026")
    await tap_and_wait(coordinator, overview, "🗑 Verwijderen")
    assert "2025-2026 verwijderen?" in overview.content
    await tap(coordinator, overview, "🗑 Ja, verwijderen")
    assert bot.services.editions.get(new.edition.id) is None
    assert bot.services.editions.by_name("2025-2026") is None
    again = await coordinator.ask("/editie")
    assert "Je werkt nu in 2024-2025" in again.content
