"""Coordinators' check-in screen, /presentie with corrections, the digest, and /aanwezigheid."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from bot.services.attendance_rules import Mark
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot, amsterdam
from tests.faketelegram import FakeMessage, SimulatedUser
from tests.test_attendance_support import (
    DIGEST,
    EARLY,
    MODULE_4,
    START,
    approve,
    code_now,
    excuse,
    run_tick,
)

CODE_IN_CAPTION = re.compile(r"Code: ([A-Z0-9]{3} [A-Z0-9]{3})")


def shown_code(message: FakeMessage) -> str:
    found = CODE_IN_CAPTION.search(message.caption or "")
    assert found, message.caption
    return found.group(1).replace(" ", "")


async def tap(user: SimulatedUser, message: FakeMessage, button: str) -> FakeMessage:
    callback = await user.tap(message, button)
    await user.callback_answer(callback)
    return await user.next_message()


async def test_opencheckin_shows_code_and_qr_and_keeps_them_fresh(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    await coordinator.ask("/start")
    user = bot.user()
    await approve(bot.services, PARTICIPANT_ID)
    await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    frozen_time.move_to(amsterdam(2024, 12, 12, 12, 41))
    screen = await coordinator.ask("/opencheckin")
    assert screen.photo is not None
    assert screen.file_bytes is not None
    assert screen.file_bytes.startswith(b"\x89PNG")
    assert "Inchecken: Module 4: Data-gedreven wijkvernieuwing" in (screen.caption or "")
    assert "0 van 2 ingecheckt" in (screen.caption or "")
    assert "De code verandert om 12:45" in (screen.caption or "")
    assert screen.buttons() == [["🔄 Vernieuwen"], ["🔒 Check-in sluiten"]]
    code = shown_code(screen)
    assert code == await code_now(bot.services)
    reply = await user.ask(f"/checkin {code}")
    assert "Je bent ingecheckt" in reply.content
    # The job updates the count on the screen ...
    await run_tick(bot)
    await bot.fake.wait_for_call("editMessageCaption")
    updated = bot.fake.message(COORDINATOR_ID, screen.message_id)
    assert updated is not None
    assert "1 van 2 ingecheckt" in (updated.caption or "")
    # ... and shows a new QR code when the code changes, removing the old one.
    frozen_time.move_to(amsterdam(2024, 12, 12, 12, 45))
    await run_tick(bot)
    fresh = await coordinator.next_message()
    assert fresh.photo is not None
    assert shown_code(fresh) != code
    assert bot.fake.message(COORDINATOR_ID, screen.message_id) is None
    # Refreshing by hand sends another one.
    callback = await coordinator.tap(fresh, "🔄 Vernieuwen")
    assert (await coordinator.callback_answer(callback))["text"] == "Nieuwe QR-code staat klaar."
    again = await coordinator.next_message()
    assert again.photo is not None
    await bot.fake.wait_until(
        lambda: bot.fake.message(COORDINATOR_ID, fresh.message_id) is None, what="old QR gone"
    )
    # At the end of the session the QR code goes.
    frozen_time.move_to(amsterdam(2024, 12, 12, 19, 30))
    await run_tick(bot)
    await bot.fake.wait_until(
        lambda: bot.fake.message(COORDINATOR_ID, again.message_id) is None, what="QR removed"
    )


async def test_opencheckin_outside_a_window_says_when(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    none = await coordinator.ask("/opencheckin")
    assert "De volgende is Module 4: Data-gedreven wijkvernieuwing" in none.content
    assert "vanaf 12:30" in none.content
    later = await coordinator.ask("/opencheckin 5")
    assert "kan pas open vanaf" in later.content
    over = await coordinator.ask("/opencheckin module 3")
    assert "is al voorbij" in over.content
    unknown = await coordinator.ask("/opencheckin feestje")
    assert "ken ik niet" in unknown.content
    frozen_time.move_to(EARLY)
    screen = await coordinator.ask("/opencheckin 4")
    assert screen.photo is not None


async def test_sluitcheckin_closes_early_and_participants_hear_why(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    await coordinator.ask("/start")
    user = bot.user()
    await approve(bot.services, PARTICIPANT_ID)
    frozen_time.move_to(EARLY)
    screen = await coordinator.ask("/opencheckin")
    closed = await coordinator.ask("/sluitcheckin")
    assert "Van Analyse tot Actie is gesloten" in closed.content
    assert "0 van 1 ingecheckt" in closed.content
    assert bot.fake.message(COORDINATOR_ID, screen.message_id) is None
    refused = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "De check-in voor Module 4" in refused.content
    assert "is gesloten" in refused.content
    assert "Er staat nu geen check-in open" in (await coordinator.ask("/sluitcheckin")).content
    # Opening again lets people in; the button on the screen closes it too.
    screen = await coordinator.ask("/opencheckin")
    done = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "Je bent ingecheckt" in done.content
    closed = await tap(coordinator, screen, "🔒 Check-in sluiten")
    assert "is gesloten: 1 van 1 ingecheckt" in closed.content
    await bot.fake.wait_until(
        lambda: bot.fake.message(COORDINATOR_ID, screen.message_id) is None, what="QR removed"
    )


async def test_presentie_lists_everyone_and_corrections_are_audited(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    sanne = bot.user()
    sanne_number = await approve(bot.services, PARTICIPANT_ID, "Sanne de Vries")
    piet = await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    fatima = await approve(bot.services, PARTICIPANT_ID + 2, "Fatima Bakker")
    await excuse(bot.services.database, fatima, MODULE_4, "Op vakantie")
    frozen_time.move_to(EARLY)
    await sanne.ask(f"/checkin {await code_now(bot.services)}")
    frozen_time.move_to(START + dt.timedelta(minutes=20))
    overview = await coordinator.ask("/presentie")
    text = overview.content
    assert "Aanwezigheid Module 4: Data-gedreven wijkvernieuwing" in text
    assert "1 van 3 ingecheckt, 1 afgemeld." in text
    assert f"Aanwezig (1)\n• Sanne de Vries (#{sanne_number}), 12:45" in text
    assert "Afgemeld (1)\n• Fatima Bakker" in text
    assert "Op vakantie" in text
    assert f"Nog niet ingecheckt (1)\n• Piet Jansen (#{piet})" in text
    choose = await tap(coordinator, overview, "✏️ Piet Jansen")
    assert "Wat wordt de status van Piet Jansen bij Module 4" in choose.content
    assert "Nu: nog niet ingecheckt." in choose.content
    ask = await tap(coordinator, choose, "te laat")
    assert "Typ in één bericht de reden" in ask.content
    done = await coordinator.ask("Kwam binnen zonder telefoon, zelf gezien")
    assert "Aangepast: Piet Jansen bij Module 4" in done.content
    assert "geen → te laat" in done.content
    # A second correction keeps both in the audit trail.
    choose = await tap(coordinator, await coordinator.ask("/presentie 4"), "✏️ Piet Jansen")
    ask = await tap(coordinator, choose, "aanwezig")
    done = await coordinator.ask("Was er om 13:00, zat achterin")
    assert "te laat → aanwezig" in done.content
    trail = await bot.services.attendance.audit_trail(MODULE_4)
    assert [(a.old_status, a.new_status, a.changed_by) for a in trail] == [
        (None, Mark.LATE, COORDINATOR_ID),
        (Mark.LATE, Mark.PRESENT, COORDINATOR_ID),
    ]
    assert trail[1].reason == "Was er om 13:00, zat achterin"
    final = await coordinator.ask("/presentie")
    assert "Aanwezig (2)" in final.content
    assert "✏️ Was er om 13:00, zat achterin" in final.content
    # Cancelling a correction changes nothing.
    choose = await tap(coordinator, final, "✏️ Sanne de Vries")
    ask = await tap(coordinator, choose, "afwezig")
    cancelled = await tap(coordinator, ask, "Annuleren")
    assert "Er is niets aangepast" in cancelled.content
    assert len(await bot.services.attendance.audit_trail(MODULE_4)) == 2
    free = await coordinator.ask("dit is geen reden meer")
    assert "Aangepast" not in free.content


async def test_participants_cannot_use_coordinator_commands_or_buttons(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    user = bot.user()
    for command in ("/presentie", "/opencheckin", "/sluitcheckin", "/export"):
        reply = await user.ask(command)
        assert "ken ik niet" in reply.content
    frozen_time.move_to(EARLY)
    overview = await bot.coordinator.ask("/presentie")
    callback = await user.tap(overview, "✏️ Sanne de Vries")
    answer = await user.callback_answer(callback)
    assert "werkt niet meer" in answer["text"]


async def test_the_digest_names_who_is_missing_and_warns_about_absences(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    await coordinator.ask("/start")
    sanne = bot.user()
    piet_user = bot.user(PARTICIPANT_ID + 1, "Piet")
    sanne_number = await approve(bot.services, PARTICIPANT_ID, "Sanne de Vries")
    piet = await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    fatima = await approve(bot.services, PARTICIPANT_ID + 2, "Fatima Bakker")
    await excuse(bot.services.database, fatima, MODULE_4, "Op vakantie")
    now = bot.services.now()
    for number in (sanne_number, piet, fatima):
        for module in (1, 2):
            await bot.services.attendance.correct(
                number, f"module-{module}", Mark.PRESENT, "lijst op papier", by=1, now=now
            )
    # Piet also came to module 3; Fatima did not (and is excused today: her 2nd miss).
    await bot.services.attendance.correct(piet, "module-3", Mark.PRESENT, "lijst", by=1, now=now)
    await bot.services.attendance.correct(
        sanne_number, "module-3", Mark.PRESENT, "lijst", by=1, now=now
    )
    frozen_time.move_to(EARLY)
    await sanne.ask(f"/checkin {await code_now(bot.services)}")
    frozen_time.move_to(DIGEST - dt.timedelta(minutes=1))
    await run_tick(bot)  # the prompt goes out (to Piet), the digest not yet
    assert "Ik ben er" in str((await piet_user.next_message()).buttons())
    assert not [m for m in coordinator.messages() if "Check-in Module 4" in m.content]
    frozen_time.move_to(DIGEST)
    await run_tick(bot)
    digest = await coordinator.next_message()
    text = digest.content
    assert "30 minuten na de start: 1 van 3 ingecheckt" in text
    assert f"Nog niet ingecheckt (1):\n• Piet Jansen (#{piet})" in text
    assert "Afgemeld (1):\n• Fatima Bakker" in text
    assert f"Fatima Bakker (#{fatima}) mist hiermee 2 modules" in text
    assert "Piet Jansen (#" in text.split("Let op")[0]
    assert "Piet Jansen" not in text.split("Let op")[1]
    await run_tick(bot)  # once per session
    assert sum("Check-in Module 4" in m.content for m in coordinator.messages()) == 1


async def test_aanwezigheid_shows_the_record_and_certificate_progress(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    user = bot.user()
    number = await approve(bot.services, PARTICIPANT_ID)
    now = bot.services.now()
    for module in (1, 2):
        await bot.services.attendance.correct(
            number, f"module-{module}", Mark.PRESENT, "papieren lijst", by=1, now=now
        )
    await excuse(bot.services.database, number, "module-3", "Ziek")
    frozen_time.move_to(START + dt.timedelta(minutes=20))
    await user.ask(f"/checkin {await code_now(bot.services)}")
    reply = await user.ask("/aanwezigheid")
    text = reply.content
    assert "Je aanwezigheid bij de Leergang Wijkontwikkeling 2024-2025" in text
    assert "✅ Module 1: Kennismaking" in text
    assert ": aanwezig" in text
    module_3 = "Module 3: Gemeenschap: De kracht van wat er is (do 14 november 2024)"
    assert f"🙋 {module_3}: afgemeld (Ziek)" in text
    assert "⏰ Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie" in text
    assert "te laat (ingecheckt om 13:20)" in text
    assert "Nog 6 bijeenkomsten te gaan." in text
    assert "3 van 10 modules aanwezig (waarvan 1 keer te laat)" in text
    assert "Je hebt je 1 keer afgemeld voor een module" in text
    assert "alleen als de coördinator je afmeldingen laat meetellen" in text
    assert "bij alle 10 modules aanwezig" in text
    assert "Aanwezigheid is verplicht voor een succesvolle afronding van de Leergang." in text


async def test_aanwezigheid_for_people_who_are_not_participants(bot: RunningBot) -> None:
    stranger = bot.user(PARTICIPANT_ID + 5, "Onbekend")
    assert "Ik ken je nog niet als deelnemer" in (await stranger.ask("/aanwezigheid")).content
    await approve(bot.services, PARTICIPANT_ID, decide=False)
    pending = await bot.user().ask("/aanwezigheid")
    assert "wacht nog op de coördinator" in pending.content
    fresh = await approve(bot.services, PARTICIPANT_ID + 1, "Piet Jansen")
    assert fresh
    reply = await bot.user(PARTICIPANT_ID + 1, "Piet").ask("/aanwezigheid")
    assert "❌ Module 1" in reply.content  # approved late: earlier modules count as missed
