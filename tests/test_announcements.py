"""/bericht through the fake Telegram: write, choose, preview, confirm, and the report."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Participant, ParticipantStatus
from tests.conftest import RunningBot
from tests.test_announcements_support import (
    add_people,
    announcement_messages,
    compose,
    entity_types,
    preview,
    replay,
    send_formatted,
    tap,
)

HTML = (
    "<b>Let op</b>: <i>module 4</i> begint om 13:00. "
    'Zie <a href="https://example.org/x">de site</a>.'
)
SEND = "📨 Nu versturen"
STALE_BUTTON = "Deze knop werkt niet meer. Stuur het commando opnieuw."
EVERYONE = "Alle deelnemers (toegelaten)"


async def test_write_preview_confirm_and_the_report(bot: RunningBot) -> None:
    ids = await add_people(bot, 3, names=["Sanne <de> Vries", "Piet", "Anna"])
    applicant = (await add_people(bot, 1, status=ParticipantStatus.PENDING, first=300001))[0]
    bot.fake.block(ids[2], notify=False)  # Anna blocked the bot; the bot does not know yet
    coordinator = bot.coordinator
    await coordinator.ask("/bericht")
    await send_formatted(coordinator, HTML)
    question = await coordinator.next_message()
    assert [row[0] for row in question.buttons()] == [
        EVERYONE,
        "Aanmelders (nog niet beoordeeld)",
        "Een groep…",
        "Afwezig bij de vorige bijeenkomst",
        "Vandaag nog niet ingecheckt",
        "❌ Annuleren",
    ]
    shown, control = await preview(coordinator, question, EVERYONE)
    # The preview is the message itself, formatting included, exactly as sent later.
    assert shown.text == "Let op: module 4 begint om 13:00. Zie de site."
    assert entity_types(shown) == ["bold", "italic", "text_link"]
    assert "Het gaat naar 3 ontvangers: Alle deelnemers (toegelaten)." in control.content
    assert [row[0] for row in control.buttons()] == [
        SEND, "🕒 Inplannen", "👥 Andere doelgroep", "❌ Annuleren"
    ]
    assert all(not announcement_messages(bot.fake.user(i), "Let op") for i in ids)
    assert (await tap(coordinator, control, SEND))["text"] == "Het bericht gaat de deur uit."
    await bot.fake.wait_until(lambda: "is verstuurd" in control.content, what="the report")
    assert "2 afgeleverd, 1 heeft de bot geblokkeerd, 0 mislukt" in control.content
    assert control.buttons() == [["📊 Details"]]
    for telegram_id in ids[:2]:
        received = announcement_messages(bot.fake.user(telegram_id), "Let op")
        assert [(m.text, entity_types(m)) for m in received] == [
            (shown.text, ["bold", "italic", "text_link"])
        ]
    assert not announcement_messages(bot.fake.user(applicant), "Let op")
    async with bot.services.database.transaction() as session:
        anna = await session.scalar(select(Participant).where(Participant.telegram_id == ids[2]))
    assert anna is not None
    assert anna.blocked_at is not None
    # Replaying the confirm button (or a forged copy of it) sends nothing a second time.
    data = f"ann:go:1:{control.button_data()[0][0]}"
    answer = await replay(coordinator, control, data)
    assert "werkt niet meer" in answer["text"]
    await bot.outbox.idle()
    assert [len(announcement_messages(bot.fake.user(i), "Let op")) for i in ids] == [1, 1, 0]
    await tap(coordinator, control, "📊 Details")
    report = await coordinator.next_message()
    assert "Bericht #1" in report.content
    assert "🚫 #3 Anna: Telegram: Forbidden: bot was blocked by the user" in report.content
    assert "&lt;de&gt;" not in report.content


async def test_only_coordinators_can_broadcast(bot: RunningBot) -> None:
    ids = await add_people(bot, 1)
    participant = bot.fake.user(ids[0])
    refused = await participant.ask("/bericht")
    assert "ken ik niet" in refused.content
    coordinator = bot.coordinator
    question = await compose(coordinator, "Hallo allemaal")
    _shown, control = await preview(coordinator, question, EVERYONE)
    token = control.button_data()[0][0]
    assert token is not None
    # A participant who got hold of the button data cannot press it.
    answer = await replay(participant, participant.messages()[-1], token)
    assert answer["text"] == STALE_BUTTON
    await bot.outbox.idle()
    assert not announcement_messages(participant, "Hallo allemaal")
    assert SEND in [row[0] for row in control.buttons()]  # still waiting for the coordinator
