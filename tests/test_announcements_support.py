"""Helpers for the announcement tests: participants created directly through the database,
and the coordinator's /bericht steps (the running bot is tests.conftest.run_bot)."""

from __future__ import annotations

from typing import Any

from bot.models import ParticipantStatus
from tests.conftest import RunningBot
from tests.faketelegram import CallbackRecord, FakeMessage, SimulatedUser
from tests.faketelegram.formatting import finalize, parse
from tests.people import add_participants

FIRST_PARTICIPANT = 200001


async def add_people(
    app: RunningBot,
    count: int,
    *,
    status: ParticipantStatus = ParticipantStatus.APPROVED,
    first: int = FIRST_PARTICIPANT,
    names: list[str] | None = None,
    linked: bool = True,
) -> list[int]:
    """Participants straight into the database (as registration and approval leave them),
    each with a private chat on the fake. Returns their Telegram ids."""
    ids = list(range(first, first + count))
    await add_participants(
        app.services.database,
        ids if linked else [None] * count,
        names=names or [f"Deelnemer {telegram_id}" for telegram_id in ids],
        status=status,
    )
    for telegram_id in ids:
        app.fake.user(telegram_id, first_name=f"D{telegram_id}")
    return ids


async def participant_id(app: RunningBot, telegram_id: int) -> int:
    found = await app.services.participants.by_telegram_id(telegram_id)
    assert found is not None
    return found.id


async def tap(user: SimulatedUser, message: FakeMessage, button: str) -> dict[str, Any]:
    """Tap an inline button and wait until the bot has answered the tap."""
    callback = await user.tap(message, button)
    return await user.callback_answer(callback)


async def compose(coordinator: SimulatedUser, text: str) -> FakeMessage:
    """/bericht and the announcement text; returns the audience question."""
    intro = await coordinator.ask("/bericht")
    assert "Stuur me het bericht" in intro.content
    question = await coordinator.ask(text)
    assert "Wie krijgt dit bericht?" in question.content
    return question


async def preview(
    coordinator: SimulatedUser, question: FakeMessage, audience: str
) -> tuple[FakeMessage, FakeMessage]:
    """Choose an audience: returns (the exact preview, the control message with buttons)."""
    await tap(coordinator, question, audience)
    shown = await coordinator.next_message()
    control = await coordinator.next_message()
    return shown, control


def announcement_messages(user: SimulatedUser, marker: str) -> list[FakeMessage]:
    return [m for m in user.messages() if marker in (m.content or "")]


async def send_formatted(user: SimulatedUser, html: str) -> FakeMessage:
    """A message the way a Telegram app sends formatted text: plain text plus entities."""
    formatted = finalize(parse(html, "HTML", None))
    return user._post(user.chat, None, text=formatted.text, entities=formatted.entities)


async def replay(user: SimulatedUser, message: FakeMessage, data: str) -> dict[str, Any]:
    """Send a button press with ``data`` for ``message`` again, as a replayed or forged
    callback would arrive (the button need not be on the message any more)."""
    fake = user.fake
    query_id = fake.next_callback_id()
    fake.callback_queries[query_id] = CallbackRecord(
        query_id, user.id, data, message.message_id, message.chat_id
    )
    fake.updates.push(
        "callback_query",
        {
            "id": query_id,
            "from": user.to_api(),
            "message": message.to_api(),
            "chat_instance": fake.chat_instance(message.chat_id),
            "data": data,
        },
    )
    return await user.callback_answer(query_id)


def entity_types(message: FakeMessage) -> list[str]:
    entities = message.entities or message.caption_entities
    return sorted(str(e["type"]) for e in entities)


async def tap_and_wait(user: SimulatedUser, message: FakeMessage, button: str) -> None:
    """Tap a button that changes its own message, and wait for the change."""
    edits = message.edits
    await tap(user, message, button)
    await user.fake.wait_until(lambda: message.edits > edits, what=f"an edit after {button!r}")
