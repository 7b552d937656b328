"""Questions in people's own words, through Telegram: answers, suggestions and the inbox."""

from __future__ import annotations

import time_machine

from bot.config import Settings
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot, run_bot
from tests.faketelegram import FakeTelegram


async def test_a_question_gets_a_short_answer_from_the_programme(bot: RunningBot) -> None:
    reply = await bot.user().ask("wanneer is de module over gezondheid?")
    assert reply.text is not None
    assert "27 februari 2025" in reply.text
    await bot.user().expect_no_message()


async def test_next_module_is_computed_from_today(bot: RunningBot) -> None:
    reply = await bot.user().ask("wanneer is de volgende modlue")
    assert reply.text is not None
    assert "12 december" in reply.text


async def test_a_suggestion_button_answers_the_related_question(bot: RunningBot) -> None:
    user = bot.user()
    reply = await user.ask("moet ik er elke keer bij zijn?")
    assert reply.text is not None
    assert "verplicht" in reply.text.lower()
    buttons = [label for row in reply.buttons() for label in row]
    if not buttons:
        return  # this answer has no related questions
    callback = await user.tap(reply, buttons[0])
    await user.callback_answer(callback)
    follow_up = await user.next_message()
    assert follow_up.text


async def test_unknown_question_is_passed_to_the_coordinator_and_answered(
    bot: RunningBot,
) -> None:
    user = bot.user(first_name="Sanne")
    coordinator = bot.coordinator
    await coordinator.ask("/start")
    reply = await user.ask("Hoeveel kost de leergang?")
    assert reply.text is not None
    assert "coördinator" in reply.text
    callback = await user.tap(reply, "📨 Stuur door naar de coördinator")
    await user.callback_answer(callback)
    confirmation = await user.next_message()
    assert confirmation.text is not None
    assert "doorgestuurd" in confirmation.text
    # The button is gone after the first tap, so it cannot be passed on twice.
    assert bot.fake.message(reply.chat_id, reply.message_id).buttons() == []

    notice = await coordinator.next_message()
    assert notice.text is not None
    assert "Hoeveel kost de leergang?" in notice.text
    await coordinator.expect_no_message()

    inbox = await coordinator.ask("/vragen")
    assert inbox.text is not None
    assert "1 open vraag" in inbox.text
    item = await coordinator.next_message()
    tapped = await coordinator.tap(item, "✍️ Beantwoorden")
    await coordinator.callback_answer(tapped)
    prompt = await coordinator.next_message()
    assert prompt.text is not None
    assert "Typ je antwoord" in prompt.text

    sent = await coordinator.ask("De leergang kost <b>niets</b> voor deelnemers uit Groningen.")
    assert sent.text is not None
    assert "verstuurd" in sent.text
    answer = await user.next_message()
    assert answer.text is not None
    assert "Antwoord van de coördinator" in answer.text
    assert "De leergang kost <b>niets</b>" in answer.text  # the coordinator's text, escaped

    learn = await coordinator.tap(sent, "📚 Toevoegen aan de kennisbank")
    await coordinator.callback_answer(learn)
    learned = await coordinator.next_message()
    assert learned.text is not None
    assert "kennisbank" in learned.text

    again = await bot.user(user_id=100077, first_name="Joris").ask("hoeveel kost de leergang")
    assert again.text is not None
    assert "kost <b>niets</b>" in again.text
    empty = await coordinator.ask("/vragen")
    assert empty.text == "Er staan geen open vragen. 🎉"


async def test_participants_cannot_use_the_inbox(bot: RunningBot) -> None:
    reply = await bot.user().ask("/vragen")
    assert reply.text == "Het commando /vragen ken ik niet. Met /help zie je wat ik wel kan."


async def test_learned_answers_survive_a_restart(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    question = "Is er parkeergelegenheid bij de locatie?"
    async with run_bot(fake, settings) as first:
        inbox, now = first.services.inbox, first.services.now()
        questions = await first.services.ready_questions()
        assert not questions.answer(question, now).confident
        draft = await inbox.draft(PARTICIPANT_ID, PARTICIPANT_ID, question, now)
        await inbox.submit(draft, PARTICIPANT_ID)
        assert await inbox.answerable(draft) is not None
        await inbox.answer(draft, COORDINATOR_ID, "Ja, achter het gebouw is gratis parkeren.", now)
        assert await inbox.learn(draft, COORDINATOR_ID, now) is not None
    async with run_bot(fake, settings) as second:
        reply = await second.user(user_id=100088).ask("is er parkeergelegenheid bij de locatie")
        assert reply.text is not None
        assert "gratis parkeren" in reply.text
