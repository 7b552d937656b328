"""Reminders through the fake Telegram with frozen time: the right moments, working buttons,
afmeldingen with a reason, opt-out, and only approved participants."""

from __future__ import annotations

import time_machine

from bot.config import Settings
from bot.models import ParticipantStatus
from tests.conftest import amsterdam, run_bot
from tests.faketelegram import FakeTelegram
from tests.test_reminders_helpers import NO, YES, add_participant, buttons, reminders_for


async def test_module_reminders_arrive_at_their_moments_with_working_buttons(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(2024, 11, 30, 9, 0))
    sanne, joost = fake.user(101, "Sanne"), fake.user(102, "Joost")
    pending, rejected = fake.user(103, "Piet"), fake.user(104, "Rik")
    async with run_bot(fake, settings) as bot:
        sanne_id = await add_participant(bot.services, sanne, name="Sanne")
        await add_participant(bot.services, joost, name="Joost")
        await add_participant(bot.services, pending, status=ParticipantStatus.PENDING)
        await add_participant(bot.services, rejected, status=ParticipantStatus.REJECTED)

        # A week before, at 10:00: topic and what to expect.
        assert bot.job("module-4", "week").next_t == amsterdam(2024, 12, 5, 10, 0)
        frozen_time.move_to(amsterdam(2024, 12, 5, 10, 0))
        await bot.fire("module-4", "week")
        week = await sanne.next_message()
        assert "Binnenkort: Module 4: Data-gedreven wijkvernieuwing" in week.content
        assert "donderdag 12 december 2024, 13:00–19:30" in week.content
        assert "over 7 dagen en 3 uur" in week.content
        assert "eenzaamheid, gezondheid en armoede" in week.content  # the module's topic
        assert buttons(week) == [YES, NO]
        assert len(reminders_for(joost, "Binnenkort: Module 4")) == 1
        assert pending.messages() == []
        assert rejected.messages() == []

        callback = await sanne.tap(week, YES)
        assert (await sanne.callback_answer(callback))["text"] == "Genoteerd: je komt."
        assert "je komt naar Module 4" in (await sanne.next_message()).content

        # The day before, at 18:00.
        assert bot.job("module-4", "day").next_t == amsterdam(2024, 12, 11, 18, 0)
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        day = await sanne.next_message()
        assert "Morgen: Module 4" in day.content
        assert buttons(day) == [YES, NO]

        # "Ik kan niet" asks for a reason and records an afmelding with it.
        await sanne.tap(day, NO)
        ask = await sanne.next_message()
        assert "Wil je kort laten weten waarom?" in ask.content
        assert buttons(ask) == ["Overslaan"]
        saved = await sanne.ask("Ik ben ziek")
        assert "reden: Ik ben ziek" in saved.content
        absences = await bot.services.absences.for_session("module-4")
        assert absences == {sanne_id: "Ik ben ziek"}

        # Two hours before: time and place; an afgemelde participant is not reminded.
        assert bot.job("module-4", "hours").next_t == amsterdam(2024, 12, 12, 11, 0)
        frozen_time.move_to(amsterdam(2024, 12, 12, 11, 0))
        await bot.fire("module-4", "hours")
        soon = [m for m in joost.messages() if "begint om 13:00" in m.content]
        assert len(soon) == 1
        assert "over 2 uur" in soon[0].content
        assert reminders_for(sanne, "begint om 13:00") == []

        # The answer can change until the session starts ...
        await sanne.tap(day, YES)
        assert "je afmelding" in (await sanne.next_message()).content.lower()
        assert await bot.services.absences.for_session("module-4") == {}
        # ... and not after.
        frozen_time.move_to(amsterdam(2024, 12, 12, 13, 5))
        late = await sanne.tap(day, NO)
        answer = await sanne.callback_answer(late)
        assert answer["show_alert"] is True
        assert "al begonnen" in answer["text"]
        assert await bot.services.absences.for_session("module-4") == {}
