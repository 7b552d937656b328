"""/sessie: the coordinator adds, moves and cancels a werksessie; participants hear it once and
the reminders move with it. Changes in the programme file are announced the same way."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import time_machine

from bot.config import Settings
from tests.conftest import COORDINATOR_ID, amsterdam, make_settings, run_bot
from tests.faketelegram import FakeTelegram, SimulatedUser
from tests.test_announcements_support import compose, preview, replay
from tests.test_reminders_helpers import NO, YES, add_participant, buttons

SAVE = "✅ Opslaan"


def notices(user: SimulatedUser, marker: str) -> int:
    return sum(marker in m.content for m in user.messages())


async def add_werksessie(coordinator: SimulatedUser, when: str, where: str) -> None:
    overview = await coordinator.ask("/sessie")
    await coordinator.tap(overview, "➕ Werksessie")
    ask = await coordinator.next_message()
    assert "Nieuwe werksessie: wanneer?" in ask.content
    assert "duurt een werksessie 150 minuten" in ask.content
    assert "Waar is het?" in (await coordinator.ask(when)).content
    confirm = await coordinator.ask(where)
    await coordinator.tap(confirm, SAVE)
    assert "staat in het programma" in (await coordinator.next_message()).content


async def open_session(coordinator: SimulatedUser, label: str) -> None:
    overview = await coordinator.ask("/sessie")
    await coordinator.tap(overview, label)


async def test_add_move_and_cancel_a_werksessie(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    coordinator, sanne = fake.user(COORDINATOR_ID, "Coby"), fake.user(501, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne, name="Sanne de Vries")
        await add_werksessie(coordinator, "di 17 december 15:00", "Wijkcentrum Selwerd")
        added = await sanne.next_message()
        assert "Nieuwe bijeenkomst: Werksessie 1" in added.content
        assert "dinsdag 17 december 2024, 15:00–17:30" in added.content
        assert "📍 Wijkcentrum Selwerd" in added.content
        assert buttons(added) == [YES, NO]
        await bot.scheduler.idle()
        key = next(s.key for s in (await bot.services.sessions.timetable()).sessions
                   if s.kind.value == "werksessie")
        assert bot.job(key, "day").next_t == amsterdam(2024, 12, 16, 18, 0)

        # Sanne cannot come; the coordinator sees it under the session.
        await sanne.tap(added, NO)
        await sanne.next_message()
        await sanne.ask("Teamoverleg")
        await open_session(coordinator, "Werksessie 1 · di 17 december 2024")
        detail = await coordinator.next_message()
        assert "• Sanne de Vries: Teamoverleg" in detail.content
        assert buttons(detail) == [
            "🕑 Verplaatsen", "📍 Plaats wijzigen", "📝 Beschrijving wijzigen",
            "🗑 Laten vervallen", "⬅️ Overzicht",
        ]

        # Move it: a wrong date first, then a good one; the duration stays 2,5 hours.
        await coordinator.tap(detail, "🕑 Verplaatsen")
        assert "Typ de nieuwe datum en tijd" in (await coordinator.next_message()).content
        assert "Die datum bestaat niet" in (await coordinator.ask("32-12 15:00")).content
        assert "al voorbij" in (await coordinator.ask("1 december 2024 15:00")).content
        confirm = await coordinator.ask("18-12 16:00")
        assert "Wordt: 📅 woensdag 18 december 2024, 16:00–18:30" in confirm.content
        await coordinator.tap(confirm, SAVE)
        assert "is verplaatst" in (await coordinator.next_message()).content
        changed = await sanne.next_message()
        assert "Gewijzigd: Werksessie 1" in changed.content
        assert "woensdag 18 december 2024, 16:00–18:30" in changed.content
        assert "(Was: di 17 december 2024, 15:00.)" in changed.content
        await bot.scheduler.idle()
        assert bot.job(key, "day").next_t == amsterdam(2024, 12, 17, 18, 0)
        assert len(bot.jobs(key, "hours")) == 1

    # A restart announces nothing again.
    async with run_bot(fake, settings) as bot:
        await sanne.expect_no_message()
        await open_session(coordinator, "Werksessie 1 · wo 18 december 2024")
        detail = await coordinator.next_message()
        await coordinator.tap(detail, "🗑 Laten vervallen")
        confirm = await coordinator.next_message()
        assert "laten vervallen?" in confirm.content
        await coordinator.tap(confirm, "Ja, laten vervallen")
        assert "vervalt" in (await coordinator.next_message()).content
        cancelled = await sanne.next_message()
        assert "Vervalt: Werksessie 1" in cancelled.content
        assert "woensdag 18 december 2024, 16:00–18:30" in cancelled.content
        assert not cancelled.buttons()
        await bot.scheduler.sync()
        assert bot.jobs(key, "day") == []
        assert bot.jobs(key, "hours") == []
    assert notices(sanne, "Nieuwe bijeenkomst") == 1
    assert notices(sanne, "Gewijzigd") == 1
    assert notices(sanne, "Vervalt") == 1


async def move_werksessie(coordinator: SimulatedUser, label: str, when: str) -> None:
    await open_session(coordinator, label)
    detail = await coordinator.next_message()
    await coordinator.tap(detail, "🕑 Verplaatsen")
    await coordinator.next_message()
    confirm = await coordinator.ask(when)
    await coordinator.tap(confirm, SAVE)
    assert "is verplaatst" in (await coordinator.next_message()).content


async def absent_last_audience(coordinator: SimulatedUser, text: str) -> str:
    """The preview line of /bericht to "afwezig bij de vorige bijeenkomst"; then cancelled."""
    question = await compose(coordinator, text)
    _, control = await preview(coordinator, question, "Afwezig bij de vorige bijeenkomst")
    await coordinator.tap(control, "❌ Annuleren")
    await coordinator.next_message()
    return control.content


async def test_a_werksessie_changed_with_sessie_works_at_once_everywhere(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    """Without a restart: "Ik kan niet" on its reminder, /afmelden and the audiences all use
    the werksessie as /sessie left it."""
    coordinator = fake.user(COORDINATOR_ID, "Coby")
    sanne, piet = fake.user(511, "Sanne"), fake.user(512, "Piet")
    async with run_bot(fake, settings) as bot:
        sanne_id = await add_participant(bot.services, sanne, name="Sanne de Vries")
        piet_id = await add_participant(bot.services, piet, name="Piet Jansen")
        # Both features have read the timetable before it changes.
        choose = await piet.ask("/afmelden")
        assert not any("Werksessie" in b for b in buttons(choose))
        await piet.tap(choose, "Module 5 · do 23 januari 2025")
        await piet.tap(await piet.next_message(), "Overslaan")
        assert "zonder reden" in (await piet.next_message()).content
        assert "(Module 3" in await absent_last_audience(coordinator, "Gemist?")
        await add_werksessie(coordinator, "di 17 december 15:00", "Wijkcentrum Selwerd")
        await move_werksessie(coordinator, "Werksessie 1 · di 17 december 2024", "18-12 16:00")
        key = next(s.key for s in (await bot.services.sessions.timetable()).sessions
                   if s.kind.value == "werksessie")
        for person in (sanne, piet):
            assert "Nieuwe bijeenkomst: Werksessie 1" in (await person.next_message()).content
            assert "Gewijzigd: Werksessie 1" in (await person.next_message()).content

        # "Ik kan niet" under its reminder, the evening before the new date.
        await bot.scheduler.idle()
        assert bot.job(key, "day").next_t == amsterdam(2024, 12, 17, 18, 0)
        frozen_time.move_to(amsterdam(2024, 12, 17, 18, 0))
        await bot.fire(key, "day")
        reminder = await sanne.next_message()
        assert "Werksessie 1" in reminder.content
        assert "woensdag 18 december 2024" in reminder.content
        await sanne.tap(reminder, NO)
        assert "afgemeld" in (await sanne.next_message()).content
        assert "reden: Teamoverleg" in (await sanne.ask("Teamoverleg")).content
        assert await bot.services.absences.for_participant(sanne_id) == {key: "Teamoverleg"}
        mine = await sanne.ask("/mijngegevens")  # the werksessie by its name, not its key
        assert "Werksessie 1 (reden: Teamoverleg)" in mine.content
        assert key not in mine.content

        # /afmelden lists it at its new time and takes the afmelding.
        choose = await piet.ask("/afmelden")
        assert "Werksessie 1 · wo 18 december 2024" in buttons(choose)
        await piet.tap(choose, "Werksessie 1 · wo 18 december 2024")
        ask = await piet.next_message()
        assert "Je bent afgemeld voor Werksessie 1" in ask.content
        await piet.tap(ask, "Overslaan")
        assert "zonder reden" in (await piet.next_message()).content
        assert await bot.services.absences.for_participant(piet_id) == {
            "module-5": None, key: None
        }

        # The old time (17 December, 17:30) has passed, the new one has not: the last session
        # that ended is still module 4. After 18:30 on the 18th it is the werksessie.
        frozen_time.move_to(amsterdam(2024, 12, 18, 12, 0))
        line = await absent_last_audience(coordinator, "Gemist?")
        assert "Afwezig bij de vorige bijeenkomst (Module 4" in line
        frozen_time.move_to(amsterdam(2024, 12, 18, 19, 0))
        line = await absent_last_audience(coordinator, "Gemist?")
        assert "Afwezig bij de vorige bijeenkomst (Werksessie 1" in line


async def test_questions_about_werksessies_answer_with_the_dates_set_in_sessie(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    """The programme file has no werksessie dates; the coordinator's /sessie does."""
    coordinator, sanne = fake.user(COORDINATOR_ID, "Coby"), fake.user(521, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne)
        before = await sanne.ask("Wanneer zijn de werksessies?")
        assert "maakt de coördinator nog bekend" in before.content
        await add_werksessie(coordinator, "di 17 december 15:00", "Wijkcentrum Selwerd")
        await sanne.next_message()  # "Nieuwe bijeenkomst"
        planned = await sanne.ask("Wanneer zijn de werksessies?")
        assert "nog bekend" not in planned.content
        assert "17 december" in planned.content
        await move_werksessie(coordinator, "Werksessie 1 · di 17 december 2024", "18-12 16:00")
        await sanne.next_message()  # "Gewijzigd"
        moved = await sanne.ask("Wanneer zijn de werksessies?")
        assert "18 december" in moved.content
        assert "17 december" not in moved.content


async def test_a_module_is_moved_and_given_another_place(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    coordinator, sanne = fake.user(COORDINATOR_ID, "Coby"), fake.user(531, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne, name="Sanne de Vries")
        await open_session(coordinator, "Module 5 · do 23 januari 2025")
        detail = await coordinator.next_message()
        await coordinator.tap(detail, "🕑 Verplaatsen")
        assert "Modules zijn op donderdag" in (await coordinator.next_message()).content
        refused = await coordinator.ask("28-01-2025 13:00")
        assert "Modules zijn op donderdag; die datum is een dinsdag" in refused.content
        confirm = await coordinator.ask("30 januari 2025 13:00")
        assert "Wordt: 📅 donderdag 30 januari 2025, 13:00–19:30" in confirm.content
        await coordinator.tap(confirm, SAVE)
        assert "is verplaatst" in (await coordinator.next_message()).content
        moved = await sanne.next_message()
        assert "Gewijzigd: Module 5" in moved.content
        assert "donderdag 30 januari 2025, 13:00–19:30" in moved.content
        await bot.scheduler.idle()
        assert bot.job("module-5", "day").next_t == amsterdam(2025, 1, 29, 18, 0)
        for asked in ("Wanneer is module 5?", "/module 5"):
            answer = await sanne.ask(asked)
            assert "30 januari" in answer.content, asked
            assert "23 januari" not in answer.content, asked

        await open_session(coordinator, "Module 5 · do 30 januari 2025")
        detail = await coordinator.next_message()
        await coordinator.tap(detail, "📍 Plaats wijzigen")
        assert "Waar is" in (await coordinator.next_message()).content
        confirm = await coordinator.ask("De Oosterpoort, Trompsingel 27")
        assert "Wordt: 📍 De Oosterpoort, Trompsingel 27" in confirm.content
        await coordinator.tap(confirm, SAVE)
        assert "De Oosterpoort" in (await coordinator.next_message()).content
        relocated = await sanne.next_message()
        assert "Gewijzigd: Module 5" in relocated.content
        assert "📍 De Oosterpoort, Trompsingel 27" in relocated.content
        timetable = await bot.services.sessions.timetable()
        module = timetable.get("module-5")
        assert module is not None
        assert module.starts_at == amsterdam(2025, 1, 30, 13, 0)
        await sanne.expect_no_message()
    assert notices(sanne, "Gewijzigd: Module 5") == 2


async def test_a_move_onto_another_session_is_refused_with_its_name(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = fake.user(COORDINATOR_ID, "Coby")
    async with run_bot(fake, settings) as bot:
        await add_werksessie(coordinator, "di 17 december 15:00", "Wijkcentrum Selwerd")
        await open_session(coordinator, "Werksessie 1 · di 17 december 2024")
        detail = await coordinator.next_message()
        await coordinator.tap(detail, "🕑 Verplaatsen")
        await coordinator.next_message()
        refused = await coordinator.ask("do 12 december 2024 14:00")
        assert "Dan valt hij samen met Module 4" in refused.content
        assert "donderdag 12 december 2024" in refused.content
        assert "Wordt: 📅 woensdag 18 december" in (await coordinator.ask("18-12 16:00")).content
        session = next(s for s in (await bot.services.sessions.timetable()).sessions
                       if s.kind.value == "werksessie")
        assert session.starts_at == amsterdam(2024, 12, 17, 15, 0)


async def test_sessie_is_for_coordinators_and_can_be_stopped(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    coordinator, sanne = fake.user(COORDINATOR_ID, "Coby"), fake.user(502, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne)
        assert "ken ik niet" in (await sanne.ask("/sessie")).content
        overview = await coordinator.ask("/sessie")
        assert "Module 4: Data-gedreven wijkvernieuwing" in overview.content
        assert "Module 4 · do 12 december 2024" in buttons(overview)
        await coordinator.tap(overview, "➕ Intervisie")
        await coordinator.next_message()
        assert "al voorbij" in (await coordinator.ask("28-11-2024 16:00")).content
        needs_end = await coordinator.ask("28 januari 16:00")
        assert "Geef ook de eindtijd" in needs_end.content
        assert "Gestopt" in (await coordinator.ask("/annuleren")).content
        await coordinator.tap(overview, "Module 4 · do 12 december 2024")
        module = await coordinator.next_message()
        assert "kan verplaatst worden, maar niet vervallen" in module.content
        assert buttons(module) == [
            "🕑 Verplaatsen", "📍 Plaats wijzigen", "📝 Beschrijving wijzigen", "⬅️ Overzicht"
        ]
        # A forged cancel button for a module changes nothing.
        await replay(coordinator, module, "ses:cancelok:module-4")
        assert "kan niet vervallen" in (await coordinator.next_message()).content
        assert len((await bot.services.sessions.timetable()).sessions) == 10
        await sanne.expect_no_message()


def _programme_with_werksessie(path: Path, date: str) -> Path:
    text = resources.files("bot.data").joinpath("programme-2024-2025.toml").read_text("utf-8")
    entry = f'{{ key = "december", date = {date}, start = 15:00:00, location = "Paddepoel" }}'
    text = text.replace("duration_minutes = 150\nsessions = []",
                        f"duration_minutes = 150\nsessions = [{entry}]")
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_change_in_the_programme_file_is_announced_once(
    fake: FakeTelegram, tmp_path: Path, database_url: str, frozen_time: time_machine.Coordinates
) -> None:
    programme = _programme_with_werksessie(tmp_path / "programme.toml", "2024-12-17")
    settings = make_settings(fake, database_url, programme={"file": str(programme)})
    sanne = fake.user(503, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne)
        assert bot.job("werksessie-december", "day").next_t == amsterdam(2024, 12, 16, 18, 0)
    _programme_with_werksessie(programme, "2024-12-19")
    for _ in range(2):
        async with run_bot(fake, settings) as bot:
            assert bot.job("werksessie-december", "day").next_t == amsterdam(2024, 12, 18, 18, 0)
    assert notices(sanne, "Gewijzigd: Werksessie 1") == 1
    changed = next(m for m in sanne.messages() if "Gewijzigd" in m.content)
    assert "donderdag 19 december 2024, 15:00–17:30" in changed.content



async def test_a_module_gets_a_new_description(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    coordinator, sanne = fake.user(COORDINATOR_ID, "Coby"), fake.user(541, "Sanne")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne, name="Sanne de Vries")
        await open_session(coordinator, "Module 5 · do 23 januari 2025")
        detail = await coordinator.next_message()
        await coordinator.tap(detail, "📝 Beschrijving wijzigen")
        asked = await coordinator.next_message()
        assert "Nu staat er" in asked.content
        assert "hooguit 2000 tekens" in (await coordinator.ask("x" * 2001)).content
        confirm = await coordinator.ask("We lopen door Selwerd met de <wijkagent> & bewoners.")
        assert "Nieuwe beschrijving van Module 5" in confirm.content
        await coordinator.tap(confirm, SAVE)
        assert "is bijgewerkt" in (await coordinator.next_message()).content
        shown = await sanne.ask("/module 5")
        assert "We lopen door Selwerd met de <wijkagent> & bewoners." in shown.content
        module = (await bot.services.sessions.timetable()).get("module-5")
        assert module is not None
        assert module.starts_at == amsterdam(2025, 1, 23, 13, 0)  # only the text changed
        await sanne.expect_no_message()
        # A module that has begun keeps its description.
        frozen_time.move_to(amsterdam(2025, 1, 23, 14, 0))
        await replay(coordinator, detail, "ses:describe:module-5")
        assert "al begonnen" in (await coordinator.next_message()).content
