"""The coordinator's side: decisions, the list, invite links, adding people by hand."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator

import pytest
import time_machine

from bot.models import ParticipantStatus
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, RunningBot, make_settings, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_registration import CONFIRM, CONSENT, flat, register_to_summary, tap

UNKNOWN = "Het commando /{} ken ik niet. Met /help zie je wat ik wel kan."
SECOND_COORDINATOR = 900002


def invite_token(message: FakeMessage) -> str:
    return message.content.split("?start=invite_")[1].split()[0]


async def apply(user: SimulatedUser) -> FakeMessage:
    return await tap(user, await register_to_summary(user), CONFIRM)


async def test_approving_tells_the_participant(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    user = bot.user()
    await apply(user)
    notice = await coordinator.next_message()
    decided = await tap(coordinator, notice, "✅ Toelaten")
    assert "is toegelaten; ik heb het laten weten" in decided.content
    assert not notice.buttons()
    told = await user.next_message()
    assert "Goed nieuws" in told.content
    assert "je bent toegelaten tot de Leergang Wijkontwikkeling 2024-2025" in told.content
    status = await user.ask("/aanmelden")
    assert "Je bent toegelaten" in status.content
    stored = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert stored is not None
    assert stored.status is ParticipantStatus.APPROVED


async def test_rejecting_tells_the_participant_kindly(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    user = bot.user()
    await apply(user)
    notice = await coordinator.next_message()
    decided = await tap(coordinator, notice, "❌ Afwijzen")
    assert "is afgewezen" in decided.content
    told = await user.next_message()
    assert "niet toe te laten tot deze editie" in told.content
    status = await user.ask("/aanmelden")
    assert "niet toegelaten" in status.content


@pytest.fixture
async def two_coordinators(
    fake: FakeTelegram, database_url: str, frozen_time: time_machine.Coordinates
) -> AsyncIterator[RunningBot]:
    settings = make_settings(
        fake, database_url, coordinators=[COORDINATOR_ID, SECOND_COORDINATOR]
    )
    async with run_bot(fake, settings) as running:
        yield running


async def test_a_coordinator_who_never_started_the_bot_does_not_break_anything(
    two_coordinators: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = two_coordinators
    first = bot.coordinator
    second = bot.fake.user(SECOND_COORDINATOR, first_name="Kees", started=False)
    user = bot.user()
    done = await apply(user)
    assert "Je aanmelding is binnen" in done.content
    notice = await first.next_message()
    assert "Nieuwe aanmelding" in notice.content
    assert any(
        r.levelno == logging.WARNING and str(SECOND_COORDINATOR) in r.getMessage()
        for r in caplog.records
    )
    await second.send("/start")
    await second.next_message()
    await tap(first, notice, "✅ Toelaten")
    await user.next_message()
    # The notice the second coordinator never got: a late decision is refused politely.
    await bot.fake.user(PARTICIPANT_ID + 1, first_name="Piet").ask("/start")
    other = bot.fake.user(PARTICIPANT_ID + 1)
    await apply(other)
    late_notice = await second.next_message()
    await tap(first, await first.next_message(), "❌ Afwijzen")
    callback = await second.tap(late_notice, "✅ Toelaten")
    answer = await second.callback_answer(callback)
    assert "al beoordeeld" in answer["text"]
    assert "afgewezen" in answer["text"]


async def test_a_participant_who_blocked_the_bot_is_reported(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    user = bot.user()
    await apply(user)
    notice = await coordinator.next_message()
    bot.fake.block(PARTICIPANT_ID)
    await tap(coordinator, notice, "✅ Toelaten")
    warning = await coordinator.next_message()
    assert "kon Sanne" in warning.content


async def test_invite_link_approves_on_registration_and_works_once(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    created = await coordinator.ask("/uitnodiging")
    assert "https://t.me/" in created.content
    assert "Te gebruiken: 1 keer" in created.content
    assert "geldig tot en met di 24 december 2024" in created.content
    token = invite_token(created)
    assert len(token) >= 22
    user = bot.user()
    intro = await user.ask(f"/start invite_{token}")
    assert "Je bent uitgenodigd" in intro.content
    assert "/privacy" in intro.content
    message = await tap(user, intro, CONSENT)
    message = await tap(user, message, "Sanne")
    message = await tap(user, message, "welzijnsorganisatie")
    message = await user.ask("WIJ Groningen")
    message = await tap(user, message, "Ja")
    await user.ask("2")
    summary = await user.ask("overslaan")
    welcome = await tap(user, summary, CONFIRM)
    assert "Je bent toegelaten tot de Leergang Wijkontwikkeling 2024-2025" in welcome.content
    notice = await coordinator.next_message()
    assert "uitnodigingslink" in notice.content
    assert not notice.buttons()
    stored = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert stored is not None
    assert stored.status is ParticipantStatus.APPROVED
    someone_else = bot.user(PARTICIPANT_ID + 1, first_name="Piet")
    used = await someone_else.ask(f"/start invite_{token}")
    assert "al gebruikt" in used.content
    intro = await someone_else.next_message()
    assert "Je bent uitgenodigd" not in intro.content
    assert CONSENT in flat(intro)


async def test_invite_with_a_limit_and_expiry(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    created = await coordinator.ask("/uitnodiging 3 7")
    assert "Te gebruiken: 3 keer" in created.content
    assert "geldig tot en met di 17 december 2024" in created.content
    wrong_ones = ("/uitnodiging 0", "/uitnodiging veel", "/uitnodiging 3 7 9", "/uitnodiging 1 999")
    for wrong in wrong_ones:
        usage = await coordinator.ask(wrong)
        assert "/uitnodiging AANTAL DAGEN" in usage.content, wrong
    frozen_time.move_to(dt.datetime(2024, 12, 18, 0, 1, tzinfo=dt.UTC))
    user = bot.user()
    expired = await user.ask(f"/start invite_{invite_token(created)}")
    assert "verlopen" in expired.content
    unknown = await bot.user(PARTICIPANT_ID + 1).ask("/start invite_made-up")
    assert "ken ik niet" in unknown.content


async def test_a_person_added_by_hand_links_their_account(bot: RunningBot) -> None:
    coordinator = bot.coordinator
    usage = await coordinator.ask("/toevoegen")
    assert "/toevoegen Sanne de Vries" in usage.content
    refused = await coordinator.ask("/toevoegen 🌻")
    assert "Die naam kan ik niet gebruiken" in refused.content
    added = await coordinator.ask("/toevoegen Piet Jansen")
    assert "Piet Jansen" in added.content
    assert "is toegevoegd als deelnemer" in added.content
    listing = await coordinator.ask("/deelnemers")
    assert "Piet Jansen" in listing.content
    assert "nog niet gekoppeld" in listing.content
    piet = bot.user(PARTICIPANT_ID, first_name="Pietje")
    intro = await piet.ask(f"/start invite_{invite_token(added)}")
    name = await tap(piet, intro, CONSENT)
    assert flat(name) == ["Piet Jansen"]
    message = await tap(piet, name, "Piet Jansen")
    message = await tap(piet, message, "politie")
    message = await piet.ask("Politie Groningen")
    message = await tap(piet, message, "Ja")
    await piet.ask("4")
    summary = await piet.ask("piet@politie.nl")
    welcome = await tap(piet, summary, CONFIRM)
    assert "Je bent toegelaten" in welcome.content
    listing = await coordinator.ask("/deelnemers")
    assert "nog niet gekoppeld" not in listing.content
    assert listing.content.count("Piet Jansen") == 1


async def test_the_list_is_paged_and_pending_people_can_be_decided_there(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator
    for number in range(12):
        name = f"Deelnemer {chr(65 + number)}"
        await bot.services.invites.add_by_hand(name, bot.services.now())
    user = bot.user()
    await apply(user)
    await coordinator.next_message()
    first = await coordinator.ask("/deelnemers")
    assert "Aanmeldingen en deelnemers (13)" in first.content
    assert "Pagina 1 van 2" in first.content
    assert "wacht op beoordeling (past)" in first.content.splitlines()[2]
    assert "Volgende ▶️" in flat(first)
    approve = next(text for text in flat(first) if text.startswith("✅ #"))
    callback = await coordinator.tap(first, approve)
    await coordinator.callback_answer(callback)
    confirmation = await coordinator.next_message()
    assert "is toegelaten" in confirmation.content
    # The list is updated in place.
    await bot.fake.wait_until(lambda: "wacht op beoordeling" not in first.content)
    assert "Pagina 1 van 2" in first.content
    told = await user.next_message()
    assert "Goed nieuws" in told.content
    callback = await coordinator.tap(first, "Volgende ▶️")
    await coordinator.callback_answer(callback)
    await bot.fake.wait_until(lambda: "Pagina 2 van 2" in first.content)
    assert "◀️ Vorige" in flat(first)


async def test_coordinator_commands_do_not_exist_for_anyone_else(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = bot.user()
    for command in ("deelnemers", "uitnodiging", "toevoegen", "status", "herladen"):
        answer = await user.ask(f"/{command} Piet")
        assert answer.content == UNKNOWN.format(command), command
        refused = f"refused coordinator command /{command}"
        assert any(
            r.levelno == logging.INFO and refused in r.getMessage() for r in caplog.records
        ), command
    help_text = await user.ask("/help")
    for command in ("deelnemers", "uitnodiging", "toevoegen"):
        assert f"/{command}" not in help_text.content
    # A forged decision button from a participant changes nothing.
    await apply(user)
    summary = user.messages()[-1]
    summary.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": "app:ok:1"}]]}
    answer = await user.callback_answer(await user.tap(summary, "x"))
    assert "werkt niet meer" in answer["text"]
    stored = await bot.services.participants.by_telegram_id(PARTICIPANT_ID)
    assert stored is not None
    assert stored.status is ParticipantStatus.PENDING
