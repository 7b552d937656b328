"""After sending: the reports, a correction in every chat, withdrawal, photos and documents."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.faketelegram import FakeMessage
from tests.test_announcements_support import (
    add_people,
    announcement_messages,
    compose,
    entity_types,
    preview,
    send_formatted,
    tap,
)

EVERYONE = "Alle deelnemers (toegelaten)"


async def send_everyone(bot: RunningBot, question: FakeMessage) -> FakeMessage:
    _, control = await preview(bot.coordinator, question, EVERYONE)
    await tap(bot.coordinator, control, "📨 Nu versturen")
    await bot.fake.wait_until(lambda: "is verstuurd" in control.content, what="the report")
    return control


async def open_report(bot: RunningBot, number: int) -> FakeMessage:
    listing = await bot.coordinator.ask("/berichten")
    assert f"#{number}" in listing.content
    await tap(bot.coordinator, listing, f"📊 #{number}")
    return await bot.coordinator.next_message()


async def test_correct_then_withdraw_in_every_chat(bot: RunningBot) -> None:
    ids = await add_people(bot, 3)
    bot.fake.block(ids[2], notify=False)
    coordinator = bot.coordinator
    await send_everyone(bot, await compose(coordinator, "Module 4 begint om 12:00"))
    listing = await coordinator.ask("/berichten")
    assert "#1 · di 10 december 2024 om 09:00 · Alle deelnemers (toegelaten)" in listing.content
    assert "Module 4 begint om 12:00" in listing.content
    assert "2 afgeleverd, 1 heeft de bot geblokkeerd, 0 mislukt" in listing.content
    report = await open_report(bot, 1)
    assert [row for row in report.buttons()] == [
        ["🔄 Vernieuwen"], ["✏️ Corrigeren", "🗑 Intrekken"]
    ]
    await tap(coordinator, report, "✏️ Corrigeren")
    asked = await coordinator.next_message()
    assert "Stuur de verbeterde tekst van bericht #1" in asked.content
    same = await coordinator.ask("Module 4 begint om 12:00")
    assert "precies dezelfde tekst" in same.content
    await send_formatted(coordinator, "Module 4 begint om <b>13:00</b>")
    shown = await coordinator.next_message()
    assert shown.text == "Module 4 begint om 13:00"
    confirm = await coordinator.next_message()
    assert "Ik pas het aan bij 2 ontvangers." in confirm.content
    await tap(coordinator, confirm, "✅ Aanpassen")
    assert "wordt aangepast" in (await coordinator.next_message()).content
    done = await coordinator.next_message()
    assert "Bericht #1 is gecorrigeerd: 2 aangepast, 0 niet gelukt." in done.content
    for telegram_id in ids[:2]:
        (message,) = announcement_messages(bot.fake.user(telegram_id), "Module 4 begint")
        assert message.text == "Module 4 begint om 13:00"
        assert entity_types(message) == ["bold"]
        assert message.edits == 1
    report = await open_report(bot, 1)
    assert "gecorrigeerd" in report.content
    await tap(coordinator, report, "🗑 Intrekken")
    confirm = await coordinator.next_message()
    assert "Ik verwijder het uit de chat van 2 ontvangers" in confirm.content
    await tap(coordinator, confirm, "🗑 Ja, intrekken")
    assert "wordt ingetrokken" in (await coordinator.next_message()).content
    done = await coordinator.next_message()
    assert "Bericht #1 is ingetrokken: bij 2 verwijderd, bij 0 niet gelukt." in done.content
    assert all(not announcement_messages(bot.fake.user(i), "Module 4 begint") for i in ids)
    report = await open_report(bot, 1)
    assert "ingetrokken" in report.content
    assert report.buttons() == [["🔄 Vernieuwen"]]


async def test_thinking_better_of_a_correction_changes_nothing(bot: RunningBot) -> None:
    ids = await add_people(bot, 1)
    coordinator = bot.coordinator
    await send_everyone(bot, await compose(coordinator, "Eerste versie"))
    report = await open_report(bot, 1)
    await tap(coordinator, report, "✏️ Corrigeren")
    await coordinator.next_message()
    await coordinator.ask("Tweede versie")
    confirm = await coordinator.next_message()
    await tap(coordinator, confirm, "❌ Niet aanpassen")
    assert "blijft zoals het is" in (await coordinator.next_message()).content
    report = await open_report(bot, 1)
    await tap(coordinator, report, "🗑 Intrekken")
    confirm = await coordinator.next_message()
    await tap(coordinator, confirm, "Nee, laten staan")
    assert "blijft zoals het is" in (await coordinator.next_message()).content
    await bot.outbox.idle()
    (message,) = announcement_messages(bot.fake.user(ids[0]), "versie")
    assert (message.text, message.edits) == ("Eerste versie", 0)


async def test_a_photo_with_a_caption_and_its_correction(bot: RunningBot) -> None:
    ids = await add_people(bot, 2)
    coordinator = bot.coordinator
    await coordinator.ask("/bericht")
    await coordinator.send_photo(caption="Zo ziet de zaal eruit")
    question = await coordinator.next_message()
    shown, control = await preview(coordinator, question, EVERYONE)
    assert shown.photo is not None
    assert shown.caption == "Zo ziet de zaal eruit"
    await tap(coordinator, control, "📨 Nu versturen")
    await bot.fake.wait_until(lambda: "is verstuurd" in control.content, what="the report")
    for telegram_id in ids:
        (message,) = [m for m in bot.fake.user(telegram_id).messages() if m.photo]
        assert message.caption == "Zo ziet de zaal eruit"
        assert message.file_bytes == shown.file_bytes
    report = await open_report(bot, 1)
    await tap(coordinator, report, "✏️ Corrigeren")
    asked = await coordinator.next_message()
    assert "ik pas het bijschrift aan" in asked.content
    shown = await coordinator.ask("Zo ziet de grote zaal eruit")
    assert shown.photo is not None  # the corrected preview, photo included
    confirm = await coordinator.next_message()
    await tap(coordinator, confirm, "✅ Aanpassen")
    await coordinator.next_message()
    done = await coordinator.next_message()
    assert "2 aangepast" in done.content
    for telegram_id in ids:
        (message,) = [m for m in bot.fake.user(telegram_id).messages() if m.photo]
        assert message.caption == "Zo ziet de grote zaal eruit"


async def test_a_document_goes_out_as_it_came_in(bot: RunningBot) -> None:
    ids = await add_people(bot, 1)
    coordinator = bot.coordinator
    await coordinator.ask("/bericht")
    await coordinator.send_document("leeslijst.pdf", b"%PDF-1.4\n%lijst\n", caption="De leeslijst")
    question = await coordinator.next_message()
    await send_everyone(bot, question)
    (message,) = [m for m in bot.fake.user(ids[0]).messages() if m.document]
    assert message.document is not None
    assert message.document["file_name"] == "leeslijst.pdf"
    assert message.caption == "De leeslijst"


async def test_what_cannot_be_sent_is_explained(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    await coordinator.ask("/bericht")
    await coordinator.send_sticker()
    told = await coordinator.next_message()
    assert "Dat kan ik niet als bericht versturen" in told.content
    await coordinator.send_photo(caption="x" * 1100)
    told = await coordinator.next_message()
    assert "hoogstens 1024 tekens" in told.content
    stopped = await coordinator.ask("/annuleren")
    assert "Gestopt" in stopped.content
    free = await coordinator.ask("Hallo")
    assert "Wie krijgt dit bericht?" not in free.content
