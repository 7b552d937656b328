"""Buddies through the fake Telegram: the coordinator introduces a group (once per member),
accounts are shown only after consent, /buddies, one message to the whole group, and the
eindopdracht-groepje with the date of the final presentations."""

from __future__ import annotations

import time_machine

from bot.config import Settings
from bot.services.groups import GroupKind
from tests.conftest import PARTICIPANT_ID, RunningBot, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_announcements_support import replay, tap, tap_and_wait
from tests.test_attendance_support import approve

SANNE, PIET, INA, DIRK = (PARTICIPANT_ID + n for n in range(4))
NAMES = {SANNE: "Sanne de Vries", PIET: "Piet Jansen", INA: "Ina Smit", DIRK: "Dirk ’t Hart"}


def mentioned(message: FakeMessage) -> set[int]:
    """The accounts a message links to (tg://user links become text mentions)."""
    return {int(e["user"]["id"]) for e in message.entities if e["type"] == "text_mention"}


async def group_of(bot: RunningBot, kind: GroupKind, name: str, *people: int) -> int:
    """Approved participants (each with a chat) in a new group; returns the group id."""
    svc, now = bot.services, bot.services.now()
    group = await svc.groups.create(kind, name, now)
    for person in people:
        if await svc.participants.by_telegram_id(person) is None:
            await approve(svc, person, NAMES[person])
            await bot.user(person).ask("/start")
        number = await svc.participants.by_telegram_id(person)
        assert number is not None
        await svc.groups.toggle(group.id, number.id, now)
    return group.id


async def introduce(bot: RunningBot, group_name: str) -> FakeMessage:
    """/groepen, the group's page, and its introduce button; returns the coordinator's note."""
    coordinator = bot.coordinator
    overview = await coordinator.ask("/groepen")
    button = next(text for row in overview.buttons() for text in row if group_name in text)
    await tap_and_wait(coordinator, overview, button)
    await tap(coordinator, overview, "👋 Groepsgenoten aan elkaar voorstellen")
    return await coordinator.next_message()


async def test_a_group_is_introduced_once_and_a_newcomer_later(bot: RunningBot) -> None:
    group = await group_of(bot, GroupKind.INTERVISIE, "Zilverreigers", SANNE, PIET, INA)
    note = await introduce(bot, "Zilverreigers")
    assert "3 groepsleden kregen een kennismaking" in note.content
    intro = await bot.user(SANNE).next_message()
    assert "Je intervisiegroep: Zilverreigers" in intro.content
    assert "met Ina Smit, Piet Jansen" in intro.content
    assert "elkaars buddy's" in intro.content
    assert intro.buttons() == [["✅ Ja, deel mijn account", "Nee, liever niet"]]
    assert mentioned(intro) == set()  # nobody agreed yet: names only
    for person in (PIET, INA):
        assert "Zilverreigers" in (await bot.user(person).next_message()).content
    again = await introduce(bot, "Zilverreigers")
    assert "al aan elkaar voorgesteld" in again.content
    for person in (SANNE, PIET, INA):
        await bot.user(person).expect_no_message()

    await group_of_add(bot, group, DIRK)
    later = await introduce(bot, "Zilverreigers")
    assert "1 groepslid kreeg een kennismaking" in later.content
    assert "3 leden die al waren voorgesteld" in later.content
    assert "met Ina Smit, Piet Jansen, Sanne de Vries" in (
        await bot.user(DIRK).next_message()).content
    assert "Nieuw in je intervisiegroep Zilverreigers: Dirk ’t Hart" in (
        await bot.user(SANNE).next_message()).content


async def group_of_add(bot: RunningBot, group_id: int, person: int) -> None:
    svc = bot.services
    await approve(svc, person, NAMES[person])
    await bot.user(person).ask("/start")
    found = await svc.participants.by_telegram_id(person)
    assert found is not None
    await svc.groups.toggle(group_id, found.id, svc.now())


async def test_an_account_is_shown_only_after_consent(bot: RunningBot) -> None:
    await group_of(bot, GroupKind.INTERVISIE, "Zilverreigers", SANNE, PIET)
    await introduce(bot, "Zilverreigers")
    sanne, piet = bot.user(SANNE), bot.user(PIET)
    intro = await sanne.next_message()
    await piet.next_message()
    before = await piet.ask("/buddies")
    assert "Sanne de Vries" in before.content
    assert mentioned(before) == set()
    answer = await tap(sanne, intro, "✅ Ja, deel mijn account")
    assert "zien nu je Telegram-account" in answer["text"]
    await bot.fake.wait_until(lambda: intro.edits > 0, what="the intro turned into /buddies")
    assert "Je Telegram-account is zichtbaar voor deze groep" in intro.content
    after = await piet.ask("/buddies")
    assert mentioned(after) == {SANNE}  # Sanne's account; Piet's own is never shown to him
    outsider = bot.user(700555, "Olga")
    forged = await replay(outsider, intro, intro.button_data()[0][0] or "")
    assert "niet (meer) voor jou" in forged["text"]
    await tap_and_wait(sanne, intro, "🔒 Account niet meer delen met Zilverreigers")
    assert mentioned(await piet.ask("/buddies")) == set()


async def test_one_message_reaches_the_whole_group_with_or_without_an_account(
    bot: RunningBot,
) -> None:
    await group_of(bot, GroupKind.INTERVISIE, "Zilverreigers", SANNE, PIET, INA)
    await introduce(bot, "Zilverreigers")
    sanne, piet, ina = bot.user(SANNE), bot.user(PIET), bot.user(INA)
    await tap(sanne, await sanne.next_message(), "✅ Ja, deel mijn account")
    for person in (piet, ina):
        await person.next_message()
    overview = await piet.ask("/buddies")
    await tap(piet, overview, "✉️ Bericht aan Zilverreigers")
    ask = await piet.next_message()
    assert "naar 2 groepsgenoten, met je naam erbij, zonder je account" in ask.content
    done = await piet.ask("Zullen we <b>donderdag</b> vooraf koffie drinken?")
    assert "Verstuurd aan 2 groepsgenoten in Zilverreigers" in done.content
    received = await sanne.next_message()
    assert "Bericht van Piet Jansen (intervisiegroep Zilverreigers)" in received.content
    assert "Zullen we <b>donderdag</b> vooraf koffie drinken?" in received.content
    assert mentioned(received) == set()
    assert "koffie" in (await ina.next_message()).content
    await piet.expect_no_message()
    # Sanne shares her account: her message links it. Someone blocked: said so.
    ina.block_bot()
    await tap(sanne, await sanne.ask("/buddies"), "✉️ Bericht aan Zilverreigers")
    await sanne.next_message()
    partly = await sanne.ask("Tot donderdag!")
    assert "Verstuurd aan 1 van de 2 groepsgenoten" in partly.content
    assert mentioned(await piet.next_message()) == {SANNE}


async def test_only_members_message_a_group_and_no_group_is_explained(
    bot: RunningBot,
) -> None:
    group = await group_of(bot, GroupKind.INTERVISIE, "Zilverreigers", SANNE, PIET)
    await approve(bot.services, INA, NAMES[INA])
    ina: SimulatedUser = bot.user(INA)
    alone = await ina.ask("/buddies")
    assert "Je zit nog niet in een groep" in alone.content
    forged = await replay(ina, alone, f"bud:msg:{group}")
    assert "niet (meer) voor jou" in forged["text"]
    await ina.expect_no_message()
    stranger = await bot.user(700556, "Olga").ask("/buddies")
    assert "voor toegelaten deelnemers" in stranger.content


async def test_an_eindopdracht_groepje_hears_when_it_presents(bot: RunningBot) -> None:
    await group_of(bot, GroupKind.EINDOPDRACHT, "De Wijkwerkers", SANNE, PIET, INA)
    await introduce(bot, "De Wijkwerkers")
    intro = await bot.user(SANNE).next_message()
    assert "Je eindopdracht-groepje: De Wijkwerkers" in intro.content
    assert "Module 10: Eindpresentaties op donderdag 19 juni 2025" in intro.content
    shown = await bot.user(SANNE).ask("/buddies")
    assert "Eindpresentaties: Module 10: Eindpresentaties, donderdag 19 juni 2025" in (
        shown.content)


async def test_a_message_typed_after_a_restart_still_reaches_the_group(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as bot:
        await group_of(bot, GroupKind.INTERVISIE, "Zilverreigers", SANNE, PIET)
        piet = bot.user(PIET)
        await tap(piet, await piet.ask("/buddies"), "✉️ Bericht aan Zilverreigers")
        assert "Typ je bericht" in (await piet.next_message()).content
    async with run_bot(fake, settings) as bot:  # the bot restarts while Piet types
        done = await bot.user(PIET).ask("Wie neemt de flip-over mee?")
        assert "Verstuurd aan je groepsgenoot in Zilverreigers" in done.content
        assert "flip-over" in (await bot.user(SANNE).next_message()).content
