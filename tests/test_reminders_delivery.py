"""Opting out with /herinneringen, blocked participants, 429 answers and one failure among many."""

from __future__ import annotations

import time_machine

from bot.config import Settings
from bot.models import Participant, ParticipantStatus
from bot.services.reminders import DeliveryStatus
from tests.conftest import amsterdam, run_bot
from tests.faketelegram import FakeTelegram
from tests.test_reminders_helpers import add_participant, buttons, reminders_for

DAY = "Morgen: Module 4"
SOON = "begint om 13:00"


async def test_herinneringen_switches_one_kind_off_and_the_choice_is_kept(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2024, 12, 10, 9, 0))
    sanne, joost = fake.user(301, "Sanne"), fake.user(302, "Joost")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne)
        await add_participant(bot.services, joost)
        menu = await sanne.ask("/herinneringen")
        assert "✅ De dag ervoor: 1 dag van tevoren om 18:00" in menu.content
        assert "(modules, werksessies en intervisie)" in menu.content
        assert "7 dagen van tevoren om 10:00 (modules)" in menu.content
        assert "2 uur van tevoren" in menu.content
        callback = await sanne.tap(menu, "🔕 De dag ervoor: uitzetten")
        assert (await sanne.callback_answer(callback))["text"] == "Uitgezet."
        edited = fake.message(menu.chat_id, menu.message_id)
        assert edited is not None
        assert "🔕 De dag ervoor (uit)" in edited.content
        assert "🔔 De dag ervoor: aanzetten" in buttons(edited)
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 0))
    async with run_bot(fake, settings) as bot:  # the choice survives a restart
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        frozen_time.move_to(amsterdam(2024, 12, 12, 11, 0))
        await bot.fire("module-4", "hours")
    assert reminders_for(sanne, DAY) == []
    assert len(reminders_for(sanne, SOON)) == 1
    assert len(reminders_for(joost, DAY)) == 1


async def test_outsiders_hear_how_to_take_part(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    stranger, applicant = fake.user(310, "Vreemde"), fake.user(311, "Aanvrager")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, applicant, status=ParticipantStatus.PENDING)
        for command in ("/herinneringen", "/afmelden"):
            assert "/aanmelden" in (await stranger.ask(command)).content
            assert "nog bekeken" in (await applicant.ask(command)).content


async def test_a_blocked_participant_is_marked_and_not_tried_again(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 0))
    gone, sanne = fake.user(320, "Weg"), fake.user(321, "Sanne")
    async with run_bot(fake, settings) as bot:
        gone_id = await add_participant(bot.services, gone)
        await add_participant(bot.services, sanne)
        fake.block(gone.chat_id, notify=False)
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        async with bot.services.database.transaction() as session:
            person = await session.get(Participant, gone_id)
            assert person is not None
            assert person.blocked_at is not None  # marked inactive
        logged = {d.participant_id: d.status for d in await bot.services.reminders.deliveries()}
        assert logged[gone_id] is DeliveryStatus.BLOCKED
        frozen_time.move_to(amsterdam(2024, 12, 12, 11, 0))
        await bot.fire("module-4", "hours")
    tries = [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == gone.chat_id]
    assert len(tries) == 1  # the 2-hour reminder did not try again
    assert len(reminders_for(sanne, SOON)) == 1


async def test_429_is_waited_out_and_one_failure_does_not_stop_the_others(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 0))
    users = [fake.user(330 + n, f"Deelnemer {n}") for n in range(5)]
    async with run_bot(fake, settings) as bot:
        ids = [await add_participant(bot.services, user) for user in users]
        fake.fail_next("sendMessage", status=429, retry_after=1)
        fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found",
                       chat_id=users[2].chat_id)
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        logged = {d.participant_id: d.status for d in await bot.services.reminders.deliveries()}
    assert logged[ids[2]] is DeliveryStatus.FAILED
    assert all(logged[i] is DeliveryStatus.SENT for i in ids if i != ids[2])
    for index, user in enumerate(users):
        assert len(reminders_for(user, DAY)) == (0 if index == 2 else 1)


async def test_someone_approved_after_a_reminder_starts_with_the_next_one(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    early, late = fake.user(340, "Vroeg"), fake.user(341, "Laat")
    frozen_time.move_to(amsterdam(2024, 12, 1, 9, 0))
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, early)
    frozen_time.move_to(amsterdam(2024, 12, 9, 9, 0))  # down over the week reminder
    async with run_bot(fake, settings) as bot:
        assert "Binnenkort: Module 4" in (await early.next_message()).content  # sent late
        await add_participant(bot.services, late)
        await bot.scheduler.sync()
        await late.expect_no_message()  # the week reminder was not meant for them
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        assert DAY in (await late.next_message()).content
