"""Checking in through the fake Telegram: every way in, every refusal, with frozen time."""

from __future__ import annotations

import datetime as dt

import time_machine

from bot.config import Settings
from bot.services.attendance_rules import Mark, Shown
from tests.conftest import PARTICIPANT_ID, RunningBot, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_attendance_support import (
    AFTER,
    BEFORE_WINDOW,
    EARLY,
    LATE,
    MODULE_4,
    START,
    approve,
    code_now,
    excuse,
    run_tick,
    token_now,
    wrong_code,
)


async def stored_marks(bot: RunningBot, key: str = MODULE_4) -> dict[int, str]:
    overview = await bot.services.attendance.views.overview(
        (await bot.services.sessions.timetable()).get(key),  # type: ignore[arg-type]
        bot.services.now(),
    )
    return {p.participant_id: p.shown.value for p in overview.people}


async def test_checkin_with_the_code_before_the_start_is_present(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    number = await approve(bot.services, PARTICIPANT_ID)
    frozen_time.move_to(EARLY)
    user = bot.user()
    code = await code_now(bot.services)
    reply = await user.ask(f"/checkin {code.lower()[:3]} {code.lower()[3:]}")
    assert "Je bent ingecheckt voor Module 4: Data-gedreven wijkvernieuwing" in reply.content
    assert "om 12:45" in reply.content
    assert "te laat" not in reply.content
    assert await bot.services.attendance.checked_in_participant_ids(MODULE_4) == {number}
    again = await user.ask(f"/checkin {code}")
    assert "Je bent al ingecheckt voor Module 4" in again.content
    assert "om 12:45" in again.content
    assert (await stored_marks(bot))[number] == Mark.PRESENT


async def test_more_than_fifteen_minutes_after_the_start_is_late_said_kindly(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    number = await approve(bot.services, PARTICIPANT_ID)
    frozen_time.move_to(START + dt.timedelta(minutes=15))
    on_time = bot.user(PARTICIPANT_ID + 1, "Piet")
    await approve(bot.services, on_time.id, "Piet Jansen")
    reply = await on_time.ask(f"/checkin {await code_now(bot.services)}")
    assert "te laat" not in reply.content
    frozen_time.move_to(LATE)
    reply = await bot.user().ask(f"/checkin {await code_now(bot.services)}")
    assert "Je bent ingecheckt voor Module 4" in reply.content
    assert "Fijn dat je er bent!" in reply.content
    assert "om 13:00 begon" in reply.content
    assert "„te laat”" in reply.content
    assert (await stored_marks(bot))[number] == Mark.LATE


async def test_wrong_expired_and_previous_codes(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    user = bot.user()
    frozen_time.move_to(amsterdam_slot(12, 40))
    old = await code_now(bot.services)
    wrong = await user.ask(f"/checkin {wrong_code(old)}")
    assert "Die code klopt niet" in wrong.content
    assert "nog 4 pogingen" in wrong.content
    # Ten minutes later that code is two periods old: expired, and not counted as a guess.
    frozen_time.move_to(amsterdam_slot(12, 50, 30))
    expired = await user.ask(f"/checkin {old}")
    assert "Die code is verlopen" in expired.content
    assert "elke 5 minuten" in expired.content
    # Just after a change the previous code still works (grace).
    previous = await code_now(bot.services)
    frozen_time.move_to(amsterdam_slot(12, 55, 30))
    assert await code_now(bot.services) != previous
    done = await user.ask(f"/checkin {previous}")
    assert "Je bent ingecheckt" in done.content


def amsterdam_slot(hour: int, minute: int, second: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute, second=second)


async def test_no_session_now_names_the_next_one(bot: RunningBot) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    reply = await bot.user().ask("/checkin ABCDEF")
    assert "Er is nu geen bijeenkomst om voor in te checken" in reply.content
    assert "Module 4: Data-gedreven wijkvernieuwing" in reply.content
    assert "do 12 december 2024 om 13:00" in reply.content
    assert "inchecken kan vanaf 12:30" in reply.content


async def test_no_checkin_before_the_window_or_after_the_end(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    user = bot.user()
    frozen_time.move_to(BEFORE_WINDOW)
    early = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "Er is nu geen bijeenkomst" in early.content
    frozen_time.move_to(AFTER)
    late = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "Er is nu geen bijeenkomst" in late.content
    assert "Module 5" in late.content
    assert await bot.services.attendance.checked_in_participant_ids(MODULE_4) == set()


async def test_pending_rejected_and_unknown_people_cannot_check_in(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    pending = bot.user(PARTICIPANT_ID, "Sanne")
    await approve(bot.services, pending.id, decide=False)
    rejected = bot.user(PARTICIPANT_ID + 1, "Piet")
    number = await approve(bot.services, rejected.id, "Piet Jansen", decide=False)
    await bot.services.participants.decide(number, False, bot.services.now())
    stranger = bot.user(PARTICIPANT_ID + 2, "Onbekend")
    frozen_time.move_to(EARLY)
    code = await code_now(bot.services)
    assert "wacht nog op de coördinator" in (await pending.ask(f"/checkin {code}")).content
    assert "alleen voor deelnemers" in (await rejected.ask(f"/checkin {code}")).content
    unknown = await stranger.ask(f"/checkin {code}")
    assert "Ik ken je nog niet als deelnemer" in unknown.content
    assert "/aanmelden" in unknown.content
    assert await bot.services.attendance.checked_in_participant_ids(MODULE_4) == set()


async def test_checkin_in_a_group_points_to_the_private_chat(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    frozen_time.move_to(EARLY)
    user = bot.user()
    group = bot.fake.group(-100123, "Leergang")
    await user.send_in(group, f"/checkin {await code_now(bot.services)}")
    reply = await user.next_message(chat=group)
    assert "Inchecken doe je in een privégesprek met mij" in reply.content
    assert reply.buttons() == [["Inchecken bij Wijkbot"]]
    assert await bot.services.attendance.checked_in_participant_ids(MODULE_4) == set()


async def test_the_qr_deep_link_checks_in_and_old_or_wrong_links_are_refused(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    user = bot.user()
    frozen_time.move_to(amsterdam_slot(12, 31))
    old_token = await token_now(bot.services)
    wrong = await user.ask("/start checkin_" + "A" * 22)
    assert "Deze QR-code of link hoort niet bij een bijeenkomst van nu" in wrong.content
    frozen_time.move_to(amsterdam_slot(12, 44))
    expired = await user.ask(f"/start checkin_{old_token}")
    assert "Deze QR-code is verlopen" in expired.content
    done = await user.ask(f"/start checkin_{await token_now(bot.services)}")
    assert "Je bent ingecheckt voor Module 4" in done.content
    # Scanning again (a double tap, an old photo) says so instead of an error.
    again = await user.ask(f"/start checkin_{old_token}")
    assert "Je bent al ingecheckt" in again.content


async def test_the_ik_ben_er_prompt_asks_for_the_code(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    user = bot.user()
    await approve(bot.services, PARTICIPANT_ID)
    excused = bot.user(PARTICIPANT_ID + 1, "Piet")
    excused_number = await approve(bot.services, excused.id, "Piet Jansen")
    await excuse(bot.services.database, excused_number, MODULE_4, "Ziek")
    early = bot.user(PARTICIPANT_ID + 2, "Fatima")
    await approve(bot.services, early.id, "Fatima Bakker")
    frozen_time.move_to(EARLY)
    await early.ask(f"/checkin {await code_now(bot.services)}")
    frozen_time.move_to(START)
    await run_tick(bot)
    prompt = await user.next_message()
    assert "Module 4: Data-gedreven wijkvernieuwing" in prompt.content
    assert "begint" in prompt.content
    assert prompt.buttons() == [["🙋 Ik ben er"]]
    await excused.expect_no_message()
    await early.expect_no_message()
    await run_tick(bot)  # a second tick does not prompt again
    await user.expect_no_message()
    callback = await user.tap(prompt, "🙋 Ik ben er")
    await user.callback_answer(callback)
    ask = await user.next_message()
    assert "Typ de code die op het scherm in de zaal staat" in ask.content
    code = await code_now(bot.services)
    wrong = await user.ask(wrong_code(code))
    assert "Die code klopt niet" in wrong.content
    # Something that is no code goes to the other handlers; the bot keeps waiting.
    other = await user.ask("Waar is de zaal vandaag eigenlijk precies?")
    assert "Die code klopt niet" not in other.content
    done = await user.ask(code.lower())
    assert "Je bent ingecheckt voor Module 4" in done.content
    after = await user.ask("ABC123")
    assert "Je bent ingecheckt" not in after.content
    assert "Die code klopt niet" not in after.content


async def test_checkin_without_a_code_asks_for_it_and_survives_a_restart(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    user = fake.user(PARTICIPANT_ID, first_name="Sanne")
    async with run_bot(fake, settings) as first:
        await approve(first.services, PARTICIPANT_ID)
        frozen_time.move_to(START)
        await run_tick(first)  # the "Ik ben er" prompt goes out once
        prompt = await user.next_message()
        ask = await user.ask("/checkin")
        assert "Typ de code" in ask.content
    async with run_bot(fake, settings) as second:
        await run_tick(second)  # not again after the restart
        await user.expect_no_message()
        done = await user.ask(await code_now(second.services))
        assert "Je bent ingecheckt" in done.content
        again = await tap_answer(user, prompt, "🙋 Ik ben er")
        assert "Je bent al ingecheckt" in again.content


async def tap_answer(user: SimulatedUser, message: FakeMessage, button: str) -> FakeMessage:
    callback = await user.tap(message, button)
    await user.callback_answer(callback)
    return await user.next_message()


async def test_someone_who_sent_an_afmelding_can_still_check_in(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    number = await approve(bot.services, PARTICIPANT_ID)
    await excuse(bot.services.database, number, MODULE_4, "Tandarts")
    frozen_time.move_to(EARLY)
    reply = await bot.user().ask(f"/checkin {await code_now(bot.services)}")
    assert "Je bent ingecheckt" in reply.content
    overview = await bot.services.attendance.views.overview(
        (await bot.services.sessions.timetable()).get(MODULE_4),  # type: ignore[arg-type]
        bot.services.now(),
    )
    assert [(p.participant_id, p.shown) for p in overview.people] == [(number, Shown.PRESENT)]


async def test_too_many_wrong_codes_pause_checking_in(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    await approve(bot.services, PARTICIPANT_ID)
    frozen_time.move_to(EARLY)
    user = bot.user()
    for left in (4, 3, 2, 1):
        reply = await user.ask("/checkin ZZZZZZ")
        assert f"nog {left} poging" in reply.content
    fifth = await user.ask("/checkin ZZZZZZ")
    assert "Je hebt te vaak een verkeerde code gestuurd" in fifth.content
    assert "over 10 minuten" in fifth.content
    # While paused, even the right code is not looked at.
    paused = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "te vaak een verkeerde code" in paused.content
    assert "vraag de coördinator" in paused.content
    frozen_time.shift(dt.timedelta(minutes=10))
    done = await user.ask(f"/checkin {await code_now(bot.services)}")
    assert "Je bent ingecheckt" in done.content
